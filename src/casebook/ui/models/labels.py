"""Plain words for the stored enum values, and the casebook's wording terms (learner/student).

Only the UI shows these; services keep the stable stored values. Wording follows the
casebook's jurisdiction profile; if a profile cannot be read the en-GB defaults are used, so a
damaged data file never stops the app from starting.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

from casebook.domain.enums import CaseStatus, CaseType, Jurisdiction, RiskLevel, UserRole

log = logging.getLogger(__name__)

JURISDICTION_NAMES: Mapping[Jurisdiction, str] = MappingProxyType({
    Jurisdiction.ENGLAND: "England",
    Jurisdiction.WALES: "Wales",
    Jurisdiction.SCOTLAND: "Scotland",
    Jurisdiction.NORTHERN_IRELAND: "Northern Ireland",
    Jurisdiction.US: "United States",
})

_GB_TERMS = {
    "learner": "learner", "learners": "learners", "local_authority": "local authority",
    "dsl": "designated safeguarding lead", "dsl_short": "DSL", "parents": "parents and carers",
}
_US_TERMS = {
    "learner": "student", "learners": "students", "local_authority": "district",
    "dsl": "school safety lead", "dsl_short": "safety lead", "parents": "parents and guardians",
}

#: The en-GB words before a casebook is open (the profile is read once one is: no TOML to parse
#: before the unlock window is up).
DEFAULT_TERMS: Mapping[str, str] = MappingProxyType(dict(_GB_TERMS))


def wording(jurisdiction: Jurisdiction | str | None) -> Mapping[str, str]:
    """The wording terms for a jurisdiction (``learner``, ``learners``, ``local_authority`` …)."""
    try:
        j = Jurisdiction(jurisdiction) if jurisdiction else Jurisdiction.ENGLAND
    except ValueError:
        j = Jurisdiction.ENGLAND
    fallback = _US_TERMS if j == Jurisdiction.US else _GB_TERMS
    try:
        from casebook.profiles import load_profile

        terms = dict(fallback)
        terms.update(load_profile(j).terms)
        return MappingProxyType(terms)
    except Exception:  # a damaged profile must not stop the app; say so in the log only
        log.warning("jurisdiction profile %s could not be read; using default wording", j.value)
        return MappingProxyType(dict(fallback))


def case_type_label(case_type: CaseType | str, terms: Mapping[str, str] | None = None) -> str:
    learners = (terms or _GB_TERMS).get("learners", "learners")
    return {
        CaseType.IMPERSONATION: "Fake or impersonating account",
        CaseType.BAITING: "Baiting account (collects photos and rumours)",
        CaseType.HARASSMENT: f"Harassment of {learners}",
        CaseType.STAFF_ALLEGATION: "Harassment of, or allegation against, staff",
        CaseType.VIDEO: "Fight or other video",
        CaseType.OTHER: "Other online-safety concern",
    }.get(CaseType(case_type), str(case_type))


def case_type_short(case_type: CaseType | str) -> str:
    """A short label for narrow places such as the case list."""
    return {
        CaseType.IMPERSONATION: "Impersonation",
        CaseType.BAITING: "Baiting account",
        CaseType.HARASSMENT: "Harassment",
        CaseType.STAFF_ALLEGATION: "Staff",
        CaseType.VIDEO: "Video",
        CaseType.OTHER: "Other",
    }.get(CaseType(case_type), str(case_type))


STATUS_LABELS: Mapping[CaseStatus, str] = MappingProxyType({
    CaseStatus.OPEN: "Open",
    CaseStatus.MONITORING: "Monitoring",
    CaseStatus.CLOSED: "Closed",
})

RISK_LABELS: Mapping[RiskLevel, str] = MappingProxyType({
    RiskLevel.LOW: "Low",
    RiskLevel.MEDIUM: "Medium",
    RiskLevel.HIGH: "High",
    RiskLevel.CRITICAL: "Critical",
})

ROLE_LABELS: Mapping[UserRole, str] = MappingProxyType({
    UserRole.DSL: "Lead (can do everything)",
    UserRole.DEPUTY: "Deputy (can record and change cases)",
    UserRole.VIEWER: "Viewer (can read only)",
})

ROLE_SHORT: Mapping[UserRole, str] = MappingProxyType({
    UserRole.DSL: "Lead",
    UserRole.DEPUTY: "Deputy",
    UserRole.VIEWER: "Viewer",
})
