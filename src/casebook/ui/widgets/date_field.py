"""The one date input of the app: may be left empty, typed in the school's own format or
picked from a calendar.

``QDateEdit`` cannot be empty, and many case dates are "not known yet", so ``DateField`` is a
line edit that understands 23/11/2026 (11/23/2026 in the US profile), 2026-11-23, 23 Nov 2026 and
"today", with a calendar button beside it. Every date field shows one format per profile
(dd/mm/yyyy or mm/dd/yyyy) beside the field, and the same rules give the same messages
everywhere (:func:`date_problem`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from casebook.ui.kit.palette import muted_colour, warning_colour

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


def format_hint(us: bool) -> str:
    """The one displayed date format of the profile."""
    return "mm/dd/yyyy" if us else "dd/mm/yyyy"


def display_date(value: date, us: bool = False) -> str:
    """A date as the date fields show it: 23/11/2026 (en-GB) or 11/23/2026 (US)."""
    return value.strftime("%m/%d/%Y" if us else "%d/%m/%Y")


def date_problem(text: str, us: bool = False, *, what: str = "The date",
                 not_after: date | None = None, not_before: date | None = None,
                 today: date | None = None) -> str | None:
    """The one-line message for a typed date that cannot be used, or None if it is fine.

    The same rules for every date field: text must be a date (in the profile's order, ISO, or
    with a month name); dates that cannot be after today (a date of birth, when an account was
    first seen) or before a given day are refused with the same words everywhere.
    """
    if not text.strip():
        return None
    value = parse_date(text, us, today)
    if value is None:
        example = "11/23/2026" if us else "23/11/2026"
        return (f"{what} is not a date Casebook understands. Type it as {format_hint(us)}, "
                f"for example {example}.")
    if not_after is not None and value > not_after:
        return f"{what} cannot be in the future." if not_after == (today or date.today()) \
            else f"{what} cannot be after {display_date(not_after, us)}."
    if not_before is not None and value < not_before:
        return f"{what} cannot be before {display_date(not_before, us)}."
    return None


class DateField(QWidget):
    """An optional date. ``value()`` is a ``date`` or None; ``problem()`` says in one line why
    the typed text cannot be used (not a date, or against the field's rule), and the hint
    beside the field shows the format, or that message in red.

    ``past_only`` refuses dates after today (dates of birth, "first seen"). For drop-in use
    where a ``QDateEdit`` was, ``date()``, ``setDate()`` and ``dateChanged`` work too.
    """

    changed = Signal()
    dateChanged = Signal(QDate)  # noqa: N815 (the QDateEdit name, so it can replace one)

    def __init__(self, parent: QWidget | None = None, *, us: bool = False,
                 what: str = "The date", past_only: bool = False) -> None:
        super().__init__(parent)
        self.us = us
        self.what = what
        self.past_only = past_only
        self.not_before: date | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(True)
        metrics = self.edit.fontMetrics()
        self.edit.setMinimumWidth(metrics.horizontalAdvance("00/00/00000") + 36)
        self.edit.setMaximumWidth(metrics.horizontalAdvance("0" * 18) + 48)
        layout.addWidget(self.edit)
        self.button = QToolButton(self)
        self.button.setArrowType(Qt.ArrowType.DownArrow)
        self.button.setAccessibleName("Choose a date from a calendar")
        self.button.setToolTip("Choose a date from a calendar")
        self.button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.button.clicked.connect(self._open_calendar)
        layout.addWidget(self.button)
        self.hint = QLabel(self)
        self.hint.setWordWrap(False)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.setFocusProxy(self.edit)
        self.edit.editingFinished.connect(self._tidy)
        self.edit.textChanged.connect(self._on_text)
        self._menu: QMenu | None = None
        self.set_us(us)

    def set_us(self, us: bool) -> None:
        """Follow the profile's date order (the text typed so far is read again)."""
        value = self.value()
        self.us = us
        self.edit.setPlaceholderText(format_hint(us))
        if value is not None:
            self.edit.setText(display_date(value, us))
        self._on_text()

    # ----- value --------------------------------------------------------------------------
    def value(self) -> date | None:
        return parse_date(self.edit.text(), self.us)

    def problem(self) -> str | None:
        return date_problem(self.edit.text(), self.us, what=self.what,
                            not_after=date.today() if self.past_only else None,
                            not_before=self.not_before)

    def is_valid(self) -> bool:
        return self.problem() is None

    def set_value(self, value: date | str | None) -> None:
        if isinstance(value, str):
            value = parse_date(value, self.us)
        self.edit.setText(display_date(value, self.us) if value else "")

    def iso(self) -> str | None:
        value = self.value()
        return value.isoformat() if value else None

    # ----- QDateEdit look-alikes ----------------------------------------------------------
    def date(self) -> QDate:
        value = self.value()
        return QDate(value.year, value.month, value.day) if value else QDate()

    def setDate(self, value: QDate | date | None) -> None:  # noqa: N802 (Qt name)
        if isinstance(value, QDate):
            value = date(value.year(), value.month(), value.day()) if value.isValid() else None
        self.set_value(value)

    def setDisplayFormat(self, _fmt: str) -> None:  # noqa: N802 (one format per profile)
        """Ignored: the format follows the profile (see ``set_us``)."""

    def setCalendarPopup(self, _on: bool) -> None:  # noqa: N802 (always has a calendar)
        """Ignored: the calendar button is always there."""

    # ----- behaviour ----------------------------------------------------------------------
    def _on_text(self) -> None:
        problem = self.problem()
        if problem is None:
            self.edit.setStyleSheet("")
            self.edit.setToolTip("")
            self.edit.setAccessibleDescription(f"Type the date as {format_hint(self.us)}.")
            self.hint.setText(format_hint(self.us))
            self.hint.setStyleSheet(f"color: {muted_colour(self).name()};")
        else:
            colour = warning_colour(self).name()
            self.edit.setStyleSheet(f"color: {colour};")
            self.edit.setToolTip(problem)
            self.edit.setAccessibleDescription(problem)
            self.hint.setText("Not a date" if self.value() is None else "Not allowed")
            self.hint.setStyleSheet(f"color: {colour};")
        self.hint.setToolTip(problem or "")
        self.changed.emit()
        self.dateChanged.emit(self.date())

    def _tidy(self) -> None:
        value = self.value()
        if value is not None:
            tidy = display_date(value, self.us)
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
        # The same date order as every DateField of the profile, with the time after it.
        self.setDisplayFormat("MM/dd/yyyy h:mm AP" if us else "dd/MM/yyyy HH:mm")
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
