"""Small shared pieces of the case screens: running jobs safely, calm messages, formatting.

``Jobs`` wraps :class:`~casebook.ui.worker.DbWorker` so a result that arrives after its widget
was cleared (on lock) or deleted is dropped instead of touching a dead widget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QWidget,
)

from casebook.ui.kit.banner import Banner
from casebook.ui.kit.dates import fmt_date, fmt_datetime
from casebook.ui.kit.errors import user_message
from casebook.ui.kit.forms import add_grid_field, add_row, plain
from casebook.ui.kit.ops import alive
from casebook.ui.kit.palette import done_colour, is_dark, muted_colour, warning_colour
from casebook.ui.worker import DbWorker

__all__ = [
    "Banner", "Jobs", "add_grid_field", "add_row", "alive", "bullet_text", "button_row",
    "done_colour", "fmt_date", "fmt_datetime", "heading", "is_dark", "muted_colour", "plain",
    "user_message", "warning_colour",
]

log = logging.getLogger(__name__)


class Jobs:
    """Submit database work for one widget; drop results once the widget is gone or cleared."""

    def __init__(self, owner: QWidget, worker: DbWorker,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.owner = owner
        self.worker = worker
        self.generation = 0
        self.on_error = on_error

    def run(self, job: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None) -> int:
        generation = self.generation

        def current() -> bool:
            return generation == self.generation and alive(self.owner)

        def done(result: Any) -> None:
            if current() and on_done is not None:
                on_done(result)

        def failed(exc: BaseException) -> None:
            if not current():
                return
            if on_error is not None:
                on_error(exc)
            elif self.on_error is not None:
                self.on_error(user_message(exc))
            else:
                log.warning("job failed with nobody to tell: %s", type(exc).__name__)

        return self.worker.submit(job, done, failed)

    def forget(self) -> None:
        """Ignore every result still on its way (called when the view is cleared)."""
        self.generation += 1


# --------------------------------------------------------------------------- widgets


def heading(text: str, parent: QWidget | None = None, level: int = 2) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * (1.35 if level == 1 else 1.15))
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def button_row(*buttons: QWidget) -> QWidget:
    """Buttons side by side at their natural width (for the last row of a form)."""
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for button in buttons:
        layout.addWidget(button)
    layout.addStretch(1)
    return holder


def bullet_text(points: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"•  {p}" for p in points)
