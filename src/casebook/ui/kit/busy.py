"""The thin "working…" bar shown while a slow job runs (it has no end, only movement)."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QWidget


def busy_bar(parent: QWidget, name: str = "Working", *, width: int | None = None,
             height: int = 8) -> QProgressBar:
    """A hidden, indeterminate progress bar with the accessible name ``name``; show it while
    the job runs. ``width`` caps its width (it fills the row otherwise)."""
    bar = QProgressBar(parent)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(height)
    if width is not None:
        bar.setMaximumWidth(width)
    bar.setAccessibleName(name)
    bar.hide()
    return bar


__all__ = ["busy_bar"]
