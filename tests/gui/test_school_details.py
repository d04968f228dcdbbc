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
