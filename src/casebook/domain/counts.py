"""What the case list shows besides its rows (light: the first window imports it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from casebook.domain.enums import CaseStatus
from casebook.domain.models import CaseSummary


@dataclass(frozen=True)
class CaseCounts:
    """What the case list shows under the filters: matching, in the whole casebook, per status
    (each status count ignores the filter's own statuses, so the status buttons can show them)."""

    matching: int = 0
    total: int = 0
    by_status: Mapping[CaseStatus, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseListPage:
    """The case list's first page and its counts, read in one transaction."""

    counts: CaseCounts
    rows: list[CaseSummary]
