"""Fonts, long text, images, progress and the generic blocks behind every template."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timedelta

import pikepdf
import pytest
from PIL import Image
from report_helpers import (
    ALL_NAMES,
    ALL_TEMPLATES,
    ANAIS,
    CASE_ID,
    DSL,
    NOW,
    PEOPLE,
    Rendered,
    make_case_data,
    options,
    pdf_text,
    photo_jpeg,
    render_to,
    screenshot_png,
    summary_data,
)

from casebook.domain import ChronologyEntry, EvidenceItem, EvidenceKind, Jurisdiction, School
from casebook.errors import ValidationError
from casebook.reports import (
    TEMPLATES,
    ExportOptions,
    GovernorsSummaryData,
    register_template,
    render_case_report,
    render_document,
    render_governors_summary,
    write_pdf_atomically,
)
from casebook.reports import blocks as b
from casebook.reports import templates as templates_module
from casebook.reports.images import THUMBNAIL_PX, prepare_image


def _images_on_pages(path) -> list[tuple[int, int]]:
    sizes = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for _name, image in page.get_images().items():
                sizes.append((int(image.Width), int(image.Height)))
    return sizes


def _write(tmp_path, pdf: bytes, name: str = "out.pdf") -> Rendered:
    path = tmp_path / name
    write_pdf_atomically(pdf, path)
    return Rendered(name, path, pdf_text(path))


def test_accented_and_non_latin_names_render_and_extract(tmp_path) -> None:
    result = render_to(tmp_path, "case-file", named={p.id for p in PEOPLE})
    for name in ALL_NAMES:  # Zoë Ødegård, Сергей Иванов, Γιώργος Παπαδόπουλος, Anaïs ...
        assert name in result.flat


@pytest.mark.parametrize("template_id", ALL_TEMPLATES)
def test_only_embedded_subset_fonts_are_used(rendered, template_id) -> None:
    """Never one of the 14 standard fonts (they cannot show Сергей or Γιώργος)."""
    fonts = {}
    with pikepdf.open(rendered[template_id].path) as pdf:
        for page in pdf.pages:
            resources = [page.Resources]
            resources += [x.Resources for x in page.Resources.get("/XObject", {}).values()
                          if "/Resources" in x]
            for res in resources:
                for _key, font in res.get("/Font", {}).items():
                    base_name = str(font.get("/BaseFont"))
                    descendant = font.get("/DescendantFonts")
                    descriptor = (descendant[0] if descendant else font).get("/FontDescriptor")
                    fonts[base_name] = descriptor is not None and "/FontFile2" in descriptor
    assert fonts
    for base_name, embedded in fonts.items():
        assert re.match(r"/[A-Z]{6}\+DejaVuSans", base_name), base_name
        assert embedded, base_name


def test_long_text_wraps_and_flows_across_pages(tmp_path) -> None:
    words = " ".join(f"word{i}" for i in range(6000))
    data = make_case_data()
    long_entry = ChronologyEntry(900, CASE_ID, NOW - timedelta(days=1), NOW, DSL,
                                 f"START-OF-LONG-ENTRY {words} END-OF-LONG-ENTRY")
    long_note = replace(data.people[0], notes="NOTE-START " + "very long note " * 400 + "NOTE-END")
    unbroken = "x" * 3000  # a single 'word' far wider than the page must still wrap
    data = replace(data, chronology=(*data.chronology, long_entry),
                   people=(long_note, *data.people[1:]),
                   case=replace(data.case, summary=data.case.summary + " " + unbroken))
    result = _write(tmp_path, render_case_report(data, options("case-file", {ANAIS})))
    assert result.page_count() > 10
    pages = result.pages
    start = next(i for i, page in enumerate(pages) if "START-OF-LONG-ENTRY" in page)
    end = next(i for i, page in enumerate(pages) if "END-OF-LONG-ENTRY" in page)
    assert end - start >= 3
    joined = result.flat
    for i in (0, 2999, 5999):
        assert f"word{i}" in joined
    assert "NOTE-START" in joined and "NOTE-END" in joined
    assert joined.replace(" ", "").count("x" * 3000) == 1
    for page in pages:
        assert page.count("OFFICIAL-SENSITIVE") >= 2


def test_an_image_item_with_huge_fields_still_lays_out(tmp_path) -> None:
    data = make_case_data()
    huge = replace(data.evidence[0], url="https://example.org/" + "a/" * 3000,
                   source="Forwarded " * 600)
    data = replace(data, evidence=(huge,))
    result = _write(tmp_path, render_case_report(data, options("evidence-log")))
    assert result.page_count() >= 3
    assert "a3f1" * 16 in result.flat
    assert len(_images_on_pages(result.path)) == 1


def test_evidence_images_are_downscaled_thumbnails_and_non_images_are_skipped(rendered) -> None:
    sizes = _images_on_pages(rendered["evidence-log"].path)
    # Two PNG screenshots and one JPEG photo; the PDF and the damaged file give no image.
    assert len(sizes) == 3
    assert all(max(w, h) <= THUMBNAIL_PX for w, h in sizes)
    # The platform pack shows screenshots larger, but still scaled down from 1280x720.
    big = _images_on_pages(rendered["platform-pack"].path)
    assert big and all(THUMBNAIL_PX < max(w, h) < 1280 for w, h in big)


def test_prepare_image_strips_exif_and_refuses_what_is_not_an_image(monkeypatch) -> None:
    prepared = prepare_image(photo_jpeg(exif_gps=True), 300)
    assert prepared is not None and max(prepared.width, prepared.height) == 300
    with Image.open(io.BytesIO(prepared.jpeg)) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert prepare_image(b"%PDF-1.7 not a picture", 300) is None
    assert prepare_image(b"", 300) is None
    transparent = io.BytesIO()
    Image.new("RGBA", (50, 40), (255, 0, 0, 0)).save(transparent, "PNG")
    flat = prepare_image(transparent.getvalue(), 300)
    assert flat is not None and (flat.width, flat.height) == (50, 40)
    with Image.open(io.BytesIO(flat.jpeg)) as image:
        assert image.getpixel((10, 10))[0] > 240  # transparent became white, not black
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # a 'decompression bomb'
    assert prepare_image(screenshot_png("bomb", (400, 400)), 300) is None


def test_progress_goes_up_to_its_total_on_the_calling_thread() -> None:
    seen: list[tuple[int, int]] = []
    render_case_report(make_case_data(), options("case-file", {ANAIS}),
                       progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 100) and seen[-1] == (100, 100)
    done = [d for d, _ in seen]
    assert done == sorted(done) and len(set(done)) == len(done) > 10


def test_evidence_left_out_by_choice_is_not_shown_but_counted(tmp_path) -> None:
    chosen = options("evidence-log", {ANAIS}, evidence_ids=frozenset({601, 603}))
    result = _write(tmp_path, render_case_report(make_case_data(), chosen))
    text = result.flat
    assert "a3f1" * 16 in text and "c5d3" * 16 in text
    assert "b4e2" * 16 not in text and "d6c4" * 16 not in text
    assert "4 further evidence item(s) were left out of this export." in text
    assert len(_images_on_pages(result.path)) == 2


def test_a_loader_without_images_still_gives_a_log(tmp_path) -> None:
    data = replace(make_case_data(), evidence_image=None)
    result = _write(tmp_path, render_case_report(data, options("evidence-log")))
    assert _images_on_pages(result.path) == []
    assert "a3f1" * 16 in result.flat


def test_many_entries_and_images_render(tmp_path) -> None:
    """A big case lays out (timing lives in bench/bench_reports.py)."""
    data = make_case_data()
    start = datetime(2026, 1, 1, 8, 0)
    entries = tuple(ChronologyEntry(2000 + i, CASE_ID, start + timedelta(hours=i),
                                    start + timedelta(hours=i), DSL,
                                    f"Entry text {i} about Zoë Ødegård. " * 3)
                    for i in range(150))
    blobs = {3000 + i: screenshot_png(f"shot {i}", seed=i) for i in range(12)}
    evidence = tuple(EvidenceItem(3000 + i, CASE_ID, EvidenceKind.FILE, f"Screenshot {i}",
                                  start, DSL, "phone", f"s{i}.png", "image/png", 1, f"{i:064x}")
                     for i in range(12))
    data = replace(data, chronology=entries, evidence=evidence, evidence_image=blobs.get)
    result = _write(tmp_path, render_case_report(data, options("case-file", {ANAIS})))
    assert "Entry 150 · " in result.flat
    assert len(_images_on_pages(result.path)) == 12
    assert "Zoë" not in result.text


def test_a_summary_with_many_platforms_and_months_fits(tmp_path) -> None:
    data = replace(summary_data(), counts_by_platform={f"Platform {i}": i for i in range(1, 41)},
                   cases_per_month=tuple((f"20{24 + i // 12}-{i % 12 + 1:02d}", i % 7)
                                         for i in range(24)))
    pdf = render_governors_summary(data, options("governors-summary"))
    text = _write(tmp_path, pdf).flat
    assert "Platform 40 40" in text and "Platform 1 fewer than 3" in text
    # 11 largest charted, the rest folded into one bar (1 and 2 are "fewer than 3": not charted)
    assert "27 others" in text


def test_summary_data_refuses_negative_or_non_numeric_counts() -> None:
    school = School("Oakfield Academy", Jurisdiction.ENGLAND, NOW)
    with pytest.raises(ValidationError):
        GovernorsSummaryData("Spring", school, 3, counts_by_type={"baiting": -1})
    with pytest.raises(ValidationError):
        GovernorsSummaryData("Spring", school, 3, counts_by_platform={"X": "many"})  # type: ignore[dict-item]
    data = GovernorsSummaryData("Spring", school, 3, counts_by_type={"baiting": 3})
    with pytest.raises(TypeError):
        data.counts_by_type["video"] = 1  # type: ignore[index]


def test_a_new_template_can_be_registered_from_data_and_generic_blocks(tmp_path,
                                                                       monkeypatch) -> None:
    """The extension point new templates (such as the checklist review) use."""
    folder = tmp_path / "templates"
    folder.mkdir()
    real = templates_module.templates_dir()
    (folder / "common.toml").write_bytes((real / "common.toml").read_bytes())
    (folder / "test-extension.toml").write_text(
        'id = "test-extension"\nkind = "extension"\norder = 9\nsections = ["all"]\n'
        '[title]\ndefault = "Online-safety checklist review"\n'
        '[intro]\ndefault = "How the school measures up."\n'
        '[recipients]\ndefault = ["Governing body"]\n', encoding="utf-8")
    monkeypatch.setattr(templates_module, "templates_dir", lambda: folder)
    templates_module._load_toml.cache_clear()
    templates_module.wording_for.cache_clear()

    def build(data: dict[str, int], ctx) -> list[b.Block]:
        return [b.Title(ctx.title), b.Heading("Levels"),
                b.Table(("Item", "Level"), tuple((k, str(v)) for k, v in data.items())),
                b.BarChart(tuple((k, float(v)) for k, v in data.items()), horizontal=True)]

    try:
        register_template("test-extension", "extension", build)
        pdf = render_document(
            "test-extension", {"Policy reviewed": 3, "Staff trained": 4},
            ExportOptions("test-extension", DSL, NOW), jurisdiction=Jurisdiction.ENGLAND,
            header_note="Review 2026")
        text = _write(tmp_path, pdf).flat
        assert "Online-safety checklist review" in text and "Staff trained 4" in text
        assert "OFFICIAL-SENSITIVE" in text and "Review 2026" in text
    finally:
        TEMPLATES.pop("test-extension", None)
        templates_module._load_toml.cache_clear()
        templates_module.wording_for.cache_clear()
