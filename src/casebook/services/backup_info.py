"""What a backup holds, read before anything is restored from it: when it was made, its size,
how many cases, which school.

The backup is opened read-only (``mode=ro``) with its own key file (``<backup>.keys``, copied
to a temporary folder so not even an attempts counter is written beside the backup, which may
be on read-only media). If that key file is missing, or the passphrase is not one of its
slots (it was changed since), this casebook's own key file is used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlcipher3

from casebook.errors import DamagedFileError, WrongKeyError
from casebook.paths import CasebookPaths
from casebook.storage.engine import apply_key, check_database_file, sqlite_uri
from casebook.vault import KeyVault


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    size: int
    made_at: datetime
    cases: int
    school: str
    last_change: datetime | None


def _key_from_backup_keys(keys: Path, passphrase: str) -> bytes | None:
    if not keys.is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="casebook-restore-") as folder:
        copy = Path(folder) / "backup.keys"
        shutil.copyfile(keys, copy)
        try:
            return KeyVault.load(copy).unlock_any_passphrase(passphrase)[1]
        except WrongKeyError:
            return None


def describe_backup(backup: Path | str, paths: CasebookPaths, passphrase: str) -> BackupSummary:
    """Open ``backup`` read-only and count what it holds. Changes nothing anywhere."""
    backup = Path(backup)
    check_database_file(backup)
    key = _key_from_backup_keys(backup.with_name(backup.name + ".keys"), passphrase)
    if key is None:
        key = KeyVault.load(paths.slots).unlock_any_passphrase(passphrase)[1]
    uri = sqlite_uri(type(backup)(os.path.abspath(backup)), "ro")
    conn = sqlcipher3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    try:
        try:
            apply_key(conn, key)
        except DamagedFileError:
            raise DamagedFileError(
                "That backup does not open with this casebook's key: it may be from another "
                "casebook, or damaged. Nothing was changed.") from None
        try:
            cases = int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            last = conn.execute("SELECT max(at) FROM audit_log").fetchone()[0]
        except sqlcipher3.DatabaseError as exc:
            raise DamagedFileError(
                "That file opens but is not a complete casebook backup, so it cannot be "
                "restored. Try another backup.") from exc
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    stat = backup.stat()
    return BackupSummary(
        path=backup, size=stat.st_size, made_at=datetime.fromtimestamp(stat.st_mtime),
        cases=cases, school=str(meta.get("school_name", "")),
        last_change=datetime.fromisoformat(str(last)) if last else None)
