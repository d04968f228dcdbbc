"""Schema migrations: empty -> head, round trip, newer schemas refused, older ones backed up."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from storage_helpers import new_database, new_key, sha256_file, sidecars

from casebook.domain import CaseStatus
from casebook.errors import NewerVersionError
from casebook.services import Casebook, CaseFilter, CaseService
from casebook.services.store import Store
from casebook.storage import migrate
from casebook.storage.engine import connect_keyed, open_engine
from casebook.vault import KeyVault

APP_TABLES = {"audit_log", "cases", "case_steps", "chronology", "decisions", "actions", "people",
              "social_accounts", "evidence", "evidence_chunks", "platform_reports", "users",
              "meta", "drafts", "case_search"}


def _schema(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(  # type: ignore[misc]
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"))]


def test_upgrade_from_empty_to_head(tmp_path: Path) -> None:
    engine = open_engine(tmp_path / "new.db", new_key(), create=True)
    try:
        assert migrate.current_revision(engine) is None
        assert migrate.needs_upgrade(engine)
        assert migrate.upgrade(engine) is True
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert not migrate.needs_upgrade(engine)
        assert migrate.upgrade(engine) is False  # already at head: nothing to do
        names = {row[1] for row in _schema(engine) if row[0] == "table"}
        assert names >= APP_TABLES
        triggers = {row[1] for row in _schema(engine) if row[0] == "trigger"}
        assert {"audit_log_no_update", "audit_log_no_delete", "chronology_no_update",
                "chronology_no_delete", "evidence_hash_fixed"} <= triggers
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back_gives_the_same_schema(tmp_path: Path) -> None:
    engine = new_database(tmp_path / "db.db", new_key())
    try:
        at_head = _schema(engine)
        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        left = {row[1] for row in _schema(engine) if not row[1].startswith("sqlite_")}
        assert left == {"alembic_version"}
        migrate.upgrade(engine)
        assert _schema(engine) == at_head
    finally:
        engine.dispose()


def test_each_step_down_and_up_again(tmp_path: Path) -> None:
    engine = new_database(tmp_path / "db.db", new_key())
    try:
        at_head = _schema(engine)
        migrate.downgrade(engine, "-1")
        assert migrate.current_revision(engine) != migrate.head_revision()
        assert migrate.needs_upgrade(engine)
        migrate.upgrade(engine)
        assert _schema(engine) == at_head
    finally:
        engine.dispose()


def test_newer_schema_is_refused_and_the_file_left_alone(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    info.book.cases.create("Kept safe", "other")
    info.book.lock()
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    conn = connect_keyed(info.database, key)
    try:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    finally:
        conn.close()
    assert sidecars(info.database) == set()
    digest = sha256_file(info.database)

    with pytest.raises(NewerVersionError) as caught:
        Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    assert "newer version" in str(caught.value) and "not been changed" in str(caught.value)
    assert sha256_file(info.database) == digest
    assert sidecars(info.database) == set()
    assert not info.book.paths.backups.exists()

    engine = open_engine(info.database, key)
    try:
        with pytest.raises(NewerVersionError):
            migrate.upgrade(engine)
    finally:
        engine.dispose()
    assert sha256_file(info.database) == digest


def _older_revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate._config())
    return [r.revision for r in script.walk_revisions() if r.revision != script.get_current_head()]


def _open_older(info, target: str = "-1") -> tuple[bytes, Path]:  # type: ignore[no-untyped-def]
    """Step the locked casebook's schema back to ``target``; reopen it; return key and backup."""
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    engine = open_engine(info.database, key)
    try:
        migrate.downgrade(engine, target)
        older = migrate.current_revision(engine)
    finally:
        engine.dispose()
    assert older is not None and older != migrate.head_revision()
    assert not info.book.paths.backups.exists()

    info.book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    backups = sorted(p for p in info.book.paths.backups.iterdir() if p.suffix == ".db")
    assert len(backups) == 1
    assert backups[0].name.startswith(f"before-upgrade-{older}-")
    assert backups[0].with_name(backups[0].name + ".keys").is_file()  # its key file too
    return key, backups[0]


def test_older_schema_is_backed_up_before_it_is_upgraded(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    info.book.cases.create("Written by the older version", "harassment")
    info.book.lock()
    key, backup = _open_older(info)

    assert migrate.current_revision(info.book.store.engine) == migrate.head_revision()
    assert [c.title for c in info.book.cases.list_page()] == ["Written by the older version"]
    assert info.book.verify().ok

    assert backup.read_bytes()[:16] != b"SQLite format 3\x00"
    conn = connect_keyed(backup, key)
    try:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        titles = [r[0] for r in conn.execute("SELECT title FROM cases")]
    finally:
        conn.close()
    assert version != migrate.head_revision()
    assert titles == ["Written by the older version"]


@pytest.mark.parametrize("older", _older_revisions())
def test_upgraded_casebook_still_finds_what_was_written_before(new_casebook_info,  # type: ignore[no-untyped-def]
                                                               older: str) -> None:
    """Records already in a casebook must be searchable after an upgrade from any older schema
    (a migration that creates the search index has to fill it from the rows already there)."""
    info = new_casebook_info
    case = info.book.cases.create("Written by the older version", "harassment")
    info.book.cases.add_entry(case.id, "Quarrelsome comments under a school post")
    info.book.lock()
    _open_older(info, older)
    assert [c.id for c in info.book.cases.search("quarrelsome")] == [case.id]
    assert [c.id for c in info.book.cases.search("older")] == [case.id]


def test_upgrade_to_0012_refolds_what_was_indexed_before(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """A casebook indexed before 0012 finds "odegard" after the upgrade rebuilt the index."""
    info = new_casebook_info
    case = info.book.cases.create("Comments about a learner", "harassment")
    info.book.cases.add_person(case.id, "Sigrid Ødegård", "learner", "witness")
    info.book.lock()
    _open_older(info, "0011")
    assert [c.id for c in info.book.cases.search("odegard")] == [case.id]
    with info.book.store.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM cases ORDER BY updated_at DESC, id DESC LIMIT 100")))
    assert "ix_cases_updated_at" in plan and "TEMP B-TREE" not in plan


def test_upgrade_to_0016_adds_a_prefix_index_and_finds_the_same(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """The rebuilt index (one-letter prefix index, merged) finds what 0012's index found."""
    info = new_casebook_info
    cases = info.book.cases
    first = cases.create("Fake school logo", "impersonation", summary="Instagram page")
    cases.add_entry(first.id, "Løgo reported by a parent")
    second = cases.create("Group chat", "harassment", summary="Snapchat streaks")
    cases.add_person(second.id, "Sigrid Ødegård", "learner", "witness")
    searches = ["f", "fake school l", "l", "s", "o", "odegard", "ø", "instagram p", "-", "x"]
    at_head = {typed: [c.id for c in cases.search(typed)] for typed in searches}
    info.book.lock()
    _open_older(info, "0012")  # back to 0012's index, then upgraded again on opening
    assert {typed: [c.id for c in info.book.cases.search(typed)] for typed in searches} == at_head
    assert at_head["fake school l"] == [first.id] and len(at_head["s"]) == 2
    with info.book.store.engine.connect() as conn:
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'case_search'")).scalar()
        segments = conn.execute(text("SELECT count(DISTINCT segid) FROM case_search_idx")).scalar()
    assert "prefix = '1 2'" in sql  # 0018's, at the head
    assert segments == 1


def test_0017_indexes_serve_the_screens_counts(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """The dashboard and the tracker count from indexes alone (no reading every row)."""
    info = new_casebook_info
    queries = {
        "SELECT risk, count(id) FROM cases WHERE status IN ('open', 'monitoring') GROUP BY risk":
            "COVERING INDEX ix_cases_status_risk",
        "SELECT substr(opened_at, 1, 7), case_type, count(id) FROM cases "
        "WHERE opened_at >= '2026-01-01' GROUP BY 1, 2": "COVERING INDEX ix_cases_opened_type",
        "SELECT count(id) FROM platform_reports WHERE body IN ('platform')":
            "COVERING INDEX ix_platform_reports_body_status",
        "SELECT count(id) FROM platform_reports WHERE status = 'waiting'":
            "COVERING INDEX ix_platform_reports_status_made",
    }
    with info.book.store.engine.connect() as conn:
        for query, index in queries.items():
            plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + query)))
            assert index in plan, (query, plan)


#: Words for the generated casebook: many share their first two letters (pa-, sc-, lo-), some
#: carry accents or letters the index folds, handles join words with "_" and digits.
_WORDS = ["parent", "parents", "pastoral", "page", "past", "patel", "screenshot", "screenshots",
          "school", "scared", "logo", "location", "lounge", "fake", "family", "instagram",
          "snapchat", "account", "comments", "jamie", "jakub", "ødegård", "zoë", "café", "łukasz",
          "straße", "report", "reported", "removal", "AND", "OR", "NOT", "NEAR"]
_SEARCHES = ["pa", "screenshots pa", "fake school lo", "sc", "lo", "screenshots parent",
             "parent", "jamie_pa", "odegard", "zoe ca", "lukasz", "strasse", "j", "s", "ja",
             "AND", "OR pa", "NEAR(", '"pa', "pa*", "-pa", "(sc", "'", "nothing here", "pa pa"]


def _fill_generated(book: Casebook, cases: int = 60) -> None:
    """A small casebook of made-up text (seeded): titles, entries, people and handles."""
    rng = random.Random(20261129)

    def words(n: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(n))

    statuses = [CaseStatus.OPEN, CaseStatus.MONITORING, CaseStatus.CLOSED, CaseStatus.CLOSED]
    for n in range(cases):
        case = book.cases.create(words(3).capitalize(), "harassment", summary=words(8))
        for _ in range(rng.randint(0, 3)):
            book.cases.add_entry(case.id, words(rng.randint(3, 12)))
        if rng.random() < 0.5:
            book.cases.add_account(case.id, "Instagram",
                                   f"@{rng.choice(_WORDS)}_{rng.choice(_WORDS)}{n}",
                                   "harassing")
        status = statuses[n % len(statuses)]
        if status != CaseStatus.OPEN:
            book.cases.set_status(case.id, status, reason="Resolved with the family")


def _search_results(cases) -> dict[tuple[str, str, int], object]:  # type: ignore[no-untyped-def]
    """Every search as the list runs it: first page (short and long) with its counts, the next
    page, in the list's default order and two others."""
    filters = {"updated": CaseFilter(sort="updated", descending=True),
               "title": CaseFilter(sort="title", descending=False),
               "open": CaseFilter(sort="updated", statuses=(CaseStatus.OPEN,))}
    out: dict[tuple[str, str, int], object] = {}
    for typed in _SEARCHES:
        for name, flt in filters.items():
            flt = replace(flt, text=typed)
            for limit in (5, 100):
                page = cases.first_page(flt, limit)
                out[(typed, name, limit)] = ([c.id for c in page.rows], page.counts)
            out[(typed, name, 0)] = [c.id for c in cases.list_page(flt, 5, 5)]
    return out


def test_0018_two_letter_prefixes_find_and_count_exactly_what_0017_did(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """The same cases, in the same order, with the same counts, before and after the upgrade,
    for prefixes, accents, folded letters, operators and quotes typed by a user."""
    info = new_casebook_info
    _fill_generated(info.book)
    at_head = _search_results(info.book.cases)
    assert at_head[("screenshots pa", "updated", 100)][1].matching > 5  # not empty lists
    assert at_head[("pa", "updated", 100)][1].matching > 20
    store = info.book.store
    info.book.lock()
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    engine = open_engine(info.database, key)
    try:
        for revision in ("0017", migrate.head_revision()):
            if revision == "0017":
                migrate.downgrade(engine, "0017")
            else:
                migrate.upgrade(engine)
            with engine.connect() as conn:
                sql = conn.execute(text(
                    "SELECT sql FROM sqlite_master WHERE name = 'case_search'")).scalar()
            assert ("prefix = '1'" in sql) is (revision == "0017")
            cases = CaseService(Store(store.paths, engine, store.user))
            assert _search_results(cases) == at_head, revision
    finally:
        engine.dispose()
