"""Issue 11 item 7: one word per meaning, no two controls with the same Alt+letter in what one
window shows at once, and Tab moves through the case header in the order it is seen."""

from __future__ import annotations

from collections.abc import Iterator

from mnemonics import clashes, menu_clashes
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QWidget,
)

from casebook.ui.main_window import MainWindow


def _screens(window: MainWindow) -> Iterator[str]:
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        page = window.tabs.widget(index)
        tabs = getattr(page, "tabs", None)
        if tabs is not None and hasattr(page, "case_id"):
            for inner in range(tabs.count()):
                tabs.setCurrentIndex(inner)
                QApplication.processEvents()
                yield f"case › {tabs.tabText(inner)}"
        else:
            QApplication.processEvents()
            yield window.tabs.tabText(index)


def _with_case(qtbot, window: MainWindow, casebook) -> object:  # type: ignore[no-untyped-def]
    case = casebook.cases.create("Fake account using the crest", "impersonation")
    window.open_case(case.id)
    view = window.case_views[case.id]
    qtbot.waitUntil(lambda: view.bundle is not None, timeout=10_000)
    return view


def test_no_two_controls_share_an_alt_letter_on_any_screen(qtbot, main_window: MainWindow,
                                                           unlocked_casebook) -> None:
    _with_case(qtbot, main_window, unlocked_casebook)
    found = []
    for screen in _screens(main_window):
        found += [f"{screen}: {c}" for c in clashes(main_window)]
    assert found == []
    assert menu_clashes(main_window.menuBar()) == []


def test_closing_a_tab_and_closing_a_case_have_different_words(qtbot, main_window: MainWindow,
                                                               unlocked_casebook) -> None:
    view = _with_case(qtbot, main_window, unlocked_casebook)
    tab_words = main_window.close_tab_action.text().replace("&", "")
    case_words = view.close_button.text().replace("&", "")
    assert tab_words == "Close tab"
    assert main_window.close_tab_action.shortcut().toString() == "Ctrl+W"
    assert case_words == "Mark case closed…"
    view.close_or_reopen()
    qtbot.waitUntil(lambda: view.close_dialog is not None and view.close_dialog.isVisible())
    dialog = view.close_dialog
    assert dialog.close_button.text().replace("&", "") == "Mark case closed"
    assert clashes(dialog) == []
    dialog.drop()


def test_new_case_dialog_has_no_clashing_letters(qtbot, main_window: MainWindow) -> None:
    main_window.new_case()
    qtbot.waitUntil(lambda: main_window.new_case_dialog is not None
                    and main_window.new_case_dialog.isVisible())
    assert clashes(main_window.new_case_dialog) == []


def test_tab_moves_through_the_case_header_as_seen(qtbot, main_window: MainWindow,
                                                   unlocked_casebook) -> None:
    view = _with_case(qtbot, main_window, unlocked_casebook)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    header = [w for w in (view.wizard_button, view.export_button, view.close_button,
                          view.tabs.tabBar()) if w.isVisible() and w.isEnabled()]

    def place(widget: QWidget) -> tuple[int, int]:
        point = widget.mapTo(main_window, QPoint(0, 0))
        return (point.y() // 8, point.x())  # same row within a few pixels, then left to right

    seen = sorted(header, key=place)
    seen[0].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is seen[0])
    walked = [QApplication.focusWidget()]
    for _ in range(len(seen) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        walked.append(QApplication.focusWidget())
    assert [w for w in walked] == seen


def test_alt_and_a_number_opens_that_part_of_the_case(qtbot, main_window: MainWindow,
                                                      unlocked_casebook) -> None:
    view = _with_case(qtbot, main_window, unlocked_casebook)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    view.wizard_button.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    assert view.current_tab() == "Evidence"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert view.current_tab() == "Overview"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert main_window.tabs.currentWidget() is main_window.fixed_views["checklist"]
