"""Render resources/icons/casebook.svg to casebook.png, .ico and .icns in a build folder.

The same SVG is the app's window icon at run time.

Run by the PyInstaller spec: ``python render_icons.py OUT_DIR``. Qt draws the SVG (offscreen,
no display needed); Pillow writes the Windows and macOS icon containers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SVG = Path(__file__).resolve().parents[2] / "resources" / "icons" / "casebook.svg"


def render(out: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    out.mkdir(parents=True, exist_ok=True)
    renderer = QSvgRenderer(str(SVG))
    image = QImage(1024, 1024, QImage.Format.Format_RGBA8888)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, 1024, 1024))
    painter.end()
    big = out / "casebook-1024.png"
    image.save(str(big))
    with Image.open(big) as source:
        master = source.convert("RGBA")
    master.resize((256, 256), Image.Resampling.LANCZOS).save(out / "casebook.png")
    master.save(out / "casebook.ico",
                sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    master.save(out / "casebook.icns")


if __name__ == "__main__":
    render(Path(sys.argv[1]))
