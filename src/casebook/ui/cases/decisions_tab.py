"""Decisions: what was decided, why, who decided and who recorded it (KCSIE record keeping)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.ui.widgets.common import add_row, button_row, fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.corrections import Fix
from casebook.ui.widgets.panel import CasePanel, fill_table, make_table


class DecisionsTab(CasePanel):
    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.table = make_table(self, "Decisions on this case",
                                ["When", "Decision", "Reason", "Decided by", "Recorded by"],
                                stretch=(1, 2))
        layout.addWidget(self.table, 1)
        cases = ctx.casebook.cases
        self.add_corrections(
            layout, self.table, "a decision",
            (Fix("what", "&Decision:"), Fix("why", "&Reason:", "text"),
             Fix("who", "Decided &by:")),
            lambda bundle: bundle.decisions,
            lambda did, reason, changes: cases.correct_decision(did, reason, **changes),
            describe=lambda decision: decision.what)
        box = QGroupBox("Record a decision", self)
        form = QFormLayout(box)
        self.what_edit = QLineEdit(box)
        self.what_edit.setPlaceholderText(f"For example: no referral to {ctx.term('social_care')}")
        add_row(form, "&Decision:", self.what_edit)
        self.why_edit = QPlainTextEdit(box)
        self.why_edit.setTabChangesFocus(True)
        self.why_edit.setMaximumHeight(self.why_edit.fontMetrics().height() * 4)
        add_row(form, "&Reason:", self.why_edit,
                "Say why, including a decision to take no further action.")
        self.who_edit = QLineEdit(ctx.user_name, box)
        add_row(form, "Decided &by:", self.who_edit)
        self.add_button = QPushButton("Record d&ecision", box)
        self.add_button.clicked.connect(self.add_decision)
        form.addRow("", button_row(self.add_button))
        layout.addWidget(box)
        layout.addWidget(self.banner)

    def set_data(self, bundle: CaseBundle) -> None:
        super().set_data(bundle)
        us = self.ctx.us
        rows = [[fmt_datetime(d.made_at, us), d.what, d.why, d.who, d.recorded_by]
                for d in bundle.decisions]
        fill_table(self.table, rows, [d.id for d in bundle.decisions])
        self.mark_corrections()

    def clear(self) -> None:
        super().clear()
        self.table.setRowCount(0)
        self.what_edit.clear()
        self.why_edit.clear()

    def add_decision(self) -> None:
        what, why = self.what_edit.text().strip(), self.why_edit.toPlainText().strip()
        who = self.who_edit.text().strip() or self.ctx.user_name
        if not what:
            self.banner.show_error("Please write what was decided.")
            self.what_edit.setFocus()
            return
        if not why:
            self.banner.show_error("Please give the reason for the decision.")
            self.why_edit.setFocus()
            return
        cases, case_id = self.ctx.casebook.cases, self.ctx.case_id
        settings, key = self.ctx.casebook.settings, self.ctx.draft_key("decision")

        def job() -> object:
            decision = cases.add_decision(case_id, what, why, who)
            settings.save_draft(key, "")
            return decision

        def done(_decision: object) -> None:
            self.what_edit.clear()
            self.why_edit.clear()

        self.save(job, done, "Decision recorded.")

    def drafts(self) -> dict[str, str]:
        what, why = self.what_edit.text().strip(), self.why_edit.toPlainText().strip()
        text = f"{what}\n{why}" if (what or why) else ""
        return {self.ctx.draft_key("decision"): text}

    def restore_drafts(self, drafts: dict[str, str | None]) -> None:
        text = drafts.get(self.ctx.draft_key("decision"))
        if text and not self.what_edit.text() and not self.why_edit.toPlainText():
            what, _, why = text.partition("\n")
            self.what_edit.setText(what)
            self.why_edit.setPlainText(why)
