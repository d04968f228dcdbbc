"""Encrypted backup, verified restore and integrity checks."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import sqlcipher3

from casebook.errors import CasebookError, DamagedFileError
from casebook.storage.engine import check_database_file, connect_keyed

log = logging.getLogger(__name__)


@dataclass
class IntegrityReport:
    cipher_problems: list[str] = field(default_factory=list)
    sqlite_problems: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.cipher_problems and not self.sqlite_problems


def fsync_dir(directory: Path) -> None:
    """Make a rename durable (a no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def copy_file_atomically(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    fsync_dir(target.parent)


def check_integrity(path: Path, data_key: bytes) -> IntegrityReport:
    """Run ``cipher_integrity_check`` and ``integrity_check``, each on a fresh connection,
    then read every row of every table so any page that fails to decrypt is found."""
    report = IntegrityReport()
    try:
        conn = connect_keyed(path, data_key)
    except DamagedFileError:  # even the schema does not decrypt
        report.cipher_problems.append("the file's first pages do not decrypt with its key")
        return report
    try:
        rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        report.cipher_problems = [str(r[0]) for r in rows]
    finally:
        conn.close()
    conn = connect_keyed(path, data_key)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        report.sqlite_problems = [str(r[0]) for r in rows if r[0] != "ok"]
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )]
        for table in tables:
            for _row in conn.execute(f'SELECT * FROM "{table}"'):
                report.rows_read += 1
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(str(exc))
    finally:
        conn.close()
    return report


def backup_to(source: Path, target: Path, data_key: bytes) -> Path:
    """Online backup to a new file under the same key (written beside, then renamed in)."""
    target = Path(target)
    if target.exists():
        raise CasebookError(f"{target} already exists; choose a new file name for the backup.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    src = connect_keyed(source, data_key)
    try:
        dst = connect_keyed(partial, data_key, create=True)
        try:
            src.backup(dst)
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    finally:
        src.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    fsync_dir(target.parent)
    log.info("backup written (%d bytes)", target.stat().st_size)
    return target


def restore_from(backup: Path, database: Path, data_key: bytes) -> Path:
    """Replace ``database`` with a verified copy of ``backup``.

    Nothing is replaced unless the backup opens with this casebook's key and passes both
    integrity checks. The replaced file is kept as ``<name>.before-restore``. Returns that path.
    """
    backup = Path(backup)
    check_database_file(backup)
    # Check a copy, never the backup itself: opening a file tunes it (journal mode), and a
    # backup must stay exactly as it was (it may be on read-only media).
    staged = database.with_name(database.name + ".restoring")
    for leftover in (staged, *(staged.with_name(staged.name + s) for s in ("-wal", "-shm"))):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    shutil.copyfile(backup, staged)
    report = check_integrity(staged, data_key)
    if not report.ok:
        for leftover in (staged, *(staged.with_name(staged.name + s) for s in ("-wal", "-shm"))):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise DamagedFileError(
            "That backup is damaged, so nothing was restored. Try an older backup."
        )
    conn = connect_keyed(staged, data_key)  # fold the check's WAL back into the copy
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            staged.with_name(staged.name + suffix).unlink()
    with staged.open("rb+") as handle:
        os.fsync(handle.fileno())
    kept = database.with_name(database.name + ".before-restore")
    if database.exists():
        # Fold the WAL into the main file so the kept copy is complete on its own.
        conn = connect_keyed(database, data_key)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        shutil.copyfile(database, kept)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            database.with_name(database.name + suffix).unlink()
    os.replace(staged, database)
    fsync_dir(database.parent)
    log.info("casebook restored from backup")
    return kept
