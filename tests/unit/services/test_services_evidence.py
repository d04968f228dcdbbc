"""Evidence files: streamed in, hashed on arrival, refused when they must not be kept."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from service_helpers import data_key, raw_connection
from sqlalchemy import func, select

from casebook.domain import EvidenceKind
from casebook.errors import EvidenceRefusedError, ValidationError
from casebook.services.evidence import CHUNK_SIZE
from casebook.storage import tables as t


@pytest.fixture
def case_id(new_casebook) -> int:  # type: ignore[no-untyped-def]
    return new_casebook.cases.create("Fake account", "impersonation").id


def _stored(book) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(evidence rows, chunk rows) in the database."""
    with book.store.read() as s:
        return (s.scalar(select(func.count()).select_from(t.EvidenceRow)),
                s.scalar(select(func.count()).select_from(t.EvidenceChunkRow)))


def _audit_actions(book) -> list[str]:  # type: ignore[no-untyped-def]
    with book.store.read() as s:
        return list(s.scalars(select(t.AuditRow.action).order_by(t.AuditRow.seq)))


def test_streamed_hash_matches_the_file(new_casebook, case_id: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "screen recording.mp4"
    data = b"\x00\x00\x00\x18ftypmp42" + os.urandom(2 * CHUNK_SIZE + 12345)
    path.write_bytes(data)
    seen: list[tuple[int, int]] = []
    item = new_casebook.evidence.add_file(case_id, path, source="Sent by a parent",
                                          safety_confirmed=True,
                                          progress=lambda done, total: seen.append((done, total)))
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.size == len(data)
    assert item.kind == EvidenceKind.FILE and item.filename == "screen recording.mp4"
    assert item.media_type == "video/mp4"
    assert seen[-1] == (len(data), len(data)) and len(seen) == 3
    assert _stored(new_casebook) == (1, 3)
    assert b"".join(new_casebook.evidence.chunks(item.id)) == data
    assert new_casebook.evidence.read_bytes(item.id) == data
    assert new_casebook.evidence.read_bytes(item.id, limit=100) is None
    copy = new_casebook.evidence.save_copy(item.id, tmp_path / "copy.mp4")
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == item.sha256
    with new_casebook.store.read() as s:
        detail = s.scalar(select(t.AuditRow.detail).where(t.AuditRow.action == "evidence.add"))
    assert item.sha256 in detail


def test_too_large_is_refused_and_nothing_stored(new_casebook, case_id: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new_casebook.evidence.max_bytes = 1024
    path = tmp_path / "big.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    before = _audit_actions(new_casebook)
    with pytest.raises(EvidenceRefusedError) as caught:
        new_casebook.evidence.add_file(case_id, path, safety_confirmed=True)
    assert "big.png" in str(caught.value) and "larger than 1.0 KB" in str(caught.value)
    # A stream that grows past the limit (no size known up front) is refused part-way through.
    with pytest.raises(EvidenceRefusedError, match="larger than"):
        new_casebook.evidence.add_bytes(case_id, os.urandom(5000), filename="paste.png",
                                        safety_confirmed=True)
    assert _stored(new_casebook) == (0, 0)
    assert _audit_actions(new_casebook) == before


def test_exactly_the_limit_is_accepted(new_casebook, case_id: int) -> None:  # type: ignore[no-untyped-def]
    new_casebook.evidence.max_bytes = 1024
    item = new_casebook.evidence.add_bytes(case_id, os.urandom(1024), filename="ok.bin",
                                           safety_confirmed=True)
    assert item.size == 1024


def test_without_the_safety_confirmation_nothing_is_stored(new_casebook, case_id: int,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff" + os.urandom(500))
    before = _audit_actions(new_casebook)
    with pytest.raises(EvidenceRefusedError) as caught:
        new_casebook.evidence.add_file(case_id, path, safety_confirmed=False)
    assert "Nothing was stored" in str(caught.value)
    with pytest.raises(EvidenceRefusedError, match="Nothing was stored"):
        new_casebook.evidence.add_bytes(case_id, path.read_bytes(), filename="photo.jpg",
                                        safety_confirmed=False)
    assert _stored(new_casebook) == (0, 0)
    assert _audit_actions(new_casebook) == before


def test_empty_or_missing_files_are_refused(new_casebook, case_id: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        new_casebook.evidence.add_file(case_id, empty, safety_confirmed=True)
    with pytest.raises(ValidationError):
        new_casebook.evidence.add_file(case_id, tmp_path / "missing.txt", safety_confirmed=True)
    assert _stored(new_casebook) == (0, 0)


def test_note_without_a_file(new_casebook, case_id: int) -> None:  # type: ignore[no-untyped-def]
    note = new_casebook.evidence.add_note(case_id, "Image seen on a phone; not kept",
                                          url="instagram.com/p/abc")
    assert note.kind == EvidenceKind.NOTE and note.sha256 is None
    assert note.url is not None and note.url.startswith("https://")
    assert new_casebook.evidence.verify_hashes() == []


def test_verify_hashes_finds_a_changed_chunk(new_casebook_info, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook_info.book
    case_id = book.cases.create("Video", "video").id
    items = [book.evidence.add_bytes(case_id, os.urandom(CHUNK_SIZE + 1000 * n),
                                     filename=f"clip{n}.bin", safety_confirmed=True)
             for n in (1, 2, 3)]
    assert all(check.ok for check in book.evidence.verify_hashes())

    key = data_key(new_casebook_info.slots, new_casebook_info.passphrase)
    with raw_connection(new_casebook_info.database, key) as conn:
        # A trigger refuses the change; tampering below it is caught by the hash.
        with pytest.raises(Exception, match="cannot be changed"):
            conn.execute("UPDATE evidence_chunks SET data = ? WHERE evidence_id = ?",
                         (b"x", items[0].id))
        conn.execute("DROP TRIGGER evidence_chunks_no_update")
        conn.execute("UPDATE evidence_chunks SET data = ? WHERE evidence_id = ? AND seq = 1",
                     (os.urandom(2000), items[1].id))
    checks = {c.evidence_id: c for c in book.evidence.verify_hashes()}
    assert [i for i, c in checks.items() if not c.ok] == [items[1].id]
    assert checks[items[1].id].expected == items[1].sha256
    report = book.verify()
    assert not report.ok and [h.evidence_id for h in report.bad_hashes] == [items[1].id]


def test_a_recorded_hash_cannot_be_changed(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook_info.book
    case_id = book.cases.create("Video", "video").id
    item = book.evidence.add_bytes(case_id, b"some bytes", filename="a.txt",
                                   safety_confirmed=True)
    key = data_key(new_casebook_info.slots, new_casebook_info.passphrase)
    with raw_connection(new_casebook_info.database, key) as conn, \
            pytest.raises(Exception, match="hash cannot change"):
        conn.execute("UPDATE evidence SET sha256 = ? WHERE id = ?", ("0" * 64, item.id))
    assert book.evidence.get(item.id).sha256 == item.sha256


def test_an_evidence_item_cannot_be_deleted(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook_info.book
    case_id = book.cases.create("Screenshot", "other").id
    item = book.evidence.add_bytes(case_id, b"kept for good", filename="a.txt",
                                   safety_confirmed=True)
    key = data_key(new_casebook_info.slots, new_casebook_info.passphrase)
    with raw_connection(new_casebook_info.database, key) as conn:
        for sql in ("DELETE FROM evidence WHERE id = ?", "DELETE FROM evidence_chunks WHERE evidence_id = ?"):
            with pytest.raises(Exception, match="cannot be"):
                conn.execute(sql, (item.id,))
    assert [i.id for i in book.evidence.items(case_id)] == [item.id]
    assert b"".join(book.evidence.chunks(item.id)) == b"kept for good"
