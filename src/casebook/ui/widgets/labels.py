"""Plain words for the stored enum values (wording terms come from the school's profile)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox

from casebook.domain import (
    AccountKind,
    AccountStatus,
    CaseStatus,
    CaseType,
    PersonKind,
    PersonRole,
    RiskLevel,
)

CASE_TYPES = {
    CaseType.IMPERSONATION: "Fake or impersonating account",
    CaseType.BAITING: "Baiting account (collects photos and rumours)",
    CaseType.HARASSMENT: "Harassment of {learners}",
    CaseType.STAFF_ALLEGATION: "Harassment of, or allegation against, staff",
    CaseType.VIDEO: "Fight or other video",
    CaseType.OTHER: "Other online-safety concern",
}
CASE_STATUSES = {
    CaseStatus.OPEN: "Open",
    CaseStatus.MONITORING: "Monitoring",
    CaseStatus.CLOSED: "Closed",
}
RISKS = {
    RiskLevel.LOW: "Low",
    RiskLevel.MEDIUM: "Medium",
    RiskLevel.HIGH: "High",
    RiskLevel.CRITICAL: "Critical",
}
PERSON_KINDS = {
    PersonKind.LEARNER: "{Learner}",
    PersonKind.STAFF: "Member of staff",
    PersonKind.PARENT: "Parent or carer",
    PersonKind.OTHER: "Other",
}
PERSON_ROLES = {
    PersonRole.HARMED: "Harmed or targeted",
    PersonRole.SUSPECTED_CREATOR: "Suspected of making it",
    PersonRole.SHARER: "Shared it",
    PersonRole.WITNESS: "Witness",
    PersonRole.REPORTER: "Reported it",
    PersonRole.ALLEGATION_SUBJECT: "Subject of an allegation",
}
ACCOUNT_KINDS = {
    AccountKind.IMPERSONATING_SCHOOL: "Pretends to be the school",
    AccountKind.IMPERSONATING_STAFF: "Pretends to be a member of staff",
    AccountKind.IMPERSONATING_LEARNER: "Pretends to be a learner",
    AccountKind.BAITING: "Baiting (collects photos and rumours)",
    AccountKind.HARASSING: "Harassing",
}
ACCOUNT_STATUSES = {
    AccountStatus.ACTIVE: "Still up",
    AccountStatus.REPORTED: "Reported",
    AccountStatus.REMOVED: "Removed",
    AccountStatus.REFUSED: "Platform refused",
    AccountStatus.UNKNOWN: "Not known",
}
TRACKER_STATUSES = {
    "waiting": "Waiting for a reply",
    "removed": "Removed",
    "refused": "Refused",
    "no-response": "No response",
    "escalated": "Escalated",
    "closed": "Closed",
}


def label(mapping: dict, value: object, fill: Callable[[str], str] | None = None) -> str:  # type: ignore[type-arg]
    text = mapping.get(value, str(value))
    return fill(text) if fill is not None else text


def fill_combo(combo: QComboBox, mapping: dict, fill: Callable[[str], str] | None = None) -> None:  # type: ignore[type-arg]
    """Items show the words, carry the stored value as item data."""
    combo.clear()
    for value, text in mapping.items():
        combo.addItem(fill(text) if fill is not None else text, value.value
                      if hasattr(value, "value") else value)


def combo_value(combo: QComboBox) -> str | None:
    value = combo.currentData()
    return str(value) if value is not None else None


def set_combo_value(combo: QComboBox, value: object) -> None:
    raw = getattr(value, "value", value)
    index = combo.findData(raw)
    if index >= 0:
        combo.setCurrentIndex(index)
