"""Folding what a user types the way the search index folds what was recorded.

The index's tokenizer (FTS5 ``unicode61 remove_diacritics 2``) lower-cases and strips combining
accents (é, å, ü); migration 0012 also replaces the letters it keeps as they are (Ø, Ł, ß, Æ…)
before indexing. A query must go through the same replacements so "Ødegård" and "odegard" meet.
Also the case list's rule for a search too short to run (one letter on its own).
"""

from __future__ import annotations

import re

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


def search_too_short(text: str) -> bool:
    """True for one letter or digit on its own. Nearly every case has a word starting with any
    letter, so such a search reads most of the index (80-180 ms for "s" at 50,000 cases,
    holding up the next search) to list nearly every case (all 50,000 for "s"): the case list
    asks for one more letter instead. A one-letter word after others ("fake school l") is
    searched (the index has one- and two-letter prefixes, migrations 0016 and 0018)."""
    words = re.findall(r"\w+", fold(text), flags=re.UNICODE)
    return len(words) == 1 and len(words[0]) == 1


def searched_text(typed: str) -> str:
    """What the case list searches for when ``typed`` is in its search box: nothing while it is
    too short (:func:`search_too_short`; the list shows every case and asks for one more
    letter)."""
    typed = typed.strip()
    return "" if search_too_short(typed) else typed
