"""Colours that stay readable: WCAG contrast, and text colours taken from the OS palette.

Every colour that carries text is checked against what it is drawn on: at least 4.5:1 for
ordinary text and 3:1 for large text (WCAG 2.1, 1.4.3). Colours start from ``QPalette`` where
one fits (so the OS's dark and high-contrast themes are followed) and are only darkened or
lightened as far as needed to reach the ratio. Brand and chart colours (the Okabe–Ito set) are
kept for fills; when one is used for text it goes through :func:`readable_text`.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

#: WCAG 2.1 AA: ordinary text, and large text (18 pt, or 14 pt bold, and above).
TEXT_RATIO = 4.5
LARGE_TEXT_RATIO = 3.0

#: Semantic text colours for a light and a dark window; checked by tests/gui/test_contrast.py.
LIGHT_TEXT = {"warning": "#b71c1c", "done": "#1b5e20", "caution": "#7a4f00", "link": "#0b57d0"}
DARK_TEXT = {"warning": "#ff8a80", "done": "#81c784", "caution": "#ffcc80", "link": "#8ab4f8"}


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: QColor) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    return (0.2126 * _channel(colour.red()) + 0.7152 * _channel(colour.green())
            + 0.0722 * _channel(colour.blue()))


def contrast(a: QColor | str, b: QColor | str) -> float:
    """WCAG contrast ratio between two colours, 1 to 21."""
    la, lb = relative_luminance(QColor(a)), relative_luminance(QColor(b))
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)


def _towards(colour: QColor, target: QColor, amount: float) -> QColor:
    return QColor(round(colour.red() + (target.red() - colour.red()) * amount),
                  round(colour.green() + (target.green() - colour.green()) * amount),
                  round(colour.blue() + (target.blue() - colour.blue()) * amount))


def adjust_for_contrast(colour: QColor | str, against: QColor | str,
                        ratio: float = TEXT_RATIO) -> QColor:
    """``colour`` moved towards black or white (whichever ``against`` is further from) just
    far enough to reach ``ratio``; unchanged when it already does."""
    colour, against = QColor(colour), QColor(against)
    if contrast(colour, against) >= ratio:
        return colour
    target = QColor("#000000") if relative_luminance(against) > 0.18 else QColor("#ffffff")
    low, high = 0.0, 1.0
    for _ in range(20):  # bisect to the smallest change that is enough
        middle = (low + high) / 2
        if contrast(_towards(colour, target, middle), against) >= ratio:
            high = middle
        else:
            low = middle
    return _towards(colour, target, high)


def readable_text(colour: QColor | str, background: QColor | str, *,
                  large: bool = False) -> QColor:
    """A text colour as close to ``colour`` as is readable on ``background``."""
    return adjust_for_contrast(colour, background, LARGE_TEXT_RATIO if large else TEXT_RATIO)


def readable_fill(fill: QColor | str, text: QColor | str, *, large: bool = False) -> QColor:
    """A background as close to ``fill`` as makes ``text`` readable on it."""
    return adjust_for_contrast(fill, text, LARGE_TEXT_RATIO if large else TEXT_RATIO)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def text_colour(kind: str, palette: QPalette) -> QColor:
    """The ``kind`` text colour (warning, done, caution, link) readable on this palette's
    window and base colours."""
    table = DARK_TEXT if is_dark(palette) else LIGHT_TEXT
    colour = QColor(table[kind])
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        colour = readable_text(colour, palette.color(role))
    return colour


def highlight_pair(palette: QPalette) -> tuple[QColor, QColor]:
    """The palette's selection colours (background, text), with the background darkened or
    lightened if the text on it would be under 4.5:1 (Fusion's blue with white is 3.7:1)."""
    text = palette.color(QPalette.ColorRole.HighlightedText)
    fill = readable_fill(palette.color(QPalette.ColorRole.Highlight), text)
    return fill, text


def readable_palette(palette: QPalette) -> QPalette | None:
    """The OS palette with its selection and placeholder colours made readable (4.5:1), or
    None when it already is (then it is left alone, so live theme changes still apply)."""
    fixed = QPalette(palette)
    changed = False
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        text = palette.color(group, QPalette.ColorRole.HighlightedText)
        fill = palette.color(group, QPalette.ColorRole.Highlight)
        better = readable_fill(fill, text)
        if better != fill:
            fixed.setColor(group, QPalette.ColorRole.Highlight, better)
            changed = True
        base = palette.color(group, QPalette.ColorRole.Base)
        hint = palette.color(group, QPalette.ColorRole.PlaceholderText)
        better = readable_text(hint, base)
        if better != hint:
            fixed.setColor(group, QPalette.ColorRole.PlaceholderText, better)
            changed = True
    return fixed if changed else None
