"""Export… on a case: pick the report, who it is for, who is named, which evidence and
chronology entries go in, and a password (on by default whenever the report names anyone).

Everything the form needs is read in one job on the DB thread; the PDF is made in another,
with the progress bar fed through a queued signal (see ``common``). People the template never
names (learners in a platform pack) are listed unticked and cannot be ticked. The PDF is made
in memory first: the DSL checks what was replaced (labels and counts, never the names) and the
number of pages, and only then chooses where to save it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casebook import profiles
from casebook.domain import Case, ChronologyEntry, EvidenceItem, Jurisdiction, Person, PersonKind
from casebook.reports import (
    PreparedReport,
    TemplateDef,
    get_template,
    plan_redaction,
    wording_for,
)
from casebook.services import Casebook
from casebook.ui.export.common import ExportDialogBase, PasswordBox, dialog_heading, hint
from casebook.ui.kit.sizing import fit_to_screen
from casebook.ui.widgets.common import fmt_datetime, heading
from casebook.ui.widgets.context import US_WORDS
from casebook.ui.widgets.labels import PERSON_KINDS, PERSON_ROLES
from casebook.ui.worker import DbWorker

#: Template sections that print the covering note (the helpline pack's "why it is urgent").
NOTE_SECTIONS = frozenset({"urgency"})
NAME_COLUMN, ROLE_COLUMN, SHOWN_COLUMN = 0, 1, 2
PERSON_ID = Qt.ItemDataRole.UserRole
ITEM_ID = Qt.ItemDataRole.UserRole
#: Pages drawn on the check page, and how wide (pixels).
PREVIEW_PAGES = 12
PREVIEW_WIDTH = 240


@dataclass(frozen=True)
class CaseExportSetup:
    """What the dialog shows, read on the DB thread."""

    case: Case
    jurisdiction: Jurisdiction
    templates: tuple[tuple[str, str], ...]
    definitions: Mapping[str, TemplateDef]
    #: Who each template ticks by default (``exports.default_named``).
    defaults: Mapping[str, frozenset[int]]
    people: tuple[Person, ...]
    profile: profiles.Profile
    evidence: tuple[EvidenceItem, ...] = ()
    #: Chronology entries that can be chosen (originals; amendments go with them).
    entries: tuple[ChronologyEntry, ...] = ()
    #: Evidence each template includes by default (None: all of it).
    evidence_defaults: Mapping[str, frozenset[int] | None] | None = None


def load_case_export(casebook: Casebook, case_id: int) -> CaseExportSetup:
    """Runs on the DB thread."""
    exports = casebook.exports
    school = casebook.school()
    choices = tuple(exports.templates("case"))
    definitions = {tid: get_template(tid, "case").definition for tid, _title in choices}
    wording_for(school.jurisdiction)  # read the wording file here, not on the GUI thread
    return CaseExportSetup(
        case=casebook.cases.get(case_id),
        jurisdiction=school.jurisdiction,
        templates=choices,
        definitions=definitions,
        defaults={tid: exports.default_named(case_id, tid) for tid, _title in choices},
        people=tuple(casebook.cases.people(case_id)),
        profile=profiles.load_profile(school.jurisdiction),
        evidence=tuple(casebook.evidence.items(case_id)),
        entries=tuple(e for e in casebook.cases.chronology(case_id) if e.amends_id is None),
        evidence_defaults={tid: exports.default_evidence(case_id, tid)
                           for tid, _title in choices},
    )


def _pick(table: object, jurisdiction: Jurisdiction) -> str:
    """A per-jurisdiction value from template data (a plain string applies everywhere)."""
    if isinstance(table, str):
        return table
    if not isinstance(table, Mapping):
        return ""
    uk = jurisdiction != Jurisdiction.US
    for key in (jurisdiction.value, "uk" if uk else "", "default"):
        if key and isinstance(table.get(key), str):
            return str(table[key])
    return ""


class PeopleList(QTreeWidget):
    """The people checklist; as tall as its rows (between 3 and 10), so a short list does not
    leave a large empty box and a long one scrolls."""

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        rows = min(max(self.topLevelItemCount(), 3), 10)
        row = self.sizeHintForRow(0) if self.topLevelItemCount() else -1
        if row <= 0:
            row = self.fontMetrics().height() + 6
        height = self.header().sizeHint().height() + rows * row + 2 * self.frameWidth() + 4
        return QSize(hint.width(), height)


class ExportDialog(ExportDialogBase):
    """Export one case to PDF. ``exported`` carries the :class:`ExportResult`."""

    def __init__(self, worker: DbWorker, casebook: Casebook, case_id: int,
                 parent: QWidget | None = None, *, template_id: str | None = None) -> None:
        super().__init__(worker, casebook, "Export the case", parent)
        self.case_id = case_id
        self.setup: CaseExportSetup | None = None
        self._wanted_template = template_id
        self._updating = False
        #: The PDF made in memory, waiting for the DSL to check it and choose where to save.
        self.prepared: PreparedReport | None = None
        self._password: str | None = None
        self._build_form()
        self.check_page = self._build_check_page()
        # Not shown yet: it must not make the form as tall as itself.
        self.check_page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.pages.addWidget(self.check_page)
        self.resize(700, 520)
        worker.submit(lambda: load_case_export(casebook, case_id), self._loaded,
                      self.load_failed)

    # ----- building -----------------------------------------------------------------------
    def _build_form(self) -> None:
        form_widget = QWidget(self)
        self.heading = dialog_heading(form_widget)

        self.template_combo = QComboBox(form_widget)
        self.template_combo.setAccessibleName("Report")
        self.description = hint("", form_widget)
        self.recipient_combo = QComboBox(form_widget)
        self.recipient_combo.setEditable(True)
        self.recipient_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.recipient_combo.setAccessibleName("Prepared for")
        self.recipient_combo.setAccessibleDescription(
            "Who the report is for; printed on its first page. Pick one or type your own.")
        self.recipient_combo.lineEdit().setMaxLength(200)
        self.recipient_combo.lineEdit().setAccessibleName("Prepared for")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        report_label = QLabel("&Report:", form_widget)
        report_label.setBuddy(self.template_combo)
        recipient_label = QLabel("Prepared &for:", form_widget)
        recipient_label.setBuddy(self.recipient_combo)
        form.addRow(report_label, self.template_combo)
        form.addRow("", self.description)
        form.addRow(recipient_label, self.recipient_combo)

        self.people_label = QLabel(form_widget)
        self.people_label.setWordWrap(True)
        self.people_tree = PeopleList(form_widget)
        self.people_tree.setColumnCount(3)
        self.people_tree.setHeaderLabels(["Person", "Kind and role", "In the report"])
        self.people_tree.setRootIsDecorated(False)
        self.people_tree.setUniformRowHeights(True)
        self.people_tree.setAlternatingRowColors(True)
        self.people_tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.people_tree.setAccessibleName("People to name in the report")
        self.people_tree.setAccessibleDescription(
            "Ticked people are named. Everyone else appears under a label. Space ticks or "
            "unticks the selected person.")
        self.people_tree.setMinimumHeight(90)
        header = self.people_tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ROLE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.people_label.setBuddy(self.people_tree)
        self.no_people = hint("Nobody has been added to this case yet, so there is nobody to "
                              "name.", form_widget)
        self.no_people.hide()
        self.people_tree.itemChanged.connect(self._person_toggled)

        self.note_label = QLabel("Why it is &urgent (optional):", form_widget)
        self.note_edit = QPlainTextEdit(form_widget)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setAccessibleName("Why it is urgent")
        self.note_edit.setAccessibleDescription(
            "Printed in the pack in your own words. Names of people who are not named are "
            "replaced here too.")
        self.note_edit.setPlaceholderText(
            "For example: the account posted a learner's home address last night and is "
            "gaining followers by the hour.")
        self.note_edit.setMaximumHeight(90)
        self.note_label.setBuddy(self.note_edit)

        self.password_box = PasswordBox(form_widget)

        self.evidence_tree = self._checklist(form_widget, ["Evidence", "Added"],
                                             "Evidence to include")
        self.entries_tree = self._checklist(form_widget, ["When", "Chronology entry"],
                                            "Chronology entries to include")
        self.evidence_tree.itemChanged.connect(self._counts_changed)
        self.entries_tree.itemChanged.connect(self._counts_changed)
        people_tab = QWidget(form_widget)
        people_layout = QVBoxLayout(people_tab)
        people_layout.addWidget(self.people_label)
        people_layout.addWidget(self.people_tree, 1)
        people_layout.addWidget(self.no_people)
        evidence_tab = QWidget(form_widget)
        evidence_layout = QVBoxLayout(evidence_tab)
        evidence_layout.addWidget(hint("Ticked items go in the report. Leave out anything the "
                                       "recipient does not need.", evidence_tab))
        evidence_layout.addWidget(self.evidence_tree, 1)
        entries_tab = QWidget(form_widget)
        entries_layout = QVBoxLayout(entries_tab)
        entries_layout.addWidget(hint("Ticked entries go in the report, each with any "
                                      "correction made to it.", entries_tab))
        entries_layout.addWidget(self.entries_tree, 1)
        self.choice_tabs = QTabWidget(form_widget)
        self.choice_tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Tab, Alt+key
        self.choice_tabs.addTab(people_tab, "&People")
        self.choice_tabs.addTab(evidence_tab, "E&vidence")
        self.choice_tabs.addTab(entries_tab, "C&hronology")
        self.choice_tabs.setAccessibleName("What goes in the report")

        layout = QVBoxLayout(form_widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(self.choice_tabs, 1)
        layout.addWidget(self.note_label)
        layout.addWidget(self.note_edit)
        layout.addWidget(self.password_box)
        self.set_form(form_widget)

        self.setTabOrder(self.template_combo, self.recipient_combo)
        self.setTabOrder(self.recipient_combo, self.people_tree)
        self.setTabOrder(self.people_tree, self.note_edit)
        self.setTabOrder(self.note_edit, self.password_box.enable_check)
        self.setTabOrder(self.password_box.enable_check, self.password_box.password_edit)
        self.setTabOrder(self.password_box.password_edit, self.password_box.confirm_edit)
        self.setTabOrder(self.password_box.confirm_edit, self.export_button)
        self.setTabOrder(self.export_button, self.cancel_button)
        self.template_combo.currentIndexChanged.connect(self._template_changed)

    def _checklist(self, parent: QWidget, headers: list[str], name: str) -> QTreeWidget:
        tree = PeopleList(parent)
        tree.setColumnCount(len(headers))
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setAccessibleName(name)
        tree.setAccessibleDescription("Space ticks or unticks the selected row.")
        tree.header().setStretchLastSection(True)
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        return tree

    def _build_check_page(self) -> QWidget:
        """Shown after the PDF is made in memory: what was replaced, then Save or Back."""
        page = QWidget(self)
        self.check_heading = heading("Check the report before saving it", page, level=1)
        self.check_summary = QLabel(page)
        self.check_summary.setWordWrap(True)
        self.check_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.replaced_label = QLabel(page)
        self.replaced_label.setWordWrap(True)
        self.replaced_label.setTextFormat(Qt.TextFormat.PlainText)
        self.replaced_list = QListWidget(page)
        self.replaced_list.setAccessibleName("Names replaced by labels")
        self.replaced_list.setMinimumHeight(6 * self.fontMetrics().height())
        self.replaced_label.setBuddy(self.replaced_list)
        self.preview_label = QLabel("Pages:", page)
        self.preview_strip = QWidget(page)
        self.preview_row = QHBoxLayout(self.preview_strip)
        self.preview_row.setContentsMargins(0, 0, 0, 0)
        self.preview_area = QScrollArea(page)
        self.preview_area.setWidget(self.preview_strip)
        self.preview_area.setWidgetResizable(True)
        self.preview_area.setMinimumHeight(PREVIEW_WIDTH * 297 // 210 + 30)
        self.preview_area.setAccessibleName("Pages of the report")
        self.preview_more = hint("", page)
        self.check_note = hint("The labels stand for the same person throughout the report. "
                               "Save it, or go back to change who is named or what goes in.",
                               page)
        self.back_button = QPushButton("&Back to the choices", page)
        self.back_button.clicked.connect(self.back_to_form)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.check_heading)
        layout.addWidget(self.check_summary)
        layout.addWidget(self.replaced_label)
        layout.addWidget(self.replaced_list, 1)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview_area)
        layout.addWidget(self.preview_more)
        layout.addWidget(self.check_note)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    # ----- loading ------------------------------------------------------------------------
    def _loaded(self, setup: CaseExportSetup) -> None:
        self.setup = setup
        us = setup.jurisdiction == Jurisdiction.US
        self.setWindowTitle(f"Export {setup.case.reference}")
        self.setAccessibleName(self.windowTitle())
        self.heading.setText(f"Export {setup.case.reference}: {setup.case.title}")
        self.heading.setAccessibleName(self.heading.text())
        wording = wording_for(setup.jurisdiction)
        learner = wording.pseudonym_prefix(PersonKind.LEARNER)
        staff = wording.pseudonym_prefix(PersonKind.STAFF)
        self.people_label.setText(f"&Name these people; everyone else appears as ‘{learner} "
                                  f"A’, ‘{staff} B’…")
        if us:
            self.note_edit.setPlaceholderText(self.note_edit.placeholderText()
                                              .replace("learner", "student"))
        self._fill_people(setup)
        self._fill_choices(setup)
        self._updating = True
        self.template_combo.clear()
        for template_id, title in setup.templates:
            self.template_combo.addItem(title, template_id)
        self._updating = False
        index = self.template_combo.findData(self._wanted_template) if self._wanted_template \
            else 0
        self.template_combo.setCurrentIndex(max(index, 0))
        self._template_changed()
        self.show_form()
        self.people_tree.updateGeometry()
        self.layout().activate()
        fit_to_screen(self, max(self.width(), 700), self.sizeHint().height())
        self.template_combo.setFocus()

    def _fill(self, text: str) -> str:
        assert self.setup is not None
        filled = profiles.fill_terms(self.setup.profile, text)
        if self.setup.jurisdiction == Jurisdiction.US:
            for gb, us in US_WORDS.items():
                filled = filled.replace(gb, us)
        return filled

    def _fill_people(self, setup: CaseExportSetup) -> None:
        self.people_tree.clear()
        self._updating = True
        for person in setup.people:
            kind = self._fill(PERSON_KINDS.get(person.kind, str(person.kind)))
            role = PERSON_ROLES.get(person.role, str(person.role)).lower()
            item = QTreeWidgetItem([person.name, f"{kind}, {role}", ""])
            item.setData(NAME_COLUMN, PERSON_ID, person.id)
            item.setCheckState(NAME_COLUMN, Qt.CheckState.Unchecked)
            self.people_tree.addTopLevelItem(item)
        self._updating = False
        empty = not setup.people
        self.people_tree.setVisible(not empty)
        self.no_people.setVisible(empty)

    def _fill_choices(self, setup: CaseExportSetup) -> None:
        us = setup.jurisdiction == Jurisdiction.US
        self._updating = True
        self.evidence_tree.clear()
        for item in setup.evidence:
            what = item.description.split("\n", 1)[0] or item.filename or f"Item {item.id}"
            row = QTreeWidgetItem([what, fmt_datetime(item.added_at, us)])
            row.setData(0, ITEM_ID, item.id)
            row.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                         | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(0, Qt.CheckState.Checked)
            self.evidence_tree.addTopLevelItem(row)
        self.entries_tree.clear()
        for entry in setup.entries:
            text = " ".join(entry.text.split())
            row = QTreeWidgetItem([fmt_datetime(entry.occurred_at, us),
                                   text if len(text) <= 120 else text[:119] + "…"])
            row.setData(0, ITEM_ID, entry.id)
            row.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                         | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(0, Qt.CheckState.Checked)
            self.entries_tree.addTopLevelItem(row)
        self._updating = False
        self._counts_changed()

    def _rows(self, tree: QTreeWidget) -> list[QTreeWidgetItem]:
        return [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]

    def _ticked(self, tree: QTreeWidget) -> frozenset[int] | None:
        """Ids ticked in ``tree``; None when every row is (the whole record goes in)."""
        rows = self._rows(tree)
        ticked = frozenset(int(r.data(0, ITEM_ID)) for r in rows
                           if r.checkState(0) == Qt.CheckState.Checked)
        return None if len(ticked) == len(rows) else ticked

    def evidence_ids(self) -> frozenset[int] | None:
        return self._ticked(self.evidence_tree)

    def entry_ids(self) -> frozenset[int] | None:
        return self._ticked(self.entries_tree)

    def evidence_row(self, text: str) -> QTreeWidgetItem:
        """The evidence row whose description starts with ``text`` (tests, screen checks)."""
        for row in self._rows(self.evidence_tree):
            if row.text(0).startswith(text):
                return row
        raise KeyError(text)

    def entry_row(self, text: str) -> QTreeWidgetItem:
        for row in self._rows(self.entries_tree):
            if text in row.text(1):
                return row
        raise KeyError(text)

    def _counts_changed(self, *_args: object) -> None:
        if self._updating:
            return
        for index, tree, word in ((1, self.evidence_tree, "E&vidence"),
                                  (2, self.entries_tree, "C&hronology")):
            rows = self._rows(tree)
            ticked = sum(r.checkState(0) == Qt.CheckState.Checked for r in rows)
            self.choice_tabs.setTabText(index, f"{word} ({ticked} of {len(rows)})")

    def _apply_evidence_default(self, definition: TemplateDef) -> None:
        assert self.setup is not None
        wanted = (self.setup.evidence_defaults or {}).get(definition.id)
        self._updating = True
        for row in self._rows(self.evidence_tree):
            on = wanted is None or int(row.data(0, ITEM_ID)) in wanted
            row.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._updating = False
        self._counts_changed()

    # ----- the template -------------------------------------------------------------------
    def template_id(self) -> str:
        return str(self.template_combo.currentData() or "")

    def definition(self) -> TemplateDef | None:
        if self.setup is None:
            return None
        return self.setup.definitions.get(self.template_id())

    def uses_note(self) -> bool:
        """The chosen template prints a covering note (the helpline pack's urgency)."""
        definition = self.definition()
        return definition is not None and bool(NOTE_SECTIONS & set(definition.sections))

    def _describe(self, definition: TemplateDef) -> str:
        assert self.setup is not None
        jurisdiction = self.setup.jurisdiction
        text = _pick(definition.extra.get("description"), jurisdiction)
        if not text:
            suggestions = definition.recipient_suggestions(jurisdiction)
            text = f"Usually for: {' or '.join(suggestions)}." if suggestions else ""
        us = jurisdiction == Jurisdiction.US
        words = {PersonKind.LEARNER: self._fill("{learners}"), PersonKind.STAFF: "staff",
                 PersonKind.PARENT: "parents and guardians" if us else "parents and carers",
                 PersonKind.OTHER: "other people"}
        never = [words[kind] for kind in PersonKind if kind in definition.always_redact]
        if never:
            listed = never[0] if len(never) == 1 else \
                f"{', '.join(never[:-1])} or {never[-1]}"
            text += f" It never names {listed}."
        return text.strip()

    def _template_changed(self, _index: int = -1) -> None:
        definition = self.definition()
        if self._updating or definition is None or self.setup is None:
            return
        self.description.setText(self._describe(definition))
        self.description.setVisible(bool(self.description.text()))
        # Recipients: the template's suggestions; keep what the user typed themselves.
        previous = [self.recipient_combo.itemText(i) for i in range(self.recipient_combo.count())]
        typed = self.recipient_combo.currentText().strip()
        suggestions = definition.recipient_suggestions(self.setup.jurisdiction)
        self.recipient_combo.clear()
        self.recipient_combo.addItems(list(suggestions))
        if typed and typed not in previous:
            self.recipient_combo.setEditText(typed)
        elif suggestions:
            self.recipient_combo.setCurrentIndex(0)
        # The note is printed only by templates that have a place for it.
        self.note_label.setVisible(self.uses_note())
        self.note_edit.setVisible(self.uses_note())
        self._apply_defaults(definition)
        self._apply_evidence_default(definition)

    def _apply_defaults(self, definition: TemplateDef) -> None:
        assert self.setup is not None
        defaults = self.setup.defaults.get(definition.id, frozenset())
        kinds = {p.id: p.kind for p in self.setup.people}
        title = self.template_combo.currentText()
        self._updating = True
        for item in self._items():
            person_id = int(item.data(NAME_COLUMN, PERSON_ID))
            forced = kinds.get(person_id) in definition.always_redact
            item.setCheckState(NAME_COLUMN, Qt.CheckState.Unchecked if forced or person_id
                               not in defaults else Qt.CheckState.Checked)
            if forced:
                item.setFlags(Qt.ItemFlag.ItemIsSelectable)  # shown greyed, cannot be ticked
                tip = f"The {title} never names this person, whatever is chosen here."
            else:
                item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                              | Qt.ItemFlag.ItemIsUserCheckable)
                tip = "Tick to name this person in the report."
            for column in range(3):
                item.setToolTip(column, tip)
        self._updating = False
        self._show_labels()

    def _person_toggled(self, item: QTreeWidgetItem, column: int) -> None:
        if not self._updating and column == NAME_COLUMN:
            self._show_labels()

    def _show_labels(self) -> None:
        """The third column: "Named", or the label the person will carry ("Learner A")."""
        definition = self.definition()
        if self.setup is None or definition is None:
            return
        plan = plan_redaction(self.setup.people, self.named_ids(),
                              wording_for(self.setup.jurisdiction), definition)
        self._updating = True
        for item in self._items():
            person_id = int(item.data(NAME_COLUMN, PERSON_ID))
            if person_id in plan.named_ids:
                text = "Named"
            elif person_id in plan.forced_ids:
                text = f"{plan.labels[person_id]} (never named in this report)"
            else:
                text = plan.labels.get(person_id, "")
            item.setText(SHOWN_COLUMN, text)
            name = item.text(NAME_COLUMN)
            state = "ticked" if item.checkState(NAME_COLUMN) == Qt.CheckState.Checked \
                else "not ticked"
            item.setData(NAME_COLUMN, Qt.ItemDataRole.AccessibleTextRole,
                         f"{name}, {item.text(ROLE_COLUMN)}, {state}: {text}")
        self._updating = False
        # A report that names anyone is protected by default (the DSL may still untick it).
        self.password_box.suggest(bool(plan.named_ids),
                                  "On because this report names people" if plan.named_ids
                                  else "")

    def _items(self) -> list[QTreeWidgetItem]:
        return [self.people_tree.topLevelItem(i)
                for i in range(self.people_tree.topLevelItemCount())]

    def person_item(self, name: str) -> QTreeWidgetItem:
        """The list row of the person called ``name`` (for tests and screen checks)."""
        for item in self._items():
            if item.text(NAME_COLUMN) == name:
                return item
        raise KeyError(name)

    def named_ids(self) -> frozenset[int]:
        """People ticked (and allowed to be named by the template)."""
        return frozenset(int(item.data(NAME_COLUMN, PERSON_ID)) for item in self._items()
                         if item.checkState(NAME_COLUMN) == Qt.CheckState.Checked
                         and item.flags() & Qt.ItemFlag.ItemIsEnabled)

    # ----- exporting ----------------------------------------------------------------------
    def suggested_name(self) -> str:
        """``CB-2026-0007 Case file.pdf``: the reference and the report, never a name."""
        reference = self.setup.case.reference if self.setup is not None else "Case"
        return f"{reference} {self.template_combo.currentText()}.pdf"

    def start(self) -> None:
        """Export…: make the PDF in memory for checking. On the check page: Save…"""
        if self.setup is None or self.busy:
            return
        if self.prepared is not None:
            self.save()
            return
        problem = self.password_box.problem()
        if problem:
            self.banner.show_error(problem)
            self.password_box.password_edit.setFocus()
            return
        self.banner.clear()
        exports = self.casebook.exports
        case_id, template_id = self.case_id, self.template_id()
        recipient = self.recipient_combo.currentText().strip()
        named = self.named_ids()
        note = self.note_edit.toPlainText().strip() if self.uses_note() else ""
        # Evidence is always passed as chosen (a template's default may be a subset).
        evidence = self.evidence_ids()
        if evidence is None:
            evidence = self._all(self.evidence_tree)
        entries = self.entry_ids()
        self._password = self.password_box.password()
        self.password_box.clear()  # held only until this file is saved, never kept

        def job(progress):  # type: ignore[no-untyped-def]
            return exports.prepare_case(case_id, template_id, recipient=recipient,
                                        named_person_ids=named, note=note,
                                        evidence_ids=evidence, entry_ids=entries,
                                        progress=progress, preview_pages=PREVIEW_PAGES)

        self.run_export(job, self._prepared, working="Making the PDF to check…")

    @staticmethod
    def _all(tree: QTreeWidget) -> frozenset[int]:
        return frozenset(int(tree.topLevelItem(i).data(0, ITEM_ID))
                         for i in range(tree.topLevelItemCount()))

    def _prepared(self, prepared: object) -> None:
        assert isinstance(prepared, PreparedReport)
        self.prepared = prepared
        pages = f"{prepared.pages} page{'' if prepared.pages == 1 else 's'}"
        lock = ("It will be locked with the password you typed." if self._password
                else "It will have no password.")
        shared = ""
        if prepared.shared_name_labels:
            shared = (" Take care: someone named in this report shares a name (such as a "
                      "surname) with " + ", ".join(prepared.shared_name_labels) +
                      ", so naming them may give that person away.")
        self.check_summary.setText(f"“{prepared.title}” is ready to save: {pages}. {lock}"
                                   f"{shared}")
        lines = prepared.replacement_lines()
        self.replaced_label.setText(
            "&Names replaced by labels in the text (the names are not shown here):" if lines
            else "No names needed replacing: everyone mentioned is named in this report.")
        self.replaced_list.clear()
        self.replaced_list.addItems(lines)
        self.replaced_list.setVisible(bool(lines))
        self._show_previews(prepared)
        self.export_button.setText("&Save…")
        self.export_button.setToolTip("Choose where to save the PDF")
        self._show_only(self.check_page)
        self.export_button.setFocus()

    def _show_previews(self, prepared: PreparedReport) -> None:
        self._show_previews_cleared()
        for number, png in enumerate(prepared.previews, start=1):
            image = QImage.fromData(png, "PNG")
            label = QLabel(self.preview_strip)
            label.setPixmap(QPixmap.fromImage(image))
            label.setAccessibleName(f"Page {number}")
            label.setToolTip(f"Page {number} of {prepared.pages}")
            label.setStyleSheet("border: 1px solid #c7ccd3; background: white;")
            self.preview_row.addWidget(label)
        self.preview_row.addStretch(1)
        shown = len(prepared.previews)
        self.preview_more.setText(f"The first {shown} of {prepared.pages} pages are shown; "
                                  "open the PDF after saving to read them all."
                                  if 0 < shown < prepared.pages else "")
        self.preview_more.setVisible(bool(self.preview_more.text()))
        for widget in (self.preview_label, self.preview_area):
            widget.setVisible(shown > 0)

    def _show_previews_cleared(self) -> None:
        while self.preview_row.count():
            item = self.preview_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def back_to_form(self) -> None:
        """Leave the check page: the PDF made in memory is dropped (and the password)."""
        self.prepared = None
        had_password = bool(self._password)
        self._password = None
        self.export_button.setText("&Export…")
        self.export_button.setToolTip("Make the PDF and check it before saving")
        self.form_page.setEnabled(True)
        self._show_only(self.form_page)
        if had_password:
            self.banner.show_info("Type the password again before exporting.")

    def save(self) -> None:
        prepared = self.prepared
        if prepared is None:
            return
        path = self.choose_path("Save the report as", self.suggested_name())
        if path is None:
            return
        exports, case_id, password = self.casebook.exports, self.case_id, self._password

        def job(_progress):  # type: ignore[no-untyped-def]
            return exports.save_case(case_id, prepared, Path(path), password)

        def saved(result: object) -> None:
            self.prepared = None
            self._password = None
            self._finished(result)  # type: ignore[arg-type]

        self.back_button.setEnabled(False)
        self.run_export(job, saved, working="Saving the PDF…")

    def _failed(self, error: BaseException) -> None:
        super()._failed(error)
        self.back_button.setEnabled(True)

    def typed_text(self) -> bool:
        return self.uses_note() and bool(self.note_edit.toPlainText().strip())

    def clear_sensitive(self) -> None:
        self.prepared = None
        self._password = None
        self.replaced_label.clear()
        self.replaced_list.clear()
        self._show_previews_cleared()
        self.evidence_tree.clear()
        self.entries_tree.clear()
        self.password_box.clear()
        self.people_tree.clear()
        self.note_edit.clear()
        self.heading.clear()
        self.setup = None
