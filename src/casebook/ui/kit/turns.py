"""Work spread over turns of the event loop, so the window paints and takes input between.

``QTimer.singleShot(0, ...)`` is not a turn: Qt delivers a zero timer as a posted event, and
one posted while the posted events are being handled runs in the same pass, before any timer,
input or paint. A chain of zero timers ran its steps two at a time (two 20 ms steps: a 40 ms
freeze). A timer of one millisecond goes through the timer list like every other timer, so
input, paint and other timers come between the steps.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: The wait before the next step: long enough to be a real timer, too short to notice.
TURN_MS = 1


def next_turn(context: QObject, step: Callable[[], object]) -> None:
    """Call ``step`` on a later turn of the event loop (dropped if ``context`` is deleted)."""
    QTimer.singleShot(TURN_MS, context, step)
