"""Text made ready for reportlab, which draws glyphs left to right, one font at a time.

* Right-to-left scripts (Hebrew, Arabic, ...): Arabic letters are *shaped* (each letter takes
  its joined form, with ``arabic-reshaper``) and every line is put in *visual* order with the
  Unicode bidirectional algorithm (``python-bidi``). A paragraph whose first strong letter is
  right-to-left is wrapped in logical order first and then each line is reordered, so its first
  words stay on the first line (see ``render``); inside a left-to-right paragraph a right-to-left
  run (a name, a quotation) is reordered in place.
* Characters the embedded font has no glyph for (emoji, rare symbols) would print as empty
  boxes. They are replaced with their Unicode name in brackets, e.g. "[grinning face]", so the
  reader still knows what was there; joiners and variation selectors are dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

import arabic_reshaper
from bidi import get_display

__all__ = ["has_rtl", "base_is_rtl", "visual", "visual_line", "shape", "with_fallback"]

_RTL = frozenset({"R", "AL"})
_STRONG = frozenset({"L", "R", "AL"})
#: Invisible helpers of emoji sequences: dropped when the font cannot show the sequence.
_INVISIBLE = frozenset({0x200D, 0xFE0E, 0xFE0F, 0x20E3})


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in _RTL for c in text)


def base_is_rtl(text: str) -> bool:
    """Whether the first strong letter of ``text`` is right-to-left (its base direction)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _STRONG:
            return kind in _RTL
    return False


def shape(text: str) -> str:
    """Arabic letters in their joined (presentation) forms; other text as it is."""
    if any(unicodedata.bidirectional(c) == "AL" for c in text):
        return str(arabic_reshaper.reshape(text))
    return text


def visual_line(line: str, rtl: bool | None = None) -> str:
    """One line in the order it is drawn (left to right). ``rtl``: force the base direction."""
    if not has_rtl(line):
        return line
    direction = None if rtl is None else ("R" if rtl else "L")
    return str(get_display(shape(line), base_dir=direction)) if direction else \
        str(get_display(shape(line)))


def visual(text: str) -> str:
    """Every line of ``text`` in drawing order (for text that is not wrapped further)."""
    if not has_rtl(text):
        return text
    return "\n".join(visual_line(line) for line in text.split("\n"))


def _is_emoji_helper(code: int) -> bool:
    return code in _INVISIBLE or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F


def with_fallback(text: str, has_glyph: Callable[[int], bool]) -> str:
    """``text`` with every character the font cannot draw replaced by "[its name]"."""
    if text.isascii():
        return text
    out: list[str] = []
    for char in text:
        code = ord(char)
        if has_glyph(code) or char in "\n\r\t ":
            out.append(char)
        elif _is_emoji_helper(code):
            continue
        elif unicodedata.category(char) in ("Cc", "Cf", "Mn"):
            out.append(char)  # controls and combining marks take no box of their own
        else:
            out.append(f"[{_name(char)}]")
    return "".join(out)


@lru_cache(maxsize=512)
def _name(char: str) -> str:
    return unicodedata.name(char, f"U+{ord(char):04X}").lower()
