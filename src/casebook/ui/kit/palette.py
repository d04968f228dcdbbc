"""Every colour the screens use, in one place, for the light and the dark scheme.

Colours are chosen for text contrast of at least 4.5:1 on the window background of their
scheme (large numbers and chart bars 3:1). Screens ask for a role ("warning", "done") and never
write a colour themselves.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

#: Distinct, colour-blind-friendly series colours for charts (Okabe–Ito based).
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7f7f7f",
          "#F0E442")

#: (light scheme, dark scheme) for each role.
ROLES: dict[str, tuple[str, str]] = {
    "warning": ("#b71c1c", "#ff8a80"),      # errors, overdue, "never backed up"
    "done": ("#1b5e20", "#81c784"),         # finished, in date
    "attention": ("#7a4f00", "#ffd180"),    # waiting for an answer
    "accent": ("#1f3a5f", "#90caf9"),       # neutral headline numbers
    "info": ("#0b5394", "#90caf9"),
    "risk-critical": ("#8a1c1c", "#ff8a80"),
    "risk-high": ("#a33a00", "#ffab91"),
    "risk-medium": ("#7a4f00", "#ffd180"),
    "risk-low": ("#1b5e20", "#81c784"),
    "outcome-removed": ("#00704f", "#81c784"),
    "outcome-refused": ("#a33a00", "#ffab91"),
    "outcome-unanswered": ("#7a4f00", "#ffd180"),
    "outcome-other": ("#5f5f5f", "#bdbdbd"),
    "tint-warning": ("#fde2e1", "#4a1c1c"),  # backgrounds behind normal text
    "tint-attention": ("#fff3d6", "#4a3a12"),
    "tint-heading": ("#e8edf3", "#263445"),
    "border-attention": ("#d9a400", "#d9a400"),
}


def is_dark(widget: QWidget | None = None) -> bool:
    palette = widget.palette() if widget is not None else QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colour(role: str, widget: QWidget | None = None) -> QColor:
    """The colour for ``role`` on the scheme ``widget`` (or the app) is showing."""
    light, dark = ROLES[role]
    return QColor(dark if is_dark(widget) else light)


def hex_colour(role: str, widget: QWidget | None = None) -> str:
    return colour(role, widget).name()


def warning_colour(widget: QWidget | None = None) -> QColor:
    """Red text that stays readable on the light and the dark scheme."""
    return colour("warning", widget)


def done_colour(widget: QWidget | None = None) -> QColor:
    return colour("done", widget)


def muted_colour(widget: QWidget | None = None) -> QColor:
    """Secondary text: between the text and the background, still readable (about 5:1)."""
    palette = widget.palette() if widget is not None else QApplication.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mix = 0.62
    return QColor(round(text.red() * mix + back.red() * (1 - mix)),
                  round(text.green() * mix + back.green() * (1 - mix)),
                  round(text.blue() * mix + back.blue() * (1 - mix)))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(c: QColor) -> float:
        def channel(v: int) -> float:
            x = v / 255
            return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
