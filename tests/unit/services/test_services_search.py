"""Full-text search over everything recorded on a case."""

from __future__ import annotations

import importlib

import pytest

from casebook.domain import CaseStatus
from casebook.services import Casebook, CaseFilter
from casebook.services.cases import fts_query
from casebook.storage import search


def _fill(book):  # type: ignore[no-untyped-def]
    """Three cases; each word below is recorded on exactly one of them."""
    cases = book.cases
    a = cases.create("Group chat messages", "harassment")
    cases.add_entry(a.id, "Zoë's mother phoned about the Snapchat streaks")
    b = cases.create("Account posing as the school", "impersonation")
    cases.add_account(b.id, "Instagram", "@oakfield_head_official", "impersonating-school",
                      url="https://www.instagram.com/oakfield_head_official/")
    cases.add_decision(b.id, "Escalate to the platform's safeguarding team",
                       "Ignored the first removal request")
    c = cases.create("Video shared after school", "video", summary="Filmed near the café")
    cases.add_person(c.id, "Björn Ødegård", "learner", "witness")
    cases.add_action(c.id, "Ask the Year 10 pastoral lead", "Priya")
    book.case_ids = {"a": a.id, "b": b.id, "c": c.id}
    return book


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """One casebook for the read-only tests of this module (they only search)."""
    made, _ = Casebook.create(tmp_path_factory.mktemp("search") / "cb", school="Oak School",
                              jurisdiction="england", user_name="Alex Morgan",
                              passphrase="violet kettle harbour 42")
    request.addfinalizer(made.lock)
    return _fill(made)


@pytest.fixture
def book(new_casebook):  # type: ignore[no-untyped-def]
    """The same three cases in a casebook of the test's own (for tests that change things)."""
    return _fill(new_casebook)


def _hits(book, text: str) -> set[str]:  # type: ignore[no-untyped-def]
    names = {v: k for k, v in book.case_ids.items()}
    return {names[s.id] for s in book.cases.search(text)}


@pytest.mark.parametrize(("typed", "expected"), [
    ("streaks", {"a"}),  # a chronology entry
    ("Escalate", {"b"}),  # a decision
    ("removal request", {"b"}),  # a decision's reason, two words
    ("oakfield_head_official", {"b"}),  # an account handle
    ("@oakfield_head_official", {"b"}),  # as copied from the app
    ("Björn", {"c"}),  # a person
    ("pastoral", {"c"}),  # an action
    ("Filmed", {"c"}),  # the summary
    ("posing", {"b"}),  # the title
])
def test_finds_words_wherever_they_were_recorded(shared, typed: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert _hits(shared, typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("zoe", {"a"}), ("ZOË", {"a"}), ("cafe", {"c"}), ("bjorn", {"c"}),
    ("ødegard", {"c"}),  # Ø is a letter of its own, not O with a mark, so it is not folded
])
def test_diacritics_do_not_matter(shared, typed: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert _hits(shared, typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("S", {"a", "b", "c"}), ("Sn", {"a"}), ("Snap", {"a"}), ("Snapch", {"a"}),
    ("oakf", {"b"}), ("mother ph", {"a"}), ("mother phx", set()),
])
def test_prefix_as_you_type(shared, typed: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert _hits(shared, typed) == expected


def test_every_word_must_match(shared) -> None:  # type: ignore[no-untyped-def]
    assert _hits(shared, "school video") == {"c"}
    assert _hits(shared, "snapchat instagram") == set()


@pytest.mark.parametrize("typed", [
    '"', '""', "'", "*", "AND", "OR", "NOT", "NEAR(", "NEAR(a b", "a AND", "AND OR NOT",
    "(", ")", "^", "-", "+", ":", "title:", "body:x", "case_id:1", "{a b}", "a OR b*",
    '" OR 1=1 --', "%", "_", "\\", "\x00", "   ", "...", "😀", "🦊 fox", "a" * 500,
])
def test_odd_input_never_raises(shared, typed: str) -> None:  # type: ignore[no-untyped-def]
    shared.cases.search(typed)
    shared.cases.count(CaseFilter(text=typed))


@pytest.mark.parametrize("typed", ['"', "*", "...", "   -  ", "()", "😀"])
def test_punctuation_only_finds_nothing(shared, typed: str) -> None:  # type: ignore[no-untyped-def]
    if typed.strip():
        assert shared.cases.search(typed) == []
    else:
        assert len(shared.cases.search(typed)) == 3


def test_operator_words_are_plain_words(book) -> None:  # type: ignore[no-untyped-def]
    book.cases.add_entry(book.case_ids["a"], "Tom AND Jerry by the gate")
    assert _hits(book, "AND") == {"a"}
    assert _hits(book, "NEAR(") == {"c"}  # "Filmed near the café"
    assert _hits(book, "jerry NOT") == set()  # "NOT" is a word to find, not an operator


def test_search_combines_with_filters(book) -> None:  # type: ignore[no-untyped-def]
    book.cases.set_status(book.case_ids["c"], CaseStatus.CLOSED, reason="Resolved")
    open_only = CaseFilter(text="school", statuses=(CaseStatus.OPEN,))
    assert {s.id for s in book.cases.list_page(open_only)} == {book.case_ids["b"]}
    assert book.cases.count(open_only) == 1


def test_edits_are_searchable_and_old_words_are_gone(book) -> None:  # type: ignore[no-untyped-def]
    book.cases.update_details(book.case_ids["a"], title="Nasty comments on TikTok")
    assert _hits(book, "tiktok") == {"a"}
    assert _hits(book, "group chat") == set()


def test_fts_query_quotes_everything() -> None:
    assert fts_query("") is None
    assert fts_query('"*') is None
    assert fts_query('say "hi" NEAR(x') == '"say" AND "hi" AND "NEAR" AND "x"*'


@pytest.mark.parametrize("typed", ["odegard", "ODEGARD", "Ødegård", "ødegard", "bjorn odeg"])
def test_letters_that_are_not_accented_forms_fold_too(shared, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Ø, Ł, ß… are letters of their own to the tokenizer; search still finds them by the
    plain letters a teacher types."""
    assert _hits(shared, typed) == {"c"}


@pytest.mark.parametrize(("recorded", "typed"), [
    ("Łukasz from Łódź", "lukasz lodz"), ("Đorđe", "dorde"), ("Straße", "strasse"),
    ("Æsir", "aesir"), ("Œuvre", "oeuvre"), ("Þórður", "thordur"), ("Ħal", "hal"),
])
def test_each_folded_letter_is_found_by_its_plain_spelling(book, recorded: str,  # type: ignore[no-untyped-def]
                                                           typed: str) -> None:
    book.cases.add_person(book.case_ids["a"], recorded, "learner", "witness")
    assert _hits(book, typed) == {"a"}
    assert _hits(book, recorded) == {"a"}


def test_query_folds_agree_with_the_index_migration() -> None:
    """The index was built with migration 0012's folds; queries must fold the same way."""
    migration = importlib.import_module("casebook.migrations.versions.0012_folded_search_and_list_sort")
    assert migration.FOLDS == search.FOLDS
    assert fts_query("Ødegård") == '"Odegård"*'


@pytest.mark.parametrize(("typed", "short"), [
    ("j", True), (" J ", True), ("é", True), ("Ø", True), ("7", True), ('"j"', True),
    ("j*", True), ("-s", True), ("", False), ("-", False), ("ja", False), ("j s", False),
    ("fake school l", False), ("😀", False),
])
def test_one_letter_on_its_own_is_too_short_to_search(typed: str, short: bool) -> None:
    assert search.search_too_short(typed) is short


@pytest.mark.parametrize(("typed", "searched"), [
    ("j", ""), (" J ", ""), ('"j"', ""), ("-s", ""), ("", ""), ("  ", ""),
    (" ja ", "ja"), ("fake school l", "fake school l"), ("-", "-"),
])
def test_the_list_searches_nothing_for_one_letter(typed: str, searched: str) -> None:
    """What the case list (and the bench timing it) puts in its filter for what was typed."""
    assert search.searched_text(typed) == searched
