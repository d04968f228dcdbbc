"""Where Casebook keeps its files: the casebook, its key slots, settings and logs."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Casebook"
APP_AUTHOR = "Casebook"
DATABASE_NAME = "casebook.db"
SLOTS_NAME = "casebook.keys"
DATA_DIR_ENV = "CASEBOOK_DATA_DIR"


def resources_dir() -> Path:
    """Read-only data shipped with the app (profiles, guidance, checklists, templates, fonts).

    The data is the ``casebook.resources`` package (``resources/`` at the top of the
    repository), so it ships in the wheel; a frozen (PyInstaller) app unpacks it under
    ``sys._MEIPASS``.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "casebook" / "resources"
    import casebook.resources  # a plain package: its folder, without importlib.resources' cost

    folders = list(getattr(casebook.resources, "__path__", []))
    if len(folders) == 1 and Path(folders[0]).is_dir():
        return Path(folders[0])
    import importlib.resources

    return Path(str(importlib.resources.files("casebook.resources")))


def default_data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


@dataclass(frozen=True)
class CasebookPaths:
    """The files of one casebook, all in one folder."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def slots(self) -> Path:
        return self.root / SLOTS_NAME

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def autosave(self) -> Path:
        """Encrypted drafts of unsaved text (kept inside the database, this is only a marker dir)."""
        return self.root / "drafts"

    def exists(self) -> bool:
        return self.database.exists() and self.slots.exists()

    @classmethod
    def at(cls, data_dir: Path | str | None = None) -> CasebookPaths:
        return cls(Path(data_dir) if data_dir else default_data_dir())
