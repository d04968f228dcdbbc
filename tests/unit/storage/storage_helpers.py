"""Helpers for the storage tests: a fresh keyed database, file hashes, sidecar files."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from sqlalchemy import Engine

from casebook.storage import migrate
from casebook.storage.engine import open_engine


def new_key() -> bytes:
    return secrets.token_bytes(32)


def new_database(path: Path, key: bytes) -> Engine:
    """An encrypted database at ``path`` migrated to the newest schema (caller disposes)."""
    engine = open_engine(path, key, create=True)
    migrate.upgrade(engine)
    return engine


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(database: Path) -> set[str]:
    return {s for s in ("-wal", "-shm") if database.with_name(database.name + s).exists()}


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
