"""One operation object for database work from a screen (after Anki's ``CollectionOp``).

::

    Op(self, lambda: casebook.tracker.add(...)) \\
        .success(self._added, text="Report saved.") \\
        .busy(self.save_button) \\
        .messages(self.banner) \\
        .run()

The job runs on the one DB thread (:class:`~casebook.ui.worker.DbWorker`); the callbacks run
back on the UI thread. The busy widgets are disabled while it runs. A failure becomes one calm
message (with its log entry, see :func:`~casebook.ui.kit.errors.user_message`), shown in the
banner or handed to the failure callback. An answer that arrives after its screen was deleted,
or cleared on lock (its ``op_epoch`` moved on), is dropped. After any job that wrote, the
worker itself sends the ``changed`` notice that every open screen reloads from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QMainWindow, QWidget

from casebook.ui.kit.errors import user_message
from casebook.ui.worker import DbWorker

T = TypeVar("T")


def alive(obj: object) -> bool:
    """True while ``obj`` is a Qt object whose C++ side still exists."""
    try:
        return obj is not None and shiboken6.isValid(obj)
    except Exception:
        return False


class MessageSink(Protocol):
    """Where an Op's messages go: a :class:`~casebook.ui.kit.banner.Banner`."""

    def show_error(self, text: str) -> None: ...

    def show_done(self, text: str) -> None: ...


class Op(Generic[T]):
    """Database work for one screen: build with the chained setters, then :meth:`run`."""

    def __init__(self, parent: QWidget, job: Callable[[], T], *, doing: str = "",
                 worker: DbWorker | None = None) -> None:
        self.parent = parent
        self.job = job
        self.doing = doing
        self.worker = worker or DbWorker.default()
        self._on_success: Callable[[T], None] | None = None
        self._success_text = ""
        self._on_failure: Callable[[str], None] | None = None
        self._busy: list[QWidget] = []
        self._sink: MessageSink | None = None

    def success(self, callback: Callable[[T], None] | None = None, *, text: str = "") -> Op[T]:
        """Run ``callback(result)`` on success, and/or show ``text`` (e.g. "Saved.")."""
        self._on_success = callback
        self._success_text = text
        return self

    def failure(self, callback: Callable[[str], None]) -> Op[T]:
        """Hand the calm message to ``callback`` instead of the banner or a dialog."""
        self._on_failure = callback
        return self

    def busy(self, *widgets: QWidget) -> Op[T]:
        """Disable ``widgets`` while the job runs (so a double click cannot save twice)."""
        self._busy.extend(widgets)
        return self

    def messages(self, sink: MessageSink) -> Op[T]:
        """Where the success text and the failure message go (a Banner)."""
        self._sink = sink
        return self

    # ----- running ------------------------------------------------------------------------
    def run(self) -> int:
        epoch = getattr(self.parent, "op_epoch", 0)
        was_enabled = [(w, w.isEnabled()) for w in self._busy]
        for widget, _enabled in was_enabled:
            widget.setEnabled(False)

        def current() -> bool:
            for widget, enabled in was_enabled:
                if alive(widget):
                    widget.setEnabled(enabled)
            return alive(self.parent) and getattr(self.parent, "op_epoch", 0) == epoch

        def done(result: T) -> None:
            if not current():
                return
            if self._on_success is not None:
                self._on_success(result)
            if self._success_text:
                self._tell_done(self._success_text)

        def failed(error: BaseException) -> None:
            message = user_message(error, self.doing)  # logged even when nobody sees it
            if not current():
                return
            self._tell_error(message)

        return self.worker.submit(self.job, done, failed)

    def _tell_done(self, text: str) -> None:
        if self._sink is not None and alive(self._sink):
            self._sink.show_done(text)
            return
        window = self.parent.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 8000)

    def _tell_error(self, message: str) -> None:
        if self._on_failure is not None:
            self._on_failure(message)
        elif self._sink is not None and alive(self._sink):
            self._sink.show_error(message)
        else:
            from casebook.ui import prompts

            prompts.error(self.parent.window(), "Casebook", message)


def flush_worker(worker: DbWorker, timeout_ms: int = 30_000) -> None:
    """Wait (with the UI still painting) until every job queued so far has run."""
    loop = QEventLoop()
    done = {"flag": False}

    def finish(_result: object = None) -> None:
        done["flag"] = True
        loop.quit()

    worker.submit(lambda: None, finish, finish)
    if not done["flag"]:
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()


__all__ = ["MessageSink", "Op", "alive", "flush_worker"]
