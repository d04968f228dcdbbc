"""Unusual passphrases survive create -> lock -> open (they never reach SQL or a file as text)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from casebook.errors import WrongKeyError
from casebook.services import Casebook

PASSPHRASES = [
    pytest.param('it\'s "quoted"; DROP TABLE cases; --', id="quotes-and-semicolon"),
    pytest.param("100% sure %s %d 50%% x'00'", id="percent-and-hex-literal"),
    pytest.param("fox \U0001F98A key \U0001F511 lantern \U0001F3EE", id="emoji"),
    pytest.param("cafe\u0301 nai\u0308ve Zo\u00eb pin\u0303ata", id="combining"),
]


@pytest.mark.parametrize("passphrase", PASSPHRASES)
def test_passphrase_round_trip(tmp_path: Path, passphrase: str) -> None:
    book, _ = Casebook.create(tmp_path / "cb", school="Oak School", jurisdiction="scotland",
                              user_name="Ana Ruiz", passphrase=passphrase)
    book.cases.create("A case", "harassment")
    book.lock()

    with Casebook.open_with_passphrase(tmp_path / "cb", passphrase) as again:
        assert again.user.name == "Ana Ruiz"
        assert again.cases.count() == 1

    with pytest.raises(WrongKeyError):
        Casebook.open_with_passphrase(tmp_path / "cb", passphrase[:-1])


def test_composed_and_decomposed_forms_open_the_same_casebook(tmp_path: Path) -> None:
    decomposed = "cafe\u0301 nai\u0308ve lantern"
    composed = unicodedata.normalize("NFC", decomposed)
    assert composed != decomposed
    book, _ = Casebook.create(tmp_path / "cb", school="Oak School", jurisdiction="us",
                              user_name="Ana Ruiz", passphrase=decomposed)
    book.lock()
    with Casebook.open_with_passphrase(tmp_path / "cb", composed) as again:
        assert again.user.id == 1
