"""Plain dataclasses passed between services and the UI/reports (never ORM rows, never Qt)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from casebook.domain.enums import (
    AccountKind,
    AccountStatus,
    CaseStatus,
    CaseType,
    EvidenceKind,
    Jurisdiction,
    PersonKind,
    PersonRole,
    RiskLevel,
    StepKey,
    StepStatus,
    UserRole,
)
from casebook.domain.errors import ValidationError

__all__ = [
    "School", "User", "Step", "CaseSummary", "Case", "Person", "SocialAccount",
    "ChronologyEntry", "Decision", "Action", "EvidenceItem", "AuditEntry", "PlatformReport",
    "REFERENCE_PATTERN", "format_reference", "require_text", "normalise_url",
]

REFERENCE_PATTERN = re.compile(r"^CB-(\d{4})-(\d{4,})$")


def format_reference(year: int, number: int) -> str:
    """Case reference as shown to users, e.g. ``CB-2026-0007``."""
    return f"CB-{year:04d}-{number:04d}"


def require_text(value: str | None, what: str, max_length: int = 500) -> str:
    """Trimmed text, or a ValidationError naming the field in plain words."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"Please enter {what}.")
    if len(text) > max_length:
        raise ValidationError(f"The {what} is too long ({len(text)} characters; at most {max_length}).")
    return text


def normalise_url(value: str | None) -> str | None:
    """Accept a web address with or without ``https://``; refuse anything that is not one."""
    text = (value or "").strip()
    if not text:
        return None
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        text = "https://" + text
    if not re.match(r"^https?://[^\s/]+\.[^\s/]+", text) or any(c.isspace() for c in text):
        raise ValidationError(f"“{value}” does not look like a web address.")
    return text


@dataclass(frozen=True)
class School:
    name: str
    jurisdiction: Jurisdiction
    created_at: datetime


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: UserRole
    created_at: datetime
    active: bool = True


@dataclass(frozen=True)
class Step:
    key: StepKey
    status: StepStatus = StepStatus.NOT_STARTED
    completed_at: datetime | None = None
    completed_by: str | None = None
    #: Structured answers for the step's wizard page (plain JSON values).
    data: dict = field(default_factory=dict)
    #: The stored step's id (what a correction of its answers names); None before it is saved.
    id: int | None = None


@dataclass(frozen=True)
class CaseSummary:
    """One row of the case list (plain columns, cheap to load in pages)."""

    id: int
    reference: str
    title: str
    case_type: CaseType
    status: CaseStatus
    risk: RiskLevel
    opened_at: datetime
    updated_at: datetime
    overdue_actions: int = 0
    steps_done: int = 0


@dataclass(frozen=True)
class Case:
    id: int
    reference: str
    title: str
    case_type: CaseType
    summary: str
    status: CaseStatus
    risk: RiskLevel
    opened_at: datetime
    updated_at: datetime
    created_by: str
    closed_at: datetime | None = None
    closed_reason: str | None = None
    steps: tuple[Step, ...] = ()

    def step(self, key: StepKey) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        return Step(key)


@dataclass(frozen=True)
class Person:
    id: int
    case_id: int
    name: str
    kind: PersonKind
    role: PersonRole
    date_of_birth: date | None = None
    year_group: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class SocialAccount:
    id: int
    case_id: int
    platform: str
    handle: str
    kind: AccountKind
    url: str | None = None
    first_seen: date | None = None
    follower_count: int | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    notes: str = ""
    #: The platform's own numeric id of the account, when it can be seen.
    platform_account_id: str | None = None


@dataclass(frozen=True)
class ChronologyEntry:
    """A dated, attributed entry. An amendment is a new entry that points at the original."""

    id: int
    case_id: int
    occurred_at: datetime
    recorded_at: datetime
    author: str
    text: str
    amends_id: int | None = None  # set on an amendment: the entry it corrects
    amended_by_id: int | None = None  # set on an original that has since been amended
    amendment_reason: str | None = None
    system: bool = False  # written by Casebook itself (case opened, evidence added...)

    @property
    def is_amended(self) -> bool:
        return self.amended_by_id is not None


@dataclass(frozen=True)
class Decision:
    id: int
    case_id: int
    made_at: datetime
    what: str
    why: str
    who: str
    recorded_by: str


@dataclass(frozen=True)
class Action:
    id: int
    case_id: int
    description: str
    owner: str
    due_date: date | None
    created_at: datetime
    done_at: datetime | None = None

    def is_overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_date is not None and self.due_date < today


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    case_id: int
    kind: EvidenceKind
    description: str
    added_at: datetime
    added_by: str
    source: str = ""
    filename: str | None = None
    media_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    url: str | None = None
    #: When the screenshot or capture was taken, if known (``added_at`` is when it was stored).
    captured_at: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class PlatformReport:
    """A report made about an account (to a platform, helpline, police or local authority)."""

    id: int
    case_id: int
    account_id: int | None
    body: str  # e.g. "platform", "helpline", "report-harmful-content", "police", "local-authority"
    recipient: str  # e.g. "Instagram", "POSH"
    channel: str
    made_at: datetime
    reference: str
    request: str
    status: str  # waiting / removed / refused / no-response / escalated
    response: str = ""
    outcome_at: datetime | None = None
