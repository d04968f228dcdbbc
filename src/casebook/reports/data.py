"""Plain inputs of the report engine: what a service gathers before it asks for a PDF.

Nothing here touches the database: a service builds these from domain objects, the engine
redacts them (see ``redaction``) and renders them. ``GovernorsSummaryData`` holds counts only,
so it cannot carry a name even by mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from casebook.domain import (
    Action,
    Case,
    ChronologyEntry,
    Decision,
    EvidenceItem,
    Person,
    PlatformReport,
    School,
    SocialAccount,
)
from casebook.errors import ValidationError

__all__ = [
    "OfficialAccountRef",
    "CaseReportData",
    "GovernorsSummaryData",
    "ExportOptions",
    "ImageLoader",
    "ProgressCallback",
]

#: Returns the stored bytes of an evidence item (by id), or None when there are none to show.
ImageLoader = Callable[[int], bytes | None]
#: Called as ``progress(done, total)``; ``done`` only grows and ends equal to ``total``.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class OfficialAccountRef:
    """One of the school's own accounts, shown beside a fake one for comparison."""

    platform: str
    handle: str
    url: str | None = None
    #: e.g. "Verified (blue tick) since March 2024" or "Not verified: refused twice".
    verified: str = ""


@dataclass(frozen=True)
class CaseReportData:
    """Everything a case template may show. Chronology holds originals and amendments."""

    school: School
    dsl_name: str
    case: Case
    people: tuple[Person, ...] = ()
    accounts: tuple[SocialAccount, ...] = ()
    chronology: tuple[ChronologyEntry, ...] = ()
    decisions: tuple[Decision, ...] = ()
    actions: tuple[Action, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    platform_reports: tuple[PlatformReport, ...] = ()
    official_accounts: tuple[OfficialAccountRef, ...] = ()
    #: Loads evidence bytes for thumbnails/screenshots; called only for image items.
    evidence_image: ImageLoader | None = field(default=None, compare=False, repr=False)
    #: The school's and the referrer's contact details from the settings, by key:
    #: address, urn, headteacher, phone, email, website ("" or missing: not recorded).
    school_details: Mapping[str, str] = field(default_factory=dict)


def _frozen_counts(value: Mapping[str, int]) -> Mapping[str, int]:
    counts: dict[str, int] = {}
    for key, number in value.items():
        if not isinstance(key, str) or isinstance(number, bool) or not isinstance(number, int):
            raise ValidationError("The summary counts must be whole numbers by category.")
        if number < 0:
            raise ValidationError("The summary counts cannot be negative.")
        counts[str(key)] = number
    return MappingProxyType(counts)


@dataclass(frozen=True)
class GovernorsSummaryData:
    """Anonymised counts for the governors' termly summary (categories and numbers only).

    Keys of the count mappings are category values; the template turns known values into
    words. ``counts_by_type``: cases by ``CaseType`` value; ``counts_by_status``: cases by
    ``CaseStatus`` value; ``counts_by_platform``: accounts by platform name;
    ``counts_by_outcome``: platform reports by status ("removed", "refused", "waiting",
    "no-response", "escalated"). ``cases_per_month`` is ordered:
    ``(("2026-01", 3), ("2026-02", 5), ...)``.
    """

    period_label: str
    school: School
    total_cases: int
    counts_by_type: Mapping[str, int] = field(default_factory=dict)
    counts_by_status: Mapping[str, int] = field(default_factory=dict)
    counts_by_platform: Mapping[str, int] = field(default_factory=dict)
    counts_by_outcome: Mapping[str, int] = field(default_factory=dict)
    cases_per_month: tuple[tuple[str, int], ...] = ()
    #: Optional free wording from the DSL (the service checks it for known names first).
    commentary: str = ""
    #: Counts from 1 up to this number less one print as "fewer than N" (0: all shown).
    small_count_threshold: int = 3

    def __post_init__(self) -> None:
        for name in ("counts_by_type", "counts_by_status", "counts_by_platform",
                     "counts_by_outcome"):
            object.__setattr__(self, name, _frozen_counts(getattr(self, name)))
        object.__setattr__(
            self, "cases_per_month", tuple((str(m), int(n)) for m, n in self.cases_per_month)
        )
        if self.total_cases < 0:
            raise ValidationError("The number of cases cannot be negative.")


@dataclass(frozen=True)
class ExportOptions:
    """How one export is made. The jurisdiction comes from the school, not from here.

    ``named_person_ids`` are the people shown by name; everyone else in the case appears under
    a label such as "Learner A". ``password`` is used once to encrypt the file and never kept.
    """

    template_id: str
    generated_by: str
    generated_at: datetime
    recipient: str = ""
    named_person_ids: frozenset[int] = frozenset()
    password: str | None = field(default=None, repr=False)
    #: Evidence items to include (None = all of them); lets the DSL leave out a screenshot.
    evidence_ids: frozenset[int] | None = None
    #: Chronology entries to include (None = all). An entry brings its amendments with it.
    entry_ids: frozenset[int] | None = None
    #: Optional covering note (for the helpline pack: why it is urgent). Redacted like the rest.
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "named_person_ids", frozenset(self.named_person_ids))
        if self.evidence_ids is not None:
            object.__setattr__(self, "evidence_ids", frozenset(self.evidence_ids))
        if self.entry_ids is not None:
            object.__setattr__(self, "entry_ids", frozenset(self.entry_ids))
        if self.password is not None and not self.password:
            object.__setattr__(self, "password", None)
