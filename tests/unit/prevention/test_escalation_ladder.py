"""The escalation ladder (issue 11, item 10): platform → POSH after 48 hours or a refusal →
Report Harmful Content only after a refusal or more than 7 days → police, or CEOP only where
its remit fits → a note for Ofcom when a platform keeps refusing. The rules are data."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from prevention_helpers import World

from casebook.domain import CaseType, Jurisdiction
from casebook.errors import ValidationError
from casebook.services import escalation
from casebook.services.escalation import load_ladder
from casebook.services.tracker import TrackerService

MADE = datetime(2026, 10, 1, 9, 0)


def _states(ladder) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.rung.id: r.state for r in ladder.rungs}


def test_each_rung_opens_when_the_guidance_says(world: World) -> None:
    tracker = TrackerService(world.book.store)
    case = world.book.cases.create("Rumour page", CaseType.HARASSMENT)
    account = world.book.cases.add_account(case.id, "Instagram", "@rumours", "harassing")
    report = tracker.add(case.id, body="platform", recipient="Instagram", made_at=MADE,
                         account_id=account.id, reference="IG-1")

    at = tracker.ladders(now=MADE + timedelta(hours=47))[report.id]
    assert _states(at) == {"platform": "done", "helpline": "later",
                           "report-harmful-content": "later", "police": "optional",
                           "ceop": "optional", "ofcom": "later"}
    assert at.rung("helpline").opens_on == MADE + timedelta(hours=48)
    assert at.rung("report-harmful-content").opens_on == MADE + timedelta(days=7)
    assert at.where() == "Platform: waiting; Professionals Online Safety Helpline (POSH) " \
                         "from 3 Oct"

    # After 48 hours with no answer: POSH opens; Report Harmful Content still waits a week.
    at = tracker.ladders(now=MADE + timedelta(hours=49))[report.id]
    assert _states(at)["helpline"] == "open"
    assert _states(at)["report-harmful-content"] == "later"
    assert at.where() == "Platform: waiting; next: Professionals Online Safety Helpline (POSH)"
    # ... and after more than 7 days it opens too.
    at = tracker.ladders(now=MADE + timedelta(days=7, hours=1))[report.id]
    assert _states(at)["report-harmful-content"] == "open"

    # A refusal opens both at once, whatever the time.
    tracker.update(report.id, status="refused", outcome_at=MADE + timedelta(hours=3),
                   response="No violation found.")
    at = tracker.ladders(now=MADE + timedelta(hours=4))[report.id]
    assert _states(at)["helpline"] == "open" and _states(at)["report-harmful-content"] == "open"

    # Recording the POSH step (a report to the helpline on the same account) marks it done.
    posh = tracker.add(case.id, body="helpline", recipient="POSH", account_id=account.id,
                       made_at=MADE + timedelta(hours=5), request="advice")
    at = tracker.ladders(now=MADE + timedelta(hours=6))[report.id]
    assert at.rung("helpline").state == "done" and at.rung("helpline").latest == posh
    assert at.where() == ("Professionals Online Safety Helpline (POSH): waiting; "
                          "next: Report Harmful Content")


def test_ceop_is_not_for_fake_or_baiting_accounts_and_a_removal_ends_the_ladder(
        world: World) -> None:
    tracker = TrackerService(world.book.store)
    fake = world.book.cases.create("Fake school account", CaseType.IMPERSONATION)
    report = tracker.add(fake.id, body="platform", recipient="TikTok", made_at=MADE)
    at = tracker.ladders(now=MADE + timedelta(days=1))[report.id]
    assert at.rung("ceop").state == "not-for-case"
    assert "does not take" in at.rung("ceop").why
    tracker.update(report.id, status="removed", outcome_at=MADE + timedelta(hours=30))
    at = tracker.ladders(now=MADE + timedelta(days=9))[report.id]
    assert {at.rung(r).state for r in ("helpline", "report-harmful-content")} == {"not-needed"}
    assert at.where() == "Platform acted: nothing more to do"


def test_a_platform_that_keeps_refusing_gets_a_note_for_ofcom(world: World) -> None:
    tracker = TrackerService(world.book.store)
    case = world.book.cases.create("Rumour page", CaseType.HARASSMENT)
    first = tracker.add(case.id, body="platform", recipient="Snapchat", made_at=MADE,
                        status="refused", outcome_at=MADE + timedelta(hours=2))
    assert tracker.ladder(first.id).rung("ofcom").state == "later"
    second = tracker.add(case.id, body="platform", recipient="snapchat ",
                         made_at=MADE + timedelta(days=1), status="refused",
                         outcome_at=MADE + timedelta(days=1, hours=1))
    ofcom = tracker.ladder(second.id).rung("ofcom")
    assert ofcom.state == "open" and "refused 2" in ofcom.why
    with pytest.raises(ValidationError, match="platform"):
        tracker.ladder(tracker.add(case.id, body="lado", recipient="LADO").id)


def test_the_rules_are_data_for_each_jurisdiction() -> None:
    uk = load_ladder(Jurisdiction.ENGLAND)
    assert [r.id for r in uk] == ["platform", "helpline", "report-harmful-content", "police",
                                  "ceop", "ofcom"]
    assert next(r for r in uk if r.id == "helpline").wait_hours == 48
    assert next(r for r in uk if r.id == "report-harmful-content").wait_days == 7
    assert all(r.ready for r in uk), "every rung says what to have ready"
    assert load_ladder(Jurisdiction.WALES) == uk
    us = load_ladder(Jurisdiction.US)
    assert "ceop" not in [r.id for r in us] and us[0].id == "platform"


def test_a_broken_ladder_file_is_refused_calmly(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "escalation"
    folder.mkdir()
    (folder / "uk.toml").write_text('jurisdictions = ["england"]\n[[rungs]]\nid = "x"\n'
                                    'body = "helpline"\ntitle = "X"\nopens = "whenever"\n',
                                    encoding="utf-8")
    monkeypatch.setattr(escalation, "resources_dir", lambda: tmp_path)
    escalation.load_ladder.cache_clear()
    try:
        with pytest.raises(ValidationError, match="opens"):
            load_ladder(Jurisdiction.ENGLAND)
        (folder / "uk.toml").write_text("not [ toml", encoding="utf-8")
        escalation.load_ladder.cache_clear()
        with pytest.raises(ValidationError, match="could not be read"):
            load_ladder(Jurisdiction.ENGLAND)
    finally:
        escalation.load_ladder.cache_clear()


def test_every_jurisdiction_has_a_ladder_whose_agencies_are_in_its_profile() -> None:
    from casebook.profiles import load_profile
    from casebook.services.tracker import BODIES

    for jurisdiction in Jurisdiction:
        rungs = load_ladder(jurisdiction)
        profile = load_profile(jurisdiction)
        ids = {a.id for a in profile.agencies}
        for rung in rungs:
            assert rung.body in BODIES, f"{jurisdiction}: {rung.id} has an unknown body"
            assert not rung.agency or rung.agency in ids, \
                f"{jurisdiction}: {rung.id} names agency {rung.agency}, not in the profile"
