"""Row hashes: the canonical form, and a casebook made at schema 0005 upgraded to 0010."""

from __future__ import annotations

from datetime import datetime

import pytest
from tamper_helpers import Populated, execute, insider, populated_casebook

from casebook.services import integrity
from casebook.storage import chain, migrate
from casebook.storage.engine import open_engine


def test_canonical_form_is_stable_typed_and_leaves_out_nulls() -> None:
    a = chain.canonical_row("cases", 1, ["title", "id", "closed_at"], ["X", 1, None])
    b = chain.canonical_row("cases", 1, ["id", "closed_at", "title", "url"], [1, None, "X", ""])
    assert a == b == '{"key":1,"table":"cases","values":{"id":1,"title":"X"}}'
    assert chain.row_hash("t", 1, ["n"], [1]) != chain.row_hash("t", 1, ["n"], ["1"])
    assert chain.row_hash("t", 1, ["n"], [b"\x01"]) == chain.row_hash("t", 1, ["n"], [b"\x01"])
    assert chain.row_hash("cases", 1, ["id"], [1]) != chain.row_hash("cases", 2, ["id"], [1])


def _as_written_by_0005(p: Populated) -> None:
    """Turn the file into what the 0005 app wrote: no row hashes, no tracking, a v1 chain."""
    engine = open_engine(p.database, p.key)
    try:
        migrate.downgrade(engine, "0005")
    finally:
        engine.dispose()
    conn = insider(p.database, p.key)
    try:
        conn.execute("ALTER TABLE audit_log DROP COLUMN row_hashes")
        prev = chain.GENESIS_HASH
        rows = conn.execute("SELECT seq, at, actor, action, target, detail FROM audit_log "
                            "ORDER BY seq").fetchall()
        for seq, at, actor, action, target, detail in rows:
            digest = chain.entry_hash(prev, seq, datetime.fromisoformat(at), actor, action,
                                      target, detail)
            conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                         (prev, digest, seq))
            prev = digest
        conn.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                     "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
        conn.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                     "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    finally:
        conn.close()
    integrity.anchor_path(p.database).unlink()


@pytest.fixture
def upgraded(new_casebook_info) -> Populated:  # type: ignore[no-untyped-def]
    p = populated_casebook(new_casebook_info)
    _as_written_by_0005(p)
    report = integrity.verify_casebook(p.database, p.key)
    assert not report.file.rows_tracked and report.file.chain.ok  # a genuine 0005 file
    with p.open() as book:
        assert migrate.current_revision(book.store.engine) == migrate.head_revision()  # 0010 or later
    return p


def test_an_upgraded_casebook_gets_a_baseline_and_verifies_clean(upgraded: Populated) -> None:
    report = integrity.verify_casebook(upgraded.database, upgraded.key)
    assert report.ok, report.problems
    assert report.file.rows_checked > 40
    conn = insider(upgraded.database, upgraded.key)
    try:
        baseline = conn.execute("SELECT detail FROM audit_log WHERE action = ?",
                                (chain.BASELINE,)).fetchall()
    finally:
        conn.close()
    assert baseline == [("hashes first recorded at upgrade",)]
    assert any("upgrade" in note for note in report.notes)


def test_rows_a_later_migration_rewrites_are_baselined_not_flagged(upgraded: Populated) -> None:
    """What Casebook._open does after any upgrade: rows changed by migration SQL (noted by the
    tracking triggers) are recorded, and a new column with an empty default changes nothing."""
    conn = insider(upgraded.database, upgraded.key)
    try:  # as a future migration might
        conn.execute("ALTER TABLE people ADD COLUMN upn TEXT NOT NULL DEFAULT ''")
        conn.execute("UPDATE cases SET title = upper(title)")
    finally:
        conn.close()
    engine = open_engine(upgraded.database, upgraded.key)
    try:
        integrity.record_upgrade(engine)
    finally:
        engine.dispose()
    report = integrity.verify_casebook(upgraded.database, upgraded.key)
    assert report.ok, report.problems
    with upgraded.open():  # and the anchor check at the next open is not fooled into alarm
        pass
    assert integrity.verify_casebook(upgraded.database, upgraded.key).ok


def test_after_the_upgrade_an_edit_is_named(upgraded: Populated) -> None:
    execute(upgraded.database, upgraded.key,
            f"UPDATE chronology SET text = 'edited' WHERE id = {upgraded.ids['entry']}")
    report = integrity.verify_casebook(upgraded.database, upgraded.key)
    assert report.file.changed_rows == [f"chronology:{upgraded.ids['entry']}"]
