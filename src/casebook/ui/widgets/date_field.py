"""Date inputs that may be left empty, typed in the school's own format or picked from a calendar.

``QDateEdit`` cannot be empty, and many case dates are "not known yet", so ``DateField`` is a
line edit that understands 23/11/2026 (11/23/2026 in the US profile), 2026-11-23, 23 Nov 2026 and
"today", with a calendar button beside it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDateTimeEdit,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from casebook.ui.widgets.common import fmt_date, warning_colour

_COMMON_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y",
                   "%d %b %y")
_GB_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")
_US_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y")


def parse_date(text: str, us: bool = False, today: date | None = None) -> date | None:
    """The date a person typed, or None if the text is not a date. Empty text is None too."""
    value = " ".join(text.strip().split())
    if not value:
        return None
    lowered = value.casefold()
    today = today or date.today()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - timedelta(days=1)
    for fmt in (*(_US_FORMATS if us else _GB_FORMATS), *_COMMON_FORMATS):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class DateField(QWidget):
    """An optional date. ``value()`` is a ``date`` or None; ``is_valid()`` is False for text
    that is not a date (the field shows it in red and says so to screen readers)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, us: bool = False) -> None:
        super().__init__(parent)
        self.us = us
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("mm/dd/yyyy" if us else "dd/mm/yyyy")
        self.edit.setClearButtonEnabled(True)
        metrics = self.edit.fontMetrics()
        self.edit.setMinimumWidth(metrics.horizontalAdvance("Sep 30, 20000") + 36)
        self.edit.setMaximumWidth(metrics.horizontalAdvance("0" * 18) + 48)
        layout.addWidget(self.edit)
        self.button = QToolButton(self)
        self.button.setArrowType(Qt.ArrowType.DownArrow)
        self.button.setAccessibleName("Choose a date from a calendar")
        self.button.setToolTip("Choose a date from a calendar")
        self.button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.button.clicked.connect(self._open_calendar)
        layout.addWidget(self.button)
        layout.addStretch(1)
        self.setFocusProxy(self.edit)
        self.edit.editingFinished.connect(self._tidy)
        self.edit.textChanged.connect(self._on_text)
        self._menu: QMenu | None = None

    # ----- value --------------------------------------------------------------------------
    def value(self) -> date | None:
        return parse_date(self.edit.text(), self.us)

    def is_valid(self) -> bool:
        return not self.edit.text().strip() or self.value() is not None

    def set_value(self, value: date | str | None) -> None:
        if isinstance(value, str):
            value = parse_date(value, self.us)
        self.edit.setText(fmt_date(value, self.us) if value else "")

    def iso(self) -> str | None:
        value = self.value()
        return value.isoformat() if value else None

    # ----- behaviour ----------------------------------------------------------------------
    def _on_text(self) -> None:
        if self.is_valid():
            self.edit.setStyleSheet("")
            self.edit.setToolTip("")
            self.edit.setAccessibleDescription("")
        else:
            self.edit.setStyleSheet(f"color: {warning_colour(self).name()};")
            hint = "That is not a date Casebook understands. Try " + (
                "11/23/2026 or Nov 23, 2026." if self.us else "23/11/2026 or 23 Nov 2026.")
            self.edit.setToolTip(hint)
            self.edit.setAccessibleDescription(hint)
        self.changed.emit()

    def _tidy(self) -> None:
        value = self.value()
        if value is not None:
            tidy = fmt_date(value, self.us)
            if tidy != self.edit.text():
                self.edit.setText(tidy)

    def _open_calendar(self) -> None:
        menu = QMenu(self)
        calendar = QCalendarWidget(menu)
        calendar.setGridVisible(False)
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Sunday if self.us else Qt.DayOfWeek.Monday)
        current = self.value() or date.today()
        calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def chosen(day: QDate) -> None:
            self.set_value(date(day.year(), day.month(), day.day()))
            menu.close()
            self.edit.setFocus()

        calendar.clicked.connect(chosen)
        calendar.activated.connect(chosen)
        self._menu = menu
        menu.popup(self.button.mapToGlobal(self.button.rect().bottomLeft()))
        calendar.setFocus()


class DateTimeField(QDateTimeEdit):
    """A date and time that always has a value (when something happened; defaults to now)."""

    def __init__(self, parent: QWidget | None = None, *, us: bool = False) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("MMM d, yyyy h:mm AP" if us else "dd MMM yyyy HH:mm")
        self.set_now()

    def set_now(self) -> None:
        now = datetime.now().replace(second=0, microsecond=0)
        self.setDateTime(QDateTime(now))

    def value(self) -> datetime:
        value = self.dateTime().toPython()
        assert isinstance(value, datetime)
        return value.replace(second=0, microsecond=0)

    def set_value(self, value: datetime) -> None:
        self.setDateTime(QDateTime(value))
