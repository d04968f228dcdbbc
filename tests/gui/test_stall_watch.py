"""The GUI stall watchdog notices a handler that blocks the event loop, and not idle waiting
nor the test's own code."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from stall_watch import StallWatch


def _busy(seconds: float) -> None:
    """Keep the GUI thread busy (as a slow handler would) for ``seconds`` of its CPU time,
    without sleeping (on a loaded machine that takes longer by the clock)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
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


def test_a_watched_test_body_counts_handlers_in_waits_not_the_tests_own_code(qtbot) -> None:  # type: ignore[no-untyped-def]
    from stall_watch import TestBodyWatch

    with TestBodyWatch("body") as watch:
        _busy(0.2)  # the test's own set-up, outside any wait: not the app's doing
        qtbot.wait(20)
        assert watch.stall.cpu_ms < 100
        done: list[bool] = []
        QTimer.singleShot(10, lambda: (_busy(0.2), done.append(True)))
        qtbot.waitUntil(lambda: bool(done))  # a handler that blocks while the test waits
    assert watch.stall.cpu_ms >= 150 and watch.stall.ms >= 150


def test_a_handler_run_by_simulated_input_is_counted(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit
    from stall_watch import TestBodyWatch

    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.textEdited.connect(lambda _text: _busy(0.2))
    with TestBodyWatch("typing") as watch:
        qtbot.keyClick(edit, "a")
    assert watch.stall.cpu_ms >= 150


def test_the_apps_start_up_to_its_first_paint_is_not_counted_and_what_follows_is(qtbot) -> None:  # type: ignore[no-untyped-def]
    """In the real app the start runs before the event loop and any window: the cold start,
    timed in bench/, not a stall. From the first window's first paint on, everything counts."""
    from PySide6.QtWidgets import QWidget
    from stall_watch import TestBodyWatch, _started

    class SlowFirstPaint(QWidget):
        painted = 0

        def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
            super().paintEvent(event)
            self.painted += 1
            if self.painted == 1:
                _busy(0.2)  # a first layout and paint as slow as a cold start's

    def start() -> QWidget:
        _busy(0.2)  # imports, building the window
        window = SlowFirstPaint()
        qtbot.addWidget(window)
        window.show()
        return window

    with TestBodyWatch("body") as watch:
        window = _started(start)()
        qtbot.waitUntil(lambda: window.painted > 0)
        qtbot.wait(20)
        assert watch.stall.cpu_ms < 100  # the start and the first paint: not counted
        done: list[bool] = []
        QTimer.singleShot(10, lambda: (_busy(0.2), done.append(True)))
        qtbot.waitUntil(lambda: bool(done))  # the window is up: this freezes it
    assert watch.stall.cpu_ms >= 150
