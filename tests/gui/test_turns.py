"""Steps spread with ``kit.turns.next_turn`` let the event loop's timers (and so input and
paint) run between them; a chain of zero timers ran its steps two at a time."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from casebook.ui.kit.turns import next_turn


def _busy(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def _run_steps(qtbot, schedule: Callable[[QObject, Callable[[], None]], None]) -> list[str]:  # type: ignore[no-untyped-def]
    events: list[str] = []
    context = QObject()
    ticker = QTimer()
    ticker.setInterval(1)
    ticker.timeout.connect(lambda: events.append("tick"))
    left = [4]

    def step() -> None:
        _busy(0.01)  # each step is due longer than the ticker's interval
        events.append("step")
        left[0] -= 1
        if left[0]:
            schedule(context, step)

    ticker.start()
    schedule(context, step)
    qtbot.waitUntil(lambda: not left[0])
    ticker.stop()
    return events


def test_the_event_loop_runs_its_timers_between_the_steps(qtbot) -> None:  # type: ignore[no-untyped-def]
    events = _run_steps(qtbot, next_turn)
    steps = "".join("s" if e == "step" else "t" for e in events).strip("t")
    assert steps.count("s") == 4
    assert "ss" not in steps  # a timer ran between every two steps


def test_zero_timers_ran_two_steps_back_to_back(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Why next_turn exists: what the app's chains used before."""
    events = _run_steps(qtbot, lambda context, step: QTimer.singleShot(0, context, step))
    steps = "".join("s" if e == "step" else "t" for e in events).strip("t")
    assert "ss" in steps
