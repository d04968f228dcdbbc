"""Recovery key text: 160 random bits shown once as 9 groups of 4 characters.

The first 8 groups are the key (Crockford base32: digits and capital letters without I, L, O
and U, so nothing looks alike). The last group is a 20-bit check taken from a hash of the key,
so a typing mistake is caught (all but about one in a million) before any unlocking is tried,
and the user can be told "typing mistake" rather than "wrong key".

Parsing forgives lower case, spaces, dashes, and O/0, I/1, L/1 mix-ups.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from casebook.domain.errors import ValidationError

KEY_BYTES = 20  # 160 bits
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {ch: i for i, ch in enumerate(_ALPHABET)}
_DECODE.update({"O": 0, "I": 1, "L": 1})
_KEY_CHARS = KEY_BYTES * 8 // 5  # 32
_CHECK_CHARS = 4  # 20 bits
_GROUP = 4
_IGNORED = " \t\r\n-_.\u2010\u2011\u2012\u2013\u2014\u2212\u00a0"
_CHECK_LABEL = b"casebook recovery key check v1"

TYPING_MISTAKE = (
    "This recovery key has a typing mistake. Check each group against the printed copy."
)


def _to_chars(value: int, count: int) -> str:
    out = []
    for _ in range(count):
        out.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def _check_value(key: bytes) -> int:
    digest = hashlib.sha256(_CHECK_LABEL + key).digest()
    return int.from_bytes(digest[:3], "big") >> 4  # top 20 bits


def format_recovery_key(key: bytes) -> str:
    """Show a 20-byte key as ``XXXX-XXXX-…`` (9 groups; the last is the check group)."""
    if len(key) != KEY_BYTES:
        raise ValueError("recovery key must be 20 bytes")
    text = _to_chars(int.from_bytes(key, "big"), _KEY_CHARS)
    text += _to_chars(_check_value(key), _CHECK_CHARS)
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


def new_recovery_key() -> tuple[bytes, str]:
    """A fresh random recovery key and its text form."""
    key = secrets.token_bytes(KEY_BYTES)
    return key, format_recovery_key(key)


def parse_recovery_key(text: str) -> bytes:
    """Read a typed recovery key back into its 20 bytes.

    Raises ``ValidationError`` (message starts "This recovery key has a typing mistake") when the
    text cannot be a recovery key. Whether it opens a given casebook is checked elsewhere.
    """
    if not isinstance(text, str):
        raise ValidationError(TYPING_MISTAKE)
    chars = [ch for ch in text.upper() if ch not in _IGNORED]
    expected = _KEY_CHARS + _CHECK_CHARS
    if len(chars) != expected:
        raise ValidationError(
            f"This recovery key has a typing mistake: it should have {expected} letters and "
            f"numbers (9 groups of 4), but {len(chars)} were typed."
        )
    try:
        values = [_DECODE[ch] for ch in chars]
    except KeyError:
        raise ValidationError(
            "This recovery key has a typing mistake: it contains a character that recovery "
            "keys never use."
        ) from None
    number = 0
    for v in values[:_KEY_CHARS]:
        number = (number << 5) | v
    check = 0
    for v in values[_KEY_CHARS:]:
        check = (check << 5) | v
    key = number.to_bytes(KEY_BYTES, "big")
    if not hmac.compare_digest(check.to_bytes(3, "big"), _check_value(key).to_bytes(3, "big")):
        raise ValidationError(TYPING_MISTAKE)
    return key
