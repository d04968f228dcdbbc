"""Cyclic garbage is collected on the GUI thread, never by a collection started elsewhere."""

from __future__ import annotations

import gc
import weakref

from casebook.ui.kit.collector import MainThreadCollector


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
