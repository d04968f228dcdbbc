"""Run something once a widget has painted: after the first window is drawn, or after a
screen has drawn the figures it loaded (so work that can wait does not slow that paint)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _AfterPaint(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            watched.removeEventFilter(self)
            QTimer.singleShot(0, then)  # once this paint event has been handled
            self.deleteLater()
        return False


def after_next_paint(widget: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` (once, on a later turn of the event loop) after ``widget``'s next paint.
    Nothing is called if the widget is never painted again: give a fallback if that matters."""
    _AfterPaint(widget, then)
