"""Typed text is never lost without a question.

Two pieces: :class:`AskBeforeDiscard`, a dialog base whose Escape, Cancel and window close ask
before throwing away what was typed; and :func:`snapshot` / :func:`restore`, which turn the
free-text fields of a form into one draft string for the encrypted drafts table (the store the
wizard and the case tabs already use) and put it back after a reopen or an unlock.

Fields are keyed by their accessible name, which ``add_row`` takes from the label, so a form
needs no extra wiring to be kept as a draft.
"""

from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from casebook.ui import prompts

TextInput = QLineEdit | QPlainTextEdit

DISCARD_TITLE = "Discard what you typed?"
DISCARD_TEXT = "What you typed here has not been saved. If you discard it, it cannot be got back."


def text_of(widget: TextInput) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


def set_text(widget: TextInput, text: str) -> None:
    if isinstance(widget, QLineEdit):
        widget.setText(text)
    else:
        widget.setPlainText(text)


def text_inputs(root: QWidget) -> dict[str, TextInput]:
    """The editable free-text fields under ``root``, by accessible name (first one wins)."""
    found: dict[str, TextInput] = {}
    widgets: list[TextInput] = [*root.findChildren(QLineEdit), *root.findChildren(QPlainTextEdit)]
    for widget in widgets:
        if widget.isReadOnly() or isinstance(widget.parent(), QAbstractSpinBox | QComboBox):
            continue
        name = widget.accessibleName() or widget.objectName()
        if name and name not in found:
            found[name] = widget
    return found


def has_typed_text(root: QWidget) -> bool:
    return any(text_of(w).strip() for w in text_inputs(root).values())


def snapshot(root: QWidget) -> str:
    """The form's typed text as one draft string; empty when nothing was typed."""
    values = {name: text_of(w) for name, w in text_inputs(root).items() if text_of(w).strip()}
    return json.dumps(values, ensure_ascii=False, sort_keys=True) if values else ""


def restore(root: QWidget, draft: str | None) -> bool:
    """Put a draft back into the fields that are still empty. True if anything came back."""
    if not draft:
        return False
    try:
        values = json.loads(draft)
    except ValueError:
        return False
    if not isinstance(values, dict):
        return False
    inputs = text_inputs(root)
    restored = False
    for name, text in values.items():
        widget = inputs.get(name)
        if widget is not None and isinstance(text, str) and not text_of(widget).strip():
            set_text(widget, text)
            restored = True
    return restored


def confirm_discard(parent: QWidget | None) -> bool:
    """Ask whether typed text may be thrown away; the safe answer (keep it) is the default."""
    return prompts.ask(parent, DISCARD_TITLE, DISCARD_TEXT, yes="Discard",
                       no="Keep editing")


class AskBeforeDiscard(QDialog):
    """A dialog with free text: Escape, Cancel and the close button ask before discarding.

    ``typed()`` says whether there is anything to lose (by default: any free-text field has
    text). Closing for a lock uses ``drop()``, which never asks.
    """

    def typed(self) -> bool:
        return has_typed_text(self)

    def reject(self) -> None:
        if self.typed() and not confirm_discard(self):
            return
        self.discarded()
        super().reject()

    def discarded(self) -> None:
        """Called when the user agreed to discard (or there was nothing to lose)."""

    def drop(self) -> None:
        """Close without asking (the casebook is locking; the caller keeps any draft)."""
        self.done(QDialog.DialogCode.Rejected)
