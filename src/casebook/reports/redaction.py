"""Redaction happens in the data, before anything is laid out.

People who are not chosen to be named get a stable label by kind and order ("Learner A",
"Staff member B", "Parent A", "Person A"; "Student A" in the US profile). Their names are
replaced in every text that reaches the PDF - free text, file names, account handles and web
addresses included - however they were typed (see ``names``: inside file names and CamelCase,
next to digits, underscores and dots, in e-mail addresses, as possessives, as an initial or a
title with the surname). So the rendered PDF never holds a redacted name: there is nothing under
a black box to recover.

What is kept as written: evidence hashes, and the school's name and the full names of people who
*are* named (a shared surname is resolved per person, see ``names``). The redactor counts what
it replaced by label, so the DSL can see before saving what was changed (never the original).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from casebook.domain import (
    Person,
    PersonKind,
    PersonRole,
)
from casebook.reports.data import CaseReportData, OfficialAccountRef
from casebook.reports.names import NameFinder, NameSubject, fold
from casebook.reports.names import name_parts as _name_words
from casebook.reports.templates import TemplateDef, Wording

__all__ = [
    "RedactionPlan",
    "Redactor",
    "NameFinding",
    "plan_redaction",
    "apply_redaction",
    "redact_case",
    "default_named_person_ids",
    "find_known_names",
    "name_terms",
    "subject_for",
]

#: What replaces a part of a name shared by several people when the text does not say whose.
AMBIGUOUS_LABEL = "[name removed]"


def name_terms(name: str) -> list[str]:
    """The strings that identify a person: the full name and each part of 3+ letters."""
    clean = " ".join(name.split())
    words = _name_words(clean)
    terms: list[str] = [clean] if clean else []
    for word in words:
        for piece in [word, *[p for p in word.replace("’", "'").replace("'", "-").split("-")
                              if p != word]]:
            letters = sum(ch.isalpha() for ch in piece)
            if letters >= 3 and fold(piece) not in {"the", "and", "von", "van", "der", "den",
                                                    "del", "della", "les"} \
                    and piece not in terms:
                terms.append(piece)
    return terms


def subject_for(person: Person, label: str | None) -> NameSubject:
    return NameSubject(person.name, label, adult=person.kind != PersonKind.LEARNER,
                       ref=person.id)


class Redactor:
    """Replaces the names of redacted people in text with their labels, and counts them."""

    def __init__(self, subjects: Iterable[NameSubject], protected: Iterable[str] = (),
                 ambiguous: str = AMBIGUOUS_LABEL) -> None:
        subjects = tuple(subjects)
        self._finder = NameFinder(subjects, protected)
        self._active = any(s.label for s in subjects)
        self._ambiguous = ambiguous
        #: label -> how many times it replaced a name (for the DSL's check before saving)
        self.counts: Counter[str] = Counter()

    def __bool__(self) -> bool:
        return self._active

    def text(self, value: str | None) -> str | None:
        if not value or not self._active:
            return value
        value = unicodedata.normalize("NFC", value)
        pieces: list[str] = []
        last = 0
        for match in self._finder.find(value):
            subject = match.subject
            if subject is not None:
                label = subject.label
            elif any(s.label for s in match.subjects):
                label = self._ambiguous
            else:
                label = None
            if label is None:  # a named person or the school: kept as written
                continue
            pieces.append(value[last:match.start])
            pieces.append(label + ("'s" if match.possessive else ""))
            self.counts[label] += 1
            last = match.end
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
class NameFinding:
    """A known person's name found in free text the engine cannot attribute (for the DSL)."""

    person_id: int
    kind: PersonKind
    start: int
    end: int
    found: str


def find_known_names(text: str, people: Iterable[Person],
                     protected: Iterable[str] = ()) -> list[NameFinding]:
    """Names of any of ``people`` in ``text`` (e.g. governors' commentary), for the DSL to fix.

    A part shared by several people is reported once for each of them.
    """
    people = list(people)
    if not text or not people:
        return []
    text = unicodedata.normalize("NFC", text)
    finder = NameFinder((subject_for(p, "x") for p in people), protected)
    by_id = {p.id: p for p in people}
    out: list[NameFinding] = []
    for match in finder.find(text):
        for subject in match.subjects:
            if subject.label is None or subject.ref not in by_id:
                continue
            person = by_id[subject.ref]  # type: ignore[index]
            out.append(NameFinding(person.id, person.kind, match.start, match.end,
                                   text[match.start:match.end]))
    return out


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


def _redactor_for(data: CaseReportData, plan: RedactionPlan,
                  ambiguous: str = AMBIGUOUS_LABEL) -> Redactor:
    subjects = [subject_for(person, plan.labels.get(person.id)) for person in data.people]
    return Redactor(subjects, [data.school.name], ambiguous)


def apply_redaction(data: CaseReportData, plan: RedactionPlan,
                    ambiguous: str = AMBIGUOUS_LABEL) -> tuple[CaseReportData, Redactor]:
    """A copy of ``data`` with every redacted name replaced, handles and web addresses too."""
    r = _redactor_for(data, plan, ambiguous)
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
        accounts=tuple(replace(a, platform=r.required(a.platform), notes=r.required(a.notes),
                               handle=r.required(a.handle), url=r.text(a.url),
                               platform_account_id=r.text(a.platform_account_id))
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
                               filename=r.text(e.filename), url=r.text(e.url))
                       for e in data.evidence),
        platform_reports=tuple(replace(p, recipient=r.required(p.recipient),
                                       channel=r.required(p.channel),
                                       reference=r.required(p.reference),
                                       request=r.required(p.request),
                                       response=r.required(p.response))
                               for p in data.platform_reports),
        official_accounts=tuple(OfficialAccountRef(o.platform, r.required(o.handle),
                                                   r.text(o.url), r.required(o.verified))
                                for o in data.official_accounts),
    ), r


def redact_case(data: CaseReportData, named_person_ids: Iterable[int], wording: Wording,
                definition: TemplateDef | None = None
                ) -> tuple[CaseReportData, RedactionPlan, Redactor]:
    """Plan and apply redaction in one go."""
    plan = plan_redaction(data.people, named_person_ids, wording, definition)
    redacted, redactor = apply_redaction(data, plan, wording("name_removed"))
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
