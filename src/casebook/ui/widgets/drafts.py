"""Typed text is never lost without a question.

Two pieces: :class:`AskBeforeDiscard`, a dialog base whose Escape, Cancel and window close ask
before throwing away what was typed; and :func:`snapshot` / :func:`restore`, which turn the
free-text fields of a form into one draft string for the encrypted drafts table (the store the
wizard and the case tabs already use) and put it back after a reopen or an unlock.

Fields are keyed by their accessible name, which ``add_row`` takes from the label, so a form
needs no extra wiring to be kept as a draft. :class:`FormDraft` does the same for the inline
forms of the school-wide screens (checklist item, platform report, official account): the
record being edited and its typed text, written a moment after typing stops and on lock.
Password fields are never part of a draft.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from casebook.ui import prompts
from casebook.ui.worker import DbWorker

log = logging.getLogger(__name__)

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


#: A widget property: set it on a text field that is not part of its form's draft.
NOT_DRAFTED = "casebookNotDrafted"


def text_inputs(root: QWidget) -> dict[str, TextInput]:
    """The editable free-text fields under ``root``, by accessible name (first one wins)."""
    found: dict[str, TextInput] = {}
    widgets: list[TextInput] = [*root.findChildren(QLineEdit), *root.findChildren(QPlainTextEdit)]
    for widget in widgets:
        if widget.isReadOnly() or isinstance(widget.parent(), QAbstractSpinBox | QComboBox):
            continue
        if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
            continue  # a password is never kept, not even encrypted
        if widget.property(NOT_DRAFTED):
            continue  # a search box, say: what it finds is not the user's writing
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
    text). Closing for a lock uses ``drop()``, which never asks. After :meth:`keep_as`, what is
    typed is also kept as an encrypted draft (a moment after typing stops, and when a lock or a
    closed tab drops the dialog) and put back when the same dialog is opened again; the draft
    goes once the dialog is saved or the user agrees to discard.
    """

    _draft: FormDraft | None = None

    def typed(self) -> bool:
        return has_typed_text(self)

    def keep_as(self, worker: DbWorker, store: DraftStore, key: str) -> None:
        """Keep what is typed here under ``key`` in the encrypted drafts table (call it once
        the dialog's fields are filled in)."""
        self._draft = FormDraft(self, worker, store, key, record=lambda: None,
                                dirty=self.typed)
        self._draft.mark_filled()
        self._draft.loaded.connect(self._put_back_draft)
        self._draft.load()

    def _put_back_draft(self) -> None:
        draft = self._draft.take() if self._draft is not None else None
        if draft and self._draft is not None and self._draft.put_back(draft.get("fields") or {}):
            self.draft_put_back()

    def draft_put_back(self) -> None:
        """Called when a kept draft came back into the fields (say so, if there is room)."""

    def reject(self) -> None:
        if self.typed() and not confirm_discard(self):
            return
        self.discarded()
        if self._draft is not None:
            self._draft.clear()
        super().reject()

    def accept(self) -> None:
        if self._draft is not None:
            self._draft.clear()
        super().accept()

    def discarded(self) -> None:
        """Called when the user agreed to discard (or there was nothing to lose)."""

    def drop(self) -> None:
        """Close without asking (the casebook is locking; any draft is kept first)."""
        if self._draft is not None:
            self._draft.save()
        self.done(QDialog.DialogCode.Rejected)

    def close_for_lock(self) -> None:
        self.drop()


class DraftStore(Protocol):
    """Where drafts live: ``SettingsService`` (the encrypted drafts table)."""

    def get_draft(self, key: str) -> str | None: ...

    def save_draft(self, key: str, text: str) -> None: ...


#: Inline forms write their draft this long after typing stops (and at once on lock).
FORM_DRAFT_DELAY_MS = 2_000


class FormDraft(QObject):
    """An inline form's unsaved typing, kept encrypted so a lock, a closed window or a crash
    loses nothing.

    The draft holds ``record()`` (which record the form was editing, a plain JSON value; None
    for a new one) and the text of the free-text fields under ``form`` that differ from what
    the form was filled with (:meth:`mark_filled`), so a draft never puts back a stale copy of
    a field the user did not touch. It is kept only while ``dirty()`` says the form was
    changed since it was filled. The screen calls :meth:`load`
    once; :attr:`pending` then holds what came back (``loaded`` fires) until the screen takes
    it with :meth:`take` and puts the text back with :meth:`put_back`. :meth:`save` runs from
    the screen's ``save_drafts`` (lock, close); :meth:`clear` once the record is saved or the
    user agreed to discard it.
    """

    loaded = Signal()

    def __init__(self, form: QWidget, worker: DbWorker, store: DraftStore, key: str, *,
                 record: Callable[[], Any], dirty: Callable[[], bool],
                 delay_ms: int = FORM_DRAFT_DELAY_MS) -> None:
        super().__init__(form)
        self._form = form
        self._worker = worker
        self._store = store
        self.key = key
        self._record = record
        self._dirty = dirty
        self._saved = ""  # what the drafts table holds for ``key``
        self._filled: dict[str, str] = {}  # each field's text as the form was filled
        self.pending: dict[str, Any] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.save)
        for edit in text_inputs(form).values():
            edit.textChanged.connect(self._typed)

    def _typed(self, *_args: object) -> None:
        self._timer.start()

    def mark_filled(self) -> None:
        """The form now shows a record as stored (or is empty): typing starts from here."""
        self._filled = {name: text_of(w) for name, w in text_inputs(self._form).items()}

    def text(self) -> str:
        """The draft as stored: empty when the form holds nothing unsaved."""
        if not self._dirty():
            return ""
        fields = {name: text_of(w) for name, w in text_inputs(self._form).items()
                  if text_of(w) != self._filled.get(name, "")}
        if not fields:
            return ""
        return json.dumps({"record": self._record(), "fields": fields}, ensure_ascii=False,
                          sort_keys=True)

    def save(self) -> None:
        """Write the draft now if it changed (a no-op otherwise)."""
        self._timer.stop()
        self._write(self.text())

    def clear(self) -> None:
        """Forget the draft (the record was saved, or the user discarded the text)."""
        self._timer.stop()
        self.pending = None
        self._write("")

    def _write(self, text: str) -> None:
        if text == self._saved:
            return
        self._saved = text
        store, key = self._store, self.key
        self._worker.submit(lambda: store.save_draft(key, text), None, self._not_saved)

    def _not_saved(self, error: BaseException) -> None:
        self._saved = "\0"  # unknown: the next save writes again
        log.warning("a form draft was not saved (%s)", type(error).__name__)

    def load(self) -> None:
        """Read the stored draft on the worker; ``loaded`` fires when it is in ``pending``."""
        store, key = self._store, self.key
        self._worker.submit(lambda: store.get_draft(key), self._loaded, self._not_loaded)

    def _not_loaded(self, error: BaseException) -> None:
        log.warning("a form draft was not read (%s)", type(error).__name__)

    def _loaded(self, text: str | None) -> None:
        self._saved = text or ""
        try:
            value = json.loads(text) if text else None
        except ValueError:
            value = None
        if isinstance(value, dict) and isinstance(value.get("fields"), dict):
            self.pending = value
            self.loaded.emit()

    def take(self) -> dict[str, Any] | None:
        pending, self.pending = self.pending, None
        return pending

    def put_back(self, fields: Mapping[str, Any]) -> bool:
        """Put the draft's text into the form's fields. True if anything came back."""
        inputs = text_inputs(self._form)
        restored = False
        for name, text in fields.items():
            widget = inputs.get(name)
            if widget is not None and isinstance(text, str) and text_of(widget) != text:
                set_text(widget, text)
                restored = True
        return restored


def put_back_pending(draft: FormDraft, show_record: Callable[[Any], bool],
                     say: Callable[[str], None], hint: str) -> None:
    """Put a screen's pending draft back: ``show_record(record)`` fills the form with the
    record the text was typed for (False: not shown here, the draft waits), then the text
    goes back and ``say`` tells the user, with ``hint`` on what to do next."""
    pending = draft.take()
    if pending is None:
        return
    if not show_record(pending.get("record")):
        draft.pending = pending
        return
    if draft.put_back(pending.get("fields") or {}):
        say(f"Your unsaved text has been put back. {hint}")


def ask_to_discard(parent: QWidget, dirty: bool, draft: FormDraft | None = None) -> bool:
    """Before a form is emptied or refilled: True when it may go (nothing unsaved, or the
    user chose "Discard"; the draft goes with it)."""
    if dirty and not confirm_discard(parent):
        return False
    if dirty and draft is not None:
        draft.clear()
    return True
