"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, a collection starts on whichever thread happens to allocate, the database
thread included, and may then finalise Qt objects that belong to the GUI thread: Qt crashes
(seen as a segfault while the database thread committed and a window was closing). As Anki
does, automatic collection is switched off and the GUI thread collects on a timer instead.

Each collection freezes the window for as long as it takes, so it is the generation Python's
own collector would have chosen, not a full one: a full collection of the unlocked app's heap
(about 280,000 objects: Qt, SQLAlchemy, the screens) took 100-120 ms of the GUI thread, and the
timer ran one about every second while the app was in use. A young collection takes well under
a millisecond.

What lives as long as the app (the modules, the window, the workspace built while locked:
about 140,000 objects) is frozen out of every later collection (``gc.freeze``) once the
start-up warm-up is done, while nothing of a casebook exists yet (:class:`SessionHeap`). A
casebook's session (the screens built at unlock, the cases opened, the database objects:
about 15,000) is then all a full collection looks at, so even the rare one is a few
milliseconds, and the lock collects what the closed session left in cycles in one of them,
once the locked screen has been painted. (Freezing the whole heap at unlock instead meant
thawing it all at lock: a full collection of 100-200 ms while the user might be typing the
passphrase again.) Frozen objects are still freed the moment nothing refers to them; only a
cycle among them would wait, which is why nothing is frozen while a casebook could be alive.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

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


#: At most this long after the lock the collection runs even if the window was not painted
#: (minimised, or hidden behind another window).
THAW_FALLBACK_MS = 1000
#: While the app is not idle (work on the database thread), the freeze waits this long, this
#: many times at most (a session opened meanwhile, or the next lock, tries again).
IDLE_RETRY_MS = 250
IDLE_TRIES = 40


class SessionHeap:
    """Which objects a full collection looks at: a session's, not the app's.

    - :meth:`app_ready` once the warm-up has built the locked window's workspace: everything
      alive lives as long as the app, frozen, if nothing of a casebook can be alive
      (``idle``: no casebook open or being opened, the database thread has nothing to do);
    - :meth:`session_open` when a casebook's screens are built;
    - :meth:`session_closed` at lock: the session's cycles collected (a few ms).

    Before those, :meth:`imports_done` freezes what the start-up's imports made (nearly all of
    the app's objects), at a moment the database thread holds still for it: so a session that
    opens before the warm-up is done (the demo, the first run, a passphrase typed at once) is
    not frozen with the app, and its first lock collects only the session and what the GUI
    built since. Only if even that was missed is the session frozen with the app at unlock, as
    the only way to keep full collections short while it is open, and the first lock thaws and
    collects everything once (100-200 ms).
    """

    def __init__(self) -> None:
        self.app_frozen = False
        self.imports_frozen = False
        self._session_frozen = False

    def imports_done(self) -> None:
        """Freeze everything alive: call only while no casebook can exist or be in the making
        (the database thread, which makes them, waits for this: see ``CasebookApp``)."""
        if self.app_frozen or self.imports_frozen or self._session_frozen:
            return
        gc.collect(0)
        gc.freeze()
        self.imports_frozen = True

    def app_ready(self, idle: Callable[[], bool], tries: int = IDLE_TRIES) -> None:
        """Freeze the app now if ``idle``; if not (the database thread is still busy, e.g.
        the unlock screen asks how long to wait), look again a little later, a few times."""
        if self.app_frozen or self._session_frozen:
            return
        if not idle():
            if tries > 1:
                QTimer.singleShot(IDLE_RETRY_MS, lambda: self.app_ready(idle, tries - 1))
            return
        gc.collect(0)  # the young garbage; an older generation would look at the whole heap
        gc.freeze()
        self.app_frozen = True

    def session_open(self) -> None:
        if not (self.app_frozen or self.imports_frozen or self._session_frozen):
            gc.freeze()
            self._session_frozen = True

    def session_closed(self, idle: Callable[[], bool]) -> None:
        """Collect what the closed session left (its case text does not wait in memory)."""
        if self._session_frozen:
            gc.unfreeze()
            self._session_frozen = False
        gc.collect()  # every generation, but not the frozen app
        self.app_ready(idle)

    def session_closed_once_painted(self, screen: QWidget, idle: Callable[[], bool]) -> None:
        """:meth:`session_closed` once ``screen`` (the unlock screen the lock shows) has been
        painted, or after :data:`THAW_FALLBACK_MS` if it is not painted by then; once."""
        done = False

        def run() -> None:
            nonlocal done
            if not done:
                done = True
                self.session_closed(idle)

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
