"""Finding people's names in free text, however they were typed.

Text is cut into *tokens* at every character that is not a letter or digit, where letters meet
digits, and where a lower-case letter meets an upper-case one (CamelCase). A name matches when
the tokens it covers, joined, equal one of the person's *keys* (folded: no case, no accents):

* the full name, first + last, last + first and initial + last, so that "Amelia Thornbury",
  "AmeliaThornbury2.png", "amelia.thornbury08", "jaydenokoro@gmail.com", "Okoro, Jayden",
  "A. Thornbury" and "AThornbury" are all found;
* each part of the name with three or more letters ("Amelia", "Thornbury", "Dubois" of
  "Dubois-Martin").

A key followed by a glued "s" is a possessive typed without its apostrophe ("Jaydens
friends"); digits glued to a name ("Amelia2013") go with it. A title before a name ("Mr",
"Mrs", "Dr") goes with it, so the label is never "Mr Staff member A". Two neighbouring matches
of one person ("Staff member A Staff member A") become one. A capitalised part joined by a
hyphen to another capitalised word that is not part of the name ("Amelia-Rose") is a
different name and is left alone.

When a part belongs to several people (a shared surname), the match is resolved per person:
a title rules out learners, an initial rules out people whose first name starts otherwise, and
then the person named unambiguously nearest in the same text wins. If that still leaves more
than one, the match gets the *ambiguous* label rather than a guess.

Matching is done on tokens, so "Ben" is not found in "Benefit" nor "Ian" in "Christian".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["NameSubject", "NameMatch", "NameFinder", "fold", "name_parts", "TITLES"]

#: Words that are titles, not names ("Mrs Smith" must not make every "Mrs" a match).
TITLES = frozenset({"mr", "mrs", "miss", "ms", "mx", "dr", "sir", "prof", "rev", "revd",
                    "master", "dame", "lady", "lord", "mstr"})
#: Joining words of surnames that are not names on their own.
_PARTICLES = frozenset({"the", "and", "von", "van", "der", "den", "del", "della", "les", "de",
                        "la", "le", "da", "di", "du", "bin", "bint", "al"})
#: Words that describe rather than name ("Unknown Year 9 group", "Several Year 11 learners"):
#: never matched on their own, or every "Year 9" in a report would become a label. The whole
#: description still is.
GENERIC_WORDS = frozenset({
    "unknown", "unnamed", "anonymous", "several", "some", "group", "groups", "year", "years",
    "learner", "learners", "pupil", "pupils", "student", "students", "child", "children",
    "parent", "parents", "carer", "carers", "staff", "member", "members", "teacher",
    "teachers", "friend", "friends", "class", "form", "tutor", "boy", "boys", "girl", "girls",
    "account", "accounts", "person", "people", "other", "others", "someone", "family",
})
#: Letters that Unicode does not decompose but people often type without the accent.
_TRANSLITERATE = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                                "þ": "th", "ı": "i", "ß": "ss"})
#: What may stand between the tokens of one name ("Amelia Thornbury", "amelia.thornbury",
#: "Okoro, Jayden", "A. Thornbury", "O'Brien").
_JOINERS = frozenset(" \t\r\n.,_-'’\u00a0")
_MAX_JOIN = 3
_MAX_TOKENS = 6


@lru_cache(maxsize=65536)  # the same words again and again: a learner's file folds thousands
def fold(text: str) -> str:
    """Case- and accent-folded text with only letters and digits kept."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            continue
        out.append(char.casefold().translate(_TRANSLITERATE))
    return "".join(c for c in "".join(out) if c.isalnum())


def name_parts(name: str) -> list[str]:
    """The words of a name, without titles (each may hold a hyphen or apostrophe)."""
    words = [w.strip(".,;:()[]\"“”") for w in unicodedata.normalize("NFC", name).split()]
    return [w for w in words if w and fold(w) not in TITLES]


@dataclass(frozen=True)
class NameSubject:
    """A person to look for. ``label`` replaces the name (None: a name to keep as written)."""

    name: str
    label: str | None
    #: Learners never go by a title, so "Mrs Thornbury" is not the learner Amelia Thornbury.
    adult: bool = True
    ref: object = None


@dataclass(frozen=True)
class NameMatch:
    """Where a name was found (indices in the NFC text) and whose it is."""

    start: int
    end: int
    subjects: tuple[NameSubject, ...]
    #: The name was written as a possessive without an apostrophe ("Jaydens").
    possessive: bool = False

    @property
    def subject(self) -> NameSubject | None:
        return self.subjects[0] if len(self.subjects) == 1 else None


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    key: str  # folded
    capital: bool  # starts with an upper-case letter
    alpha: bool


_ASCII_RUN = re.compile(r"[A-Za-z]+|[0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _tokens(text: str) -> list[_Token]:
    """Runs of letters (split where a lower-case letter meets a capital: "McDonald") and
    runs of digits."""
    if text.isascii():  # most text, several times faster than looking at each character
        return _ascii_tokens(text)
    return _tokens_by_char(text)


def _tokens_by_char(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    start = -1
    kind = ""
    for index, char in enumerate(text):
        if unicodedata.combining(char) and start >= 0:
            continue
        if char.isalpha():
            this = "a"
        elif char.isdigit():
            this = "d"
        else:
            this = ""
        if start >= 0:
            prev = text[index - 1]
            camel = this == "a" and kind == "a" and char.isupper() and prev.islower()
            if this != kind or camel:
                tokens.append(_token(text, start, index, kind))
                start = -1
        if this and start < 0:
            start, kind = index, this
    if start >= 0:
        tokens.append(_token(text, start, len(text), kind))
    return tokens


def _ascii_tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for run in _ASCII_RUN.finditer(text):
        start, end = run.span()
        if not text[start].isalpha():
            tokens.append(_token(text, start, end, "d"))
            continue
        for cut in _CAMEL.finditer(text, start, end):
            tokens.append(_token(text, start, cut.start(), "a"))
            start = cut.start()
        tokens.append(_token(text, start, end, "a"))
    return tokens


def _token(text: str, start: int, end: int, kind: str) -> _Token:
    piece = text[start:end]
    return _Token(start, end, fold(piece), piece[:1].isupper(), kind == "a")


@dataclass(frozen=True)
class _Key:
    subject: NameSubject
    #: "full", "part" (one word of the name) or "initial" (initial + surname)
    form: str
    initial: str = ""


class NameFinder:
    """Finds the names of ``subjects`` (and of ``protected`` phrases, which are never matched
    as anyone's) in free text."""

    def __init__(self, subjects: Iterable[NameSubject], protected: Iterable[str] = ()) -> None:
        self._keys: dict[str, list[_Key]] = {}
        self._initials: dict[NameSubject, str] = {}
        self.subjects = tuple(subjects)
        for subject in self.subjects:
            self._add_subject(subject)
        for phrase in protected:  # e.g. the school's name: kept, even if a name is in it
            key = fold(phrase)
            if len(key) >= 3:
                self._keys[key] = [_Key(NameSubject(phrase, None), "full")]
        #: Every start of a key: a word that begins no name ends the search there.
        self._prefixes = frozenset(key[:n] for key in self._keys for n in range(1, len(key)))

    def _add(self, key: str, entry: _Key) -> None:
        if key and entry not in self._keys.setdefault(key, []):
            self._keys[key].append(entry)

    def _add_subject(self, subject: NameSubject) -> None:
        words = name_parts(subject.name)
        if not words:
            return
        folded = [fold(w) for w in words]
        self._initials[subject] = folded[0][:1]
        full = _Key(subject, "full")
        self._add("".join(folded), full)
        if len(words) >= 2:
            first, last = folded[0], folded[-1]
            self._add(first + last, full)
            self._add(last + first, full)
            if sum(ch.isalpha() for ch in last) >= 3:
                self._add(first[:1] + last, _Key(subject, "initial", first[:1]))
        for word in words:
            pieces = [word, *_split_word(word)]
            for piece in pieces:
                key = fold(piece)
                if sum(ch.isalpha() for ch in key) >= 3 and \
                        key not in TITLES | _PARTICLES | GENERIC_WORDS:
                    self._add(key, _Key(subject, "part"))

    def __bool__(self) -> bool:
        return bool(self._keys)

    # -- matching ------------------------------------------------------------------------------

    def find(self, text: str) -> list[NameMatch]:
        """Every name in ``text`` (an NFC string), left to right, never overlapping."""
        tokens = _tokens(text)
        raw: list[tuple[int, int, list[_Key], bool]] = []  # token span, keys, possessive
        i = 0
        while i < len(tokens):
            found = self._longest_at(text, tokens, i)
            if found is None:
                i += 1
                continue
            j, keys, possessive = found
            raw.append((i, j, keys, possessive))
            i = j
        return self._resolve(text, tokens, raw)

    def _longest_at(self, text: str, tokens: Sequence[_Token], i: int
                    ) -> tuple[int, list[_Key], bool] | None:
        if not tokens[i].alpha:
            return None
        best: tuple[int, list[_Key], bool] | None = None
        joined = ""
        for j in range(i, min(len(tokens), i + _MAX_TOKENS)):
            if j > i and not _joinable(text[tokens[j - 1].end:tokens[j].start]):
                break
            joined += tokens[j].key
            keys = self._keys.get(joined)
            if keys and self._fits(text, tokens, i, j + 1, keys):
                best = (j + 1, keys, False)
            elif (joined.endswith("s") and tokens[j].alpha and not joined.endswith("ss")
                  and joined[:-1] in self._keys and len(tokens[j].key) > 1
                  and self._fits(text, tokens, i, j + 1, self._keys[joined[:-1]])):
                best = (j + 1, self._keys[joined[:-1]], True)
            if joined not in self._prefixes:
                break  # no longer name starts with these words
        return best

    def _fits(self, text: str, tokens: Sequence[_Token], i: int, j: int,
              keys: Sequence[_Key]) -> bool:
        """False for a part hyphenated to another capitalised word ("Amelia-Rose")."""
        if any(k.form != "part" for k in keys) or not tokens[i].capital:
            return True
        if i > 0 and text[tokens[i - 1].end:tokens[i].start] == "-" \
                and tokens[i - 1].capital and tokens[i - 1].alpha:
            return False
        return not (j < len(tokens) and text[tokens[j - 1].end:tokens[j].start] == "-"
                    and tokens[j].capital and tokens[j].alpha)

    def _resolve(self, text: str, tokens: Sequence[_Token],
                 raw: Sequence[tuple[int, int, list[_Key], bool]]) -> list[NameMatch]:
        # First pass: who each match may be, using a title or initial written before it.
        spans: list[tuple[int, int, tuple[NameSubject, ...], bool]] = []
        for i, j, keys, possessive in raw:
            start = i
            candidates = list(dict.fromkeys(k.subject for k in keys))
            titled = i > 0 and tokens[i - 1].key in TITLES and \
                _joinable(text[tokens[i - 1].end:tokens[i].start])
            if titled:
                adults = [s for s in candidates if s.adult]
                candidates = adults or candidates
                start = i - 1
            initial = (i > 0 and not titled and len(tokens[i - 1].key) == 1
                       and tokens[i - 1].capital and tokens[i - 1].alpha
                       and _joinable(text[tokens[i - 1].end:tokens[i].start]))
            if initial:
                letter = tokens[i - 1].key
                same = [s for s in candidates if self._initials.get(s) == letter]
                if same:
                    candidates, start = same, i - 1
            # Digits glued to the name go with it ("Amelia2013", "amelia.thornbury08").
            if j < len(tokens) and not tokens[j].alpha and tokens[j].start == tokens[j - 1].end:
                j += 1
            spans.append((start, j, tuple(candidates), possessive))
        # Second pass: a shared part goes to the person named unambiguously nearest to it.
        sure = [(n, s[2][0]) for n, s in enumerate(spans) if len(s[2]) == 1]
        out: list[NameMatch] = []
        for n, (i, j, subjects, possessive) in enumerate(spans):
            if len(subjects) > 1:
                near = sorted((abs(m - n) + (0.5 if m > n else 0), who) for m, who in sure
                              if who in subjects)
                if near:
                    subjects = (near[0][1],)
            out.append(NameMatch(tokens[i].start, tokens[j - 1].end, subjects, possessive))
        return _merge(text, out)


def _split_word(word: str) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in word:
        if char in "-'’":
            pieces.append(current)
            current = ""
        else:
            current += char
    pieces.append(current)
    return pieces if len(pieces) > 1 else []


def _joinable(gap: str) -> bool:
    return len(gap) <= _MAX_JOIN and all(c in _JOINERS for c in gap) and gap.count("\n") <= 0


def _merge(text: str, matches: list[NameMatch]) -> list[NameMatch]:
    """Neighbouring matches of the same person become one ("Amelia R. Thornbury")."""
    out: list[NameMatch] = []
    for match in matches:
        if out and match.subject is not None and out[-1].subject == match.subject \
                and not out[-1].possessive and _small_gap(text[out[-1].end:match.start]):
            out[-1] = NameMatch(out[-1].start, match.end, match.subjects, match.possessive)
            continue
        out.append(match)
    return out


def _small_gap(gap: str) -> bool:
    """Only spaces/dots/hyphens, perhaps around a single middle initial ("R.")."""
    letters = [c for c in gap if c.isalpha()]
    return len(gap) <= 5 and len(letters) <= 1 and \
        all(c in _JOINERS or c.isalpha() for c in gap) and "," not in gap
