"""Labelled fields whose names come from their labels.

A screen writes ``field(form, "&Handle:", edit, name="handleEdit")`` once: the label becomes
the field's buddy (so Alt+H works), the field's accessible name is the label's words, its
object name is ``name`` and the help text is its tooltip and accessible description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QFormLayout, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

W = TypeVar("W", bound=QWidget)


def plain(text: str) -> str:
    """Label text without its mnemonic ampersands (for accessible names)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(":").strip()


def named(widget: W, name: str, accessible: str = "", help_text: str = "") -> W:
    """Set the object name, the accessible name (from ``accessible``, mnemonics removed) and
    the help text of ``widget`` in one call; returns the widget."""
    if name:
        widget.setObjectName(name)
    if accessible:
        spoken = plain(accessible)
        widget.setAccessibleName(spoken)
        target = widget.focusProxy()
        if target is not None:
            target.setAccessibleName(spoken)
    if help_text:
        widget.setToolTip(help_text)
        widget.setAccessibleDescription(help_text)
        target = widget.focusProxy()
        if target is not None:
            target.setAccessibleDescription(help_text)
    return widget


def buddy_label(text: str, widget: QWidget, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget.focusProxy() or widget)
    label.setWordWrap(wrap)
    return label


def field(form: QFormLayout, text: str, widget: W, *, name: str = "", help: str = "",
          wrap: bool = False) -> W:
    """A labelled row in ``form``; returns the field (so it can be assigned in one line)."""
    add_row(form, text, widget, help, wrap, name=name)
    return widget


def add_row(form: QFormLayout, text: str, widget: QWidget, help_text: str = "",
            wrap: bool = False, *, name: str = "") -> QLabel:
    """A labelled row: the label is the field's buddy (mnemonic) and its accessible name."""
    label = buddy_label(text, widget, wrap)
    named(widget, name, text, help_text)
    form.addRow(label, widget)
    return label


def add_grid_field(grid: QGridLayout, column: int, text: str, widget: QWidget,
                   row: int = 0, *, name: str = "") -> QLabel:
    """A label in ``column`` and its field in the next column, on ``row``."""
    label = buddy_label(text, widget)
    named(widget, name, text)
    grid.addWidget(label, row, column)
    grid.addWidget(widget, row, column + 1)
    return label


class EditGuard:
    """Knows whether the user changed a form since it was last filled.

    A live screen reloads when anything changes; it refills a form only when the guard is
    clean, so what the user is typing is never replaced by a reload. Call :meth:`reset` after
    filling the form from data (the fill itself fires the change signals).
    """

    def __init__(self, *widgets: QWidget) -> None:
        self.dirty = False
        #: Called after each reset (the form now shows what was filled in or saved).
        self.on_reset: list[Callable[[], None]] = []
        for widget in widgets:
            self.watch(widget)

    def watch(self, widget: QWidget) -> None:
        for signal_name in ("textChanged", "currentIndexChanged", "editTextChanged", "toggled",
                            "dateTimeChanged", "changed"):
            signal = getattr(widget, signal_name, None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(self._touched)

    def _touched(self, *_args: object) -> None:
        self.dirty = True

    def reset(self) -> None:
        self.dirty = False
        for listener in self.on_reset:
            listener()


def button(text: str, name: str, on_click: Callable[[], object] | None = None,
           help: str = "") -> QPushButton:
    """A push button with its object name, help text and action in one line."""
    made = named(QPushButton(text), name, help_text=help)
    if on_click is not None:
        made.clicked.connect(lambda _checked=False: on_click())
    return made


def hbox(*items: QWidget | int | None) -> QHBoxLayout:
    """A row: widgets at their natural width; ``None`` is a stretch; an int after a widget is
    that widget's stretch factor."""
    row = QHBoxLayout()
    for item in items:
        if item is None:
            row.addStretch(1)
        elif isinstance(item, int):
            last = row.itemAt(row.count() - 1)
            if last is not None:
                row.setStretch(row.count() - 1, item)
        else:
            row.addWidget(item)
    return row
