"""Small shared pieces of the case screens: a heading, a row of buttons, bullet text.

The banner, form rows, dates and messages are the kit's (``casebook.ui.kit``); they are
re-exported here for the case screens that import them with these.
"""

from __future__ import annotations

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

__all__ = [
    "Banner", "add_grid_field", "add_row", "alive", "bullet_text", "button_row", "fmt_date",
    "fmt_datetime", "heading", "plain", "user_message",
]


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
