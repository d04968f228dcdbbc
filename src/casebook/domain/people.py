"""The people register: learners, staff, parents and carers and others, each held once and
linked to the cases they appear in with a role in that case."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from casebook.domain.enums import PersonKind, PersonRole
from casebook.domain.errors import ValidationError

__all__ = [
    "RegisterEntry", "CaseLink", "FamilyLink", "FamilyMember", "FamilyRemoval", "FamilyRelation",
    "LearnerFileEntry", "LearnerFile", "ALLEGATION_OUTCOMES", "upn_check_letter", "normalise_upn", "add_years", "ROLE_LABELS",
]

#: The DfE check-letter alphabet: 23 letters, without I, O and S.
_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_BODY = re.compile(r"^[A-Z](\d{11})(\d|[A-Z])$")

ROLE_LABELS = {
    PersonRole.HARMED: "harmed or targeted",
    PersonRole.SUSPECTED_CREATOR: "suspected creator",
    PersonRole.SHARER: "sharer",
    PersonRole.WITNESS: "witness",
    PersonRole.REPORTER: "reporter",
    PersonRole.ALLEGATION_SUBJECT: "subject of an allegation",
}


def upn_check_letter(upn: str) -> str:
    """The check letter (character 1) a UPN must carry, from characters 2-13 (DfE UPN guide):
    each character times its position, a letter in position 13 counting as its place in the
    check alphabet, the sum modulo 23 picking the letter."""
    total = 0
    for position, char in enumerate(upn[1:13], start=2):
        value = int(char) if char.isdigit() else _CHECK_LETTERS.index(char)
        total += value * position
    return _CHECK_LETTERS[total % 23]


def normalise_upn(value: str | None) -> str | None:
    """A UPN in capitals without spaces, or None when blank; a ValidationError when it is not a
    valid UPN (13 characters with the right check letter)."""
    text = re.sub(r"\s+", "", value or "").upper()
    if not text:
        return None
    if len(text) != 13:
        raise ValidationError(f"The UPN “{value}” should be 13 characters long "
                              f"(it has {len(text)}).")
    match = _UPN_BODY.match(text)
    if match is None or (text[12].isalpha() and text[12] not in _CHECK_LETTERS):
        raise ValidationError(f"The UPN “{value}” should be a letter, 11 digits, then a digit "
                              "or letter.")
    if text[0] != upn_check_letter(text):
        raise ValidationError(f"The UPN “{value}” has the wrong check letter: please check it "
                              "against the school's records.")
    return text


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class FamilyRelation(StrEnum):
    SIBLING = "sibling"
    PARENT_OR_CARER = "parent-or-carer"  # person is a parent or carer of the related person


@dataclass(frozen=True)
class RegisterEntry:
    """One person, held once. For learners the names are the legal names from the MIS."""

    id: int
    kind: PersonKind
    forename: str
    surname: str
    preferred_name: str = ""
    upn: str | None = None
    date_of_birth: date | None = None
    year_group: str = ""
    registration_group: str = ""
    on_roll: bool = True
    left_on: date | None = None
    job_title: str = ""
    notes: str = ""
    received_from: str = ""
    created_at: datetime | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.forename, self.surname) if p)

    @property
    def display_name(self) -> str:
        """The name people use, with the legal name beside it when they differ."""
        if self.preferred_name and self.preferred_name != self.forename:
            return f"{self.preferred_name} {self.surname} ({self.full_name})".strip()
        return self.full_name

    def review_date(self) -> date | None:
        """Child protection records are kept until date of birth + 25 years, then reviewed."""
        if self.kind != PersonKind.LEARNER or self.date_of_birth is None:
            return None
        return add_years(self.date_of_birth, 25)


@dataclass(frozen=True)
class CaseLink:
    """A register entry's appearance on one case, in one role."""

    id: int  # the case person row
    case_id: int
    case_reference: str
    person_id: int
    role: PersonRole
    outcome: str = ""  # allegations about staff: substantiated, false, malicious, ...


@dataclass(frozen=True)
class FamilyLink:
    id: int
    person_id: int
    related_id: int
    relation: FamilyRelation


@dataclass(frozen=True)
class FamilyMember:
    """Someone linked to a person in the register, seen from that person."""

    link_id: int
    words: str  # "Sibling", "Parent or carer", "Parent or carer of"
    other: RegisterEntry


@dataclass(frozen=True)
class FamilyRemoval:
    """A family link removed as a correction: kept with the reason, who and when."""

    link_id: int
    words: str
    other_name: str
    reason: str
    removed_at: datetime
    removed_by: str


@dataclass(frozen=True)
class LearnerFileEntry:
    """One line of a learner's chronology across cases."""

    occurred_at: datetime
    case_reference: str
    role: PersonRole
    author: str
    text: str
    kind: str = "entry"  # entry, decision or action


@dataclass(frozen=True)
class LearnerFile:
    learner: RegisterEntry
    entries: tuple[LearnerFileEntry, ...]
    open_cases: tuple[tuple[str, str, PersonRole], ...]  # reference, title, role
    open_actions: tuple[tuple[str, str, date | None], ...]  # reference, description, due
    family: tuple[tuple[str, str], ...] = ()  # relation, name


#: Outcomes of an allegation about a member of staff (Keeping children safe in education).
ALLEGATION_OUTCOMES = ("substantiated", "false", "malicious", "unsubstantiated", "unfounded")
