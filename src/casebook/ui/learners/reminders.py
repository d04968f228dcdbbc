"""A line on the dashboard: transfers waiting for a receipt (overdue first) and files due for
retention review. Clicking it opens the Learners screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from casebook.ui.kit import palette


class LearnerReminders(QLabel):
    open_learners = Signal(int)  # the Learners screen's page: 1 review, 2 transfers

    def __init__(self, worker: Any, casebook: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("learnerReminders")
        self.setAccessibleName("Learner reminders")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self._style()
        self.linkActivated.connect(lambda link: self.open_learners.emit(int(link)))
        self._worker = worker
        self._casebook = casebook
        self.hide()

    def _style(self) -> None:
        """The attention tint of the scheme in use (a light tint under dark text would be
        unreadable in a dark theme)."""
        tint = palette.hex_colour("tint-attention", self)
        border = palette.hex_colour("border-attention", self)
        sheet = (f"QLabel {{ background: {tint}; border: 1px solid {border}; "
                 "border-radius: 4px; padding: 6px; }")
        if sheet != self.styleSheet():  # setting it again would announce a change again
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style()

    def refresh(self, *_args: object) -> None:
        book = self._casebook

        def job() -> tuple[list[Any], int]:
            return book.transfers.reminders(), len(book.retention.due())

        self._worker.submit(job, self._show, lambda _e: None)

    def _show(self, result: tuple[list[Any], int]) -> None:
        transfers, due = result
        parts = []
        overdue = [t for t in transfers if t.state == "overdue"]
        if overdue:
            parts.append(f'<a href="2">{len(overdue)} transfer(s) overdue for a receipt</a>: '
                         "ring the receiving school's DSL and record the chase")
        soon = len(transfers) - len(overdue)
        if soon:
            parts.append(f'<a href="2">{soon} transfer(s) due for a receipt in the next two '
                         "days</a>")
        if due:
            parts.append(f'<a href="1">{due} file(s) due for retention review</a>')
        self.setText(" · ".join(parts))
        self.setVisible(bool(parts))
