"""Every colour the screens use, and the contrast maths that keeps text on them readable.

Screens ask for a role ("warning", "done") and never write a colour themselves. Each role has a
light-scheme and a dark-scheme colour, chosen for text contrast of at least 4.5:1 on the window
background of its scheme (large numbers and chart bars 3:1; WCAG 2.1, 1.4.3). Where a colour
must sit on something the OS chose (its selection colour, a high-contrast theme), it starts
from ``QPalette`` and is only darkened or lightened as far as needed to reach the ratio, so the
OS's dark and high-contrast themes are followed. Chart colours (the Okabe–Ito set) are kept for
fills; when one is used for text it goes through :func:`readable_text`. Checked by
``tests/gui/test_contrast.py``.
"""

from __future__ import annotations

import copy

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

#: WCAG 2.1 AA: ordinary text, and large text (18 pt, or 14 pt bold, and above).
TEXT_RATIO = 4.5
LARGE_TEXT_RATIO = 3.0

#: Distinct, colour-blind-friendly series colours for charts (Okabe–Ito based).
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7f7f7f",
          "#F0E442")

#: (light scheme, dark scheme) for each role that colours text.
TEXT_ROLES: dict[str, tuple[str, str]] = {
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
}

#: Every role: the text roles, and backgrounds and borders behind normal text.
ROLES: dict[str, tuple[str, str]] = {
    **TEXT_ROLES,
    "tint-warning": ("#fde2e1", "#4a1c1c"),
    "tint-attention": ("#fff3d6", "#4a3a12"),
    "tint-heading": ("#e8edf3", "#263445"),
    "border-attention": ("#d9a400", "#d9a400"),
}


# --- Contrast (WCAG 2.1) ---------------------------------------------------------------------

def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _as_colour(value: QColor | str) -> QColor:
    """A new QColor of ``value``. Not ``QColor(a_qcolor)``: PySide weighs that call against
    ``QColor(Qt.GlobalColor)`` and builds the whole ``Qt`` namespace, about 16 ms before the
    first window (see :mod:`casebook.ui.kit.by_name`)."""
    return QColor(value) if isinstance(value, str) else copy.copy(value)


def relative_luminance(colour: QColor) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    return (0.2126 * _channel(colour.red()) + 0.7152 * _channel(colour.green())
            + 0.0722 * _channel(colour.blue()))


def contrast(a: QColor | str, b: QColor | str) -> float:
    """WCAG contrast ratio between two colours, 1 to 21."""
    la, lb = relative_luminance(_as_colour(a)), relative_luminance(_as_colour(b))
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
    colour, against = _as_colour(colour), _as_colour(against)
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


# --- Roles on the scheme in use --------------------------------------------------------------

def _palette_of(source: QWidget | QPalette | None) -> QPalette:
    if isinstance(source, QPalette):
        return source
    return source.palette() if source is not None else QApplication.palette()


def is_dark(source: QWidget | QPalette | None = None) -> bool:
    """Whether ``source`` (a widget, a palette, or the app when None) shows a dark scheme."""
    return _palette_of(source).color(QPalette.ColorRole.Window).lightness() < 128


def colour(role: str, widget: QWidget | None = None) -> QColor:
    """The colour for ``role`` on the scheme ``widget`` (or the app) is showing."""
    light, dark = ROLES[role]
    return QColor(dark if is_dark(widget) else light)


def hex_colour(role: str, widget: QWidget | None = None) -> str:
    return colour(role, widget).name()


def text_colour(role: str, source: QWidget | QPalette | None = None) -> QColor:
    """The ``role`` text colour, made readable on the window and the field colours of
    ``source``'s palette (a high-contrast theme may need more than the role's own colour)."""
    palette = _palette_of(source)
    light, dark = TEXT_ROLES[role]
    result = QColor(dark if is_dark(palette) else light)
    for background in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        result = readable_text(result, palette.color(background))
    return result


def warning_colour(widget: QWidget | None = None) -> QColor:
    """Red text that stays readable on the light and the dark scheme."""
    return colour("warning", widget)


def done_colour(widget: QWidget | None = None) -> QColor:
    return colour("done", widget)


def muted_colour(widget: QWidget | None = None) -> QColor:
    """Secondary text: between the text and the background, still readable (about 5:1)."""
    palette = _palette_of(widget)
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mix = 0.62
    return QColor(round(text.red() * mix + back.red() * (1 - mix)),
                  round(text.green() * mix + back.green() * (1 - mix)),
                  round(text.blue() * mix + back.blue() * (1 - mix)))


# --- The OS palette --------------------------------------------------------------------------

def highlight_pair(palette: QPalette) -> tuple[QColor, QColor]:
    """The palette's selection colours (background, text), with the background darkened or
    lightened if the text on it would be under 4.5:1 (Fusion's blue with white is 3.7:1)."""
    text = palette.color(QPalette.ColorRole.HighlightedText)
    fill = readable_fill(palette.color(QPalette.ColorRole.Highlight), text)
    return fill, text


def readable_palette(palette: QPalette) -> QPalette | None:
    """The OS palette with its selection and placeholder colours made readable (4.5:1), or
    None when it already is (then it is left alone, so live theme changes still apply)."""
    fixed = copy.copy(palette)  # not QPalette(palette): see _as_colour
    changed = False
    role = QPalette.ColorRole
    # (the colour to fix, what it must be readable with, how to fix it)
    pairs = ((role.Highlight, role.HighlightedText, readable_fill),
             (role.PlaceholderText, role.Base, readable_text))
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for target, other, fix in pairs:
            current = palette.color(group, target)
            better = fix(current, palette.color(group, other))
            if better != current:
                fixed.setColor(group, target, better)
                changed = True
    return fixed if changed else None
