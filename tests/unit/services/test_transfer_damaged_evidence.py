"""A sender whose stored evidence no longer matches the hash taken when it was stored (disk
damage, or a change made below Casebook) writes no package and logs no transfer: the next
school would refuse it anyway, and the DSL needs to know now."""

from __future__ import annotations

import io
from datetime import date

import pytest
from service_helpers import data_key
from tamper_helpers import execute

from casebook.errors import ValidationError
from casebook.services import Casebook


def test_damaged_stored_evidence_stops_the_export(new_casebook_info, tmp_path) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    book = info.book
    ava = book.people.add("learner", "Ava", "Kowalczyk", date_of_birth=date(2013, 1, 2))
    case = book.cases.create("Fake account", "impersonation")
    book.people.link_to_case(case.id, ava.id, "harmed")
    item = book.evidence.add_stream(case.id, io.BytesIO(b"original screenshot" * 50),
                                    filename="shot.png")
    book.lock()
    execute(info.database, data_key(info.slots, info.passphrase),
            ("UPDATE evidence_chunks SET data = ? WHERE evidence_id = ?",
             (b"altered screenshot!" * 50, item.id)))
    info.book = book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    out = tmp_path / "ava.cbx"
    with pytest.raises(ValidationError, match="does not match the fingerprint"):
        book.transfers.export(ava.id, "Elm", out, password="amber lantern quietly 58")
    assert not out.exists() and list(tmp_path.glob("*.partial")) == []  # no part-written file
    assert book.transfers.list() == []
    assert book.transfers.export(ava.id, "Elm", out, password="amber lantern quietly 58",
                                 evidence="none").files == 0
