"""Making a backup where the school asked for one (a worker job for the UI and the CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casebook.services.casebook import Casebook


def run_backup(casebook: Casebook, folder: str | Path | None = None) -> Path:
    """An encrypted backup into ``folder`` (or the casebook's backup setting); the new file.

    The backup opens with the same passphrases and recovery key.
    """
    chosen = str(folder) if folder else casebook.settings.get("backup_dir")
    target = None
    if chosen:
        directory = Path(chosen)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"casebook-backup-{casebook.store.now():%Y%m%d-%H%M%S}.db"
    return casebook.backup(target)
