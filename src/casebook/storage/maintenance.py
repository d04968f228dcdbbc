"""Encrypted backup, verified restore and integrity checks."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlcipher3

from casebook import fileio
from casebook.errors import CasebookError, DamagedFileError
from casebook.storage.engine import check_database_file, connect_keyed, translate_error

log = logging.getLogger(__name__)


@dataclass
class IntegrityReport:
    cipher_problems: list[str] = field(default_factory=list)
    sqlite_problems: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.cipher_problems and not self.sqlite_problems


fsync_dir = fileio.fsync_dir
#: Kept replaced files: ``casebook.db.before-restore-20261129-091400`` (never overwritten).
BEFORE_RESTORE = ".before-restore"


def copy_file_atomically(source: Path, target: Path) -> None:
    fileio.atomic_copy(source, target)


def remove_sidecars(path: Path) -> None:
    """Remove the ``-wal`` and ``-shm`` files beside ``path`` (after a full checkpoint)."""
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def _remove_with_sidecars(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


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
    try:
        fileio.private_dir(target.parent)
    except OSError as exc:
        raise fileio.explain_os_error(exc, target.parent, "the backup") from exc
    partial = target.with_name(target.name + fileio.TEMP_SUFFIX)
    _remove_with_sidecars(partial)
    src = connect_keyed(source, data_key)
    try:
        dst = connect_keyed(partial, data_key, create=True)  # created 0600
        try:
            src.backup(dst)
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
        with partial.open("rb+") as handle:
            fileio.ops.fsync(handle.fileno())
        fileio.ops.replace(str(partial), str(target))
    except BaseException as exc:
        _remove_with_sidecars(partial)
        if isinstance(exc, OSError):
            raise fileio.explain_os_error(exc, target.parent, "the backup") from exc
        fault = translate_error(exc, partial) if isinstance(exc, sqlcipher3.Error) else exc
        if isinstance(fault, fileio.StorageFaultError):
            raise fileio.StorageFaultError(
                fileio.fault_message(fault.cause, target.parent, "the backup"),
                fault.cause) from exc
        raise
    finally:
        src.close()
    fsync_dir(target.parent)
    log.info("backup written (%d bytes)", target.stat().st_size)
    return target


def unused_name(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``… whichever does not exist yet."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def kept_copy_name(database: Path, now: datetime | None = None) -> Path:
    """A new ``<name>.before-restore-<stamp>`` path that does not exist yet."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = database.with_name(f"{database.name}{BEFORE_RESTORE}-{stamp}")
    n = 2
    while candidate.exists():
        candidate = database.with_name(f"{database.name}{BEFORE_RESTORE}-{stamp}-{n}")
        n += 1
    return candidate


def restore_from(backup: Path, database: Path, data_key: bytes,
                 prepare: Callable[[Path], None] | None = None) -> Path:
    """Replace ``database`` with a verified copy of ``backup`` (call with the writer lock held).

    Nothing is replaced unless the backup opens with this casebook's key and passes both
    integrity checks. ``prepare(copy)`` may then change the checked copy (restore re-applies
    purges there) before it replaces anything; if it fails, nothing is replaced. The replaced
    file is kept as ``<name>.before-restore-<date-time>``; no earlier kept copy is ever
    overwritten. Returns the new kept copy's path.
    """
    backup = Path(backup)
    check_database_file(backup)
    # Check a copy, never the backup itself: opening a file tunes it (journal mode), and a
    # backup must stay exactly as it was (it may be on read-only media).
    staged = database.with_name(database.name + ".restoring" + fileio.TEMP_SUFFIX)
    _remove_with_sidecars(staged)
    try:
        fileio.atomic_copy(backup, staged)
    except OSError as exc:
        _remove_with_sidecars(staged)
        raise fileio.explain_os_error(exc, database.parent, "the restore") from exc
    report = check_integrity(staged, data_key)
    if not report.ok:
        _remove_with_sidecars(staged)
        raise DamagedFileError(
            "That backup is damaged, so nothing was restored. Try an older backup."
        )
    conn = connect_keyed(staged, data_key)  # fold the check's WAL back into the copy
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    remove_sidecars(staged)
    if prepare is not None:
        try:
            prepare(staged)
        except BaseException:
            _remove_with_sidecars(staged)
            raise
    kept = kept_copy_name(database)
    try:
        with staged.open("rb+") as handle:
            fileio.ops.fsync(handle.fileno())
        if database.exists():
            # Fold the WAL into the main file so the kept copy is complete on its own.
            conn = connect_keyed(database, data_key)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            fileio.atomic_copy(database, kept, exclusive=True)
        for suffix in ("-wal", "-shm"):  # empty after the checkpoint; must not meet the new file
            with contextlib.suppress(FileNotFoundError):
                database.with_name(database.name + suffix).unlink()
        fileio.ops.replace(str(staged), str(database))
    except OSError as exc:
        _remove_with_sidecars(staged)
        raise fileio.explain_os_error(exc, database.parent, "the restore") from exc
    fsync_dir(database.parent)
    log.info("casebook restored from backup")
    return kept
