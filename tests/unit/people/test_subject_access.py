"""Subject access: the person's records with everyone else redacted, and a log of what was
withheld and why kept beside it (not sent)."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date, datetime
from pathlib import Path


def test_subject_access_export_redacts_others_and_logs_it(new_casebook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    zoe = book.people.add("learner", "Zoë", "Ødegård", date_of_birth=date(2014, 2, 3))
    sam = book.people.add("learner", "Samir", "Haddad")
    mum = book.people.add("parent", "Maria", "Haddad")
    case = book.cases.create("Baiting page", "baiting")
    for person, role in ((zoe, "harmed"), (sam, "suspected-creator"), (mum, "reporter")):
        book.people.link_to_case(case.id, person.id, role)
    book.cases.add_entry(case.id, "Maria Haddad said Samir made it.",
                         occurred_at=datetime(2026, 3, 1, 9))
    book.evidence.add_stream(case.id, io.BytesIO(b"x" * 100), filename="shot.png")
    aunt = book.people.add("parent", "Greta", "Ødegård")
    book.people.link_family(aunt.id, zoe.id, "parent-or-carer")

    result = book.subject_access.export(zoe.id, tmp_path / "sar.pdf")
    text = subprocess.run(["pdftotext", str(result.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Records held about you" in text
    assert "Parent or carer A said Learner A made it." in text
    assert "Samir" not in text and "Maria" not in text and "Haddad" not in text
    assert "Greta" not in text and "(name withheld)" in text
    with result.log.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Case", "Withheld", "Why"]
    withheld = {(r[0], r[1]) for r in rows[1:]}
    assert (case.reference, "Name of a learner shown as Learner A") in withheld
    assert (case.reference, "Name of a parent shown as Parent or carer A") in withheld
    assert (case.reference, "1 evidence item(s)") in withheld
    assert ("", "Name of a family member (parent or carer)") in withheld
    assert all(r[2] for r in rows[1:])
    assert "Samir" not in result.log.read_text(encoding="utf-8-sig")
