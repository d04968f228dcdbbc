"""Evidence files travel inside the transfer package (format 2): nothing readable in its
bytes, stored on receipt in the receiving casebook's evidence store with their hashes
checked, chosen per item, streamed, and any damage refuses the whole import."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import tracemalloc
from datetime import date, datetime
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ValidationError
from casebook.services import Casebook, transfer_package
from casebook.services.transfer_package import SEGMENT, TAG, PackageError

PASSWORD = "amber lantern quietly 58"
CHAT = b"%PDF-1.4 MEET ME BY THE BACK GATES AFTER SCHOOL " * 40
DATA = Path(__file__).parents[2] / "data"


@pytest.fixture
def sender(shared_case):  # type: ignore[no-untyped-def]
    book, zoe, _sam, shared = shared_case
    own = book.cases.create("Worried about messages", "harassment")
    book.people.link_to_case(own.id, zoe.id, "harmed")
    seen = book.cases.create("Fight filmed at the bus stop", "other")
    book.people.link_to_case(seen.id, zoe.id, "witness")
    ids = {
        "chat": book.evidence.add_stream(own.id, io.BytesIO(CHAT),
                                         filename="zoe-odegard-chat-export.pdf",
                                         description="What Zoë was sent").id,
        "note": book.evidence.add_note(shared.id, "Samir Haddad's post, since deleted",
                                       url="https://example.com/post/1").id,
        "page": book.evidence.add_stream(shared.id, io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"p" * 500),
                                         filename="baiting-page.png").id,
        "video": book.evidence.add_stream(seen.id, io.BytesIO(b"v" * 700),
                                          filename="bus-stop.mp4").id,
    }
    return book, zoe, ids


def _nothing_imported(book: Casebook) -> None:
    assert book.people.search() == [] and book.cases.list_page() == []
    assert book.transfers.list() == [] and book.evidence.verify_hashes() == []


def test_evidence_goes_inside_the_package_and_is_stored_on_receipt(sender, receiver,  # type: ignore[no-untyped-def]
                                                                   tmp_path: Path) -> None:
    book, zoe, ids = sender
    out = tmp_path / "zoe.cbx"
    sent = book.transfers.export(zoe.id, "Elm Academy", out, password=PASSWORD)
    # Default: every item of the cases where Zoë was harmed, not the one she only witnessed.
    assert (sent.files, sent.notes) == (2, 1)
    assert sent.file_bytes == len(CHAT) + 508 and sent.package_bytes == out.stat().st_size
    raw = out.read_bytes()
    for secret in ("Zoë", "Ødegård", "Samir", "zoe-odegard-chat-export", "baiting-page.png",
                   "MEET ME BY THE BACK GATES", "example.com"):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in raw, secret

    got = receiver.transfers.import_package(out, PASSWORD)
    assert (got.cases, got.files, got.notes) == (3, 2, 1)
    cases = {c.title.split(" (received")[0]: c for c in receiver.cases.list_page()}
    [chat] = receiver.evidence.items(cases["Worried about messages"].id)
    assert chat.filename == "zoe-odegard-chat-export.pdf" and chat.media_type == "application/pdf"
    assert receiver.evidence.read_bytes(chat.id) == CHAT
    assert chat.sha256 == hashlib.sha256(CHAT).hexdigest()
    assert chat.source.startswith("Received from Oakfield Primary School")
    shared = receiver.evidence.items(cases["Baiting page"].id)
    assert {e.kind.value for e in shared} == {"file", "note"}
    note = next(e for e in shared if e.kind.value == "note")
    assert "Samir" not in note.description and "Learner A" in note.description
    assert note.url == "https://example.com/post/1"
    assert receiver.evidence.items(cases["Fight filmed at the bus stop"].id) == []
    assert all(check.ok for check in receiver.evidence.verify_hashes())
    assert any(e.text.endswith("with 1 evidence file(s).")
               for e in receiver.cases.chronology(cases["Worried about messages"].id))
    assert receiver.verify().ok


def test_the_dsl_chooses_which_evidence_goes(sender, receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe, ids = sender
    choices = {c.id: c for c in book.transfers.evidence_choices(zoe.id)}
    assert set(choices) == set(ids.values())
    assert choices[ids["page"]].others and not choices[ids["chat"]].others
    assert [c.default for c in (choices[ids["chat"]], choices[ids["video"]])] == [True, False]
    assert choices[ids["video"]].role.value == "witness"

    none = book.transfers.export(zoe.id, "Elm", tmp_path / "none.cbx", password=PASSWORD,
                                 evidence="none")
    assert (none.files, none.notes) == (0, 0)
    picked = book.transfers.export(zoe.id, "Elm", tmp_path / "two.cbx", password=PASSWORD,
                                   evidence=f"{ids['video']}, {ids['note']}")
    assert (picked.files, picked.notes) == (1, 1)
    every = book.transfers.export(zoe.id, "Elm", tmp_path / "all.cbx", password=PASSWORD,
                                  evidence="all")
    assert (every.files, every.notes) == (3, 1)
    for bad, words in (("99999", "not on any of this learner's cases"),
                       ("some of them", "all, none, or the evidence numbers")):
        with pytest.raises(ValidationError, match=words):
            book.transfers.export(zoe.id, "Elm", tmp_path / "bad.cbx", password=PASSWORD,
                                  evidence=bad)
    assert not (tmp_path / "bad.cbx").exists() and len(book.transfers.list()) == 3

    got = receiver.transfers.import_package(tmp_path / "two.cbx", PASSWORD)
    assert (got.files, got.notes) == (1, 1)
    [video] = [e for c in receiver.cases.list_page() for e in receiver.evidence.items(c.id)
               if e.kind.value == "file"]
    assert receiver.evidence.read_bytes(video.id) == b"v" * 700


def _big_sender(book: Casebook, size: int) -> tuple[int, bytes]:
    learner = book.people.add("learner", "Ava", "Kowalczyk", date_of_birth=date(2013, 1, 2))
    case = book.cases.create("Fake account", "impersonation")
    book.people.link_to_case(case.id, learner.id, "harmed")
    blob = os.urandom(size)
    book.evidence.add_stream(case.id, io.BytesIO(blob), filename="screen-recording.mp4")
    return learner.id, blob


@pytest.mark.parametrize("damage", ["evidence-byte", "cut-at-segment", "drop-last-segment",
                                    "swap-segments"])
def test_damage_to_the_evidence_refuses_the_whole_import(new_casebook, receiver,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path, damage: str) -> None:
    person, _blob = _big_sender(new_casebook, 3 * SEGMENT + 1000)
    out = tmp_path / "ava.cbx"
    new_casebook.transfers.export(person, "Elm", out, password=PASSWORD)
    data = bytearray(out.read_bytes())
    header_end = 12 + int.from_bytes(data[8:12], "big")
    seg = SEGMENT + TAG
    if damage == "evidence-byte":  # in the evidence, well after the records were read
        data[header_end + 2 * seg + 5] ^= 0x40
    elif damage == "cut-at-segment":  # cut cleanly between segments: the last is missing
        data = data[:header_end + 3 * seg]
    elif damage == "drop-last-segment":
        data = data[:header_end + 3 * seg] + data[header_end + 4 * seg:]
    else:
        second = data[header_end + seg:header_end + 2 * seg]
        data[header_end + seg:header_end + 2 * seg] = data[header_end + 2 * seg:
                                                           header_end + 3 * seg]
        data[header_end + 2 * seg:header_end + 3 * seg] = second
    out.write_bytes(bytes(data))
    with pytest.raises((PackageError, ValidationError), match="changed|damaged|not a learner"):
        receiver.transfers.import_package(out, PASSWORD)
    _nothing_imported(receiver)


def test_an_evidence_file_that_does_not_match_its_hash_imports_nothing(receiver,  # type: ignore[no-untyped-def]
                                                                       tmp_path: Path) -> None:
    """Sealed with the right password, but the file is not the one the records describe."""
    records = {"format": "casebook-transfer-records", "version": 2, "reference": "T-X",
               "from_school": "Oak", "receipt_secret": "AAAA",
               "learner": {"forename": "Ann", "surname": "Lee"},
               "cases": [{"reference": "CB-1", "title": "x", "type": "other", "role": "harmed",
                          "entries": [], "open_actions": [],
                          "evidence": [{"kind": "file", "filename": "a.png", "size": 5,
                                        "sha256": hashlib.sha256(b"12345").hexdigest(),
                                        "blob": 0, "added_at": "2026-01-01T09:00:00"}]}]}
    bad = tmp_path / "bad.cbx"
    bad.write_bytes(transfer_package.seal(b"%PDF-1.7", records, PASSWORD, blobs=[b"54321"]))
    with pytest.raises(ValidationError, match="does not match the fingerprint"):
        receiver.transfers.import_package(bad, PASSWORD)
    _nothing_imported(receiver)
    good = tmp_path / "good.cbx"
    good.write_bytes(transfer_package.seal(b"%PDF-1.7", records, PASSWORD, blobs=[b"12345"]))
    assert receiver.transfers.import_package(good, PASSWORD).files == 1


def test_a_package_made_by_the_previous_format_still_imports(receiver) -> None:  # type: ignore[no-untyped-def]
    """tests/data/transfer-v1.cbx was written by the format-1 code (no evidence in it)."""
    got = receiver.transfers.import_package(DATA / "transfer-v1.cbx",
                                            "quiet harbour lantern 73")
    assert (got.reference, got.receipt_code) == ("T-2026-0001-A32B", "MLNWV-J9FD9")
    assert (got.cases, got.files, got.from_school) == (2, 0, "Rowan Park School")
    freya = receiver.people.find("Q801200005002")
    texts = [e.text for e in receiver.people.learner_file(freya.id).entries]
    assert "Freya spoke to her form tutor." in texts
    assert not any("Omar" in text for text in texts)


@pytest.mark.parametrize("size", [24 * 1024 * 1024,
                                  pytest.param(480 * 1024 * 1024, marks=pytest.mark.slow)])
def test_big_packages_are_streamed_not_held_in_memory(new_casebook, receiver,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path, size: int) -> None:
    person, blob = _big_sender(new_casebook, size)
    digest = hashlib.sha256(blob).hexdigest()
    del blob
    # Warm up first (fonts for the PDF, caches): what is measured is the package's own cost.
    warm = new_casebook.transfers.export(person, "Elm", tmp_path / "warm.cbx",
                                         password=PASSWORD, evidence="none")
    receiver.transfers.import_package(warm.path, PASSWORD)
    out = tmp_path / "ava.cbx"
    tracemalloc.start()
    try:
        sent = new_casebook.transfers.export(person, "Elm", out, password=PASSWORD)
        _current, export_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        got = receiver.transfers.import_package(out, PASSWORD)
        _current, import_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sent.package_bytes > size and got.files == 1
    limit = 8 * 1024 * 1024  # a few 1 MiB segments in flight, never the whole package
    assert export_peak < limit and import_peak < limit, (export_peak, import_peak)
    [item] = [e for c in receiver.cases.list_page() for e in receiver.evidence.items(c.id)]
    assert item.sha256 == digest and item.size == size


def test_deadline_follows_the_term_dates(sender, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe, _ids = sender
    book.store.clock = lambda: datetime(2026, 12, 16, 10, 0)  # Wednesday
    sent = book.transfers.export(zoe.id, "Elm", tmp_path / "z.cbx", password=PASSWORD)
    assert sent.due_on == date(2026, 12, 23)  # weekdays by default
    book.transfers.configure(terms="2026-09-03..2026-12-18\n2027-01-05..2027-03-26")
    [info] = book.transfers.list()
    # Thu 17, Fri 18 Dec, then term from Tue 5 Jan: 5, 6, 7 January.
    assert info.due_on == date(2027, 1, 7)
    for terms, words in (("2026-09-03..2026-12-18\n2026-12-01..2027-03-26", "overlaps"),
                         ("2027-03-26..2027-01-05", "ends before it starts"),
                         ("2027-02-30..2027-03-26", "not a date")):
        with pytest.raises(ValidationError, match=words):
            book.transfers.configure(terms=terms, keep="nothing")
    assert book.transfers.settings()["transfer_keep"] == "chronology"  # nothing saved
    assert book.transfers.list()[0].due_on == date(2027, 1, 7)


@pytest.mark.parametrize(("code", "words"), [(errno.EFBIG, "memory sticks formatted as FAT32"),
                                             (errno.ENOSPC, "is full")])
def test_a_drive_that_refuses_the_package_is_explained(sender, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       code: int, words: str) -> None:
    """A FAT32 stick refuses a file of 4 GB (EFBIG); a full one refuses any (ENOSPC). The
    first write past the header fails here: one calm line, no part-written file, no log."""
    from casebook import fileio

    book, zoe, _ids = sender

    class Refusing(fileio.FileOps):
        def write(self, fd: int, data: memoryview) -> int:
            raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fileio, "ops", Refusing())
    out = tmp_path / "zoe.cbx"
    with pytest.raises(CasebookError, match=words) as caught:
        book.transfers.export(zoe.id, "Elm", out, password=PASSWORD)
    assert "\n" not in str(caught.value)
    assert not out.exists() and list(tmp_path.glob("*.partial")) == []
    assert book.transfers.list() == []
