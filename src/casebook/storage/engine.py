"""The keyed SQLCipher engine.

The raw 256-bit data key is applied in a ``connect`` event (``PRAGMA key = "x'…'"``), never in
a URL, a config file or a log. A connection that cannot read the schema with the key is refused
before any other statement runs, so a wrong key never writes to the file.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from casebook.errors import DamagedFileError

log = logging.getLogger(__name__)

SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"

#: 64 KiB cipher pages: a 100 MiB evidence import costs 1.05x plain instead of 1.68x with the
#: default 4 KiB (per-page HMAC and IV work), for ~1 ms more per small commit (bench/README.md).
#: Every connection to a casebook must set it; a raw sqlcipher3 connection needs
#: ``PRAGMA cipher_page_size = 65536`` after the key.
CIPHER_PAGE_SIZE = 65536


def key_pragma(data_key: bytes) -> str:
    if len(data_key) != 32:
        raise ValueError("the data key must be 32 bytes")
    return f"PRAGMA key = \"x'{bytes(data_key).hex()}'\""


def _raw_connect(path: Path, create: bool) -> sqlcipher3.Connection:
    # mode=rw never creates a file: opening a missing or mistyped path must not leave one behind.
    mode = "rwc" if create else "rw"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    return sqlcipher3.connect(uri, uri=True, check_same_thread=False, timeout=30,
                              isolation_level=None)


def apply_key(dbapi_conn: sqlcipher3.Connection, data_key: bytes) -> None:
    """Key a raw connection and prove the key reads the file, before anything else touches it."""
    cur = dbapi_conn.cursor()
    # Quiet SQLCipher's own stderr logging (a wrong key is reported to the user by us).
    with contextlib.suppress(sqlcipher3.DatabaseError):
        cur.execute("PRAGMA cipher_log_level = NONE")
    cur.execute(key_pragma(data_key))
    cur.execute(f"PRAGMA cipher_page_size = {CIPHER_PAGE_SIZE}")
    try:
        cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        raise DamagedFileError(
            "The casebook file could not be opened with its key: it may be damaged, or it is not "
            "a casebook. Nothing was changed. Restore it from a backup."
        ) from exc
    finally:
        cur.close()


def tune_connection(dbapi_conn: sqlcipher3.Connection) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA secure_delete = ON")
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.close()


def check_database_file(path: Path) -> None:
    """Refuse files that are plainly not a casebook, without opening them for writing."""
    if not path.exists():
        raise DamagedFileError(f"There is no casebook at {path}.")
    if not path.is_file():
        raise DamagedFileError(f"{path} is a folder, not a casebook file.")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head == SQLITE_PLAIN_HEADER:
        raise DamagedFileError(
            f"{path.name} is an unencrypted database, not a casebook. Nothing was changed."
        )
    if len(head) < 16:
        raise DamagedFileError(f"{path.name} is empty or cut short; it is not a usable casebook.")


def connect_keyed(path: Path, data_key: bytes, *, create: bool = False) -> sqlcipher3.Connection:
    """A raw, keyed and tuned DB-API connection (for backups, checks and tools)."""
    if not create:
        check_database_file(path)
    conn = _raw_connect(path, create)
    try:
        apply_key(conn, data_key)
        tune_connection(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def open_engine(path: Path, data_key: bytes, *, create: bool = False) -> Engine:
    """A SQLAlchemy engine whose every connection is keyed with ``data_key``.

    The key is captured in a closure, not in the URL. ``dispose()`` the engine to close all
    connections when the casebook locks.
    """
    path = Path(path)
    if not create:
        check_database_file(path)
    key = bytes(data_key)

    def creator() -> sqlcipher3.Connection:
        return _raw_connect(path, create)

    engine = create_engine(
        "sqlite://",
        module=sqlcipher3,  # so driver errors are wrapped as SQLAlchemy's (IntegrityError, ...)
        creator=creator,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlcipher3.Connection, _record: object) -> None:
        apply_key(dbapi_conn, key)
        tune_connection(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # isolation_level=None hands transaction control to SQLAlchemy, so SAVEPOINTs and DDL
        # inside migrations behave as written (the stdlib driver's implicit BEGIN does not).
        conn.exec_driver_sql("BEGIN")

    log.debug("engine opened for %s", path.name)
    return engine
