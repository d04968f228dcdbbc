"""Issue 11 item 8: the evidence viewer (zoom, fit, next, previous) shows pictures, text, PDFs
and notes, decrypting into memory only: no file appears and no plain text reaches the disk."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from case_helpers import open_case_view, wait_idle
from PIL import Image
from PySide6.QtCore import Qt
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

MARKER = "MARKER-7f3a-only-in-memory"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawString(72, 720, f"Screenshot of the account {MARKER}")
    pdf.drawImage(ImageReader(Image.new("RGB", (120, 80), (0, 90, 200))), 72, 500, 120, 80)
    pdf.save()
    return out.getvalue()


def _add(evidence, case_id: int, data: bytes, name: str) -> None:  # type: ignore[no-untyped-def]
    evidence.add_bytes(case_id, data, filename=name, safety_confirmed=True)


def _files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Python's and Qt's temp folder moved to one we can watch."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setenv("TEMP", str(folder))
    monkeypatch.setenv("TMP", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_viewer_shows_every_kind_in_memory_only(qtbot, worker, unlocked_casebook, case_id,
                                                tmp_path, private_tmp) -> None:
    evidence = unlocked_casebook.evidence
    _add(evidence, case_id, _png(1600, 1200), "account page.png")
    _add(evidence, case_id, f"Message thread\n{MARKER}\n".encode(), "thread.txt")
    _add(evidence, case_id, _pdf(), "platform reply.pdf")
    evidence.add_note(case_id, "Post described by the learner", "https://example.com/p/1")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    widget = view.evidence
    before = _files(tmp_path)

    widget.table.selectRow(0)
    viewer = widget.view_selected()
    assert viewer is not None
    viewer.resize(900, 640)
    qtbot.waitUntil(lambda: viewer.current is not None and viewer.current.kind == "image",
                    timeout=10_000)
    label, image = viewer._images[0]
    assert (image.width(), image.height()) == (1600, 1200)
    fitted = label.pixmap().width()
    assert fitted < 900 and viewer.zoom < 1  # fitted into the window
    viewer.zoom_in_button.click()
    assert label.pixmap().width() > fitted
    viewer.actual_button.click()
    assert label.pixmap().width() == 1600
    viewer.fit_button.click()
    assert label.pixmap().width() == fitted
    assert not viewer.previous_button.isEnabled()

    viewer.next_button.click()
    qtbot.waitUntil(lambda: viewer.current is not None and viewer.current.kind == "text")
    assert MARKER in viewer.text_view.toPlainText()
    size = viewer.text_view.font().pointSizeF()
    viewer.zoom_in_button.click()
    assert viewer.text_view.font().pointSizeF() > size

    viewer.next_button.click()
    qtbot.waitUntil(lambda: viewer.current is not None and viewer.current.kind == "pdf")
    texts = [b.text for b in viewer.current.blocks if b.text]
    assert any(MARKER in t for t in texts)
    assert any(b.heading == "Page 1 of 1" for b in viewer.current.blocks)
    assert len(viewer._images) == 1 and viewer._images[0][1].width() == 120

    viewer.next_button.click()
    qtbot.waitUntil(lambda: viewer.current is not None and viewer.current.kind == "note")
    assert "Post described by the learner" in viewer.text_view.toPlainText()
    assert viewer._images == [] and not viewer.next_button.isEnabled()
    viewer.previous_button.click()
    qtbot.waitUntil(lambda: viewer.current is not None and viewer.current.kind == "pdf")
    wait_idle(qtbot, worker)

    after = _files(tmp_path)
    new = set(after) - set(before)
    assert new == set(), f"viewing created files: {sorted(map(str, new))}"
    leaked = [p for p, data in after.items() if MARKER.encode() in data]
    assert leaked == []  # not in any temp file, nor in plain text in the casebook or its WAL
    assert os.listdir(private_tmp) == []

    view.clear()  # a lock drops the viewer and what it decoded
    assert widget.viewer is None or not widget.viewer.isVisible()


def test_undecodable_and_too_large_files_are_explained(qtbot, worker, unlocked_casebook,
                                                       case_id) -> None:
    evidence = unlocked_casebook.evidence
    _add(evidence, case_id, b"\x00\x01binary\x00" * 50, "recording.bin")
    _add(evidence, case_id, b"\x89PNG\r\n\x1a\n broken", "broken.png")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    view.evidence.table.selectRow(0)
    viewer = view.evidence.view_selected()
    qtbot.waitUntil(lambda: viewer.current is not None)
    assert viewer.current.kind == "none" and "Save a copy" in viewer.empty.text()
    viewer.next_button.click()
    qtbot.waitUntil(lambda: viewer.current is not None)
    assert viewer.current.kind == "none" and "could not read this picture" in viewer.empty.text()
    assert not viewer.zoom_in_button.isEnabled()


def test_a_large_photo_opens_fits_and_zooms_without_freezing_the_window(
        qtbot, worker, unlocked_casebook, case_id, stalls) -> None:  # type: ignore[no-untyped-def]
    """A 12-megapixel phone photo: decoded on the database thread, scaled on the GUI thread."""
    photo = io.BytesIO()
    Image.effect_noise((4032, 3024), 60).convert("RGB").save(photo, "JPEG", quality=90)
    _add(unlocked_casebook.evidence, case_id, photo.getvalue(), "photo.jpg")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    view.evidence.table.selectRow(0)
    with stalls.watch("opening a 12-megapixel photo"):
        viewer = view.evidence.view_selected()
        assert viewer is not None
        viewer.resize(900, 640)
        qtbot.waitUntil(lambda: viewer.current is not None and viewer.current.kind == "image",
                        timeout=20_000)
        qtbot.wait(20)
    label, image = viewer._images[0]
    assert (image.width(), image.height()) == (4032, 3024)
    with stalls.watch("fitting it to a resized window, zooming in and to 100 %"):
        viewer.resize(1000, 700)
        qtbot.wait(20)
        fitted = label.pixmap().width()
        assert fitted < 1000
        qtbot.mouseClick(viewer.zoom_in_button, Qt.MouseButton.LeftButton)
        assert label.pixmap().width() > fitted
        qtbot.wait(20)  # each click its own turn of the event loop, as a user's are
        qtbot.mouseClick(viewer.actual_button, Qt.MouseButton.LeftButton)
        assert label.pixmap().width() == 4032
        qtbot.wait(20)
    viewer.close()


def test_opaque_and_see_through_pictures_keep_their_colours(qtbot, worker, unlocked_casebook,
                                                            case_id) -> None:  # type: ignore[no-untyped-def]
    """Photos are handed to Qt as its own RGB32 (no conversion at each zoom); a picture with
    see-through pixels keeps them."""
    evidence = unlocked_casebook.evidence
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 60)).save(photo, "PNG")
    _add(evidence, case_id, photo.getvalue(), "photo.png")
    clear = io.BytesIO()
    picture = Image.new("RGBA", (40, 30), (10, 120, 240, 255))
    picture.putpixel((0, 0), (0, 0, 0, 0))
    picture.save(clear, "PNG")
    _add(evidence, case_id, clear.getvalue(), "sticker.png")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    view.evidence.table.selectRow(0)
    viewer = view.evidence.view_selected()
    shown: dict[str, tuple[object, object]] = {}
    for _ in range(2):
        qtbot.waitUntil(lambda: viewer.current is not None and viewer.current.kind == "image")
        image = viewer._images[0][1]
        shown[viewer.current.title] = (image.pixelColor(5, 5).getRgb(),
                                       image.pixelColor(0, 0).getRgb())
        if viewer.next_button.isEnabled():
            viewer.next_button.click()
    assert shown["photo.png"] == ((200, 30, 60, 255), (200, 30, 60, 255))
    assert shown["sticker.png"] == ((10, 120, 240, 255), (0, 0, 0, 0))
    assert viewer.current.picture is not None and not viewer.current.picture.opaque
    viewer.close()
