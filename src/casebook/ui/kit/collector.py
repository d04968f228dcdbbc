"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, a collection starts on whichever thread happens to allocate, the database
thread included, and may then finalise Qt objects that belong to the GUI thread: Qt crashes
(seen as a segfault while the database thread committed and a window was closing). As Anki
does, automatic collection is switched off and the GUI thread collects on a timer instead.

Each collection freezes the window for as long as it takes, so it is the generation Python's
own collector would have chosen, not a full one: a full collection of the unlocked app's heap
(about 280,000 objects: Qt, SQLAlchemy, the screens) took 100-120 ms of the GUI thread, and the
timer ran one about every second while the app was in use. A young collection takes well under
a millisecond. Once the workspace is built its objects are frozen (``gc.freeze``: they live as
long as the window), so even the rare full collection looks only at what came after; locking
thaws them, so what the closed workspace leaves in cycles is collected then: once the locked
screen has been painted (that full collection takes 100-200 ms, and the "Locked" screen should
not wait for it).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from casebook.ui.kit.paint import after_next_paint

#: How often the GUI thread looks at the collector's counts.
INTERVAL_MS = 1000


def collect_on_this_thread() -> int | None:
    """A collection now, on the calling (GUI) thread, if enough has been allocated since the
    last one, of the generation the automatic collector would pick (its thresholds and its
    rule: an older generation once more of the younger's collections than its threshold have
    run since its own). Returns the generation collected, or None."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] < (thresholds[0] or 700):
        return None
    generation = 0
    for older in (1, 2):
        if counts[older] > thresholds[older]:
            generation = older
    gc.collect(generation)
    return generation


def freeze_long_lived() -> None:
    """Leave every object alive now out of future collections (the workspace is built: its
    screens, the modules and their classes live as long as the window)."""
    gc.freeze()


def thaw() -> None:
    """At lock: the closed workspace's objects back into the collections, and collected now
    (the window changes anyway; the case text it held does not wait in memory)."""
    gc.unfreeze()
    gc.collect()


#: At most this long after the lock the collection runs even if the window was not painted
#: (minimised, or hidden behind another window).
THAW_FALLBACK_MS = 1000


def thaw_once_painted(screen: QWidget) -> None:
    """:func:`thaw`, once ``screen`` (the unlock screen the lock shows) has been painted, or
    after :data:`THAW_FALLBACK_MS` if it is not painted by then; once either way."""
    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            thaw()

    after_next_paint(screen, run)
    QTimer.singleShot(THAW_FALLBACK_MS, run)


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
