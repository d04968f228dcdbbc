"""PDF exports: gather a case (or the term's counts), render through the report engine, write
where the user chose, and record the export in the audit log (never the PDF itself)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from casebook.domain import Person, UserRole
from casebook.errors import ValidationError
from casebook.memory import hand_back_memory
from casebook.reports import (
    CaseReportData,
    ExportOptions,
    ExportResult,
    GovernorsSummaryData,
    NameFinding,
    PreparedReport,
    default_evidence_ids,
    default_named_person_ids,
    export_governors_summary,
    find_known_names,
    get_template,
    prepare_case_report,
    save_prepared_report,
    template_choices,
)
from casebook.reports.render import audit_anchor_line
from casebook.services import mapping
from casebook.services.settings import SCHOOL_DETAILS, SettingsService
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
            school_details=self.school_details(),
        )

    def set_school_details(self, details: Mapping[str, str]) -> None:
        """Save the school's and the referrer's contact details (keys as ``school_details``)."""
        wanted = {key: " ".join(str(details.get(key, "")).split())
                  for key in SCHOOL_DETAILS.values() if key in details}
        email = wanted.get("email", "")
        if email and ("@" not in email or " " in email or len(email) > 200):
            raise ValidationError("The email address does not look right, for example "
                                  "dsl@school.example.")
        if any(len(value) > 300 for value in wanted.values()):
            raise ValidationError("One of the details is too long (300 characters at most).")
        settings = SettingsService(self.store)
        for setting, key in SCHOOL_DETAILS.items():
            if key in wanted and settings.get(setting) != wanted[key]:
                settings.set(setting, wanted[key])

    def school_details(self) -> dict[str, str]:
        """The school's and the referrer's contact details (settings; "" when not set)."""
        settings = SettingsService(self.store)
        return {key: settings.get(setting).strip() for setting, key in SCHOOL_DETAILS.items()}

    def default_named(self, case_id: int, template_id: str) -> frozenset[int]:
        data = self.case_data(case_id)
        return default_named_person_ids(data, get_template(template_id, "case").definition)

    def default_evidence(self, case_id: int, template_id: str) -> frozenset[int] | None:
        """Evidence a template includes unless the DSL chooses (None: all of it)."""
        data = self.case_data(case_id)
        return default_evidence_ids(data, get_template(template_id, "case").definition)

    def prepare_case(self, case_id: int, template_id: str, *, recipient: str = "",
                     named_person_ids: Iterable[int] | None = None,
                     password: str | None = None, note: str = "",
                     evidence_ids: Iterable[int] | None = None,
                     entry_ids: Iterable[int] | None = None,
                     progress: Progress | None = None,
                     preview_pages: int = 0) -> PreparedReport:
        """Render a case report in memory, for the DSL to check (what was replaced, the
        pages) before :meth:`save_case` writes it. Nothing is written or audited here.

        ``evidence_ids``/``entry_ids``: what to include; None = the template's default (all,
        or for the platform pack the accounts' screenshots only). ``preview_pages``: how many
        pages to draw as small images for the check page."""
        template = get_template(template_id, "case")
        data = self.case_data(case_id)
        named = (default_named_person_ids(data, template.definition)
                 if named_person_ids is None else frozenset(named_person_ids))
        unknown = named - {p.id for p in data.people}
        if unknown:
            raise ValidationError("Some of the people chosen to be named are not on this case.")
        evidence = (default_evidence_ids(data, template.definition) if evidence_ids is None
                    else frozenset(evidence_ids))
        if evidence is not None and evidence - {e.id for e in data.evidence}:
            raise ValidationError("Some of the evidence chosen is not on this case.")
        entries = None if entry_ids is None else frozenset(entry_ids)
        if entries is not None and entries - {e.id for e in data.chronology}:
            raise ValidationError("Some of the chronology entries chosen are not on this case.")
        options = ExportOptions(
            template_id=template_id, generated_by=self.store.user.name,
            generated_at=self.store.now(), recipient=recipient.strip(),
            named_person_ids=named, password=password, note=note,
            evidence_ids=evidence, entry_ids=entries,
        )
        # The audit anchor printed in the footer is the log's head as the pages are drawn.
        try:
            with audit_anchor_line(self.store.printed_anchor()):
                return prepare_case_report(data, options, progress, preview_pages)
        finally:
            hand_back_memory()  # what rendering freed goes back to the OS, not kept by malloc

    def save_case(self, case_id: int, prepared: PreparedReport, path: Path | str,
                  password: str | None = None) -> ExportResult:
        """Write a prepared report and record the export in the audit log."""
        self.store.require_writer()  # an export is recorded in the audit log
        try:
            result = save_prepared_report(prepared, Path(path), password)
        finally:
            hand_back_memory()  # the encrypted copy pikepdf made
        with self.store.write("export.case", f"case:{case_id}", result.audit_detail()):
            pass
        return result

    def export_case(self, case_id: int, template_id: str, path: Path | str, *,
                    recipient: str = "", named_person_ids: Iterable[int] | None = None,
                    password: str | None = None, note: str = "",
                    evidence_ids: Iterable[int] | None = None,
                    entry_ids: Iterable[int] | None = None,
                    progress: Progress | None = None) -> ExportResult:
        """Prepare and save in one go (the command line; tests)."""
        self.store.require_writer()
        prepared = self.prepare_case(case_id, template_id, recipient=recipient,
                                     named_person_ids=named_person_ids, password=password,
                                     note=note, evidence_ids=evidence_ids,
                                     entry_ids=entry_ids, progress=progress)
        return self.save_case(case_id, prepared, path)

    def known_people(self) -> list[Person]:
        """Everyone the casebook knows, on any case (to check free text for names)."""
        return known_people(self.store)

    def names_in(self, text: str) -> list[NameFinding]:
        """Names of anyone the casebook knows in free text (e.g. governors' commentary)."""
        return find_known_names(text, self.known_people(), [self._school().name])

    def check_free_text(self, text: str, what: str) -> None:
        """Refuse free text that names anyone the casebook knows, saying which words to fix."""
        refuse_known_names(self.store, text, what, self._school().name)


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
        self.check_free_text(commentary, "commentary")
        data = self.governors_data(start, end, period_label, commentary)
        options = ExportOptions(template_id="governors-summary",
                                generated_by=self.store.user.name,
                                generated_at=self.store.now(), recipient="Governors",
                                password=password)
        try:
            with audit_anchor_line(self.store.printed_anchor()):
                result = export_governors_summary(data, options, Path(path), progress)
        finally:
            hand_back_memory()
        with self.store.write("export.summary", "casebook", result.audit_detail()):
            pass
        return result


def known_people(store: Store) -> list[Person]:
    """Everyone the casebook knows, on any case."""
    with store.read() as s:
        return [mapping.person(row) for row in s.scalars(select(t.PersonRow)
                                                         .order_by(t.PersonRow.id))]


def refuse_known_names(store: Store, text: str, what: str, school_name: str = "") -> None:
    """Free text printed as it is (governors' commentary, checklist evidence) must not name
    anyone the casebook knows: refuse it, quoting the words to fix (to the DSL, on screen)."""
    if not text.strip():
        return
    findings = find_known_names(text, known_people(store), [school_name] if school_name else [])
    if not findings:
        return
    words = sorted({f.found for f in findings}, key=str.casefold)
    listed = ", ".join(f"“{w}”" for w in words[:8]) + (" …" if len(words) > 8 else "")
    raise ValidationError(f"The {what} mentions people recorded in this casebook: {listed}. "
                          "Please take the names out, then export again.")
