"""Term dates and transfers: a page of the settings dialog.

The school's terms and other closed days set which days count towards the 5-school-day
deadline for sending a child protection file (weekdays when none are entered); the keep
policy says what stays here once the next school confirms receipt. Nothing is saved until
every date is right.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casebook.ui.kit import Banner, field, named, user_message
from casebook.ui.kit.forms import button, hbox
from casebook.ui.widgets.date_field import DateField
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook

KEEP_CHOICES = (
    ("The chronology only (evidence files are removed at once)", "chronology"),
    ("Everything", "all"),
    ("Nothing (the file is removed from this casebook)", "nothing"),
)


def _ranges(value: str) -> list[tuple[date, date]]:
    ranges = []
    for line in value.splitlines():
        parts = [p.strip() for p in line.split("..") if p.strip()]
        if parts:
            try:
                ranges.append((date.fromisoformat(parts[0]), date.fromisoformat(parts[-1])))
            except ValueError:
                continue  # the service refuses these on saving; shown only if valid
    return ranges


class DateRanges(QWidget):
    """Rows of "first day" and "last day" date fields, with a button to add a row and one to
    remove each. ``single_day`` rows may leave the last day empty (one day)."""

    def __init__(self, noun: str, us: bool, single_day: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun, self.us, self.single_day = noun, us, single_day
        self.rows: list[tuple[QWidget, DateField, DateField]] = []
        self._list = QVBoxLayout()
        self._list.setContentsMargins(0, 0, 0, 0)
        inner = QWidget(self)
        inner.setLayout(self._list)
        self._list.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setMinimumHeight(90)
        self.add_button = button(f"Add {'a' if noun[0] not in 'aeiou' else 'an'} {noun}",
                                 f"add{noun.title().replace(' ', '')}", self.add_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(hbox(self.add_button, None))

    def add_row(self, first: date | None = None, last: date | None = None) -> None:
        number = len(self.rows) + 1
        row = QWidget(self)
        start = named(DateField(row, us=self.us, what=f"The first day of {self.noun} {number}"),
                      "", f"First day of {self.noun} {number}")
        end = named(DateField(row, us=self.us, what=f"The last day of {self.noun} {number}"),
                    "", f"Last day of {self.noun} {number}")
        start.set_value(first)
        end.set_value(last)
        remove = button("Remove", "", lambda: self._remove(row))
        remove.setAccessibleName(f"Remove {self.noun} {number}")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(QLabel("From", row))
        line.addWidget(start)
        line.addWidget(QLabel("to", row))
        line.addWidget(end)
        line.addWidget(remove)
        self._list.insertWidget(self._list.count() - 1, row)
        self.rows.append((row, start, end))

    def _remove(self, row: QWidget) -> None:
        self.rows = [r for r in self.rows if r[0] is not row]
        row.deleteLater()

    def set_ranges(self, ranges: list[tuple[date, date]]) -> None:
        for row, _start, _end in self.rows:
            row.deleteLater()
        self.rows = []
        for first, last in ranges:
            self.add_row(first, None if self.single_day and first == last else last)

    def problem(self) -> str | None:
        """The first thing wrong, in one line, or None."""
        for number, (_row, start, end) in enumerate(self.rows, start=1):
            if not start.edit.text().strip() and not end.edit.text().strip():
                continue  # an empty row is ignored
            for date_field in (start, end):
                if date_field.problem():
                    return date_field.problem()
            if start.value() is None:
                return f"Type the first day of {self.noun} {number}."
            if end.value() is None and not self.single_day:
                return f"Type the last day of {self.noun} {number}."
            if end.value() is not None and end.value() < start.value():  # type: ignore[operator]
                return f"{self.noun.capitalize()} {number} ends before it starts."
        return None

    def text(self) -> str:
        """The ranges as the settings store them (YYYY-MM-DD..YYYY-MM-DD a line)."""
        lines = []
        for _row, start, end in self.rows:
            if start.value() is not None:
                last = end.value() or start.value()
                lines.append(f"{start.iso()}..{last.isoformat()}")  # type: ignore[union-attr]
        return "\n".join(lines)


class TransferSettingsPage(QWidget):
    """Loaded and saved on the DB thread; ``saved`` fires after a save."""

    saved = Signal()

    def __init__(self, worker: DbWorker, casebook: Casebook, us: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.casebook = worker, casebook
        self.loaded = False
        self._stored: tuple[object, ...] = ()
        self.intro = intro = QLabel(self)
        intro.setWordWrap(True)
        self.terms = DateRanges("term", us, single_day=False, parent=self)
        self.terms.setObjectName("termDates")
        self.closed = DateRanges("closed day", us, single_day=True, parent=self)
        self.closed.setObjectName("closedDays")
        terms_box = QGroupBox("Term dates (first and last day of each term)", self)
        QVBoxLayout(terms_box).addWidget(self.terms)
        closed_box = QGroupBox("Other days the school is closed (staff training days, public "
                               "holidays)", self)
        QVBoxLayout(closed_box).addWidget(self.closed)
        form = QFormLayout()
        self.keep_combo = QComboBox(self)
        for words, value in KEEP_CHOICES:
            self.keep_combo.addItem(words, value)
        field(form, "After the next school confirms &receipt, keep:", self.keep_combo,
              name="transferKeep", help="What stays in this casebook once the receiving "
                                        "school has confirmed it has the file")
        self.days_spin = QSpinBox(self)
        self.days_spin.setRange(0, 3650)
        self.days_spin.setSuffix(" days")
        field(form, "&For:", self.days_spin, name="transferKeepDays",
              help="Then what was kept comes up in the retention review")
        self.save_button = button("Sa&ve term dates and transfer settings",
                                  "saveTransferSettings", self.save)
        self.banner = Banner(self)
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("transferSettingsSaved")
        self.saved_label.setWordWrap(True)
        self.saved_label.setTextFormat(Qt.TextFormat.PlainText)
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.addWidget(intro)
        layout.addWidget(terms_box, 2)
        layout.addWidget(closed_box, 1)
        layout.addLayout(form)
        layout.addLayout(hbox(self.save_button, None))
        layout.addWidget(self.banner)
        layout.addWidget(self.saved_label)
        page = QScrollArea(self)  # a small window scrolls rather than squeezing the lists
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(page)
        self.setEnabled(False)  # until the stored settings are shown
        transfers = casebook.transfers

        def job() -> tuple[dict[str, str], str]:
            from casebook.profiles import load_profile

            rule = load_profile(casebook.school().jurisdiction).transfer.text
            return transfers.settings(), rule

        worker.submit(job, self._loaded, self._failed)

    def _loaded(self, loaded: tuple[dict[str, str], str]) -> None:
        values, rule = loaded
        self.intro.setText(f"{rule} Casebook counts weekdays towards the deadline: enter your "
                           "term dates and the other days the school is closed, so holidays "
                           "do not count.")
        self.terms.set_ranges(_ranges(values["school_terms"]))
        self.closed.set_ranges(_ranges(values["school_closed_days"]))
        self.keep_combo.setCurrentIndex(max(0, self.keep_combo.findData(values["transfer_keep"])))
        self.days_spin.setValue(int(values["transfer_keep_days"] or 365))
        self._stored = self.state()
        self.loaded = True
        self.setEnabled(True)

    def state(self) -> tuple[object, ...]:
        """Everything as typed (dates as text, so a half-typed date counts as a change)."""
        return (tuple((s.edit.text(), e.edit.text()) for _r, s, e in self.terms.rows),
                tuple((s.edit.text(), e.edit.text()) for _r, s, e in self.closed.rows),
                self.keep_combo.currentData(), self.days_spin.value())

    def unsaved(self) -> bool:
        """True when something was changed and not yet saved (closing Settings asks first)."""
        return self.loaded and self.state() != self._stored

    def _failed(self, error: BaseException) -> None:
        self.banner.show_error(user_message(error, "saving the transfer settings"))

    def save(self) -> None:
        self.banner.clear()
        self.saved_label.clear()
        problem = self.terms.problem() or self.closed.problem()
        if problem:
            self.banner.show_error(problem + " Nothing was saved.")
            return
        transfers = self.casebook.transfers
        keep, days = self.keep_combo.currentData(), self.days_spin.value()
        terms, closed = self.terms.text(), self.closed.text()

        state = self.state()

        def done(_values: object) -> None:
            self._stored = state
            self.saved_label.setText("Saved. Deadlines of files still awaiting receipt now "
                                     "count these dates.")
            self.saved.emit()

        def failed(error: BaseException) -> None:
            self.banner.show_error(f"{user_message(error, 'saving the transfer settings')} "
                                   "Nothing was saved.")

        self.worker.submit(lambda: transfers.configure(keep=keep, keep_days=days, terms=terms,
                                                       closed_days=closed), done, failed)
