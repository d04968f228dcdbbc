"""An insider's tools: a casebook with every kind of audited record, and ways to change it
below the services with the data key (triggers dropped where they would refuse)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlcipher3
from service_helpers import data_key

from casebook.services import Casebook
from casebook.storage import chain
from casebook.storage.engine import connect_keyed

GUARDS = ("audit_log_no_update", "audit_log_no_delete", "chronology_no_update",
          "chronology_no_delete", "evidence_hash_fixed", "evidence_chunks_no_update",
          "evidence_no_delete", "evidence_chunks_no_delete")


@dataclass
class Populated:
    data_dir: Path
    passphrase: str
    key: bytes
    ids: dict[str, int]

    @property
    def database(self) -> Path:
        return self.data_dir / "casebook.db"

    def open(self) -> Casebook:
        return Casebook.open_with_passphrase(self.data_dir, self.passphrase)


def populate(book: Casebook) -> dict[str, int]:
    """One of every audited record, written through the services."""
    case = book.cases.create("Fake school account", "impersonation", summary="Uses the crest")
    cid = case.id
    ids = {"case": cid}
    book.cases.update_details(cid, summary="Uses the crest and the head's photo")
    ids["person"] = book.cases.add_person(cid, "Sam Jones", "learner", "harmed",
                                          date_of_birth=date(2014, 3, 1), year_group="Y7").id
    ids["account"] = book.cases.add_account(cid, "Instagram", "@oak_fake", "impersonating-school",
                                            follower_count=120).id
    entry = book.cases.add_entry(cid, "Parent reported the account at 08:40")
    ids["entry"] = entry.id
    ids["amendment"] = book.cases.amend_entry(entry.id, "Parent reported the account at 08:45",
                                              "time was misheard").id
    ids["entry2"] = book.cases.add_entry(cid, "Screenshots taken").id
    ids["decision"] = book.cases.add_decision(cid, "Report to the platform", "It impersonates us").id
    ids["action"] = book.cases.add_action(cid, "Tell the head", "A. Smith").id
    book.cases.set_action_done(ids["action"])
    book.cases.save_step(cid, "gather-evidence", {"notes": "screenshots saved"})
    ids["evidence"] = book.evidence.add_bytes(cid, os.urandom(5000), filename="shot.png",
                                              source="parent email", safety_confirmed=True).id
    ids["note"] = book.evidence.add_note(cid, "Profile photo is our crest",
                                         url="instagram.com/oak_fake").id
    ids["report"] = book.tracker.add(cid, body="platform", recipient="Instagram",
                                     made_at=datetime(2026, 11, 2, 10, 0)).id
    ids["official"] = book.official_accounts.add("Instagram", "@oak_primary").id
    ids["review"] = book.checklist.current_review().id
    book.settings.set("idle_lock_minutes", "10")
    # The records of the corrections and the people register (migrations 0008 and 0009).
    book.cases.correct("account", ids["account"], "handle was mistyped", handle="@oak_fake1")
    learner = book.people.add("learner", "Sam", "Jones", date_of_birth=date(2014, 3, 1))
    parent = book.people.add("parent", "Chris", "Jones")
    ids["learner"] = learner.id
    book.people.link_family(parent.id, learner.id, "parent-or-carer")
    book.people.link_to_case(cid, learner.id, "harmed")
    book.retention.place_hold(f"L{learner.id}", "Held for a public inquiry")
    # A family link removed as a correction, and a purge in the ledger (migration 0015).
    sibling = book.people.add("learner", "Kim", "Jones", date_of_birth=date(2012, 6, 1))
    link = book.people.link_family(sibling.id, learner.id, "sibling")
    book.people.remove_family_link(link.id, "A cousin, not a sibling")
    old = book.people.add("learner", "Long", "Gone", date_of_birth=date(1990, 1, 1))
    book.retention.purge(f"L{old.id}", confirm=True)
    book.transfers.export(learner.id, "Elm Academy", book.paths.root.parent / "transfer.pkg",
                          password="amber kettle violin 2041 moor")
    return ids


def populated_casebook(info) -> Populated:  # type: ignore[no-untyped-def]
    ids = populate(info.book)
    info.book.lock()
    return Populated(info.data_dir, info.passphrase, data_key(info.slots, info.passphrase), ids)


def insider(database: Path, key: bytes) -> sqlcipher3.Connection:
    """A keyed connection with every guard trigger dropped (the caller closes it)."""
    conn = connect_keyed(database, key)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for name in GUARDS:
        if name in names:
            conn.execute(f"DROP TRIGGER {name}")
    return conn


def execute(database: Path, key: bytes, *statements: str | tuple) -> None:  # type: ignore[type-arg]
    conn = insider(database, key)
    try:
        for statement in statements:
            if isinstance(statement, tuple):
                conn.execute(*statement)
            else:
                conn.execute(statement)
    finally:
        conn.close()


def forge_entry(conn: sqlcipher3.Connection, action: str, rows: dict[str, str | None]) -> int:
    """Append an audit entry whose chain hash and row hashes are all correct."""
    seq, _ = chain.append(conn, at=datetime(2026, 11, 29, 9, 0), actor="Alex Morgan",
                          action=action, target="case:1", detail="",
                          row_hashes=chain.dumps_row_hashes(rows))
    return seq


def rewrite_chain(conn: sqlcipher3.Connection, changed: dict[str, str]) -> tuple[int, str]:
    """Recompute every entry as if ``changed`` rows had always had these hashes: a consistent
    rewritten log. Returns the new head."""
    rows = conn.execute("SELECT seq, at, actor, action, target, detail, row_hashes FROM audit_log "
                        "ORDER BY seq").fetchall()
    prev = chain.GENESIS_HASH
    for seq, at, actor, action, target, detail, row_hashes in rows:
        if row_hashes:
            hashes = json.loads(row_hashes)
            hashes.update({k: v for k, v in changed.items() if k in hashes})
            row_hashes = chain.dumps_row_hashes(hashes)
        digest = chain.entry_hash(prev, seq, datetime.fromisoformat(at), actor, action, target,
                                  detail, row_hashes)
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ?, row_hashes = ? WHERE seq = ?",
                     (prev, digest, row_hashes, seq))
        prev = digest
    return rows[-1][0], prev


def file_state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns
