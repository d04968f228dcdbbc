"""Lock after a spell without use (KeePassXC style).

An event filter on the whole application restarts one single-shot timer on every key press,
click, scroll or mouse move in any Casebook window; when the timer runs out, ``idle`` fires and
the main window locks. Nothing here touches the casebook itself.

The filter is installed only while the countdown runs (unlocked). An application-wide filter
written in Python is called for every event Qt delivers, not only input: building the
workspace at unlock delivers about 10,000 (polish, layout, child events), and while locked
there is nothing to count down. For the same reason code that builds a screen while unlocked
does it inside :func:`unwatched`: no input can arrive while the GUI thread is busy building,
so the filter steps aside for it (building the checklist screen took 17-21 ms without it,
30-48 ms with it, in the GUI tests).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QTimer, Signal

from casebook.ui.kit.by_name import set_by_name

DEFAULT_MINUTES = 5
MIN_MINUTES = 1
MAX_MINUTES = 240

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
    QEvent.Type.Shortcut,
})


#: The idle locks whose filter is installed (one per main window).
_LISTENING: weakref.WeakSet[IdleLock] = weakref.WeakSet()


@contextmanager
def unwatched() -> Iterator[None]:
    """Build widgets without every event they send passing through the idle locks' filters
    (the GUI thread is busy: no input reaches a filter meanwhile)."""
    paused = [lock for lock in list(_LISTENING) if lock._app is not None]
    for lock in paused:
        lock._app.removeEventFilter(lock)  # type: ignore[union-attr]
    try:
        yield
    finally:
        for lock in paused:
            if lock in _LISTENING and lock._app is not None:
                lock._app.installEventFilter(lock)


class IdleLock(QObject):
    """Emits ``idle`` once after ``interval_ms`` without user input, while running."""

    idle = Signal()

    def __init__(self, minutes: float = DEFAULT_MINUTES, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        set_by_name(self._timer, "timerType", "PreciseTimer")  # one timer: precision is free
        self._timer.timeout.connect(self._expired)
        self.set_minutes(minutes)
        self._last_pointer = QPoint()
        self._app = QCoreApplication.instance()

    # ----- settings ---------------------------------------------------------------------
    def set_minutes(self, minutes: float) -> None:
        minutes = max(MIN_MINUTES, min(MAX_MINUTES, float(minutes)))
        self.set_interval_ms(int(minutes * 60_000))

    def set_interval_ms(self, interval_ms: int) -> None:
        """The idle time in milliseconds (tests use a tiny value; the UI uses minutes)."""
        self._timer.setInterval(max(1, int(interval_ms)))
        if self._timer.isActive():
            self._timer.start()

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    # ----- running ----------------------------------------------------------------------
    def start(self) -> None:
        if self._app is not None:
            self._app.installEventFilter(self)  # once: installing again only moves it first
            _LISTENING.add(self)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        _LISTENING.discard(self)
        if self._app is not None:
            self._app.removeEventFilter(self)

    def poke(self) -> None:
        """Count as activity (restart the countdown) if running."""
        if self._timer.isActive():
            self._timer.start()

    def _expired(self) -> None:
        self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in _ACTIVITY and self._timer.isActive():
            if kind == QEvent.Type.MouseMove:
                # Qt sends made-up moves when a widget appears under a still pointer; only a
                # pointer that really moved counts as someone using the computer.
                position = event.globalPosition().toPoint()  # type: ignore[attr-defined]
                if not event.spontaneous() or position == self._last_pointer:
                    return False
                self._last_pointer = position
            self._timer.start()
        return False

    def detach(self) -> None:
        """Stop and remove the application-wide filter (when the main window goes away)."""
        self.stop()
        self._app = None
