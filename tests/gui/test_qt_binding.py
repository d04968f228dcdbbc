"""Guards against a Qt binding that would crash the app after a few thousand DB jobs.

PySide6 6.12.0 drops a reference to ``True`` on every emit of a Python-defined signal; the
worker emits several per job, so the interpreter aborts after ~2,000 jobs. pyproject pins
below it; this test fails if a broken binding is installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(int)


def test_signal_emits_do_not_leak_references(qapp) -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.fired.connect(lambda value: received.append(value))
    before = sys.getrefcount(True)
    for i in range(500):
        emitter.fired.emit(i)
    assert len(received) == 500
    assert abs(sys.getrefcount(True) - before) < 50


def test_void_qt_calls_do_not_leak_none(qapp) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None)
    for i in range(500):
        label.setText(str(i))  # returns nothing
    assert abs(sys.getrefcount(None) - before) < 50
