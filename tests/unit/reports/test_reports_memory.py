"""An export hands its memory back: no picture stays decoded once the PDF is built, and the
export service returns the C heap's free pages to the OS after every export.

How much memory that saves is measured in bench/bench_reports.py, never asserted here.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from report_helpers import make_case_data, options, screenshot_png
from reportlab.lib.utils import ImageReader

from casebook import memory
from casebook.domain import EvidenceItem, EvidenceKind
from casebook.reports import CaseReportData, render_case_report
from casebook.services import Casebook

PICTURES = 6


@pytest.fixture
def no_automatic_collection() -> Iterator[None]:
    """As in the app's database thread: nothing is freed by a cycle collection."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _readers_holding_pixels() -> list[ImageReader]:
    return [obj for obj in gc.get_objects() if isinstance(obj, ImageReader)
            and (obj.__dict__.get("_data") is not None or obj.__dict__.get("_image") is not None)]


def _pack_data() -> CaseReportData:
    """The sample case plus ``PICTURES`` phone-sized screenshots."""
    data = make_case_data()
    first = data.evidence[0]
    extra = tuple(
        EvidenceItem(900 + n, data.case.id, EvidenceKind.FILE, f"Screenshot {n}",
                     first.added_at, first.added_by, "DSL's phone", f"extra-{n}.png",
                     "image/png", 1, f"{n:064x}")
        for n in range(PICTURES))
    shots = {900 + n: screenshot_png(f"extra {n}", (900, 1800), seed=50 + n)
             for n in range(PICTURES)}
    return replace(data, evidence=data.evidence + extra, evidence_image=shots.get)


def test_no_picture_stays_decoded_after_the_pdf_is_built(no_automatic_collection: None) -> None:
    data = _pack_data()
    assert _readers_holding_pixels() == []
    pdf = render_case_report(data, options("evidence-log"))
    assert _readers_holding_pixels() == []  # freed as drawn, without waiting for a collection
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        embedded = {obj.objgen for page in opened.pages
                    for obj in page.get_images().values()}
    assert len(embedded) >= PICTURES  # every picture is still in the PDF


def test_pictures_are_embedded_as_binary_jpeg() -> None:
    """No ASCII85 layer over the JPEG: smaller files, and no slow pure-Python encoding."""
    pdf = render_case_report(_pack_data(), options("evidence-log"))
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        filters = {tuple(str(f) for f in pikepdf.Array(image.stream_dict.get("/Filter")))
                   if isinstance(image.stream_dict.get("/Filter"), pikepdf.Array)
                   else (str(image.stream_dict.get("/Filter")),)
                   for page in opened.pages for image in page.get_images().values()}
    assert filters == {("/DCTDecode",)}


def test_the_export_service_hands_memory_back_after_each_export(
        new_casebook: Casebook, tmp_path: Path) -> None:
    cases, evidence, exports = new_casebook.cases, new_casebook.evidence, new_casebook.exports
    case = cases.create("Baiting account", "baiting")
    cases.add_account(case.id, "Instagram", "@school.muggies", "baiting")
    evidence.add_bytes(case.id, screenshot_png("profile", (900, 1800)), filename="p.png",
                       source="DSL", safety_confirmed=True)
    before = memory.hand_backs()
    prepared = exports.prepare_case(case.id, "platform-pack", preview_pages=2)
    assert memory.hand_backs() == before + 1
    exports.save_case(case.id, prepared, tmp_path / "pack.pdf")
    assert memory.hand_backs() == before + 2
    assert (tmp_path / "pack.pdf").stat().st_size > 0


def test_hand_back_uses_malloc_trim_on_linux_and_does_nothing_elsewhere(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    memory._malloc_trim.cache_clear()
    try:
        if sys.platform.startswith("linux"):  # glibc here and in CI
            assert memory.hand_back_memory() is True
        monkeypatch.setattr(sys, "platform", "win32")
        memory._malloc_trim.cache_clear()
        assert memory.hand_back_memory() is False
    finally:
        monkeypatch.undo()
        memory._malloc_trim.cache_clear()
