"""The DejaVu fonts shipped in ``resources/fonts``, registered once with reportlab.

TrueType fonts are always embedded as subsets by reportlab, with a ToUnicode map, so accented
and non-Latin names (Zoë, Сергей, Γιώργος) both render and can be copied back out of the PDF.
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from casebook.paths import resources_dir

__all__ = ["REGULAR", "BOLD", "ITALIC", "MONO", "register_fonts"]

REGULAR = "CasebookSans"
BOLD = "CasebookSans-Bold"
ITALIC = "CasebookSans-Oblique"
MONO = "CasebookMono"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    MONO: "DejaVuSansMono.ttf",
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the fonts and the family mapping (bold/italic tags in paragraphs); idempotent."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        folder = resources_dir() / "fonts"
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
        # <b> and <i> inside paragraphs; there is no bold-oblique file, bold stands in for it.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, ITALIC)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True
