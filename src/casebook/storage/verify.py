"""Read-only verification of a casebook file: pages, audit chain, audited rows, evidence.

The file is opened ``mode=ro`` (SQLite then reads every committed frame of the ``-wal`` but
never writes the database, checkpoints or changes its journal mode), and every step catches
the driver's errors, so a damaged page becomes a line in the report instead of a crash.

Each table is read once: the audit log by the chain check, the audited tables by the row
check, the evidence chunks by the evidence check, everything else by the row-reading step.
Memory grows only with the audit log's record of the rows (one key and 32-byte hash per
audited row), never with the rows themselves: rows are hashed as they are read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

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

#: What each step of :func:`verify_file` does, as shown while it runs.
STEPS = (
    "checking that every page decrypts",
    "checking the database's structure",
    "reading every record",
    "checking the audit history",
    "checking every record against its history",
    "checking the evidence files",
)


@dataclass(frozen=True)
class Progress:
    """Where a verify is: step ``step`` of ``len(STEPS)``, ``done`` of ``total`` items in it
    (``total`` 0 when the step cannot count, e.g. SQLite's own checks)."""

    step: int
    done: int = 0
    total: int = 0

    @property
    def steps(self) -> int:
        return len(STEPS)

    @property
    def what(self) -> str:
        return STEPS[self.step - 1]

    @property
    def percent(self) -> int | None:
        return min(100, self.done * 100 // self.total) if self.total else None

    def text(self) -> str:
        """``Step 4 of 6: checking the audit history (40%)``."""
        share = f" ({self.percent}%)" if self.percent is not None else ""
        return f"Step {self.step} of {self.steps}: {self.what}{share}"


OnProgress = Callable[[Progress], None]


class _Steps:
    """Reports progress about a hundred times per step, not once per row, and where each step
    ended before the next begins."""

    def __init__(self, on_progress: OnProgress | None) -> None:
        self.on_progress = on_progress
        self.step, self.total, self._every, self._next = 0, 0, 1, 0
        self._done = self._sent = 0

    def start(self, step: int, total: int = 0) -> None:
        self.flush()
        self.step, self.total = step, max(total, 0)
        self._every = max(1, self.total // 100)
        self._next = self._every
        self._done = 0
        self._send(0)

    def at(self, done: int) -> None:
        self._done = done
        if done >= self._next:
            self._next = done + self._every
            self._send(done)

    def flush(self) -> None:
        if self.step and self._done != self._sent:
            self._send(self._done)

    def _send(self, done: int) -> None:
        self._sent = done
        if self.on_progress is not None:
            self.on_progress(Progress(self.step, done, self.total))


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


def verify_file(path: Path, data_key: bytes, anchors: Iterable[AnchorCheck] = (),
                on_progress: OnProgress | None = None) -> FileReport:
    """Check everything that can be checked inside the file; never writes, never raises for
    damage (only for a missing or non-casebook file). ``on_progress`` is called at each step
    and about a hundred times within each step that can count its work."""
    report = FileReport()
    wanted = {a.seq for a in anchors}
    steps = _Steps(on_progress)
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
        _check_pages(reader, report, steps)
        last_hashes = _check_chain(reader, report, wanted, steps)
        _check_rows(reader, report, last_hashes, steps)
        del last_hashes
        _check_evidence(reader, report, steps)
        steps.flush()
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


def _check_pages(reader: _Reader, report: FileReport, steps: _Steps) -> None:
    steps.start(1)
    try:
        rows = reader.fresh().execute("PRAGMA cipher_integrity_check").fetchall()
        report.cipher_problems.extend(str(r[0]) for r in rows)
    except sqlcipher3.DatabaseError as exc:
        report.cipher_problems.append(_problem(exc))
    steps.start(2)
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
        read_later = _read_by_later_steps(conn, tables)
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(_problem(exc))
        return
    tables = [t for t in tables if t not in read_later]
    steps.start(3, len(tables))
    for done, table in enumerate(tables):
        try:
            for _row in conn.execute(f'SELECT * FROM "{table}"'):
                report.rows_read += 1
        except sqlcipher3.DatabaseError as exc:
            report.sqlite_problems.append(f"{table}: {_problem(exc)}")
            conn = reader.fresh()
        steps.at(done + 1)


def _read_by_later_steps(conn: sqlcipher3.Connection, tables: list[str]) -> set[str]:
    """Tables a later step reads in full (every column of every row), counting the rows and
    reporting a read error as this step would: reading them here too would only repeat it."""
    later = {"audit_log", "evidence_chunks"} & set(tables)
    if "audit_log" in later and "row_hashes" in _columns(conn, "audit_log"):
        later |= set(chain.existing_tables(conn))
    return later


def _columns(conn: sqlcipher3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


#: The chain's columns in order (``row_hashes`` since 0010): every column of the table.
_LOG_COLUMNS = "seq, at, actor, action, target, detail, prev_hash, hash"


def _check_chain(reader: _Reader, report: FileReport, wanted: set[int],
                 steps: _Steps) -> dict[str, object]:
    """Walk the log; returns each audited row's last recorded hash (None: deleted)."""
    last: dict[str, object] = {}
    conn = reader.fresh()
    try:
        with_rows = "row_hashes" in _columns(conn, "audit_log")
        report.rows_tracked = with_rows
        # A big row_hashes (an upgrade's baseline) is read by a statement of its own, which
        # gives its 100 MB buffer back when done; the walk's statement would keep it to the end.
        extra = (f", CASE WHEN octet_length(row_hashes) > {_STREAM_ABOVE} THEN NULL "
                 "ELSE row_hashes END, octet_length(row_hashes)") if with_rows else ""
        top = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        steps.start(4, top if isinstance(top, int) else 0)
        cur = conn.execute(f"SELECT {_LOG_COLUMNS}{extra} FROM audit_log ORDER BY seq")
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(f"audit_log: {_problem(exc)}")
        report.chain = chain.ChainReport(0, 0, f"the audit log could not be read: {_problem(exc)}")
        return last
    prev, expected, count, broken = chain.GENESIS_HASH, 1, 0, None
    entry_hash, fromisoformat = chain.entry_hash, datetime.fromisoformat
    try:
        for row in cur:
            seq, at_raw, actor, action, target, detail, prev_hash, digest = row[:8]
            row_hashes = (row[8] or _read_alone(conn, seq, row[9])) if with_rows else ""
            count += 1
            report.rows_read += 1
            report.last_seq, report.last_hash = seq, digest
            if seq in wanted:
                report.hashes_at[seq] = digest
            at = fromisoformat(str(at_raw))
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
                elif digest != entry_hash(prev, seq, at, actor, action, target, detail,
                                          row_hashes):
                    broken = chain.ChainReport(count, seq,
                                               "the entry was changed after it was written")
            if row_hashes and not _remember(last, row_hashes):
                broken = broken or chain.ChainReport(count, seq, "its row hashes are unreadable")
            prev, expected = digest, seq + 1
            steps.at(seq if isinstance(seq, int) else count)
        report.log_complete = True
    except (sqlcipher3.DatabaseError, ValueError) as exc:
        if isinstance(exc, sqlcipher3.DatabaseError):
            report.sqlite_problems.append(f"audit_log: {_problem(exc)}")
        broken = broken or chain.ChainReport(count, report.last_seq + 1,
                                             f"the log could not be read past entry "
                                             f"{report.last_seq}: {_problem(exc)}")
    report.chain = broken or chain.ChainReport(count)
    return last


def _read_alone(conn: sqlcipher3.Connection, seq: int, size: int | None) -> str:
    if not size:
        return ""
    cur = conn.execute("SELECT row_hashes FROM audit_log WHERE seq = ?", (seq,))
    try:
        found = cur.fetchone()
    finally:
        cur.close()
    return (found[0] or "") if found else ""


#: Row hashes longer than this are read pair by pair into the map instead of parsed whole.
_STREAM_ABOVE = 1 << 20
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _remember(last: dict[str, object], text: str) -> bool:
    """Add one entry's row hashes to ``last``; False if they are not a JSON object.

    Each hash is kept as its 32 bytes (72 bytes of memory against 120 for its hex text: 55 MB
    less at 50,000 cases); a value that is not a hash as written by Casebook is kept as it is,
    and then matches no row. An upgrade's baseline entry names every row (100 MB of text at
    50,000 cases): parsed whole it made a second map of a million rows beside ``last``, so a
    big one is parsed a megabyte at a time, or pair by pair with the json module's own scanners
    when it cannot be cut (the same rules as ``json.loads``).
    """
    if len(text) <= _STREAM_ABOVE:
        try:
            hashes = json.loads(text)
        except ValueError:
            return False
        if not isinstance(hashes, dict):
            return False
        _keep(last, hashes.items())
        return True
    try:
        _keep(last, _pairs_in_pieces(text))
    except _NotInPieces:
        try:  # read again from the start: the pairs already kept are set again, in order
            _keep(last, _object_pairs(text))
        except ValueError:
            return False  # a bad end: unlike json.loads, the pairs before it were kept
    return True


def _keep(last: dict[str, object], pairs: Iterable[tuple[str, object]]) -> None:
    fromhex = bytes.fromhex
    for key, value in pairs:
        if value.__class__ is str and len(value) == 64:  # type: ignore[arg-type]
            try:
                raw = fromhex(value)  # type: ignore[arg-type]
            except ValueError:
                raw = None
            if raw is not None and raw.hex() == value:  # fromhex also takes "AB 12"
                value = raw
        last[key] = value


class _NotInPieces(Exception):
    pass


#: Characters per piece when a big object is parsed in pieces.
_PIECE = 1 << 20


def _pairs_in_pieces(text: str) -> Iterator[tuple[str, object]]:
    """The pairs of a big JSON object, parsed by ``json.loads`` about a megabyte at a time:
    cut before each ``,"`` found (never inside a string, where a quote is escaped) and closed
    with braces. A cut that is not between two top-level pairs leaves a piece that is not
    valid JSON, and then :class:`_NotInPieces` asks for the pair-by-pair reading."""
    start, first = 0, True
    while True:
        cut = text.find(',"', start + _PIECE) if start + _PIECE < len(text) else -1
        piece = text[start:] if cut == -1 else text[start:cut] + "}"
        try:
            parsed = json.loads(piece if first else "{" + piece)
        except ValueError:
            raise _NotInPieces from None
        if not isinstance(parsed, dict):
            raise _NotInPieces
        yield from parsed.items()
        if cut == -1:
            return
        start, first = cut + 1, False


def _object_pairs(text: str) -> Iterator[tuple[str, object]]:
    """The pairs of a JSON object, in order; ValueError where ``json.loads`` would raise."""
    end = _SPACE.match(text, 0).end()
    if text[end:end + 1] != "{":
        raise ValueError("not an object")
    end = _SPACE.match(text, end + 1).end()
    if text[end:end + 1] == "}":
        end += 1
    else:
        while True:
            if text[end:end + 1] != '"':
                raise ValueError("a key was expected")
            key, end = json.decoder.scanstring(text, end + 1, True)
            end = _SPACE.match(text, end).end()
            if text[end:end + 1] != ":":
                raise ValueError("':' was expected")
            end = _SPACE.match(text, end + 1).end()
            try:
                value, end = _DECODER.scan_once(text, end)
            except StopIteration as exc:
                raise ValueError("a value was expected") from exc
            yield key, value
            end = _SPACE.match(text, end).end()
            mark = text[end:end + 1]
            end = _SPACE.match(text, end + 1).end()
            if mark == "}":
                break
            if mark != ",":
                raise ValueError("',' or '}' was expected")
    if _SPACE.match(text, end).end() != len(text):
        raise ValueError("extra data")


def _check_rows(reader: _Reader, report: FileReport, last: dict[str, object],
                steps: _Steps) -> None:
    """Hash every live row as it is read and compare it with its last audited hash, taking
    that hash out of ``last``: what is left at the end are audited rows that are gone."""
    if not report.rows_tracked:
        return
    conn = reader.fresh()
    try:
        tables = chain.existing_tables(conn)
        triggers = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(_problem(exc))
        return
    steps.start(5, len(last))
    unreadable: set[str] = set()
    missing = object()
    for table in tables:
        report.missing_triggers.extend(
            name for name in chain.tracking_trigger_names(table) if name not in triggers)
        skip = chain.UNAUDITED_META_KEYS if table == "meta" else ()
        try:
            cur = conn.execute(f'SELECT * FROM "{table}"')
            hasher = chain.RowHasher(table, [d[0] for d in cur.description])
            for row in cur:
                report.rows_read += 1
                pk = hasher.key(row)
                if pk in skip:
                    continue
                key = f"{table}:{pk}"
                report.rows_checked += 1
                recorded = last.pop(key, missing)
                if recorded is missing:
                    report.unaudited_rows.append(key)
                elif recorded != hasher.digest(row):
                    report.changed_rows.append(key)
                steps.at(report.rows_checked)
        except sqlcipher3.DatabaseError as exc:
            report.sqlite_problems.append(f"{table}: {_problem(exc)}")
            unreadable.add(table)
            conn = reader.fresh()
    for key, digest in last.items():
        table = key.partition(":")[0]
        if digest is not None and table not in unreadable:
            report.missing_rows.append(key)


def _check_evidence(reader: _Reader, report: FileReport, steps: _Steps) -> None:
    """Hash every evidence file in one pass over ``evidence_chunks`` in key order (each file's
    chunks together, in order), which also reads every chunk. After a read error the file being
    read and those after it are read again one by one: one damaged page must not hide the rest.
    """
    conn = reader.fresh()
    try:
        items = conn.execute("SELECT id, sha256 FROM evidence WHERE kind = 'file' "
                             "ORDER BY id").fetchall()
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(f"evidence: {_problem(exc)}")
        report.evidence_listed = False
        items = []  # the chunks are still read: no other step reads them
        conn = reader.fresh()
    steps.start(6, len(items))
    wanted = {evidence_id for evidence_id, _ in items}
    digests: dict[object, Any] = {}
    current: object = None
    failed = False
    try:
        for evidence_id, data in conn.execute(
                "SELECT evidence_id, data FROM evidence_chunks ORDER BY evidence_id, seq"):
            report.rows_read += 1
            current = evidence_id
            if evidence_id in wanted:
                if evidence_id not in digests:
                    digests[evidence_id] = hashlib.sha256()
                    steps.at(len(digests))
                digests[evidence_id].update(data)
    except sqlcipher3.DatabaseError as exc:
        report.sqlite_problems.append(f"evidence_chunks: {_problem(exc)}")
        failed = True
        digests.pop(current, None)  # its next chunk, or the next file's first, failed
    again: list[tuple[int, str]] = []
    for evidence_id, expected in items:
        if failed and evidence_id not in digests:
            again.append((evidence_id, expected))
            continue
        digest = digests.get(evidence_id) or hashlib.sha256()  # a file with no chunks
        report.evidence_checked += 1
        if digest.hexdigest() != expected:
            report.evidence_bad.append(evidence_id)
    if again:
        _check_evidence_one_by_one(reader, report, again)


def _check_evidence_one_by_one(reader: _Reader, report: FileReport,
                               items: list[tuple[int, str]]) -> None:
    conn = reader.fresh()
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
    report.evidence_bad.sort()


def open_read_only_engine(path: Path, data_key: bytes) -> Engine:
    """An engine for commands that only read: its connections cannot write to the file."""
    path = Path(path)
    check_database_file(path)
    key = bytes(data_key)

    def creator() -> sqlcipher3.Connection:
        return connect_read_only(path, key)

    return create_engine("sqlite://", module=sqlcipher3, creator=creator, poolclass=QueuePool,
                         pool_size=2, max_overflow=4)
