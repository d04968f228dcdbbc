"""Window sizes that fit the screen the window is on (a 1366×768 laptop leaves about 690 px
for a dialog once the taskbar and the title bar are drawn)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: Room kept for the title bar and the window frame, which Qt counts outside the window.
FRAME_ALLOWANCE = (16, 40)


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width``×``height``, but no larger than its screen's available
    area (never smaller than the window's minimum, so nothing is squeezed)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width = min(width, area.width() - FRAME_ALLOWANCE[0])
        height = min(height, area.height() - FRAME_ALLOWANCE[1])
    least = window.minimumSizeHint()
    window.resize(max(width, least.width()), max(height, least.height()))


__all__ = ["fit_to_screen"]
