"""Purged means gone: a backup made before a purge is restored without the purged records
(every page of the restored file decrypted and searched), the ledger of purges travels on,
an id SQLite has since given to a new record is never taken for a purged one, and the
backups that still hold the records are found and can be deleted."""

from __future__ import annotations

import io
import json
import os
import time
from datetime import date, datetime

import pytest
from page_dump import everything
from sqlalchemy import select, text

from casebook.errors import NotFoundError
from casebook.services import Casebook, restore_casebook
from casebook.services.backup import backups_before, delete_backups
from casebook.storage import tables as t
from casebook.storage import tables_people as tpe
from casebook.storage.engine import connect_keyed

MARKERS = ("Zebraquill", "Marmalade octopus", "Quokkaspindle", "Harpsichordella")


def _old_learner_with_a_case(book: Casebook):  # type: ignore[no-untyped-def]
    old = book.people.add("learner", "Quokkaspindle", "Elderly", date_of_birth=date(1990, 5, 1))
    case = book.cases.create("Zebraquill page", "baiting", summary="Harpsichordella summary")
    book.people.link_to_case(case.id, old.id, "harmed", notes="Harpsichordella notes")
    book.cases.add_entry(case.id, "Marmalade octopus was posted")
    book.evidence.add_stream(case.id, io.BytesIO(b"Marmalade octopus evidence bytes " * 50),
                             filename="Zebraquill.txt")
    return old, case


def _key(info) -> bytes:  # type: ignore[no-untyped-def]
    return info.book._require_key()


def test_restoring_a_backup_from_before_a_purge_purges_again(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    book = info.book
    old, case = _old_learner_with_a_case(book)
    keep = book.cases.create("Kept case", "other")
    backup = book.backup()
    key = _key(info)
    assert all(m.encode() in everything(backup, key) for m in MARKERS)

    result = book.retention.purge(f"L{old.id}", confirm=True)
    assert result.cases == 1
    with book.store.read() as s:
        ledger = s.scalars(select(tpe.PurgeLedgerRow)).one()
    assert ledger.item == f"L{old.id}" and ledger.scope == "records"
    targets = json.loads(ledger.targets)
    assert set(targets) == {"cases", "people"}
    # ids and fingerprints only: no name or case text in the ledger
    assert not any(m.lower() in (ledger.targets + ledger.item).lower() for m in MARKERS)
    book.lock()

    restored = restore_casebook(info.data_dir, backup, info.passphrase)
    assert restored.purged_again > 0 and not restored.ledger_unreadable
    assert "purged record" in restored.purge_note() and "removed again" in restored.purge_note()
    # The backup itself is untouched (it still holds them until it is deleted) ...
    assert all(m.encode() in everything(backup, key) for m in MARKERS)
    # ... but none of it is anywhere in the restored casebook's pages.
    after = everything(info.database, key)
    assert [m for m in MARKERS if m.encode() in after or m.lower().encode() in after] == []

    book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    info.book = book
    assert [c.id for c in book.cases.list_page()] == [keep.id]
    assert book.people.search("Quokkaspindle") == []
    report = book.verify()
    assert report.ok, report.problems
    with book.store.read() as s:
        assert s.scalars(select(tpe.PurgeLedgerRow.token)).all() == [ledger.token]
        actions = [a for (a,) in s.execute(select(t.AuditRow.action)
                                           .order_by(t.AuditRow.seq))]
    assert actions[-3:] == ["retention.purge.reapply", "casebook.restore", "casebook.unlock"]


def test_a_reused_id_is_not_taken_for_the_purged_record(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """SQLite gives the next case the purged case's id: a backup made after that holds a new,
    different case under the old id, and restoring it must keep it."""
    info = new_casebook_info
    book = info.book
    old, case = _old_learner_with_a_case(book)
    book.retention.purge(f"L{old.id}", confirm=True)
    book.store.clock = lambda: datetime(2027, 3, 1, 9, 0)
    newer = book.cases.create("A new case, same id", "other")
    assert newer.id == case.id  # the id was given again
    backup = book.backup()
    book.lock()
    restored = restore_casebook(info.data_dir, backup, info.passphrase)
    assert restored.purged_again == 0 and restored.purge_note() == ""
    info.book = book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    assert [c.title for c in book.cases.list_page()] == ["A new case, same id"]


def test_an_older_backup_without_the_ledger_is_upgraded_then_purged(new_casebook_info,  # type: ignore[no-untyped-def]
                                                                   tmp_path) -> None:
    """A backup from the version before the ledger (schema 0012): the restore brings the copy
    up to date, then removes the purged records from it."""
    from casebook.storage import migrate
    from casebook.storage.engine import open_engine

    info = new_casebook_info
    book = info.book
    old, _case = _old_learner_with_a_case(book)
    backup = book.backup()
    key = _key(info)
    engine = open_engine(backup, key)
    try:
        migrate.downgrade(engine, "0012")
    finally:
        engine.dispose()
    book.retention.purge(f"L{old.id}", confirm=True)
    book.lock()
    assert restore_casebook(info.data_dir, backup, info.passphrase).purged_again > 0
    after = everything(info.database, key)
    assert [m for m in MARKERS if m.encode() in after] == []
    info.book = book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    assert book.cases.list_page() == [] and book.verify().ok


def test_an_unreadable_ledger_is_said_not_hidden(new_casebook_info, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A replaced file whose ledger cannot be read: the user is told to check the review queue
    rather than told nothing."""
    from casebook.services import RestoreResult
    from casebook.services.purging import read_ledger

    key = _key(new_casebook_info)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(os.urandom(16384))
    assert read_ledger(damaged, key) is None
    assert read_ledger(tmp_path / "missing.db", key) == []
    note = RestoreResult(tmp_path / "kept", 0, ledger_unreadable=True).purge_note()
    assert "could not check for records purged" in note and "retention review" in note


def test_the_ledger_cannot_be_changed_or_emptied(new_casebook) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import IntegrityError

    book = new_casebook
    old, _case = _old_learner_with_a_case(book)
    book.retention.purge(f"L{old.id}", confirm=True)
    for sql in ("DELETE FROM purge_ledger", "UPDATE purge_ledger SET rows = 0"):
        with pytest.raises(IntegrityError, match="append-only"), book.store.unaudited() as s:
            s.execute(text(sql))


def test_the_tidy_after_a_transfer_receipt_stays_done_after_a_restore(new_casebook_info,  # type: ignore[no-untyped-def]
                                                                       tmp_path) -> None:
    """After the receiving school's receipt the sender keeps the chronology and the evidence
    goes (the default policy): restoring a backup from before the receipt must not bring the
    evidence back."""
    info = new_casebook_info
    book = info.book
    zoe = book.people.add("learner", "Zoë", "Ødegård", date_of_birth=date(2014, 2, 3))
    case = book.cases.create("Worried about messages", "harassment")
    book.people.link_to_case(case.id, zoe.id, "harmed")
    book.cases.add_entry(case.id, "Zoë told her tutor.")
    book.evidence.add_stream(case.id, io.BytesIO(b"Marmalade octopus screenshot " * 80),
                             filename="Zebraquill.png")
    password = "amber lantern quietly 58"
    sent = book.transfers.export(zoe.id, "Elm Academy", tmp_path / "z.cbx", password=password)
    backup = book.backup()
    receiver, _recovery = Casebook.create(tmp_path / "elm", school="Elm Academy",
                                          jurisdiction="england", user_name="Jo Receiver",
                                          passphrase="harbour violet kettle 42")
    try:
        got = receiver.transfers.import_package(tmp_path / "z.cbx", password)
    finally:
        receiver.lock()
    book.transfers.record_receipt(sent.reference, got.receipt_code)
    assert book.evidence.items(case.id) == []
    with book.store.read() as s:
        entry = s.scalars(select(tpe.PurgeLedgerRow)).one()
    assert (entry.item, entry.scope) == (sent.reference, "evidence")
    book.lock()

    restored = restore_casebook(info.data_dir, backup, info.passphrase)
    assert restored.purged_again > 0
    key = _key_of(info)
    after = everything(info.database, key)
    assert b"Marmalade octopus" not in after
    info.book = book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    assert book.evidence.items(case.id) == []
    assert book.cases.chronology(case.id)  # the chronology is kept, as the policy says
    assert book.verify().ok


def test_backups_made_before_a_purge_are_found_and_deleted(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    book = info.book
    old, _case = _old_learner_with_a_case(book)
    first = book.backup()
    book.store.clock = lambda: datetime(2026, 11, 29, 10, 0, 1)
    second = book.backup()
    past = time.time() - 3600
    for path in (first, second):
        os.utime(path, (past, past))
    book.retention.purge(f"L{old.id}", confirm=True)
    purged_at = datetime.now()
    found = [b.path for b in backups_before(book, purged_at)]
    assert sorted(found) == sorted([first, second])
    fresh, deleted, failed = delete_backups(book, purged_at)
    assert (deleted, failed) == (2, [])
    assert not first.exists() and not second.exists()
    assert not first.with_name(first.name + ".keys").exists()
    assert fresh.exists() and backups_before(book, purged_at) == []
    key = _key(info)
    assert [m for m in MARKERS if m.encode() in everything(fresh, key)] == []


def test_a_viewer_cannot_delete_backups(new_casebook) -> None:  # type: ignore[no-untyped-def]
    from casebook.domain import User, UserRole
    from casebook.errors import PermissionDeniedError

    book = new_casebook
    book.store.user = User(id=9, name="Viewer", role=UserRole.VIEWER, active=True,
                           created_at=datetime(2026, 1, 1))
    with pytest.raises(PermissionDeniedError):
        delete_backups(book, datetime.now())


def test_restore_keeps_the_ledger_entries_in_step(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """Two purges, a backup between them: restoring it keeps both ledger entries, so a later
    restore of an even older backup still purges both."""
    info = new_casebook_info
    book = info.book
    first, _c1 = _old_learner_with_a_case(book)
    second = book.people.add("learner", "Other", "Elder", date_of_birth=date(1991, 1, 1))
    oldest = book.backup()
    book.retention.purge(f"L{first.id}", confirm=True)
    book.store.clock = lambda: datetime(2026, 11, 29, 11, 0, 0)
    middle = book.backup()
    book.retention.purge(f"L{second.id}", confirm=True)
    book.lock()
    restore_casebook(info.data_dir, middle, info.passphrase)
    restored = restore_casebook(info.data_dir, oldest, info.passphrase)
    assert restored.purged_again > 0
    key = _key_of(info)
    conn = connect_keyed(info.database, key)
    try:
        assert conn.execute("SELECT count(*) FROM purge_ledger").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM register_people").fetchone()[0] == 0
    finally:
        conn.close()
    info.book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    with pytest.raises(NotFoundError):  # gone, not back in the review queue
        info.book.retention.purge(f"L{first.id}", confirm=True)



def _key_of(info) -> bytes:  # type: ignore[no-untyped-def]
    from casebook.vault import KeyVault

    return KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)


def test_a_failure_while_purging_again_leaves_the_casebook_as_it_was(new_casebook_info,  # type: ignore[no-untyped-def]
                                                                    monkeypatch) -> None:
    """If the restored copy cannot be purged again, nothing is replaced: the casebook (without
    the purged records) stays, and no staged copy is left beside it."""
    from casebook.errors import CasebookError
    from casebook.services import purging

    info = new_casebook_info
    book = info.book
    old, _case = _old_learner_with_a_case(book)
    book.cases.create("A case that stays", "other")
    backup = book.backup()
    book.retention.purge(f"L{old.id}", confirm=True)
    book.lock()
    before = info.database.read_bytes()

    def refuse(_s, _case_ids):  # type: ignore[no-untyped-def]
        raise CasebookError("Casebook could not purge these records.")

    monkeypatch.setattr(purging, "purge_cases", refuse)
    with pytest.raises(CasebookError, match="could not purge"):
        restore_casebook(info.data_dir, backup, info.passphrase)
    assert info.database.read_bytes() == before
    leftovers = [p.name for p in info.data_dir.iterdir()
                 if ".restoring" in p.name or "before-restore" in p.name]
    assert leftovers == []
    info.book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    assert [c.title for c in info.book.cases.list_page()] == ["A case that stays"]


def test_only_this_casebooks_backups_are_listed_or_deleted(new_casebook_info, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A chosen backup folder (a USB drive's root, say) may hold other files named .db, and
    another casebook's backups: none of them is ever listed or deleted."""
    info = new_casebook_info
    book = info.book
    folder = tmp_path / "usb"
    folder.mkdir()
    book.settings.set("backup_dir", str(folder))
    ours = book.backup(folder / "casebook-backup-old.db")
    stranger = folder / "holiday-photos.db"
    stranger.write_bytes(b"not a casebook")
    other, _recovery = Casebook.create(tmp_path / "other", school="Elm Academy",
                                       jurisdiction="england", user_name="Jo Other",
                                       passphrase="harbour violet kettle 42")
    theirs = other.backup(folder / "elm-backup.db")
    other.lock()
    past = time.time() - 3600
    for path in (ours, stranger, theirs):
        os.utime(path, (past, past))
    found = [b.path for b in backups_before(book, datetime.now())]
    assert found == [ours]
    _fresh, deleted, _failed = delete_backups(book, datetime.now())
    assert deleted == 1 and not ours.exists()
    assert stranger.exists() and theirs.exists()
