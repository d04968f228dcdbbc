"""The school's and the referrer's contact details are entered in Settings and saved."""

from __future__ import annotations

from PySide6.QtCore import Qt

from casebook.ui.settings.school_details import SchoolDetailsPage


def test_school_details_are_saved_and_checked(qtbot, worker, unlocked_casebook) -> None:  # type: ignore[no-untyped-def]
    page = SchoolDetailsPage(worker, unlocked_casebook)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded)
    assert page.labels["urn"].text() == "URN (unique reference number):"
    qtbot.keyClicks(page.edits["urn"], "123456")
    qtbot.keyClicks(page.edits["email"], "not an address")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.banner.kind == "error")
    assert "email address" in page.banner.text()
    page.edits["email"].setText("dsl@oak.example")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.saved.text() == "Saved.")
    details = unlocked_casebook.exports.school_details()
    assert details["urn"] == "123456" and details["email"] == "dsl@oak.example"


def test_closing_settings_asks_before_dropping_typed_school_details(
        qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    from casebook.ui import prompts
    from casebook.ui.widgets.drafts import DISCARD_TITLE

    main_window.show_settings()
    dialog = main_window.settings_dialog
    page = dialog.school_details
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes at once
    assert not dialog.isVisible() and not prompts.shown

    main_window.show_settings()
    dialog = main_window.settings_dialog
    page = dialog.school_details
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    qtbot.keyClicks(page.edits["address"], "1 Oak Lane, Oakfield OK1 2AB")
    prompts.answers.append(False)  # "Keep editing"
    qtbot.keyClick(page.edits["address"], Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.tabs.currentWidget() is page
    assert [title for kind, title, _ in prompts.shown if kind == "ask"] == [DISCARD_TITLE]
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.saved.text() == "Saved.", timeout=10_000)
    qtbot.keyClick(page.edits["address"], Qt.Key.Key_Escape)  # saved: no question
    assert not dialog.isVisible() and len(prompts.shown) == 1
