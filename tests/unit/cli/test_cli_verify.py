"""casebook-admin verify and the read-only commands: they never write to the casebook, verify
never crashes on a damaged file (exit 3 with its report), and anchors printed on backups
are checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.cli import EXIT_ERROR, EXIT_OK, EXIT_VERIFY_FAILED, main
from casebook.storage.verify import open_read_only
from casebook.vault import KeyVault

PASSPHRASE = "quiet library window 42"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBOOK_INSECURE_TEST_KDF", "1")
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", PASSPHRASE)


def run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


@pytest.fixture
def book_dir(tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "book"
    assert run(data, "init", "--school", "Oak Primary", "--jurisdiction", "england",
               "--user", "Ann Smith") == EXIT_OK
    assert run(data, "case", "add", "--title", "Fake account", "--type", "impersonation",
               "--summary", "Uses the crest") == EXIT_OK
    picture = tmp_path / "shot.bin"
    picture.write_bytes(os.urandom(3 * 1024 * 1024))  # many pages of evidence
    assert run(data, "evidence", "add", "CB-2026-0001", str(picture),
               "--confirm-no-indecent-images") == EXIT_OK
    capsys.readouterr()
    return data


def _key(data: Path) -> bytes:
    return KeyVault.load(data / "casebook.keys").unlock_with_passphrase("1", PASSPHRASE)


def _entries(data: Path) -> int:
    with open_read_only(data / "casebook.db", _key(data)) as conn:
        return conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def _state(data: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(data.iterdir())
            if p.name.startswith("casebook.db") and not p.name.endswith("-shm")}


@pytest.mark.parametrize("command", [("verify",), ("case", "list"), ("case", "show", "CB-2026-0001"),
                                     ("users",)])
def test_read_only_commands_write_nothing(book_dir: Path, capsys: pytest.CaptureFixture[str],
                                          command: tuple[str, ...]) -> None:
    entries, before = _entries(book_dir), _state(book_dir)
    assert run(book_dir, *command) == EXIT_OK
    assert _state(book_dir) == before
    assert _entries(book_dir) == entries
    if command == ("verify",):
        out = capsys.readouterr().out
        assert "Result: OK" in out and "Records: ok" in out and "Anchor: Audit" in out


def test_verify_on_damaged_pages_reports_and_changes_nothing(
        book_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = book_dir / "casebook.db"
    size = database.stat().st_size
    original = database.read_bytes()
    outs: list[str] = []
    for fraction in (0.001, 0.3, 0.5, 0.7, 0.9):  # page 1 (the schema), then evidence pages
        data = bytearray(original)
        data[int(size * fraction)] ^= 0x5A
        database.write_bytes(bytes(data))
        before = _state(book_dir)
        assert run(book_dir, "verify") == EXIT_VERIFY_FAILED
        out = capsys.readouterr().out
        assert "Result: PROBLEMS FOUND" in out and "Encryption check: PROBLEMS" in out
        if fraction >= 0.3:  # one damaged page does not hide the rest of the file
            assert "Audit log: ok" in out, out
        if fraction >= 0.5:
            outs.append(out)
        assert _state(book_dir) == before
    database.write_bytes(original)
    # Where the evidence's pages lie depends on the schema; at least one flip lands inside it,
    # and then the item is named while every record is still checked.
    assert any("could not be read (damaged pages): #1." in out and "Records: ok" in out
               for out in outs), outs


def test_verify_in_a_subprocess_has_no_traceback_on_damage(book_dir: Path) -> None:
    database = book_dir / "casebook.db"
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0x5A
    database.write_bytes(bytes(data))
    done = subprocess.run([sys.executable, "-m", "casebook.cli", "--data-dir", str(book_dir),
                           "verify"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CASEBOOK_PASSPHRASE": PASSPHRASE})
    assert done.returncode == EXIT_VERIFY_FAILED
    assert "Traceback" not in done.stderr + done.stdout
    assert "Evidence" in done.stdout and "Result: PROBLEMS FOUND" in done.stdout


def test_backup_prints_its_anchor_and_verify_checks_it(book_dir: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run(book_dir, "backup", str(tmp_path / "b.db")) == EXIT_OK
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("Audit anchor of this backup: "))
    printed = line.removeprefix("Audit anchor of this backup: ")
    assert printed.startswith("Audit ") and " · " in printed
    assert (tmp_path / "b.db.anchor").exists()
    assert run(book_dir, "verify", "--anchor", printed) == EXIT_OK
    seq = printed.split()[1]
    assert run(book_dir, "verify", "--anchor", f"Audit {seq} · 0000 0000 0000 0000") \
        == EXIT_VERIFY_FAILED
    assert "rewritten" in capsys.readouterr().out
    assert run(book_dir, "verify", "--anchor", f"Audit {int(seq) + 50} · 9f3a 1b2c") \
        == EXIT_VERIFY_FAILED
    assert "cut short" in capsys.readouterr().out
    assert run(book_dir, "verify", "--anchor", "yesterday") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "not an audit anchor" in err and len(err.strip().splitlines()) == 1


def test_verify_says_the_log_was_deleted(book_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from casebook.storage.engine import connect_keyed

    conn = connect_keyed(book_dir / "casebook.db", _key(book_dir))
    try:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log")
    finally:
        conn.close()
    assert run(book_dir, "verify") == EXIT_VERIFY_FAILED
    out = capsys.readouterr().out
    assert "The audit log has been deleted" in out and "Records with no audit entry" in out


HOLDER = r"""
import sys
from casebook.services import Casebook
book = Casebook.open_with_passphrase(sys.argv[1], sys.argv[2])
book.cases.create("Written while the app had it open", "other")
print("READY", flush=True)
sys.stdin.readline()
book.lock()
"""


def test_read_only_commands_and_verify_work_while_the_app_has_it_open(
        book_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No writer lock is needed to read: the app's records (still only in its -wal) show, and
    nothing is written; a command that writes is still refused."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(book_dir), PASSPHRASE],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "READY"
        before = _state(book_dir)
        assert run(book_dir, "case", "list") == EXIT_OK
        assert "Written while the app had it open" in capsys.readouterr().out
        assert run(book_dir, "verify") == EXIT_OK
        out = capsys.readouterr().out
        assert "Result: OK" in out and "(open," in out
        assert _state(book_dir) == before
        assert run(book_dir, "case", "add", "--title", "T", "--type", "other") == EXIT_ERROR
        assert "Open by" in capsys.readouterr().err
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=60)


def test_verify_shows_each_step_on_stderr(book_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Not a terminal (a log, a pipe): one line per step on stderr; the report stays on stdout."""
    assert run(book_dir, "verify") == EXIT_OK
    captured = capsys.readouterr()
    steps = [line for line in captured.err.splitlines() if line.startswith("Verify: Step ")]
    assert [line.split(":")[1].strip() for line in steps] == [f"Step {n} of 6" for n in
                                                              range(1, 7)]
    assert steps[3] == "Verify: Step 4 of 6: checking the audit history (0%)"
    assert "Step" not in captured.out and "Result: OK" in captured.out


def test_verify_progress_on_a_terminal_rewrites_one_line() -> None:
    import io

    from casebook.cli import _VerifyProgress
    from casebook.storage.verify import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    shown = _VerifyProgress(screen)
    for progress in (Progress(4, 0, 200), Progress(4, 100, 200), Progress(5, 0, 0)):
        shown(progress)
    shown.finish()
    first = "Step 4 of 6: checking the audit history (0%)"
    second = "Step 4 of 6: checking the audit history (50%)"
    third = "Step 5 of 6: checking every record against its history"
    # each line overwrites the last (padded over a longer one), and the line is wiped at the end
    assert screen.getvalue() == (f"\r{first}\r{second}\r{third.ljust(len(second))}"
                                 f"\r{' ' * len(third)}\r")
