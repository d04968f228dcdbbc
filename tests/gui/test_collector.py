"""Cyclic garbage is collected on the GUI thread, never by a collection started elsewhere."""

from __future__ import annotations

import gc
import weakref

from casebook.ui.kit.collector import (
    MainThreadCollector,
    collect_on_this_thread,
    freeze_long_lived,
    thaw,
)


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


def test_the_workspace_frozen_at_unlock_is_left_alone_until_the_lock() -> None:
    workspace = _Cycle()
    gone = weakref.ref(workspace)
    freeze_long_lived()
    try:
        assert gc.get_freeze_count() > 0
        del workspace  # the workspace is closed: garbage, but frozen
        gc.collect()
        assert gone() is not None  # not even a full collection looks at it
    finally:
        thaw()  # as the lock does
    assert gc.get_freeze_count() == 0
    assert gone() is None  # collected by the lock itself
