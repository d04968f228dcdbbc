"""Migration 0003 (prevention tables): upgrade and downgrade round trip on an encrypted file."""

from __future__ import annotations

from datetime import date

from prevention_helpers import World
from sqlalchemy import inspect, text

from casebook.services.official_accounts import OfficialAccountsService
from casebook.storage import migrate

TABLES = {"checklist_reviews", "checklist_review_items", "official_accounts"}


def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return set(inspect(engine).get_table_names())


def test_upgrade_downgrade_round_trip(world: World) -> None:
    engine = world.book.store.engine
    assert engine is not None
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _tables(engine) >= TABLES
    indexes = {i["name"] for i in inspect(engine).get_indexes("checklist_review_items")}
    assert "ix_checklist_review_items_next_review" in indexes

    # Some data in an older table survives the round trip; the new tables go and come back.
    case = world.book.cases.create("Fake account", "impersonation")
    OfficialAccountsService(world.book.store).add("Instagram", "@oakfield")
    world.checklist().current_review()

    migrate.downgrade(engine, "0002")
    engine.dispose()
    assert migrate.current_revision(engine) == "0002"
    assert not (TABLES & _tables(engine))
    assert world.book.cases.get(case.id).title == "Fake account"

    assert migrate.upgrade(engine) is True
    engine.dispose()
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _tables(engine) >= TABLES
    accounts = OfficialAccountsService(world.book.store)
    assert accounts.list() == []  # tables are new and empty
    added = accounts.add("TikTok", "@oakfield", last_checked=date(2026, 10, 1))
    assert accounts.get(added.id).platform == "TikTok"
    review = world.checklist().current_review()
    assert len(world.checklist().items(review.id)) == 6
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
