"""The keyed SQLCipher engine.

The raw 256-bit data key is applied in a ``connect`` event (``PRAGMA key = "x'…'"``), never in
a URL, a config file or a log. A connection that cannot read the schema with the key is refused
before any other statement runs, so a wrong key never writes to the file.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.pool import QueuePool

from casebook import fileio
from casebook.errors import CasebookError, DamagedFileError

log = logging.getLogger(__name__)

SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"

#: Execution option for transactions that only read: they begin DEFERRED. Every other
#: transaction begins IMMEDIATE, taking the write lock up front so busy_timeout applies.
READ_ONLY = "casebook_read_only"

# SQLite primary result codes (extended codes carry them in the low byte).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26


#: SQLite's own text for each code (sqlite3_errstr), for errors raised without a code.
_CODE_BY_MESSAGE = {
    "database is locked": SQLITE_BUSY,
    "database table is locked": SQLITE_LOCKED,
    "attempt to write a readonly database": SQLITE_READONLY,
    "disk i/o error": SQLITE_IOERR,
    "database disk image is malformed": SQLITE_CORRUPT,
    "database or disk is full": SQLITE_FULL,
    "unable to open database file": SQLITE_CANTOPEN,
    "file is not a database": SQLITE_NOTADB,
}


class BusyError(CasebookError):
    """The casebook stayed busy with another writer for longer than the wait allows."""


class FileReplacedError(CasebookError):
    """The casebook file was replaced or removed while it was open."""


def _damaged_message() -> str:
    return ("The casebook file could not be opened with its key: it may be damaged, or it is "
            "not a casebook. Nothing was changed. Restore it from a backup.")


def translate_error(error: BaseException, path: Path) -> CasebookError | None:
    """A calm, one-line error for a SQLite failure that is not a bug: busy, disk full,
    read-only, drive gone, damaged. ``None`` for anything else (constraint errors and bugs)."""
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(code, int):  # e.g. the backup API: only SQLite's standard message
        if not isinstance(error, sqlcipher3.Error):
            return None
        code = _CODE_BY_MESSAGE.get(str(error).strip().lower())
        if code is None:
            return None
    primary = code & 0xFF
    folder = path.parent
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return BusyError("The casebook is busy saving something else and did not finish in "
                         "time. Nothing was lost. Try again in a moment.")
    if primary == SQLITE_FULL:
        return fileio.StorageFaultError(fileio.fault_message("full", folder), "full")
    if primary == SQLITE_READONLY:
        cause = fileio.probe_folder(folder) or "read-only"
        return fileio.StorageFaultError(fileio.fault_message(cause, folder), cause)
    if primary in (SQLITE_CANTOPEN, SQLITE_IOERR):
        cause = fileio.probe_folder(folder)
        if cause is None and not path.exists():
            cause = "unreachable"
        cause = cause or ("io" if primary == SQLITE_IOERR else "unreachable")
        return fileio.StorageFaultError(fileio.fault_message(cause, folder), cause)
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return DamagedFileError(_damaged_message())
    return None

#: 64 KiB cipher pages: a 100 MiB evidence import costs 1.05x plain instead of 1.68x with the
#: default 4 KiB (per-page HMAC and IV work), for ~1 ms more per small commit (bench/README.md).
#: Every connection to a casebook must set it; a raw sqlcipher3 connection needs
#: ``PRAGMA cipher_page_size = 65536`` after the key.
CIPHER_PAGE_SIZE = 65536


def key_pragma(data_key: bytes) -> str:
    if len(data_key) != 32:
        raise ValueError("the data key must be 32 bytes")
    return f"PRAGMA key = \"x'{bytes(data_key).hex()}'\""


class UnusablePathError(CasebookError):
    """A file path that Casebook cannot open as a database (the message says why)."""


def sqlite_uri(path: PurePath, mode: str) -> str:
    """The SQLite ``file:`` URI for an absolute ``path`` (local, mapped drive or network share).

    ``Path.as_uri()`` puts a UNC server into the URI's authority (``file://server/share/x.db``),
    which SQLite refuses ("invalid uri authority"). SQLite wants an empty authority and the
    whole path after it, so a share becomes ``file:////server/share/x.db`` and a drive
    ``file:///Z:/x.db``. Characters that mean something in a URI (``%``, ``?``, ``#``, spaces)
    are percent-encoded.
    """
    text = str(path)
    if "\x00" in text:
        raise UnusablePathError("That file name holds a character Casebook cannot use.")
    if isinstance(path, PureWindowsPath):
        drive = path.drive
        if drive.startswith(("\\\\?\\UNC\\", "//?/UNC/")):  # long-path form of a share
            return sqlite_uri(PureWindowsPath("\\\\" + text[8:]), mode)
        if drive.startswith(("\\\\?\\", "//?/")):  # long-path form of a drive
            return sqlite_uri(PureWindowsPath(text[4:]), mode)
        if drive.startswith(("\\\\.\\", "//./")):
            raise UnusablePathError(
                f"{path} is a device path; choose a folder on a drive or a network share.")
        if not path.is_absolute():
            raise UnusablePathError(f"{path} is not a full path; choose the folder again.")
        if drive.startswith(("\\\\", "//")):
            parts = [p for p in drive.replace("\\", "/").split("/") if p]
            if len(parts) < 2:
                raise UnusablePathError(
                    f"{path} names a server but no shared folder on it; "
                    "choose a folder inside the share.")
            posix = "//" + "/".join(parts) + "/" + "/".join(path.parts[1:])
        else:
            posix = "/" + path.as_posix()
    else:
        if not path.is_absolute():
            raise UnusablePathError(f"{path} is not a full path; choose the folder again.")
        posix = PurePosixPath(path).as_posix()
        if posix.startswith("//"):  # keep it a path, never an authority
            posix = "//" + posix.lstrip("/")
    return f"file://{quote(posix, safe='/:')}?mode={mode}"


def _raw_connect(path: Path, create: bool) -> sqlcipher3.Connection:
    # mode=rw never creates a file: opening a missing or mistyped path must not leave one behind.
    if create and not path.exists():
        # Private from its first byte: SQLite gives its -wal and -shm files the same mode.
        try:
            fileio.create_private_file(path)
        except FileExistsError:
            pass
        except OSError as exc:
            raise fileio.explain_os_error(exc, path.parent, "the casebook") from exc
    # abspath, not resolve(): resolve() turns a mapped drive (Z:) into its UNC path and follows
    # links; the file the user chose is the one to open.
    mode = "rwc" if create else "rw"
    uri = sqlite_uri(type(path)(os.path.abspath(path)), mode)
    try:
        return sqlcipher3.connect(uri, uri=True, check_same_thread=False, timeout=30,
                                  isolation_level=None)
    except sqlcipher3.DatabaseError as exc:
        translated = translate_error(exc, path)
        if translated is None:
            raise
        raise translated from exc


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
        # Only a file that does not decrypt is "damaged"; a full disk, a read-only folder or a
        # pulled drive says so (acting on "restore from a backup" would lose recent work).
        translated = translate_error(exc, Path(dbapi_conn_path(dbapi_conn)))
        if translated is not None and not isinstance(translated, DamagedFileError):
            raise translated from exc
        raise DamagedFileError(_damaged_message()) from exc
    finally:
        cur.close()


def dbapi_conn_path(dbapi_conn: sqlcipher3.Connection) -> str:
    """The main database file of a raw connection ("" for an in-memory one)."""
    try:
        row = dbapi_conn.execute("PRAGMA database_list").fetchone()
    except sqlcipher3.DatabaseError:
        return ""
    return str(row[2]) if row else ""


def tune_connection(dbapi_conn: sqlcipher3.Connection) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA secure_delete = ON")
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA cache_size = -32768")  # 32 MiB: searches at 50k cases (bench/README.md)
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
    path = Path(path)
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

    identity: list[tuple[int, int]] = [] if create else [file_identity(path)]

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # isolation_level=None hands transaction control to SQLAlchemy, so SAVEPOINTs and DDL
        # inside migrations behave as written (the stdlib driver's implicit BEGIN does not).
        # Writes begin IMMEDIATE: a deferred transaction that reads first and then wants to
        # write fails at once with "database is locked" instead of waiting busy_timeout.
        _check_same_file(path, identity)
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> BaseException | None:
        return translate_error(context.original_exception, path)

    log.debug("engine opened for %s", path.name)
    return engine


def file_identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return (st.st_dev, st.st_ino)


def _check_same_file(path: Path, identity: list[tuple[int, int]]) -> None:
    """Refuse to go on writing once the file was replaced (a restore, a copy over it) or has
    gone: the open connections would write into a file nobody will read again."""
    try:
        now = file_identity(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.parent.is_dir():
            raise FileReplacedError(
                f"The casebook file was moved or deleted from {path.parent} while it was open, "
                "so nothing more was saved. Close Casebook and open it again."
            ) from exc
        raise fileio.explain_os_error(exc, path.parent) from exc
    if not identity:
        identity.append(now)
    elif now != identity[0] and now[1] != 0:
        raise FileReplacedError(
            "The casebook file was replaced while it was open (perhaps restored from a backup), "
            "so nothing more was saved into the old one. Close Casebook and open it again."
        )
