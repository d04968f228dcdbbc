"""Small shared pieces of the case screens: running jobs safely, calm messages, formatting.

``Jobs`` wraps :class:`~casebook.ui.worker.DbWorker` so a result that arrives after its widget
was cleared (on lock) or deleted is dropped instead of touching a dead widget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from casebook.errors import CasebookError
from casebook.ui.worker import DbWorker

log = logging.getLogger(__name__)

UNEXPECTED = ("That did not work because of an unexpected problem. Nothing else was changed; "
              "please try again.")


def user_message(exc: BaseException) -> str:
    """A calm one-line message for a failed job (details go to the log, never case text)."""
    if isinstance(exc, CasebookError):
        return str(exc)
    log.error("unexpected job failure: %s", type(exc).__name__)
    return UNEXPECTED


def alive(obj: object) -> bool:
    try:
        return shiboken6.isValid(obj)
    except Exception:
        return False


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


# --------------------------------------------------------------------------- colours


def is_dark(widget: QWidget | None = None) -> bool:
    palette = widget.palette() if widget is not None else QPalette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def warning_colour(widget: QWidget | None = None) -> QColor:
    """Red text that stays readable on the light and the dark scheme."""
    return QColor("#ff8a80") if is_dark(widget) else QColor("#b71c1c")


def done_colour(widget: QWidget | None = None) -> QColor:
    return QColor("#81c784") if is_dark(widget) else QColor("#1b5e20")


def muted_colour(widget: QWidget | None = None) -> QColor:
    """Secondary text: between the text and the background, still readable (about 5:1)."""
    palette = widget.palette() if widget is not None else QPalette()
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mix = 0.62
    return QColor(round(text.red() * mix + back.red() * (1 - mix)),
                  round(text.green() * mix + back.green() * (1 - mix)),
                  round(text.blue() * mix + back.blue() * (1 - mix)))


# --------------------------------------------------------------------------- formatting


def fmt_date(value: date | None, us: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:%b} {value.day}, {value.year}" if us else value.strftime("%d %b %Y")


def fmt_datetime(value: datetime | None, us: bool = False) -> str:
    """Date and time; a time of exactly midnight is taken to mean "date only"."""
    if value is None:
        return ""
    if value.hour == 0 and value.minute == 0 and value.second == 0:
        return fmt_date(value.date(), us)
    if us:
        hour = value.hour % 12 or 12
        return f"{fmt_date(value.date(), True)} {hour}:{value:%M} {'AM' if value.hour < 12 else 'PM'}"
    return value.strftime("%d %b %Y %H:%M")


def plain(text: str) -> str:
    """Label text without its mnemonic ampersands (for accessible names)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(":").strip()


# --------------------------------------------------------------------------- widgets


class Banner(QFrame):
    """A calm message line under a form: errors, confirmations, reminders. Hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.label, 1)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Dismiss message")
        self.close_button.setToolTip("Dismiss message")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.clear)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.kind = ""
        self.hide()

    def _show(self, kind: str, text: str) -> None:
        self.kind = kind
        self.label.setText(text)
        self.label.setAccessibleName(text)
        colour = warning_colour(self) if kind == "error" else self.palette().color(
            QPalette.ColorRole.WindowText)
        self.label.setStyleSheet(f"color: {colour.name()};")
        self.setAccessibleDescription(text)
        self.show()

    def show_error(self, text: str) -> None:
        self._show("error", text)

    def show_info(self, text: str) -> None:
        self._show("info", text)

    def text(self) -> str:
        return self.label.text()

    def clear(self) -> None:
        self.kind = ""
        self.label.clear()
        self.hide()


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


def add_row(form: QFormLayout, text: str, widget: QWidget, help_text: str = "",
            wrap: bool = False) -> QLabel:
    """A labelled row: the label is the field's buddy (mnemonic) and its accessible name."""
    label = QLabel(text)
    label.setBuddy(widget.focusProxy() or widget)
    label.setWordWrap(wrap)
    name = plain(text)
    widget.setAccessibleName(name)
    target = widget.focusProxy()
    if target is not None:
        target.setAccessibleName(name)
    if help_text:
        widget.setToolTip(help_text)
        widget.setAccessibleDescription(help_text)
        if target is not None:
            target.setAccessibleDescription(help_text)
    form.addRow(label, widget)
    return label


def add_grid_field(grid: QGridLayout, column: int, text: str, widget: QWidget,
                   row: int = 0) -> QLabel:
    """A label in ``column`` and its field in the next column, on ``row``."""
    label = QLabel(text)
    label.setBuddy(widget.focusProxy() or widget)
    name = plain(text)
    widget.setAccessibleName(name)
    if widget.focusProxy() is not None:
        widget.focusProxy().setAccessibleName(name)
    grid.addWidget(label, row, column)
    grid.addWidget(widget, row, column + 1)
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
