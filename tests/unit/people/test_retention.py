"""Retention: review dates, legal holds, and a purge that leaves no trace of the text in the
decrypted pages of the file (WAL checkpointed, VACUUMed), with an audit entry of ids only."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from page_dump import everything
from sqlalchemy import select

from casebook.domain import CaseStatus
from casebook.errors import ValidationError
from casebook.services import CaseFilter
from casebook.storage import tables as t

MARKERS = ("Zebraquill", "Marmalade octopus", "Velvetpancake", "Quokkaspindle",
           "Harpsichordella")


def _setup(book):  # type: ignore[no-untyped-def]
    """Old learner (born 1990: due since 2015), a younger one, a staff allegation."""
    old = book.people.add("learner", "Quokkaspindle", "Elderly", date_of_birth=date(1990, 5, 1))
    young = book.people.add("learner", "Young", "Child", date_of_birth=date(2014, 5, 1))
    case = book.cases.create("Zebraquill page", "baiting", summary="Velvetpancake summary")
    book.people.link_to_case(case.id, old.id, "harmed", notes="Harpsichordella notes")
    book.cases.add_entry(case.id, "Marmalade octopus was posted")
    amended = book.cases.add_entry(case.id, "First wording Zebraquill")
    book.cases.amend_entry(amended.id, "Second wording Zebraquill", "typo")
    book.cases.add_decision(case.id, "Zebraquill decision", "Zebraquill reason")
    book.cases.add_action(case.id, "Zebraquill action", "DSL")
    book.evidence.add_stream(case.id, io.BytesIO(b"Marmalade octopus evidence bytes " * 50),
                             filename="Zebraquill.txt")
    shared = book.cases.create("Shared case", "other")
    book.people.link_to_case(shared.id, old.id, "witness")
    book.people.link_to_case(shared.id, young.id, "harmed")
    return old, young, case, shared


def test_review_dates_and_what_is_due(new_casebook) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    old, young, case, _shared = _setup(book)
    staff = book.people.add("staff", "Ann", "Teacher", date_of_birth=date(1970, 1, 1))
    allegation = book.cases.create("Allegation", "staff-allegation")
    link = book.people.link_to_case(allegation.id, staff.id, "allegation-subject")
    items = {i.id: i for i in book.retention.items()}
    assert items[f"L{old.id}"].review_on == date(2015, 5, 1)
    assert items[f"L{young.id}"].review_on == date(2039, 5, 1)
    # The longer of 10 years from the allegation and pension age (67): 2037.
    assert items[allegation.reference].review_on == date(2037, 1, 1)
    due = [i.id for i in book.retention.due()]
    assert due == [f"L{old.id}"]
    book.people.set_outcome(link.id, "malicious")
    due = {i.id: i for i in book.retention.due()}
    assert due[allegation.reference].flag.startswith("malicious")


def test_purge_removes_the_text_from_the_file(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    book = info.book
    old, young, case, shared = _setup(book)
    key = book._require_key()
    before = everything(info.database, key)
    assert all(m.encode() in before for m in MARKERS)  # the dump does see plain text

    result = book.retention.purge(f"L{old.id}", confirm=True)
    assert (result.cases, result.evidence, result.kept_cases) == (1, 1, 1)
    # The shared case stays for the younger learner's file, without the purged learner.
    assert [c.id for c in book.cases.list_page()] == [shared.id]
    assert [p.name for p in book.cases.people(shared.id)] == ["Young Child"]
    assert book.people.search("Quokkaspindle") == []
    assert book.cases.search("Zebraquill") == []
    assert book.verify().ok

    after = everything(info.database, key)
    found = [m for m in MARKERS if m.encode() in after or m.lower().encode() in after]
    assert found == []
    with book.store.read() as s:
        entry = s.scalars(select(t.AuditRow).where(t.AuditRow.action == "retention.purge")).one()
    assert entry.target == f"retention:L{old.id}"
    assert entry.detail.startswith("cases=1,rows=") and "evidence=1" in entry.detail


def test_legal_hold_blocks_purge_until_lifted(new_casebook) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    old, _young, case, _shared = _setup(book)
    hold = book.retention.place_hold(case.reference, "Public inquiry into online harms")
    on_file = book.retention.place_hold(f"L{old.id}", "Held for the same inquiry")
    assert book.retention.holds() == [
        (hold, case.reference, "Public inquiry into online harms"),
        (on_file, f"L{old.id}", "Held for the same inquiry")]
    assert book.retention.holds(old.id) == [(on_file, f"L{old.id}", "Held for the same inquiry")]
    book.retention.lift_hold(on_file)
    with pytest.raises(ValidationError, match="legal hold"):
        book.retention.purge(f"L{old.id}", confirm=True)
    assert book.cases.get(case.id).title == "Zebraquill page"
    book.retention.lift_hold(hold)
    assert book.retention.purge(f"L{old.id}", confirm=True).cases == 1


def test_purge_refuses_what_is_not_due_or_unconfirmed(new_casebook) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    old, young, _case, _shared = _setup(book)
    with pytest.raises(ValidationError, match="not due for review until 01/05/2039"):
        book.retention.purge(f"L{young.id}", confirm=True)
    with pytest.raises(ValidationError, match="confirm"):
        book.retention.purge(f"L{old.id}")
    assert len(book.cases.list_page()) == 2


def test_the_guards_still_refuse_a_delete_outside_a_purge(new_casebook) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    case = book.cases.create("Kept", "other")
    book.cases.add_entry(case.id, "Stays", occurred_at=datetime(2026, 1, 1))
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="append-only"), book.store.unaudited() as s:
        s.execute(text("DELETE FROM chronology"))
    with pytest.raises(IntegrityError, match="append-only"), book.store.unaudited() as s:
        # A permit for another case does not open this one.
        s.execute(text("INSERT INTO purge_permits (case_id) VALUES (:c)"), {"c": case.id + 1})
        s.execute(text("DELETE FROM chronology"))


def test_due_on_the_day_including_29_february(new_casebook) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    leap = book.people.add("learner", "Leap", "Day", date_of_birth=date(2000, 2, 29))
    book.people.add("learner", "Not", "Yet", date_of_birth=date(2000, 3, 1))
    book.store.clock = lambda: datetime(2025, 2, 28, 9, 0)
    assert [i.id for i in book.retention.due()] == [f"L{leap.id}"]
    book.store.clock = lambda: datetime(2025, 2, 27, 9, 0)
    assert book.retention.due() == []


def test_a_guard_the_purge_cannot_open_leaves_everything(new_casebook) -> None:  # type: ignore[no-untyped-def]
    """A table added later with its own append-only guard and a case_id: the purge stops with
    one plain message and rolls back whole, never half a file."""
    from sqlalchemy import text

    from casebook.errors import CasebookError

    book = new_casebook
    old, _young, case, _shared = _setup(book)
    with book.store.unaudited() as s:
        s.execute(text("CREATE TABLE later_notes (id INTEGER PRIMARY KEY, case_id INTEGER)"))
        s.execute(text("CREATE TRIGGER later_notes_no_delete BEFORE DELETE ON later_notes "
                       "BEGIN SELECT RAISE(ABORT, 'later_notes is append-only'); END"))
        s.execute(text("INSERT INTO later_notes (case_id) VALUES (:c)"), {"c": case.id})
    with pytest.raises(CasebookError, match="later notes records are protected"):
        book.retention.purge(f"L{old.id}", confirm=True)
    assert book.cases.get(case.id).title == "Zebraquill page"
    assert [p.id for p in book.people.search("Quokkaspindle")] == [old.id]
    assert len(book.cases.chronology(case.id)) >= 3


def test_purge_takes_the_corrections_of_the_case_too(new_casebook) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    book = new_casebook
    old, _young, case, _shared = _setup(book)
    person = [p for p in book.cases.people(case.id)][0]
    book.cases.correct_person(person.id, "Zebraquill typo in the notes", notes="Corrected")
    result = book.retention.purge(f"L{old.id}", confirm=True)
    assert result.cases == 1
    with book.store.read() as s:
        assert s.execute(text("SELECT count(*) FROM corrections")).scalar_one() == 0


def test_a_person_removed_by_a_correction_is_not_on_their_file(new_casebook) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    zoe = book.people.add("learner", "Zoë", "Ødegård")
    case = book.cases.create("Added by mistake", "other")
    link = book.people.link_to_case(case.id, zoe.id, "witness")
    book.cases.remove_person(link.id, "Wrong Zoë: she was not there")
    assert book.people.links(zoe.id) == []
    assert book.people.learner_file(zoe.id).entries == ()


def test_the_case_list_counts_no_purged_case(new_casebook) -> None:  # type: ignore[no-untyped-def]
    """The list counts a search's closed matches as the matches less the others: a purged
    case's words must leave the index with it, or it would be counted as closed."""
    book = new_casebook
    old, _young, _case, shared = _setup(book)
    book.retention.purge(f"L{old.id}", confirm=True)
    gone = book.cases.first_page(CaseFilter(text="zebraquill"))
    assert gone.rows == [] and gone.counts.matching == 0
    assert set(gone.counts.by_status.values()) == {0}
    kept = book.cases.first_page(CaseFilter(text="shared"))
    assert [c.id for c in kept.rows] == [shared.id]
    assert kept.counts.by_status == {CaseStatus.OPEN: 1, CaseStatus.MONITORING: 0,
                                     CaseStatus.CLOSED: 0}
