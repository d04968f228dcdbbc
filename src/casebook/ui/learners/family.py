"""A register entry's family in the Learners tab: siblings and parents or carers, a link
added by picking someone in the register (or adding a parent or carer), and a link added by
mistake removed as a correction with a reason (kept, with who and when)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import FamilyMember, FamilyRelation, FamilyRemoval, PersonKind, RegisterEntry
from casebook.ui.kit import Banner, Op, fmt_date, named
from casebook.ui.kit import field as form_field
from casebook.ui.kit.forms import button, hbox
from casebook.ui.widgets.corrections import CorrectionDialog
from casebook.ui.widgets.panel import fill_table, make_table, selected_id
from casebook.ui.worker import DbWorker

__all__ = ["FamilyPanel", "FamilyLinkDialog"]

#: How the other person is related to the one whose file is shown.
SIBLING, THEIR_PARENT, THEIR_CHILD = "sibling", "parent", "child"


def _words(text: str, us: bool) -> str:
    """The UK "carer" is a "guardian" in US schools."""
    return text.replace("carer", "guardian") if us else text


def _who(person: RegisterEntry, us: bool = False) -> str:
    bits = [person.display_name]
    if person.kind == PersonKind.LEARNER:
        bits.append(person.year_group or "")
        if person.date_of_birth:
            bits.append(f"born {fmt_date(person.date_of_birth, us)}")
    else:
        bits.append({"parent": _words("parent or carer", us), "staff": "staff"}.get(
            person.kind.value, person.kind.value))
    return " · ".join(b for b in bits if b)


class FamilyLinkDialog(QDialog):
    """Link the person to a sibling or a parent or carer already in the register, or add a new
    parent or carer. The dialog stays open (with what was typed) until the link is saved."""

    def __init__(self, parent: QWidget, worker: DbWorker, casebook: Any,
                 person: RegisterEntry, *, us: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a family link")
        named(self, "familyLinkDialog", "Add a family link")
        self._worker, self._book, self.person, self.us = worker, casebook, person, us
        layout = QVBoxLayout(self)
        intro = QLabel(_words(f"Link {person.display_name} to a brother or sister, or to a "
                              "parent or carer. Family links show in their file and go with it "
                              "on a transfer.", us))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        form = QFormLayout()
        self.relation = form_field(form, "&How are they related?", QComboBox(self),
                                   name="familyRelation")
        name = person.display_name
        for text, value in ((f"Brother or sister of {name}", SIBLING),
                            (f"Parent or carer of {name}", THEIR_PARENT),
                            (f"Child of {name} ({name} is their parent or carer)", THEIR_CHILD)):
            self.relation.addItem(_words(text, us), value)
        if person.kind == PersonKind.PARENT:
            self.relation.setCurrentIndex(2)
        elif person.kind != PersonKind.LEARNER:
            self.relation.setCurrentIndex(1)
        layout.addLayout(form)

        self.existing = named(QRadioButton("Someone already in the &register", self),
                              "familyExisting")
        self.new_parent = named(QRadioButton(_words("A &new parent or carer (not in the "
                                                    "register yet)", us), self), "familyNew")
        self._mode = QButtonGroup(self)
        for radio in (self.existing, self.new_parent):
            self._mode.addButton(radio)
            layout.addWidget(radio)
        self.existing.setChecked(True)
        self.search = named(QLineEdit(self), "familySearch", "Search the register")
        self.search.setPlaceholderText("Type a name, UPN, year or registration group")
        self.search.setClearButtonEnabled(True)
        self.results = named(QListWidget(self), "familyResults", "People in the register")
        self.results.setMinimumHeight(140)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        new_form = QFormLayout()
        self.forename = form_field(new_form, "&First name:", QLineEdit(self),
                                   name="familyForename")
        self.surname = form_field(new_form, "&Surname:", QLineEdit(self), name="familySurname")
        self._new_box = QWidget(self)
        self._new_box.setLayout(new_form)
        layout.addWidget(self._new_box)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Add link")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.find)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.new_parent.toggled.connect(self._mode_changed)
        self._mode_changed()
        self.setMinimumWidth(520)
        self.result_value: Any = None

    def _mode_changed(self, *_args: object) -> None:
        new = self.new_parent.isChecked()
        self._new_box.setVisible(new)
        self.search.setVisible(not new)
        self.results.setVisible(not new)
        if new:
            self.relation.setCurrentIndex(self.relation.findData(THEIR_PARENT))
        self.relation.setEnabled(not new)

    def find(self) -> None:
        """Search the register on the worker (everyone but the person themselves)."""
        text, book, me = self.search.text(), self._book, self.person.id

        def show(people: list[RegisterEntry]) -> None:
            self.results.clear()
            for other in people:
                if other.id == me:
                    continue
                item = QListWidgetItem(_who(other, self.us))
                item.setData(Qt.ItemDataRole.UserRole, other.id)
                self.results.addItem(item)
            if not self.results.count():
                self.results.addItem(QListWidgetItem("Nobody in the register matches."))

        Op(self, lambda: book.people.search(text, limit=50), doing="searching the register",
           worker=self._worker).success(show).messages(self.banner).run()

    def chosen_id(self) -> int | None:
        item = self.results.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def submit(self) -> None:
        people, me = self._book.people, self.person.id
        if self.new_parent.isChecked():
            forename, surname = self.forename.text().strip(), self.surname.text().strip()
            if not forename:
                self.banner.show_message("wrong", "Please type the parent or carer's first "
                                         "name.")
                self.forename.setFocus()
                return

            def job() -> Any:
                return people.add_parent(me, forename, surname)
        else:
            other = self.chosen_id()
            if other is None:
                self.banner.show_message("wrong", "Search for the person, then choose them in "
                                         "the list.")
                self.search.setFocus()
                return
            how = self.relation.currentData()

            def job() -> Any:
                if how == THEIR_CHILD:
                    return people.link_family(me, other, FamilyRelation.PARENT_OR_CARER)
                relation = FamilyRelation.SIBLING if how == SIBLING \
                    else FamilyRelation.PARENT_OR_CARER
                return people.link_family(other, me, relation)

        Op(self, job, doing="adding a family link", worker=self._worker) \
            .success(self._saved).messages(self.banner).busy(self.ok_button).run()

    def _saved(self, result: Any) -> None:
        self.result_value = result
        self.accept()


class FamilyPanel(QWidget):
    """The family of the register entry shown, with add and remove."""

    changed = Signal()

    def __init__(self, worker: DbWorker, casebook: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "familyPanel", "Family")
        self._worker, self._book = worker, casebook
        self.us = False  # the US profile: US dates, "guardian"
        self.person: RegisterEntry | None = None
        self.members: list[FamilyMember] = []
        self.dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Family"))
        self.table = make_table(self, "Family", ["Family", "Name", "Details"], stretch=2)
        self.table.setObjectName("familyTable")
        self.table.setMaximumHeight(150)
        layout.addWidget(self.table)
        self.add_button = button("Add family lin&k…", "addFamilyLink", self.open_add,
                                 help="Link a brother or sister, or a parent or carer")
        self.remove_button = button("Remove li&nk…", "removeFamilyLink", self.open_remove,
                                    help="Remove the selected link if it was added by mistake "
                                         "(with a reason; it is kept)")
        self.removed = QLabel("")
        self.removed.setObjectName("familyRemoved")
        self.removed.setWordWrap(True)
        self.removed.setTextFormat(Qt.TextFormat.PlainText)
        self.removed.hide()
        layout.addLayout(hbox(self.add_button, self.remove_button, None))
        layout.addWidget(self.removed)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        self.table.itemSelectionChanged.connect(self._selection)
        self.clear()

    def clear(self) -> None:
        self.person = None
        self.members = []
        self.table.setRowCount(0)
        self.removed.setText("")
        self.removed.hide()
        self.add_button.setEnabled(False)
        self.remove_button.setEnabled(False)

    def _selection(self) -> None:
        self.remove_button.setEnabled(selected_id(self.table) is not None)

    def show_person(self, person: RegisterEntry) -> None:
        self.person = person
        self.add_button.setEnabled(True)
        self.reload()

    def reload(self) -> None:
        if self.person is None:
            return
        people, person_id = self._book.people, self.person.id

        def job() -> tuple[list[FamilyMember], list[FamilyRemoval]]:
            return people.family_members(person_id), people.family_removals(person_id)

        Op(self, job, doing="reading the family links", worker=self._worker) \
            .success(lambda result: self._show(person_id, *result)).messages(self.banner).run()

    def _show(self, person_id: int, members: list[FamilyMember],
              removals: list[FamilyRemoval]) -> None:
        if self.person is None or self.person.id != person_id:
            return  # another person was chosen meanwhile
        self.members = members
        us = self.us
        fill_table(self.table, [[_words(m.words, us), m.other.display_name,
                                 _who(m.other, us).partition(" · ")[2]] for m in members],
                   [m.link_id for m in members])
        if not members:
            fill_table(self.table, [["—", "No family links yet", ""]])
        self.removed.setVisible(bool(removals))
        self.removed.setText("Removed as corrections: " + "; ".join(
            f"{_words(r.words.lower(), us)} {r.other_name} ({fmt_date(r.removed_at, us)}, "
            f"{r.removed_by}: “{r.reason}”)" for r in removals) if removals else "")
        self._selection()

    def open_add(self) -> None:
        if self.person is None:
            return
        dialog = FamilyLinkDialog(self, self._worker, self._book, self.person, us=self.us)
        self._open(dialog, "Family link added.")

    def open_remove(self) -> None:
        link_id = selected_id(self.table)
        member = next((m for m in self.members if m.link_id == link_id), None)
        if member is None or self.person is None:
            return
        people = self._book.people

        def job(_changes: dict[str, Any], reason: str) -> Any:
            return lambda: people.remove_family_link(member.link_id, reason)

        dialog = CorrectionDialog(
            self, "Remove family link", (), {}, job, self._worker, confirm="&Remove link",
            reason_label="&Why is it being removed?",
            intro=f"Remove the link “{member.words.lower()} {member.other.display_name}” from "
                  f"{self.person.display_name}'s file? Only do this for a link added by "
                  "mistake. The link, your reason, your name and the date are kept; it is no "
                  "longer shown or sent with the file.")
        self._open(dialog, "Family link removed. The removal and its reason are kept.")

    def _open(self, dialog: QDialog, done_text: str) -> None:
        self.dialog = dialog

        def saved() -> None:
            self.banner.show_done(done_text)
            self.reload()
            self.changed.emit()

        dialog.accepted.connect(saved)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()
