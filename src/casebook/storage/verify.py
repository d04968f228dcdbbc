"""Read-only verification of a casebook file: pages, audit chain, audited rows, evidence.

The file is opened ``mode=ro`` (SQLite then reads every committed frame of the ``-wal`` but
never writes the database, checkpoints or changes its journal mode), and every step catches
the driver's errors, so a damaged page becomes a line in the report instead of a crash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import QueuePool

from casebook.errors import DamagedFileError
from casebook.storage import chain
from casebook.storage.chain import GENESIS_HASH, ChainReport
from casebook.storage.engine import (
    CIPHER_PAGE_SIZE,
    check_database_file,
    key_pragma,
    sqlite_uri,
)

#: Lines per kind of finding kept in a report (the counts are always complete).
MAX_LINES = 50


@dataclass(frozen=True)
class AnchorCheck:
    """Where the chain should be, from an anchor file or a line printed on an export/backup."""

    label: str
    seq: int
    hash_prefix: str


@dataclass
class FileReport:
    cipher_problems: list[str] = field(default_factory=list)
    sqlite_problems: list[str] = field(default_factory=list)
    rows_read: int = 0
    chain: ChainReport = field(default_factory=lambda: ChainReport(0))
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    hashes_at: dict[int, str] = field(default_factory=dict)
    last_restore_at: datetime | None = None
    #: The seq of the last restore entry ("" if none): which history a backup belongs to.
    last_restore: str = ""
    outside_changes: list[int] = field(default_factory=list)
    anchor_mismatches: list[tuple[int, str]] = field(default_factory=list)
    baselines: list[int] = field(default_factory=list)
    changed_rows: list[str] = field(default_factory=list)
    unaudited_rows: list[str] = field(default_factory=list)
    missing_rows: list[str] = field(default_factory=list)
    rows_checked: int = 0
    rows_tracked: bool = False
    #: The whole log was read (a damaged page can stop it part-way).
    log_complete: bool = False
    missing_triggers: list[str] = field(default_factory=list)
    evidence_checked: int = 0
    evidence_bad: list[int] = field(default_factory=list)
    evidence_unreadable: list[int] = field(default_factory=list)
    evidence_listed: bool = True

    @property
    def ok(self) -> bool:
        """The pages and the database structure (the other checks have their own)."""
        return not self.cipher_problems and not self.sqlite_problems

    def beyond(self, seq: int) -> int:
        """Entries after ``seq`` other than upgrade baselines."""
        return self.last_seq - seq - sum(1 for b in self.baselines if b > seq)

    @property
    def rows_ok(self) -> bool:
        return not (self.changed_rows or self.unaudited_rows or self.missing_rows
                    or self.outside_changes or self.missing_triggers or self.anchor_mismatches)

    @property
    def evidence_ok(self) -> bool:
        return not self.evidence_bad and not self.evidence_unreadable


def _read_only_uri(path: Path) -> str:
    """``mode=ro`` reads the committed frames of an existing ``-wal``. With no ``-wal`` the file
    is closed everywhere (Casebook keeps one while it has the file open), and ``immutable=1``
    stops SQLite creating an empty ``-wal``/``-shm`` beside it."""
    uri = sqlite_uri(path.resolve(), "ro")  # also for UNC shares and mapped drives
    if not path.with_name(path.name + "-wal").exists():
        uri += "&immutable=1"
    return uri


def connect_read_only(path: Path, data_key: bytes) -> sqlcipher3.Connection:
    """A keyed connection that cannot write to the file (``mode=ro``, ``query_only``)."""
    check_database_file(path)
    conn = sqlcipher3.connect(_read_only_uri(path), uri=True, check_same_thread=False,
                              isolation_level=None)
    try:
        with contextlib.suppress(sqlcipher3.DatabaseError):
            conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(key_pragma(data_key))
        conn.execute(f"PRAGMA cipher_page_size = {CIPHER_PAGE_SIZE}")
        conn.execute("PRAGMA query_only = ON")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise DamagedFileError(
                "The casebook file could not be opened with its key: it may be damaged, or it is "
                "not a casebook. Nothing was changed."
            ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def open_read_only(path: Path, data_key: bytes) -> Iterator[sqlcipher3.Connection]:
    conn = connect_read_only(path, data_key)
    try:
        yield conn
    finally:
        conn.close()


def _problem(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def verify_file(path: Path, data_key: bytes, anchors: Iterable[AnchorCheck] = ()) -> FileReport:
    """Check everything that can be checked inside the file; never writes, never raises for
    damage (only for a missing or non-casebook file)."""
    report = FileReport()
    wanted = {a.seq for a in anchors}
    reader = _Reader(path, data_key)
    try:
        reader.fresh()
    except DamagedFileError:
        report.cipher_problems.append("the file's first pages do not decrypt with its key")
        return report
    except sqlcipher3.DatabaseError as exc:
        report.cipher_problems.append(f"the file cannot be read: {_problem(exc)}")
        return report
    try:
        _check_pages(reader, report)
        last_hashes = _check_chain(reader.fresh(), report, wanted)
        _check_rows(reader.fresh(), report, last_hashes)
        _check_evidence(reader, report)
    finally:
        reader.close()
    return report


class _Reader:
    """Read-only connections to one file. A page that fails its HMAC leaves SQLCipher's
    connection failing every later read, so each check (and each read after a failure) gets a
    fresh one: one damaged evidence page must not hide the rest of the file."""

    def __init__(self, path: Path, data_key: bytes) -> None:
        self.path, self.key = path, data_key
        self.conn: sqlcipher3.Connection | None = None

    def fresh(self) -> sqlcipher3.Connection:
        self.close()
        self.conn = connect_read_only(self.path, self.key)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _check_pages(reader: _Reader, report: FileReport) -> None:
    try:
        rows = reader.fresh().execute("PRAGMA cipher_integrity_check").fetchall()
        report.cipher_problems.extend(str(r[0]) for r in rows)
    except sqlcipher3.DatabaseError as exc:
        report.cipher_problems.append(_problem(exc))
    try:
        rows = reader.fresh().execute("PRAGMA integrity_check").fetchall()
        report.sqlite_problems.extend(str(r[0]) for r in rows if r[0] != "ok")
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(_problem(exc))
    conn = reader.fresh()
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(_problem(exc))
        return
    for table in tables:
        try:
            for _row in conn.execute(f'SELECT * FROM "{table}"'):
                report.rows_read += 1
        except sqlcipher3.DatabaseError as exc:
            report.sqlite_problems.append(f"{table}: {_problem(exc)}")
            conn = reader.fresh()


def _columns(conn: sqlcipher3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


def _check_chain(conn: sqlcipher3.Connection, report: FileReport,
                 wanted: set[int]) -> dict[str, str | None]:
    """Walk the log; returns each audited row's last recorded hash (None: deleted)."""
    last: dict[str, str | None] = {}
    try:
        with_rows = "row_hashes" in _columns(conn, "audit_log")
        report.rows_tracked = with_rows
        extra = ", row_hashes" if with_rows else ""
        cur = conn.execute("SELECT seq, at, actor, action, target, detail, prev_hash, hash"
                           f"{extra} FROM audit_log ORDER BY seq")
    except sqlcipher3.DatabaseError as exc:
        report.chain = chain.ChainReport(0, 0, f"the audit log could not be read: {_problem(exc)}")
        return last
    prev, expected, count, broken = chain.GENESIS_HASH, 1, 0, None
    try:
        for row in cur:
            seq, at_raw, actor, action, target, detail, prev_hash, digest = row[:8]
            row_hashes = (row[8] or "") if with_rows else ""
            count += 1
            report.last_seq, report.last_hash = seq, digest
            if seq in wanted:
                report.hashes_at[seq] = digest
            at = datetime.fromisoformat(str(at_raw))
            if action == "casebook.restore":
                report.last_restore_at = at
                report.last_restore = str(seq)
            if action == chain.OUTSIDE_CHANGE:
                report.outside_changes.append(seq)
            elif action == chain.ANCHOR_MISMATCH:
                report.anchor_mismatches.append((seq, str(detail)))
            elif action == chain.BASELINE:
                report.baselines.append(seq)
            if broken is None:
                if seq != expected:
                    broken = chain.ChainReport(count, seq, f"entry {expected} is missing")
                elif prev_hash != prev:
                    broken = chain.ChainReport(count, seq,
                                               "the link to the previous entry is broken")
                elif digest != chain.entry_hash(prev, seq, at, actor, action, target, detail,
                                                row_hashes):
                    broken = chain.ChainReport(count, seq,
                                               "the entry was changed after it was written")
            if row_hashes:
                try:
                    last.update(json.loads(row_hashes))
                except ValueError:
                    broken = broken or chain.ChainReport(count, seq, "its row hashes are unreadable")
            prev, expected = digest, seq + 1
        report.log_complete = True
    except (sqlcipher3.DatabaseError, ValueError) as exc:
        broken = broken or chain.ChainReport(count, report.last_seq + 1,
                                             f"the log could not be read past entry "
                                             f"{report.last_seq}: {_problem(exc)}")
    report.chain = broken or chain.ChainReport(count)
    return last


def _check_rows(conn: sqlcipher3.Connection, report: FileReport,
                last: dict[str, str | None]) -> None:
    if not report.rows_tracked:
        return
    try:
        tables = chain.existing_tables(conn)
        triggers = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(_problem(exc))
        return
    unreadable: set[str] = set()
    live: set[str] = set()
    for table in tables:
        report.missing_triggers.extend(
            name for name in chain.tracking_trigger_names(table) if name not in triggers)
        try:
            rows = chain.live_row_hashes(conn, table)
        except sqlcipher3.DatabaseError as exc:
            report.sqlite_problems.append(f"{table}: {_problem(exc)}")
            unreadable.add(table)
            continue
        for key, digest in rows.items():
            report.rows_checked += 1
            live.add(key)
            if key not in last:
                report.unaudited_rows.append(key)
            elif last[key] != digest:
                report.changed_rows.append(key)
    for key, digest in last.items():
        table = key.partition(":")[0]
        if digest is not None and key not in live and table not in unreadable:
            report.missing_rows.append(key)


def _check_evidence(reader: _Reader, report: FileReport) -> None:
    conn = reader.fresh()
    try:
        items = conn.execute("SELECT id, sha256 FROM evidence WHERE kind = 'file' "
                             "ORDER BY id").fetchall()
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(f"evidence: {_problem(exc)}")
        report.evidence_listed = False
        return
    for evidence_id, expected in items:
        digest = hashlib.sha256()
        try:
            for (data,) in conn.execute("SELECT data FROM evidence_chunks WHERE evidence_id = ? "
                                        "ORDER BY seq", (evidence_id,)):
                digest.update(data)
        except sqlcipher3.DatabaseError:
            report.evidence_unreadable.append(evidence_id)
            conn = reader.fresh()
            continue
        report.evidence_checked += 1
        if digest.hexdigest() != expected:
            report.evidence_bad.append(evidence_id)


def open_read_only_engine(path: Path, data_key: bytes) -> Engine:
    """An engine for commands that only read: its connections cannot write to the file."""
    path = Path(path)
    check_database_file(path)
    key = bytes(data_key)

    def creator() -> sqlcipher3.Connection:
        return connect_read_only(path, key)

    return create_engine("sqlite://", module=sqlcipher3, creator=creator, poolclass=QueuePool,
                         pool_size=2, max_overflow=4)
