"""Small line icons drawn in the current text colour (so they suit light and dark)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

_ICONS = {
    "new": '<path d="M6 3h8l4 4v14H6z"/><path d="M14 3v4h4"/><path d="M12 11v6M9 14h6"/>',
    "backup": '<path d="M12 4v10M8 10l4 4 4-4"/><path d="M4 15v5h16v-5"/>',
    "settings": '<path d="M4 7h16M4 12h16M4 17h16"/><circle cx="9" cy="7" r="2.2" fill="BG"/>'
                '<circle cx="15" cy="12" r="2.2" fill="BG"/><circle cx="8" cy="17" r="2.2" '
                'fill="BG"/>',
    "lock": '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/>'
            '<path d="M12 15v2"/>',
}


def make_icon(name: str) -> QIcon:
    from PySide6.QtSvg import QSvgRenderer  # only when an icon is first drawn

    palette = QApplication.palette()
    fg = palette.color(QPalette.ColorRole.ButtonText).name()
    bg = palette.color(QPalette.ColorRole.Button).name()
    body = _ICONS[name].replace("BG", bg)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
           f'stroke="{fg}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">'
           f'{body}</svg>')
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    icon = QIcon()
    for size in (16, 20, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(0, 0, 0, 0))  # transparent (naming Qt here slows the first window)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
