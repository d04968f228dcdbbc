"""Tamper evidence against someone holding the data key.

Each test opens the real encrypted file with the data key through sqlcipher3, changes it as an
insider would (guard triggers dropped where they refuse), and checks that ``verify`` names
what was done. ``verify`` here is the read-only check the CLI runs.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from tamper_helpers import (
    Populated,
    execute,
    file_state,
    forge_entry,
    insider,
    populate,
    populated_casebook,
    rewrite_chain,
)

from casebook.services import integrity
from casebook.storage import chain


@pytest.fixture
def book(new_casebook_info) -> Populated:  # type: ignore[no-untyped-def]
    return populated_casebook(new_casebook_info)


def verify(p: Populated, printed: list[tuple[str, int, str]] | None = None,
           database: Path | None = None) -> integrity.VerifyReport:
    database = database or p.database
    return integrity.verify_casebook(database, p.key, database.parent / "backups", printed)


def audit_count(p: Populated) -> int:
    conn = insider(p.database, p.key)
    try:
        return conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()


def test_a_clean_casebook_verifies_and_every_kind_of_record_is_covered(book: Populated) -> None:
    report = verify(book)
    assert report.ok, report.problems
    assert report.file.rows_tracked and not report.notes
    conn = insider(book.database, book.key)
    try:
        last: dict[str, str | None] = {}
        for (row_hashes,) in conn.execute("SELECT row_hashes FROM audit_log ORDER BY seq"):
            last.update(json.loads(row_hashes or "{}"))
    finally:
        conn.close()
    recorded = set(last)
    assert {key.partition(":")[0] for key in recorded} == set(chain.AUDITED_TABLES)
    # Every row still there is checked (a purge and a removed family link deleted some).
    assert report.file.rows_checked == sum(1 for digest in last.values() if digest is not None)
    anchor = integrity.read_anchor(integrity.anchor_path(book.database))
    assert anchor is not None and anchor.state == integrity.CLOSED
    assert anchor.seq == report.file.last_seq and anchor.hash == report.file.last_hash


def test_each_write_records_the_hash_of_the_row_it_left(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook_info.book
    case = book.cases.create("Baiting", "baiting")
    book.cases.update_details(case.id, summary="Second version")
    with book.store.read() as s:
        conn = s.connection().connection.dbapi_connection
        last = json.loads(conn.execute("SELECT row_hashes FROM audit_log ORDER BY seq DESC "
                                       "LIMIT 1").fetchone()[0])
        assert last == {f"cases:{case.id}": chain.hash_live_row(conn, "cases", case.id)}


EDITS = {
    "case summary": ("UPDATE cases SET summary = 'Nothing happened' WHERE id = {case}",
                     "cases:{case}"),
    "case risk": ("UPDATE cases SET risk = 'low' WHERE id = {case}", "cases:{case}"),
    "chronology text": ("UPDATE chronology SET text = 'Nothing was reported' WHERE id = {entry2}",
                        "chronology:{entry2}"),
    "amendment text": ("UPDATE chronology SET amendment_reason = 'typo' WHERE id = {amendment}",
                       "chronology:{amendment}"),
    "person": ("UPDATE people SET year_group = 'Y9' WHERE id = {person}", "people:{person}"),
    "account": ("UPDATE social_accounts SET follower_count = 12 WHERE id = {account}",
                "social_accounts:{account}"),
    "decision": ("UPDATE decisions SET why = 'No reason' WHERE id = {decision}",
                 "decisions:{decision}"),
    "action": ("UPDATE actions SET done_at = NULL WHERE id = {action}", "actions:{action}"),
    "step answers": ("UPDATE case_steps SET data_json = '{{}}' WHERE case_id = {case} "
                     "AND step_key = 'gather-evidence'", "case_steps:1"),
    "evidence note": ("UPDATE evidence SET url = 'https://example.org' WHERE id = {note}",
                      "evidence:{note}"),
    "platform report": ("UPDATE platform_reports SET status = 'removed' WHERE id = {report}",
                        "platform_reports:{report}"),
    "official account": ("UPDATE official_accounts SET two_factor = 1 WHERE id = {official}",
                         "official_accounts:{official}"),
    "user role": ("UPDATE users SET role = 'viewer' WHERE id = 1", "users:1"),
    "school setting": ("UPDATE meta SET value = 'Elm School' WHERE key = 'school_name'",
                       "meta:school_name"),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_a_record_edited_in_place_is_named(book: Populated, what: str) -> None:
    statement, key = EDITS[what]
    execute(book.database, book.key, statement.format(**book.ids))
    report = verify(book)
    key = key.format(**book.ids)
    assert not report.ok
    assert report.file.changed_rows == [key]
    assert any(key in p and "changed since their last audited write" in p for p in report.problems)
    assert report.file.chain.ok  # the log itself is untouched: only the row hash tells


def test_a_checklist_answer_edited_in_place_is_named(book: Populated) -> None:
    execute(book.database, book.key, "UPDATE checklist_review_items SET notes = 'all fine' "
            "WHERE id = (SELECT min(id) FROM checklist_review_items)")
    changed = verify(book).file.changed_rows
    assert len(changed) == 1 and changed[0].startswith("checklist_review_items:")


@pytest.mark.parametrize("which", ["entry2", "amendment"])
def test_a_deleted_chronology_entry_or_amendment_is_named(book: Populated, which: str) -> None:
    execute(book.database, book.key, f"DELETE FROM chronology WHERE id = {book.ids[which]}")
    report = verify(book)
    assert not report.ok
    assert report.file.missing_rows == [f"chronology:{book.ids[which]}"]
    assert any("gone" in p for p in report.problems)


def test_evidence_bytes_changed_together_with_their_hash_are_named(book: Populated) -> None:
    import hashlib

    new = b"a different picture" * 100
    execute(book.database, book.key,
            ("DELETE FROM evidence_chunks WHERE evidence_id = ?", (book.ids["evidence"],)),
            ("INSERT INTO evidence_chunks (evidence_id, seq, data) VALUES (?, 0, ?)",
             (book.ids["evidence"], new)),
            ("UPDATE evidence SET sha256 = ?, size = ? WHERE id = ?",
             (hashlib.sha256(new).hexdigest(), len(new), book.ids["evidence"])))
    report = verify(book)
    assert report.file.evidence_bad == []  # the bytes match the forged hash...
    assert report.file.changed_rows == [f"evidence:{book.ids['evidence']}"]  # ...not the audit
    assert not report.ok


def test_a_record_added_without_an_audit_entry_is_named(book: Populated) -> None:
    execute(book.database, book.key,
            "INSERT INTO chronology (id, case_id, occurred_at, recorded_at, author, text) VALUES "
            "(99, 1, '2026-11-01 09:00:00.000000', '2026-11-01 09:00:00.000000', 'Alex Morgan', "
            "'Learner admitted it')")
    report = verify(book)
    assert report.file.unaudited_rows == ["chronology:99"]
    assert any("no audit entry" in p and "chronology:99" in p for p in report.problems)


def test_deleting_the_last_audit_entries_shows_as_a_cut_log(book: Populated) -> None:
    last = verify(book).file.last_seq
    execute(book.database, book.key, f"DELETE FROM audit_log WHERE seq > {last - 3}")
    report = verify(book)
    assert report.file.chain.ok  # what is left still chains
    assert any("cut short" in p and f"ends at entry {last - 3}" in p and str(last) in p
               for p in report.problems), report.problems


def test_dropping_the_trigger_and_deleting_the_whole_log_shows(book: Populated) -> None:
    execute(book.database, book.key, "DELETE FROM audit_log")
    report = verify(book)
    assert report.file.chain.entries == 0
    assert any("has been deleted" in p for p in report.problems), report.problems
    assert f"cases:{book.ids['case']}" in report.file.unaudited_rows


def test_a_forged_entry_with_a_correct_hash_shows_beyond_the_anchor(book: Populated) -> None:
    """Insert a chronology entry and an audit entry that covers it, both hashed correctly: the
    file is consistent with itself, but Casebook had closed the file at the anchor."""
    conn = insider(book.database, book.key)
    try:
        conn.execute("INSERT INTO chronology (id, case_id, occurred_at, recorded_at, author, "
                     "text) VALUES (99, 1, '2026-11-01 09:00:00.000000', "
                     "'2026-11-01 09:00:00.000000', 'Alex Morgan', 'Learner admitted it')")
        row = chain.hash_live_row(conn, "chronology", 99)
        conn.execute("DELETE FROM audit_pending")
        seq = forge_entry(conn, "chronology.add", {"chronology:99": row})
    finally:
        conn.close()
    report = verify(book)
    assert report.file.chain.ok and report.file.rows_ok
    assert any(f"entry {seq}" in p and "after Casebook closed the file" in p
               for p in report.problems), report.problems


def _rewrite_summary(book: Populated) -> None:
    """Edit a case summary and rewrite the whole chain and the anchor file to match."""
    conn = insider(book.database, book.key)
    try:
        conn.execute(f"UPDATE cases SET summary = 'Nothing' WHERE id = {book.ids['case']}")
        key = f"cases:{book.ids['case']}"
        seq, digest = rewrite_chain(conn, {key: chain.hash_live_row(conn, "cases",
                                                                   book.ids["case"])})
        conn.execute("DELETE FROM audit_pending")
    finally:
        conn.close()
    integrity.write_anchor(book.database, seq, digest, state=integrity.CLOSED,
                           at=__import__("datetime").datetime.now())


def test_a_rewritten_chain_and_anchor_file_is_caught_by_the_backups_anchor(
        book: Populated, tmp_path: Path) -> None:
    with book.open() as opened:
        backup = opened.backup(tmp_path / "casebook" / "backups" / "b1.db")
    assert integrity.read_anchor(integrity.anchor_path(backup)) is not None
    _rewrite_summary(book)
    report = verify(book)
    assert report.file.chain.ok and report.file.rows_ok  # consistent with itself
    assert any("rewritten" in p and "b1.db" in p for p in report.problems), report.problems


def test_a_rewritten_chain_is_caught_by_the_anchor_printed_on_an_export(
        book: Populated, tmp_path: Path) -> None:
    with book.open() as opened:
        line = opened.store.printed_anchor()
        opened.exports.export_case(book.ids["case"], "chronology", tmp_path / "c.pdf")
    _rewrite_summary(book)
    seq, prefix = integrity.parse_printed(line)
    report = verify(book, [("the export", seq, prefix)])
    assert any("rewritten" in p and "the export" in p for p in report.problems), report.problems


def test_not_detected_a_rewrite_of_chain_and_anchor_with_no_copy_elsewhere(
        book: Populated) -> None:
    """The limit the README states: with the key, the file and its anchor can be rewritten
    consistently; only an anchor kept elsewhere (a backup, an export) shows it."""
    _rewrite_summary(book)
    assert verify(book).ok


def test_an_edit_with_the_tracking_left_on_is_recorded_as_outside_casebook(
        book: Populated) -> None:
    execute(book.database, book.key,
            f"UPDATE cases SET title = 'Nothing to see' WHERE id = {book.ids['case']}")
    with book.open():  # the next write notices the change and logs it, rather than bless it
        pass
    report = verify(book)
    assert report.file.outside_changes and not report.ok
    assert any("changed outside Casebook" in p for p in report.problems)


def test_switching_the_tracking_off_is_named(book: Populated) -> None:
    execute(book.database, book.key, "DROP TRIGGER cases_audit_upd")
    report = verify(book)
    assert report.file.missing_triggers == ["cases_audit_upd"] and not report.ok


def test_a_missing_anchor_file_is_a_finding(book: Populated) -> None:
    integrity.anchor_path(book.database).unlink()
    report = verify(book)
    assert any("anchor file is missing" in p for p in report.problems)


def test_backups_and_lock_write_the_anchor(book: Populated, tmp_path: Path) -> None:
    with book.open() as opened:
        backup = opened.backup(tmp_path / "b.db")
        at_backup = opened.audit_anchor()
    saved = integrity.read_anchor(integrity.anchor_path(backup))
    assert saved is not None and saved.state == integrity.BACKUP
    assert saved.seq == at_backup.seq - 1  # the backup entry itself is written afterwards
    live = integrity.read_anchor(integrity.anchor_path(book.database))
    assert live is not None and live.state == integrity.CLOSED and live.seq > at_backup.seq


# ----- verify never writes, and reads what is only in the WAL ---------------------------------
def test_verify_writes_nothing_and_reads_records_only_in_the_wal(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    from service_helpers import data_key

    info = new_casebook_info
    case = info.book.cases.create("Only in the WAL", "other", summary="first")
    key = data_key(info.slots, info.passphrase)
    wal = info.database.with_name("casebook.db-wal")
    assert wal.stat().st_size > 0  # the app holds its connections: the records are in the WAL
    execute(info.database, key, f"UPDATE cases SET summary = 'edited' WHERE id = {case.id}")
    before = file_state(info.database), file_state(wal)
    report = integrity.verify_casebook(info.database, key)
    assert report.file.changed_rows == [f"cases:{case.id}"]
    assert (file_state(info.database), file_state(wal)) == before


def _crash_copy(info, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The casebook's files as a crash would leave them (the app still has it open)."""
    target = tmp_path / "crashed"
    target.mkdir()
    for name in ("casebook.db", "casebook.db-wal", "casebook.db.anchor", "casebook.keys"):
        shutil.copy2(info.data_dir / name, target / name)
    return target / "casebook.db"


def _acknowledged(info) -> None:  # type: ignore[no-untyped-def]
    case = info.book.cases.create("Acknowledged", "other")
    for n in range(6):
        info.book.cases.add_entry(case.id, f"Entry {n}")


def test_a_deleted_wal_that_loses_acknowledged_records_is_caught(new_casebook_info,
                                                                 tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from service_helpers import data_key

    info = new_casebook_info
    _acknowledged(info)
    database = _crash_copy(info, tmp_path)
    key = data_key(info.slots, info.passphrase)
    assert integrity.verify_casebook(database, key).ok
    database.with_name("casebook.db-wal").unlink()
    report = integrity.verify_casebook(database, key)
    assert any("cut short" in p and "-wal" in p for p in report.problems), report.problems


def test_a_wal_with_one_bad_byte_that_loses_records_is_caught(new_casebook_info,
                                                              tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from service_helpers import data_key

    info = new_casebook_info
    _acknowledged(info)
    database = _crash_copy(info, tmp_path)
    key = data_key(info.slots, info.passphrase)
    wal = database.with_name("casebook.db-wal")
    data = bytearray(wal.read_bytes())
    data[len(data) // 3] ^= 0x01
    wal.write_bytes(bytes(data))
    report = integrity.verify_casebook(database, key)
    assert not report.ok
    assert any("cut short" in p for p in report.problems), report.problems


def test_not_detected_an_untracked_edit_that_casebook_later_rewrites(book: Populated) -> None:
    """The second limit the README states: with the tracking triggers dropped, an edit that a
    later audited write to the same record covers is recorded as that record's new state."""
    execute(book.database, book.key, "DROP TRIGGER cases_audit_upd",
            f"UPDATE cases SET summary = 'Nothing' WHERE id = {book.ids['case']}")
    assert verify(book).file.changed_rows == [f"cases:{book.ids['case']}"]
    execute(book.database, book.key, chain.tracking_triggers("cases")[1])  # put it back
    with book.open() as opened:
        opened.cases.set_status(book.ids["case"], "monitoring")
    assert verify(book).ok


def test_every_page_of_an_export_carries_the_anchor(book: Populated, tmp_path: Path) -> None:
    import subprocess

    with book.open() as opened:
        line = opened.store.printed_anchor()
        opened.exports.export_case(book.ids["case"], "case-file", tmp_path / "c.pdf")
        opened.exports.export_governors(__import__("datetime").date(2026, 1, 1),
                                        __import__("datetime").date(2026, 12, 31), "2026",
                                        tmp_path / "g.pdf")
        opened.checklist.export_pdf(book.ids["review"], tmp_path / "r.pdf")
    for pdf in ("c.pdf", "g.pdf", "r.pdf"):
        pages = subprocess.run(["pdftotext", "-layout", str(tmp_path / pdf), "-"],
                               capture_output=True, text=True, check=True).stdout.split("\f")
        pages = [p for p in pages if p.strip()]
        assert pages and all(re.search(r"Audit \d+ · [0-9a-f]{4} [0-9a-f]{4}", p) for p in pages)
        if pdf == "c.pdf":
            assert all(line in p for p in pages)
    seq, prefix = integrity.parse_printed(line)
    assert verify(book, [("the export", seq, prefix)]).ok


def test_opening_a_cut_log_records_it_before_the_anchor_file_moves_on(book: Populated) -> None:
    last = verify(book).file.last_seq
    execute(book.database, book.key, f"DELETE FROM audit_log WHERE seq > {last - 2}")
    with book.open() as opened:
        opened.cases.add_entry(book.ids["case"], "A new day")
    report = verify(book)
    assert report.file.chain.ok
    assert report.file.anchor_mismatches and f"the log ends at {last - 2}" in \
        report.file.anchor_mismatches[0][1]
    assert any("did not match the anchor" in p for p in report.problems), report.problems


def test_opening_a_log_extended_after_close_records_it(book: Populated) -> None:
    conn = insider(book.database, book.key)
    try:
        forge_entry(conn, "casebook.lock", {})
    finally:
        conn.close()
    with book.open():
        pass
    report = verify(book)
    assert [d for _, d in report.file.anchor_mismatches] == [
        report.file.anchor_mismatches[0][1]] and "not written by Casebook" in \
        report.file.anchor_mismatches[0][1]
    assert not report.ok


def test_reopening_a_cleanly_closed_casebook_records_no_mismatch(book: Populated) -> None:
    for _ in range(2):
        with book.open() as opened:
            opened.cases.add_entry(book.ids["case"], "Another entry")
    report = verify(book)
    assert report.ok and not report.file.anchor_mismatches


def test_after_a_restore_the_backups_made_before_it_are_noted_not_failed(book: Populated) -> None:
    from casebook.services import restore

    backups = book.data_dir / "backups"
    with book.open() as opened:
        first = opened.backup(backups / "b1.db")
        opened.cases.add_entry(book.ids["case"], "After the first backup")
        opened.backup(backups / "b2.db")
    restore(book.data_dir, first, book.passphrase)
    report = verify(book)
    assert report.ok, report.problems
    assert [n for n in report.notes if "before the last restore" in n] == [
        next(n for n in report.notes if "b2.db" in n)]  # b1 is part of the restored history
    with book.open() as opened:
        opened.backup(backups / "b3.db")  # a backup after the restore is compared as usual
    _rewrite_summary(book)
    report = verify(book)
    assert any("rewritten" in p and "b3.db" in p for p in report.problems), report.problems


def test_revoking_a_user_rekeys_and_the_record_still_verifies(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """The rekey re-encrypts every page but changes no row, so row hashes, the chain and the
    anchor all still hold under the new key."""
    from service_helpers import OTHER_PASSPHRASE, data_key

    info = new_casebook_info
    populate(info.book)
    deputy = info.book.users.add("Sam Deputy", "deputy", OTHER_PASSPHRASE)
    info.book.users.revoke(deputy.id)
    info.book.lock()
    key = data_key(info.slots, info.passphrase)
    report = integrity.verify_casebook(info.database, key)
    assert report.ok, report.problems
    assert f"users:{deputy.id}" not in report.file.changed_rows
