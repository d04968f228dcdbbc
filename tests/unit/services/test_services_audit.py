"""The audit log is append-only (triggers) and hash-chained (changes below the triggers are found
at the row where they were made)."""

from __future__ import annotations

import pytest
import sqlcipher3
from service_helpers import data_key, raw_connection
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from casebook.services import audit

# The engine should wrap driver errors as SQLAlchemy's DBAPIError; either way the trigger's
# message must come through (wrapping is tested in tests/unit/storage).
REFUSED = (DBAPIError, sqlcipher3.DatabaseError)
COLUMNS = ("at", "actor", "action", "target", "detail", "prev_hash", "hash")


@pytest.fixture
def logged(new_casebook_info):  # type: ignore[no-untyped-def]
    """A casebook with a dozen audit entries, and its data key."""
    book = new_casebook_info.book
    case = book.cases.create("Baiting account", "baiting")
    for n in range(8):
        book.cases.add_entry(case.id, f"Entry {n}")
    book.settings.set("idle_lock_minutes", "10")
    with book.store.read() as s:
        report = audit.verify_chain(s)
    assert report.ok and report.entries >= 10
    return new_casebook_info, data_key(new_casebook_info.slots, new_casebook_info.passphrase)


def _chain(book) -> audit.ChainReport:  # type: ignore[no-untyped-def]
    with book.store.read() as s:
        return audit.verify_chain(s)


def _drop_guards(conn) -> None:  # type: ignore[no-untyped-def]
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET detail = 'edited' WHERE seq = 3",
    "UPDATE audit_log SET actor = 'someone else'",
    "DELETE FROM audit_log WHERE seq = 3",
    "DELETE FROM audit_log",
])
def test_triggers_refuse_changes(logged, statement: str) -> None:  # type: ignore[no-untyped-def]
    info, _ = logged
    with pytest.raises(REFUSED, match="append-only"), info.book.store.read() as s:
        s.execute(text(statement))
        s.commit()
    assert _chain(info.book).ok


def test_triggers_refuse_changes_on_a_raw_connection(logged) -> None:  # type: ignore[no-untyped-def]
    info, key = logged
    with raw_connection(info.database, key) as conn, pytest.raises(sqlcipher3.DatabaseError,
                                                                  match="append-only"):
        conn.execute("UPDATE audit_log SET detail = 'edited' WHERE seq = 2")


def test_edited_row_is_reported_at_that_row(logged) -> None:  # type: ignore[no-untyped-def]
    info, key = logged
    with raw_connection(info.database, key) as conn:
        _drop_guards(conn)
        conn.execute("UPDATE audit_log SET detail = 'innocent' WHERE seq = 5")
    report = _chain(info.book)
    assert report.first_broken_seq == 5
    assert "changed" in report.problem
    verify = info.book.verify()
    assert not verify.ok and verify.chain.first_broken_seq == 5


def test_edited_time_is_reported_at_that_row(logged) -> None:  # type: ignore[no-untyped-def]
    info, key = logged
    with raw_connection(info.database, key) as conn:
        _drop_guards(conn)
        conn.execute("UPDATE audit_log SET at = '2020-01-01 09:00:00.000000' WHERE seq = 4")
    assert _chain(info.book).first_broken_seq == 4


def test_deleted_row_is_reported_at_the_next_row(logged) -> None:  # type: ignore[no-untyped-def]
    info, key = logged
    with raw_connection(info.database, key) as conn:
        _drop_guards(conn)
        conn.execute("DELETE FROM audit_log WHERE seq = 6")
    report = _chain(info.book)
    assert report.first_broken_seq == 7
    assert "6" in report.problem and "missing" in report.problem


def test_deleted_and_renumbered_rows_are_reported(logged) -> None:  # type: ignore[no-untyped-def]
    """Deleting a row and closing the gap breaks the link at the row that moved up."""
    info, key = logged
    with raw_connection(info.database, key) as conn:
        _drop_guards(conn)
        conn.execute("DELETE FROM audit_log WHERE seq = 6")
        last = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        for seq in range(7, last + 1):
            conn.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (seq - 1, seq))
    assert _chain(info.book).first_broken_seq == 6


def test_swapped_rows_are_reported_at_the_first_of_them(logged) -> None:  # type: ignore[no-untyped-def]
    info, key = logged
    cols = ", ".join(COLUMNS)
    with raw_connection(info.database, key) as conn:
        _drop_guards(conn)
        row3 = conn.execute(f"SELECT {cols} FROM audit_log WHERE seq = 3").fetchone()
        row8 = conn.execute(f"SELECT {cols} FROM audit_log WHERE seq = 8").fetchone()
        assignments = ", ".join(f"{c} = ?" for c in COLUMNS)
        conn.execute(f"UPDATE audit_log SET {assignments} WHERE seq = 3", (*row8,))
        conn.execute(f"UPDATE audit_log SET {assignments} WHERE seq = 8", (*row3,))
    assert _chain(info.book).first_broken_seq == 3


def test_chain_survives_lock_and_reopen(logged) -> None:  # type: ignore[no-untyped-def]
    from casebook.services import Casebook

    info, _ = logged
    info.book.lock()
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as again:
        report = _chain(again)
        assert report.ok
        with again.store.read() as s:
            actions = [e.action for e in audit.recent(s, limit=3)]
    assert actions[0] == "casebook.unlock"
    assert "casebook.lock" in actions
