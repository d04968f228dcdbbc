"""The case list's reload searches the index once: same cases, same order, same counts as
searching it for the page and again for the counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from service_helpers import Clock
from sqlalchemy import text

from casebook.domain import CaseStatus, CaseType, RiskLevel
from casebook.domain.counts import CaseCounts
from casebook.services import Casebook, CaseFilter
from casebook.services.cases import HITS_TABLE

PASSPHRASE = "violet kettle harbour 42"
#: (title, summary, a chronology entry, status, risk): words repeat across cases on purpose.
CASES = [
    ("Fake school logo account", "Instagram page using the school logo", "Parent sent screenshots",
     CaseStatus.OPEN, RiskLevel.HIGH),
    ("Group chat", "Snapchat streaks", "Jamie's mother phoned", CaseStatus.CLOSED, RiskLevel.LOW),
    ("Video after school", "Filmed near the café", "Björn Ødegård was a witness",
     CaseStatus.MONITORING, RiskLevel.MEDIUM),
    ("Instagram baiting", "Fake account baiting a learner", "Screenshots from a parent",
     CaseStatus.OPEN, RiskLevel.CRITICAL),
    ("Jam session video", "Filmed in the music block", "Parent asked for it to be removed",
     CaseStatus.CLOSED, RiskLevel.LOW),
    ("Logo misuse", "School logo on a TikTok account", "Jasmine reported it",
     CaseStatus.OPEN, RiskLevel.MEDIUM),
    ("Comments about staff", "Posts naming a teacher", "Łukasz from Łódź saw them",
     CaseStatus.MONITORING, RiskLevel.HIGH),
    ("Streaks and threats", "Snapchat and Instagram", "Tom AND Jerry OR NOT near the gate",
     CaseStatus.CLOSED, RiskLevel.HIGH),
]

SEARCHES = [
    "instagram", "school logo", "fake school logo", "fake school l", "screenshots parent", "j",
    "s", "jam", "odegard", "Ødegård", "cafe", "lukasz lodz", "snapchat instagram", "nothing here",
    "-", '"', "*", "OR", "AND", "NOT", "NEAR(", "a OR b", '"school logo"', "logo*", "-school",
    "tom AND", "😀", "   ",
]

FILTERS = [
    CaseFilter(sort="updated", descending=True),  # the list as it opens
    CaseFilter(sort="updated", descending=False),
    CaseFilter(sort="opened", descending=True),
    CaseFilter(sort="title", descending=False),
    CaseFilter(sort="risk", descending=True),
    CaseFilter(sort="reference", descending=False),
    CaseFilter(sort="updated", statuses=(CaseStatus.OPEN, CaseStatus.MONITORING)),
    CaseFilter(sort="updated", risks=(RiskLevel.HIGH, RiskLevel.CRITICAL),
               types=(CaseType.HARASSMENT, CaseType.OTHER)),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Casebook:
    clock = Clock(datetime(2026, 3, 1, 9, 0))
    made, _ = Casebook.create(tmp_path_factory.mktemp("list") / "cb", school="Oak School",
                              jurisdiction="england", user_name="Alex Morgan",
                              passphrase=PASSPHRASE, clock=clock)
    request.addfinalizer(made.lock)
    kinds = [CaseType.HARASSMENT, CaseType.OTHER, CaseType.VIDEO, CaseType.BAITING]
    ids = []
    for n, (title, summary, entry, status, risk) in enumerate(CASES * 3):  # 24 cases
        case = made.cases.create(f"{title} {n}", kinds[n % len(kinds)], summary=summary, risk=risk)
        made.cases.add_entry(case.id, entry)
        if status != CaseStatus.OPEN:
            made.cases.set_status(case.id, status, reason="Resolved with the family")
        ids.append(case.id)
        clock.advance(hours=5)
    for case_id in ids[::5]:  # "Last change" no longer follows the order they were opened in
        made.cases.add_entry(case_id, "Follow-up call")
        clock.advance(hours=1)
    return made


def _before(book: Casebook, flt: CaseFilter, limit: int) -> tuple[list[int], CaseCounts]:
    """What the list showed before: the page from the index searched in a subquery, and the
    counts from their own searches."""
    with book.store.read() as s:
        rows = [c.id for c in book.cases._page(s, flt, 0, limit)]
    by_status = {s: book.cases.count(replace(flt, statuses=(s,))) for s in CaseStatus}
    return rows, CaseCounts(book.cases.count(flt), book.cases.count(), by_status)


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f"{f.sort}-{f.descending}-{len(f.statuses)}")
@pytest.mark.parametrize("typed", SEARCHES)
def test_first_page_finds_and_counts_what_it_did_before(book: Casebook, typed: str,
                                                        flt: CaseFilter) -> None:
    flt = replace(flt, text=typed)
    for limit in (5, 100):  # a page shorter than the matches, and one that holds them all
        page = book.cases.first_page(flt, limit)
        rows, counts = _before(book, flt, limit)
        assert [s.id for s in page.rows] == rows
        assert page.counts == counts


def test_searches_find_what_they_should(book: Casebook) -> None:
    """The comparison above is not between two empty lists."""
    assert book.cases.first_page(CaseFilter(text="instagram")).counts.matching == 9
    assert book.cases.first_page(CaseFilter(text="fake school l")).counts.matching == 3
    assert book.cases.first_page(CaseFilter(text="odegard")).counts.matching == 3
    assert book.cases.first_page(CaseFilter(text="s")).counts.matching == 24


@pytest.mark.parametrize("sort", ["updated", "title"])
def test_paging_after_a_search_shows_every_match_once(book: Casebook, sort: str) -> None:
    flt = CaseFilter(text="school", sort=sort)
    first = book.cases.first_page(flt, 4)
    seen = [s.id for s in first.rows]
    while len(seen) < first.counts.matching:
        more = book.cases.list_page(flt, len(seen), 4)
        assert more
        seen += [s.id for s in more]
    assert len(seen) == len(set(seen)) == first.counts.matching == 9
    assert book.cases.list_page(flt, len(seen), 4) == []
    with book.store.read() as s:  # the same order as the former query's
        assert seen == [c.id for c in book.cases._page(s, flt, 0, 100)]


def test_no_case_ids_are_left_behind_on_the_connection(book: Casebook) -> None:
    """The matches live in a temporary table only as long as the reload's transaction."""
    with book.store.read() as s:
        assert book.cases._fill_hits(s, CaseFilter(text="instagram"))
        assert s.execute(text(f"SELECT count(*) FROM temp.{HITS_TABLE}")).scalar_one() == 9
    book.cases.first_page(CaseFilter(text="instagram"))
    engine = book.store.engine
    assert engine is not None
    with engine.connect() as conn:  # the pool hands back the connection the reload used
        tables = conn.execute(text("SELECT name FROM sqlite_temp_master")).scalars().all()
    assert HITS_TABLE not in tables


@pytest.mark.parametrize("typed", ["instagram", "fake school l", "odegard", "-", "nothing here"])
def test_a_read_only_casebook_searches_the_same(book: Casebook, typed: str) -> None:
    """Read-only connections (query_only) refuse even temporary tables: the search falls back
    to the subquery and finds the same."""
    reader = Casebook.open_read_only(book.paths.root, PASSPHRASE)
    try:
        flt = CaseFilter(text=typed, sort="updated")
        page = reader.cases.first_page(flt, 5)
        assert page == book.cases.first_page(flt, 5)
        assert reader.cases.list_page(flt, 5, 5) == book.cases.list_page(flt, 5, 5)
    finally:
        reader.lock()
