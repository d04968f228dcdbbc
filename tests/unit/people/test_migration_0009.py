"""Migration 0009 on a casebook written by the previous version (schema 0005): free-text
people move into the register, records stay searchable, and the round trip is exact."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text

from casebook.services import Casebook
from casebook.storage import migrate
from casebook.storage.engine import connect_keyed, open_engine
from casebook.vault import KeyVault


def test_free_text_people_move_into_the_register(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    book = info.book
    first = book.cases.create("Baiting page", "baiting")
    second = book.cases.create("Fight video", "video")
    book.cases.add_entry(first.id, "Quarrelsome comments")
    book.lock()
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    engine = open_engine(info.database, key)
    try:
        migrate.downgrade(engine, "0005")
        assert migrate.current_revision(engine) == "0005"
    finally:
        engine.dispose()
    # Write people the way version 0005 did: free text on each case.
    conn = connect_keyed(info.database, key)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "register_people" not in tables
        rows = [
            (first.id, "Zoë Ødegård", "learner", "harmed", date(2014, 2, 3), "Year 7"),
            (second.id, "Zoë  Ødegård", "learner", "witness", date(2014, 2, 3), "Year 7"),
            (first.id, "Sam", "learner", "suspected-creator", None, None),
            (second.id, "Sam", "learner", "witness", None, None),
            (first.id, "Mrs Ann Teacher", "staff", "reporter", None, None),
        ]
        for case_id, name, kind, role, dob, year in rows:
            conn.execute("INSERT INTO people (case_id, name, kind, role, date_of_birth, "
                         "year_group, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, '', ?)",
                         (case_id, name, kind, role, dob.isoformat() if dob else None, year,
                          datetime(2026, 1, 5, 10, 0).isoformat(" ")))
        conn.commit()
    finally:
        conn.close()

    info.book = book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    assert migrate.current_revision(book.store.engine) == migrate.head_revision()
    learners = book.people.search(kind="learner")
    # The same name and date of birth is one learner; two "Sam"s without one stay apart.
    assert sorted((p.forename, p.surname, p.date_of_birth) for p in learners) == [
        ("Sam", "", None), ("Sam", "", None), ("Zoë", "Ødegård", date(2014, 2, 3))]
    zoe = next(p for p in learners if p.surname == "Ødegård")
    assert [(link.case_reference, link.role.value) for link in book.people.links(zoe.id)] == [
        (first.reference, "harmed"), (second.reference, "witness")]
    staff = book.people.search(kind="staff")
    assert [(p.forename, p.surname) for p in staff] == [("Mrs Ann", "Teacher")]
    with book.store.read() as s:
        unlinked = s.execute(text("SELECT count(*) FROM people WHERE id NOT IN "
                                  "(SELECT case_person_id FROM person_links)")).scalar_one()
    assert unlinked == 0
    assert [c.id for c in book.cases.search("quarrelsome")] == [first.id]
    assert book.verify().ok
    file = book.people.learner_file(zoe.id)
    assert {e.case_reference for e in file.entries} >= {first.reference}


def test_purge_permit_guards_survive_the_round_trip(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """Without a permit the chronology and evidence still cannot be deleted, at head and after
    stepping back to 0005."""
    info = new_casebook_info
    case = info.book.cases.create("Kept", "other")
    info.book.cases.add_entry(case.id, "Must stay")
    info.book.lock()
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    for revision in ("head", "0005"):
        engine = open_engine(info.database, key)
        try:
            if revision != "head":
                migrate.downgrade(engine, revision)
        finally:
            engine.dispose()
        conn = connect_keyed(info.database, key)
        try:
            try:
                conn.execute("DELETE FROM chronology")
                raise AssertionError("chronology deleted without a permit")
            except Exception as exc:  # noqa: BLE001 - sqlcipher3's IntegrityError
                assert "append-only" in str(exc)
        finally:
            conn.close()
