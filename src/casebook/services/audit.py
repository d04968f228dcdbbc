"""Append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so editing, deleting or
reordering any row breaks the chain at that row. Triggers refuse UPDATE and DELETE; the chain
catches changes made below the triggers (at file level, or with the triggers dropped).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casebook.domain import AuditEntry
from casebook.storage.tables import AuditRow

GENESIS_HASH = "0" * 64


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str, target: str,
               detail: str) -> str:
    payload = json.dumps(
        [prev_hash, seq, at.isoformat(timespec="microseconds"), actor, action, target, detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, *, at: datetime, actor: str, action: str, target: str,
           detail: str = "") -> None:
    """Append one entry inside the caller's transaction (so it commits with the change)."""
    last = session.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    session.add(AuditRow(
        seq=seq, at=at, actor=actor, action=action, target=target, detail=detail,
        prev_hash=prev, hash=entry_hash(prev, seq, at, actor, action, target, detail),
    ))
    session.flush()


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


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
                                  row.detail):
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
