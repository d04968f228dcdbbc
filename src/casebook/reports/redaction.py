"""Redaction happens in the data, before anything is laid out.

People who are not chosen to be named get a stable label by kind and order ("Learner A",
"Staff member B", "Parent A", "Person A"; "Student A" in the US profile). Their names - the
full name and each part of it with three or more letters - are replaced in every free-text
field, ignoring case and accents and matching whole words only ("Zoe's" and "ZOË" both go).
So the rendered PDF never holds a redacted name: there is nothing under a black box to recover.

What is kept as written: account handles and web addresses (the recipient needs them to find
the account) and evidence hashes. The school's name and the full names of people who *are*
named are protected, so a shared surname does not mangle them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from casebook.domain import (
    Person,
    PersonKind,
    PersonRole,
)
from casebook.reports.data import CaseReportData, OfficialAccountRef
from casebook.reports.templates import TemplateDef, Wording

__all__ = [
    "RedactionPlan",
    "Redactor",
    "plan_redaction",
    "apply_redaction",
    "redact_case",
    "default_named_person_ids",
    "name_terms",
]

#: Titles that are not name parts ("Mrs Smith" must not redact every "Mrs").
_HONORIFICS = frozenset({"mr", "mrs", "miss", "ms", "mx", "dr", "sir", "prof", "rev", "revd",
                         "the", "and", "von", "van", "der", "den", "del", "della", "les"})
#: Letters that Unicode does not decompose but people often type without the accent.
_TRANSLITERATE = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                                "þ": "th", "ı": "i", "ß": "ss"})
_WORD = r"[^\W_]"  # a letter or digit in any script


def _fold(text: str) -> tuple[str, list[int]]:
    """Case- and accent-folded text, and for each folded character its index in ``text``."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        base = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))
        piece = base.casefold().translate(_TRANSLITERATE)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def _fold_term(term: str) -> str:
    return _fold(unicodedata.normalize("NFC", term))[0]


def name_terms(name: str) -> list[str]:
    """The strings that identify a person: the full name and each part of 3+ letters."""
    clean = " ".join(unicodedata.normalize("NFC", name).split())
    terms: list[str] = [clean] if clean else []
    for token in clean.split(" "):
        token = token.strip(".,;:()[]\"“”")
        pieces = [token, *re.split(r"[-'’]", token)]
        for piece in pieces:
            letters = sum(ch.isalpha() for ch in piece)
            if letters >= 3 and piece.casefold() not in _HONORIFICS and piece not in terms:
                terms.append(piece)
    return terms


class Redactor:
    """Replaces the names of redacted people in free text with their labels."""

    def __init__(self, replacements: Iterable[tuple[str, str]],
                 protected: Iterable[str] = ()) -> None:
        by_term: dict[str, set[str]] = {}
        for term, label in replacements:
            folded = _fold_term(term)
            if folded.strip():
                by_term.setdefault(folded, set()).add(label)
        self._labels = {term: " or ".join(sorted(labels)) for term, labels in by_term.items()}
        self._protected = {t for t in (_fold_term(p) for p in protected if p.strip())
                           if t and t not in self._labels}
        terms = sorted(set(self._labels) | self._protected, key=len, reverse=True)
        self._pattern = (
            re.compile(rf"(?<!{_WORD})(?:{'|'.join(re.escape(t) for t in terms)})(?!{_WORD})")
            if self._labels else None
        )

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str | None) -> str | None:
        if not value or self._pattern is None:
            return value
        value = unicodedata.normalize("NFC", value)
        folded, origin = _fold(value)
        pieces: list[str] = []
        last = 0
        for match in self._pattern.finditer(folded):
            label = self._labels.get(match.group(0))
            if label is None:  # a protected phrase: keep as written
                continue
            start = origin[match.start()]
            end = origin[match.end() - 1] + 1
            if start < last:
                continue
            pieces.append(value[last:start])
            pieces.append(label)
            last = end
        if not pieces:
            return value
        pieces.append(value[last:])
        return "".join(pieces)

    def required(self, value: str) -> str:
        return self.text(value) or ""

    def deep(self, value: Any) -> Any:
        """Redact every string inside plain JSON-like data (keys are field names: kept)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {key: self.deep(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.deep(item) for item in value)
        return value


@dataclass(frozen=True)
class RedactionPlan:
    """Who is named and who is shown under a label, for one export (fit for the audit log)."""

    named_ids: frozenset[int]
    labels: Mapping[int, str]  # person id -> label, for everyone redacted
    forced_kinds: frozenset[PersonKind] = frozenset()
    #: People redacted because of their kind (the template's rule), whatever was chosen.
    forced_ids: frozenset[int] = frozenset()

    def label_for(self, person: Person) -> str:
        return self.labels.get(person.id, person.name)

    #: A label to quote in the statement on the cover (a learner's, if any is redacted).
    example_label: str = ""


def _letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, ..."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def plan_redaction(people: Iterable[Person], named_person_ids: Iterable[int],
                   wording: Wording, definition: TemplateDef | None = None) -> RedactionPlan:
    """Decide labels: by kind, in order of person id, so they are stable between exports."""
    forced = definition.always_redact if definition is not None else frozenset()
    wanted = frozenset(named_person_ids)
    named: set[int] = set()
    forced_ids: set[int] = set()
    labels: dict[int, str] = {}
    counters: dict[PersonKind, int] = {}
    people = sorted(people, key=lambda p: p.id)
    for person in people:
        if person.id in wanted and person.kind not in forced:
            named.add(person.id)
            continue
        if person.kind in forced:
            forced_ids.add(person.id)
        number = counters.get(person.kind, 0)
        counters[person.kind] = number + 1
        labels[person.id] = f"{wording.pseudonym_prefix(person.kind)} {_letters(number)}"
    learners = [labels[p.id] for p in people if p.id in labels and p.kind == PersonKind.LEARNER]
    example = learners[0] if learners else next(iter(labels.values()), "")
    return RedactionPlan(frozenset(named), labels, frozenset(forced), frozenset(forced_ids),
                         example)


def _redactor_for(data: CaseReportData, plan: RedactionPlan) -> Redactor:
    replacements = [(term, plan.labels[person.id])
                    for person in data.people if person.id in plan.labels
                    for term in name_terms(person.name)]
    protected = [data.school.name] + [p.name for p in data.people if p.id in plan.named_ids]
    return Redactor(replacements, protected)


def apply_redaction(data: CaseReportData, plan: RedactionPlan) -> tuple[CaseReportData, Redactor]:
    """A copy of ``data`` with every redacted name replaced. Handles and URLs are kept."""
    r = _redactor_for(data, plan)
    case = data.case
    steps = tuple(replace(step, completed_by=r.text(step.completed_by), data=r.deep(step.data))
                  for step in case.steps)
    case = replace(case, title=r.required(case.title), summary=r.required(case.summary),
                   created_by=r.required(case.created_by),
                   closed_reason=r.text(case.closed_reason), steps=steps)

    people = []
    for person in data.people:
        if person.id in plan.named_ids:
            people.append(replace(person, notes=r.required(person.notes)))
            continue
        forced = person.kind in plan.forced_kinds
        people.append(replace(
            person,
            name=plan.labels[person.id],
            date_of_birth=None,
            year_group=None if forced else person.year_group,
            notes="" if forced else r.required(person.notes),
        ))

    return replace(
        data,
        dsl_name=r.required(data.dsl_name),
        case=case,
        people=tuple(people),
        accounts=tuple(replace(a, platform=r.required(a.platform), notes=r.required(a.notes))
                       for a in data.accounts),
        chronology=tuple(replace(e, author=r.required(e.author), text=r.required(e.text),
                                 amendment_reason=r.text(e.amendment_reason))
                         for e in data.chronology),
        decisions=tuple(replace(d, what=r.required(d.what), why=r.required(d.why),
                                who=r.required(d.who), recorded_by=r.required(d.recorded_by))
                        for d in data.decisions),
        actions=tuple(replace(a, description=r.required(a.description),
                              owner=r.required(a.owner))
                      for a in data.actions),
        evidence=tuple(replace(e, description=r.required(e.description),
                               added_by=r.required(e.added_by), source=r.required(e.source),
                               filename=r.text(e.filename))
                       for e in data.evidence),
        platform_reports=tuple(replace(p, recipient=r.required(p.recipient),
                                       channel=r.required(p.channel),
                                       request=r.required(p.request),
                                       response=r.required(p.response))
                               for p in data.platform_reports),
        official_accounts=tuple(OfficialAccountRef(o.platform, o.handle, o.url,
                                                   r.required(o.verified))
                                for o in data.official_accounts),
    ), r


def redact_case(data: CaseReportData, named_person_ids: Iterable[int], wording: Wording,
                definition: TemplateDef | None = None
                ) -> tuple[CaseReportData, RedactionPlan, Redactor]:
    """Plan and apply redaction in one go."""
    plan = plan_redaction(data.people, named_person_ids, wording, definition)
    redacted, redactor = apply_redaction(data, plan)
    return redacted, plan, redactor


def staff_concerned(people: Iterable[Person]) -> list[Person]:
    """Staff the allegation is about: staff harmed by, or thought to be behind, the account."""
    staff = [p for p in people if p.kind == PersonKind.STAFF]
    concerned = [p for p in staff if p.role in (PersonRole.HARMED, PersonRole.SUSPECTED_CREATOR)]
    return concerned or staff


def default_named_person_ids(data: CaseReportData, definition: TemplateDef) -> frozenset[int]:
    """Whom the export dialog should tick by default for a template."""
    rule = definition.default_named
    if rule == "all":
        chosen = list(data.people)
    elif rule == "staff-concerned":
        chosen = staff_concerned(data.people)
    elif rule == "staff-harmed":
        chosen = [p for p in data.people
                  if p.kind == PersonKind.STAFF and p.role == PersonRole.HARMED]
    else:
        chosen = []
    return frozenset(p.id for p in chosen if p.kind not in definition.always_redact)
