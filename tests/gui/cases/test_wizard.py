"""The response wizard end to end with real widgets on a real encrypted casebook: a new case
through all five steps (safety gate, prompts for LADO/police, platform reports, 48-hour
follow-up), leaving part way and resuming, then closing the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from case_helpers import open_case_view, wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
)

from casebook.domain import AccountStatus, CaseStatus, StepKey, StepStatus
from casebook.ui import prompts
from casebook.ui.widgets.common import fmt_date
from casebook.ui.wizard import ResponseWizard
from casebook.ui.wizard.wizard import AUTOSAVE_MS

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tick(qtbot, checkbox) -> None:  # type: ignore[no-untyped-def]
    """Toggle a checkbox from the keyboard, as a keyboard-only user would."""
    checkbox.setFocus()
    qtbot.keyClick(checkbox, Qt.Key.Key_Space)


def open_wizard(qtbot, worker, view) -> ResponseWizard:  # type: ignore[no-untyped-def]
    click(qtbot, view.wizard_button)
    qtbot.waitUntil(lambda: view.wizard is not None and len(view.wizard.pages) == 5,
                    timeout=15_000)
    wait_idle(qtbot, worker)
    return view.wizard


def mark_done(qtbot, worker, wizard, cb, case_id, key) -> None:  # type: ignore[no-untyped-def]
    click(qtbot, wizard.done_button)
    wait_idle(qtbot, worker)
    qtbot.waitUntil(lambda: cb.cases.get(case_id).step(key).status == StepStatus.DONE)
    wait_idle(qtbot, worker)


def add_account(qtbot, worker, panel, platform: str, handle: str) -> None:  # type: ignore[no-untyped-def]
    before = panel.table.rowCount()
    panel.platform_combo.setEditText(platform)
    qtbot.keyClicks(panel.handle_edit, handle)
    click(qtbot, panel.add_button)
    qtbot.waitUntil(lambda: panel.table.rowCount() == before + 1)
    wait_idle(qtbot, worker)


def add_person(qtbot, worker, panel, name: str, kind: str, role: str) -> None:  # type: ignore[no-untyped-def]
    before = panel.table.rowCount()
    qtbot.keyClicks(panel.name_edit, name)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(kind))
    panel.role_combo.setCurrentIndex(panel.role_combo.findData(role))
    click(qtbot, panel.add_button)
    qtbot.waitUntil(lambda: panel.table.rowCount() == before + 1)
    wait_idle(qtbot, worker)


def test_new_case_through_all_five_steps_then_closed(qtbot, worker, unlocked_casebook, case_id,
                                                     tmp_path) -> None:
    cb = unlocked_casebook
    today = cb.store.now().date()
    view = open_case_view(qtbot, worker, cb, case_id)
    wizard = open_wizard(qtbot, worker, view)
    assert wizard.current == 0  # nothing done yet: starts at "Gather evidence"

    # ---- 1 gather evidence ---------------------------------------------------------------
    page = wizard.page
    assert page.key == StepKey.GATHER_EVIDENCE
    assert "Capture the account" in page.points.text()
    assert page.done_means.text().startswith("Done means")

    maybe = tmp_path / "forwarded-image.jpg"
    maybe.write_bytes(b"\xff\xd8\xff" + b"x" * 500)
    prompts.answers.append([str(maybe)])
    click(qtbot, page.evidence.add_button)
    qtbot.waitUntil(lambda: page.evidence.gate_dialog is not None)
    click(qtbot, page.evidence.gate_dialog.might_button)  # the gate refuses the file
    qtbot.waitUntil(lambda: page.evidence.note_dialog is not None)
    note = page.evidence.note_dialog
    qtbot.keyClicks(note.description_edit, "Image reported by a learner; not opened")
    click(qtbot, note.record_button)
    qtbot.waitUntil(lambda: page.evidence.table.rowCount() == 1)
    assert page.evidence.route.isVisible() and "CEOP" in page.evidence.route.text()

    capture = tmp_path / "capture.png"
    capture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"c" * 2000)
    prompts.answers.append([str(capture)])
    click(qtbot, page.evidence.add_button)
    qtbot.waitUntil(lambda: page.evidence.gate_dialog is not None)
    click(qtbot, page.evidence.gate_dialog.no_button)
    qtbot.waitUntil(lambda: page.evidence.table.rowCount() == 2)
    assert [i.kind.value for i in cb.evidence.items(case_id)] == ["note", "file"]

    add_account(qtbot, worker, page.accounts, "Instagram", "@oakfield_rates")
    add_account(qtbot, worker, page.accounts, "TikTok", "@oakfield.tea")
    qtbot.keyClicks(page.form.widget("reported_by"), "Head of year")
    click(qtbot, wizard.done_button)  # the date the school was told is still missing
    assert "Date the school was told" in wizard.banner.text()
    assert cb.cases.get(case_id).step(StepKey.GATHER_EVIDENCE).status != StepStatus.DONE
    qtbot.keyClicks(page.form.widget("reported_on").edit, "today")
    page.form.set_value("reported_how", "staff")
    mark_done(qtbot, worker, wizard, cb, case_id, StepKey.GATHER_EVIDENCE)
    assert wizard.current == 1  # moved on to the next open step
    texts = [e.text for e in cb.cases.chronology(case_id)]
    assert any(t.startswith("Concern reported to the school by Head of year") for t in texts)

    # ---- 2 initial investigation ---------------------------------------------------------
    page = wizard.page
    assert page.key == StepKey.INVESTIGATION
    add_person(qtbot, worker, page.people, "Alex Example", "learner", "harmed")
    add_person(qtbot, worker, page.people, "Jo Sample", "staff", "harmed")
    qtbot.keyClicks(page.form.widget("creators"), "Thought to be two Year 10 learners.")

    prompts.answers.append(True)
    tick(qtbot, page.form.widget("staff_allegation"))
    prompts.answers.append(True)
    tick(qtbot, page.form.widget("possibly_criminal"))
    prompts.answers.append(False)  # "Not now"
    tick(qtbot, page.form.widget("child_at_risk"))
    assert "No decision was recorded" in page.banner.text()
    wait_idle(qtbot, worker)
    whats = [d.what for d in cb.cases.decisions(case_id)]
    assert any(w.startswith("Refer to LADO") for w in whats)
    assert any(w.startswith("Report to the police") for w in whats)
    assert not any("social care" in w for w in whats)
    assert [t for kind, t, _ in prompts.shown if kind == "ask"] == [
        "Allegation against a member of staff", "Content that may be criminal",
        "A child may be at risk"]

    prompts.answers.append(True)  # unticking and ticking again must not ask a second time
    tick(qtbot, page.form.widget("staff_allegation"))
    tick(qtbot, page.form.widget("staff_allegation"))
    assert list(prompts.answers) == [True]
    prompts.answers.clear()
    mark_done(qtbot, worker, wizard, cb, case_id, StepKey.INVESTIGATION)
    assert wizard.current == 2

    # ---- 3 sanctions: leave part way, come back, carry on --------------------------------
    page = wizard.page
    assert page.key == StepKey.SANCTIONS
    qtbot.keyClicks(page.form.widget("sanctions"), "Internal sanction for the two learners.")
    with qtbot.waitSignal(wizard.finished, timeout=15_000):
        click(qtbot, wizard.close_button)
    qtbot.waitUntil(lambda: view.wizard is None)
    wait_idle(qtbot, worker)
    step = cb.cases.get(case_id).step(StepKey.SANCTIONS)
    assert step.status == StepStatus.IN_PROGRESS
    assert step.data["sanctions"] == "Internal sanction for the two learners."

    wizard = open_wizard(qtbot, worker, view)
    assert wizard.current == 2  # resumes where the DSL stopped
    page = wizard.page
    assert page.form.widget("sanctions").toPlainText() == "Internal sanction for the two learners."
    tick(qtbot, page.form.widget("parents_informed"))
    page.form.widget("parents_informed_on").set_value(today)
    page.form.set_value("parents_informed_how", "phone")
    mark_done(qtbot, worker, wizard, cb, case_id, StepKey.SANCTIONS)
    assert "Parents and carers informed (phone call)." in [
        e.text for e in cb.cases.chronology(case_id)]

    # ---- 4 support ------------------------------------------------------------------------
    assert wizard.current == 3
    page = wizard.page
    people = {p.name: p.id for p in cb.cases.people(case_id)}
    alex, jo = people["Alex Example"], people["Jo Sample"]
    qtbot.waitUntil(lambda: set(page.form.item_boxes) == {str(alex), str(jo)})
    qtbot.keyClicks(page.form.widget("support_offered", alex), "Weekly check-in with tutor")
    qtbot.keyClicks(page.form.widget("support_by", alex), "Form tutor")
    page.form.widget("follow_up_on", alex).set_value(today + timedelta(days=7))
    qtbot.keyClicks(page.form.widget("support_offered", jo), "Time out of class; staff wellbeing")
    mark_done(qtbot, worker, wizard, cb, case_id, StepKey.SUPPORT)
    check_in = [a for a in cb.cases.actions(case_id) if "Alex Example" in a.description]
    assert [(a.owner, a.due_date) for a in check_in] == [("Form tutor", today + timedelta(days=7))]

    # ---- 5 report -------------------------------------------------------------------------
    assert wizard.current == 4
    page = wizard.page
    accounts = {a.handle: a for a in cb.cases.accounts(case_id)}
    insta, tiktok = accounts["@oakfield_rates"], accounts["@oakfield.tea"]
    qtbot.waitUntil(lambda: set(page.form.item_boxes) == {str(insta.id), str(tiktok.id)})
    assert page.form.item_boxes[str(insta.id)].title() == "Instagram: @oakfield_rates"
    page.form.set_value("report_type", "impersonation", insta.id)
    qtbot.keyClicks(page.form.widget("reported_on", insta.id).edit, today.strftime("%d/%m/%Y"))
    qtbot.keyClicks(page.form.widget("reference", insta.id), "IG-123")
    page.form.set_value("outcome", "waiting", insta.id)
    follow = today + timedelta(days=2)
    assert page.form.widget("follow_up_on", insta.id).value() == follow  # 48 hours on
    reminder = page.form.item_notes[str(insta.id)]
    assert reminder.isVisibleTo(page) and f"ollow up on {fmt_date(follow)}" in reminder.text()
    page.form.set_value("report_type", "bullying", tiktok.id)
    page.form.widget("reported_on", tiktok.id).set_value(today)
    page.form.set_value("outcome", "refused", tiktok.id)

    made, day, reference = page.referral_box.widgets["posh"]
    tick(qtbot, made)
    assert day.value() == today  # ticking fills in today's date
    qtbot.keyClicks(reference, "POSH-9")
    made, day, reference = page.referral_box.widgets["police"]
    tick(qtbot, made)
    qtbot.keyClicks(reference, "CRN 4455")
    mark_done(qtbot, worker, wizard, cb, case_id, StepKey.REPORT)
    assert "All five steps are done" in wizard.banner.text()

    reports = cb.tracker.for_case(case_id)
    by_account = {r.account_id: r for r in reports if r.body == "platform"}
    assert (by_account[insta.id].recipient, by_account[insta.id].reference,
            by_account[insta.id].status) == ("Instagram", "IG-123", "waiting")
    assert by_account[tiktok.id].status == "refused"
    referrals = {r.body: r for r in reports if r.body != "platform"}
    assert referrals["helpline"].reference == "POSH-9"
    assert referrals["police"].reference == "CRN 4455"
    statuses = {a.handle: a.status for a in cb.cases.accounts(case_id)}
    assert statuses == {"@oakfield_rates": AccountStatus.REPORTED,
                        "@oakfield.tea": AccountStatus.REFUSED}
    follow_ups = [a for a in cb.cases.actions(case_id) if a.description.startswith("Follow up")]
    assert {(a.description.split(" to ")[0], a.due_date) for a in follow_ups} == {
        ("Follow up the report of @oakfield_rates", follow),
        ("Follow up the report of @oakfield.tea", follow)}
    step_data = cb.cases.get(case_id).step(StepKey.REPORT).data
    assert step_data["helpline_contacted"] is True and step_data["police_reference"] == "CRN 4455"

    # An outcome given later updates the tracker, the account and the follow-up action.
    page.form.set_value("outcome", "removed", insta.id)
    click(qtbot, wizard.back_button)  # leaving the page saves it
    wait_idle(qtbot, worker)
    qtbot.waitUntil(lambda: {r.account_id: r.status for r in cb.tracker.for_case(case_id)}
                    .get(insta.id) == "removed")
    assert next(a for a in cb.cases.accounts(case_id) if a.id == insta.id).status == \
        AccountStatus.REMOVED
    insta_follow = next(a for a in cb.cases.actions(case_id)
                        if a.description.startswith("Follow up the report of @oakfield_rates"))
    assert insta_follow.done_at is not None
    assert len([r for r in cb.tracker.for_case(case_id) if r.body == "platform"]) == 2  # no copies

    case = cb.cases.get(case_id)
    for step in case.steps:
        assert step.status == StepStatus.DONE, step.key
        assert step.completed_at is not None and step.completed_by == "Sam Patel"

    # ---- close the wizard, then the case ---------------------------------------------------
    with qtbot.waitSignal(wizard.finished, timeout=15_000):
        click(qtbot, wizard.close_button)
    qtbot.waitUntil(lambda: view.wizard is None)
    wait_idle(qtbot, worker)
    qtbot.waitUntil(lambda: "5 of 5 steps done" in view.subtitle.text())
    click(qtbot, view.close_button)
    qtbot.waitUntil(lambda: view.close_dialog is not None)
    qtbot.keyClicks(view.close_dialog.reason_edit, "Accounts dealt with; support in place.")
    with qtbot.waitSignal(view.changed, timeout=15_000):
        click(qtbot, view.close_dialog.close_button)
    case = cb.cases.get(case_id)
    assert case.status == CaseStatus.CLOSED
    assert case.closed_reason == "Accounts dealt with; support in place."


def test_answers_autosave_on_the_timer_and_on_page_change(qtbot, worker, unlocked_casebook,
                                                          case_id) -> None:
    cb = unlocked_casebook
    view = open_case_view(qtbot, worker, cb, case_id)
    wizard = open_wizard(qtbot, worker, view)
    assert wizard.timer.isActive() and wizard.timer.interval() == AUTOSAVE_MS
    page = wizard.page
    qtbot.keyClicks(page.form.widget("reported_by"), "A parent")
    with qtbot.waitSignal(wizard.saved):
        wizard.timer.timeout.emit()  # what the timer does when it fires
    step = cb.cases.get(case_id).step(StepKey.GATHER_EVIDENCE)
    assert step.data["reported_by"] == "A parent" and step.status == StepStatus.IN_PROGRESS
    assert not any(e.text.startswith("Concern reported") for e in cb.cases.chronology(case_id))

    with qtbot.assertNotEmitted(wizard.saved):  # nothing changed: nothing written
        wizard.autosave_now()
        wait_idle(qtbot, worker)

    qtbot.keyClicks(page.form.widget("where_seen"), "Year 9 group chat")
    with qtbot.waitSignal(wizard.saved):
        click(qtbot, wizard.next_button)
    assert wizard.current == 1
    wait_idle(qtbot, worker)
    assert cb.cases.get(case_id).step(StepKey.GATHER_EVIDENCE).data["where_seen"] == \
        "Year 9 group chat"

    view.save_drafts()  # what the shell calls before locking: saves the open wizard too
    qtbot.keyClicks(wizard.page.form.widget("spread_notes"), "About 300 followers")
    view.save_drafts()
    wait_idle(qtbot, worker)
    assert cb.cases.get(case_id).step(StepKey.INVESTIGATION).data["spread_notes"] == \
        "About 300 followers"
    view.clear()  # locking: the wizard goes without another save
    assert view.wizard is None


@pytest.mark.parametrize("jurisdiction", ["us"])
def test_us_wording_and_referrals(qtbot, worker, unlocked_casebook, case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    wizard = open_wizard(qtbot, worker, view)
    titles = [wizard.nav.item(i).text() for i in range(5)]
    assert any("Support for staff and students" in t for t in titles)
    report = wizard.pages[4]
    names = [made.text() for made, _day, _ref in report.referral_box.widgets.values()]
    assert any("NCMEC" in n for n in names) and not any("POSH" in n for n in names)
    wizard.go_to(4)
    report.referral_box.widgets["ncmec"][0].click()
    assert report.referral_box.widgets["ncmec"][1].edit.placeholderText() == "mm/dd/yyyy"
    assert "students" in " ".join(p.points.text() for p in wizard.pages)
    assert "learner" not in " ".join(p.points.text() for p in wizard.pages)
    with qtbot.waitSignal(wizard.finished, timeout=15_000):
        wizard.reject()  # Escape / the window's close button also save first
    wait_idle(qtbot, worker)
    data = unlocked_casebook.cases.get(case_id).step(StepKey.REPORT).data
    assert data["referral_rows"]["ncmec"]["made"] is True
    assert [r.body for r in unlocked_casebook.tracker.for_case(case_id)] == ["other"]


def test_keyboard_order_and_accessible_names_on_every_page(qtbot, worker, unlocked_casebook,
                                                           case_id) -> None:
    cb = unlocked_casebook
    cb.cases.add_account(case_id, "Instagram", "@oakfield_rates", "baiting")
    cb.cases.add_person(case_id, "Alex Example", "learner", "harmed")
    view = open_case_view(qtbot, worker, cb, case_id)
    wizard = open_wizard(qtbot, worker, view)
    inputs = (QLineEdit, QPlainTextEdit, QComboBox, QCheckBox, QAbstractItemView)
    for index, page in enumerate(wizard.pages):
        wizard.go_to(index)
        wait_idle(qtbot, worker)
        order, widget = [], wizard.nav
        for _ in range(5000):
            widget = widget.nextInFocusChain()
            if widget is wizard.nav:
                break
            if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled()
                    and widget.isVisibleTo(wizard)):
                order.append(widget)
        assert order, page.key
        assert page.isAncestorOf(order[0])  # from the steps list straight into the page
        buttons = [w for w in order if not page.isAncestorOf(w)]
        assert buttons == [b for b in (wizard.back_button, wizard.next_button,
                                       wizard.done_button, wizard.close_button) if b.isEnabled()]
        assert order[-len(buttons):] == buttons  # the buttons come last
        unnamed = [type(w).__name__ for w in order
                   if isinstance(w, inputs) and not isinstance(w, QHeaderView)
                   and not (isinstance(w, QLineEdit) and isinstance(w.parent(), QComboBox))
                   and not (w.accessibleName() or (isinstance(w, QCheckBox) and w.text()))]
        assert unnamed == [], page.key
        if page.key == StepKey.REPORT:  # rows per account, then referrals, then the rest
            names = [w.accessibleName() for w in order]
            assert names.index("Reported as, Instagram: @oakfield_rates") \
                < names.index("Referred to Professionals Online Safety Helpline (POSH)") \
                < names.index("POSH reference and advice")
    for button in (wizard.done_button, wizard.close_button):
        assert "&" in button.text()
    for button in (wizard.back_button, wizard.next_button):  # their letters went to the pages
        assert "Ctrl+Pg" in button.toolTip()
    wizard.discard()
