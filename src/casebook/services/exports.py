"""PDF exports: gather a case (or the term's counts), render through the report engine, write
where the user chose, and record the export in the audit log (never the PDF itself)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from casebook.domain import UserRole
from casebook.errors import ValidationError
from casebook.reports import (
    CaseReportData,
    ExportOptions,
    ExportResult,
    GovernorsSummaryData,
    default_named_person_ids,
    export_case_report,
    export_governors_summary,
    get_template,
    template_choices,
)
from casebook.services.settings import SettingsService
from casebook.services.store import Store
from casebook.storage import tables as t

Progress = Callable[[int, int], None]


class ExportService:
    def __init__(self, store: Store, cases, evidence, tracker, school,  # type: ignore[no-untyped-def]
                 official_accounts=None) -> None:
        self.store = store
        self._cases = cases
        self._evidence = evidence
        self._tracker = tracker
        self._school = school
        self._official = official_accounts

    def templates(self, kind: str | None = "case") -> list[tuple[str, str]]:
        return template_choices(self._school().jurisdiction, kind)

    def _dsl_name(self) -> str:
        if self.store.user.role == UserRole.DSL:
            return self.store.user.name
        with self.store.read() as s:
            name = s.scalar(select(t.UserRow.name).where(t.UserRow.role == UserRole.DSL.value,
                                                         t.UserRow.active.is_(True))
                            .order_by(t.UserRow.id))
        return name or self.store.user.name

    def case_data(self, case_id: int) -> CaseReportData:
        """Everything a case template may show (redaction happens later, in the engine)."""
        case = self._cases.get(case_id)
        official = ()
        if self._official is not None:
            official = tuple(self._official.references())
        return CaseReportData(
            school=self._school(), dsl_name=self._dsl_name(), case=case,
            people=tuple(self._cases.people(case_id)),
            accounts=tuple(self._cases.accounts(case_id)),
            chronology=tuple(self._cases.chronology(case_id)),
            decisions=tuple(self._cases.decisions(case_id)),
            actions=tuple(self._cases.actions(case_id)),
            evidence=tuple(self._evidence.items(case_id)),
            platform_reports=tuple(self._tracker.for_case(case_id)),
            official_accounts=official,
            evidence_image=lambda evidence_id: self._evidence.read_bytes(evidence_id,
                                                                         limit=40 * 1024 * 1024),
        )

    def default_named(self, case_id: int, template_id: str) -> frozenset[int]:
        data = self.case_data(case_id)
        return default_named_person_ids(data, get_template(template_id, "case").definition)

    def export_case(self, case_id: int, template_id: str, path: Path | str, *,
                    recipient: str = "", named_person_ids: Iterable[int] | None = None,
                    password: str | None = None, note: str = "",
                    evidence_ids: Iterable[int] | None = None,
                    progress: Progress | None = None) -> ExportResult:
        self.store.require_writer()  # an export is recorded in the audit log
        template = get_template(template_id, "case")
        data = self.case_data(case_id)
        named = (default_named_person_ids(data, template.definition)
                 if named_person_ids is None else frozenset(named_person_ids))
        unknown = named - {p.id for p in data.people}
        if unknown:
            raise ValidationError("Some of the people chosen to be named are not on this case.")
        options = ExportOptions(
            template_id=template_id, generated_by=self.store.user.name,
            generated_at=self.store.now(), recipient=recipient.strip(),
            named_person_ids=named, password=password, note=note,
            evidence_ids=None if evidence_ids is None else frozenset(evidence_ids),
        )
        result = export_case_report(data, options, Path(path), progress)
        with self.store.write("export.case", f"case:{case_id}", result.audit_detail()):
            pass
        return result

    def small_count_threshold(self) -> int:
        """Governors' counts below this print as "fewer than N" (a setting; default 3)."""
        raw = SettingsService(self.store).get("governors_small_count")
        try:
            return max(int(raw), 0)
        except ValueError:
            return 3

    def governors_data(self, start: date, end: date, period_label: str,
                       commentary: str = "") -> GovernorsSummaryData:
        """Anonymised counts of cases opened in [start, end] — categories and numbers only."""
        if end < start:
            raise ValidationError("The end of the period is before its start.")
        lo = datetime.combine(start, datetime.min.time())
        hi = datetime.combine(end, datetime.max.time())
        with self.store.read() as s:
            cases = list(s.execute(select(t.CaseRow.id, t.CaseRow.case_type, t.CaseRow.status,
                                          t.CaseRow.opened_at)
                                   .where(t.CaseRow.opened_at >= lo, t.CaseRow.opened_at <= hi)))
            ids = [c.id for c in cases]
            platforms = list(s.scalars(select(t.AccountRow.platform)
                                       .where(t.AccountRow.case_id.in_(ids),
                                              t.AccountRow.removed_at.is_(None))))
            outcomes = list(s.scalars(select(t.PlatformReportRow.status)
                                      .where(t.PlatformReportRow.case_id.in_(ids),
                                             t.PlatformReportRow.body == "platform")))
        per_month = Counter(c.opened_at.strftime("%Y-%m") for c in cases)
        months = []
        cursor = date(start.year, start.month, 1)
        while cursor <= end:
            key = cursor.strftime("%Y-%m")
            months.append((key, per_month.get(key, 0)))
            cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
        return GovernorsSummaryData(
            period_label=period_label, school=self._school(), total_cases=len(cases),
            small_count_threshold=self.small_count_threshold(),
            counts_by_type=Counter(c.case_type for c in cases),
            counts_by_status=Counter(c.status for c in cases),
            counts_by_platform=Counter(platforms),  # accounts found, by platform
            counts_by_outcome=Counter(outcomes),  # what platforms did with our reports
            cases_per_month=tuple(months), commentary=commentary,
        )

    def export_governors(self, start: date, end: date, period_label: str, path: Path | str, *,
                         password: str | None = None, commentary: str = "",
                         progress: Progress | None = None) -> ExportResult:
        self.store.require_writer()
        data = self.governors_data(start, end, period_label, commentary)
        options = ExportOptions(template_id="governors-summary",
                                generated_by=self.store.user.name,
                                generated_at=self.store.now(), recipient="Governors",
                                password=password)
        result = export_governors_summary(data, options, Path(path), progress)
        with self.store.write("export.summary", "casebook", result.audit_detail()):
            pass
        return result


