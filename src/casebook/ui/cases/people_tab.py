"""People on the case: who was harmed, who is thought to be behind it, witnesses, reporters."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import PersonKind, PersonRole
from casebook.ui.cases.register_details import RegisterDetails
from casebook.ui.widgets.common import add_row, button_row
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.corrections import Fix
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.labels import PERSON_KINDS, PERSON_ROLES, combo_value, fill_combo, label
from casebook.ui.widgets.panel import CasePanel, fill_table, make_table, selected_id


class PeopleTab(CasePanel):
    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        year = ctx.term("Year_group")
        self.table = make_table(self, "People on this case",
                                ["Name", "Who they are", "Part in the case", year, "Notes"],
                                stretch=4)
        layout.addWidget(self.table, 1)
        cases = ctx.casebook.cases
        self.add_corrections(
            layout, self.table, "a person",
            (Fix("name", "&Name:"), Fix("kind", "&Who they are:", "choice", PERSON_KINDS),
             Fix("role", "&Part in the case:", "choice", PERSON_ROLES),
             Fix("year_group", f"&{year}:"), Fix("date_of_birth", "Date of &birth:", "date"),
             Fix("notes", "N&otes:")),
            lambda bundle: bundle.people,
            lambda pid, reason, changes: cases.correct_person(pid, reason, **changes),
            cases.remove_person, describe=lambda person: person.name)
        self.register_details = RegisterDetails(ctx.worker, ctx.casebook, self, us=ctx.us)
        self.register_details.saved.connect(self.changed)
        layout.addWidget(self.register_details)
        self.table.itemSelectionChanged.connect(self._person_chosen)

        box = QGroupBox("Add a person", self)
        form = QFormLayout(box)
        self.name_edit = QLineEdit(box)
        self.name_edit.setPlaceholderText("Start typing: names in the register are suggested")
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self.name_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_edit.setCompleter(completer)
        add_row(form, "&Name:", self.name_edit)
        self.kind_combo = QComboBox(box)
        fill_combo(self.kind_combo, PERSON_KINDS, ctx.fill)
        add_row(form, "&Who they are:", self.kind_combo)
        self.role_combo = QComboBox(box)
        fill_combo(self.role_combo, PERSON_ROLES, ctx.fill)
        add_row(form, "&Part in the case:", self.role_combo)
        self.year_edit = QLineEdit(box)
        self.year_edit.setPlaceholderText(f"For example {ctx.term('year_group_example')}")
        add_row(form, f"&{year}:", self.year_edit, "Leave empty for adults.")
        self.dob_edit = DateField(box, us=ctx.us, what="The date of birth", past_only=True)
        add_row(form, "Date of &birth:", self.dob_edit,
                "Optional. Used to work out how long the record is kept.")
        self.notes_edit = QLineEdit(box)
        add_row(form, "N&otes:", self.notes_edit)
        self.add_button = QPushButton("A&dd person", box)
        self.add_button.clicked.connect(self.add_person)
        form.addRow("", button_row(self.add_button))
        layout.addWidget(box)
        layout.addWidget(self.banner)

    def set_data(self, bundle: CaseBundle) -> None:
        super().set_data(bundle)
        if not self._names.rowCount():  # once per tab; again after each person is added
            self._load_names()
        fill = self.ctx.fill
        rows = [[p.name, label(PERSON_KINDS, p.kind, fill), label(PERSON_ROLES, p.role, fill),
                 p.year_group or "", p.notes] for p in bundle.people]
        fill_table(self.table, rows, [p.id for p in bundle.people])
        self.mark_corrections()
        self.register_details.person_id = None  # read again: the case changed
        self._person_chosen()

    def _person_chosen(self) -> None:
        """Show the chosen person's family and, for an allegation about staff, its outcome."""
        chosen = selected_id(self.table)
        person = next((p for p in self.bundle.people if p.id == chosen), None) \
            if self.bundle is not None else None
        if person is None:
            self.register_details.clear()
        elif person.id != self.register_details.person_id:
            self.register_details.show_person(person)

    def _load_names(self) -> None:
        people = self.ctx.casebook.people
        self.ctx.worker.submit(people.names, self._names.setStringList, lambda _e: None)

    def clear(self) -> None:
        super().clear()
        self._names.setStringList([])
        self.table.setRowCount(0)
        self.register_details.clear()
        for edit in (self.name_edit, self.year_edit, self.notes_edit):
            edit.clear()
        self.dob_edit.set_value(None)

    def add_person(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.banner.show_error("Please enter the person's name.")
            self.name_edit.setFocus()
            return
        if (problem := self.dob_edit.problem()) is not None:
            self.banner.show_error(problem)
            self.dob_edit.setFocus()
            return
        kind = combo_value(self.kind_combo) or PersonKind.OTHER.value
        role = combo_value(self.role_combo) or PersonRole.WITNESS.value
        year, dob, notes = self.year_edit.text().strip(), self.dob_edit.value(), \
            self.notes_edit.text().strip()
        people, case_id = self.ctx.casebook.people, self.ctx.case_id

        def done(_person: object) -> None:
            self._load_names()
            for edit in (self.name_edit, self.year_edit, self.notes_edit):
                edit.clear()
            self.dob_edit.set_value(None)
            self.name_edit.setFocus()

        # Picks the register entry with this name, or adds the person to the register.
        self.save(lambda: people.add_to_case(case_id, name, kind, role, date_of_birth=dob,
                                             year_group=year or None, notes=notes),
                  done, f"{name} added to the case.")
