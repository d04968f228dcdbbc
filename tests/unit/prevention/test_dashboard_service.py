"""DashboardService: every number matches the data, and the ids behind it are the right ones."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from prevention_helpers import make_world

from casebook.domain import CaseStatus, StepKey, StepStatus
from casebook.services.dashboard import DashboardService, months_back
from casebook.services.official_accounts import OfficialAccountsService
from casebook.services.tracker import TrackerService


def test_dashboard_numbers_match_the_data(tmp_path: Path) -> None:
    world = make_world(tmp_path, start=datetime(2025, 10, 20, 9, 0))
    try:
        book, clock = world.book, world.clock
        cases = book.cases
        a = cases.create("Baiting account", "baiting", risk="high")  # before the 12-month window
        clock.now = datetime(2026, 3, 10, 10, 0)
        b = cases.create("Fake school account", "impersonation", risk="critical")
        c = cases.create("Group chat", "harassment", risk="low")
        clock.now = datetime(2026, 9, 15, 12, 0)
        d = cases.create("Fight video", "video", risk="medium")
        overdue = cases.add_action(d.id, "Speak to parents", "DSL", due_date=date(2026, 10, 1))
        cases.add_action(d.id, "Follow up", "DSL", due_date=date(2026, 10, 10))
        done = cases.add_action(d.id, "Done already", "DSL", due_date=date(2026, 9, 20))
        cases.set_action_done(done.id)
        clock.now = datetime(2026, 10, 5, 9, 0)
        e = cases.create("Staff impersonation", "impersonation", risk="high")
        for key in StepKey:
            cases.save_step(e.id, key, status=StepStatus.DONE if key != StepKey.SANCTIONS
                            else StepStatus.NOT_NEEDED)
        cases.set_status(c.id, CaseStatus.CLOSED, "Resolved with families")

        tracker = TrackerService(book.store)
        waiting = tracker.add(b.id, body="platform", recipient="Instagram",
                              made_at=datetime(2026, 10, 1, 9))
        removed = tracker.add(d.id, body="platform", recipient="Instagram",
                              made_at=datetime(2026, 9, 16, 9))
        tracker.update(removed.id, status="removed", outcome_at=datetime(2026, 9, 18, 9))
        refused = tracker.add(b.id, body="platform", recipient="TikTok",
                              made_at=datetime(2026, 9, 1, 9))
        tracker.record_refusal(refused.id, at=datetime(2026, 9, 2, 9))
        helpline = tracker.add(b.id, body="helpline", recipient="POSH",
                               made_at=datetime(2026, 10, 4, 9))
        lado = tracker.add(e.id, body="lado", recipient="LADO",
                           made_at=datetime(2026, 10, 4, 10))
        assert lado.status == "waiting" and helpline.status == "waiting"

        checklist = world.checklist()
        review = checklist.current_review()
        checklist.update_item(review.id, "rshe", next_review=date(2026, 10, 1))
        checklist.update_item(review.id, "training", next_review=date(2026, 10, 5))
        checklist.update_item(review.id, "privacy", next_review=date(2026, 11, 1))

        accounts = OfficialAccountsService(book.store)
        never = accounts.add("YouTube", "Oakfield Primary")
        accounts.add("Instagram", "@oakfield", last_checked=date(2026, 9, 30))

        dashboard = DashboardService(book.store)
        empty_backup = dashboard.snapshot()
        assert empty_backup.days_since_backup is None and empty_backup.last_backup_at is None
        book.settings.set("last_backup_at", "2026-09-28T10:00:00")

        snap = dashboard.snapshot()
        assert snap.today == date(2026, 10, 5)
        assert snap.open_cases == 4
        assert set(dashboard.list_for("open-cases")) == {a.id, b.id, d.id, e.id}
        assert dict(snap.open_cases_by_risk) == {"critical": 1, "high": 2, "medium": 1, "low": 0}
        assert list(snap.open_cases_by_risk) == ["critical", "high", "medium", "low"]
        assert set(dashboard.list_for("open-cases:high")) == {a.id, e.id}
        assert dashboard.list_for("open-cases:critical") == [b.id]
        assert dashboard.list_for("open-cases:low") == []
        assert snap.overdue_actions == 1 and dashboard.list_for("overdue-actions") == [overdue.id]
        assert snap.steps_waiting == 3 and set(dashboard.list_for("steps-waiting")) == {a.id, b.id, d.id}
        # "Reports waiting" counts platform reports only: not the LADO referral, not the
        # helpline escalation (the tile opens "Reports to platforms", which lists neither).
        assert snap.reports_waiting == 1
        assert dashboard.list_for("reports-waiting") == [waiting.id]
        assert snap.checklist_due == 2 and dashboard.list_for("checklist-due") == ["rshe", "training"]
        assert snap.official_checks_due == 1 and dashboard.list_for("official-checks-due") == [never.id]
        assert snap.days_since_backup == 7

        months = dict(snap.cases_per_month)
        assert list(months) == months_back(date(2026, 10, 5)) and len(months) == 12
        assert list(months)[0] == "2025-11" and list(months)[-1] == "2026-10"
        assert months["2026-03"]["impersonation"] == 1 and months["2026-03"]["harassment"] == 1
        assert months["2026-09"]["video"] == 1 and months["2026-10"]["impersonation"] == 1
        assert sum(sum(m.values()) for m in months.values()) == 4  # case a is older than a year
        assert set(dashboard.list_for("cases-month:2026-03")) == {b.id, c.id}
        assert dashboard.list_for("cases-month:2026-03:harassment") == [c.id]

        outcomes = dict(snap.platform_outcomes)
        assert list(outcomes) == ["Instagram", "TikTok"]
        assert dict(outcomes["Instagram"]) == {"removed": 1, "refused": 0, "unanswered": 1,
                                               "other": 0}
        assert outcomes["TikTok"]["refused"] == 1
        assert "POSH" not in outcomes  # only platforms in this chart
        assert set(dashboard.list_for("platform-reports:Instagram")) == {waiting.id, removed.id}

        # The list methods read afresh and agree with the snapshot.
        assert dashboard.open_case_ids("high") == dashboard.list_for("open-cases:high")
        assert dashboard.overdue_action_ids() == [overdue.id]
        assert set(dashboard.steps_waiting_case_ids()) == {a.id, b.id, d.id}
        assert dashboard.waiting_report_ids() == [waiting.id]
        assert dashboard.checklist_due_item_ids() == ["rshe", "training"]

        # Numbers move with the data.
        tracker.update(waiting.id, status="removed")
        cases.set_action_done(overdue.id)
        snap2 = dashboard.snapshot()
        assert snap2.reports_waiting == 0 and snap2.overdue_actions == 0
        assert dict(snap2.platform_outcomes)["Instagram"]["removed"] == 2
    finally:
        world.book.lock()


def test_dashboard_of_a_new_casebook_is_all_zeros(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    try:
        snap = DashboardService(world.book.store).snapshot()
        assert (snap.open_cases, snap.overdue_actions, snap.steps_waiting, snap.reports_waiting,
                snap.checklist_due, snap.official_checks_due) == (0, 0, 0, 0, 0, 0)
        assert snap.platform_outcomes == () and len(snap.cases_per_month) == 12
        assert DashboardService(world.book.store).list_for("open-cases") == []
        # Reading the dashboard never creates a checklist review.
        assert world.checklist().reviews() == []
    finally:
        world.book.lock()


def test_months_back_crosses_the_year() -> None:
    assert months_back(date(2026, 2, 14), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_every_number_matches_the_list_behind_it(tmp_path: Path) -> None:
    """The counts come from SQL and the lists are read on a click: they must agree, for every
    number and every bar of both charts (a believable year of data)."""
    from prevention_helpers import seed_demo

    world = make_world(tmp_path)
    try:
        seed_demo(world)
        dashboard = DashboardService(world.book.store)
        snap = dashboard.snapshot()
        numbers = {"open-cases": snap.open_cases, "overdue-actions": snap.overdue_actions,
                   "steps-waiting": snap.steps_waiting, "reports-waiting": snap.reports_waiting,
                   "checklist-due": snap.checklist_due,
                   "official-checks-due": snap.official_checks_due}
        numbers.update({f"open-cases:{risk}": n for risk, n in snap.open_cases_by_risk.items()})
        for month, counts in snap.cases_per_month:
            numbers[f"cases-month:{month}"] = sum(counts.values())
            numbers.update({f"cases-month:{month}:{kind}": n for kind, n in counts.items()})
        for name, counts in snap.platform_outcomes:
            numbers[f"platform-reports:{name}"] = sum(counts.values())
        assert snap.open_cases and snap.platform_outcomes and snap.reports_waiting
        for key, number in numbers.items():
            ids = dashboard.list_for(key, snap.today)
            assert len(ids) == len(set(ids)) == number, key
        assert dashboard.list_for("no-such-list") == []
        assert dashboard.list_for("cases-month:not-a-month") == []
    finally:
        world.book.lock()
