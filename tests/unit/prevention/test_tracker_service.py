"""TrackerService: reminders (chase after 48 hours, escalate a refusal) and per-platform figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prevention_helpers import World, make_world

from casebook.domain import CaseType
from casebook.errors import ValidationError
from casebook.services.tracker import TrackerService

MADE = datetime(2026, 10, 1, 9, 0)


def _case(world: World) -> int:
    return world.book.cases.create("Fake school account", CaseType.IMPERSONATION).id


def test_waiting_report_is_chased_after_48_hours_not_before(world: World) -> None:
    tracker = TrackerService(world.book.store)
    case_id = _case(world)
    report = tracker.add(case_id, body="platform", recipient="Instagram", made_at=MADE,
                         reference="IG-123", channel="In-app report")
    assert tracker.reminders(now=MADE + timedelta(hours=47)) == []
    reminders = tracker.reminders(now=MADE + timedelta(hours=49))
    assert [(r.report_id, r.kind) for r in reminders] == [(report.id, "chase")]
    text = reminders[0].text
    assert "Instagram" in text and "IG-123" in text and "49 hours" in text
    assert "Professionals Online Safety Helpline (POSH)" in text
    # An answer stops the reminder.
    tracker.update(report.id, status="removed", outcome_at=MADE + timedelta(hours=50))
    assert tracker.reminders(now=MADE + timedelta(hours=60)) == []


def test_a_refusal_asks_for_escalation_until_the_helpline_is_contacted(world: World) -> None:
    tracker = TrackerService(world.book.store)
    case_id = _case(world)
    account = world.book.cases.add_account(case_id, "TikTok", "@oakfield_muggies", "baiting")
    report = tracker.add(case_id, body="platform", recipient="TikTok", made_at=MADE,
                         account_id=account.id, reference="TT-9")
    refused = tracker.record_refusal(report.id, "We found no violation of our Community Guidelines",
                                     at=MADE + timedelta(hours=20))
    assert refused.status == "refused" and refused.outcome_at == MADE + timedelta(hours=20)
    reminders = tracker.reminders(now=MADE + timedelta(hours=21))
    assert [(r.report_id, r.kind) for r in reminders] == [(report.id, "escalate")]
    assert "POSH" in reminders[0].text and "reference" in reminders[0].text
    assert "does not break the rules" in reminders[0].text

    tracker.add(case_id, body="helpline", recipient="POSH", account_id=account.id,
                made_at=MADE + timedelta(hours=22), request="advice")
    assert [r.kind for r in tracker.reminders(now=MADE + timedelta(hours=23))] == []
    # The helpline report itself is chased after 48 hours, without escalation wording.
    later = tracker.reminders(now=MADE + timedelta(hours=71))
    assert [r.kind for r in later] == ["chase"]
    assert later[0].recipient == "POSH" and "escalate" not in later[0].text


def test_no_response_recorded_asks_for_escalation_and_marking_escalated_clears_it(
        world: World) -> None:
    tracker = TrackerService(world.book.store)
    report = tracker.add(_case(world), body="platform", recipient="Snapchat", made_at=MADE)
    tracker.update(report.id, status="no-response")
    assert tracker.get(report.id).outcome_at is None
    [reminder] = tracker.reminders(now=MADE + timedelta(days=4))
    assert reminder.kind == "escalate" and "did not answer" in reminder.text
    tracker.update(report.id, status="escalated")
    assert tracker.reminders(now=MADE + timedelta(days=5)) == []


def test_us_wording_has_no_uk_helpline(tmp_path: Path) -> None:
    world = make_world(tmp_path, jurisdiction="us")
    try:
        tracker = TrackerService(world.book.store)
        report = tracker.add(_case(world), body="platform", recipient="Instagram", made_at=MADE)
        tracker.record_refusal(report.id, at=MADE + timedelta(hours=3))
        [reminder] = tracker.reminders(now=MADE + timedelta(hours=4))
        assert "POSH" not in reminder.text and "routes for your area" in reminder.text
    finally:
        world.book.lock()


def test_figures_change_when_a_refusal_is_recorded(world: World) -> None:
    tracker = TrackerService(world.book.store)
    case_id = _case(world)
    a = tracker.add(case_id, body="platform", recipient="Instagram", made_at=MADE)
    b = tracker.add(case_id, body="platform", recipient="instagram ", made_at=MADE)
    c = tracker.add(case_id, body="platform", recipient="Instagram", made_at=MADE)
    tracker.add(case_id, body="platform", recipient="TikTok", made_at=MADE)
    tracker.update(a.id, status="removed", outcome_at=MADE + timedelta(days=2))
    tracker.update(b.id, status="removed", outcome_at=MADE + timedelta(days=4))

    figures = {f.recipient: f for f in tracker.figures()}
    insta = figures["Instagram"]  # "instagram " counts with "Instagram"
    assert (insta.total, insta.removed, insta.refused, insta.unanswered) == (3, 2, 0, 1)
    assert insta.share_removed == pytest.approx(2 / 3)
    assert insta.share_unanswered == pytest.approx(1 / 3)
    assert insta.median_days == 3.0
    assert figures["TikTok"].median_days is None and figures["TikTok"].share_unanswered == 1.0
    assert [f.recipient for f in tracker.figures()] == ["Instagram", "TikTok"]

    tracker.record_refusal(c.id, "Does not go against our guidelines",
                           at=MADE + timedelta(days=10))
    insta = next(f for f in tracker.figures() if f.recipient == "Instagram")
    assert (insta.refused, insta.unanswered) == (1, 0)
    assert insta.share_refused == pytest.approx(1 / 3)
    assert insta.median_days == 4.0  # median of 2, 4 and 10 days


def test_bad_reports_are_refused(world: World) -> None:
    tracker = TrackerService(world.book.store)
    case_id = _case(world)
    with pytest.raises(ValidationError, match="who the report went to"):
        tracker.add(case_id, body="regulator", recipient="Ofcom")
    with pytest.raises(ValidationError, match="in the future"):
        tracker.add(case_id, body="platform", recipient="X", made_at=world.clock.now + timedelta(days=1))
    report = tracker.add(case_id, body="platform", recipient="X", made_at=MADE)
    with pytest.raises(ValidationError, match="before the report was made"):
        tracker.update(report.id, status="removed", outcome_at=MADE - timedelta(hours=1))
    assert tracker.get(report.id).status == "waiting"
    # Back to waiting clears the outcome date.
    tracker.update(report.id, status="removed", outcome_at=MADE + timedelta(hours=1))
    assert tracker.update(report.id, status="waiting").outcome_at is None
    assert [r.id for r in tracker.waiting()] == [report.id]
    assert tracker.case_references()[case_id].startswith("CB-2026-")


def test_reports_come_a_page_at_a_time_newest_first(world: World) -> None:
    tracker = TrackerService(world.book.store)
    cases = [_case(world) for _ in range(3)]
    made = [tracker.add(cases[n % 3], body="platform", recipient=f"Platform {n}",
                        made_at=MADE + timedelta(hours=n)) for n in range(7)]
    newest_first = [r.id for r in reversed(made)]
    pages = [tracker.page(offset, 3) for offset in (0, 3, 6, 9)]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    assert [r.id for p in pages for r in p] == newest_first == [r.id for r in tracker.all()]
    assert tracker.count() == 7
    refs = tracker.case_references(r.case_id for r in pages[2])
    assert set(refs) == {made[0].case_id}
    assert tracker.outcome_counts() == {"waiting": 7}


def test_reminders_on_many_cases_match_each_case_on_its_own(world: World) -> None:
    """Reminders read only the reports that can need one (and their escalations); the result is
    the same as judging every case's reports separately."""
    tracker = TrackerService(world.book.store)
    expected = []
    for n in range(4):
        case_id = _case(world)
        report = tracker.add(case_id, body="platform", recipient="TikTok",
                             made_at=MADE + timedelta(hours=n))
        tracker.record_refusal(report.id, "No violation", at=MADE + timedelta(hours=n + 1))
        tracker.add(case_id, body="platform", recipient="Snapchat", made_at=MADE)
        if n % 2:  # escalated on odd cases only
            tracker.add(case_id, body="helpline", recipient="POSH", status="removed",
                        made_at=MADE + timedelta(hours=n + 2),
                        outcome_at=MADE + timedelta(hours=n + 3))
        else:
            expected.append((report.id, "escalate"))
    now = MADE + timedelta(hours=30)
    assert sorted((r.report_id, r.kind) for r in tracker.reminders(now=now)
                  if r.kind == "escalate") == sorted(expected)
    assert sum(r.kind == "chase" for r in tracker.reminders(now=MADE + timedelta(hours=49))) == 4


def test_a_page_of_one_kind_of_report_and_the_ladders_of_just_that_page(world: World) -> None:
    """The tracker lists reports to platforms a page at a time, with the ladders of that page
    only: the same ladders as reading every report, the first reminders the same as all."""
    from prevention_helpers import seed_demo

    seed_demo(world)
    tracker = TrackerService(world.book.store)
    every = tracker.all()
    platform = [r.id for r in every if r.body == "platform"]
    assert len(platform) < len(every)  # the demo has helpline and other reports too
    paged = [r.id for offset in range(0, len(platform) + 4, 4)
             for r in tracker.page(offset, 4, bodies=("platform",))]
    assert paged == platform and tracker.count(bodies=("platform",)) == len(platform)

    everything = tracker.ladders()
    for offset in range(0, len(platform), 4):
        ids = platform[offset:offset + 4]
        assert tracker.ladders(report_ids=ids) == {i: everything[i] for i in ids}

    reminders = tracker.reminders()
    assert reminders and tracker.reminder_count() == len(reminders)
    assert tracker.reminders(limit=2) == reminders[:2]
