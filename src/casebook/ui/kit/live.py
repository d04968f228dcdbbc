"""Screens that stay current: they reload when something they show changes.

The worker sends one ``changed(kinds)`` notice after any job that wrote (see
:mod:`casebook.ui.worker`). A :class:`LiveView` names the kinds it shows in ``watches``; on a
matching notice it reloads at once when on screen, or on its next showing when hidden (a tab
behind another costs nothing until the user comes back to it).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from casebook.ui.worker import DbWorker


class LockAware(Protocol):
    """A screen the main window can ask to keep drafts and forget what it shows on lock."""

    def save_drafts(self) -> None: ...

    def clear(self) -> None: ...


class LiveView(QWidget):
    """Base for the school-wide screens (dashboard, checklist, tracker, official accounts).

    Subclasses set ``watches`` and implement :meth:`reload`. ``op_epoch`` moves on when the
    view is cleared, so :class:`~casebook.ui.kit.ops.Op` drops answers meant for the old data.
    """

    #: Kinds of change ("case", "tracker"...) that make this screen reload.
    watches: frozenset[str] = frozenset()
    #: A calm, user-ready message when loading failed.
    failed = Signal(str)

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.op_epoch = 0
        self.stale = True
        self.loads = 0  # how many times reload() ran (tests and diagnostics)
        self._reading: int | None = None
        worker.changed.connect(self._changed)

    def reload(self) -> int | None:  # pragma: no cover - every subclass overrides it
        """Start reading what the screen shows; return the worker job id."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Read everything again now (F5, and the first showing)."""
        self.stale = False
        self.loads += 1
        self._reading = self.reload()

    def _changed(self, kinds: frozenset[str]) -> None:
        if not kinds & self.watches:
            return
        if self._reading is not None and self.worker.finished_job == self._reading:
            return  # its own reading wrote bookkeeping (a first review, say): nothing new
        if self.isVisible():
            self.refresh()
        else:
            self.stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def forget(self) -> None:
        """Drop every answer still on its way (the view is being cleared)."""
        self.op_epoch += 1
        self.stale = True

    def save_drafts(self) -> None:
        return None

    def clear(self) -> None:
        self.forget()
