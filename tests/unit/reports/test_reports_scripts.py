"""Right-to-left scripts are shaped and ordered, and nothing prints as an empty box."""

from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import replace

from report_helpers import PEOPLE, make_case_data, options

from casebook.reports import render_case_report
from casebook.reports.script import base_is_rtl, visual_line, with_fallback

HEBREW = "שרה כהן אמרה שהחשבון פורסם אתמול בערב ושהיא מפחדת לחזור לבית הספר"
ARABIC = "قال أحمد منصور إن الحساب نشر صورته"
#: Not in the shipped DejaVu fonts (U+1F92A).
ZANY = "\U0001F92A"


def _render(tmp_path, texts: list[str]) -> str:
    data = make_case_data()
    entries = list(data.chronology)
    for index, text in enumerate(texts):
        entries[index] = replace(entries[index], text=text)
    data = replace(data, chronology=tuple(entries))
    pdf = render_case_report(data, options("chronology", {p.id for p in PEOPLE}))
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _logical(text: str) -> str:
    """Extracted text with Arabic presentation forms folded back and bidi marks removed."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if c not in "\u200e\u200f\u202a\u202b\u202c")


def test_hebrew_and_arabic_read_in_the_right_order(tmp_path) -> None:
    text = _render(tmp_path, [HEBREW, f"Spoke with שרה כהן and {ARABIC[4:15]} today.", ARABIC])
    logical = _logical(text)
    assert HEBREW in " ".join(logical.split())
    assert ARABIC in logical
    assert "Spokewithשרהכהןand" in "".join(logical.split())  # the name in place


def test_arabic_is_shaped_into_joined_letters(tmp_path) -> None:
    text = _render(tmp_path, [ARABIC])
    assert any(0xFE70 <= ord(c) <= 0xFEFF for c in text)  # presentation forms were drawn


def test_a_long_right_to_left_paragraph_starts_on_its_first_line(tmp_path) -> None:
    long = " ".join([HEBREW] * 4)
    text = _render(tmp_path, [long])
    lines = [_logical(line).strip() for line in text.splitlines() if "ש" in line]
    assert len(lines) >= 2
    assert lines[0].startswith("שרה כהן אמרה")


def test_characters_the_font_lacks_are_named_not_boxed(tmp_path) -> None:
    text = _render(tmp_path, [f"The account replied {ZANY}\u200d and a tick ✓"])
    assert "[grinning face with one large and one small eye]" in text
    assert "✓" in text  # in the font: drawn as it is


def test_script_helpers() -> None:
    assert base_is_rtl("שלום world") and not base_is_rtl("Hello שלום")
    assert not base_is_rtl("123 ...")
    assert visual_line("abc") == "abc"
    assert visual_line("Hi שלום") == "Hi םולש"
    assert with_fallback(f"a{ZANY}\ufe0fb", lambda code: code < 0x10000 and code != 0xFE0F) \
        == "a[grinning face with one large and one small eye]b"
