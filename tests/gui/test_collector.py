"""Cyclic garbage is collected on the GUI thread, never by a collection started elsewhere."""

from __future__ import annotations

import gc
import weakref

from casebook.ui.kit.collector import MainThreadCollector, SessionHeap, collect_on_this_thread


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _allocate_past_the_threshold(keep: list[_Cycle]) -> bool:
    """Allocate until the collector's threshold is reached (processing events frees objects
    and lowers the count again, so this tops it up each time it is asked)."""
    while gc.get_count()[0] < gc.get_threshold()[0]:
        keep.append(_Cycle())
    return True


def test_automatic_collection_is_off_and_the_gui_thread_collects_on_its_timer(qtbot) -> None:  # type: ignore[no-untyped-def]
    gc.enable()
    collector = MainThreadCollector(interval_ms=10)
    keep: list[_Cycle] = []
    try:
        assert not gc.isenabled()
        garbage = _Cycle()
        gone = weakref.ref(garbage)
        del garbage
        qtbot.waitUntil(lambda: _allocate_past_the_threshold(keep) and gone() is None,
                        timeout=5000)
    finally:
        collector.stop()
        gc.disable()  # the suite's own setting (tests/gui/conftest.py)
    assert gone() is None


def test_without_the_collector_cyclic_garbage_stays_until_the_gui_thread_collects() -> None:
    """What the suite relies on: with automatic collection off, nothing collects by itself."""
    assert not gc.isenabled()
    garbage = _Cycle()
    gone = weakref.ref(garbage)
    del garbage
    keep: list[_Cycle] = []
    _allocate_past_the_threshold(keep)
    assert gone() is not None
    gc.collect()
    assert gone() is None


def test_the_timer_collects_the_young_generation_and_the_old_one_only_as_python_would() -> None:
    """A full collection of the app's heap froze the window for 100 ms every second; the
    generations are chosen as Python's own collector chooses them."""
    _young, middle, old = gc.get_threshold()
    # Python's rule: an older generation once its count is over its threshold, so with
    # (700, 10, 10): every 12th collection is a middle one, the one after the 11th middle one
    # a full one.
    every_middle = middle + 2
    full = every_middle * (old + 1) + 1
    gc.collect()
    keep: list[_Cycle] = []
    generations = []
    for _ in range(full + 5):
        _allocate_past_the_threshold(keep)
        generations.append(collect_on_this_thread())
    assert generations[0] == 0
    assert generations.index(1) == every_middle - 1
    assert generations.index(2) == full - 1
    assert generations.count(2) == 1
    assert generations.count(0) > generations.count(1) > generations.count(2)
    keep.clear()
    assert collect_on_this_thread() is None  # nothing allocated since: nothing to do
    gc.collect()


def test_the_app_frozen_before_a_session_is_left_out_and_the_lock_collects_the_session() -> None:
    heap = SessionHeap()
    app_cycle = _Cycle()  # lives as long as the app (the window, a module's objects)
    app_object = weakref.ref(app_cycle)
    try:
        heap.app_ready(idle=lambda: True)
        assert heap.app_frozen and gc.get_freeze_count() > 0
        frozen = gc.get_freeze_count()
        heap.session_open()  # the session's objects stay in the collections
        session = _Cycle()
        gone = weakref.ref(session)
        del session  # closed: garbage in a cycle
        del app_cycle  # even if the app dropped a frozen cycle, no collection looks at it
        heap.session_closed(idle=lambda: True)
        assert gone() is None  # the lock handed the session back
        assert gc.get_freeze_count() == frozen  # without thawing the app: a short collection
        assert app_object() is not None
    finally:
        gc.unfreeze()
        gc.collect()
    assert app_object() is None


def test_nothing_is_frozen_while_a_casebook_may_be_alive() -> None:
    heap = SessionHeap()
    heap.app_ready(idle=lambda: False)  # e.g. the keyring is opening the casebook
    assert not heap.app_frozen and gc.get_freeze_count() == 0
    heap.session_open()  # then a session without the app frozen first: frozen with it
    try:
        session = _Cycle()
        gone = weakref.ref(session)
        heap.session_closed(idle=lambda: False)  # the user is unlocking again already
        assert gc.get_freeze_count() == 0 and not heap.app_frozen
        del session
        heap.session_closed(idle=lambda: True)  # this lock: everything thawed and collected
        assert gone() is None
        assert heap.app_frozen  # and the app frozen now, for the sessions after it
    finally:
        gc.unfreeze()


def test_a_session_opened_before_the_app_was_frozen_is_thawed_and_collected_at_lock() -> None:
    heap = SessionHeap()
    session = _Cycle()
    gone = weakref.ref(session)
    heap.session_open()  # the demo, the first run, an unlock before the warm-up was done
    try:
        assert gc.get_freeze_count() > 0  # full collections while open skip the heap
        heap.app_ready(idle=lambda: True)  # the warm-up ends during the session: no change
        assert not heap.app_frozen
        del session
        gc.collect()
        assert gone() is not None  # frozen with the session
        heap.session_closed(idle=lambda: True)
        assert gone() is None
    finally:
        gc.unfreeze()
