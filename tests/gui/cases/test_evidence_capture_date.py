"""An evidence item records when it was captured, not only when it was added."""

from __future__ import annotations

from datetime import datetime

from case_helpers import open_case_view
from PySide6.QtCore import QDate, QDateTime, Qt, QTime


def test_capture_date_is_recorded(qtbot, worker, unlocked_casebook,  # noqa: F811
                                  case_id) -> None:  # noqa: F811
    unlocked_casebook.evidence.add_note(case_id, "Profile of the account seen on a phone",
                                        "https://instagram.com/fake_demo")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    widget = view.evidence
    qtbot.waitUntil(lambda: widget.table.rowCount() == 1)
    assert not widget.captured_button.isEnabled()
    widget.table.selectRow(0)
    assert widget.captured_button.isEnabled()
    qtbot.mouseClick(widget.captured_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.capture_dialog is not None
                    and widget.capture_dialog.isVisible())
    dialog = widget.capture_dialog
    dialog.when_edit.setDateTime(QDateTime(QDate(2026, 3, 1), QTime(21, 14)))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "capture date is recorded" in widget.banner.text())
    [item] = unlocked_casebook.evidence.items(case_id)
    assert item.captured_at == datetime(2026, 3, 1, 21, 14)
