"""The audit chain's hash formulas, and the hash of every audited row.

Each audit entry's hash covers its own fields, the previous entry's hash and (since migration
0010) ``row_hashes``: a JSON object naming every audited row the write left behind
(``"cases:12"``) and the SHA-256 of that row's canonical content (``null`` when the write
deleted it). ``verify`` recomputes every live row and compares it with its last audited hash.

Which rows a write touched is recorded by triggers into ``audit_pending`` (so ORM, Core and raw
SQL writes are all seen); :func:`take_pending` turns them into ``row_hashes`` inside the same
transaction as the audit entry, and empties the table.

The canonical form of a row is ``{"table": ..., "key": ..., "values": {column: value}}`` as
JSON with sorted keys, the values exactly as SQLite stores them (integers, text, reals; blobs
as hex); NULL and empty-text columns are left out, so adding a nullable or ``''``-default
column to an audited table does not change existing rows' hashes. Rows a migration rewrites
are noted by the triggers and recorded in a baseline entry after the upgrade
(:func:`record_pending_baseline`); a migration that adds a column with another default calls
:func:`record_baseline`.

Everything here works on a DB-API connection (``sqlcipher3``), inside the caller's transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, Protocol

GENESIS_HASH = "0" * 64

#: Audited tables and their primary key column. Drafts, evidence chunks (covered by each
#: evidence item's sha256), the search index and the log itself are not audited rows.
AUDITED_TABLES: dict[str, str] = {
    "meta": "key",
    "users": "id",
    "cases": "id",
    "case_steps": "id",
    "people": "id",
    "social_accounts": "id",
    "chronology": "id",
    "decisions": "id",
    "actions": "id",
    "evidence": "id",
    "platform_reports": "id",
    "checklist_reviews": "id",
    "checklist_review_items": "id",
    "official_accounts": "id",
    "corrections": "id",
    "register_people": "id",
    "family_links": "id",
    "person_links": "case_person_id",
    "legal_holds": "id",
    "transfers": "id",
    "family_link_removals": "id",
    "purge_ledger": "id",
}

#: Bookkeeping rows the app changes without an audit entry of their own.
UNAUDITED_META_KEYS = ("last_backup_at",)

#: The action of the entry that records rows found changed outside an audited write.
OUTSIDE_CHANGE = "integrity.outside-change"
BASELINE = "integrity.baseline"
#: The action of the entry that records a log found not to match its anchor file at open.
ANCHOR_MISMATCH = "integrity.anchor-mismatch"
#: Entries one commit can add beyond the anchor before Casebook anchors them (an outside-change
#: entry and the write's own): more than this past an anchor is not Casebook's doing.
UNANCHORED_PER_COMMIT = 2


class DBAPIConnection(Protocol):
    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


def _blob(value: object) -> object:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"hex": bytes(value).hex()}
    raise TypeError(f"{type(value).__name__} cannot be hashed as a row value")


# One encoder each, made once: json.dumps with options builds a new encoder on every call,
# which was a third of the time verify spent on each of a million rows.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                              default=_blob)
#: For dicts built in sorted key order already (:class:`RowHasher`): the same text.
_PRESORTED = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_blob)


#: Row hashes longer than this are hashed piece by piece: an upgrade's baseline entry names
#: every row (about 100 MB of text at 50,000 cases), and encoding it in one go held three
#: copies of it at once.
_PIECE = 1 << 20


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str, target: str,
               detail: str, row_hashes: str = "") -> str:
    fields: list[object] = [prev_hash, seq, at.isoformat(timespec="microseconds"), actor,
                            action, target, detail]
    if len(row_hashes) <= _PIECE:
        if row_hashes:
            fields.append(row_hashes)
        return hashlib.sha256(_COMPACT.encode(fields).encode("utf-8")).hexdigest()
    # The same bytes as above: '[...fields,"<row_hashes escaped>"]', the string escaped in
    # pieces (JSON escapes one character at a time, so any cut between characters is safe).
    digest = hashlib.sha256(_COMPACT.encode(fields)[:-1].encode("utf-8") + b',"')
    for start in range(0, len(row_hashes), _PIECE):
        piece = _COMPACT.encode(row_hashes[start:start + _PIECE])
        digest.update(piece[1:-1].encode("utf-8"))
    digest.update(b'"]')
    return digest.hexdigest()


def row_key(table: str, key: object) -> str:
    return f"{table}:{key}"


def canonical_row(table: str, key: object, columns: Iterable[str], values: Iterable[object]) -> str:
    content = {name: v for name, v in zip(columns, values, strict=True)
               if v is not None and v != ""}
    return _CANONICAL.encode({"table": table, "key": key, "values": content})


def row_hash(table: str, key: object, columns: Iterable[str], values: Iterable[object]) -> str:
    return hashlib.sha256(canonical_row(table, key, columns, values).encode("utf-8")).hexdigest()


class RowHasher:
    """:func:`row_hash` for every row of one table read with the same columns, about twice as
    fast: the columns are put in order once, not once per row (verify hashes every row)."""

    def __init__(self, table: str, columns: Sequence[str]) -> None:
        order = sorted(range(len(columns)), key=columns.__getitem__)
        self.table = table
        self._names = [columns[i] for i in order]
        self._pick = itemgetter(*order) if len(order) > 1 else (lambda row: (row[order[0]],))
        self._pk = list(columns).index(AUDITED_TABLES[table])

    def key(self, row: Sequence[object]) -> object:
        return row[self._pk]

    def digest(self, row: Sequence[object]) -> bytes:
        """The row's hash as 32 bytes (:func:`row_hash` gives them as hex)."""
        content = {name: v for name, v in zip(self._names, self._pick(row), strict=True)
                   if v is not None and v != ""}
        text = _PRESORTED.encode({"key": row[self._pk], "table": self.table, "values": content})
        return hashlib.sha256(text.encode("utf-8")).digest()

    def hexdigest(self, row: Sequence[object]) -> str:
        """The row's hash, as :func:`row_hash` gives it."""
        return self.digest(row).hex()


def hash_live_row(conn: DBAPIConnection, table: str, key: object) -> str | None:
    """The hash of one row as stored now, or None if there is no such row."""
    pk = AUDITED_TABLES[table]
    cur = conn.execute(f'SELECT * FROM "{table}" WHERE "{pk}" = ?', (key,))
    columns = [d[0] for d in cur.description]
    row = cur.fetchone()
    if row is None:
        return None
    return row_hash(table, key, columns, row)


def dumps_row_hashes(hashes: dict[str, str | None]) -> str:
    return json.dumps(hashes, sort_keys=True, separators=(",", ":")) if hashes else ""


def take_pending(conn: DBAPIConnection) -> dict[str, str | None]:
    """Hashes of the rows changed since the last audit entry; empties ``audit_pending``."""
    pending = conn.execute("SELECT tbl, pk FROM audit_pending").fetchall()
    hashes = {row_key(table, key): hash_live_row(conn, table, key) for table, key in pending}
    if pending:
        conn.execute("DELETE FROM audit_pending")
    return hashes


def has_pending(conn: DBAPIConnection) -> bool:
    return conn.execute("SELECT 1 FROM audit_pending LIMIT 1").fetchone() is not None


def head(conn: DBAPIConnection) -> tuple[int, str]:
    """The chain's last sequence number and hash (0 and the genesis hash when empty)."""
    last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)


def last_restore(conn: DBAPIConnection) -> str:
    """The seq of the last restore entry as text, "" if the casebook was never restored (only
    the number: a rewritten log changes the entry's hash, and must still be compared)."""
    row = conn.execute("SELECT max(seq) FROM audit_log WHERE action = 'casebook.restore'"
                       ).fetchone()
    return str(row[0]) if row and row[0] is not None else ""


def append(conn: DBAPIConnection, *, at: datetime, actor: str, action: str, target: str,
           detail: str, row_hashes: str) -> tuple[int, str]:
    """Append one entry (raw SQL: used by migrations, where the ORM model may be newer)."""
    last_seq, prev = head(conn)
    seq = last_seq + 1
    digest = entry_hash(prev, seq, at, actor, action, target, detail, row_hashes)
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash, "
        "row_hashes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at.isoformat(sep=" ", timespec="microseconds"), actor, action, target, detail,
         prev, digest, row_hashes),
    )
    return seq, digest


def iter_live_row_hashes(conn: DBAPIConnection, table: str) -> Iterator[tuple[str, str]]:
    """Every row of ``table`` as stored now: its row key and hash, one at a time."""
    cur = conn.execute(f'SELECT * FROM "{table}"')
    hasher = RowHasher(table, [d[0] for d in cur.description])
    for row in cur:
        key = hasher.key(row)
        if table == "meta" and key in UNAUDITED_META_KEYS:
            continue
        yield row_key(table, key), hasher.hexdigest(row)


def live_row_hashes(conn: DBAPIConnection, table: str) -> dict[str, str]:
    """Every row of ``table`` as stored now, by row key."""
    return dict(iter_live_row_hashes(conn, table))


def existing_tables(conn: DBAPIConnection) -> list[str]:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t for t in AUDITED_TABLES if t in names]


def record_baseline(conn: DBAPIConnection, reason: str, at: datetime | None = None) -> int:
    """Record every audited row's current hash in one entry (after an upgrade). Returns its seq."""
    hashes: dict[str, str | None] = {}
    for table in existing_tables(conn):
        hashes.update(live_row_hashes(conn, table))
    conn.execute("DELETE FROM audit_pending")
    when = at or datetime.now().replace(microsecond=0)
    seq, _ = append(conn, at=when, actor="Casebook", action=BASELINE, target="casebook",
                    detail=reason, row_hashes=dumps_row_hashes(hashes))
    return seq


def record_pending_baseline(conn: DBAPIConnection, reason: str) -> int | None:
    """After an upgrade: record the rows the migrations rewrote (noted by the triggers) in a
    baseline entry, so they do not show as changed outside Casebook. Returns its seq."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "audit_pending" not in names or not has_pending(conn):
        return None
    seq, _ = append(conn, at=datetime.now().replace(microsecond=0), actor="Casebook",
                    action=BASELINE, target="casebook", detail=reason,
                    row_hashes=dumps_row_hashes(take_pending(conn)))
    return seq


def entries_beyond(conn: DBAPIConnection, seq: int) -> int:
    """Entries after ``seq`` other than baselines (which upgrades write before the app does)."""
    return int(conn.execute("SELECT count(*) FROM audit_log WHERE seq > ? AND action != ?",
                            (seq, BASELINE)).fetchone()[0])


# ----- tracking triggers -----------------------------------------------------------------------
def tracking_trigger_names(table: str) -> tuple[str, str, str]:
    return (f"{table}_audit_ins", f"{table}_audit_upd", f"{table}_audit_del")


def tracking_triggers(table: str) -> list[str]:
    """DDL that notes every inserted, updated or deleted row of ``table`` in audit_pending."""
    pk = AUDITED_TABLES[table]
    ins, upd, dele = tracking_trigger_names(table)
    skip_new = skip_old = ""
    if table == "meta":
        keys = ", ".join(f"'{k}'" for k in UNAUDITED_META_KEYS)
        skip_new, skip_old = f" WHEN NEW.key NOT IN ({keys})", f" WHEN OLD.key NOT IN ({keys})"
    note_new = f"INSERT OR IGNORE INTO audit_pending (tbl, pk) VALUES ('{table}', NEW.\"{pk}\");"
    note_old = f"INSERT OR IGNORE INTO audit_pending (tbl, pk) VALUES ('{table}', OLD.\"{pk}\");"
    return [
        f"CREATE TRIGGER {ins} AFTER INSERT ON \"{table}\"{skip_new} BEGIN {note_new} END",
        f"CREATE TRIGGER {upd} AFTER UPDATE ON \"{table}\"{skip_new} BEGIN {note_old} {note_new} END",
        f"CREATE TRIGGER {dele} AFTER DELETE ON \"{table}\"{skip_old} BEGIN {note_old} END",
    ]


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None
