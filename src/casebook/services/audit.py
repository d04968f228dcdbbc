"""Append-only, hash-chained audit log whose entries carry the hashes of the rows they left.

Each entry's hash covers its own fields, the previous entry's hash and the hashes of the rows
the write changed (``row_hashes``), so editing, deleting or reordering any entry breaks the
chain at that entry, and a record changed without an entry no longer matches its last audited
hash. Triggers refuse UPDATE and DELETE on the log; ``verify`` catches changes made below them,
and the anchor kept outside the database (services/integrity.py) catches a rewritten or cut
chain. The formulas live in ``casebook.storage.chain`` (migrations use them too).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casebook.domain import AuditEntry
from casebook.storage import chain
from casebook.storage.chain import GENESIS_HASH, ChainReport, entry_hash
from casebook.storage.tables import AuditRow

__all__ = ["GENESIS_HASH", "ChainReport", "entry_hash", "record", "record_outside_changes",
           "verify_chain", "to_entry", "recent", "head", "hash_at", "dbapi"]


def dbapi(session: Session):  # type: ignore[no-untyped-def]
    """The raw connection of the session's transaction (same BEGIN, same snapshot)."""
    return session.connection().connection.dbapi_connection


def record(session: Session, *, at: datetime, actor: str, action: str, target: str,
           detail: str = "") -> tuple[int, str]:
    """Append one entry inside the caller's transaction (so it commits with the change), with
    the hashes of every audited row changed since the last entry. Returns (seq, hash)."""
    session.flush()  # the tracking triggers see ORM changes only once they are flushed
    conn = dbapi(session)
    row_hashes = chain.dumps_row_hashes(chain.take_pending(conn))
    last = session.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    digest = entry_hash(prev, seq, at, actor, action, target, detail, row_hashes)
    session.add(AuditRow(seq=seq, at=at, actor=actor, action=action, target=target,
                         detail=detail, prev_hash=prev, hash=digest, row_hashes=row_hashes))
    session.flush()
    return seq, digest


def record_outside_changes(session: Session, *, at: datetime, actor: str) -> None:
    """Before a write: rows changed since the last entry were changed outside Casebook (the app
    changes audited rows only inside audited writes). Record that in an entry of its own, so it
    stays visible to ``verify`` instead of being folded silently into the next write."""
    if chain.has_pending(dbapi(session)):
        record(session, at=at, actor=actor, action=chain.OUTSIDE_CHANGE, target="casebook",
               detail="records changed outside Casebook were found before this write")


def head(session: Session) -> tuple[int, str]:
    return chain.head(dbapi(session))


def hash_at(session: Session, seq: int) -> str | None:
    return session.scalar(select(AuditRow.hash).where(AuditRow.seq == seq))


def verify_chain(session: Session) -> ChainReport:
    """Walk the log in order; report the first entry whose link or hash does not hold."""
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for row in session.execute(select(AuditRow).order_by(AuditRow.seq)).scalars():
        count += 1
        if row.seq != expected_seq:
            return ChainReport(count, row.seq, f"entry {expected_seq} is missing")
        if row.prev_hash != prev:
            return ChainReport(count, row.seq, "the link to the previous entry is broken")
        if row.hash != entry_hash(prev, row.seq, row.at, row.actor, row.action, row.target,
                                  row.detail, row.row_hashes or ""):
            return ChainReport(count, row.seq, "the entry was changed after it was written")
        prev = row.hash
        expected_seq += 1
    return ChainReport(count)


def to_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(seq=row.seq, at=row.at, actor=row.actor, action=row.action,
                      target=row.target, detail=row.detail, prev_hash=row.prev_hash,
                      hash=row.hash)


def recent(session: Session, limit: int = 200) -> list[AuditEntry]:
    rows = session.execute(select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)).scalars()
    return [to_entry(r) for r in rows]
