"""Small page images of a PDF held in memory, for the DSL to look at before saving it.

Rendered with PDFium (``pypdfium2``) straight from the bytes: nothing is written to disk.
"""

from __future__ import annotations

import io
import logging

import pypdfium2 as pdfium

__all__ = ["page_previews"]

log = logging.getLogger(__name__)


def page_previews(pdf: bytes, width_px: int = 240, limit: int = 12) -> tuple[bytes, ...]:
    """PNG images of the first ``limit`` pages, ``width_px`` wide; () if it cannot be read."""
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        log.warning("preview: the PDF could not be read")
        return ()
    images: list[bytes] = []
    try:
        for index in range(min(len(document), limit)):
            page = document[index]
            try:
                bitmap = page.render(scale=width_px / page.get_width())
                buffer = io.BytesIO()
                bitmap.to_pil().save(buffer, "PNG")
                images.append(buffer.getvalue())
            finally:
                page.close()
    finally:
        document.close()
    return tuple(images)
