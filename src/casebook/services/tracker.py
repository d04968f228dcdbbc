"""Reports made about accounts (platform, helpline, police, local authority) and their outcomes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from casebook.domain import PlatformReport, require_text
from casebook.errors import NotFoundError, ValidationError
from casebook.services import mapping
from casebook.services.store import Store
from casebook.storage import tables as t

BODIES = ("platform", "helpline", "report-harmful-content", "police", "local-authority", "lado",
          "other")
STATUSES = ("waiting", "removed", "refused", "no-response", "escalated", "closed")
REQUESTS = ("removal", "verification", "information", "advice", "referral", "other")


class TrackerService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, case_id: int, *, body: str, recipient: str, made_at: datetime | None = None,
            account_id: int | None = None, channel: str = "", reference: str = "",
            request: str = "removal", status: str = "waiting", response: str = "") -> PlatformReport:
        if body not in BODIES:
            raise ValidationError(f"Choose who the report went to: {', '.join(BODIES)}.")
        if status not in STATUSES:
            raise ValidationError(f"Choose a status: {', '.join(STATUSES)}.")
        if request not in REQUESTS:
            raise ValidationError(f"Choose what was asked: {', '.join(REQUESTS)}.")
        recipient = require_text(recipient, "who the report went to (for example Instagram)", 100)
        with self.store.write("report.add", f"case:{case_id}") as work:
            s = work.session
            if s.get(t.CaseRow, case_id) is None:
                raise NotFoundError("That case no longer exists.")
            if account_id is not None:
                acc = s.get(t.AccountRow, account_id)
                if acc is None or acc.case_id != case_id:
                    raise ValidationError("That account is not on this case.")
            row = t.PlatformReportRow(
                case_id=case_id, account_id=account_id, body=body, recipient=recipient,
                channel=channel.strip(), made_at=made_at or self.store.now(),
                reference=reference.strip(), request=request, status=status,
                response=response.strip(),
            )
            s.add(row)
            s.flush()
            work.detail = f"report={row.id},body={body},status={status}"
            return mapping.platform_report(row)

    def update(self, report_id: int, *, status: str | None = None, reference: str | None = None,
               response: str | None = None, outcome_at: datetime | None = None) -> PlatformReport:
        if status is not None and status not in STATUSES:
            raise ValidationError(f"Choose a status: {', '.join(STATUSES)}.")
        with self.store.write("report.update", f"report:{report_id}") as work:
            row = work.session.get(t.PlatformReportRow, report_id)
            if row is None:
                raise NotFoundError("That report no longer exists.")
            if status is not None:
                row.status = status
                if status != "waiting" and row.outcome_at is None:
                    row.outcome_at = outcome_at or self.store.now()
            if reference is not None:
                row.reference = reference.strip()
            if response is not None:
                row.response = response.strip()
            work.detail = f"status={row.status}"
            return mapping.platform_report(row)

    def for_case(self, case_id: int) -> list[PlatformReport]:
        with self.store.read() as s:
            rows = s.scalars(select(t.PlatformReportRow)
                             .where(t.PlatformReportRow.case_id == case_id)
                             .order_by(t.PlatformReportRow.made_at, t.PlatformReportRow.id))
            return [mapping.platform_report(r) for r in rows]

    def all(self) -> list[PlatformReport]:
        with self.store.read() as s:
            rows = s.scalars(select(t.PlatformReportRow)
                             .order_by(t.PlatformReportRow.made_at.desc()))
            return [mapping.platform_report(r) for r in rows]
