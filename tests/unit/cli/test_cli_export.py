"""casebook-admin export: choosing evidence and entries, a password by default when anyone is
named, a preview of what was replaced, and commentary checked for known names."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from casebook.cli import EXIT_ERROR, EXIT_OK
from casebook.services import Casebook

from .test_cli import PASSPHRASE, book_dir, env, run  # noqa: F401 - fixtures


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _png(path: Path, colour: tuple[int, int, int]) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def case_ref(book_dir: Path, tmp_path: Path) -> dict:  # noqa: F811
    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        case = book.cases.create("Fake account using a learner's name", "impersonation")
        amelia = book.cases.add_person(case.id, "Amelia Thornbury", "learner", "harmed")
        teacher = book.cases.add_person(case.id, "Dana Whitlock", "staff", "harmed")
        book.cases.add_account(case.id, "Instagram", "@amelia.thornbury08", "baiting",
                               url="https://www.instagram.com/amelia.thornbury08/")
        shot = book.evidence.add_file(
            case.id, _png(tmp_path / "AmeliaThornbury2.png", (200, 40, 40)),
            description="Profile of @amelia.thornbury08", safety_confirmed=True)
        post = book.evidence.add_file(
            case.id, _png(tmp_path / "post.png", (40, 40, 200)),
            description="A post alleging something about Ms Whitlock", safety_confirmed=True)
        first = book.cases.add_entry(case.id, "Jaydens friends told Amelia about the account.")
        second = book.cases.add_entry(case.id, "Spoke with Ms Whitlock.")
    return {"ref": case.reference, "amelia": amelia.id, "teacher": teacher.id,
            "shot": shot.id, "post": post.id, "first": first.id, "second": second.id}


def test_platform_pack_defaults_to_the_accounts_screenshots_and_leaks_no_learner(
        book_dir: Path, tmp_path: Path, case_ref: dict,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pack.pdf"
    # The harmed teacher is named by default in this pack, so a password is needed.
    assert run(book_dir, "export", case_ref["ref"], "--template", "platform-pack", "--out",
               str(out)) == EXIT_ERROR
    assert "--password-file" in capsys.readouterr().err and not out.exists()
    assert run(book_dir, "export", case_ref["ref"], "--template", "platform-pack", "--out",
               str(out), "--no-password") == EXIT_OK
    printed = capsys.readouterr().out
    assert "Learner A:" in printed and "Amelia" not in printed
    text = _text(out)
    for leak in ("Amelia", "amelia", "Thornbury", "thornbury"):
        assert leak not in text
    assert "instagram.com/Learner A/" in text
    # Only the account's screenshot: the post about a teacher stays out by default.
    assert "alleging" not in text
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                            check=True).stdout.strip().splitlines()[2:]
    assert len(images) == 1


def test_evidence_and_entries_can_be_chosen(book_dir: Path, tmp_path: Path,  # noqa: F811
                                            case_ref: dict) -> None:
    out = tmp_path / "file.pdf"
    assert run(book_dir, "export", case_ref["ref"], "--template", "case-file", "--out",
               str(out), "--redact", "all", "--evidence", str(case_ref["post"]),
               "--entries", str(case_ref["second"])) == EXIT_OK
    text = _text(out)
    assert "Spoke with" in text and "told Learner A about" not in text
    assert "alleging" in text and "Profile of" not in text
    assert run(book_dir, "export", case_ref["ref"], "--template", "case-file", "--out",
               str(out), "--redact", "all", "--evidence", "99999") == EXIT_ERROR
    assert run(book_dir, "export", case_ref["ref"], "--template", "case-file", "--out",
               str(out), "--redact", "all", "--entries", "x,y") == EXIT_ERROR


def test_preview_writes_nothing_and_names_no_one(book_dir: Path, tmp_path: Path,  # noqa: F811
                                                 case_ref: dict,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "never.pdf"
    assert run(book_dir, "export", case_ref["ref"], "--template", "chronology", "--out",
               str(out), "--preview") == EXIT_OK
    printed = capsys.readouterr().out
    assert not out.exists()
    assert "Learner A: " in printed and "Staff member A: " in printed
    assert "nothing was written" in printed
    for name in ("Amelia", "Thornbury", "Whitlock", "Dana"):
        assert name not in printed


def test_a_password_protects_a_report_that_names_people(book_dir: Path,  # noqa: F811
                                                        tmp_path: Path, case_ref: dict) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("a long pdf password\n")
    out = tmp_path / "file.pdf"
    assert run(book_dir, "export", case_ref["ref"], "--template", "case-file", "--out",
               str(out), "--password-file", str(pw)) == EXIT_OK
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out)


def test_commentary_naming_a_known_person_is_refused(book_dir: Path, tmp_path: Path,  # noqa: F811
                                                     case_ref: dict,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "governors.pdf"
    assert run(book_dir, "export", "--template", "governors-summary", "--out", str(out),
               "--commentary", "Most of the work this term was about ameliathornbury's "
               "account.") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "ameliathornbury" in err and "take the names out" in err
    assert not out.exists()
    assert run(book_dir, "export", "--template", "governors-summary", "--out", str(out),
               "--commentary", "Cases went down this term.") == EXIT_OK
