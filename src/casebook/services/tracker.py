"""Reports made about accounts (platform, helpline, police, local authority) and their outcomes.

Besides keeping the reports, the tracker says what to do next (``reminders``) and how each
platform or body has responded over time (``figures``):

- a report still waiting after 48 hours: chase it, or escalate it to the professionals'
  helpline (the UK helpline asks schools to give a platform 48 hours first);
- a platform that refused ("does not break the rules") or never answered: escalate to the
  helpline with the platform's reference and reply.

A refusal or silence counts as dealt with once the report is marked escalated, or once a later
report on the same case (and the same account, when there is one) went to the helpline or to
Report Harmful Content.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import aliased

from casebook.domain import Jurisdiction, PlatformReport, require_text
from casebook.errors import NotFoundError, ValidationError
from casebook.services import mapping, system_entries
from casebook.services.escalation import Ladder, Rung, ladder_for, load_ladder
from casebook.services.store import Store
from casebook.storage import tables as t

__all__ = [
    "BODIES", "STATUSES", "REQUESTS", "BODY_LABELS", "STATUS_LABELS", "REQUEST_LABELS",
    "CHASE_AFTER", "UNANSWERED", "REFERRAL_BODIES", "Reminder", "RecipientFigures",
    "TrackerService",
]

BODIES = ("platform", "helpline", "report-harmful-content", "police", "ceop", "ofcom",
          "local-authority", "lado", "other")
#: Referrals the tracker keeps but "Reports to platforms" does not list (they are not part of
#: the escalation after a platform report).
REFERRAL_BODIES: frozenset[str] = frozenset({"local-authority", "lado"})
STATUSES = ("waiting", "removed", "refused", "no-response", "escalated", "closed")
REQUESTS = ("removal", "verification", "information", "advice", "referral", "other")

BODY_LABELS: dict[str, str] = {
    "platform": "Platform",
    "helpline": "Helpline",
    "report-harmful-content": "Report Harmful Content",
    "police": "Police",
    "ceop": "CEOP",
    "ofcom": "Ofcom (note)",
    "local-authority": "Local authority",
    "lado": "LADO",
    "other": "Other",
}
STATUS_LABELS: dict[str, str] = {
    "waiting": "Waiting for an answer",
    "removed": "Removed",
    "refused": "Refused (does not break the rules)",
    "no-response": "No response",
    "escalated": "Escalated",
    "closed": "Closed",
}
REQUEST_LABELS: dict[str, str] = {
    "removal": "Removal",
    "verification": "Verification",
    "information": "Information",
    "advice": "Advice",
    "referral": "Referral",
    "other": "Other",
}

#: How long a report may wait for an answer before it should be chased or escalated.
CHASE_AFTER: Final = timedelta(hours=48)
#: Statuses that mean the recipient has not (yet) answered.
UNANSWERED: frozenset[str] = frozenset({"waiting", "no-response"})
#: Bodies that count as escalation routes after a platform refused.
ESCALATION_BODIES: frozenset[str] = frozenset({"helpline", "report-harmful-content"})


#: Another report on the same case, for "escalated since" (one alias: SQLAlchemy caches the
#: compiled query by it).
_LATER = aliased(t.PlatformReportRow, name="later")


@dataclass(frozen=True)
class Reminder:
    """Something to do about one report. ``kind`` is "chase" or "escalate"."""

    report_id: int
    case_id: int
    kind: str
    recipient: str
    reference: str
    since: datetime  # when the report was made (chase) or answered (escalate)
    text: str


@dataclass(frozen=True)
class RecipientFigures:
    """How one platform or body has responded to the school's reports."""

    recipient: str
    body: str
    total: int
    removed: int
    refused: int
    unanswered: int  # waiting or no response
    median_days: float | None  # to an outcome, over the reports that had one

    def _share(self, count: int) -> float:
        return count / self.total if self.total else 0.0

    @property
    def share_removed(self) -> float:
        return self._share(self.removed)

    @property
    def share_refused(self) -> float:
        return self._share(self.refused)

    @property
    def share_unanswered(self) -> float:
        return self._share(self.unanswered)


def _check_choice(value: str, allowed: tuple[str, ...], labels: dict[str, str], what: str) -> None:
    if value not in allowed:
        choices = ", ".join(labels[v].lower() for v in allowed)
        raise ValidationError(f"Choose {what}: {choices}.")


class TrackerService:
    def __init__(self, store: Store) -> None:
        self.store = store

    # ----- recording ---------------------------------------------------------------------
    def add(self, case_id: int, *, body: str, recipient: str, made_at: datetime | None = None,
            account_id: int | None = None, channel: str = "", reference: str = "",
            request: str = "removal", status: str = "waiting", response: str = "",
            outcome_at: datetime | None = None) -> PlatformReport:
        _check_choice(body, BODIES, BODY_LABELS, "who the report went to")
        _check_choice(status, STATUSES, STATUS_LABELS, "a status")
        _check_choice(request, REQUESTS, REQUEST_LABELS, "what was asked")
        recipient = require_text(recipient, "who the report went to (for example Instagram)", 100)
        now = self.store.now()
        made_at = made_at or now
        if made_at > now + timedelta(minutes=5):
            raise ValidationError("The date the report was made is in the future.")
        if status == "waiting":
            outcome_at = None
        elif outcome_at is None and status != "no-response":
            outcome_at = now
        if outcome_at is not None and outcome_at < made_at:
            raise ValidationError("The outcome cannot be dated before the report was made.")
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
                channel=channel.strip()[:100], made_at=made_at,
                reference=reference.strip()[:200], request=request, status=status,
                response=response.strip(), outcome_at=outcome_at,
            )
            s.add(row)
            s.flush()
            system_entries.record(
                s, self.store, case_id,
                f"Report made to {recipient} ({BODY_LABELS[body].lower()}).")
            work.detail = f"report={row.id},body={body},status={status}"
            return mapping.platform_report(row)

    def update(self, report_id: int, *, status: str | None = None, reference: str | None = None,
               response: str | None = None, outcome_at: datetime | None = None,
               channel: str | None = None, request: str | None = None,
               recipient: str | None = None, made_at: datetime | None = None) -> PlatformReport:
        """Change a report. Moving it out of "waiting" dates its outcome (now, or
        ``outcome_at``); moving it back to "waiting" clears the outcome date."""
        if status is not None:
            _check_choice(status, STATUSES, STATUS_LABELS, "a status")
        if request is not None:
            _check_choice(request, REQUESTS, REQUEST_LABELS, "what was asked")
        if recipient is not None:
            recipient = require_text(recipient, "who the report went to (for example Instagram)",
                                     100)
        with self.store.write("report.update", f"report:{report_id}") as work:
            row = work.session.get(t.PlatformReportRow, report_id)
            if row is None:
                raise NotFoundError("That report no longer exists.")
            changed = []
            if made_at is not None:
                row.made_at = made_at
                changed.append("made_at")
            if status is not None:
                if status != row.status:
                    changed.append("status")
                row.status = status
                if status in UNANSWERED:
                    row.outcome_at = None
                elif outcome_at is not None:
                    row.outcome_at = outcome_at
                elif row.outcome_at is None:
                    row.outcome_at = self.store.now()
            elif outcome_at is not None and row.status not in UNANSWERED:
                row.outcome_at = outcome_at
            for name, value, limit in (("reference", reference, 200), ("response", response, None),
                                       ("channel", channel, 100)):
                if value is not None:
                    setattr(row, name, value.strip()[:limit] if limit else value.strip())
                    changed.append(name)
            if request is not None:
                row.request = request
                changed.append("request")
            if recipient is not None:
                row.recipient = recipient
                changed.append("recipient")
            if row.outcome_at is not None and row.outcome_at < row.made_at:
                raise ValidationError("The outcome cannot be dated before the report was made.")
            work.detail = f"status={row.status},changed={'+'.join(changed) or 'nothing'}"
            return mapping.platform_report(row)

    def record_refusal(self, report_id: int, response: str = "",
                       at: datetime | None = None) -> PlatformReport:
        """The platform answered that the content does not break its rules."""
        return self.update(report_id, status="refused",
                           response=response if response else None, outcome_at=at)

    # ----- reading -----------------------------------------------------------------------
    def get(self, report_id: int) -> PlatformReport:
        with self.store.read() as s:
            row = s.get(t.PlatformReportRow, report_id)
            if row is None:
                raise NotFoundError("That report no longer exists.")
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
                             .order_by(t.PlatformReportRow.made_at.desc(),
                                       t.PlatformReportRow.id.desc()))
            return [mapping.platform_report(r) for r in rows]

    def page(self, offset: int = 0, limit: int = 100,
             bodies: Iterable[str] | None = None) -> list[PlatformReport]:
        """Newest first, one page: the tracker shows a page at a time (tens of thousands of
        reports in a busy casebook). ``bodies``: only reports to these (all when None)."""
        r = t.PlatformReportRow
        query = select(r.__table__).order_by(r.made_at.desc(), r.id.desc())
        if bodies is not None:
            query = query.where(r.body.in_(sorted(set(bodies))))
        with self.store.read() as s:
            rows = s.connection().execute(query.offset(max(0, offset)).limit(max(0, limit)))
            return [mapping.platform_report(row) for row in rows]

    def count(self, bodies: Iterable[str] | None = None) -> int:
        """How many reports there are (to ``bodies`` when given): what ``page`` pages through."""
        query = select(func.count(t.PlatformReportRow.id))
        if bodies is not None:
            query = query.where(t.PlatformReportRow.body.in_(sorted(set(bodies))))
        with self.store.read() as s:
            return int(s.scalar(query) or 0)

    def for_cases(self, case_ids: Iterable[int]) -> list[PlatformReport]:
        """Every report on these cases, oldest first (what their escalation ladders need)."""
        r = t.PlatformReportRow
        with self.store.read() as s:
            rows = s.connection().execute(select(r.__table__)
                                          .where(r.case_id.in_(sorted(set(case_ids))))
                                          .order_by(r.made_at, r.id))
            return [mapping.platform_report(row) for row in rows]

    def case_references(self, case_ids: Iterable[int] | None = None) -> dict[int, str]:
        """Case id -> case reference, for showing reports from every case in one list (only
        ``case_ids`` when given: a page of reports needs a page of references)."""
        query = select(t.CaseRow.id, t.CaseRow.reference)
        if case_ids is not None:
            query = query.where(t.CaseRow.id.in_(sorted(set(case_ids))))
        with self.store.read() as s:
            return {row.id: row.reference for row in s.execute(query)}

    def waiting(self) -> list[PlatformReport]:
        """Reports still waiting for an answer."""
        with self.store.read() as s:
            rows = s.scalars(select(t.PlatformReportRow)
                             .where(t.PlatformReportRow.status == "waiting")
                             .order_by(t.PlatformReportRow.made_at.desc(),
                                       t.PlatformReportRow.id.desc()))
            return [mapping.platform_report(r) for r in rows]

    @staticmethod
    def _needs_reminder(now: datetime) -> ColumnElement[bool]:
        """SQL for "a reminder is due about this report" (see ``reminders``): waiting for more
        than 48 hours, or a platform's refusal or silence not escalated since."""
        r = t.PlatformReportRow
        later = _LATER
        escalated_later = select(later.id).where(
            later.case_id == r.case_id, later.id != r.id,
            later.body.in_(sorted(ESCALATION_BODIES)), later.made_at >= r.made_at,
            or_(r.account_id.is_(None), later.account_id.is_(None),
                later.account_id == r.account_id)).exists()
        return or_(and_(r.status == "waiting", r.made_at < now - CHASE_AFTER),
                   and_(r.body == "platform", r.status.in_(("refused", "no-response")),
                        ~escalated_later))

    def reminder_count(self, now: datetime | None = None) -> int:
        """How many reminders there are (``reminders`` lists them)."""
        now = now or self.store.now()
        with self.store.read() as s:
            return int(s.scalar(select(func.count(t.PlatformReportRow.id))
                                .where(self._needs_reminder(now))) or 0)

    def jurisdiction(self) -> Jurisdiction:
        """The school's jurisdiction (decides the helpline, agencies and wording)."""
        with self.store.read() as s:
            value = s.scalar(select(t.MetaRow.value).where(t.MetaRow.key == "jurisdiction"))
        try:
            return Jurisdiction(value or "england")
        except ValueError:
            return Jurisdiction.ENGLAND

    def suggestions(self) -> dict[str, tuple[str, ...]]:
        """Recipient names to offer for each kind of body, from the profile data."""
        from casebook.profiles import load_platforms, load_profile

        out: dict[str, list[str]] = {body: [] for body in BODIES}
        try:
            out["platform"] = [p.name for p in load_platforms() if p.id != "other"]
            for agency in load_profile(self.jurisdiction()).agencies:
                if agency.body in out:
                    out[agency.body].append(agency.name)
                if agency.body == "local-authority":
                    out["lado"].append(agency.name)
        except Exception:  # a broken data file only loses the suggestions
            pass
        return {body: tuple(names) for body, names in out.items()}

    # ----- the escalation ladder ---------------------------------------------------------
    def rungs(self) -> tuple[Rung, ...]:
        """The ladder's steps for the school's jurisdiction (data, see services.escalation)."""
        return load_ladder(self.jurisdiction())

    def ladders(self, now: datetime | None = None, report_ids: Iterable[int] | None = None,
                rungs: tuple[Rung, ...] | None = None) -> dict[int, Ladder]:
        """Report id -> where it stands, for every report made to a platform (only those of
        ``report_ids`` when given: the page the tracker shows, not every report)."""
        now = now or self.store.now()
        r = t.PlatformReportRow
        if report_ids is None:
            reports = self.all()
        else:
            with self.store.read() as s:
                case_ids = s.scalars(select(r.case_id).distinct()
                                     .where(r.id.in_(sorted(set(report_ids))))).all()
            reports = self.for_cases(case_ids)
        wanted = None if report_ids is None else set(report_ids)
        rungs = self.rungs() if rungs is None else rungs
        refusals: Counter[str] = Counter()
        with self.store.read() as s:
            types = dict(s.execute(select(t.CaseRow.id, t.CaseRow.case_type)
                                   .where(t.CaseRow.id.in_({x.case_id for x in reports}))).all())
            for recipient, n in s.execute(select(r.recipient, func.count(r.id))
                                          .where(r.body == "platform", r.status == "refused")
                                          .group_by(r.recipient)):
                refusals[recipient.strip().casefold()] += n
        by_case: dict[int, list[PlatformReport]] = {}
        for report in reports:
            by_case.setdefault(report.case_id, []).append(report)
        return {x.id: ladder_for(x, by_case[x.case_id], rungs, now, types.get(x.case_id),
                                 refusals=refusals[x.recipient.strip().casefold()])
                for x in reports
                if x.body == "platform" and (wanted is None or x.id in wanted)}

    def ladder(self, report_id: int) -> Ladder:
        ladder = self.ladders(report_ids=[report_id]).get(report_id)
        if ladder is None:
            raise ValidationError("Only a report to a platform has escalation steps.")
        return ladder

    def rung_recipients(self, rungs: tuple[Rung, ...]) -> dict[str, str]:
        """Step id -> who a report at it goes to (``rung_recipient`` for each, reading the
        school's profile once)."""
        try:
            from casebook.profiles import load_profile

            profile = load_profile(self.jurisdiction())
        except Exception:  # a damaged profile only loses the names
            return {rung.id: rung.title for rung in rungs}
        out = {}
        for rung in rungs:
            try:
                out[rung.id] = profile.agency(rung.agency).name if rung.agency else rung.title
            except Exception:
                out[rung.id] = rung.title
        return out

    def rung_recipient(self, rung: Rung) -> str:
        """Who a report at ``rung`` goes to, named as the school's profile names it."""
        return self.rung_recipients((rung,))[rung.id]

    # ----- what to do next ---------------------------------------------------------------
    def _helpline(self) -> tuple[str, bool]:
        """The helpline's name in the school's profile, and whether the profile has one."""
        try:
            from casebook.profiles import load_profile

            profile = load_profile(self.jurisdiction())
        except Exception:  # a broken profile file must not hide the reminders
            return "the professionals' helpline", False
        name = profile.terms.get("helpline")
        if name:
            return name, True
        for agency in profile.agencies:
            if agency.body == "helpline":
                return agency.name, True
        return "", False

    def reminders(self, now: datetime | None = None, limit: int | None = None) -> list[Reminder]:
        """What to chase or escalate, oldest first (the first ``limit`` when given: thousands
        at 50,000 cases). SQLite picks the reports (``_needs_reminder``)."""
        now = now or self.store.now()
        r = t.PlatformReportRow
        query = select(r.__table__).where(self._needs_reminder(now)).order_by(r.made_at, r.id)
        if limit is not None:
            query = query.limit(max(0, limit))
        with self.store.read() as s:
            reports = [mapping.platform_report(row) for row in s.connection().execute(query)]
        helpline, has_helpline = self._helpline()
        escalate_to = (f"escalate it to {helpline}" if has_helpline
                       else "escalate it through the routes for your area")
        out: list[Reminder] = []
        for report in reports:
            ref = f" (reference {report.reference})" if report.reference else ""
            if report.status == "waiting" and now - report.made_at > CHASE_AFTER:
                hours = int((now - report.made_at).total_seconds() // 3600)
                waited = f"{hours} hours" if hours < 96 else f"{hours // 24} days"
                if report.body == "platform":
                    text = (f"No answer from {report.recipient}{ref} after {waited}. "
                            f"Chase it, or {escalate_to}.")
                else:
                    text = f"No answer from {report.recipient}{ref} after {waited}. Chase it."
                out.append(Reminder(report.id, report.case_id, "chase", report.recipient,
                                    report.reference, report.made_at, text))
            elif report.body == "platform" and report.status in ("refused", "no-response"):
                what = ("refused to act (“does not break the rules”)"
                        if report.status == "refused" else "did not answer")
                if has_helpline:
                    text = (f"{report.recipient}{ref} {what}. Escalate it to {helpline} with the "
                            "platform's reference number and its reply.")
                else:
                    text = (f"{report.recipient}{ref} {what}. Escalate it through the routes for "
                            "your area, with the platform's reference number and its reply.")
                since = report.outcome_at or report.made_at
                out.append(Reminder(report.id, report.case_id, "escalate", report.recipient,
                                    report.reference, since, text))
        return out

    # ----- figures -----------------------------------------------------------------------
    def figures(self) -> list[RecipientFigures]:
        """Per platform or body: how many reports, the share removed, refused and unanswered,
        and the median days to an outcome. Busiest first."""
        r = t.PlatformReportRow
        # Counted by SQLite, and only the days to an answer come back row by row: whole
        # reports took ~0.7 s at 50,000 cases (20,000 reports).
        days_taken = func.julianday(r.outcome_at) - func.julianday(r.made_at)
        with self.store.read() as s:
            conn = s.connection()
            tallies = conn.execute(select(r.recipient, r.body, r.status, func.count(r.id))
                                   .group_by(r.recipient, r.body, r.status)).all()
            answered = conn.execute(select(r.recipient, days_taken)
                                    .where(r.outcome_at.is_not(None),
                                           r.status.not_in(sorted(UNANSWERED)))).all()
        names: dict[str, Counter[str]] = {}
        bodies: dict[str, Counter[str]] = {}
        statuses: dict[str, Counter[str]] = {}
        for recipient, body, status, count in tallies:
            key = recipient.strip().casefold()
            names.setdefault(key, Counter())[recipient.strip()] += count
            bodies.setdefault(key, Counter())[body] += count
            statuses.setdefault(key, Counter())[status] += count
        days: dict[str, list[float]] = {}
        for recipient, taken in answered:
            days.setdefault(recipient.strip().casefold(), []).append(taken)
        out = []
        for key, by_status in statuses.items():
            took = days.get(key)
            out.append(RecipientFigures(
                recipient=names[key].most_common(1)[0][0],
                body=bodies[key].most_common(1)[0][0], total=sum(by_status.values()),
                removed=by_status["removed"], refused=by_status["refused"],
                unanswered=sum(by_status[u] for u in UNANSWERED),
                median_days=round(statistics.median(took), 1) if took else None,
            ))
        out.sort(key=lambda f: (-f.total, f.recipient.casefold()))
        return out

    def outcome_counts(self) -> dict[str, int]:
        """Reports by status, across every case (for the dashboard chart)."""
        r = t.PlatformReportRow
        with self.store.read() as s:
            return {status: int(n) for status, n in
                    s.execute(select(r.status, func.count(r.id)).group_by(r.status))}
