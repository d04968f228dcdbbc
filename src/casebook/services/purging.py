"""Purging for good: deleting a case's rows past the append-only guards, taking a person out
of the register, reclaiming the space, and the purge ledger that restore re-applies.

The ledger (``purge_ledger``, append-only and audited) keeps one row per purge with ids, a
fingerprint of each purged row and counts — never a name or case text. A fingerprint is a
short hash of the row's id and a value that never changes (a case's reference and opening
time, a register entry's creation time, an evidence item's time added), so an id that SQLite
has since given to a new record is never mistaken for the purged one.

Restoring a backup made before a purge would bring the purged records back. Restore therefore
reads the ledger of the casebook being replaced and, on the restored copy before it replaces
anything, removes every purged record again, copies the ledger across, and VACUUMs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, delete, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casebook.errors import CasebookError
from casebook.services import audit
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.storage import tables_people as tpe
from casebook.storage.maintenance import remove_sidecars

log = logging.getLogger(__name__)

__all__ = ["purge_cases", "purge_evidence", "drop_person", "merge_search_index",
           "reclaim_space", "LedgerEntry", "snapshot", "note_purge", "read_ledger",
           "reapply_to_file"]


# ----- deleting ------------------------------------------------------------------------------
def _tables_with_case_id(s: Session) -> list[str]:
    names = [r[0] for r in s.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%'"))]
    found = []
    for name in names:
        columns = {r[1] for r in s.execute(text(f'PRAGMA table_info("{name}")'))}
        if "case_id" in columns and name not in ("cases", "purge_permits"):
            found.append(name)
    return found


#: Children before parents (foreign keys are on); any other table with a case_id column that
#: a later version adds is swept up after these.
_ORDER = ("person_links", "evidence_chunks", "platform_reports", "evidence", "chronology",
          "decisions", "actions", "social_accounts", "people", "case_steps", "legal_holds")


def purge_cases(s: Session, case_ids: list[int]) -> tuple[int, int]:
    """Delete every row of these cases inside the caller's transaction; returns (rows, evidence
    items) deleted. Used by retention and by the purge after a transfer's receipt."""
    if not case_ids:
        return 0, 0
    rows = 0
    s.flush()
    s.execute(tpe.PurgePermitRow.__table__.insert(), [{"case_id": c} for c in case_ids])
    in_cases = "case_id IN (" + ",".join(str(int(c)) for c in case_ids) + ")"
    evidence = f"SELECT id FROM evidence WHERE {in_cases}"
    people = f"SELECT id FROM people WHERE {in_cases}"
    evidence_count = s.execute(
        text(f"SELECT count(*) FROM evidence WHERE {in_cases}")).scalar_one()
    statements = {
        "person_links": f"DELETE FROM person_links WHERE case_person_id IN ({people})",
        "evidence_chunks": f"DELETE FROM evidence_chunks WHERE evidence_id IN ({evidence})",
    }
    # chronology amendments point at their originals: newest first.
    s.execute(text(f"DELETE FROM chronology WHERE {in_cases} AND amends_id IS NOT NULL"))
    for table in (*_ORDER, *(n for n in _tables_with_case_id(s) if n not in _ORDER)):
        sql = statements.get(table, f'DELETE FROM "{table}" WHERE {in_cases}')
        try:
            rows += s.execute(text(sql)).rowcount or 0
        except IntegrityError as error:  # a guard this purge does not know how to open
            log.warning("purge refused by a guard on %s", table)
            raise CasebookError(
                f"Casebook could not purge these records: the {table.replace('_', ' ')} "
                "records are protected from deletion. Nothing was purged. Please report "
                "this to whoever supports Casebook.") from error
    for case_id in case_ids:
        s.execute(text("DELETE FROM case_search WHERE rowid >= :lo AND rowid < :hi"),
                  {"lo": case_id << 32, "hi": (case_id + 1) << 32})
        s.execute(text("DELETE FROM drafts WHERE key LIKE :a OR key LIKE :b"),
                  {"a": f"case:{case_id}:%", "b": f"%:case:{case_id}:%"})
    rows += s.execute(text(f"DELETE FROM cases WHERE id IN ({','.join(map(str, case_ids))})")
                      ).rowcount or 0
    s.execute(text(f"DELETE FROM purge_permits WHERE {in_cases}"))
    return rows, int(evidence_count)


def merge_search_index(s: Session) -> None:
    """Merge the search index so deleted terms leave its pages instead of being tombstoned
    (call last in a purge's transaction)."""
    s.execute(text("INSERT INTO case_search(case_search) VALUES ('optimize')"))


def compact(engine: Engine, *, vacuum: bool = True) -> None:
    """Fold the WAL into the file and (``vacuum``) rebuild it without free pages."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if vacuum:
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def reclaim_space(store: Store) -> bool:
    """Fold the WAL into the file and rebuild it without free pages (outside a transaction).

    False when that could not be done now (e.g. not enough disk space for VACUUM's copy):
    the records are already deleted and their pages zeroed (``secure_delete``); compacting
    can be done later by any purge or by ``casebook-admin retention compact``.
    """
    try:
        compact(store._engine())
    except Exception as error:  # noqa: BLE001 - sqlcipher3 errors; the purge itself is done
        log.warning("space not reclaimed after purge: %s", type(error).__name__)
        return False
    return True


def purge_evidence(s: Session, evidence_ids: list[int]) -> int:
    """Delete these evidence items and their stored bytes (a transfer keeps the chronology but
    not the evidence); returns the rows deleted."""
    if not evidence_ids:
        return 0
    ids = ",".join(str(int(i)) for i in evidence_ids)
    cases = list(s.scalars(text(f"SELECT DISTINCT case_id FROM evidence WHERE id IN ({ids})")))
    s.execute(tpe.PurgePermitRow.__table__.insert(), [{"case_id": c} for c in cases])
    n = s.execute(text(f"DELETE FROM evidence_chunks WHERE evidence_id IN ({ids})")).rowcount
    n += s.execute(text(f"DELETE FROM evidence WHERE id IN ({ids})")).rowcount
    if cases:
        s.execute(text("DELETE FROM purge_permits WHERE case_id IN ("
                       + ",".join(map(str, cases)) + ")"))
    return int(n or 0)


def drop_person(s: Session, register_id: int) -> int:
    """Take the person out of the register (and out of cases kept for others)."""
    rows = 0
    case_people = list(s.scalars(select(tpe.PersonLinkRow.case_person_id)
                                 .where(tpe.PersonLinkRow.register_id == register_id)))
    rows += s.execute(delete(tpe.PersonLinkRow).where(
        tpe.PersonLinkRow.register_id == register_id)).rowcount
    if case_people:
        rows += s.execute(delete(t.PersonRow).where(t.PersonRow.id.in_(case_people))).rowcount
    rows += s.execute(delete(tpe.FamilyLinkRow).where(or_(
        tpe.FamilyLinkRow.person_id == register_id,
        tpe.FamilyLinkRow.related_id == register_id))).rowcount
    rows += s.execute(delete(tpe.LegalHoldRow).where(
        tpe.LegalHoldRow.register_id == register_id)).rowcount
    s.execute(tpe.TransferRow.__table__.update()
              .where(tpe.TransferRow.register_id == register_id).values(register_id=None))
    rows += s.execute(delete(tpe.RegisterPersonRow).where(
        tpe.RegisterPersonRow.id == register_id)).rowcount
    # Removed family links name the person by id: they go once the person has (the guard
    # lets a removal row go only when one of its people is no longer in the register).
    rows += s.execute(delete(tpe.FamilyLinkRemovalRow).where(or_(
        tpe.FamilyLinkRemovalRow.person_id == register_id,
        tpe.FamilyLinkRemovalRow.related_id == register_id))).rowcount
    return rows


# ----- the ledger ----------------------------------------------------------------------------
#: What stays the same for the life of a row, by kind of purged row.
_STABLE = {
    "cases": "SELECT id, reference || '|' || opened_at FROM cases WHERE id IN ({ids})",
    "people": "SELECT id, created_at FROM register_people WHERE id IN ({ids})",
    "evidence": "SELECT id, added_at FROM evidence WHERE id IN ({ids})",
}


def _fingerprint(kind: str, row_id: object, stable: object) -> str:
    return hashlib.sha256(f"{kind}:{row_id}:{stable}".encode()).hexdigest()[:20]


def _fingerprints(s: Session, kind: str, ids: Iterable[int]) -> dict[str, str]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    rows = s.execute(text(_STABLE[kind].format(ids=",".join(map(str, wanted))))).all()
    return {str(row_id): _fingerprint(kind, row_id, stable) for row_id, stable in rows}


def snapshot(s: Session, *, cases: Iterable[int] = (), people: Iterable[int] = (),
             evidence: Iterable[int] = ()) -> dict[str, dict[str, str]]:
    """The fingerprints of what is about to be purged (call before deleting it)."""
    return {kind: found for kind, ids in (("cases", cases), ("people", people),
                                          ("evidence", evidence))
            if (found := _fingerprints(s, kind, ids))}


def note_purge(s: Session, *, at: datetime, item: str, scope: str,
               targets: dict[str, dict[str, str]], rows: int, evidence: int) -> None:
    """Add the purge to the ledger, in the purge's own transaction (nothing when it purged
    nothing a backup could bring back)."""
    if not targets:
        return
    s.add(tpe.PurgeLedgerRow(token=secrets.token_hex(16), purged_at=at, item=item[:40],
                             scope=scope, targets=json.dumps(targets, sort_keys=True),
                             rows=rows, evidence=evidence))


@dataclass(frozen=True)
class LedgerEntry:
    token: str
    purged_at: datetime
    item: str
    scope: str  # "records": whole cases and register entries; "evidence": evidence only
    targets: str
    rows: int
    evidence: int


def read_ledger(database: Path, key: bytes) -> list[LedgerEntry] | None:
    """The ledger of the casebook file at ``database`` (read-only): [] when there is no file or
    it predates the ledger, None when it cannot be read (damaged)."""
    from casebook.storage.verify import open_read_only

    if not database.exists():
        return []
    try:
        with open_read_only(database, key) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "purge_ledger" not in names:
                return []
            rows = conn.execute("SELECT token, purged_at, item, scope, targets, rows, evidence "
                                "FROM purge_ledger ORDER BY id").fetchall()
    except (CasebookError, sqlcipher3.Error):
        log.warning("the purge ledger of the replaced casebook could not be read")
        return None
    return [LedgerEntry(r[0], datetime.fromisoformat(str(r[1])), r[2], r[3], r[4], int(r[5]),
                        int(r[6])) for r in rows]


def _still_there(s: Session, targets: dict[str, dict[str, str]], kind: str) -> list[int]:
    wanted = targets.get(kind, {})
    now = _fingerprints(s, kind, map(int, wanted))
    return sorted(int(i) for i, fp in now.items() if wanted.get(i) == fp)


def reapply(s: Session, entries: list[LedgerEntry]) -> tuple[int, int]:
    """Purge again, in ``s``, whatever these entries purged that is there; copy the entries
    this file's ledger lacks. Returns the rows removed and the entries copied."""
    removed = 0
    for entry in entries:
        targets = json.loads(entry.targets)
        if entry.scope == "evidence":
            removed += purge_evidence(s, _still_there(s, targets, "evidence"))
        else:
            removed += purge_cases(s, _still_there(s, targets, "cases"))[0]
            for person in _still_there(s, targets, "people"):
                removed += drop_person(s, person)
            removed += purge_evidence(s, _still_there(s, targets, "evidence"))
    known = set(s.scalars(select(tpe.PurgeLedgerRow.token)))
    missing = [e for e in entries if e.token not in known]
    for entry in missing:
        s.add(tpe.PurgeLedgerRow(token=entry.token, purged_at=entry.purged_at,
                                 item=entry.item, scope=entry.scope, targets=entry.targets,
                                 rows=entry.rows, evidence=entry.evidence))
    return removed, len(missing)


class _NothingToDo(Exception):
    """Rolls back a re-application that found nothing to purge or copy."""


def reapply_to_file(path: Path, key: bytes, entries: list[LedgerEntry], actor: str,
                    at: datetime) -> int:
    """Re-apply ``entries`` to the casebook file at ``path`` (a restore's staged copy), with an
    audit entry, then VACUUM so the text is gone from its pages. Brings an older copy's
    schema up to date first (its own backup is the copy kept from before the upgrade).
    Returns the rows removed."""
    from casebook.services import integrity
    from casebook.storage import migrate
    from casebook.storage.engine import open_engine

    if not entries:
        return 0
    engine = open_engine(path, key)
    removed = copied = 0
    try:
        if migrate.upgrade(engine):
            integrity.record_upgrade(engine)
        try:
            with Session(engine, expire_on_commit=False) as s, s.begin():
                removed, copied = reapply(s, entries)
                if not removed and not copied:  # a backup made after every purge
                    raise _NothingToDo
                merge_search_index(s)
                audit.record(s, at=at, actor=actor, action="retention.purge.reapply",
                             target="casebook",
                             detail=f"entries={len(entries)},copied={copied},rows={removed}")
        except _NothingToDo:
            pass
        # Everything into the file itself before it is moved; compacted if anything went.
        compact(engine, vacuum=bool(removed or copied))
    finally:
        engine.dispose()
    remove_sidecars(path)
    log.info("restore: %d purge(s) re-applied", len(entries))
    return removed
