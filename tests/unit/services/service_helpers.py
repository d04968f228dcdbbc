"""Small helpers for the service tests: the data key, raw keyed connections, file hashes, a clock."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import sqlcipher3

from casebook.storage.engine import connect_keyed
from casebook.vault import KeyVault

OTHER_PASSPHRASE = "lantern pebble orchard 7"
THIRD_PASSPHRASE = "copper meadow falcon 19"


def data_key(slots: Path, passphrase: str, user_id: str = "1") -> bytes:
    """Unwrap the data key the way a support tool would: straight from the key file."""
    return KeyVault.load(slots).unlock_with_passphrase(user_id, passphrase)


@contextmanager
def raw_connection(database: Path, key: bytes) -> Iterator[sqlcipher3.Connection]:
    """A keyed DB-API connection below the services (and below their rules)."""
    conn = connect_keyed(database, key)
    try:
        yield conn
    finally:
        conn.close()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(database: Path) -> set[str]:
    """Which of the ``-wal`` / ``-shm`` files exist beside ``database``."""
    return {s for s in ("-wal", "-shm") if database.with_name(database.name + s).exists()}


class Clock:
    """A settable clock for the services (they read time only through it)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
