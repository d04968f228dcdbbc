"""One writer at a time: who holds the casebook is named, a second app or command is refused
calmly, restore refuses while it is open, a crashed holder's lock is taken over, and an open
casebook never goes on writing into a file that was replaced under it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from storage_helpers import sha256_file

from casebook.cli import EXIT_ERROR, main
from casebook.errors import CasebookError
from casebook.services import Casebook, restore
from casebook.storage import maintenance
from casebook.storage.engine import FileReplacedError
from casebook.storage.writer_lock import CasebookInUseError, LockOwner, WriterLock

HOLDER = r"""
import sys
from casebook.services import Casebook
book = Casebook.open_with_passphrase(sys.argv[1], sys.argv[2])
book.cases.create("Written by the holder", "other")
print("READY", flush=True)
sys.stdin.readline()          # hold the casebook open until told to stop
book.lock()
print("CLOSED", flush=True)
"""


class Holder:
    """Another process with the casebook open (as the app would have it)."""

    def __init__(self, data_dir: Path, passphrase: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir), passphrase],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip() == "READY", line

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            assert self.proc.stdout.readline().strip() == "CLOSED"
        self.proc.wait(timeout=60)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL if os.name == "posix" else signal.SIGTERM)
        self.proc.wait(timeout=60)


@pytest.fixture
def closed(new_casebook_info):  # type: ignore[no-untyped-def]
    """A casebook with one case, closed (lock released)."""
    new_casebook_info.book.cases.create("First", "other")
    new_casebook_info.book.lock()
    return new_casebook_info


@pytest.fixture
def holder(closed) -> Iterator[Holder]:  # type: ignore[no-untyped-def]
    h = Holder(closed.data_dir, closed.passphrase)
    try:
        yield h
    finally:
        if h.proc.poll() is None:
            h.kill()


def test_owner_file_names_who_and_where_and_nothing_else(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook_info.book
    book.cases.create("Bullying at the bus stop", "other")
    owner_path = book.paths.database.with_name("casebook.db.lock-owner")
    raw = json.loads(owner_path.read_text(encoding="utf-8"))
    assert raw["user"] == "Alex Morgan"
    assert raw["host"] == socket.gethostname() and raw["pid"] == os.getpid()
    assert set(raw) == {"user", "host", "pid", "since"}
    assert "Bullying" not in owner_path.read_text(encoding="utf-8")
    if os.name == "posix":
        assert owner_path.stat().st_mode & 0o777 == 0o600
    book.lock()
    assert not owner_path.exists()  # a clean close leaves no owner behind


def test_a_second_open_in_the_same_process_is_refused_with_who_has_it(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CasebookInUseError) as caught:
        Casebook.open_with_passphrase(new_casebook_info.data_dir, new_casebook_info.passphrase)
    message = str(caught.value)
    assert message.startswith(f"Open by Alex Morgan on {socket.gethostname()} since "
                              f"{datetime.now():%H}:")
    assert "\n" not in message and "database is locked" not in message
    new_casebook_info.book.lock()
    with Casebook.open_with_passphrase(new_casebook_info.data_dir,
                                       new_casebook_info.passphrase) as again:
        assert again.cases.count() == 0


def test_cli_is_refused_in_one_line_while_the_app_has_it_open(closed, holder: Holder,  # type: ignore[no-untyped-def]
                                                              capsys, monkeypatch) -> None:
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", closed.passphrase)
    digest = sha256_file(closed.database)
    code = main(["--data-dir", str(closed.data_dir), "case", "add", "--title", "T",
                 "--type", "other"])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("casebook-admin: Open by Alex Morgan on ")
    assert "Close it there, then try again." in err
    assert sha256_file(closed.database) == digest
    holder.close()
    assert main(["--data-dir", str(closed.data_dir), "case", "list"]) == 0
    out = capsys.readouterr().out
    assert "Written by the holder" in out and "2 of 2" in out


def test_restore_is_refused_while_the_casebook_is_open_elsewhere(new_casebook_info,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    info = new_casebook_info
    backup = info.book.backup()
    info.book.cases.create("Added after the backup", "other")
    info.book.lock()
    holder = Holder(info.data_dir, info.passphrase)
    try:
        digest = sha256_file(info.database)
        with pytest.raises(CasebookInUseError, match="^Open by Alex Morgan on "):
            restore(info.data_dir, backup, info.passphrase)
        assert sha256_file(info.database) == digest
        assert not list(info.data_dir.glob("*.before-restore*"))
    finally:
        holder.close()
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        titles = {c.title for c in book.cases.list_page()}
    assert titles == {"Added after the backup", "Written by the holder"}


def test_a_crashed_holder_is_recognised_and_its_lock_taken_over(closed, holder: Holder,  # type: ignore[no-untyped-def]
                                                                caplog) -> None:
    owner_path = closed.database.with_name("casebook.db.lock-owner")
    left = LockOwner.from_json(owner_path.read_bytes())
    assert left is not None and left.pid == holder.proc.pid
    holder.kill()  # no clean close: the owner file stays behind
    assert owner_path.exists()
    with Casebook.open_with_passphrase(closed.data_dir, closed.passphrase) as book:
        assert {c.title for c in book.cases.list_page()} == {"First", "Written by the holder"}
        now = LockOwner.from_json(owner_path.read_bytes())
        assert now is not None and now.pid == os.getpid()
    assert f"process {left.pid}, gone" in caplog.text


def test_the_owner_file_alone_does_not_lock_anyone_out(closed) -> None:  # type: ignore[no-untyped-def]
    """A left-over or forged owner file naming a live process is not the lock: the OS lock is."""
    owner_path = closed.database.with_name("casebook.db.lock-owner")
    owner_path.write_bytes(LockOwner("Someone Else", socket.gethostname(), os.getppid(),
                                     datetime.now()).to_json())
    with Casebook.open_with_passphrase(closed.data_dir, closed.passphrase) as book:
        assert book.cases.count() == 1


def test_in_use_message_says_when_the_holder_has_stopped(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Held by the OS but the named process is gone (e.g. a handle inherited by a child)."""
    first = WriterLock(closed.database)
    first.acquire("Alex Morgan")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    first.owner_path.write_bytes(LockOwner("Alex Morgan", socket.gethostname(),
                                           int(dead.stdout), datetime.now()).to_json())
    try:
        with pytest.raises(CasebookInUseError, match="that program has stopped"):
            WriterLock(closed.database).acquire("Sam")
    finally:
        first.release()


def test_an_open_casebook_never_writes_into_a_replaced_file(new_casebook_info,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    info = new_casebook_info
    book = info.book
    book.cases.create("Before", "other")
    backup = book.backup(tmp_path / "copy.db")
    book.cases.create("After", "other")
    # The file is restored behind the app's back (the low-level restore, below the lock).
    kept = maintenance.restore_from(backup, info.database, book._require_key())
    digest = sha256_file(info.database)
    with pytest.raises(FileReplacedError, match="replaced while it was open"):
        book.cases.create("Would be lost", "other")
    assert sha256_file(info.database) == digest
    book.lock()
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as again:
        assert [c.title for c in again.cases.list_page()] == ["Before"]
    assert kept.exists()


def test_two_restores_keep_both_earlier_files(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    info.book.cases.create("One", "other")
    backup = info.book.backup()
    info.book.cases.create("Two", "other")
    info.book.lock()
    first = restore(info.data_dir, backup, info.passphrase)
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        book.cases.create("Three", "other")
    second = restore(info.data_dir, backup, info.passphrase)
    assert first != second and first.exists() and second.exists()
    from casebook.storage.engine import connect_keyed
    from casebook.vault import KeyVault

    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    found = []
    for kept in (first, second):
        conn = connect_keyed(kept, key)
        try:
            found.append({r[0] for r in conn.execute("SELECT title FROM cases")})
        finally:
            conn.close()
    assert found == [{"One", "Two"}, {"One", "Three"}]


def test_in_use_error_is_a_calm_casebook_error() -> None:
    assert issubclass(CasebookInUseError, CasebookError)


def test_an_upgrade_waits_for_the_lock_and_changes_nothing_while_it_is_held(closed) -> None:  # type: ignore[no-untyped-def]
    from casebook.storage import migrate
    from casebook.storage.engine import open_engine
    from casebook.vault import KeyVault

    key = KeyVault.load(closed.slots).unlock_with_passphrase("1", closed.passphrase)
    engine = open_engine(closed.database, key)
    try:
        migrate.downgrade(engine, "-1")
        older = migrate.current_revision(engine)
    finally:
        engine.dispose()
    other = WriterLock(closed.database)
    other.acquire("Sam Lee")  # another app has it open
    try:
        digest = sha256_file(closed.database)
        with pytest.raises(CasebookInUseError, match="^Open by Sam Lee on "):
            Casebook.open_with_passphrase(closed.data_dir, closed.passphrase)
        assert sha256_file(closed.database) == digest
        assert not closed.book.paths.backups.exists() or not list(
            closed.book.paths.backups.glob("before-upgrade-*"))
    finally:
        other.release()
    with Casebook.open_with_passphrase(closed.data_dir, closed.passphrase) as book:
        assert migrate.current_revision(book.store.engine) == migrate.head_revision()
    assert older != migrate.head_revision()


def test_cli_wait_waits_for_the_app_to_close_then_works(closed, holder: Holder) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, CASEBOOK_PASSPHRASE=closed.passphrase)
    cli = subprocess.Popen([sys.executable, "-m", "casebook.cli", "--data-dir",
                            str(closed.data_dir), "case", "add", "--wait", "120", "--title",
                            "Added by the nightly script", "--type", "other"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert cli.stderr is not None
    line = cli.stderr.readline()  # printed only once it has found the casebook held
    assert line.startswith("casebook-admin: Open by Alex Morgan on ")
    assert line.rstrip().endswith("; waiting up to 120 seconds")
    holder.close()
    out, err = cli.communicate(timeout=120)
    assert cli.returncode == 0, err
    with Casebook.open_with_passphrase(closed.data_dir, closed.passphrase) as book:
        assert "Added by the nightly script" in {c.title for c in book.cases.list_page()}


def test_cli_wait_that_runs_out_is_the_same_one_line(closed, holder: Holder, capsys,  # type: ignore[no-untyped-def]
                                                     monkeypatch) -> None:
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", closed.passphrase)
    code = main(["--data-dir", str(closed.data_dir), "case", "add", "--title", "T",
                 "--type", "other", "--wait", "0.2"])
    err = capsys.readouterr().err.splitlines()
    assert code == EXIT_ERROR and len(err) == 2
    assert err[0].endswith("; waiting up to 0.2 seconds")
    assert err[1].startswith("casebook-admin: Open by Alex Morgan on ")
