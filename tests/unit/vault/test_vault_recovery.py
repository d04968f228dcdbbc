"""Recovery key text: readable groups, forgiving parsing, typing mistakes caught."""

from __future__ import annotations

import re

import pytest

from casebook.errors import ValidationError
from casebook.vault import format_recovery_key, parse_recovery_key
from casebook.vault.recovery import KEY_BYTES, new_recovery_key

FIXED = bytes(range(1, KEY_BYTES + 1))  # deterministic, so typo tests cannot flake


def test_format_is_nine_groups_of_four_unambiguous_characters() -> None:
    key, text = new_recovery_key()
    assert len(key) * 8 == 160
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){8}", text)
    assert parse_recovery_key(text) == key


def test_keys_are_random() -> None:
    assert new_recovery_key()[0] != new_recovery_key()[0]


@pytest.mark.parametrize(
    "mangle",
    [
        str.lower,
        lambda t: t.replace("-", " "),
        lambda t: t.replace("-", ""),
        lambda t: "  " + t.replace("-", " - ").lower() + "\n",
        lambda t: t.replace("-", "\u2013"),  # en dash pasted from a document
        lambda t: t.replace("0", "O"),
        lambda t: t.replace("0", "o"),
        lambda t: t.replace("1", "I"),
        lambda t: t.replace("1", "l"),
        lambda t: t.replace("1", "L"),
    ],
)
def test_parsing_forgives_case_spacing_and_lookalikes(mangle) -> None:
    text = format_recovery_key(FIXED)
    assert "0" in text and "1" in text  # so the look-alike cases really change something
    assert parse_recovery_key(mangle(text)) == FIXED


def test_every_single_character_mistake_is_caught() -> None:
    text = format_recovery_key(FIXED).replace("-", "")
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for position, original in enumerate(text):
        for replacement in alphabet:
            if replacement == original:
                continue
            typo = text[:position] + replacement + text[position + 1 :]
            with pytest.raises(ValidationError) as raised:
                parse_recovery_key(typo)
            assert str(raised.value).startswith("This recovery key has a typing mistake")


def test_swapped_neighbours_are_caught() -> None:
    text = format_recovery_key(FIXED).replace("-", "")
    for i in range(len(text) - 1):
        if text[i] == text[i + 1]:
            continue
        swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        with pytest.raises(ValidationError):
            parse_recovery_key(swapped)


@pytest.mark.parametrize(
    "bad",
    ["", "ABCD", "U" * 36, "!" + "A" * 35],
)
def test_wrong_length_or_characters_are_typing_mistakes(bad: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_recovery_key(bad)
    assert "typing mistake" in str(raised.value)


def test_missing_group_message_counts_characters() -> None:
    text = format_recovery_key(FIXED)
    with pytest.raises(ValidationError) as raised:
        parse_recovery_key(text[:-5])
    assert "should have 36" in str(raised.value)
    assert "32 were typed" in str(raised.value)
