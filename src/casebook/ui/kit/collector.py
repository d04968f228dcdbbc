"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, a collection starts on whichever thread happens to allocate, the database
thread included, and may then finalise Qt objects that belong to the GUI thread: Qt crashes
(seen as a segfault while the database thread committed and a window was closing). As Anki
does, automatic collection is switched off and the GUI thread collects on a timer instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts.
INTERVAL_MS = 1000


def collect_on_this_thread() -> None:
    """A collection now, on the calling (GUI) thread, if enough has been allocated since the
    last one (the same threshold the automatic collector would use)."""
    threshold = gc.get_threshold()[0] or 700
    if gc.get_count()[0] >= threshold:
        gc.collect()


class MainThreadCollector(QObject):
    """Switches automatic collection off and collects on a timer on the GUI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(collect_on_this_thread)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
