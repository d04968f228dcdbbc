"""Transfer: an encrypted package (no name readable), import with a receipt code on another
casebook, receipt recorded on the sender, deadlines in school days, and every bad package
refused with nothing imported."""

from __future__ import annotations

import io
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from casebook.errors import NewerVersionError, ValidationError
from casebook.services import transfer_package
from casebook.services.transfer import add_school_days, parse_closed_days

PASSWORD = "amber lantern quietly 58"


@pytest.fixture
def sender(shared_case):  # type: ignore[no-untyped-def]
    book, zoe, _sam, _case = shared_case
    own = book.cases.create("Worried about messages", "harassment")
    book.people.link_to_case(own.id, zoe.id, "harmed")
    book.cases.add_entry(own.id, "Zoë told her tutor.", occurred_at=datetime(2026, 4, 1, 9, 0))
    book.evidence.add_stream(own.id, io.BytesIO(b"screenshot bytes" * 100), filename="a.png")
    return book, zoe


def test_round_trip_with_receipt(sender, receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe = sender
    out = tmp_path / "zoe.cbx"
    sent = book.transfers.export(zoe.id, "Elm Academy", out, password=PASSWORD)
    assert sent.cases == 2 and sent.due_on > book.store.now().date()
    raw = out.read_bytes()
    if os.name == "posix":
        assert out.stat().st_mode & 0o077 == 0  # private, like every file Casebook writes
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    for name in ("Zoë", "Ødegård", "Odegard", "B801200005001", "Samir", "Baiting"):
        assert name.encode() not in raw and name.encode("utf-16-le") not in raw
    [info] = book.transfers.list()
    assert info.state == "awaiting receipt"

    got = receiver.transfers.import_package(out, PASSWORD)
    assert got.from_school == "Oakfield Primary School" and got.cases == 2
    learner = receiver.people.find("B801200005001")
    assert learner.received_from.startswith("Oakfield Primary School (transfer T-")
    file = receiver.people.learner_file(learner.id)
    texts = [e.text for e in file.entries]
    assert "Learner A posted the photo." in texts and "Zoë told her tutor." in texts
    assert not any("Samir" in x for x in texts)
    again = receiver.transfers.import_package(out, PASSWORD)
    assert again.already and again.receipt_code == got.receipt_code
    assert len(receiver.cases.list_page()) == 2  # nothing imported twice

    with pytest.raises(ValidationError, match="does not match"):
        book.transfers.record_receipt(sent.reference, "AAAAA-AAAAA")
    done = book.transfers.record_receipt(sent.reference, got.receipt_code.lower())
    assert done.state == "received"
    # Default policy: the chronology stays for a year, evidence of the learner's own case goes.
    own = [c for c in book.cases.list_page() if c.title == "Worried about messages"][0]
    assert book.evidence.items(own.id) == []
    assert book.cases.chronology(own.id)
    assert book.verify().ok


@pytest.mark.parametrize("damage", ["flip", "truncate", "header"])
def test_tampered_packages_are_refused(sender, receiver, tmp_path: Path, damage: str) -> None:  # type: ignore[no-untyped-def]
    book, zoe = sender
    out = tmp_path / "zoe.cbx"
    book.transfers.export(zoe.id, "Elm Academy", out, password=PASSWORD)
    data = bytearray(out.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        data = data[:-20]
    else:  # lower the Argon2 cost in the clear header: the tag covers it
        data = bytearray(bytes(data).replace(b'"time_cost": ', b'"time_cost":  ', 1))
    out.write_bytes(bytes(data))
    with pytest.raises(Exception, match="changed|damaged") as caught:
        receiver.transfers.import_package(out, PASSWORD)
    assert "Traceback" not in str(caught.value)
    assert receiver.people.search() == [] and receiver.cases.list_page() == []


def test_wrong_password_and_newer_version(sender, receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe = sender
    out = tmp_path / "zoe.cbx"
    book.transfers.export(zoe.id, "Elm Academy", out, password=PASSWORD)
    with pytest.raises(Exception, match="password is wrong"):
        receiver.transfers.import_package(out, "not the password at all")
    newer = tmp_path / "newer.cbx"
    newer.write_bytes(transfer_package.MAGIC[:6] + b"\x00\x02" + out.read_bytes()[8:])
    with pytest.raises(NewerVersionError, match="newer version"):
        receiver.transfers.import_package(newer, PASSWORD)
    assert receiver.people.search() == []


def test_a_made_up_password_is_returned_once_and_works(sender, receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe = sender
    sent = book.transfers.export(zoe.id, "Elm Academy", tmp_path / "z.cbx")
    assert len(sent.password) == 29
    assert receiver.transfers.import_package(tmp_path / "z.cbx", sent.password).cases == 2
    with pytest.raises(ValidationError, match="already exists"):
        book.transfers.export(zoe.id, "Elm Academy", tmp_path / "z.cbx")


def test_deadline_counts_school_days() -> None:
    friday = date(2026, 12, 18)
    assert add_school_days(friday, 5) == date(2026, 12, 25)  # weekdays by default
    closed = parse_closed_days("2026-12-21..2027-01-01\n2027-01-04")
    assert add_school_days(friday, 5, closed) == date(2027, 1, 11)
    with pytest.raises(ValidationError, match="not a date"):
        parse_closed_days("next tuesday")


def test_overdue_transfers_are_reminders(sender, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe = sender
    sent = book.transfers.export(zoe.id, "Elm Academy", tmp_path / "z.cbx", password=PASSWORD)
    book.store.clock = lambda: datetime.combine(sent.due_on + timedelta(days=1), time(9))
    [reminder] = book.transfers.reminders()
    assert reminder.state == "overdue" and reminder.reference == sent.reference
    assert book.transfers.chase(sent.reference).chased_at is not None


def test_a_sealed_package_with_bad_records_imports_nothing(receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Even with the right password, records that do not make sense change nothing."""
    records = {"format": "casebook-transfer-records", "version": 1, "reference": "T-X",
               "from_school": "Oak", "receipt_secret": "AAAA", "learner": {"forename": "Ann"},
               "cases": [{"title": "x", "entries": [{"occurred_at": "not a date"}]}]}
    bad = tmp_path / "bad.cbx"
    bad.write_bytes(transfer_package.seal(b"%PDF-1.7", records, PASSWORD))
    with pytest.raises(ValidationError, match="incomplete or damaged"):
        receiver.transfers.import_package(bad, PASSWORD)
    assert receiver.people.search() == [] and receiver.transfers.list() == []


def test_what_was_kept_comes_up_for_review_after_a_year(sender, receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe = sender
    sent = book.transfers.export(zoe.id, "Elm Academy", tmp_path / "z.cbx", password=PASSWORD)
    got = receiver.transfers.import_package(tmp_path / "z.cbx", PASSWORD)
    book.transfers.record_receipt(sent.reference, got.receipt_code)
    assert [i.id for i in book.retention.due()] == []
    book.store.clock = lambda: datetime.now() + timedelta(days=366)
    [item] = book.retention.due()
    assert item.id == sent.reference and item.kind == "transfer-kept"
    result = book.retention.purge(sent.reference, confirm=True)
    # The learner's own case goes; the case Samir is also on stays for his file.
    assert (result.cases, result.kept_cases) == (1, 1)
    assert book.people.search("Zoë") == []
    assert [i.state for i in book.transfers.list()] == ["received, records purged"]


def test_deadline_runs_from_the_day_the_learner_left(sender, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book, zoe = sender
    book.transfers.configure(closed_days="2026-07-22..2026-09-02")
    book.people.mark_left(zoe.id, date(2026, 7, 21))  # last day of the summer term
    sent = book.transfers.export(zoe.id, "Elm Academy", tmp_path / "z.cbx", password=PASSWORD)
    # Wed 22 Jul .. Wed 2 Sep closed: Thu 3, Fri 4, Mon 7, Tue 8, Wed 9 September.
    assert sent.due_on == date(2026, 9, 9)
