"""Actions: what needs doing, by whom and when. Overdue ones are red and say "Overdue"."""

from __future__ import annotations

from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import Action
from casebook.ui.kit.palette import done_colour, warning_colour
from casebook.ui.widgets.common import add_row, button_row, fmt_date, fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.corrections import Fix
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.panel import CasePanel, fill_table, make_table, selected_id

OVERDUE = "Overdue"


def action_state(action: Action, today: object, us: bool) -> str:
    if action.done_at is not None:
        return f"Done {fmt_datetime(action.done_at, us)}"
    if action.is_overdue(today):  # type: ignore[arg-type]
        return f"⚠ {OVERDUE}"
    return "Open"


class ActionsTab(CasePanel):
    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.table = make_table(self, "Actions on this case",
                                ["Due", "What needs doing", "Owner", "Status"], stretch=1)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.done_button = QPushButton("Mark &done", self)
        self.done_button.clicked.connect(lambda: self.set_done(True))
        self.reopen_button = QPushButton("Re&open", self)
        self.reopen_button.clicked.connect(lambda: self.set_done(False))
        row.addWidget(self.done_button)
        row.addWidget(self.reopen_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        cases = ctx.casebook.cases
        self.add_corrections(
            layout, self.table, "an action",
            (Fix("description", "&What needs doing:"), Fix("owner", "O&wner:"),
             Fix("due_date", "D&ue date:", "date")),
            lambda bundle: bundle.actions,
            lambda aid, reason, changes: cases.correct_action(aid, reason, **changes),
            describe=lambda action: action.description)

        box = QGroupBox("Add an action", self)
        form = QFormLayout(box)
        self.what_edit = QLineEdit(box)
        self.what_edit.setPlaceholderText("For example: check in with the member of staff")
        add_row(form, "&What needs doing:", self.what_edit)
        self.owner_edit = QLineEdit(ctx.user_name, box)
        add_row(form, "Ow&ner:", self.owner_edit)
        self.due_edit = DateField(box, us=ctx.us, what="The due date")
        add_row(form, "D&ue date:", self.due_edit)
        self.add_button = QPushButton("&Add action", box)
        self.add_button.clicked.connect(self.add_action)
        form.addRow("", button_row(self.add_button))
        layout.addWidget(box)
        layout.addWidget(self.banner)
        self._selection_changed()

    def set_data(self, bundle: CaseBundle) -> None:
        super().set_data(bundle)
        us = self.ctx.us
        rows = [[fmt_date(a.due_date, us) or "No date", a.description, a.owner,
                 action_state(a, bundle.today, us)] for a in bundle.actions]
        fill_table(self.table, rows, [a.id for a in bundle.actions])
        self.mark_corrections()
        red, green = QBrush(warning_colour(self)), QBrush(done_colour(self))
        for r, action in enumerate(bundle.actions):
            brush = None
            if action.is_overdue(bundle.today):
                brush = red
            elif action.done_at is not None:
                brush = green
            if brush is not None:
                for c in range(self.table.columnCount()):
                    item = self.table.item(r, c)
                    item.setForeground(brush)
                    if action.is_overdue(bundle.today):
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                        item.setToolTip(f"Overdue: it was due on {fmt_date(action.due_date, us)}.")
        self._selection_changed()

    def clear(self) -> None:
        super().clear()
        self.table.setRowCount(0)
        self.what_edit.clear()
        self.due_edit.set_value(None)

    def _selected(self) -> Action | None:
        action_id = selected_id(self.table)
        if action_id is None or self.bundle is None:
            return None
        return next((a for a in self.bundle.actions if a.id == action_id), None)

    def _selection_changed(self) -> None:
        action = self._selected()
        self.done_button.setEnabled(action is not None and action.done_at is None)
        self.reopen_button.setEnabled(action is not None and action.done_at is not None)

    def add_action(self) -> None:
        what, owner = self.what_edit.text().strip(), self.owner_edit.text().strip()
        if not what:
            self.banner.show_error("Please write what needs doing.")
            self.what_edit.setFocus()
            return
        if not owner:
            self.banner.show_error("Please say who will do it.")
            self.owner_edit.setFocus()
            return
        if (problem := self.due_edit.problem()) is not None:
            self.banner.show_error(problem)
            self.due_edit.setFocus()
            return
        due = self.due_edit.value()
        cases, case_id = self.ctx.casebook.cases, self.ctx.case_id

        def done(_action: object) -> None:
            self.what_edit.clear()
            self.due_edit.set_value(None)
            self.what_edit.setFocus()

        self.save(lambda: cases.add_action(case_id, what, owner, due), done, "Action added.")

    def set_done(self, done: bool) -> None:
        action = self._selected()
        if action is None:
            return
        cases = self.ctx.casebook.cases
        self.save(lambda: cases.set_action_done(action.id, done),
                  message="Action marked done." if done else "Action reopened.")
