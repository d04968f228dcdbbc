"""Exports state only what happened: defined fields only, no doubled words, small counts hidden,
and the document tells a reader its language and title."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

import pikepdf
import pytest
from report_helpers import make_case_data, options, pdf_text, summary_data

from casebook.domain import Jurisdiction, StepKey
from casebook.reports import render_case_report, render_governors_summary, write_pdf_atomically


def _with_step_data(extra: dict) -> object:
    data = make_case_data()
    steps = tuple(replace(s, data={**s.data, **extra}) if s.key == StepKey.REPORT else s
                  for s in data.case.steps)
    return replace(data, case=replace(data.case, steps=steps))


def test_step_bookkeeping_never_reaches_the_case_file(tmp_path) -> None:
    data = _with_step_data({
        "_logged": {"follow-up:31": 2, "referral:allegations": 2, "report:31": 7},
        "referral_rows": {"police": {"made": False, "date": "", "reference": ""},
                          "allegations": {"made": True, "date": "2026-03-04",
                                          "reference": "LADO/26/118"}},
        "some_old_key": "left over from an earlier version",
    })
    path = tmp_path / "case.pdf"
    path.write_bytes(render_case_report(data, options("case-file")))
    text = " ".join(pdf_text(path).split())
    for raw in ("Logged", "Follow up:", "Referral rows", "Made: No", "Some old key",
                "left over from an earlier version"):
        assert raw not in text, raw
    # The referral that was made is printed, in words; the one not made is not.
    assert "Referrals made" in text
    assert "Local authority designated officer (LADO): 4 March 2026, reference LADO/26/118" \
        in text
    assert "Police:" not in text


def test_the_cover_says_generated_once(tmp_path) -> None:
    path = tmp_path / "case.pdf"
    path.write_bytes(render_case_report(make_case_data(), options("platform-pack")))
    text = " ".join(pdf_text(path).split())
    assert "Generated Generated" not in text
    assert "Generated 12 March 2026, 16:45 by Alex Morgan" in text


@pytest.mark.parametrize(("jurisdiction", "lang"), [(Jurisdiction.ENGLAND, "en-GB"),
                                                    (Jurisdiction.SCOTLAND, "en-GB"),
                                                    (Jurisdiction.US, "en-US")])
def test_pdf_has_a_language_and_shows_its_title(tmp_path, jurisdiction, lang) -> None:
    path = tmp_path / "out.pdf"
    write_pdf_atomically(render_case_report(make_case_data(jurisdiction), options("chronology")),
                         path, password="a long password")
    with pikepdf.open(path, password="a long password") as pdf:
        assert str(pdf.Root.Lang) == lang
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == "Chronology"


def _summary_layout(tmp_path, **changes) -> str:
    """The summary as ``pdftotext -layout`` sees it: a table row stays on one line."""
    data = replace(summary_data(), **changes)
    path = tmp_path / "summary.pdf"
    path.write_bytes(render_governors_summary(data, options("governors-summary")))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout


def _cell(text: str, label: str) -> set[str]:
    """What stands after ``label`` in every row that starts a table cell with it."""
    return {m.group(1) for m in re.finditer(rf"{re.escape(label)}\s{{2,}}(\S+)", text)}


def test_governors_counts_below_three_read_fewer_than_three(tmp_path) -> None:
    text = _summary_layout(tmp_path, total_cases=2,
                           counts_by_type={"baiting": 5, "video": 1, "harassment": 2},
                           counts_by_platform={"Instagram": 8, "X": 1},
                           counts_by_outcome={"removed": 6, "refused": 1})
    assert _cell(text, "Cases in the period") == {"fewer"}
    assert _cell(text, "Fight or other video") == {"fewer"}
    assert _cell(text, "Harassment of learners") == {"fewer"}
    assert "fewer" in _cell(text, "X") and "1" not in _cell(text, "X")
    assert "8" in _cell(text, "Instagram") and "5" in _cell(text, "Baiting account")
    flat = " ".join(text.split())
    assert "Counts below 3 are shown as “fewer than 3”" in flat
    assert "fewer than 3" in flat


def test_the_threshold_comes_from_the_data_and_zero_shows_everything(tmp_path) -> None:
    text = _summary_layout(tmp_path, small_count_threshold=0,
                           counts_by_type={"baiting": 5, "video": 1})
    assert "1" in _cell(text, "Fight or other video") and "fewer" not in text
    text = _summary_layout(tmp_path, small_count_threshold=6,
                           counts_by_type={"baiting": 5, "video": 7})
    assert _cell(text, "Baiting account") == {"fewer"}
    assert "7" in _cell(text, "Fight or other video")
