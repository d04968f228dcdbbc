"""Screens that stay current: they reload when something they show changes.

The worker sends one ``changed(kinds)`` notice after any job that wrote (see
:mod:`casebook.ui.worker`). A :class:`LiveView` names the kinds it shows in ``watches``; on a
matching notice it reloads at once when on screen, or on its next showing when hidden (a tab
behind another costs nothing until the user comes back to it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from casebook.ui.kit.ops import alive
from casebook.ui.worker import DbWorker


class KeepCurrent(QObject):
    """Reloads a widget on the worker's change notice: at once when it is on screen, or when it
    is next shown (a tab behind another costs nothing until the user comes back to it).

    ``wanted(kinds)`` decides whether a notice concerns the widget; ``reload()`` reads again.
    """

    def __init__(self, widget: QWidget, worker: DbWorker,
                 wanted: Callable[[frozenset[str]], bool], reload: Callable[[], None],
                 *, stale: bool = False) -> None:
        super().__init__(widget)
        self._widget = widget
        self._wanted = wanted
        self._reload = reload
        self.stale = stale
        widget.installEventFilter(self)
        worker.changed.connect(self._changed)

    def _changed(self, kinds: frozenset[str]) -> None:
        if not alive(self._widget) or not self._wanted(kinds):
            return
        if self._widget.isVisible():
            self.now()
        else:
            self.stale = True

    def now(self) -> None:
        self.stale = False
        self._reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._widget and event.type() == QEvent.Type.Show and self.stale:
            self.now()
        return False


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
        self.loads = 0  # how many times reload() ran (tests and diagnostics)
        self._reading: int | None = None
        self._current = KeepCurrent(self, worker, self._wanted, self._read, stale=True)

    @property
    def stale(self) -> bool:
        """True while what is shown may be out of date (it reads again when next shown)."""
        return self._current.stale

    def reload(self) -> int | None:  # pragma: no cover - every subclass overrides it
        """Start reading what the screen shows; return the worker job id."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Read everything again now (F5, and the first showing)."""
        self._current.now()

    def _read(self) -> None:
        self.loads += 1
        self._reading = self.reload()

    def _wanted(self, kinds: frozenset[str]) -> bool:
        if self._reading is not None and self.worker.finished_job == self._reading:
            return False  # its own reading wrote bookkeeping (a first review, say)
        return bool(kinds & self.watches)

    def forget(self) -> None:
        """Drop every answer still on its way (the view is being cleared)."""
        self.op_epoch += 1
        self._current.stale = True

    def save_drafts(self) -> None:
        return None

    def clear(self) -> None:
        self.forget()
