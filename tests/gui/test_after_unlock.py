"""Issue 11 item 12: after unlocking, an open case comes back on the tab that was in use; after
"It might", the typed "Where it came from" is not kept for the next file."""

from __future__ import annotations

from gui_defaults import PASSPHRASE
from PySide6.QtCore import Qt

from casebook.ui import prompts
from casebook.ui.main_window import MainWindow


def _unlock(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.unlock_panel
    qtbot.waitUntil(lambda: panel.unlock_button.isEnabled() and not panel.busy)
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.keyClick(panel.passphrase_edit, Qt.Key.Key_Return)


def test_the_case_comes_back_on_the_tab_in_use(qtbot, main_window: MainWindow,
                                               unlocked_casebook) -> None:
    case = unlocked_casebook.cases.create("Fake account using the crest", "impersonation")
    main_window.open_case(case.id)
    view = main_window.case_views[case.id]
    qtbot.waitUntil(lambda: view.bundle is not None, timeout=10_000)
    view.select_tab("Accounts")
    assert view.current_tab() == "Accounts"

    with qtbot.waitSignal(main_window.locked, timeout=10_000):
        main_window.lock()
    _unlock(qtbot, main_window)
    qtbot.waitUntil(lambda: case.id in main_window.case_views, timeout=10_000)
    again = main_window.case_views[case.id]
    assert again is not view
    qtbot.waitUntil(lambda: again.bundle is not None, timeout=10_000)
    assert again.current_tab() == "Accounts"
    assert again.tabs.currentWidget() is again.accounts
    assert main_window.tabs.currentWidget() is again


def test_where_it_came_from_is_cleared_after_it_might(qtbot, main_window: MainWindow,
                                                      unlocked_casebook, tmp_path) -> None:
    image = tmp_path / "forwarded.jpg"
    image.write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    case = unlocked_casebook.cases.create("Image shared on a group chat", "other")
    main_window.open_case(case.id)
    view = main_window.case_views[case.id]
    qtbot.waitUntil(lambda: view.bundle is not None, timeout=10_000)
    view.select_tab("Evidence")
    widget = view.evidence
    qtbot.keyClicks(widget.source_edit, "Forwarded by a parent")
    prompts.answers.append([str(image)])
    widget.add_button.click()
    qtbot.waitUntil(lambda: widget.gate_dialog is not None and widget.gate_dialog.isVisible())
    widget.gate_dialog.might_button.click()
    assert widget.source_edit.text() == ""
    qtbot.waitUntil(lambda: widget.note_dialog is not None and widget.note_dialog.isVisible())
    widget.note_dialog.drop()


def test_kept_safe_can_be_ticked_only_after_printing_saving_or_typing_back(qtbot,
                                                                           tmp_path) -> None:
    from casebook.ui.firstrun.recovery import RecoveryKeyPanel

    panel = RecoveryKeyPanel()
    qtbot.addWidget(panel)
    panel.show()
    key = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789-QWER"
    panel.set_key(key, "Testbridge School")
    assert not panel.confirm_check.isEnabled() and panel.confirm_hint.isVisible()
    qtbot.mouseClick(panel.confirm_check, Qt.MouseButton.LeftButton)
    assert not panel.is_confirmed()

    qtbot.keyClicks(panel.typed_back_edit, "QWEX")  # a wrong group does not count
    assert not panel.confirm_check.isEnabled()
    panel.typed_back_edit.setText("qwer")  # the right one, in any case
    assert panel.confirm_check.isEnabled() and not panel.confirm_hint.isVisible()
    panel.confirm_check.setChecked(True)
    assert panel.is_confirmed()
    panel.typed_back_edit.setText("")  # taken back: the tick goes too
    assert not panel.confirm_check.isChecked() and not panel.is_confirmed()

    prompts.answers.append(str(tmp_path / "key.pdf"))
    panel.pdf_button.click()
    assert (tmp_path / "key.pdf").exists()
    assert panel.confirm_check.isEnabled()
