"""Every template, exported from the demo casebook with learners labelled, passes qpdf --check and
holds no learner's name: not in the extracted text, not in the bytes of any embedded image.

By default the cases with learners are exported once per template; ``-m slow`` adds the US
profile.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from casebook.domain import Jurisdiction, PersonKind
from casebook.reports.names import GENERIC_WORDS, fold
from casebook.services.demo import create_demo_casebook

CASE_TEMPLATES = ("case-file", "lado-referral", "platform-pack", "helpline-pack", "chronology",
                  "evidence-log")
PASSPHRASE = "demo export test passphrase"


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _name_words(name: str) -> list[str]:
    words = [w for w in name.replace("-", " ").replace(".", " ").split()
             if sum(c.isalpha() for c in w) >= 3 and fold(w) not in GENERIC_WORDS]
    return [fold(w) for w in words]


def _check(path: Path, learner_names: list[str], scratch: Path,
           named_names: list[str] = ()) -> None:  # type: ignore[assignment]
    """``named_names``: people named in this export; a word of their own name (a parent's
    surname shared with the learner) is theirs to show."""
    subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    folded = _folded(text)
    images = scratch / path.stem
    images.mkdir()
    subprocess.run(["pdfimages", "-all", str(path), str(images / "i")], check=True)
    blobs = [f.read_bytes().lower() for f in images.iterdir()]
    shown = {w for name in named_names for w in _name_words(name)}
    for name in learner_names:
        for word in _name_words(name):
            if word in shown:
                continue
            assert word not in folded, (path.name, word)  # inside words and URLs too
            for blob in blobs:
                assert word.encode() not in blob, (path.name, word)
                assert word.encode("utf-16-be") not in blob, (path.name, word)


@pytest.mark.parametrize("jurisdiction", [
    Jurisdiction.ENGLAND,
    pytest.param(Jurisdiction.US, marks=pytest.mark.slow),
])
def test_demo_exports_name_no_learner(tmp_path: Path, jurisdiction: Jurisdiction) -> None:
    if shutil.which("qpdf") is None:
        pytest.fail("qpdf is needed (it is in .ci/run's package list)")
    book = create_demo_casebook(tmp_path / "demo", PASSPHRASE, jurisdiction=jurisdiction)
    try:
        checked = 0
        case_ids = [c.id for c in book.cases.list_page(limit=1000)]
        for case_id in case_ids:
            case = book.cases.get(case_id)
            people = book.cases.people(case.id)
            learners = [p for p in people if p.kind == PersonKind.LEARNER]
            if not learners:
                continue
            for template_id in CASE_TEMPLATES:
                named = book.exports.default_named(case.id, template_id) - {
                    p.id for p in learners}
                out = tmp_path / f"{case.id}-{template_id}.pdf"
                book.exports.export_case(case.id, template_id, out, named_person_ids=named)
                _check(out, [p.name for p in learners], tmp_path,
                       [p.name for p in people if p.id in named])
                checked += 1
        summary = tmp_path / "governors.pdf"
        book.exports.export_governors(date(2000, 1, 1), book.store.now().date(), "All", summary)
        everyone = [p.name for c in case_ids for p in book.cases.people(c)]
        _check(summary, everyone, tmp_path)
        assert checked >= 6 * 4
    finally:
        book.lock()
