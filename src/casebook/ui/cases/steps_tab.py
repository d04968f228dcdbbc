"""The five response steps of a case: status, and when and by whom each was completed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from casebook.domain import STEP_ORDER
from casebook.ui.kit.forms import button
from casebook.ui.widgets.common import bullet_text, fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.corrections import CorrectionDialog, Fix
from casebook.ui.widgets.panel import CasePanel, fill_table, make_table, selected_id
from casebook.ui.widgets.step_progress import STATUS_WORDS, StepProgress

#: Step answer kinds that can be corrected here, and how they are typed.
_KINDS = {"text": "line", "multiline": "text", "choice": "choice"}


class StepsTab(CasePanel):
    open_wizard_requested = Signal()

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        intro = QLabel("The response has five steps. Work through them in the response steps "
                       "window; you can stop at any point and carry on later from where you "
                       "left off.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.progress = StepProgress(self)
        layout.addWidget(self.progress)
        self.table = make_table(self, "Response steps",
                                ["Step", "Status", "Completed", "Completed by"], stretch=0)
        layout.addWidget(self.table, 1)
        self.done_means = QLabel(self)
        self.done_means.setWordWrap(True)
        layout.addWidget(self.done_means)
        row = QHBoxLayout()
        self.open_button = QPushButton("&Open response steps…", self)
        self.open_button.clicked.connect(self.open_wizard_requested)
        row.addWidget(self.open_button)
        self.correct_button = button(
            "Correct answers…", "correct-step", self.correct_answers,
            help="Correct the selected step's answers; the original answers are kept")
        self.correct_button.setEnabled(False)
        self.table.itemSelectionChanged.connect(
            lambda: self.correct_button.setEnabled(selected_id(self.table) is not None))
        row.addWidget(self.correct_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.banner)

    def set_data(self, bundle: CaseBundle) -> None:
        super().set_data(bundle)
        us, titles = self.ctx.us, self.ctx.step_titles()
        self.progress.set_steps(bundle.case.steps, titles)
        rows = []
        for number, key in enumerate(STEP_ORDER, start=1):
            step = bundle.case.step(key)
            rows.append([f"{number}. {titles.get(key, key.value)}", STATUS_WORDS[step.status],
                         fmt_datetime(step.completed_at, us), step.completed_by or ""])
        fill_table(self.table, rows, list(range(1, len(STEP_ORDER) + 1)))
        self.done_means.setText("What “done” means for each step:\n" + bullet_text(
            [f"{g.title}: {g.done_means.removeprefix('Done means ')}"
             for g in self.ctx.setup.guidance]))

    def clear(self) -> None:
        super().clear()
        self.table.setRowCount(0)
        self.progress.set_steps((), {})

    def correct_answers(self) -> None:
        """Correct what a step's page recorded (the once-per-case answers); originals kept."""
        number = selected_id(self.table)
        if number is None or self.bundle is None:
            return
        key = STEP_ORDER[number - 1]
        guidance = self.ctx.guidance(key)
        fixes = tuple(Fix(spec.id, f"{spec.label}:", _KINDS[spec.kind],
                          {c.value: c.label for c in spec.choices})
                      for spec in guidance.fields if spec.per == "" and spec.kind in _KINDS)
        if not fixes:
            self.banner.show_info("This step has no answers to correct.")
            return
        cases, case_id = self.ctx.casebook.cases, self.ctx.case_id

        def job(changes: dict[str, object], reason: str) -> Callable[[], object]:
            return lambda: cases.correct_step(case_id, key, reason, changes)

        self.open_correction(
            CorrectionDialog(self, f"Correct the answers to “{guidance.title}”", fixes,
                             dict(self.bundle.case.step(key).data), job, self.ctx.worker,
                             us=self.ctx.us, fill=self.ctx.fill),
            "Corrected. The original answers are kept in the case's corrections.")
