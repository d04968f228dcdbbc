"""The passphrase rule and the strength meter."""

from __future__ import annotations

import unicodedata

import pytest

from casebook.errors import ValidationError
from casebook.vault import check_passphrase, normalise, passphrase_strength


@pytest.mark.parametrize(
    "weak",
    [
        "",
        "short",
        "elevenchars",  # 11 characters
        "Password1234!",
        "password password",
        "P@ssw0rd2024",
        "123456789012345",
        "000000000000000000",
        "aaaaaaaaaaaaaaaa",
        "abababababababab",
        "abcdefghijklmnop",
        "qwertyuiopasdfgh",
        "mybirthdayis",  # 12 characters, all lower case
        "safeguarding2024",
    ],
)
def test_weak_passphrases_are_refused_with_advice(weak: str) -> None:
    score, advice = passphrase_strength(weak)
    assert score < 2
    with pytest.raises(ValidationError) as raised:
        check_passphrase(weak)
    assert str(raised.value) == advice
    assert advice  # always something to say


@pytest.mark.parametrize(
    ("good", "minimum_score"),
    [
        ("Tea at 4pm ok", 2),
        ("correct horse battery staple", 4),
        ("violet kettle harbour 42", 4),
        ("Rainy Tuesday Owls", 3),
        ("naïve café résumé über", 4),
        ("🐱🐶🦊🐼🐨🐯🦁🐮🐷🐸🐵🐔", 2),
    ],
)
def test_reasonable_passphrases_are_accepted(good: str, minimum_score: int) -> None:
    check_passphrase(good)
    score, _ = passphrase_strength(good)
    assert minimum_score <= score <= 4


def test_advice_names_the_simple_rule() -> None:
    _, advice = passphrase_strength("short")
    assert "at least 12 characters" in advice
    assert "three or four unrelated words" in advice


def test_more_words_never_lower_the_score() -> None:
    words = ["lantern", "pebble", "orchard", "violet", "kettle", "harbour"]
    scores = [passphrase_strength(" ".join(words[:n]))[0] for n in range(1, len(words) + 1)]
    assert scores == sorted(scores)
    assert scores[-1] == 4


def test_normalise_makes_nfd_and_nfc_equal() -> None:
    nfd = unicodedata.normalize("NFD", "Zoë Brontë")
    assert normalise(nfd) == unicodedata.normalize("NFC", "Zoë Brontë")
    assert passphrase_strength(nfd) == passphrase_strength(normalise(nfd))


def test_non_text_is_refused() -> None:
    with pytest.raises(ValidationError):
        check_passphrase(None)  # type: ignore[arg-type]
