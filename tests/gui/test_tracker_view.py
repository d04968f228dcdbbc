"""The platform report tracker, driven through its form: add a report, see the reminder to
chase it, record the platform's refusal, and watch the reminder and the figures change."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "prevention"))
from prevention_helpers import World, make_world, save_screenshot, seed_demo  # noqa: E402

from casebook.services.tracker import TrackerService  # noqa: E402
from casebook.ui.tracker import TrackerView  # noqa: E402
from casebook.ui.worker import DbWorker  # noqa: E402

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

WAIT = 10_000


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path)  # the clock says 5 October 2026, 09:00
    yield w
    w.book.lock()


@pytest.fixture
def worker(qtbot, world: World) -> Iterator[DbWorker]:  # type: ignore[no-untyped-def]
    db = DbWorker()
    db.watch_changes(world.book.store.take_changes)  # as the main window does
    yield db
    qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    db.stop()


def open_view(qtbot, worker: DbWorker, world: World) -> TrackerView:  # type: ignore[no-untyped-def]
    view = TrackerView(worker, world.book)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=WAIT)  # the case's accounts
    return view


def test_add_a_report_record_a_refusal_and_see_reminders_and_figures_change(
        qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    case = world.book.cases.create("Fake school account", "impersonation")
    account = world.book.cases.add_account(case.id, "Instagram", "@oakfield_fake",
                                           "impersonating-school")
    view = open_view(qtbot, worker, world)
    assert view.reminder_texts() == []
    assert view.figures_table.rowCount() == 0
    assert view.case_edit.currentData() == case.id
    assert view.account_edit.findData(account.id) > 0

    # The form: to Instagram, three days ago, with the platform's reference.
    view.account_edit.setCurrentIndex(view.account_edit.findData(account.id))
    view.body_edit.setCurrentIndex(view.body_edit.findData("platform"))
    view.recipient_edit.setEditText("")
    qtbot.keyClicks(view.recipient_edit.lineEdit(), "Instagram")
    qtbot.keyClicks(view.channel_edit, "In-app report")
    view.made_edit.setDateTime(QDateTime(QDate(2026, 10, 2), QTime(8, 30)))
    qtbot.keyClicks(view.reference_edit, "IG-4471")
    with qtbot.waitSignal(view.report_saved, timeout=WAIT) as saved, \
            qtbot.waitSignal(view.figures_loaded, timeout=WAIT):
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    report_id = saved.args[0]
    stored = TrackerService(world.book.store).get(report_id)
    assert (stored.recipient, stored.reference, stored.status, stored.account_id) == \
        ("Instagram", "IG-4471", "waiting", account.id)
    assert stored.made_at == datetime(2026, 10, 2, 8, 30)

    # Waiting for more than 48 hours: chase it.
    [reminder] = view.reminder_texts()
    assert reminder.startswith("Chase (CB-2026-0001)")
    assert "IG-4471" in reminder and "Professionals Online Safety Helpline (POSH)" in reminder
    assert view.figures_row("Instagram") == ["Instagram", "1", "0 (0%)", "0 (0%)", "1 (100%)",
                                             "–"]
    row = 0
    assert view.reports_table.item(row, 5).text() == "Waiting: chase"

    # The platform says it does not break its rules.
    view.select_report(report_id)
    assert view.refusal_button.isEnabled()
    qtbot.keyClicks(view.response_edit, "We found no violation of our Community Guidelines.")
    with qtbot.waitSignal(view.figures_loaded, timeout=WAIT):
        qtbot.mouseClick(view.refusal_button, Qt.MouseButton.LeftButton)
    refused = TrackerService(world.book.store).get(report_id)
    assert refused.status == "refused" and refused.response.startswith("We found no violation")
    assert refused.outcome_at == world.clock.now

    [reminder] = view.reminder_texts()
    assert reminder.startswith("Escalate (CB-2026-0001)")
    assert "refused to act" in reminder and "reference number and its reply" in reminder
    median = f"{(world.clock.now - datetime(2026, 10, 2, 8, 30)).total_seconds() / 86400:.1f}"
    assert view.figures_row("Instagram") == ["Instagram", "1", "0 (0%)", "1 (100%)", "0 (0%)",
                                             median.rstrip("0").rstrip(".")]
    assert view.reports_table.item(0, 5).text() == "Refused"

    # Escalating to the helpline through the same form clears the reminder.
    view.new_report()
    view.body_edit.setCurrentIndex(view.body_edit.findData("helpline"))
    assert view.recipient_edit.currentText() == "Professionals Online Safety Helpline (POSH)"
    view.account_edit.setCurrentIndex(view.account_edit.findData(account.id))
    view.request_edit.setCurrentIndex(view.request_edit.findData("advice"))
    with qtbot.waitSignal(view.figures_loaded, timeout=WAIT):
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert view.reminder_texts() == []
    assert view.reminder_model.index(0).data() == "Nothing to chase or escalate."
    assert view.figures_table.rowCount() == 2


def test_a_bad_report_is_refused_with_a_plain_message(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    world.book.cases.create("Fake school account", "impersonation")
    view = open_view(qtbot, worker, world)
    view.recipient_edit.setEditText("")
    with qtbot.waitSignal(view.failed, timeout=WAIT) as failed:
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert "who the report went to" in failed.args[0]
    assert view.form_message.text() == failed.args[0]
    assert view.add_button.isEnabled()
    assert TrackerService(world.book.store).all() == []


def test_clicking_a_reminder_selects_its_report(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    case = world.book.cases.create("Baiting account", "baiting")
    tracker = TrackerService(world.book.store)
    tracker.add(case.id, body="platform", recipient="TikTok",
                made_at=world.clock.now - timedelta(days=1))
    late = tracker.add(case.id, body="platform", recipient="Snapchat",
                       made_at=world.clock.now - timedelta(days=4))
    view = open_view(qtbot, worker, world)
    assert len(view.reminder_texts()) == 1
    rect = view.reminder_list.visualRect(view.reminder_model.index(0))
    qtbot.mouseClick(view.reminder_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert view.form_title.text().startswith("Report to Snapchat")
    assert view.save_button.isEnabled() and not view.add_button.isEnabled()
    assert view.reports_table.item(view.reports_table.currentRow(), 0).data(
        Qt.ItemDataRole.UserRole) == late.id


def test_screenshot_of_the_tracker(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    demo = make_world(tmp_path, start=datetime(2025, 11, 3, 9))
    db = DbWorker()
    db.watch_changes(demo.book.store.take_changes)
    try:
        ids = seed_demo(demo)
        view = TrackerView(db, demo.book)
        qtbot.addWidget(view)
        view.resize(1280, 800)
        with qtbot.waitSignal(view.loaded, timeout=WAIT):
            view.show()
        qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
        view.select_report(ids["reports"][8])
        assert view.form_title.text().startswith("Report to Instagram")
        assert len(view.reminder_texts()) == 4
        assert view.figures_row("Instagram")[1] == "5"
        save_screenshot(view, "tracker.png")
        qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    finally:
        db.stop()
        demo.book.lock()


def test_the_escalation_ladder_shows_where_a_report_stands_and_records_the_next_step(
        qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    """Issue 11, item 10: a refused platform report opens POSH and Report Harmful Content (not
    CEOP for a fake account); each step says what to have ready and is recorded through the
    form; LADO referrals are not listed among the reports to platforms."""
    case = world.book.cases.create("Fake school account", "impersonation")
    account = world.book.cases.add_account(case.id, "Instagram", "@oakfield_fake",
                                           "impersonating-school")
    tracker = TrackerService(world.book.store)
    report = tracker.add(case.id, body="platform", recipient="Instagram", account_id=account.id,
                         made_at=world.clock.now - timedelta(days=2), reference="IG-9",
                         status="refused", outcome_at=world.clock.now - timedelta(days=1),
                         response="No violation of our Community Guidelines.")
    tracker.add(case.id, body="lado", recipient="LADO", request="referral")
    view = open_view(qtbot, worker, world)
    assert view.reports_table.rowCount() == 1  # the LADO referral is not a platform report
    assert view.reports_table.horizontalHeaderItem(8).text() == "Where it stands"
    assert view.reports_table.item(0, 8).text() == \
        "Platform: refused; next: Professionals Online Safety Helpline (POSH)"
    assert view.body_edit.findData("lado") == -1 and view.body_edit.findData("ceop") >= 0

    view.select_report(report.id)
    rows = dict(view.ladder_rows())
    assert rows["Report to the platform"].startswith("Done 3 Oct 2026, refused 4 Oct 2026")
    assert rows["Professionals Online Safety Helpline (POSH)"] == "Open now"
    assert rows["Report Harmful Content"] == "Open now"
    assert rows["CEOP (National Crime Agency)"] == "Not for this kind of case"
    assert rows["Police"] == "If it applies"
    assert view.ladder_list.currentItem().text(0) == "Professionals Online Safety Helpline (POSH)"
    assert "Have ready:" in view.ready_text.text()
    assert "The platform's reply, kept as evidence" in view.ready_text.text()

    view.select_rung("ceop")
    assert not view.record_rung_button.isEnabled()
    assert "does not take bullying, fake" in view.ready_text.text()

    view.select_rung("helpline")
    qtbot.mouseClick(view.record_rung_button, Qt.MouseButton.LeftButton)
    assert view.body_edit.currentData() == "helpline"
    assert view.recipient_edit.currentText() == "Professionals Online Safety Helpline (POSH)"
    assert view.request_edit.currentData() == "advice"
    assert view.add_button.isEnabled()
    qtbot.waitUntil(lambda: view.account_edit.currentData() == account.id, timeout=WAIT)
    qtbot.keyClicks(view.reference_edit, "POSH-77")
    with qtbot.waitSignal(view.report_saved, timeout=WAIT) as saved, \
            qtbot.waitSignal(view.figures_loaded, timeout=WAIT):
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    stored = TrackerService(world.book.store).get(saved.args[0])
    assert (stored.body, stored.account_id, stored.reference) == ("helpline", account.id,
                                                                  "POSH-77")
    assert view.reports_table.rowCount() == 1
    assert view.reports_table.item(0, 8).text() == \
        "Professionals Online Safety Helpline (POSH): waiting; next: Report Harmful Content"
    view.select_report(report.id)
    assert dict(view.ladder_rows())["Professionals Online Safety Helpline (POSH)"] == \
        "Done 5 Oct 2026, waiting"


def test_a_change_elsewhere_reloads_the_screen_but_keeps_what_is_being_typed(
        qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    case = world.book.cases.create("Fake school account", "impersonation")
    tracker = TrackerService(world.book.store)
    report = tracker.add(case.id, body="platform", recipient="TikTok",
                         made_at=world.clock.now - timedelta(hours=3))
    view = open_view(qtbot, worker, world)
    view.select_report(report.id)
    qtbot.keyClicks(view.response_edit, "They asked for the school's ID")
    # Someone records another report (the wizard does this on the same worker).
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        worker.submit(lambda: tracker.add(case.id, body="platform", recipient="Snapchat"))
    assert view.reports_table.rowCount() == 2
    assert view.response_edit.toPlainText() == "They asked for the school's ID"
    assert view.save_button.isEnabled()


def _many_reports(world: World, count: int) -> list[int]:
    """``count`` reports to platforms on two cases, a day apart (the newest last)."""
    first = world.book.cases.create("Fake account", "impersonation")
    second = world.book.cases.create("Group chat", "harassment")
    tracker = TrackerService(world.book.store)
    return [tracker.add((first, second)[i % 2].id, body="platform", recipient="TikTok",
                        made_at=world.clock.now - timedelta(days=count - i),
                        status="removed").id
            for i in range(count)]


def _listed(view: TrackerView) -> list[int]:
    return [view.reports_table.item(row, 0).data(Qt.ItemDataRole.UserRole)
            for row in range(view.reports_table.rowCount())]


def test_reports_are_listed_a_page_at_a_time_and_show_more_lists_every_one(
        qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    ids = _many_reports(world, 12)
    TrackerService(world.book.store).add(
        world.book.cases.list_page(limit=1)[0].id, body="helpline", recipient="POSH")
    view = TrackerView(worker, world.book)
    view.page_size = 5
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    assert _listed(view) == ids[::-1][:5]  # newest first; the helpline report is not listed
    assert view.shown_text.text() == "Showing the newest 5 of 12 reports"
    assert view.more_button.isEnabled()
    for shown in (10, 12):
        qtbot.mouseClick(view.more_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda shown=shown: view.reports_table.rowCount() == shown, timeout=WAIT)
    assert _listed(view) == ids[::-1]  # every report, once, in order
    assert view.shown_text.text() == "12 reports" and not view.more_button.isEnabled()
    # A report further down has its ladder too ("Where it stands").
    assert view.reports_table.item(11, 8).text() == "Platform acted: nothing more to do"


def test_a_reminder_about_a_report_not_listed_yet_still_opens_it(
        qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    _many_reports(world, 6)
    case = world.book.cases.create("Old report", "baiting")
    old = TrackerService(world.book.store).add(
        case.id, body="platform", recipient="Snapchat", reference="SC-1",
        made_at=world.clock.now - timedelta(days=30))
    view = TrackerView(worker, world.book)
    view.page_size = 3
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    assert old.id not in _listed(view)
    [reminder] = view.reminder_texts()
    assert reminder.startswith(f"Chase ({case.reference})")
    view.reminder_list.clicked.emit(view.reminder_model.index(0))
    qtbot.waitUntil(lambda: view.form_title.text().startswith("Report to Snapchat"),
                    timeout=WAIT)
    assert view.reference_edit.text() == "SC-1"
    assert view.case_edit.currentData() == case.id
    assert ("Professionals Online Safety Helpline (POSH)", "Open now") in view.ladder_rows()


def test_the_case_picker_finds_cases_as_you_type(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    wanted = world.book.cases.create("Nude image shared by Jordan Ødegård", "other")
    for n in range(3):
        world.book.cases.create(f"Unrelated case {n}", "harassment")
    view = open_view(qtbot, worker, world)
    assert view.case_edit.count() == 4
    assert view.case_edit.currentData() != wanted.id  # the newest change comes first
    qtbot.keyClicks(view.case_search, "odegard")
    qtbot.waitUntil(lambda: view.case_edit.count() == 1, timeout=WAIT)
    assert view.case_edit.currentData() == wanted.id
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=WAIT)  # its accounts
    view.case_search.clear()
    qtbot.keyClicks(view.case_search, "nobody by that name")
    qtbot.waitUntil(lambda: view.form_message.text() == "No case matches that search.",
                    timeout=WAIT)
    assert view.case_edit.count() == 0
    view.add_button.click()
    assert view.form_message.text() == "Open a case first: every report belongs to a case."
