"""Fixtures shared by the transfer tests: a sending casebook with Zoë harmed in a case Samir is
also on, and an empty receiving casebook at another school."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from casebook.services import Casebook


@pytest.fixture
def shared_case(new_casebook: Casebook) -> tuple[Casebook, Any, Any, Any]:
    """(book, Zoë, Samir, the "Baiting page" case): Zoë harmed, Samir the suspected creator."""
    book = new_casebook
    zoe = book.people.add("learner", "Zoë", "Ødegård", upn="B801200005001",
                          date_of_birth=date(2014, 2, 3), year_group="Year 7")
    sam = book.people.add("learner", "Samir", "Haddad")
    case = book.cases.create("Baiting page", "baiting")
    book.people.link_to_case(case.id, zoe.id, "harmed")
    book.people.link_to_case(case.id, sam.id, "suspected-creator")
    book.cases.add_entry(case.id, "Samir Haddad posted the photo.",
                         occurred_at=datetime(2026, 3, 1, 9, 0))
    return book, zoe, sam, case


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Casebook]:
    book, _recovery = Casebook.create(tmp_path / "elm", school="Elm Academy",
                                      jurisdiction="england", user_name="Jo Receiver",
                                      passphrase="harbour violet kettle 42")
    yield book
    book.lock()
