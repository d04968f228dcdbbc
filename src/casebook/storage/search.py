"""Folding what a user types the way the search index folds what was recorded.

The index's tokenizer (FTS5 ``unicode61 remove_diacritics 2``) lower-cases and strips combining
accents (é, å, ü); migration 0012 also replaces the letters it keeps as they are (Ø, Ł, ß, Æ…)
before indexing. A query must go through the same replacements so "Ødegård" and "odegard" meet.
"""

from __future__ import annotations

#: Must equal ``FOLDS`` in migration 0012 (a test checks): the index was built with those.
FOLDS: tuple[tuple[str, str], ...] = (
    ("Ø", "O"), ("ø", "o"), ("Ł", "L"), ("ł", "l"), ("Đ", "D"), ("đ", "d"),
    ("Ð", "D"), ("ð", "d"), ("Æ", "AE"), ("æ", "ae"), ("Œ", "OE"), ("œ", "oe"),
    ("Þ", "TH"), ("þ", "th"), ("ß", "ss"), ("ẞ", "SS"), ("ı", "i"), ("Ħ", "H"),
    ("ħ", "h"), ("Ŧ", "T"), ("ŧ", "t"), ("Ŋ", "N"), ("ŋ", "n"), ("ĸ", "k"),
)
_TABLE = str.maketrans(dict(FOLDS))


def fold(text: str) -> str:
    """``text`` with the letters the tokenizer does not fold replaced by plain ones."""
    return text.translate(_TABLE)
