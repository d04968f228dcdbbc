"""Evidence images made safe and small before they reach reportlab.

Every image is decoded with Pillow, turned upright, converted to sRGB, flattened onto white,
scaled down to the size it is shown at, and then copied *as raw pixels* into a brand-new image
that is encoded as a baseline JPEG. Only pixels cross that line: EXIF (GPS, camera owner,
thumbnails), XMP, JPEG/GIF comments, PNG text chunks and ICC profile descriptions of the source
all stay behind, whatever its format (Pillow otherwise writes a decoded JPEG's comment back).
reportlab embeds the JPEG bytes as they are, so what is checked here is what is in the PDF.
Anything Pillow cannot read (a PDF, a video, a damaged file) gives ``None`` and the report says
there is no preview.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from casebook.domain import EvidenceItem, EvidenceKind

__all__ = ["PreparedImage", "prepare_image", "is_image_item", "ImageCache",
           "THUMBNAIL_PX", "SCREENSHOT_PX"]

log = logging.getLogger(__name__)

#: Longest side in pixels: thumbnails in the evidence log, screenshots in the platform pack.
THUMBNAIL_PX = 360
SCREENSHOT_PX = 1000

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic")


@dataclass(frozen=True)
class PreparedImage:
    """A baseline JPEG ready to embed, with its pixel size (for the aspect ratio)."""

    jpeg: bytes
    width: int
    height: int


def is_image_item(item: EvidenceItem) -> bool:
    """Whether an evidence item is worth loading for a preview (a stored picture)."""
    if item.kind != EvidenceKind.FILE:
        return False
    media = (item.media_type or "").lower()
    if media.startswith("image/"):
        return media != "image/svg+xml"
    return bool(item.filename) and item.filename.lower().endswith(_IMAGE_SUFFIXES)


def prepare_image(raw: bytes | None, max_px: int) -> PreparedImage | None:
    """Decode, downscale and re-encode ``raw``; ``None`` if it is not a readable image."""
    if not raw:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as opened:
                if opened.format == "JPEG":
                    opened.draft("RGB", (max_px, max_px))  # decode at a reduced scale: fast
                image = ImageOps.exif_transpose(opened)
                image.thumbnail((max_px, max_px), Image.Resampling.BICUBIC, reducing_gap=2.0)
                image = _flatten(_to_srgb(image))
                clean = Image.frombytes("RGB", image.size, image.tobytes())  # pixels only
                out = io.BytesIO()
                clean.save(out, "JPEG", quality=82, optimize=True)
                return PreparedImage(out.getvalue(), clean.width, clean.height)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, ValueError, SyntaxError, EOFError) as error:
        log.info("evidence preview skipped: %s", type(error).__name__)
        return None


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded colour profile, so dropping it does not change the colours."""
    profile = image.info.get("icc_profile")
    if not profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        if image.mode not in ("RGB", "RGBA", "CMYK", "L", "LA"):
            image = image.convert(mode)
        output_mode = "RGBA" if image.mode in ("RGBA", "LA") else "RGB"
        if image.mode == "LA":
            image = image.convert("RGBA")
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                         outputMode=output_mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unreadable profile: keep the pixels as they are


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


class ImageCache:
    """Prepared previews by evidence id, loaded once per export through the service's loader."""

    def __init__(self, loader: Callable[[int], bytes | None] | None, max_px: int) -> None:
        self._loader = loader
        self.max_px = max_px
        self._prepared: dict[int, PreparedImage | None] = {}

    def preload(self, items: Iterable[EvidenceItem],
                tick: Callable[[], None] | None = None) -> None:
        for item in items:
            self.get(item)
            if tick is not None:
                tick()

    def get(self, item: EvidenceItem) -> PreparedImage | None:
        if item.id in self._prepared:
            return self._prepared[item.id]
        prepared = None
        if self._loader is not None and is_image_item(item):
            prepared = prepare_image(self._loader(item.id), self.max_px)
        self._prepared[item.id] = prepared
        return prepared
