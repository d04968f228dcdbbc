"""The five response steps of a case: status, and when and by whom each was completed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from casebook.domain import STEP_ORDER
from casebook.ui.widgets.common import bullet_text, fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.panel import CasePanel, fill_table, make_table
from casebook.ui.widgets.step_progress import STATUS_WORDS, StepProgress


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
