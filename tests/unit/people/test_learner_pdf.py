"""The "child protection file" PDF: the learner's chronology across cases, other learners
labelled, no other learner's name anywhere in the file, AES-256 with a password."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pikepdf
import pytest


def _text(path: Path, password: str | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-upw", password] if password else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def learner(shared_case):  # type: ignore[no-untyped-def]
    book, zoe, _sam, case = shared_case
    book.cases.add_action(case.id, "Check the page is down", "DSL", date(2026, 3, 5))
    return book, zoe, case


def test_pdf_holds_the_file_and_no_other_learners_name(learner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe, case = learner
    out = tmp_path / "file.pdf"
    pages = book.people.export_file(zoe.id, out, recipient="Elm Academy DSL")
    assert pages >= 1
    text = _text(out)
    assert "Child protection file" in text and "B801200005001" in text
    assert case.reference in text and "Learner A posted the photo." in text
    assert "Check the page is down" in text and "harmed or targeted" in text.lower()
    raw = out.read_bytes()
    with pikepdf.open(out) as pdf:
        streams = b"".join(page.Contents.read_bytes() if hasattr(page.Contents, "read_bytes")
                           else b"" for page in pdf.pages)
    assert "Samir" not in text and "Haddad" not in text
    assert b"Samir" not in raw and b"Samir" not in streams


def test_pdf_with_a_password_is_aes_256(learner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe, _case = learner
    out = tmp_path / "locked.pdf"
    book.people.export_file(zoe.id, out, password="correct horse battery")
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out)
    with pikepdf.open(out, password="correct horse battery") as pdf:
        assert pdf.encryption.R == 6
    assert "Zoë" in _text(out, "correct horse battery")
