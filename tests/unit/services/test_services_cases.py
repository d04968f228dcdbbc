"""Cases: references, the case list (filters, sort, paging, counts), actions, the chronology."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlcipher3
from service_helpers import Clock
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from casebook.domain import CaseStatus, CaseType, RiskLevel, StepKey, StepStatus
from casebook.errors import NotFoundError, ValidationError
from casebook.services import Casebook, CaseFilter

REFUSED = (DBAPIError, sqlcipher3.DatabaseError)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 12, 30, 9, 0, 0))


@pytest.fixture
def book(tmp_path: Path, clock: Clock, dsl_passphrase: str):  # type: ignore[no-untyped-def]
    made, _ = Casebook.create(tmp_path / "cb", school="Oak School", jurisdiction="england",
                              user_name="Alex Morgan", passphrase=dsl_passphrase, clock=clock)
    with made:
        yield made


def test_references_are_numbered_per_year(book, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    first = book.cases.create("First", "harassment")
    second = book.cases.create("Second", "video")
    clock.now = datetime(2026, 1, 2, 8, 30)
    third = book.cases.create("Third", "other")
    fourth = book.cases.create("Fourth", "baiting")
    assert [c.reference for c in (first, second, third, fourth)] == [
        "CB-2025-0001", "CB-2025-0002", "CB-2026-0001", "CB-2026-0002"]
    for case in (first, third):
        assert re.fullmatch(r"CB-\d{4}-\d{4}", case.reference)
    assert book.cases.get_by_reference(" cb-2026-0001 ").id == third.id
    with pytest.raises(NotFoundError):
        book.cases.get_by_reference("CB-2024-0001")


def test_new_case_has_all_steps_and_records_who_opened_it(book, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Fake head teacher account", "impersonation", summary="  Seen.  ",
                             risk="high")
    assert case.summary == "Seen."
    assert case.risk == RiskLevel.HIGH and case.status == CaseStatus.OPEN
    assert case.created_by == "Alex Morgan" and case.opened_at == clock.now
    assert [s.key for s in case.steps] == list(StepKey)
    assert all(s.status == StepStatus.NOT_STARTED for s in case.steps)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"title": "  ", "case_type": "video"}, "title"),
    ({"title": "x", "case_type": "pirates"}, "case type"),
    ({"title": "x", "case_type": "video", "risk": "extreme"}, "risk level"),
])
def test_case_validation(book, kwargs: dict, words: str) -> None:  # type: ignore[no-untyped-def, type-arg]
    with pytest.raises(ValidationError, match=words):
        book.cases.create(**kwargs)
    assert book.cases.count() == 0


def _seed(book, clock: Clock) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Twelve cases opened on different days, with varied type, status and risk."""
    ids = {}
    spec = [
        ("Alpha", CaseType.HARASSMENT, RiskLevel.LOW, CaseStatus.OPEN),
        ("Bravo", CaseType.IMPERSONATION, RiskLevel.HIGH, CaseStatus.OPEN),
        ("Charlie", CaseType.BAITING, RiskLevel.CRITICAL, CaseStatus.MONITORING),
        ("Delta", CaseType.VIDEO, RiskLevel.MEDIUM, CaseStatus.CLOSED),
        ("Echo", CaseType.HARASSMENT, RiskLevel.HIGH, CaseStatus.OPEN),
        ("Foxtrot", CaseType.OTHER, RiskLevel.LOW, CaseStatus.CLOSED),
        ("Golf", CaseType.STAFF_ALLEGATION, RiskLevel.MEDIUM, CaseStatus.OPEN),
        ("Hotel", CaseType.IMPERSONATION, RiskLevel.LOW, CaseStatus.MONITORING),
        ("India", CaseType.BAITING, RiskLevel.HIGH, CaseStatus.OPEN),
        ("Juliet", CaseType.VIDEO, RiskLevel.CRITICAL, CaseStatus.OPEN),
        ("Kilo", CaseType.HARASSMENT, RiskLevel.MEDIUM, CaseStatus.OPEN),
        ("Lima", CaseType.OTHER, RiskLevel.HIGH, CaseStatus.MONITORING),
    ]
    clock.now = datetime(2026, 3, 1, 10, 0)
    for title, kind, risk, status in spec:
        case = book.cases.create(f"{title} case", kind, risk=risk)
        if status != CaseStatus.OPEN:
            book.cases.set_status(case.id, status, reason="Resolved with the family")
        ids[title] = case.id
        clock.advance(days=1)
    return ids


def test_list_filters(book, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    ids = _seed(book, clock)

    def titles(flt: CaseFilter) -> set[str]:
        return {s.title.split()[0] for s in book.cases.list_page(flt)}

    assert titles(CaseFilter(statuses=(CaseStatus.CLOSED,))) == {"Delta", "Foxtrot"}
    assert titles(CaseFilter(types=(CaseType.BAITING, CaseType.VIDEO))) == {
        "Charlie", "Delta", "India", "Juliet"}
    assert titles(CaseFilter(risks=(RiskLevel.CRITICAL,))) == {"Charlie", "Juliet"}
    assert titles(CaseFilter(statuses=(CaseStatus.OPEN,), risks=(RiskLevel.HIGH,))) == {
        "Bravo", "Echo", "India"}
    # opened 1 March + n days: Delta is 4 March, Foxtrot 6 March (inclusive range)
    assert titles(CaseFilter(opened_from=date(2026, 3, 4), opened_to=date(2026, 3, 6))) == {
        "Delta", "Echo", "Foxtrot"}
    assert titles(CaseFilter(opened_from=date(2026, 3, 12))) == {"Lima"}
    assert titles(CaseFilter(opened_to=date(2026, 2, 28))) == set()
    for flt in (CaseFilter(), CaseFilter(statuses=(CaseStatus.MONITORING,)),
                CaseFilter(types=(CaseType.HARASSMENT,), risks=(RiskLevel.MEDIUM,))):
        assert book.cases.count(flt) == len(book.cases.list_page(flt))
    assert book.cases.count() == len(ids) == 12


def test_list_sort_and_paging(book, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    _seed(book, clock)
    newest_first = [s.title for s in book.cases.list_page()]
    assert newest_first[0] == "Lima case" and newest_first[-1] == "Alpha case"
    by_title = [s.title for s in book.cases.list_page(CaseFilter(sort="title", descending=False))]
    assert by_title == sorted(by_title)
    by_ref = [s.reference for s in book.cases.list_page(CaseFilter(sort="reference",
                                                                    descending=False))]
    assert by_ref == [f"CB-2026-{n:04d}" for n in range(1, 13)]

    pages = [book.cases.list_page(offset=offset, limit=5) for offset in (0, 5, 10, 15)]
    assert [len(p) for p in pages] == [5, 5, 2, 0]
    assert [s.title for page in pages for s in page] == newest_first
    assert book.cases.list_page(offset=-3, limit=2) == book.cases.list_page(limit=2)
    with pytest.raises(ValidationError, match="sort"):
        book.cases.list_page(CaseFilter(sort="shoe size"))


def test_closing_needs_a_reason_and_is_written_in_the_chronology(book) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Video of a fight", "video")
    with pytest.raises(ValidationError, match="reason"):
        book.cases.set_status(case.id, "closed")
    closed = book.cases.set_status(case.id, "closed", reason="Video removed by the platform")
    assert closed.status == CaseStatus.CLOSED and closed.closed_at is not None
    assert "Video removed" in book.cases.chronology(case.id)[-1].text


def test_overdue_action_counts(book, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    clock.now = datetime(2026, 5, 10, 12, 0)
    one = book.cases.create("One", "harassment")
    two = book.cases.create("Two", "baiting")
    late = book.cases.add_action(one.id, "Call parents", "Alex", due_date=date(2026, 5, 1))
    book.cases.add_action(one.id, "Report account", "Alex", due_date=date(2026, 5, 9))
    book.cases.add_action(one.id, "Check removal", "Sam", due_date=date(2026, 5, 10))  # today
    book.cases.add_action(one.id, "Follow up", "Sam")  # no date
    done = book.cases.add_action(two.id, "Write to platform", "Sam", due_date=date(2026, 4, 1))
    book.cases.set_action_done(done.id)

    counts = {s.title: s.overdue_actions for s in book.cases.list_page()}
    assert counts == {"One": 2, "Two": 0}
    assert [a.description for a in book.cases.overdue_actions()] == [
        "Call parents", "Report account"]

    book.cases.set_action_done(late.id)
    clock.now = datetime(2026, 5, 11, 8, 0)  # a day later "Check removal" is overdue too
    assert {s.title: s.overdue_actions for s in book.cases.list_page()} == {"One": 2, "Two": 0}
    book.cases.set_action_done(done.id, done=False)
    assert {s.title: s.overdue_actions for s in book.cases.list_page()} == {"One": 2, "Two": 1}


def test_steps_done_count_and_step_completion(book) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Impersonation", "impersonation")
    book.cases.save_step(case.id, StepKey.GATHER_EVIDENCE, {"screenshots": True}, "done")
    book.cases.save_step(case.id, "sanctions", status="not-needed")
    book.cases.save_step(case.id, "investigation", {"notes": "Spoke to Y9"}, "in-progress")
    (summary,) = book.cases.list_page()
    assert summary.steps_done == 2
    saved = book.cases.get(case.id)
    assert saved.step(StepKey.GATHER_EVIDENCE).completed_by == "Alex Morgan"
    assert saved.step(StepKey.INVESTIGATION).data == {"notes": "Spoke to Y9"}


def test_amendment_keeps_the_original(book, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Harassment in a group chat", "harassment")
    original = book.cases.add_entry(case.id, "Spoke to Jamie at 10:15")
    clock.advance(hours=2)
    amended = book.cases.amend_entry(original.id, "Spoke to Jamie at 10:50",
                                     "Wrong time written down")
    entries = {e.id: e for e in book.cases.chronology(case.id)}
    assert entries[original.id].text == "Spoke to Jamie at 10:15"
    assert entries[original.id].amended_by_id == amended.id
    assert entries[original.id].is_amended
    assert entries[amended.id].amends_id == original.id
    assert entries[amended.id].amendment_reason == "Wrong time written down"
    assert entries[amended.id].occurred_at == original.occurred_at
    assert entries[amended.id].recorded_at > original.recorded_at
    with pytest.raises(ValidationError, match="already been amended"):
        book.cases.amend_entry(original.id, "Another go", "Again")
    with pytest.raises(ValidationError):
        book.cases.amend_entry(amended.id, "Changed", "   ")


@pytest.mark.parametrize("statement", [
    "UPDATE chronology SET text = 'rewritten'",
    "DELETE FROM chronology",
])
def test_chronology_is_append_only(book, statement: str) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Baiting account", "baiting")
    book.cases.add_entry(case.id, "First report")
    with pytest.raises(REFUSED, match="append-only"), book.store.read() as s:
        s.execute(text(statement))
        s.commit()
    assert [e.text for e in book.cases.chronology(case.id)] == ["Case opened.", "First report"]


def test_entries_for_a_missing_case_are_refused(book) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError):
        book.cases.add_entry(999, "Nothing here")
    with pytest.raises(NotFoundError):
        book.cases.get(999)


@pytest.mark.parametrize("flt", [
    CaseFilter(),
    CaseFilter(statuses=(CaseStatus.CLOSED,)),
    CaseFilter(statuses=(CaseStatus.OPEN, CaseStatus.MONITORING), risks=(RiskLevel.HIGH,)),
    CaseFilter(types=(CaseType.BAITING, CaseType.VIDEO)),
    CaseFilter(text="case"),
    CaseFilter(text="charlie", statuses=(CaseStatus.OPEN,)),
    CaseFilter(text="nothing like this"),
    CaseFilter(opened_from=date(2026, 3, 4), opened_to=date(2026, 3, 6)),
])
def test_list_counts_in_one_query_match_counting_each_status(book, clock: Clock,  # type: ignore[no-untyped-def]
                                                             flt: CaseFilter) -> None:
    """The list's counts (one GROUP BY) give the numbers one count per status used to give."""
    _seed(book, clock)
    counts = book.cases.counts(flt)
    assert counts.matching == book.cases.count(flt)
    assert counts.total == book.cases.count() == 12
    assert counts.by_status == {s: book.cases.count(replace(flt, statuses=(s,)))
                                for s in CaseStatus}


def test_first_page_runs_the_search_once_for_page_and_counts(book, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """The case list's reload: the page and its counts from one full-text match."""
    _seed(book, clock)
    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_rest) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = book.store.engine
    flt = CaseFilter(text="case", statuses=(CaseStatus.OPEN,), sort="updated")
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = book.cases.first_page(flt, limit=3)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert sum("MATCH" in s for s in statements) == 1
    assert [s.id for s in page.rows] == [s.id for s in book.cases.list_page(flt, limit=3)]
    assert page.counts == book.cases.counts(flt)
    assert page.counts.matching == book.cases.count(flt) > 3
