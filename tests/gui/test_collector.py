"""Cyclic garbage is collected on the GUI thread, never by a collection started elsewhere."""

from __future__ import annotations

import gc
import weakref

from casebook.ui.kit.collector import MainThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_and_the_gui_thread_collects_on_its_timer(qtbot) -> None:  # type: ignore[no-untyped-def]
    gc.enable()
    collector = MainThreadCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        garbage = _Cycle()
        gone = weakref.ref(garbage)
        del garbage
        for _ in range(gc.get_threshold()[0] + 1):  # allocate past the collector's threshold
            _Cycle()
        qtbot.waitUntil(lambda: gone() is None, timeout=5000)
    finally:
        collector.stop()
        gc.disable()  # the suite's own setting (tests/gui/conftest.py)
    assert gone() is None
