"""Enumerations of the safeguarding domain. Values are stable strings stored in the database."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Jurisdiction", "UserRole", "CaseType", "CaseStatus", "RiskLevel", "StepKey", "StepStatus",
    "PersonKind", "PersonRole", "AccountKind", "AccountStatus", "EvidenceKind", "STEP_ORDER",
]


class Jurisdiction(StrEnum):
    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"
    US = "us"


class UserRole(StrEnum):
    DSL = "dsl"
    DEPUTY = "deputy"
    VIEWER = "viewer"  # read-only


class CaseType(StrEnum):
    IMPERSONATION = "impersonation"  # fake or impersonating account
    BAITING = "baiting"  # "Muggies"-style account collecting photos and rumours
    HARASSMENT = "harassment"  # harassment of learners
    STAFF_ALLEGATION = "staff-allegation"  # harassment of, or allegation against, staff
    VIDEO = "video"  # fight or other video
    OTHER = "other"  # other online-safety concern


class CaseStatus(StrEnum):
    OPEN = "open"
    MONITORING = "monitoring"
    CLOSED = "closed"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class StepKey(StrEnum):
    """The five response steps, in order."""

    GATHER_EVIDENCE = "gather-evidence"
    INVESTIGATION = "investigation"
    SANCTIONS = "sanctions"
    SUPPORT = "support"
    REPORT = "report"


STEP_ORDER: tuple[StepKey, ...] = tuple(StepKey)


class StepStatus(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    NOT_NEEDED = "not-needed"


class PersonKind(StrEnum):
    LEARNER = "learner"
    STAFF = "staff"
    PARENT = "parent"
    OTHER = "other"


class PersonRole(StrEnum):
    HARMED = "harmed"
    SUSPECTED_CREATOR = "suspected-creator"
    SHARER = "sharer"
    WITNESS = "witness"
    REPORTER = "reporter"
    ALLEGATION_SUBJECT = "allegation-subject"  # a member of staff an allegation is about


class AccountKind(StrEnum):
    IMPERSONATING_SCHOOL = "impersonating-school"
    IMPERSONATING_STAFF = "impersonating-staff"
    IMPERSONATING_LEARNER = "impersonating-learner"
    BAITING = "baiting"
    HARASSING = "harassing"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    REPORTED = "reported"
    REMOVED = "removed"
    REFUSED = "refused"  # platform said it does not break its rules
    UNKNOWN = "unknown"


class EvidenceKind(StrEnum):
    FILE = "file"  # a stored file
    NOTE = "note"  # description + URL only (for example after the safety gate)
