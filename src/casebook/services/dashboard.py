"""The dashboard: the first screen after unlocking, in one call.

:meth:`DashboardService.snapshot` returns plain counts and chart series, counted by SQLite.
A click on a number reads the ids behind it with :meth:`DashboardService.list_for`, by the
same rules as the count (at 50,000 cases, reading every list with each snapshot took most of
its half second).

List kinds (the keys ``list_for`` takes; a key may carry a detail after a colon):

``open-cases`` (``open-cases:<risk>``)  case ids, cases not closed (open or monitoring)
``overdue-actions``                     action ids, not done and past their due date
``steps-waiting``                       case ids, cases not closed with a response step to do
``reports-waiting``                     platform-report ids still waiting for an answer
``checklist-due``                       checklist item ids (text) due for review by today
``official-checks-due``                 official-account ids not checked for 90 days
``cases-month:<YYYY-MM>``               case ids opened that month (``:<YYYY-MM>:<type>`` too)
``platform-reports:<recipient>``        report ids made to that platform
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import ColumnElement, func, select

from casebook.domain import CaseStatus, CaseType, RiskLevel, StepStatus
from casebook.services.official_accounts import OfficialAccountsService
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.storage import tables_prevention as tp

__all__ = ["Dashboard", "DashboardService", "OUTCOME_GROUPS", "RISK_ORDER", "months_back"]

#: Highest risk first, as the dashboard shows them.
RISK_ORDER: tuple[RiskLevel, ...] = (RiskLevel.CRITICAL, RiskLevel.HIGH, RiskLevel.MEDIUM,
                                     RiskLevel.LOW)
#: How platform answers are grouped in the outcomes chart.
OUTCOME_GROUPS: tuple[str, ...] = ("removed", "refused", "unanswered", "other")


def months_back(today: date, count: int = 12) -> list[str]:
    """``count`` month keys ("2026-03") ending with ``today``'s month, oldest first."""
    year, month = today.year, today.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return keys[::-1]


def _outcome_group(status: str) -> str:
    if status in ("removed", "refused"):
        return status
    if status in ("waiting", "no-response"):
        return "unanswered"
    return "other"


@dataclass(frozen=True)
class Dashboard:
    today: date
    open_cases: int
    open_cases_by_risk: Mapping[str, int]  # RiskLevel value -> count, highest risk first
    overdue_actions: int
    steps_waiting: int
    reports_waiting: int
    checklist_due: int
    official_checks_due: int
    last_backup_at: datetime | None
    days_since_backup: int | None  # None: never backed up
    #: ((month key, {CaseType value: count}), ...) for the last 12 months, oldest first.
    cases_per_month: tuple[tuple[str, Mapping[str, int]], ...]
    #: ((platform, {"removed"|"refused"|"unanswered"|"other": count}), ...), busiest first.
    platform_outcomes: tuple[tuple[str, Mapping[str, int]], ...]


class DashboardService:
    """Counted by SQLite with GROUP BY over indexes: at 50,000 cases, reading every open case,
    report and action to count them in Python took about half a second. The ids behind a
    number are read when it is clicked (``list_for``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def snapshot(self, today: date | None = None) -> Dashboard:
        today = today or self.store.now().date()
        months = months_back(today)
        c, a, r = t.CaseRow, t.ActionRow, t.PlatformReportRow
        with self.store.read() as s:
            by_risk_rows = dict(s.execute(select(c.risk, func.count(c.id))
                                          .where(self._open_case()).group_by(c.risk)).all())
            overdue = s.scalar(select(func.count(a.id)).where(*self._overdue(today))) or 0
            steps = s.scalar(select(func.count(c.id))
                             .where(self._open_case(), self._steps_to_do())) or 0
            waiting = s.scalar(select(func.count(r.id)).where(*self._waiting())) or 0
            outcome_rows = s.execute(select(r.recipient, r.status, func.count(r.id))
                                     .where(r.body == "platform")
                                     .group_by(r.recipient, r.status)).all()
            month = func.substr(c.opened_at, 1, 7)
            month_rows = s.execute(select(month, c.case_type, func.count(c.id))
                                   .where(c.opened_at >= self._month_start(months[0]))
                                   .group_by(month, c.case_type)).all()
            backup_text = s.scalar(select(t.MetaRow.value)
                                   .where(t.MetaRow.key == "last_backup_at")) or ""
            checklist_due = len(self._checklist_due(s, today))
        official_due = len(OfficialAccountsService(self.store).overdue_checks(today))

        # reports: one bar per platform, its spellings counted together
        per_platform: dict[str, Counter[str]] = {}
        names: dict[str, Counter[str]] = {}
        for recipient, status, count in outcome_rows:
            key = recipient.strip().casefold()
            names.setdefault(key, Counter())[recipient.strip()] += count
            per_platform.setdefault(key, Counter())[_outcome_group(status)] += count
        outcomes = sorted(per_platform.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        platform_outcomes = tuple(
            (self._name(names[key]), MappingProxyType({g: counts.get(g, 0)
                                                       for g in OUTCOME_GROUPS}))
            for key, counts in outcomes)

        per_month: dict[str, Counter[str]] = {m: Counter() for m in months}
        for key, case_type, count in month_rows:
            if key in per_month:
                per_month[key][case_type] += count
        cases_per_month = tuple(
            (m, MappingProxyType({ct.value: per_month[m].get(ct.value, 0) for ct in CaseType}))
            for m in months)

        last_backup = None
        if backup_text:
            try:
                last_backup = datetime.fromisoformat(backup_text)
            except ValueError:
                last_backup = None
        days_since = (today - last_backup.date()).days if last_backup is not None else None

        by_risk = {risk.value: int(by_risk_rows.get(risk.value, 0)) for risk in RISK_ORDER}
        return Dashboard(
            today=today,
            open_cases=sum(int(n) for n in by_risk_rows.values()),
            open_cases_by_risk=MappingProxyType(by_risk),
            overdue_actions=int(overdue),
            steps_waiting=int(steps),
            reports_waiting=int(waiting),
            checklist_due=checklist_due,
            official_checks_due=official_due,
            last_backup_at=last_backup,
            days_since_backup=days_since,
            cases_per_month=cases_per_month,
            platform_outcomes=platform_outcomes,
        )

    # ----- the rules behind the numbers (one place for the count and its list) ----------
    @staticmethod
    def _open_case() -> ColumnElement[bool]:
        """Not closed (open or monitoring), as a list: SQLite finds them in its index."""
        return t.CaseRow.status.in_([s.value for s in CaseStatus if s != CaseStatus.CLOSED])

    @staticmethod
    def _steps_to_do() -> ColumnElement[bool]:
        done = (StepStatus.DONE.value, StepStatus.NOT_NEEDED.value)
        return select(t.StepRow.id).where(t.StepRow.case_id == t.CaseRow.id,
                                          t.StepRow.status.not_in(done)).exists()

    @staticmethod
    def _overdue(today: date) -> tuple[ColumnElement[bool], ...]:
        return t.ActionRow.done_at.is_(None), t.ActionRow.due_date < today

    @staticmethod
    def _waiting() -> tuple[ColumnElement[bool], ...]:
        """Platform reports only: not referrals (LADO, local authority) nor escalations (the
        tile opens "Reports to platforms", which lists neither)."""
        r = t.PlatformReportRow
        return r.body == "platform", r.status == "waiting"

    @staticmethod
    def _month_start(key: str) -> datetime:
        return datetime(int(key[:4]), int(key[5:]), 1)

    @staticmethod
    def _name(spellings: Counter[str]) -> str:
        """A platform's name as most reports spell it (the first spelling on a tie)."""
        return spellings.most_common(1)[0][0]

    def _checklist_due(self, s, today: date) -> list[str]:  # type: ignore[no-untyped-def]
        item = tp.ChecklistReviewItemRow
        return [row for (row,) in s.execute(
            select(item.item_id)
            .where(item.review_id == self._open_review_id(s), item.in_template.is_(True),
                   item.next_review <= today)
            .order_by(item.next_review))]

    @staticmethod
    def _open_review_id(s) -> int:  # type: ignore[no-untyped-def]
        review_id = s.scalar(select(tp.ChecklistReviewRow.id)
                             .where(tp.ChecklistReviewRow.closed_at.is_(None))
                             .order_by(tp.ChecklistReviewRow.started_at.desc(),
                                       tp.ChecklistReviewRow.id.desc()).limit(1))
        return review_id if review_id is not None else -1

    # ----- the lists behind the numbers --------------------------------------------------
    def list_for(self, key: str, today: date | None = None) -> list:  # type: ignore[type-arg]
        """The ids behind one number, freshly read (see the module doc for the keys); the
        same rules as the counts in ``snapshot``. An unknown key has none."""
        today = today or self.store.now().date()
        kind, _, detail = key.partition(":")
        c, a, r = t.CaseRow, t.ActionRow, t.PlatformReportRow
        newest_cases = (c.opened_at.desc(), c.id.desc())
        with self.store.read() as s:
            if kind == "open-cases":
                query = select(c.id).where(self._open_case()).order_by(*newest_cases)
                if detail:
                    query = query.where(c.risk == detail)
                return list(s.scalars(query))
            if kind == "steps-waiting":
                return list(s.scalars(select(c.id).where(self._open_case(), self._steps_to_do())
                                      .order_by(*newest_cases)))
            if kind == "overdue-actions":
                return list(s.scalars(select(a.id).where(*self._overdue(today))
                                      .order_by(a.due_date, a.id)))
            if kind == "reports-waiting":
                return list(s.scalars(select(r.id).where(*self._waiting())
                                      .order_by(r.made_at.desc(), r.id.desc())))
            if kind == "platform-reports":
                wanted = detail.strip().casefold()
                return [report_id for report_id, recipient in s.execute(
                    select(r.id, r.recipient).where(r.body == "platform")
                    .order_by(r.made_at.desc(), r.id.desc()))
                    if recipient.strip().casefold() == wanted]
            if kind == "cases-month" and detail:
                month, _, case_type = detail.partition(":")
                try:
                    start = self._month_start(month)
                except ValueError:
                    return []
                end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
                query = select(c.id).where(c.opened_at >= start, c.opened_at < end) \
                    .order_by(c.opened_at, c.id)
                if case_type:
                    query = query.where(c.case_type == case_type)
                return list(s.scalars(query))
            if kind == "checklist-due":
                return self._checklist_due(s, today)
        if kind == "official-checks-due":
            return [x.id for x in OfficialAccountsService(self.store).overdue_checks(today)]
        return []

    def open_case_ids(self, risk: RiskLevel | str | None = None) -> list[int]:
        key = "open-cases" if risk is None else f"open-cases:{RiskLevel(risk).value}"
        return self.list_for(key)

    def overdue_action_ids(self, today: date | None = None) -> list[int]:
        return self.list_for("overdue-actions", today)

    def steps_waiting_case_ids(self) -> list[int]:
        return self.list_for("steps-waiting")

    def waiting_report_ids(self) -> list[int]:
        return self.list_for("reports-waiting")

    def checklist_due_item_ids(self, today: date | None = None) -> list[str]:
        return self.list_for("checklist-due", today)

