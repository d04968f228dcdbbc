"""The dashboard: the first screen after unlocking, in one call.

:meth:`DashboardService.snapshot` returns plain counts and chart series, together with the ids
behind every number (``Dashboard.lists``), so a click on a number can open its list without
asking the database again and the list always matches the number shown.

List kinds (the keys of ``Dashboard.lists``; a key may carry a detail after a colon):

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

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import select

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
    lists: Mapping[str, tuple] = field(default_factory=dict)  # type: ignore[type-arg]

    def ids(self, key: str) -> list:  # type: ignore[type-arg]
        """The ids behind a number (empty when there are none)."""
        return list(self.lists.get(key, ()))


class DashboardService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def snapshot(self, today: date | None = None) -> Dashboard:
        today = today or self.store.now().date()
        lists: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
        months = months_back(today)
        first_month = date(int(months[0][:4]), int(months[0][5:]), 1)
        done_steps = (StepStatus.DONE.value, StepStatus.NOT_NEEDED.value)
        with self.store.read() as s:
            open_rows = s.execute(
                select(t.CaseRow.id, t.CaseRow.risk)
                .where(t.CaseRow.status != CaseStatus.CLOSED.value)
                .order_by(t.CaseRow.opened_at.desc(), t.CaseRow.id.desc())).all()
            for case_id, risk in open_rows:
                lists["open-cases"].append(case_id)
                lists[f"open-cases:{risk}"].append(case_id)

            for (action_id,) in s.execute(
                    select(t.ActionRow.id)
                    .where(t.ActionRow.done_at.is_(None), t.ActionRow.due_date < today)
                    .order_by(t.ActionRow.due_date, t.ActionRow.id)):
                lists["overdue-actions"].append(action_id)

            waiting_cases = {case_id for (case_id,) in s.execute(
                select(t.StepRow.case_id).where(t.StepRow.status.not_in(done_steps)).distinct())}
            lists["steps-waiting"] = [c for c in lists["open-cases"] if c in waiting_cases]

            reports = s.execute(
                select(t.PlatformReportRow.id, t.PlatformReportRow.body,
                       t.PlatformReportRow.recipient, t.PlatformReportRow.status)
                .order_by(t.PlatformReportRow.made_at.desc(), t.PlatformReportRow.id.desc())).all()

            month_rows = s.execute(
                select(t.CaseRow.id, t.CaseRow.case_type, t.CaseRow.opened_at)
                .where(t.CaseRow.opened_at >= datetime.combine(first_month, datetime.min.time()))
                .order_by(t.CaseRow.opened_at, t.CaseRow.id)).all()

            backup_text = s.scalar(select(t.MetaRow.value)
                                   .where(t.MetaRow.key == "last_backup_at")) or ""
            due_items = [row for (row,) in s.execute(
                select(tp.ChecklistReviewItemRow.item_id)
                .where(tp.ChecklistReviewItemRow.review_id == self._open_review_id(s),
                       tp.ChecklistReviewItemRow.in_template.is_(True),
                       tp.ChecklistReviewItemRow.next_review <= today)
                .order_by(tp.ChecklistReviewItemRow.next_review))]
            lists["checklist-due"] = due_items

        # reports
        per_platform: dict[str, Counter[str]] = {}
        names: dict[str, str] = {}
        for report_id, body, recipient, status in reports:
            if body != "platform":
                continue  # referrals (LADO, local authority) and escalations are not counted
            if status == "waiting":
                lists["reports-waiting"].append(report_id)
            key = recipient.strip().casefold()
            names.setdefault(key, recipient.strip())
            per_platform.setdefault(key, Counter())[_outcome_group(status)] += 1
            lists[f"platform-reports:{names[key]}"].append(report_id)
        outcomes = sorted(per_platform.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        platform_outcomes = tuple(
            (names[key], MappingProxyType({g: counts.get(g, 0) for g in OUTCOME_GROUPS}))
            for key, counts in outcomes)

        # cases per month by type
        per_month: dict[str, Counter[str]] = {m: Counter() for m in months}
        for case_id, case_type, opened_at in month_rows:
            key = f"{opened_at.year:04d}-{opened_at.month:02d}"
            if key not in per_month:
                continue
            per_month[key][case_type] += 1
            lists[f"cases-month:{key}"].append(case_id)
            lists[f"cases-month:{key}:{case_type}"].append(case_id)
        cases_per_month = tuple(
            (m, MappingProxyType({ct.value: per_month[m].get(ct.value, 0) for ct in CaseType}))
            for m in months)

        # official accounts (few rows; reuse the service's rule)
        overdue_accounts = OfficialAccountsService(self.store).overdue_checks(today)
        lists["official-checks-due"] = [a.id for a in overdue_accounts]

        last_backup = None
        if backup_text:
            try:
                last_backup = datetime.fromisoformat(backup_text)
            except ValueError:
                last_backup = None
        days_since = (today - last_backup.date()).days if last_backup is not None else None

        by_risk = {r.value: len(lists.get(f"open-cases:{r.value}", ())) for r in RISK_ORDER}
        return Dashboard(
            today=today,
            open_cases=len(lists["open-cases"]),
            open_cases_by_risk=MappingProxyType(by_risk),
            overdue_actions=len(lists["overdue-actions"]),
            steps_waiting=len(lists["steps-waiting"]),
            reports_waiting=len(lists["reports-waiting"]),
            checklist_due=len(lists["checklist-due"]),
            official_checks_due=len(lists["official-checks-due"]),
            last_backup_at=last_backup,
            days_since_backup=days_since,
            cases_per_month=cases_per_month,
            platform_outcomes=platform_outcomes,
            lists=MappingProxyType({k: tuple(v) for k, v in lists.items()}),
        )

    @staticmethod
    def _open_review_id(s) -> int:  # type: ignore[no-untyped-def]
        review_id = s.scalar(select(tp.ChecklistReviewRow.id)
                             .where(tp.ChecklistReviewRow.closed_at.is_(None))
                             .order_by(tp.ChecklistReviewRow.started_at.desc(),
                                       tp.ChecklistReviewRow.id.desc()).limit(1))
        return review_id if review_id is not None else -1

    # ----- the lists behind the numbers --------------------------------------------------
    def list_for(self, key: str, today: date | None = None) -> list:  # type: ignore[type-arg]
        """The ids behind one number, freshly read (see the module doc for the keys)."""
        return self.snapshot(today).ids(key)

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

