"""When a screenshot or capture was taken: platform report forms ask for it, and the time it
was added to the casebook can be days later."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import EvidenceItem


class CaptureDateDialog(QDialog):
    """Asks for the date and time an evidence item was captured (opened with ``open()``)."""

    def __init__(self, item: EvidenceItem, us: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("When it was taken")
        self.setAccessibleName(self.windowTitle())
        what = item.description.split("\n", 1)[0] or item.filename or "this item"
        about = QLabel(f"When was “{what}” captured? Platforms' report forms ask for the "
                       "date each screenshot was taken.", self)
        about.setWordWrap(True)
        self.when_edit = QDateTimeEdit(self)
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setDisplayFormat("MM/dd/yyyy h:mm AP" if us else "dd/MM/yyyy HH:mm")
        self.when_edit.setAccessibleName("Date and time it was captured")
        start = item.captured_at or item.added_at
        self.when_edit.setDateTime(QDateTime(QDate(start.year, start.month, start.day),
                                             QTime(start.hour, start.minute)))
        form = QFormLayout()
        label = QLabel("&Captured:", self)
        label.setBuddy(self.when_edit)
        form.addRow(label, self.when_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def when(self) -> datetime:
        value = self.when_edit.dateTime()
        day, time = value.date(), value.time()
        return datetime(day.year(), day.month(), day.day(), time.hour(), time.minute())
