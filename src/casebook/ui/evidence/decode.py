"""Turn a stored evidence file into something the viewer can show, in memory only.

No Qt here (it runs on the DB thread) and nothing is ever written to disk: images are decoded
with Pillow into raw pixels, text is decoded as UTF-8, and PDFs are read with pypdf for their
text and the pictures on each page. Casebook cannot draw a PDF page exactly as a PDF reader
would (QtPdf is not part of PySide6-Essentials and poppler is not in the frozen app), so a PDF
is shown as its text and pictures, page by page, with a line saying so.
"""

from __future__ import annotations

import io
import logging
import sys
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from casebook.domain import EvidenceItem, EvidenceKind

log = logging.getLogger(__name__)

#: Files larger than this are not opened in the viewer (Save a copy still works).
VIEW_LIMIT_BYTES = 64 * 1024 * 1024
#: Text beyond this many characters is cut (the file itself is untouched).
TEXT_LIMIT_CHARS = 2_000_000
#: PDFs: pages beyond this are not shown.
PDF_PAGE_LIMIT = 200
_TEXT_SUFFIXES = (".txt", ".csv", ".log", ".md", ".json", ".eml", ".html", ".htm", ".xml")


#: Opaque pixels as 32-bit 0xffRRGGBB words in this machine's byte order: Qt's RGB32, which
#: Qt shows and scales without converting (RGBA bytes cost a conversion of every pixel on the
#: GUI thread at each zoom, 20-25 ms for a 12-megapixel photo).
OPAQUE_RAW_MODE = "BGRA" if sys.byteorder == "little" else "ARGB"


@dataclass(frozen=True)
class Picture:
    """Pixels row after row, 4 bytes a pixel: RGBA bytes, or if ``opaque`` (no pixel is see-
    through, as in every photo) 0xffRRGGBB words in this machine's byte order."""

    width: int
    height: int
    pixels: bytes
    opaque: bool = False


@dataclass(frozen=True)
class Block:
    """One piece of a PDF page: a heading, a paragraph of text or a picture."""

    heading: str = ""
    text: str = ""
    picture: Picture | None = None


@dataclass(frozen=True)
class Shown:
    """What the viewer shows for one item. ``kind``: image, text, pdf, note or none."""

    kind: str
    title: str
    message: str = ""
    text: str = ""
    picture: Picture | None = None
    blocks: list[Block] = field(default_factory=list)


def _title(item: EvidenceItem) -> str:
    return item.filename or item.description or "Evidence"


def _picture(image: Image.Image) -> Picture:
    image = ImageOps.exif_transpose(image) or image
    rgba = image.convert("RGBA")
    if rgba.getextrema()[3] == (255, 255):
        return Picture(rgba.width, rgba.height, rgba.tobytes("raw", OPAQUE_RAW_MODE), True)
    return Picture(rgba.width, rgba.height, rgba.tobytes())


def _looks_like_text(item: EvidenceItem, data: bytes) -> bool:
    media = item.media_type or ""
    name = (item.filename or "").casefold()
    if media.startswith("text/") or name.endswith(_TEXT_SUFFIXES):
        return True
    head = data[:4096]
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the edge is fine
        return exc.start >= len(head) - 3
    return bool(head)


def _pdf(item: EvidenceItem, data: bytes) -> Shown:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    title = _title(item)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                return Shown("none", title, "This PDF has a password, so Casebook cannot show "
                             "it. Use “Save a copy…” and open it in a PDF reader.")
            blocks: list[Block] = []
            pages = reader.pages
            for number, page in enumerate(pages, start=1):
                if number > PDF_PAGE_LIMIT:
                    blocks.append(Block(heading=f"Pages {number} to {len(pages)} are not shown."))
                    break
                blocks.append(Block(heading=f"Page {number} of {len(pages)}"))
                text = (page.extract_text() or "").strip()
                if text:
                    blocks.append(Block(text=text))
                for image in _page_images(page):
                    blocks.append(Block(picture=image))
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        log.info("evidence %s: PDF not readable for viewing (%s)", item.id, type(exc).__name__)
        return Shown("none", title, "Casebook could not read this PDF. It is stored unchanged; "
                     "use “Save a copy…” to open it in a PDF reader.")
    return Shown("pdf", title, "Casebook shows the text and pictures of each page. For the "
                 "exact layout, use “Save a copy…” and open it in a PDF reader.", blocks=blocks)


def _page_images(page: object) -> list[Picture]:
    pictures = []
    try:
        images = list(page.images)  # type: ignore[attr-defined]
    except Exception:  # pypdf raises many kinds for odd image streams  # noqa: BLE001
        return []
    for image_file in images:
        try:
            pictures.append(_picture(image_file.image))
        except Exception:  # noqa: BLE001 (one odd picture must not hide the rest)
            continue
    return pictures


def prepare(item: EvidenceItem, data: bytes | None) -> Shown:
    """What to show for ``item`` whose stored bytes are ``data`` (None: not readable here)."""
    title = _title(item)
    if item.kind != EvidenceKind.FILE:
        text = item.description + (f"\n\n{item.url}" if item.url else "")
        return Shown("note", title, "No file was stored for this item; this is what was "
                     "recorded.", text=text)
    if data is None:
        return Shown("none", title, "This file is too large to show here. Use “Save a copy…” "
                     "to open it in another program.")
    media = item.media_type or ""
    if media == "application/pdf" or data.startswith(b"%PDF-"):
        return _pdf(item, data)
    if media.startswith("image/") or not _looks_like_text(item, data):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return Shown("image", title, picture=_picture(image))
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            if media.startswith("image/"):
                return Shown("none", title, "Casebook could not read this picture. It is stored "
                             "unchanged; use “Save a copy…” to open it in another program.")
            return Shown("none", title, "Casebook cannot show this kind of file. Use “Save a "
                         "copy…” to open it in another program.")
    text = data.decode("utf-8", errors="replace")
    message = ""
    if len(text) > TEXT_LIMIT_CHARS:
        text = text[:TEXT_LIMIT_CHARS]
        message = "Only the start of this file is shown. Use “Save a copy…” for all of it."
    return Shown("text", title, message, text=text)
