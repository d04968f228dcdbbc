"""Re-encrypt the casebook file under a new data key, switching over with one rename.

SQLCipher 4's ``PRAGMA rekey`` rewrites every page inside one transaction, but it is not
supported on a database in WAL mode (SQLCipher only added that in 5.0), and an interrupted
rekey would leave a hot journal that must be rolled back with the *old* key. So the live file
is never rekeyed in place:

1. fold the WAL into the file (``wal_checkpoint(TRUNCATE)``; refused if another connection
   holds it open);
2. copy the file to ``<name>.rekeying`` and, on the copy, switch to a rollback journal and run
   ``PRAGMA rekey`` with the new raw key;
3. check the copy opens with the new key (``cipher_integrity_check`` and ``quick_check``),
   fsync it;
4. remove the (empty) ``-wal``/``-shm`` of the live file and rename the copy over it.

Until step 4 the live file is untouched and under the old key; after it, under the new key. A
crash leaves at most a ``.rekeying`` leftover, which :func:`remove_leftovers` deletes. The key
file keeps both keys until the switch is confirmed (see :mod:`casebook.vault.keyvault`).

Every connection to the live file must be closed first (Windows cannot rename over an open
file); the caller holds the single-writer lock, so nothing reopens it meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from casebook import fileio
from casebook.errors import CasebookError, DamagedFileError
from casebook.storage.engine import connect_keyed
from casebook.storage.maintenance import fsync_dir

log = logging.getLogger(__name__)

CHECKPOINT_WAIT_MS = 3000
MSG_IN_USE = (
    "Casebook could not change the key because the casebook is open in another window or "
    "program. Close it there and try again. Nothing was changed."
)


def staging_path(database: Path) -> Path:
    return database.with_name(database.name + ".rekeying")


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]


def remove_leftovers(database: Path) -> None:
    """Delete a half-made copy left by an interrupted rekey (it is never the live file)."""
    staged = staging_path(database)
    for leftover in (staged, *_sidecars(staged)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def opens_with(database: Path, key: bytes) -> bool:
    """True if ``key`` reads the file's schema. A wrong key writes nothing."""
    try:
        conn = connect_keyed(database, key)
    except DamagedFileError:
        return False
    conn.close()
    return True


def _private_copy(source: Path, target: Path) -> None:
    """Copy into a new file that only this user can read (it replaces the casebook), through
    the one atomic writer: fsynced, 0600, no part-copy left if it fails."""
    fileio.atomic_copy(source, target, exclusive=True)


def rekey_file(database: Path, old_key: bytes, new_key: bytes,
               step: Callable[[str], None] = lambda _name: None) -> None:
    """Switch ``database`` from ``old_key`` to ``new_key`` (see the module docstring).

    ``step`` is called between steps with their names (tests stop the process there).
    """
    database = Path(database)
    remove_leftovers(database)
    conn = connect_keyed(database, old_key)
    try:
        # Readers elsewhere make TRUNCATE wait on the busy handler; do not hang for 30 s.
        conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    if busy:
        raise CasebookError(MSG_IN_USE)
    step("checkpointed")
    staged = staging_path(database)
    try:
        _private_copy(database, staged)
        step("copied")
        conn = connect_keyed(staged, old_key)
        try:
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            conn.execute(f"PRAGMA rekey = \"x'{bytes(new_key).hex()}'\"")
        finally:
            conn.close()
        step("rekeyed")
        conn = connect_keyed(staged, new_key)
        try:
            problems = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check")]
            quick = [r[0] for r in conn.execute("PRAGMA quick_check")]
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            conn.close()
        if problems or quick != ["ok"]:
            raise DamagedFileError(
                "Casebook could not change the key: the re-encrypted copy did not check out. "
                "Nothing was changed."
            )
        for leftover in _sidecars(staged):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        with staged.open("rb+") as handle:
            fileio.ops.fsync(handle.fileno())
        step("checked")
    except BaseException as exc:
        remove_leftovers(database)
        if isinstance(exc, OSError):  # a full or pulled drive: say so, not a traceback
            raise fileio.explain_os_error(exc, database.parent, "the key change") from exc
        raise
    # The live WAL is empty (truncated above); remove it and the shared-memory index so the
    # new file never meets frames written under the old key.
    for sidecar in _sidecars(database):
        with contextlib.suppress(FileNotFoundError):
            sidecar.unlink()
    step("sidecars-removed")
    try:
        fileio.ops.replace(str(staged), str(database))
    except OSError as exc:
        remove_leftovers(database)
        raise fileio.explain_os_error(exc, database.parent, "the key change") from exc
    fsync_dir(database.parent)
    step("switched")
    log.info("casebook file rekeyed")
