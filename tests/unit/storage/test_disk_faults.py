"""Disk full, a read-only drive and a drive that is gone each get one line naming the real
cause, lose nothing, and never say "damaged"; only a file that really fails to decrypt or its
integrity check does. No migration (nor backup-as-if-good) of a damaged file; temporary files
left by a crash are removed at the next open.

Faults are made honestly where the OS allows it without privileges: SQLite's own SQLITE_FULL
(``PRAGMA max_page_count``) and SQLITE_READONLY (``PRAGMA query_only``) errors, a folder really
moved away, and OSError(ENOSPC/EROFS) injected at the one file-writing layer (casebook.fileio).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event
from storage_helpers import flip_byte, sha256_file

from casebook import fileio
from casebook.cli import EXIT_ERROR, main
from casebook.errors import DamagedFileError
from casebook.services import Casebook
from casebook.storage import engine as engine_module
from casebook.storage import migrate
from casebook.storage.engine import open_engine

NOT_DAMAGED = ("damaged", "Restore it from a backup", "restore")


@contextmanager
def pragma_on_every_connection(monkeypatch: pytest.MonkeyPatch, pragma: str) -> Iterator[None]:
    """Every new connection gets ``pragma`` (as SQLite would behave on a full/read-only disk)."""
    real = engine_module.tune_connection

    def tune(dbapi_conn) -> None:  # type: ignore[no-untyped-def]
        real(dbapi_conn)
        dbapi_conn.execute(pragma)

    monkeypatch.setattr(engine_module, "tune_connection", tune)
    yield
    monkeypatch.setattr(engine_module, "tune_connection", real)


def _not_damaged(message: str) -> None:
    assert "\n" not in message
    for word in NOT_DAMAGED:
        assert word not in message, message


def _limit(book: Casebook, pragma: str) -> None:
    """Apply ``pragma`` to the open casebook's connections from now on."""
    assert book.store.engine is not None
    event.listen(book.store.engine, "connect",
                 lambda dbapi_conn, _rec: dbapi_conn.execute(pragma))
    book.store.engine.dispose()


def test_disk_full_while_adding_evidence_says_so_and_keeps_everything(new_casebook) -> None:  # type: ignore[no-untyped-def]
    case = new_casebook.cases.create("Kept", "other")
    new_casebook.cases.add_entry(case.id, "Saved before the disk filled")
    _limit(new_casebook, "PRAGMA max_page_count = 1")  # SQLite: SQLITE_FULL, as on a full disk
    with pytest.raises(fileio.StorageFaultError) as caught:
        new_casebook.evidence.add_bytes(case.id, os.urandom(3_000_000), filename="big.bin",
                                        safety_confirmed=True)
    assert caught.value.cause == "full"
    assert "is full" in str(caught.value) and "Nothing saved before was lost" in str(caught.value)
    _not_damaged(str(caught.value))
    new_casebook.store.engine.dispose()
    new_casebook.lock()
    with Casebook.open_with_passphrase(new_casebook.paths.root, "violet kettle harbour 42") as book:
        assert [e.text for e in book.cases.chronology(case.id)] == [
            "Case opened.", "Saved before the disk filled"]  # no "Evidence added" either
        assert book.evidence.items(case.id) == []
        assert book.verify().ok


def test_read_only_database_is_not_called_damaged(new_casebook) -> None:  # type: ignore[no-untyped-def]
    case = new_casebook.cases.create("Kept", "other")
    _limit(new_casebook, "PRAGMA query_only = 1")  # SQLite: SQLITE_READONLY
    with pytest.raises(fileio.StorageFaultError) as caught:
        new_casebook.cases.add_entry(case.id, "not saved")
    assert caught.value.cause == "read-only"
    assert "the drive is read-only, you do not have permission" in str(caught.value)
    _not_damaged(str(caught.value))


def test_a_drive_pulled_while_open_is_named_as_unreachable(new_casebook_info,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    info = new_casebook_info
    case = info.book.cases.create("Kept", "other")
    info.book.store.engine.dispose()
    moved = tmp_path / "pulled"
    info.data_dir.rename(moved)  # the folder is gone from where the app had it
    try:
        with pytest.raises(fileio.StorageFaultError) as caught:
            info.book.cases.add_entry(case.id, "not saved")
        assert caught.value.cause == "unreachable"
        assert "cannot be reached (was a USB or network drive removed?)" in str(caught.value)
        _not_damaged(str(caught.value))
    finally:
        moved.rename(info.data_dir)
    info.book.cases.add_entry(case.id, "saved once it is back")
    assert [e.text for e in info.book.cases.chronology(case.id)] == [
        "Case opened.", "saved once it is back"]


def test_opening_with_no_room_for_the_wal_is_not_damaged(new_casebook_info,  # type: ignore[no-untyped-def]
                                                         monkeypatch) -> None:
    """The unlock-time read used to turn every SQLite error into "may be damaged"."""
    info = new_casebook_info
    info.book.lock()
    with pragma_on_every_connection(monkeypatch, "PRAGMA query_only = 1"), \
            pytest.raises(fileio.StorageFaultError) as caught:
        Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    _not_damaged(str(caught.value))


def test_a_really_damaged_file_is_called_damaged(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    info.book.lock()
    for offset in range(100, 4000, 97):
        flip_byte(info.database, offset)  # the first page no longer decrypts
    with pytest.raises(DamagedFileError, match="may be damaged"):
        Casebook.open_with_passphrase(info.data_dir, info.passphrase)


def test_init_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                            capsys) -> None:
    class Full(fileio.FileOps):
        def write(self, fd: int, data: memoryview) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio, "ops", Full())
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", "a long enough passphrase 1")
    data = tmp_path / "book"
    code = main(["--data-dir", str(data), "init", "--school", "Oak", "--jurisdiction", "england",
                 "--user", "Ann Smith"])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "is full, so the new casebook was not saved" in err
    assert [p.name for p in data.iterdir() if p.name != "casebook.db.lock"] == []


def test_evidence_add_on_a_full_disk_is_one_line(new_casebook_info, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                 monkeypatch, capsys) -> None:
    info = new_casebook_info
    reference = info.book.cases.create("Kept", "other").reference
    info.book.lock()
    evidence = tmp_path / "photo.bin"
    evidence.write_bytes(os.urandom(2_000_000))
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", info.passphrase)
    with pragma_on_every_connection(monkeypatch, "PRAGMA max_page_count = 1"):
        code = main(["--data-dir", str(info.data_dir), "evidence", "add", reference,
                     str(evidence), "--confirm-no-indecent-images"])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.count("\n") == 1 and "Traceback" not in err and "is full" in err


def test_backup_on_a_full_disk_is_one_line_and_leaves_no_partial(new_casebook_info,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path, monkeypatch,
                                                                 capsys) -> None:
    info = new_casebook_info
    for n in range(20):
        info.book.cases.create(f"Case {n}", "other")
    info.book.lock()
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", info.passphrase)
    target = tmp_path / "usb" / "backup.db"
    real = engine_module._raw_connect

    def small_target(path: Path, create: bool):  # type: ignore[no-untyped-def]
        conn = real(path, create)
        if create:  # only the backup's new file runs out of room
            conn.execute("PRAGMA max_page_count = 1")
        return conn

    monkeypatch.setattr(engine_module, "_raw_connect", small_target)
    code = main(["--data-dir", str(info.data_dir), "backup", str(target)])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.count("\n") == 1 and "is full, so the backup was not saved" in err
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize("content", [b"\xff\xfe\x00bad", "pässphrase".encode("latin-1")])
def test_passphrase_file_that_is_not_utf8_is_one_line(new_casebook_info, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      capsys, content: bytes) -> None:
    info = new_casebook_info
    info.book.lock()
    secret = tmp_path / "pass.txt"
    secret.write_bytes(content)
    code = main(["--data-dir", str(info.data_dir), "--passphrase-file", str(secret), "users"])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err == ("casebook-admin: the passphrase file is not UTF-8 text; save it as UTF-8 (or "
                   "plain text) and try again\n")


def test_a_damaged_older_casebook_is_neither_migrated_nor_backed_up(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    for n in range(40):
        info.book.cases.create(f"Case {n}", "other", summary="x" * 2000)
    key = info.book._require_key()
    info.book.lock()
    engine = open_engine(info.database, key)
    try:
        migrate.downgrade(engine, "-1")
        older = migrate.current_revision(engine)
    finally:
        engine.dispose()
    size = info.database.stat().st_size
    flip_byte(info.database, size - 70_000)  # a page in the middle: page 1 still decrypts
    digest = sha256_file(info.database)
    with pytest.raises(DamagedFileError, match="failed its integrity check"):
        Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    assert sha256_file(info.database) == digest
    assert not list(info.book.paths.backups.glob("before-upgrade-*"))
    assert older != migrate.head_revision()


def test_leftover_temporary_files_are_removed_at_the_next_open(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    info.book.backup()
    info.book.lock()
    backups = info.book.paths.backups
    old = [backups / "casebook-20260101-000000.db.partial",
           backups / "casebook-20260101-000000.db.partial-wal",
           info.data_dir / ".casebook.keys.abc123.partial",
           info.data_dir / "casebook.db.restoring.partial"]
    fresh = info.data_dir / ".casebook.keys.attempts.xyz.partial"  # being written right now
    for path in (*old, fresh):
        path.write_bytes(b"decrypted or half-written data")
    an_hour_ago = time.time() - 3600
    for path in old:
        os.utime(path, (an_hour_ago, an_hour_ago))
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase):
        assert [p.name for p in old if p.exists()] == []
        assert fresh.exists()


def test_a_lock_file_that_cannot_be_made_is_one_line_about_the_drive(new_casebook_info,  # type: ignore[no-untyped-def]
                                                                      capsys,
                                                                      monkeypatch) -> None:
    """As on a drive mounted read-only: the lock file cannot be opened for writing. (Made here
    by putting a folder where the lock file goes, which works even as root.)"""
    info = new_casebook_info
    info.book.lock()
    lock = info.data_dir / "casebook.db.lock"
    lock.unlink()
    lock.mkdir()
    digest = sha256_file(info.database)
    monkeypatch.setenv("CASEBOOK_PASSPHRASE", info.passphrase)
    code = main(["--data-dir", str(info.data_dir), "case", "add", "--title", "T",
                 "--type", "other"])  # a command that writes (read-only ones take no lock)
    assert code == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    _not_damaged(err.strip())
    assert "Nothing was changed" in err
    assert sha256_file(info.database) == digest
