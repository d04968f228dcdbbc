"""Issue 11 item 3: typed text is never lost without a question, and every free-text form of a
case is kept as an encrypted draft that comes back when the case is opened again."""

from __future__ import annotations

import json

import shiboken6
from case_helpers import open_case_view, wait_idle
from PySide6.QtCore import Qt

from casebook.ui import prompts
from casebook.ui.main_window import MainWindow
from casebook.ui.widgets.drafts import DISCARD_TITLE

LONG_TEXT = "The parent rang at 08:40. " * 800  # 20,000 characters, as in the issue


def _new_case_dialog(qtbot, window: MainWindow):  # type: ignore[no-untyped-def]
    window.new_case()
    qtbot.waitUntil(lambda: window.new_case_dialog is not None
                    and window.new_case_dialog.isVisible())
    return window.new_case_dialog


def _asked() -> int:
    return sum(1 for kind, title, _ in prompts.shown if kind == "ask" and title == DISCARD_TITLE)


def test_escape_in_new_case_asks_before_discarding(qtbot, main_window: MainWindow,
                                                    unlocked_casebook) -> None:
    dialog = _new_case_dialog(qtbot, main_window)
    qtbot.keyClicks(dialog.title_edit, "Account copying the crest")
    dialog.summary_edit.setPlainText(LONG_TEXT)
    dialog.save_draft()
    key = "user1:ui.new-case"
    qtbot.waitUntil(lambda: unlocked_casebook.settings.get_draft(key) is not None)

    prompts.answers.append(False)  # "Keep editing"
    qtbot.keyClick(dialog.summary_edit, Qt.Key.Key_Escape)
    assert _asked() == 1
    assert dialog.isVisible()
    assert dialog.summary_edit.toPlainText() == LONG_TEXT
    assert json.loads(unlocked_casebook.settings.get_draft(key))["summary"] == LONG_TEXT

    prompts.answers.append(False)  # Cancel asks too
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert _asked() == 2 and dialog.isVisible()

    prompts.answers.append(True)  # "Discard"
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: unlocked_casebook.settings.get_draft(key) is None)


def test_an_empty_new_case_closes_without_a_question(qtbot, main_window: MainWindow) -> None:
    dialog = _new_case_dialog(qtbot, main_window)
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert _asked() == 0


def test_close_case_reason_is_not_thrown_away_by_escape(qtbot, worker, unlocked_casebook,
                                                        case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.close_button.click()
    qtbot.waitUntil(lambda: view.close_dialog is not None and view.close_dialog.isVisible())
    dialog = view.close_dialog
    qtbot.keyClicks(dialog.reason_edit, "Accounts removed")
    prompts.answers.append(False)
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.reason() == "Accounts removed"
    assert _asked() == 1
    # A lock closes it without asking (the case view drops what it shows).
    view.clear()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert _asked() == 1


def test_add_forms_are_kept_as_drafts_and_come_back(qtbot, worker, unlocked_casebook,
                                                    case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    qtbot.keyClicks(view.people.name_edit, "Alex Example")
    qtbot.keyClicks(view.people.notes_edit, "Told the form tutor first")
    qtbot.keyClicks(view.accounts.handle_edit, "@fake_school_crest")
    view.save_drafts()
    wait_idle(qtbot, worker)
    stored = unlocked_casebook.settings.get_draft(f"case:{case_id}:form:people")
    assert stored is not None and "Alex Example" in stored
    view.close()

    again = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    assert again.people.name_edit.text() == "Alex Example"
    assert again.people.notes_edit.text() == "Told the form tutor first"
    assert again.accounts.handle_edit.text() == "@fake_school_crest"
    assert "put back" in again.people.banner.text()

    # Saving the person clears the form, and with it the draft.
    again.people.add_button.click()
    qtbot.waitUntil(lambda: again.people.table.rowCount() == 1, timeout=10_000)
    again.save_drafts()
    wait_idle(qtbot, worker)
    assert unlocked_casebook.settings.get_draft(f"case:{case_id}:form:people") is None


def test_close_reason_survives_a_lock_and_comes_back_when_reopened(qtbot, worker,
                                                                  unlocked_casebook,
                                                                  case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    dialog = view.close_case()
    qtbot.keyClicks(dialog.reason_edit, "Accounts removed; support in place")
    view.save_drafts()  # what locking does first
    view.clear()
    wait_idle(qtbot, worker)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()

    again = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    reopened = again.close_case()
    assert reopened.reason() == "Accounts removed; support in place"
    prompts.answers.append(True)  # discard it this time: the draft goes too
    reopened.reject()
    again.save_drafts()
    wait_idle(qtbot, worker)
    assert unlocked_casebook.settings.get_draft(f"case:{case_id}:form:close-reason") is None


def test_export_note_and_governors_commentary_ask_before_discarding(
        qtbot, main_window: MainWindow) -> None:
    main_window.export_governors()
    dialog = main_window.governors_dialog
    qtbot.waitUntil(lambda: dialog.setup is not None, timeout=10_000)
    dialog.commentary_edit.setPlainText("A national trend of fake school accounts this term.")
    prompts.answers.append(False)
    qtbot.keyClick(dialog.commentary_edit, Qt.Key.Key_Escape)
    assert dialog.isVisible() and _asked() == 1
    prompts.answers.append(True)
    dialog.reject()
    assert not dialog.isVisible() and _asked() == 2
