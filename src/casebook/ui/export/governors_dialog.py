"""The governors' termly summary: counts and charts of the cases opened in a period, as a PDF.

It holds counts only, so there is nobody to name; the DSL chooses the period (the current term
is offered), a label for it, an optional comment and an optional password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import Jurisdiction
from casebook.reports import get_template
from casebook.services import Casebook
from casebook.ui.export.common import ExportDialogBase, PasswordBox, dialog_heading, hint
from casebook.ui.widgets.date_field import DateField
from casebook.ui.worker import DbWorker

SUMMARY_TEMPLATE = "governors-summary"
#: Month names in English whatever the desktop's locale (``strftime`` would follow it).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True)
class GovernorsSetup:
    jurisdiction: Jurisdiction
    title: str
    today: date


def load_governors(casebook: Casebook) -> GovernorsSetup:
    """Runs on the DB thread."""
    school = casebook.school()
    titles = dict(casebook.exports.templates("summary"))
    title = titles.get(SUMMARY_TEMPLATE) or get_template(SUMMARY_TEMPLATE).title(
        school.jurisdiction)
    return GovernorsSetup(school.jurisdiction, title, casebook.store.now().date())


def current_term(today: date, us: bool = False) -> tuple[date, date, str]:
    """The school term (semester in the US) that ``today`` falls in: start, end and a label.

    A starting point only: term dates differ between schools, so the dialog lets the DSL
    change them.
    """
    year = today.year
    if us:
        if today.month >= 8:
            return date(year, 8, 1), date(year, 12, 31), f"Fall semester {year}"
        return date(year, 1, 1), date(year, 7, 31), f"Spring semester {year}"
    if today.month >= 9:
        return date(year, 9, 1), date(year, 12, 31), f"Autumn term {year}"
    if today.month <= 3:
        return date(year, 1, 1), date(year, 3, 31), f"Spring term {year}"
    return date(year, 4, 1), date(year, 8, 31), f"Summer term {year}"


def period_name(start: date, end: date, us: bool = False) -> str:
    """"Autumn term 2026" for a whole term, else "March to May 2026" and the like."""
    term_start, term_end, label = current_term(start, us)
    if (start, end) == (term_start, term_end):
        return label
    first, last = MONTHS[start.month - 1], MONTHS[end.month - 1]
    if start.year != end.year:
        return f"{first} {start.year} to {last} {end.year}"
    return f"{first} {start.year}" if first == last else f"{first} to {last} {end.year}"


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class GovernorsExportDialog(ExportDialogBase):
    """Export the governors' summary (anonymised counts) for a period."""

    def __init__(self, worker: DbWorker, casebook: Casebook,
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, casebook, "Governors' summary", parent)
        self.setup: GovernorsSetup | None = None
        self._label_typed = False
        self._build_form()
        self.resize(600, 560)
        worker.submit(lambda: load_governors(casebook), self._loaded, self.load_failed)

    def _build_form(self) -> None:
        widget = QWidget(self)
        self.heading = dialog_heading(widget)
        self.intro = hint("Counts and charts of the cases opened in the period: how many, of "
                          "what kind, which platforms and what happened when accounts were "
                          "reported. It names nobody and gives no case details.", widget)
        self.start_edit = DateField(widget, what="The start of the period")
        self.end_edit = DateField(widget, what="The end of the period")
        for edit, name in ((self.start_edit, "Start of the period"),
                           (self.end_edit, "End of the period")):
            edit.setAccessibleName(name)
            edit.edit.setAccessibleName(name)
            edit.dateChanged.connect(self._dates_changed)
        self.label_edit = QLineEdit(widget)
        self.label_edit.setMaxLength(80)
        self.label_edit.setAccessibleName("Name of the period")
        self.label_edit.setAccessibleDescription("Printed on every page, for example "
                                                 "Autumn term 2026")
        self.label_edit.textEdited.connect(self._label_edited)
        self.commentary_edit = QPlainTextEdit(widget)
        self.commentary_edit.setTabChangesFocus(True)
        self.commentary_edit.setAccessibleName("Commentary")
        self.commentary_edit.setAccessibleDescription(
            "Optional words for the governors. Keep names and case details out of it.")
        self.commentary_edit.setPlaceholderText(
            "Optional. For example: a national trend of fake school accounts reached us in "
            "October; all were removed within a week. Keep names and case details out.")
        self.password_box = PasswordBox(widget)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, field in (("Cases opened &from:", self.start_edit), ("&To:", self.end_edit),
                            ("Period &name:", self.label_edit),
                            ("C&ommentary:", self.commentary_edit)):
            label = QLabel(text, widget)
            label.setBuddy(field)
            form.addRow(label, field)
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(form, 1)
        layout.addWidget(self.password_box)
        self.set_form(widget)

        order = [self.start_edit, self.end_edit, self.label_edit, self.commentary_edit,
                 self.password_box.enable_check, self.password_box.password_edit,
                 self.password_box.confirm_edit, self.export_button, self.cancel_button]
        for first, second in zip(order, order[1:], strict=False):
            self.setTabOrder(first, second)

    def _loaded(self, setup: GovernorsSetup) -> None:
        self.setup = setup
        us = setup.jurisdiction == Jurisdiction.US
        self.setWindowTitle(setup.title)
        self.setAccessibleName(setup.title)
        self.heading.setText(setup.title)
        self.heading.setAccessibleName(setup.title)
        for edit in (self.start_edit, self.end_edit):
            edit.set_us(us)
        if us:
            self.intro.setText(self.intro.text().replace("cases", "incidents"))
        start, end, label = current_term(setup.today, us)
        self.start_edit.setDate(_qdate(start))
        self.end_edit.setDate(_qdate(end))
        self.label_edit.setText(label)
        self._label_typed = False
        self.show_form()
        self.start_edit.setFocus()

    def _label_edited(self, _text: str) -> None:
        self._label_typed = True

    def _dates_changed(self, _value: QDate) -> None:
        """Keep the period's name in step with the dates until the user types their own."""
        if self.setup is None or self._label_typed or not self._dates_ok():
            return
        us = self.setup.jurisdiction == Jurisdiction.US
        self.label_edit.setText(period_name(*self.period(), us=us))

    def _dates_ok(self) -> bool:
        return all(e.value() is not None and e.is_valid() for e in (self.start_edit, self.end_edit))

    def period(self) -> tuple[date, date]:
        return _pydate(self.start_edit.date()), _pydate(self.end_edit.date())

    def start(self) -> None:
        if self.setup is None or self.busy:
            return
        for edit in (self.start_edit, self.end_edit):
            problem = edit.problem() or (None if edit.value() else f"{edit.what} is needed.")
            if problem is not None:
                self.banner.show_error(problem)
                edit.setFocus()
                return
        start, end = self.period()
        if end < start:
            self.banner.show_error("The end of the period is before its start. Please check "
                                   "the two dates.")
            self.end_edit.setFocus()
            return
        label = " ".join(self.label_edit.text().split())
        if not label:
            self.banner.show_error("Please give the period a name, for example "
                                   f"“{current_term(start)[2]}”. It is printed on every page.")
            self.label_edit.setFocus()
            return
        problem = self.password_box.problem()
        if problem:
            self.banner.show_error(problem)
            self.password_box.password_edit.setFocus()
            return
        self.banner.clear()
        path = self.choose_path("Save the governors' summary as",
                                f"{self.setup.title} {label}.pdf")
        if path is None:
            return
        exports = self.casebook.exports
        commentary = self.commentary_edit.toPlainText().strip()
        password = self.password_box.password()
        self.password_box.clear()

        def job(progress):  # type: ignore[no-untyped-def]
            return exports.export_governors(start, end, label, Path(path), password=password,
                                            commentary=commentary, progress=progress)

        self.run_export(job)

    def typed_text(self) -> bool:
        return bool(self.commentary_edit.toPlainText().strip())

    def clear_sensitive(self) -> None:
        self.password_box.clear()
        self.commentary_edit.clear()


