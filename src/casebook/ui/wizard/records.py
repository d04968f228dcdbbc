"""What saving a wizard page writes besides the step's answers (runs on the DB thread).

The wizard writes the record as the DSL goes: a platform report per account (in the report
tracker, with a chronology entry and a 48-hour follow-up action), referrals, the support
check-ins as actions, "parents informed" and "who reported it" in the chronology.

Each derived record is written once: its id goes into the step's ``_logged`` map, which is
always taken from the database (jobs run one after another on the DB thread), so an early
autosave followed quickly by another cannot write a record twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from casebook import profiles
from casebook.domain import AccountStatus, Case, StepKey, StepStatus
from casebook.services import Casebook
from casebook.ui.widgets.common import fmt_date
from casebook.ui.widgets.context import Setup

LOGGED = "_logged"
REFERRALS = "referral_rows"
FOLLOW_UP_DAYS = 2  # platforms get 48 hours before a follow-up or escalation

#: derive=None: a timed autosave (answers only). "page": leaving the page. "done": marking done.
PAGE = "page"
DONE = "done"

OUTCOME_TO_ACCOUNT = {
    "waiting": AccountStatus.REPORTED,
    "no-response": AccountStatus.REPORTED,
    "escalated": AccountStatus.REPORTED,
    "removed": AccountStatus.REMOVED,
    "refused": AccountStatus.REFUSED,
}


@dataclass(frozen=True)
class Referral:
    """A row of the report page's referrals table."""

    agency_id: str
    name: str
    body: str  # tracker body
    request: str  # tracker request
    made_key: str | None = None  # spec field this row also fills (bool)
    reference_key: str | None = None  # spec field this row also fills (text)


def referral_rows(setup: Setup) -> list[Referral]:
    """Who a case may be referred to, in this order, as far as the profile lists them."""
    us = setup.school.jurisdiction.value == "us"
    wanted = [
        ("posh", "helpline", "advice", "helpline_contacted", None),
        ("district-line", "local-authority", "advice", "district_informed", None),
        ("report-harmful-content", "report-harmful-content", "removal", None,
         "report_harmful_content"),
        ("police", "police", "referral", None, "police_reference"),
        ("allegations", "local-authority" if us else "lado", "referral", None, None),
        ("social-care", "other" if us else "local-authority", "referral", None, None),
        ("ncmec", "other", "referral", None, "ncmec_reference"),
    ]
    known = {a.id: a for a in setup.profile.agencies}
    return [Referral(aid, known[aid].name, body, request, made, ref)
            for aid, body, request, made, ref in wanted if aid in known]


def follow_up_date(reported_on: date) -> date:
    return reported_on + timedelta(days=FOLLOW_UP_DAYS)


def has_content(data: dict[str, Any]) -> bool:
    def filled(value: Any) -> bool:
        if isinstance(value, dict):
            return any(filled(v) for v in value.values())
        return value not in (None, "", False, [])

    return any(filled(v) for k, v in data.items() if k != LOGGED)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _at(day: date, now: datetime) -> datetime:
    """A date-only answer as a moment: now if it is today, else the start of that day."""
    return now if day == now.date() else datetime.combine(day, time())


def _choice_label(setup: Setup, key: StepKey, field_id: str, value: Any) -> str:
    guidance = next(g for g in setup.guidance if g.key == key)
    try:
        spec = guidance.field(field_id)
    except KeyError:
        return str(value)
    return next((c.label for c in spec.choices if c.value == value), str(value))


@dataclass(frozen=True)
class SaveResult:
    case: Case
    data: dict[str, Any]
    messages: tuple[str, ...] = ()


class _Writer:
    def __init__(self, casebook: Casebook, case_id: int, setup: Setup, key: StepKey,
                 data: dict[str, Any], logged: dict[str, Any]) -> None:
        self.cb = casebook
        self.case_id = case_id
        self.setup = setup
        self.key = key
        self.data = data
        self.logged = logged
        self.messages: list[str] = []
        self.now = casebook.store.now()
        self.us = setup.school.jurisdiction.value == "us"

    def term(self, name: str) -> str:
        return profiles.term(self.setup.profile, name)

    # ----- per step ------------------------------------------------------------------------
    def gather_evidence(self, derive: str) -> None:
        who, day = (self.data.get("reported_by") or "").strip(), _day(self.data.get("reported_on"))
        if derive == DONE and who and day and "reported" not in self.logged:
            how = self.data.get("reported_how")
            text = f"Concern reported to the school by {who}"
            if how:
                text += f" ({_choice_label(self.setup, self.key, 'reported_how', how)})"
            entry = self.cb.cases.add_entry(self.case_id, text + ".", _at(day, self.now))
            self.logged["reported"] = entry.id

    def sanctions(self, derive: str) -> None:
        day = _day(self.data.get("parents_informed_on"))
        if self.data.get("parents_informed") and day and "parents" not in self.logged:
            how = self.data.get("parents_informed_how")
            text = f"{self.term('Parents')} informed"
            if how:
                text += f" ({_choice_label(self.setup, self.key, 'parents_informed_how', how).lower()})"
            entry = self.cb.cases.add_entry(self.case_id, text + ".", _at(day, self.now))
            self.logged["parents"] = entry.id
            self.messages.append("Recorded in the chronology: " + text + ".")

    def support(self, derive: str) -> None:
        follow = self.data.get("follow_up_on") or {}
        by = self.data.get("support_by") or {}
        if not isinstance(follow, dict):
            return
        people = {str(p.id): p for p in self.cb.cases.people(self.case_id)}
        for person_id, value in follow.items():
            day = _day(value)
            person = people.get(person_id)
            key = f"follow-up:person:{person_id}"
            if day is None or person is None or key in self.logged:
                continue
            owner = (by.get(person_id) or "").strip() if isinstance(by, dict) else ""
            action = self.cb.cases.add_action(
                self.case_id, f"Check in again with {person.name} about the support offered",
                owner or self.cb.user.name, day)
            self.logged[key] = action.id
            self.messages.append(f"Action added: check in with {person.name} on "
                                 f"{fmt_date(day, self.us)}.")

    def report(self, derive: str) -> None:
        tracker = self.cb.tracker
        accounts = {str(a.id): a for a in self.cb.cases.accounts(self.case_id)}
        existing = {r.id: r for r in tracker.for_case(self.case_id)}

        def per(field_id: str) -> dict[str, Any]:
            value = self.data.get(field_id) or {}
            return value if isinstance(value, dict) else {}

        reported_on, references = per("reported_on"), per("reference")
        outcomes, types, follow = per("outcome"), per("report_type"), per("follow_up_on")
        for account_id, account in accounts.items():
            day = _day(reported_on.get(account_id))
            if day is None:
                continue
            reference = (references.get(account_id) or "").strip()
            outcome = outcomes.get(account_id) or "waiting"
            key = f"report:{account_id}"
            row = existing.get(self.logged.get(key, -1))
            if row is None:
                kind = types.get(account_id)
                row = tracker.add(self.case_id, body="platform", recipient=account.platform,
                                  made_at=_at(day, self.now), account_id=account.id,
                                  channel="The platform's own report form",
                                  reference=reference,
                                  request="other" if kind == "trademark" else "removal",
                                  status=outcome)
                self.logged[key] = row.id
                text = f"Reported {account.handle} to {account.platform}"
                if kind:
                    text += f" as “{_choice_label(self.setup, self.key, 'report_type', kind)}”"
                if reference:
                    text += f". Reference: {reference}"
                self.cb.cases.add_entry(self.case_id, text + ".", _at(day, self.now))
                due = _day(follow.get(account_id)) or follow_up_date(day)
                action = self.cb.cases.add_action(
                    self.case_id,
                    f"Follow up the report of {account.handle} to {account.platform} "
                    "if there has been no reply (48 hours)", self.cb.user.name, due)
                self.logged[f"follow-up:{account_id}"] = action.id
                self.messages.append(f"Report to {account.platform} recorded. Follow up on "
                                     f"{fmt_date(due, self.us)}.")
            else:
                changes: dict[str, Any] = {}
                if reference != row.reference:
                    changes["reference"] = reference
                if outcome != row.status:
                    changes["status"] = outcome
                if changes:
                    tracker.update(row.id, **changes)
                if "status" in changes:
                    label = _choice_label(self.setup, self.key, "outcome", outcome)
                    self.cb.cases.add_entry(
                        self.case_id, f"Outcome of the report of {account.handle} to "
                        f"{account.platform}: {label}.")
                    follow_id = self.logged.get(f"follow-up:{account_id}")
                    if outcome == "removed" and follow_id:
                        self.cb.cases.set_action_done(int(follow_id), True)
            wanted = OUTCOME_TO_ACCOUNT.get(outcome, AccountStatus.REPORTED)
            if account.status != wanted:
                self.cb.cases.set_account_status(account.id, wanted)

        rows = self.data.get(REFERRALS) or {}
        for referral in referral_rows(self.setup):
            answer = rows.get(referral.agency_id) or {}
            day = _day(answer.get("date"))
            reference = (answer.get("reference") or "").strip()
            key = f"referral:{referral.agency_id}"
            row = existing.get(self.logged.get(key, -1))
            if row is None and answer.get("made") and day:
                row = tracker.add(self.case_id, body=referral.body, recipient=referral.name[:100],
                                  made_at=_at(day, self.now), reference=reference,
                                  request=referral.request, status="waiting")
                self.logged[key] = row.id
                text = f"Referred to {referral.name}"
                if reference:
                    text += f". Reference: {reference}"
                self.cb.cases.add_entry(self.case_id, text + ".", _at(day, self.now))
                self.messages.append(f"Referral to {referral.name} recorded.")
            elif row is not None and reference != row.reference:
                tracker.update(row.id, reference=reference)

    def run(self, derive: str) -> None:
        handler = {
            StepKey.GATHER_EVIDENCE: self.gather_evidence,
            StepKey.SANCTIONS: self.sanctions,
            StepKey.SUPPORT: self.support,
            StepKey.REPORT: self.report,
        }.get(self.key)
        if handler is not None:
            handler(derive)


def save_page(casebook: Casebook, case_id: int, setup: Setup, key: StepKey,
              data: dict[str, Any], *, derive: str | None = None,
              status: StepStatus | None = None) -> SaveResult:
    """Save a page's answers, writing what they imply (see the module docstring)."""
    current = casebook.cases.get(case_id).step(key)
    data = {k: v for k, v in data.items() if k != LOGGED}
    logged = dict(current.data.get(LOGGED) or {})
    writer = _Writer(casebook, case_id, setup, key, data, logged)
    if derive is not None:
        writer.run(derive)
    if logged:
        data[LOGGED] = logged
    if status is None and current.status == StepStatus.NOT_STARTED and has_content(data):
        status = StepStatus.IN_PROGRESS
    case = casebook.cases.save_step(case_id, key, data, status)
    return SaveResult(case, case.step(key).data, tuple(writer.messages))


def record_decision(casebook: Casebook, case_id: int, key: StepKey, marker: str, what: str,
                    why: str) -> Case:
    """A decision prompted by the wizard, remembered in the step so it is asked only once."""
    decision = casebook.cases.add_decision(case_id, what, why)
    stored = dict(casebook.cases.get(case_id).step(key).data)
    logged = dict(stored.get(LOGGED) or {})
    logged[marker] = decision.id
    stored[LOGGED] = logged
    return casebook.cases.save_step(case_id, key, stored)
