"""The passphrase rule, kept short enough to explain to a teacher.

The rule: at least 12 characters, not a well-known password, not only numbers, not the same
few characters over and over, and (if shorter than 16 characters) not only one kind of
character. Three or four unrelated words pass easily and are easy to remember.

Scores for the strength meter:
  0  very weak (a common password, only numbers, repeats, or under 8 characters)
  1  too short or too plain to be accepted
  2  acceptable
  3  good (16 or more characters with some variety, e.g. several words)
  4  strong (20 or more characters and several words or kinds of character)
"""

from __future__ import annotations

import unicodedata

from casebook.domain.errors import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
ACCEPTABLE_SCORE = 2

_ADVICE = "Use at least 12 characters; three or four unrelated words work well."

# A tiny list on purpose: the length rule does most of the work. Compared after lowercasing
# and removing anything that is not a letter, so "Password123!" matches "password".
_COMMON = frozenset(
    {
        "password",
        "passwords",
        "letmein",
        "welcome",
        "iloveyou",
        "qwerty",
        "qwertyuiop",
        "asdfghjkl",
        "admin",
        "administrator",
        "changeme",
        "secret",
        "casebook",
        "safeguarding",
        "safeguard",
        "school",
        "teacher",
        "monkey",
        "dragon",
        "football",
        "sunshine",
        "princess",
        "trustno",
        "starwars",
    }
)

_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm",
    "01234567890123456789012345678901234567890",
)


def normalise(passphrase: str) -> str:
    """NFC form, so the same visible text gives the same key however it was typed."""
    return unicodedata.normalize("NFC", passphrase)


def _classes(text: str) -> set[str]:
    kinds: set[str] = set()
    for ch in text:
        if ch.isdigit():
            kinds.add("digit")
        elif ch.isspace():
            kinds.add("space")
        elif ch.islower():
            kinds.add("lower")
        elif ch.isupper():
            kinds.add("upper")
        else:
            kinds.add("other")
    return kinds


def _is_sequence(text: str) -> bool:
    squashed = "".join(text.lower().split())
    if len(squashed) < 6:
        return False
    return any(squashed in seq or squashed in seq[::-1] for seq in _SEQUENCES)


_LEET = str.maketrans(
    {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
)
_COMMON_LONGEST_FIRST = sorted(_COMMON, key=len, reverse=True)


def _is_common(text: str) -> bool:
    """Made of well-known passwords, give or take a couple of letters, digits or symbols."""
    lowered = text.lower()
    for candidate in (lowered, lowered.translate(_LEET)):
        rest = "".join(ch for ch in candidate if ch.isalpha())
        if not rest:
            continue
        for word in _COMMON_LONGEST_FIRST:
            rest = rest.replace(word, "")
        if len(rest) < 3:
            return True
    return False


def passphrase_strength(passphrase: str) -> tuple[int, str]:
    """Score a passphrase 0..4 and give one plain sentence of advice for the meter."""
    p = normalise(passphrase)
    length = len(p)
    kinds = _classes(p)
    distinct = len(set(p))
    words = len(p.split())

    if length == 0:
        return 0, _ADVICE
    if _is_common(p) or _is_sequence(p):
        return 0, "This is a very well-known password. " + _ADVICE
    if kinds == {"digit"}:
        return 0, "A passphrase of only numbers is easy to guess. " + _ADVICE
    if distinct < 5:
        return 0, "This repeats the same few characters. " + _ADVICE
    if length < 8:
        return 0, _ADVICE
    if length < MIN_LENGTH:
        return 1, f"Add {MIN_LENGTH - length} more characters. " + _ADVICE
    if length > MAX_LENGTH:
        return 1, f"Please keep it under {MAX_LENGTH} characters."
    if length < 16 and kinds in ({"lower"}, {"upper"}):
        return 1, "Add another word, or mix in a capital letter or a number."
    if length >= 20 and (words >= 3 or len(kinds) >= 3):
        return 4, "Strong passphrase."
    if length >= 16 and len(kinds) >= 2:
        return 3, "Good passphrase. Another word would make it stronger."
    return 2, "Acceptable. A longer passphrase of three or four words is stronger."


def check_passphrase(passphrase: str) -> None:
    """Raise ``ValidationError`` with plain advice if the passphrase is too weak to accept."""
    if not isinstance(passphrase, str):
        raise ValidationError(_ADVICE)
    score, advice = passphrase_strength(passphrase)
    if score < ACCEPTABLE_SCORE:
        raise ValidationError(advice)
