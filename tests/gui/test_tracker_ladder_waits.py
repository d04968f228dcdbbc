"""Issue 11 item 10, the waiting times of the escalation ladder as the tracker shows them:
POSH after 48 hours without an answer, Report Harmful Content only after a refusal or more
than 7 days without one, the 48-hour chase kept for POSH, CEOP offered where its remit fits,
and a note for Ofcom once a platform has refused the school twice."""

from __future__ import annotations

from datetime import timedelta

from casebook.ui.kit import fmt_date
from casebook.ui.main_window import MainWindow

WAIT = 10_000
POSH = "Professionals Online Safety Helpline (POSH)"
RHC = "Report Harmful Content"
OFCOM = "A note for Ofcom"


def _ladder(view, report_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    view.select_report(report_id)
    return dict(view.ladder_rows())


def test_each_rung_opens_when_its_wait_is_over(qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = main_window.casebook
    assert book is not None
    now = book.store.now()
    case = book.cases.create("Fight video shared by a year 9 group", "video")
    add = book.tracker.add
    fresh = add(case.id, body="platform", recipient="TikTok", made_at=now - timedelta(hours=30))
    old = add(case.id, body="platform", recipient="Snapchat", made_at=now - timedelta(days=8))
    first_no = add(case.id, body="platform", recipient="Instagram",
                   made_at=now - timedelta(days=4), status="refused",
                   outcome_at=now - timedelta(days=3))
    other = book.cases.create("Fake staff account", "impersonation")
    add(other.id, body="helpline", recipient=POSH, made_at=now - timedelta(days=3),
        request="advice")
    view = main_window.fixed_views["tracker"]
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        main_window.show_screen("tracker")

    # 30 hours without an answer: nothing opens yet; each rung says from when.
    rows = _ladder(view, fresh.id)
    assert rows[POSH] == f"From {fmt_date(fresh.made_at + timedelta(hours=48))}"
    assert rows[RHC] == f"From {fmt_date(fresh.made_at + timedelta(days=7))}"
    assert rows["CEOP (National Crime Agency)"] == "If it applies"  # a video case: its remit
    assert rows[OFCOM] == "Not yet"

    # 8 days without an answer: POSH and Report Harmful Content are both open.
    rows = _ladder(view, old.id)
    assert (rows[POSH], rows[RHC]) == ("Open now", "Open now")

    # One refusal from Instagram: no note for Ofcom yet; a second one opens it.
    assert _ladder(view, first_no.id)[OFCOM] == "Not yet"
    added = []
    with qtbot.waitSignal(view.loaded, timeout=WAIT):  # the change notice reloads the screen
        main_window.worker.submit(lambda: add(case.id, body="platform", recipient="Instagram",
                                              made_at=now - timedelta(days=2), status="refused",
                                              outcome_at=now - timedelta(days=1)), added.append)
    rows = _ladder(view, added[0].id)
    assert rows[OFCOM] == "Open now"
    view.select_rung("ofcom")
    assert "Instagram has refused 2 of the school's reports." in view.ready_text.text()

    # POSH itself is chased after 48 hours, as platforms are.
    chases = [t for t in view.reminder_texts() if f"No answer from {POSH}" in t]
    assert chases == [f"Chase ({other.reference}): No answer from {POSH} after 72 hours. "
                      "Chase it."]
    assert not any("No answer from TikTok" in t for t in view.reminder_texts())  # 30 hours
