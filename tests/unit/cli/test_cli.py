"""casebook-admin: every command works, and every failure is one line with a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, EXIT_VERIFY_FAILED, main

PASSPHRASE = "quiet library window 42"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBOOK_INSECURE_TEST_KDF", "1")
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def book_dir(tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "book"
    assert main(["--data-dir", str(data), "init", "--school", "Oak Primary",
                 "--jurisdiction", "england", "--user", "Ann Smith"]) == EXIT_OK
    capsys.readouterr()
    return data


def run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_init_prints_recovery_key_once_and_opens(tmp_path: Path, env: None,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "b"
    assert run(data, "init", "--school", "Oak", "--jurisdiction", "us", "--user", "Ann") == 0
    out = capsys.readouterr().out
    key_line = [line.strip() for line in out.splitlines() if line.startswith("  ")][0]
    assert key_line.count("-") >= 6
    from casebook.services import Casebook

    with Casebook.open_with_recovery_key(data, key_line) as book:
        assert book.school().jurisdiction.value == "us"


def test_init_writes_recovery_key_file_private(tmp_path: Path, env: None,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "recovery.txt"
    assert run(tmp_path / "b", "init", "--school", "Oak", "--jurisdiction", "wales",
               "--user", "Ann", "--recovery-key-out", str(out_file)) == 0
    assert out_file.read_text().strip() not in capsys.readouterr().out
    if os.name == "posix":
        assert out_file.stat().st_mode & 0o077 == 0


def test_init_refuses_existing_casebook(book_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (book_dir / "casebook.db").read_bytes()
    assert run(book_dir, "init", "--school", "X", "--jurisdiction", "england",
               "--user", "Bob") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "already a casebook" in err and len(err.strip().splitlines()) == 1
    assert (book_dir / "casebook.db").read_bytes() == before


def test_case_add_list_show(book_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(book_dir, "case", "add", "--title", "Fake school account", "--type",
               "impersonation", "--summary", "Uses the crest") == 0
    ref = capsys.readouterr().out.strip()
    assert ref.startswith("CB-") and len(ref) == len("CB-2026-0001")
    assert run(book_dir, "case", "list") == 0
    out = capsys.readouterr().out
    assert ref in out and "Fake school account" in out and "1 of 1" in out
    assert run(book_dir, "case", "list", "--search", "crest") == 0
    assert ref in capsys.readouterr().out
    assert run(book_dir, "case", "show", ref.lower()) == 0
    shown = capsys.readouterr().out
    assert "Uses the crest" in shown and "gather-evidence" in shown


def test_evidence_add_needs_safety_confirmation(book_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    run(book_dir, "case", "add", "--title", "Baiting page", "--type", "baiting")
    ref = capsys.readouterr().out.strip()
    f = tmp_path / "shot.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 5000)
    assert run(book_dir, "evidence", "add", ref, str(f)) == EXIT_ERROR
    assert "nothing was stored" in capsys.readouterr().err
    assert run(book_dir, "evidence", "add", ref, str(f), "--source", "parent email",
               "--confirm-no-indecent-images") == 0
    import hashlib

    assert hashlib.sha256(f.read_bytes()).hexdigest() in capsys.readouterr().out
    assert run(book_dir, "verify") == EXIT_OK
    assert "1 of 1 match" in capsys.readouterr().out


def test_backup_restore_users_version(book_dir: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "backup.db"
    assert run(book_dir, "backup", str(target)) == 0
    assert target.exists() and target.read_bytes()[:16] != b"SQLite format 3\x00"
    assert run(book_dir, "backup", str(target)) == EXIT_ERROR  # never overwrites
    assert run(book_dir, "restore", str(target)) == 0
    assert run(book_dir, "users") == 0
    assert "Ann Smith" in capsys.readouterr().out
    assert run(book_dir, "version") == 0
    assert "schema" in capsys.readouterr().out


@pytest.mark.parametrize("args, expected", [
    (("case", "show", "CB-2026-0099"), "no case with the reference"),
    (("restore", "/nonexistent/backup.db"), "no casebook"),
])
def test_user_errors_are_one_line(book_dir: Path, capsys: pytest.CaptureFixture[str],
                                  args: tuple[str, ...], expected: str) -> None:
    assert run(book_dir, *args) == EXIT_ERROR
    err = capsys.readouterr().err
    assert expected in err.lower() and len(err.strip().splitlines()) == 1


def test_wrong_passphrase_and_missing_casebook(book_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", "not the right one at all")
    assert run(book_dir, "case", "list") == EXIT_ERROR
    assert "did not open" in capsys.readouterr().err
    assert run(tmp_path / "nowhere", "case", "list") == EXIT_ERROR
    assert "no casebook" in capsys.readouterr().err.lower()
    assert not (tmp_path / "nowhere").exists()


def test_passphrase_file(book_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CASEBOOK_PASSPHRASE")
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSPHRASE + "\n")
    assert run(book_dir, "--passphrase-file", str(pw), "users") == 0
    assert run(book_dir, "--passphrase-file", str(tmp_path / "missing"), "users") == EXIT_ERROR
    assert "cannot read the passphrase file" in capsys.readouterr().err


def test_verify_reports_tampered_evidence(book_dir: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    run(book_dir, "case", "add", "--title", "Video", "--type", "video")
    ref = capsys.readouterr().out.strip()
    f = tmp_path / "clip.bin"
    f.write_bytes(os.urandom(4096))
    run(book_dir, "evidence", "add", ref, str(f), "--confirm-no-indecent-images")
    from casebook.storage.engine import connect_keyed
    from casebook.vault import KeyVault

    key = KeyVault.load(book_dir / "casebook.keys").unlock_with_passphrase("1", PASSPHRASE)
    conn = connect_keyed(book_dir / "casebook.db", key)
    # The trigger refuses changes to stored evidence; simulate tampering below it.
    with pytest.raises(Exception, match="cannot be changed"):
        conn.execute("UPDATE evidence_chunks SET data = ? WHERE seq = 0", (b"tampered",))
    conn.execute("DROP TRIGGER evidence_chunks_no_update")
    conn.execute("UPDATE evidence_chunks SET data = ? WHERE seq = 0", (b"tampered",))
    conn.close()
    assert run(book_dir, "verify") == EXIT_VERIFY_FAILED
    assert "does not match" in capsys.readouterr().out


def test_console_script_usage_error_has_no_traceback(env: None) -> None:
    result = subprocess.run([sys.executable, "-m", "casebook.cli", "case", "add", "--type", "x"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == EXIT_USAGE
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_export_redacts_and_encrypts(book_dir: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    import pikepdf

    from casebook.services import Casebook

    with Casebook.open_with_passphrase(book_dir, PASSPHRASE) as book:
        case = book.cases.create("Baiting account", "baiting")
        book.cases.add_person(case.id, "Zoë Ødegård", "learner", "harmed")
        book.cases.add_entry(case.id, "Zoë Ødegård reported the account to her tutor.")
    out = tmp_path / "case.pdf"
    assert run(book_dir, "export", case.reference, "--template", "case-file", "--out", str(out),
               "--redact", "Zoë Ødegård") == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Learner A" in text and "Ødegård" not in text and "Zoë" not in text
    pw = tmp_path / "pw.txt"
    pw.write_text("s3cret pdf password\n")
    locked = tmp_path / "locked.pdf"
    assert run(book_dir, "export", case.reference, "--template", "chronology", "--out",
               str(locked), "--password-file", str(pw)) == 0
    assert "password protected" in capsys.readouterr().out
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(locked)
    with pikepdf.open(locked, password="s3cret pdf password") as pdf:
        assert pdf.encryption.R == 6 and pdf.is_encrypted
    assert run(book_dir, "export", case.reference, "--template", "case-file", "--out",
               str(tmp_path / "x.pdf"), "--redact", "Nobody Here") == EXIT_ERROR
    assert "no such person" in capsys.readouterr().err
    summary = tmp_path / "governors.pdf"
    assert run(book_dir, "export", "--template", "governors-summary", "--out", str(summary),
               "--start", "2026-01-01", "--end", "2026-12-31") == 0
    gov_text = subprocess.run(["pdftotext", str(summary), "-"], capture_output=True,
                              text=True).stdout
    assert "Ødegård" not in gov_text
    from casebook.services import Casebook as CB

    with CB.open_with_passphrase(book_dir, PASSPHRASE) as book, book.store.read() as s:
        from sqlalchemy import select

        from casebook.storage.tables import AuditRow

        exports = list(s.scalars(select(AuditRow).where(AuditRow.action.like("export.%"))))
    assert [e.action for e in exports] == ["export.case", "export.case", "export.summary"]
    assert all("Ødegård" not in e.detail for e in exports)
    assert "template=case-file" in exports[0].detail and "redacted=1" in exports[0].detail
