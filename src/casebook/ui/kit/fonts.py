"""The fonts Casebook ships, added to Qt's font database when a screen first needs them.

The screens draw in the system's font. DejaVu is named only where every school's laptop must
show the same thing: the recovery key (DejaVu Sans Mono, on screen and on the printed sheet)
and the wizard's pictures. The app adds them once its first window is painted; a screen that
names one calls :func:`register_fonts` itself too (a second call does nothing).
"""

from __future__ import annotations

from casebook.paths import resources_dir

BUNDLED_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                 "DejaVuSansMono.ttf")

_registered = False


def register_fonts() -> list[str]:
    """Add the bundled fonts once; the families added (none on later calls)."""
    global _registered
    if _registered:
        return []
    _registered = True
    from PySide6.QtGui import QFontDatabase

    families: list[str] = []
    folder = resources_dir() / "fonts"
    for name in BUNDLED_FONTS:
        path = folder / name
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.exists() else -1
        if font_id != -1:
            families += QFontDatabase.applicationFontFamilies(font_id)
    return families
