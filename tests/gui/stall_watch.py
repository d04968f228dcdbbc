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

One thing inside a watched body is not counted: the app's own start (``CasebookApp.start``)
up to its first window's first paint. In the real app that runs before the event loop starts
and before any window exists, so there is no window to freeze; a test that starts the app and
then waits would otherwise count the start (imports, building the window, its first layout
and paint: 41-75 ms here) as a stall. ``bench/bench_start.py`` times it as the cold start.
Everything after that first paint counts, the warm-up and the unlock included.

Each gap is measured twice: wall-clock time, and the CPU time the GUI thread spent in it
(``time.thread_time``). This 2-core CI machine is shared by several test runs, so wall-clock
gaps include time the process simply was not scheduled (a busy loop of 300 ms by the clock
got 100 ms of CPU here under load); CPU time is what the GUI thread itself did, which hardly
grows with the machine's load. A test fails when the GUI thread worked for more than
``CASEBOOK_STALL_LIMIT_MS`` of CPU time without returning to the event loop: 50 ms by default,
the product target (issue #13); every gap over the target, by the clock or in CPU time, is
listed in the summary at the end of the run, with the worst of each test file. Performance is
measured in bench/, not here.
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
from PySide6.QtWidgets import QWidget

TARGET_MS = 50.0
TICK_MS = 5


def limit_ms() -> float:
    """The GUI thread's CPU time without a return to the event loop that fails a test."""
    return float(os.environ.get("CASEBOOK_STALL_LIMIT_MS", str(TARGET_MS)))


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
        self.excluded = False  # the app's start, up to its first window's first paint
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
        if self.excluded:
            self._wall, self._cpu = wall, cpu
            return
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

    def exclude_until_painted(self, window: QWidget) -> None:
        """Count nothing from now until ``window``'s first paint has been handled."""
        from casebook.ui.kit.paint import after_next_paint

        def painted() -> None:
            self.gaps.restart()
            self.gaps.excluded = False

        self.gaps.excluded = True
        after_next_paint(window, painted)

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


def _started(start: Callable[..., QWidget]) -> Callable[..., QWidget]:
    """``CasebookApp.start``, not counted up to its first window's first paint."""

    @functools.wraps(start)
    def inner(*args: Any, **kwargs: Any) -> QWidget:
        watch = _ACTIVE
        if watch is None:
            return start(*args, **kwargs)
        watch.gaps.excluded = True
        window = start(*args, **kwargs)
        watch.exclude_until_painted(window)
        return window

    inner._stall_watch = True  # type: ignore[attr-defined]
    return inner


def install() -> None:
    """Wrap pytest-qt's waits and input so a ``TestBodyWatch`` knows when to count, and the
    app's start so it knows what not to count."""
    from pytestqt import wait_signal
    from pytestqt.qtbot import QtBot

    from casebook.ui.app import CasebookApp

    if not getattr(CasebookApp.start, "_stall_watch", False):
        CasebookApp.start = _started(CasebookApp.start)  # type: ignore[method-assign]

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
