"""A watchdog for stalls of the GUI thread's event loop, for the GUI tests.

A 5 ms timer on the GUI thread notes when it fires; a gap much longer than 5 ms means the
event loop was busy in one handler (filling a table, a query on the GUI thread) and the window
was frozen for that long. Two ways to use it:

- ``watch()`` blocks (the ``stalls`` fixture) around what a user does and waits for;
- the ``watch_stalls`` marker (``pytestmark`` of a screen's test module): the whole test body
  is watched, but only while the test is inside a pytest-qt wait or simulated input
  (``waitSignal``, ``waitUntil``, ``keyClicks``, ``mouseClick``…): that is when the app's own
  handlers run. The test's own set-up in its body (creating cases through the services) runs
  outside them and is not counted, nor are fixtures.

Each gap is measured twice: wall-clock time, and the CPU time the GUI thread spent in it
(``time.thread_time``). This 2-core CI machine is shared by several test runs, so wall-clock
gaps include time the process simply was not scheduled (a busy loop of 300 ms by the clock
got 100 ms of CPU here under load); CPU time is what the GUI thread itself did, which hardly
grows with the machine's load. A test fails when the GUI thread worked for more than
``CASEBOOK_STALL_LIMIT_MS`` of CPU time without returning to the event loop: 100 ms by default,
twice the product target (issue #13), because CPU time still grows somewhat on a shared machine
(caches, clock speed) and the test process's heap is far bigger than the app's; every gap over
the 50 ms target, by the clock or in CPU time, is listed in the summary at the end of the run
(``CASEBOOK_STALL_LIMIT_MS=50`` on a quiet machine holds the suite to the target itself).
Performance is measured in bench/, not here.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QTimer

TARGET_MS = 50.0
TICK_MS = 5


def limit_ms() -> float:
    """The GUI thread's CPU time without a return to the event loop that fails a test."""
    return float(os.environ.get("CASEBOOK_STALL_LIMIT_MS", "100"))


@dataclass
class Stall:
    label: str
    ms: float  # the longest wall-clock gap
    cpu_ms: float = 0.0  # the most CPU time the GUI thread spent in one gap


class _Gaps:
    """The longest gaps between ticks (and marks) while ``counting``."""

    def __init__(self, stall: Stall) -> None:
        self.stall = stall
        self.counting = True
        self._wall = time.perf_counter()
        self._cpu = time.thread_time()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.mark)

    def restart(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.thread_time()

    def mark(self) -> None:
        if not self.counting:
            return
        wall, cpu = time.perf_counter(), time.thread_time()
        self.stall.ms = max(self.stall.ms, (wall - self._wall) * 1000 - TICK_MS)
        self.stall.cpu_ms = max(self.stall.cpu_ms, (cpu - self._cpu) * 1000)
        self._wall, self._cpu = wall, cpu


@dataclass
class StallWatch:
    """The longest gap between ticks seen in each ``watch()`` block."""

    stalls: list[Stall] = field(default_factory=list)

    @contextmanager
    def watch(self, label: str) -> Iterator[Stall]:
        gaps = _Gaps(Stall(label, 0.0))
        gaps.timer.start()
        try:
            yield gaps.stall
            gaps.mark()  # the gap up to the end of the block counts too
        finally:
            gaps.timer.stop()
            self.stalls.append(gaps.stall)

    def over(self, limit: float) -> list[Stall]:
        """Blocks where the GUI thread worked for more than ``limit`` ms in one go."""
        return [s for s in self.stalls if s.cpu_ms > limit]


class TestBodyWatch:
    """Watches a whole test body, counting only inside pytest-qt's waits and input."""

    __test__ = False  # not a test class

    def __init__(self, label: str) -> None:
        self.gaps = _Gaps(Stall(label, 0.0))
        self.gaps.counting = False
        self._depth = 0

    @property
    def stall(self) -> Stall:
        return self.gaps.stall

    def enter(self) -> None:
        if self._depth == 0:
            self.gaps.restart()  # the test's own code before this does not count
            self.gaps.counting = True
        self._depth += 1

    def leave(self) -> None:
        self.gaps.mark()  # up to the end of the wait or the input
        self._depth -= 1
        if self._depth == 0:
            self.gaps.counting = False

    def __enter__(self) -> TestBodyWatch:
        global _ACTIVE
        _ACTIVE = self
        self.gaps.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        global _ACTIVE
        self.gaps.timer.stop()
        _ACTIVE = None


_ACTIVE: TestBodyWatch | None = None


def _counted(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        watch = _ACTIVE
        if watch is None:
            return fn(*args, **kwargs)
        watch.enter()
        try:
            return fn(*args, **kwargs)
        finally:
            watch.leave()

    return inner


#: pytest-qt's input and waiting: while a test is in one of these, the app's handlers run.
_QTBOT_METHODS = ("keyClick", "keyClicks", "keyEvent", "keyPress", "keyRelease", "keySequence",
                  "mouseClick", "mouseDClick", "mouseMove", "mousePress", "mouseRelease",
                  "waitActive", "waitExposed")


def install() -> None:
    """Wrap pytest-qt's waits and input so a ``TestBodyWatch`` knows when to count."""
    from pytestqt import wait_signal
    from pytestqt.qtbot import QtBot

    for cls in (wait_signal._AbstractSignalBlocker, wait_signal.CallbackBlocker):
        if not getattr(cls.wait, "_stall_watch", False):
            cls.wait = _counted(cls.wait)  # type: ignore[method-assign]
            cls.wait._stall_watch = True  # type: ignore[attr-defined]
    for name in _QTBOT_METHODS:
        raw = QtBot.__dict__.get(name)
        static = isinstance(raw, staticmethod)
        func = raw.__func__ if static else raw  # type: ignore[union-attr]
        if func is None or getattr(func, "_stall_watch", False):
            continue
        wrapped = _counted(func)
        wrapped._stall_watch = True  # type: ignore[attr-defined]
        setattr(QtBot, name, staticmethod(wrapped) if static else wrapped)
