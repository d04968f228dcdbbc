"""Overview of a case: its details (editable), status, risk, summary and step progress."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import CaseStatus
from casebook.ui.widgets.common import add_row, button_row, fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.labels import (
    CASE_STATUSES,
    CASE_TYPES,
    RISKS,
    combo_value,
    fill_combo,
    label,
    set_combo_value,
)
from casebook.ui.widgets.panel import CasePanel
from casebook.ui.widgets.step_progress import StepProgress


def count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


class OverviewTab(CasePanel):
    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.progress = StepProgress(self)
        layout.addWidget(self.progress)
        self.counts = QLabel(self)
        self.counts.setWordWrap(True)
        layout.addWidget(self.counts)

        box = QGroupBox("Case details", self)
        form = QFormLayout(box)
        self.reference = QLabel(box)
        add_row(form, "Reference:", self.reference)
        self.status = QLabel(box)
        self.status.setWordWrap(True)
        add_row(form, "Status:", self.status)
        self.opened = QLabel(box)
        add_row(form, "Opened:", self.opened)
        self.title_edit = QLineEdit(box)
        add_row(form, "&Title:", self.title_edit)
        self.type_combo = QComboBox(box)
        fill_combo(self.type_combo, CASE_TYPES, ctx.fill)
        add_row(form, "T&ype:", self.type_combo)
        self.risk_combo = QComboBox(box)
        fill_combo(self.risk_combo, RISKS)
        add_row(form, "&Risk:", self.risk_combo)
        self.summary_edit = QPlainTextEdit(box)
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setPlaceholderText("What happened, in a few sentences")
        self.summary_edit.setMaximumHeight(self.summary_edit.fontMetrics().height() * 10 + 16)
        add_row(form, "S&ummary:", self.summary_edit)
        self.save_button = QPushButton("Save &details", box)
        self.save_button.clicked.connect(self.save_details)
        form.addRow("", button_row(self.save_button))
        layout.addWidget(box)
        layout.addWidget(self.banner)
        layout.addStretch(1)

    def set_data(self, bundle: CaseBundle) -> None:
        dirty = self.is_dirty()
        super().set_data(bundle)
        case, us = bundle.case, self.ctx.us
        self.progress.set_steps(case.steps, self.ctx.step_titles())
        self.reference.setText(case.reference)
        status = label(CASE_STATUSES, case.status)
        if case.status == CaseStatus.CLOSED:
            status += f" on {fmt_datetime(case.closed_at, us)}"
            if case.closed_reason:
                status += f". Reason: {case.closed_reason}"
        self.status.setText(status)
        self.opened.setText(f"{fmt_datetime(case.opened_at, us)} by {case.created_by}")
        overdue = sum(1 for a in bundle.actions if a.is_overdue(bundle.today))
        files = sum(1 for e in bundle.evidence if e.sha256)
        open_actions = sum(1 for a in bundle.actions if a.done_at is None)
        parts = [count(len(bundle.people), "person", "people"),
                 count(len(bundle.accounts), "account"),
                 count(len(bundle.evidence), "evidence item") + f" ({count(files, 'file')})",
                 count(len(bundle.decisions), "decision"),
                 count(open_actions, "open action")]
        if overdue:
            parts.append(f"{overdue} overdue")
        self.counts.setText("On this case: " + ", ".join(parts) + ".")
        if not dirty:
            self.title_edit.setText(case.title)
            set_combo_value(self.type_combo, case.case_type)
            set_combo_value(self.risk_combo, case.risk)
            self.summary_edit.setPlainText(case.summary)

    def is_dirty(self) -> bool:
        if self.bundle is None:
            return False
        case = self.bundle.case
        return (self.title_edit.text().strip() != case.title
                or combo_value(self.type_combo) != case.case_type.value
                or combo_value(self.risk_combo) != case.risk.value
                or self.summary_edit.toPlainText().strip() != case.summary.strip())

    def clear(self) -> None:
        super().clear()
        self.title_edit.clear()
        self.summary_edit.clear()
        for widget in (self.reference, self.status, self.opened, self.counts):
            widget.clear()
        self.progress.set_steps((), {})

    def save_details(self) -> None:
        title = self.title_edit.text().strip()
        if not title:
            self.banner.show_error("Please give the case a title.")
            self.title_edit.setFocus()
            return
        summary = self.summary_edit.toPlainText()
        risk, case_type = combo_value(self.risk_combo), combo_value(self.type_combo)
        cases, case_id = self.ctx.casebook.cases, self.ctx.case_id
        settings, key = self.ctx.casebook.settings, self.ctx.draft_key("summary")

        def job() -> object:
            case = cases.update_details(case_id, title=title, summary=summary, risk=risk,
                                        case_type=case_type)
            settings.save_draft(key, "")
            return case

        self.save(job, message="Case details saved.")

    def drafts(self) -> dict[str, str]:
        if self.bundle is None:
            return {}
        summary = self.summary_edit.toPlainText()
        changed = summary.strip() != self.bundle.case.summary.strip()
        return {self.ctx.draft_key("summary"): summary if changed else ""}

    def restore_drafts(self, drafts: dict[str, str | None]) -> None:
        text = drafts.get(self.ctx.draft_key("summary"))
        if text and self.bundle is not None and text.strip() != self.bundle.case.summary.strip():
            self.summary_edit.setPlainText(text)
            self.banner.show_info("The summary has unsaved changes from last time. "
                                  "Save the details to keep them.")
