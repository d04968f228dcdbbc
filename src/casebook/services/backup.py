"""Making a backup where the school asked for one (a worker job for the UI and the CLI), and
finding the backups made before a purge, which still hold what it removed."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from casebook import fileio

if TYPE_CHECKING:
    from casebook.services.casebook import Casebook

log = logging.getLogger(__name__)

#: Files that travel with a backup (its key file and its audit anchor).
_SIDECARS = (".keys", ".anchor")


def run_backup(casebook: Casebook, folder: str | Path | None = None) -> Path:
    """An encrypted backup into ``folder`` (or the casebook's backup setting); the new file.

    The backup opens with the same passphrases and recovery key.
    """
    from casebook.storage.maintenance import unused_name

    chosen = str(folder) if folder else casebook.settings.get("backup_dir")
    stamp = f"{casebook.store.now():%Y%m%d-%H%M%S}"
    if chosen:
        directory = Path(chosen)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"casebook-backup-{stamp}.db"
    else:
        target = casebook.paths.backups / f"casebook-{stamp}.db"
    return casebook.backup(unused_name(target))


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: datetime
    size: int


def _ours(casebook: Casebook, path: Path) -> bool:
    """A backup of this casebook: its key file travels beside it and names this casebook's
    vault (a chosen folder may hold other files, even other casebooks' backups)."""
    from casebook.errors import CasebookError
    from casebook.vault import KeyVault

    keys = path.with_name(path.name + ".keys")
    try:
        return keys.is_file() and KeyVault.load(keys).vault_id == casebook.vault.vault_id
    except (CasebookError, OSError, ValueError):
        return False


def backups_before(casebook: Casebook, when: datetime) -> list[BackupFile]:
    """Backups of this casebook in the app's backup folders (the chosen one and the
    casebook's own, where the copies made before an upgrade go) and copies kept by a restore,
    made before ``when``: after a purge these still hold the purged records. Oldest first.
    Nothing else in those folders is ever listed (or deleted)."""
    folders = [casebook.paths.backups]
    chosen = casebook.settings.get("backup_dir")
    if chosen and Path(chosen) not in folders:
        folders.insert(0, Path(chosen))
    found: dict[Path, BackupFile] = {}
    candidates: list[Path] = []
    for folder in folders:
        with contextlib.suppress(OSError):
            candidates += [p for p in folder.iterdir()
                           if p.name.endswith(".db") and _ours(casebook, p)]
    with contextlib.suppress(OSError):
        kept = f"{casebook.paths.database.name}.before-restore"
        candidates += [p for p in casebook.paths.root.iterdir() if p.name.startswith(kept)
                       and not p.name.endswith((*_SIDECARS, fileio.TEMP_SUFFIX))]
    for path in candidates:
        try:
            stat = path.stat()
        except OSError:
            continue
        made = datetime.fromtimestamp(stat.st_mtime)
        if path.is_file() and made < when:
            found[path] = BackupFile(path, made, stat.st_size)
    return sorted(found.values(), key=lambda b: (b.made_at, b.path.name))


def delete_backups(casebook: Casebook, when: datetime) -> tuple[Path, int, list[str]]:
    """Make a fresh backup (it no longer holds what was purged, and the school is never left
    without one), then delete the backups :func:`backups_before` finds, with their key and
    anchor files.

    Returns the new backup, how many were deleted and the names of any that could not be (in
    use, read-only); audited with the counts only.
    """
    casebook.store.require_writer()
    fresh = run_backup(casebook)
    deleted, failed = 0, []
    for backup in backups_before(casebook, when):
        if backup.path == fresh:  # FAT drives keep times to 2 s: never the one just made
            continue
        try:
            backup.path.unlink()
        except OSError:
            failed.append(backup.path.name)
            continue
        deleted += 1
        for suffix in _SIDECARS:
            with contextlib.suppress(OSError):
                backup.path.with_name(backup.path.name + suffix).unlink()
    casebook.store.log_event("backup.delete", "casebook",
                             f"deleted={deleted},failed={len(failed)}")
    log.info("deleted %d backup(s) made before a purge", deleted)
    return fresh, deleted, failed
