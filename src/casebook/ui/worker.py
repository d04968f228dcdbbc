"""One database thread for the whole app.

Every piece of database or KDF work is a plain callable run on this thread, in submission
order; its result (or error) comes back to the main thread through a queued signal and is
handed to the callbacks given at submission. Results are plain values (domain objects), never
ORM rows or open sessions.

After a job that wrote, the worker emits one ``changed(kinds)`` notice (kinds such as
``{"case", "tracker"}``, taken from the open casebook's store), after the job's own callbacks:
every open screen listens to it and reloads what it shows, so no view needs refresh code for
another view's saves.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

Job = Callable[[], Any]
OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]
ChangeSource = Callable[[], frozenset[str]]


def _alive(callback):  # type: ignore[no-untyped-def]
    """The callback, or None when it is a method of a Qt object that has been deleted."""
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, QObject) and not shiboken6.isValid(owner):
        return None
    return callback


class _Runner(QObject):
    """Lives on the worker thread; runs jobs as they arrive."""

    finished = Signal(int, object, object, object)  # job id, result, error, changed kinds

    def __init__(self) -> None:
        super().__init__()
        self.change_source: ChangeSource | None = None

    @Slot(int, object)
    def run(self, job_id: int, job: Job) -> None:
        try:
            result = job()
        except BaseException as exc:  # report every failure to the UI; never kill the thread
            if not isinstance(exc, Exception):
                raise
            log.debug("job %d failed: %s", job_id, traceback.format_exc())
            self.finished.emit(job_id, None, exc, self._changes())
        else:
            self.finished.emit(job_id, result, None, self._changes())

    def _changes(self) -> frozenset[str]:
        source = self.change_source
        if source is None:
            return frozenset()
        try:
            return source()
        except Exception:  # a broken source must not stop the thread
            log.warning("change source failed")
            return frozenset()


class DbWorker(QObject):
    """Submit work from the main thread; callbacks run back on the main thread."""

    _submit = Signal(int, object)
    busy_changed = Signal(bool)
    #: Any job error nobody handled (the main window shows it calmly).
    unhandled_error = Signal(object)
    #: After a job whose writes committed: the set of kinds changed ("case", "tracker"...).
    changed = Signal(object)

    _default: DbWorker | None = None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("casebook-db")
        self._runner = _Runner()
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._runner.finished.connect(self._on_finished)
        self._callbacks: dict[int, tuple[OnDone | None, OnError | None]] = {}
        self._ids = itertools.count(1)
        self.finished_job = 0
        self._thread.start()
        DbWorker._default = self

    @classmethod
    def default(cls) -> DbWorker:
        """The app's one DB thread (the most recently started one that is still running)."""
        if cls._default is None:
            raise RuntimeError("no DB worker is running")
        return cls._default

    def watch_changes(self, source: ChangeSource | None) -> None:
        """Ask ``source`` (run on the worker thread) after each job what it changed."""
        self._runner.change_source = source

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def submit(self, job: Job, on_done: OnDone | None = None,
               on_error: OnError | None = None) -> int:
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        self._submit.emit(job_id, job)
        return job_id

    @Slot(int, object, object, object)
    def _on_finished(self, job_id: int, result: object, error: object,
                     kinds: frozenset[str]) -> None:
        on_done, on_error = self._callbacks.pop(job_id, (None, None))
        if not self._callbacks:
            self.busy_changed.emit(False)
        # A view closed (or cleared on lock) while its job ran: drop the answer quietly.
        on_done, on_error = _alive(on_done), _alive(on_error)
        if error is not None:
            if on_error is not None:
                on_error(error)  # type: ignore[arg-type]
            else:
                self.unhandled_error.emit(error)
        elif on_done is not None:
            on_done(result)
        if kinds:
            self.finished_job = job_id  # so a screen can tell its own reading from others' work
            self.changed.emit(kinds)

    def stop(self) -> None:
        """Finish queued work, then end the thread (called on quit).

        The quit request travels through the same queue as the jobs, so every job submitted
        before it runs first (a plain ``QThread.quit()`` would drop them). Their callbacks are
        not delivered: the app is closing.
        """
        thread = self._thread
        self._submit.emit(0, thread.quit)
        thread.wait()
        if DbWorker._default is self:
            DbWorker._default = None
