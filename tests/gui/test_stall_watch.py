"""The GUI stall watchdog notices a handler that blocks the event loop, and not idle waiting."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from stall_watch import StallWatch


def _busy(seconds: float) -> None:
    """Keep the GUI thread busy (as a slow handler would), without sleeping."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_a_blocking_handler_is_measured(qtbot) -> None:  # type: ignore[no-untyped-def]
    watch = StallWatch()
    done: list[bool] = []
    with watch.watch("a slow handler") as stall:
        QTimer.singleShot(20, lambda: (_busy(0.3), done.append(True)))
        qtbot.waitUntil(lambda: bool(done))
        qtbot.wait(20)  # let the watchdog's timer see the loop again
    assert stall.ms >= 250
    assert watch.over(200) == [stall]


def test_waiting_with_a_free_event_loop_is_not_a_stall(qtbot) -> None:  # type: ignore[no-untyped-def]
    watch = StallWatch()
    with watch.watch("idle") as stall:
        qtbot.wait(200)
    assert stall.ms < 200  # the loop was free the whole time (generous: a loaded machine)
