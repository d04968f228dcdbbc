"""Evidence images reach the PDF as pixels only: no name survives in any metadata slot.

Each source carries a learner's name in every place its format can hold text (EXIF, XMP,
comments, PNG text chunks, ICC profile descriptions, TIFF tags). The PDF is rendered, every
embedded image is extracted as ``pdfimages -all`` writes it, and its bytes are searched.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin
from report_helpers import CASE_ID, DSL, make_case_data, options

from casebook.domain import EvidenceItem, EvidenceKind
from casebook.reports import render_case_report, write_pdf_atomically
from casebook.reports.images import SCREENSHOT_PX, THUMBNAIL_PX, prepare_image

NAME = "Jayden Okoro"
SECRET_BITS = ("Jayden", "Okoro")


def _needles() -> list[bytes]:
    out = []
    for bit in SECRET_BITS:
        for variant in (bit, bit.lower(), bit.upper()):
            out.extend([variant.encode("ascii"), variant.encode("utf-16-le"),
                        variant.encode("utf-16-be")])
    return out


def _icc_with_name() -> bytes:
    """An sRGB profile whose description (a UTF-16 'mluc' text) reads the name."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    old = "sRGB built-in".encode("utf-16-be")
    assert old in profile
    new = NAME.ljust(len("sRGB built-in")).encode("utf-16-be")
    return profile.replace(old, new)


def _exif_with_name() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = f"Photo of {NAME}"  # ImageDescription
    exif[0x013B] = NAME  # Artist
    exif[0x8298] = f"(c) {NAME}"  # Copyright
    exif[0x9C9D] = NAME.encode("utf-16-le") + b"\0\0"  # XPAuthor
    exif.get_ifd(0x8769)[0x9286] = b"ASCII\0\0\0" + f"Sent by {NAME}".encode()  # UserComment
    return exif.tobytes()


XMP = (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{NAME}</dc:creator>'
       f'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()


def _picture(mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (1600, 1200), "white" if mode != "P" else 0)
    for x in range(0, 1600, 100):
        image.paste((x % 255, 80, 160) if mode == "RGB" else x % 200, (x, 0, x + 50, 1200))
    return image


def _jpeg() -> bytes:
    out = io.BytesIO()
    _picture().save(out, "JPEG", quality=80, comment=f"Photo of {NAME}".encode(),
                    exif=_exif_with_name(), icc_profile=_icc_with_name(), xmp=XMP)
    return out.getvalue()


def _png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", NAME)
    info.add_text("Comment", f"Screenshot of {NAME}", zip=True)
    info.add_itxt("Description", f"{NAME}'s profile", lang="en", tkey="Beschreibung")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info, exif=_exif_with_name(),
                    icc_profile=_icc_with_name())
    return out.getvalue()


def _gif() -> bytes:
    out = io.BytesIO()
    _picture("P").save(out, "GIF", comment=f"From {NAME}".encode())
    return out.getvalue()


def _webp() -> bytes:
    out = io.BytesIO()
    _picture().save(out, "WEBP", exif=_exif_with_name(), xmp=XMP, icc_profile=_icc_with_name())
    return out.getvalue()


def _tiff() -> bytes:
    out = io.BytesIO()
    _picture().save(out, "TIFF", tiffinfo={270: f"Photo of {NAME}", 315: NAME},
                    icc_profile=_icc_with_name())
    return out.getvalue()


SOURCES = {"jpeg": _jpeg, "png": _png, "gif": _gif, "webp": _webp, "tiff": _tiff}


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_each_source_really_carries_the_name(kind: str) -> None:
    """The fixtures are honest: the name is in the source bytes (or a decodable chunk)."""
    raw = SOURCES[kind]()
    with Image.open(io.BytesIO(raw)) as image:
        image.load()
        blob = raw + repr(image.info).encode() + repr(dict(image.getexif())).encode()
    assert any(needle in blob for needle in _needles())


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_prepared_image_holds_pixels_only(kind: str) -> None:
    prepared = prepare_image(SOURCES[kind](), SCREENSHOT_PX)
    assert prepared is not None
    for needle in _needles():
        assert needle not in prepared.jpeg, (kind, needle)
    with Image.open(io.BytesIO(prepared.jpeg)) as image:
        assert max(image.size) <= SCREENSHOT_PX
        assert not image.getexif()
        assert "icc_profile" not in image.info and "comment" not in image.info
        assert "xmp" not in image.info and "exif" not in image.info


def _evidence(kind: str, number: int) -> EvidenceItem:
    return EvidenceItem(900 + number, CASE_ID, EvidenceKind.FILE,
                        f"Screenshot {number} of oakfield.muggies", datetime(2026, 3, 2, 9, 30),
                        DSL, "Email", f"capture-{number}.{kind}", f"image/{kind}", 1000,
                        f"{number:02d}" * 32, "https://www.instagram.com/oakfield.muggies/")


@pytest.mark.parametrize("template_id", ["platform-pack", "evidence-log"])
def test_no_name_in_any_embedded_image(tmp_path: Path, template_id: str) -> None:
    base = make_case_data()
    kinds = sorted(SOURCES)
    items = tuple(_evidence(kind, n) for n, kind in enumerate(kinds))
    images = {item.id: SOURCES[kind]() for item, kind in zip(items, kinds, strict=True)}
    data = replace(base, evidence=items, evidence_image=images.get)
    pdf = render_case_report(data, options(template_id))
    path = tmp_path / "out.pdf"
    write_pdf_atomically(pdf, path)
    folder = tmp_path / "images"
    folder.mkdir()
    subprocess.run(["pdfimages", "-all", str(path), str(folder / "img")], check=True)
    extracted = sorted(folder.iterdir())
    assert len(extracted) >= len(kinds)
    limit = SCREENSHOT_PX if template_id == "platform-pack" else THUMBNAIL_PX
    for file in extracted:
        content = file.read_bytes()
        for needle in _needles():
            assert needle not in content, (file.name, needle)
        with Image.open(file) as image:
            assert max(image.size) <= limit  # downscaled to what the page shows
