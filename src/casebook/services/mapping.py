"""ORM row -> domain object conversions (rows never leave a session)."""

from __future__ import annotations

import json

from casebook.domain import (
    AccountKind,
    AccountStatus,
    Action,
    Case,
    CaseStatus,
    CaseType,
    ChronologyEntry,
    Decision,
    EvidenceItem,
    EvidenceKind,
    Person,
    PersonKind,
    PersonRole,
    PlatformReport,
    RiskLevel,
    SocialAccount,
    Step,
    StepKey,
    StepStatus,
    User,
    UserRole,
)
from casebook.storage import tables as t


def user(row: t.UserRow) -> User:
    return User(id=row.id, name=row.name, role=UserRole(row.role), created_at=row.created_at,
                active=row.active)


def step(row: t.StepRow) -> Step:
    return Step(key=StepKey(row.step_key), status=StepStatus(row.status),
                completed_at=row.completed_at, completed_by=row.completed_by,
                data=json.loads(row.data_json or "{}"), id=row.id)


def case(row: t.CaseRow, steps: list[t.StepRow]) -> Case:
    order = {key: i for i, key in enumerate(StepKey)}
    ordered = sorted((step(s) for s in steps), key=lambda s: order[s.key])
    return Case(
        id=row.id, reference=row.reference, title=row.title, case_type=CaseType(row.case_type),
        summary=row.summary, status=CaseStatus(row.status), risk=RiskLevel(row.risk),
        opened_at=row.opened_at, updated_at=row.updated_at, created_by=row.created_by,
        closed_at=row.closed_at, closed_reason=row.closed_reason, steps=tuple(ordered),
    )


def person(row: t.PersonRow) -> Person:
    return Person(id=row.id, case_id=row.case_id, name=row.name, kind=PersonKind(row.kind),
                  role=PersonRole(row.role), date_of_birth=row.date_of_birth,
                  year_group=row.year_group, notes=row.notes)


def account(row: t.AccountRow) -> SocialAccount:
    return SocialAccount(id=row.id, case_id=row.case_id, platform=row.platform,
                         handle=row.handle, kind=AccountKind(row.kind), url=row.url,
                         first_seen=row.first_seen, follower_count=row.follower_count,
                         status=AccountStatus(row.status), notes=row.notes,
                         platform_account_id=row.platform_account_id)


def chronology(row: t.ChronologyRow, amended_by_id: int | None) -> ChronologyEntry:
    return ChronologyEntry(id=row.id, case_id=row.case_id, occurred_at=row.occurred_at,
                           recorded_at=row.recorded_at, author=row.author, text=row.text,
                           amends_id=row.amends_id, amended_by_id=amended_by_id,
                           amendment_reason=row.amendment_reason, system=bool(row.system))


def decision(row: t.DecisionRow) -> Decision:
    return Decision(id=row.id, case_id=row.case_id, made_at=row.made_at, what=row.what,
                    why=row.why, who=row.who, recorded_by=row.recorded_by)


def action(row: t.ActionRow) -> Action:
    return Action(id=row.id, case_id=row.case_id, description=row.description, owner=row.owner,
                  due_date=row.due_date, created_at=row.created_at, done_at=row.done_at)


def evidence(row: t.EvidenceRow) -> EvidenceItem:
    return EvidenceItem(id=row.id, case_id=row.case_id, kind=EvidenceKind(row.kind),
                        description=row.description, added_at=row.added_at,
                        added_by=row.added_by, source=row.source, filename=row.filename,
                        media_type=row.media_type, size=row.size, sha256=row.sha256,
                        url=row.url, captured_at=row.captured_at)


def platform_report(row: t.PlatformReportRow) -> PlatformReport:
    return PlatformReport(id=row.id, case_id=row.case_id, account_id=row.account_id,
                          body=row.body, recipient=row.recipient, channel=row.channel,
                          made_at=row.made_at, reference=row.reference, request=row.request,
                          status=row.status, response=row.response, outcome_at=row.outcome_at)
