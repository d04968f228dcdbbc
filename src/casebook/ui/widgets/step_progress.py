"""A row of the five response steps showing which are done, under way or not started."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from casebook.domain import STEP_ORDER, Step, StepKey, StepStatus
from casebook.ui.kit.palette import highlight_pair

STATUS_WORDS = {
    StepStatus.NOT_STARTED: "Not started",
    StepStatus.IN_PROGRESS: "Under way",
    StepStatus.DONE: "Done",
    StepStatus.NOT_NEEDED: "Not needed",
}
STATUS_MARKS = {
    StepStatus.NOT_STARTED: "○",
    StepStatus.IN_PROGRESS: "◐",
    StepStatus.DONE: "✓",
    StepStatus.NOT_NEEDED: "–",
}


def is_complete(step: Step) -> bool:
    return step.status in (StepStatus.DONE, StepStatus.NOT_NEEDED)


class StepProgress(QFrame):
    """Five segments, one per response step. Screen readers get a one-sentence summary."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Response steps progress")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(self)
        outer.addWidget(self.summary)
        row = QHBoxLayout()
        row.setSpacing(4)
        outer.addLayout(row)
        self.segments: dict[StepKey, QLabel] = {}
        for number, key in enumerate(STEP_ORDER, start=1):
            label = QLabel(f"{number}", self)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            label.setMinimumHeight(label.fontMetrics().height() * 3)
            label.setFrameShape(QFrame.Shape.StyledPanel)
            label.setAutoFillBackground(True)
            row.addWidget(label, 1)
            self.segments[key] = label
        self.set_steps((), {})

    def set_steps(self, steps: Sequence[Step], titles: Mapping[StepKey, str]) -> None:
        by_key = {s.key: s for s in steps}
        done = 0
        parts = []
        for number, key in enumerate(STEP_ORDER, start=1):
            step = by_key.get(key, Step(key))
            title = titles.get(key, key.value.replace("-", " ").capitalize())
            label = self.segments[key]
            words = STATUS_WORDS[step.status]
            label.setText(f"{STATUS_MARKS[step.status]} {number}. {title}\n{words}")
            label.setToolTip(f"Step {number}, {title}: {words}")
            palette = self.palette()
            if is_complete(step):
                done += 1
                fill, text = highlight_pair(palette)  # the OS's colours, made readable
                palette.setColor(QPalette.ColorRole.Window, fill)
                palette.setColor(QPalette.ColorRole.WindowText, text)
            elif step.status == StepStatus.IN_PROGRESS:
                palette.setColor(QPalette.ColorRole.Window,
                                 palette.color(QPalette.ColorRole.AlternateBase))
            label.setPalette(palette)
            font = label.font()
            font.setBold(step.status == StepStatus.IN_PROGRESS)
            label.setFont(font)
            parts.append(f"{title}: {words.lower()}")
        text = f"{done} of {len(STEP_ORDER)} response steps done"
        self.summary.setText(text + ".")
        self.setAccessibleDescription(text + ". " + "; ".join(parts) + ".")
        self.done_count = done
