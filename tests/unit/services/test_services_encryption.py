"""Nothing written into a case reaches the disk (or the logs) in plaintext, and the raw data key
opens the file with plain SQLCipher."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest
import sqlcipher3
from service_helpers import data_key

from casebook.domain import PersonKind, PersonRole
from casebook.storage.engine import SQLITE_PLAIN_HEADER


def _markers() -> dict[str, str]:
    tag = secrets.token_hex(6).upper()
    return {where: f"Zq{where.upper()}{tag}" for where in
            ("title", "summary", "chronology", "person", "evidence", "decision", "handle")}


def _leaks(directory: Path, markers: dict[str, str]) -> list[tuple[str, str]]:
    """(file, marker) pairs where a marker appears in the bytes of any file under ``directory``.
    Looks for the text as written and lower-cased (the search index lower-cases words)."""
    found = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for where, marker in markers.items():
            for form in (marker, marker.lower()):
                if form.encode("utf-8") in data or form.encode("utf-16-le") in data:
                    found.append((path.name, where))
    return found


def _fill(book, markers: dict[str, str], tmp_path: Path) -> int:  # type: ignore[no-untyped-def]
    case = book.cases.create(f"Fake account {markers['title']}", "impersonation",
                             summary=f"Reported by a parent. {markers['summary']}")
    book.cases.add_entry(case.id, f"Screenshots received {markers['chronology']}")
    book.cases.add_person(case.id, f"Jamie {markers['person']}", PersonKind.LEARNER,
                          PersonRole.HARMED)
    book.cases.add_decision(case.id, f"Report it {markers['decision']}", "Breaks the rules")
    book.cases.add_account(case.id, "Instagram", f"@{markers['handle']}", "impersonating-school")
    evidence = tmp_path / "screenshot.txt"
    evidence.write_bytes(secrets.token_bytes(3000) + markers["evidence"].encode()
                         + secrets.token_bytes(3000))
    book.evidence.add_file(case.id, evidence, safety_confirmed=True)
    evidence.unlink()  # the original lives outside the data folder; only the copy matters
    return case.id


def test_no_plaintext_on_disk_while_open_and_after_lock(new_casebook_info, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    info = new_casebook_info
    markers = _markers()
    _fill(info.book, markers, tmp_path)

    wal = info.database.with_name(info.database.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the WAL should hold the new records"
    assert _leaks(info.data_dir, markers) == []
    for path in (info.database, wal, info.slots):
        data = path.read_bytes()
        assert SQLITE_PLAIN_HEADER not in data[:100]
        for marker in markers.values():
            assert marker.encode() not in data

    info.book.backup()
    info.book.lock()
    assert not wal.exists()
    assert info.database.read_bytes()[:16] != SQLITE_PLAIN_HEADER
    assert _leaks(info.data_dir, markers) == []  # includes the backup in backups/

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for marker in markers.values():
        assert marker.lower() not in logged.lower()


def test_data_key_opens_the_file_with_plain_sqlcipher(new_casebook_info, tmp_path: Path) -> None:
    info = new_casebook_info
    markers = _markers()
    case_id = _fill(info.book, markers, tmp_path)
    info.book.lock()

    key = data_key(info.slots, info.passphrase)
    conn = sqlcipher3.connect(str(info.database))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA cipher_page_size = 65536")  # Casebook's page size (storage/engine)
        title = conn.execute("SELECT title FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
        entries = [r[0] for r in conn.execute("SELECT text FROM chronology")]
    finally:
        conn.close()
    assert markers["title"] in title
    assert any(markers["chronology"] in text for text in entries)


def test_a_different_key_reads_nothing(new_casebook_info) -> None:
    info = new_casebook_info
    info.book.lock()
    conn = sqlcipher3.connect(str(info.database))
    try:
        conn.execute(f"PRAGMA key = \"x'{secrets.token_bytes(32).hex()}'\"")
        with pytest.raises(sqlcipher3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()
