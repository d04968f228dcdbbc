"""Issue 11, item 1, through the case tabs' own widgets: a typo in a person's name or an
account's handle is corrected with a reason (the original kept), and a person added by
mistake is removed with a reason, never silently. Step answers in full: an answer per person
or per account, a date, a yes/no answer and a referral are corrected like any other record
(original kept, audited, shown as corrected on the Response steps tab); a typed correction is
never thrown away without a question and survives a closed case."""

from __future__ import annotations

from datetime import date, datetime

import shiboken6
from case_helpers import open_case_view, wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel

from casebook.domain import StepKey
from casebook.ui import prompts
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.drafts import DISCARD_TITLE
from casebook.ui.widgets.panel import selected_id

WAIT = 10_000


def click(qtbot, button: QAbstractButton) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def select(table, record_id: int) -> None:  # type: ignore[no-untyped-def]
    for row in range(table.rowCount()):
        if table.item(row, 0).data(Qt.ItemDataRole.UserRole) == record_id:
            table.selectRow(row)
            assert selected_id(table) == record_id
            return
    raise AssertionError(f"{record_id} is not listed")


def shown(qtbot, view, name: str, tab, rows: int):  # type: ignore[no-untyped-def]
    """Bring the case's ``name`` tab to the front once its table has ``rows`` rows."""
    view.select_tab(name)
    qtbot.waitUntil(lambda: tab.table.rowCount() == rows, timeout=WAIT)
    return tab


def correct(qtbot, tab, record_id: int, field: str, value: str, reason: str):  # type: ignore[no-untyped-def]
    """Select the row, press "Correct…", retype ``field`` and give the reason."""
    select(tab.table, record_id)
    click(qtbot, tab.correct_button)
    dialog = tab.correction_dialog
    editor = dialog.editors[field]
    editor.clear()
    qtbot.keyClicks(editor, value)
    qtbot.keyClicks(dialog.reason_edit, reason)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    return dialog


def test_correct_a_name_and_a_handle_then_remove_a_person_added_by_mistake(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    typo = cases.add_person(case_id, "Jo Smiht", "learner", "harmed", year_group="Year 8")
    wrong = cases.add_person(case_id, "Wrong Learner", "learner", "witness")
    account = cases.add_account(case_id, "Instagram", "@oakfeild_fake", "impersonating-school")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)

    tab = shown(qtbot, view, "People", view.people, rows=2)
    assert not tab.correct_button.isEnabled() and not tab.remove_button.isEnabled()
    select(tab.table, typo.id)
    click(qtbot, tab.correct_button)
    dialog = tab.correction_dialog
    assert dialog is not None and dialog.isVisible()
    name = dialog.editors["name"]
    assert name.text() == "Jo Smiht" and name.accessibleName() == "Name"
    name.clear()
    qtbot.keyClicks(name, "Jo Smith")
    click(qtbot, dialog.ok_button)  # no reason: refused, and nothing typed is lost
    assert dialog.isVisible() and "why" in dialog.banner.text().lower()
    assert name.text() == "Jo Smith"
    qtbot.keyClicks(dialog.reason_edit, "Typing mistake in the surname")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: tab.table.item(0, 0).text() == "Jo Smith", timeout=WAIT)
    assert "original is kept" in tab.banner.text()
    [fix] = cases.corrections(case_id)
    assert (fix.before, fix.after) == ({"name": "Jo Smiht"}, {"name": "Jo Smith"})

    select(tab.table, wrong.id)
    click(qtbot, tab.remove_button)
    removal = tab.correction_dialog
    assert removal is not dialog and removal.editors == {}
    assert any("Remove Wrong Learner from this case?" in label.text()
               for label in removal.findChildren(QLabel))
    qtbot.keyClicks(removal.reason_edit, "Added to the wrong case")
    with qtbot.waitSignal(removal.accepted, timeout=WAIT):
        click(qtbot, removal.ok_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=WAIT)
    assert [p.name for p in cases.people(case_id)] == ["Jo Smith"]
    assert cases.corrections(case_id)[-1].removal

    accounts = shown(qtbot, view, "Accounts", view.accounts, rows=1)
    correct(qtbot, accounts, account.id, "handle", "@oakfield_fake", "Letters swapped")
    qtbot.waitUntil(lambda: accounts.table.item(0, 1).text() == "@oakfield_fake", timeout=WAIT)
    wait_idle(qtbot, worker)
    chronology = [e for e in cases.chronology(case_id) if e.system]
    assert any("Corrected the account's handle" in e.text for e in chronology)


def test_step_answers_are_corrected_and_every_original_can_be_read(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    cases.save_step(case_id, "gather-evidence", {"reported_by": "Form tutr",
                                                 "where_seen": "Instagram"}, status="done")
    action = cases.add_action(case_id, "Ring parents", "DSL")
    cases.correct_action(action.id, "Deputy took it on", owner="Deputy DSL")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)

    steps = shown(qtbot, view, "Response steps", view.steps, rows=5)
    assert not steps.correct_button.isEnabled()
    steps.table.selectRow(0)
    click(qtbot, steps.correct_button)
    dialog = steps.correction_dialog
    reported_by = dialog.editors["reported_by"]
    assert reported_by.text() == "Form tutr"
    assert "bool" not in {type(e).__name__ for e in dialog.editors.values()}
    reported_by.clear()
    qtbot.keyClicks(reported_by, "Form tutor")
    qtbot.keyClicks(dialog.reason_edit, "Spelling")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    wait_idle(qtbot, worker)
    step = cases.get(case_id).step("gather-evidence")
    assert step.data == {"reported_by": "Form tutor", "where_seen": "Instagram"}
    [answers] = [c for c in cases.corrections(case_id) if c.record_kind == "step"]
    assert answers.before == {"reported_by": "Form tutr"}

    actions = shown(qtbot, view, "Actions", view.actions, rows=1)
    tip = actions.table.item(0, 2).toolTip()
    assert "original is kept" in tip and "owner was “DSL”, now “Deputy DSL”" in tip
    click(qtbot, actions.history_button())
    history = actions.history_dialog
    [line] = history.texts()
    assert line.startswith("Ring parents — ") and "Reason: Deputy took it on" in line


STEP_ROW = {StepKey.GATHER_EVIDENCE: 0, StepKey.SUPPORT: 3}


def open_dialog(qtbot, view, key: StepKey):  # type: ignore[no-untyped-def]
    view.select_tab("Response steps")
    steps = view.steps
    qtbot.waitUntil(lambda: steps.table.rowCount() == 5, timeout=WAIT)
    steps.table.selectRow(STEP_ROW[key])
    click(qtbot, steps.correct_button)
    dialog = steps.correction_dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=WAIT)
    return dialog


def choose(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_per_person_answers_and_their_dates_are_corrected_with_the_originals_kept(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    jo = cases.add_person(case_id, "Jo Smith", "learner", "harmed")
    sam = cases.add_person(case_id, "Sam Lee", "learner", "harmed")
    cases.save_step(case_id, StepKey.SUPPORT, {
        "support_offered": {str(jo.id): "Weekly check-ins", str(sam.id): "Time with the nurse"},
        "support_by": {str(jo.id): "Form tutr", str(sam.id): "School nurse"},
        "follow_up_on": {str(jo.id): "2026-10-01", str(sam.id): "2026-10-02"},
    })
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    dialog = open_dialog(qtbot, view, StepKey.SUPPORT)

    who = dialog.editors[f"support_by/{jo.id}"]
    when = dialog.editors[f"follow_up_on/{jo.id}"]
    assert isinstance(when, DateField)
    assert who.text() == "Form tutr" and when.iso() == "2026-10-01"
    assert who.accessibleName() == "Who is providing it (Jo Smith)"
    assert dialog.editors[f"support_offered/{sam.id}"].toPlainText() == "Time with the nurse"
    who.clear()
    qtbot.keyClicks(who, "Form tutor")
    when.set_value(date(2026, 10, 8))

    # Escape with a typed correction asks first; "Keep editing" keeps it.
    prompts.answers.append(False)
    qtbot.keyClick(who, Qt.Key.Key_Escape)
    assert dialog.isVisible() and who.text() == "Form tutor"
    assert [t for k, t, _ in prompts.shown if k == "ask"] == [DISCARD_TITLE]

    qtbot.keyClicks(dialog.reason_edit, "Name misspelt; the check-in moved")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    wait_idle(qtbot, worker)

    data = cases.get(case_id).step(StepKey.SUPPORT).data
    assert data["support_by"] == {str(jo.id): "Form tutor", str(sam.id): "School nurse"}
    assert data["follow_up_on"] == {str(jo.id): "2026-10-08", str(sam.id): "2026-10-02"}
    assert data["support_offered"][str(sam.id)] == "Time with the nurse"
    [fix] = [c for c in cases.corrections(case_id) if c.record_kind == "step"]
    assert fix.before == {"support_by": {str(jo.id): "Form tutr"},
                          "follow_up_on": {str(jo.id): "2026-10-01"}}
    assert fix.after == {"support_by": {str(jo.id): "Form tutor"},
                         "follow_up_on": {str(jo.id): "2026-10-08"}}

    # Shown as corrected on the tab, the original readable there and in the history.
    steps = view.steps
    qtbot.waitUntil(lambda: "answers corrected" in steps.table.item(3, 1).text(), timeout=WAIT)
    tip = steps.table.item(3, 0).toolTip()
    assert "support by was “Form tutr”, now “Form tutor”" in tip
    assert "Reason: Name misspelt; the check-in moved" in tip
    assert "answers corrected" not in steps.table.item(0, 1).text()
    click(qtbot, steps.corrections_button)
    [line] = steps.history_dialog.texts()
    assert "follow up on was “2026-10-01”, now “2026-10-08”" in line
    steps.history_dialog.reject()

    # The chronology (and so every export of it) says what was corrected.
    entries = [e.text for e in cases.chronology(case_id) if e.system]
    assert any(t.startswith("Corrected answers to “") and "follow up on and support by" in t
               for t in entries)


def test_dates_and_yes_no_answers_are_corrected_and_an_unchanged_no_is_not_a_change(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    account = cases.add_account(case_id, "Instagram", "@oakfield_fake", "impersonating-school")
    cases.save_step(case_id, StepKey.GATHER_EVIDENCE, {
        "reported_by": "Form tutor", "reported_on": "2026-10-03", "captures_dated": True,
        "all_accounts_listed": False})
    cases.save_step(case_id, StepKey.REPORT, {
        "reported_on": {str(account.id): "2026-10-04"}, "reference": {str(account.id): "IG-1"}})
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    dialog = open_dialog(qtbot, view, StepKey.GATHER_EVIDENCE)
    dated = dialog.editors["captures_dated"]
    listed = dialog.editors["all_accounts_listed"]
    assert isinstance(dated, QComboBox) and dated.currentText() == "Yes"
    assert listed.currentText() == "No"
    assert dialog.changes() == {}  # "No" stays "No", not a change
    choose(dated, False)
    dialog.editors["reported_on"].set_value(date(2026, 10, 2))
    qtbot.keyClicks(dialog.reason_edit, "The screenshots had no dates; told a day earlier")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    wait_idle(qtbot, worker)
    data = cases.get(case_id).step(StepKey.GATHER_EVIDENCE).data
    assert data["captures_dated"] is False and data["reported_on"] == "2026-10-02"
    assert data["all_accounts_listed"] is False and data["reported_by"] == "Form tutor"
    [fix] = [c for c in cases.corrections(case_id) if c.record_kind == "step"]
    assert fix.before == {"captures_dated": True, "reported_on": "2026-10-03"}
    assert fix.after == {"captures_dated": False, "reported_on": "2026-10-02"}
    qtbot.waitUntil(lambda: "answers corrected" in view.steps.table.item(0, 1).text(),
                    timeout=WAIT)
    assert "captures dated was “yes”, now “no”" in view.steps.table.item(0, 0).toolTip()

    # An answer per account is offered under the account's name.
    view.steps.table.selectRow(4)
    click(qtbot, view.steps.correct_button)
    report = view.steps.correction_dialog
    assert report.editors[f"reference/{account.id}"].accessibleName().endswith(
        "(Instagram @oakfield_fake)")
    report.reject()  # nothing typed: closes without a question
    assert not report.isVisible()


def test_a_typed_correction_or_amendment_survives_closing_the_case_and_comes_back(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    cases.save_step(case_id, StepKey.GATHER_EVIDENCE, {"reported_by": "Form tutr"})
    entry = cases.add_entry(case_id, "Parent rang at 8:40")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    dialog = open_dialog(qtbot, view, StepKey.GATHER_EVIDENCE)
    qtbot.keyClicks(dialog.reason_edit, "Spelling of the role")
    view.select_tab("Chronology")
    qtbot.waitUntil(lambda: entry.id in view.chronology.entries, timeout=WAIT)
    view.chronology._select(entry.id)
    view.chronology.amend_selected()
    amend = view.chronology.amend_dialog
    amend.text_edit.setPlainText("Parent rang at 8:45")
    qtbot.keyClicks(amend.reason_edit, "Time checked with the office log")
    view.clear()  # a lock or a closed tab: both dialogs go without a question
    wait_idle(qtbot, worker)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert not [t for k, t, _ in prompts.shown if k == "ask"]
    view.close()

    again = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    reopened = open_dialog(qtbot, again, StepKey.GATHER_EVIDENCE)
    qtbot.waitUntil(lambda: reopened.reason_edit.text() == "Spelling of the role",
                    timeout=WAIT)
    assert "put back" in reopened.banner.text()
    reopened.editors["reported_by"].setText("Form tutor")
    with qtbot.waitSignal(reopened.accepted, timeout=WAIT):
        click(qtbot, reopened.ok_button)
    wait_idle(qtbot, worker)
    assert unlocked_casebook.settings.get_draft(f"case:{case_id}:correct:step:gather-evidence") \
        is None

    again.select_tab("Chronology")
    qtbot.waitUntil(lambda: entry.id in again.chronology.entries, timeout=WAIT)
    again.chronology._select(entry.id)
    again.chronology.amend_selected()
    amended = again.chronology.amend_dialog
    qtbot.waitUntil(lambda: amended.reason_edit.text() == "Time checked with the office log",
                    timeout=WAIT)
    assert amended.text_edit.toPlainText() == "Parent rang at 8:45"
    prompts.answers.append(True)  # discard it now: the draft goes too
    amended.reject()
    wait_idle(qtbot, worker)
    assert unlocked_casebook.settings.get_draft(f"case:{case_id}:amend:{entry.id}") is None


def test_a_referral_reference_is_corrected_in_the_step_and_in_the_tracker(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    made = datetime(2026, 10, 4, 9, 0)
    report = unlocked_casebook.tracker.add(case_id, body="police", recipient="Police",
                                           made_at=made, reference="PC-1", request="referral")
    cases.save_step(case_id, StepKey.REPORT, {
        "referral_rows": {"police": {"made": True, "date": "2026-10-04", "reference": "PC-1"}},
        "_logged": {"referral:police": report.id}})
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Response steps")
    qtbot.waitUntil(lambda: view.steps.table.rowCount() == 5, timeout=WAIT)
    view.steps.table.selectRow(4)
    click(qtbot, view.steps.correct_button)
    dialog = view.steps.correction_dialog
    reference = dialog.editors["referral_rows/police/reference"]
    assert reference.accessibleName() == "Their reference (Police)"
    assert dialog.editors["referral_rows/police/made"].currentText() == "Yes"
    assert dialog.editors["referral_rows/police/date"].iso() == "2026-10-04"
    reference.setText("PC-12")
    qtbot.keyClicks(dialog.reason_edit, "A digit was missed")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    wait_idle(qtbot, worker)

    data = cases.get(case_id).step(StepKey.REPORT).data
    assert data["referral_rows"] == {"police": {"made": True, "date": "2026-10-04",
                                                "reference": "PC-12"}}
    assert unlocked_casebook.tracker.get(report.id).reference == "PC-12"
    [fix] = [c for c in cases.corrections(case_id) if c.record_kind == "step"]
    assert fix.before["referral_rows"]["police"]["reference"] == "PC-1"


def _audit(book) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with book.store.read() as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT action, target, detail FROM audit_log ORDER BY seq"))]


def test_a_decision_and_an_action_are_corrected_and_an_account_removed_all_audited(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    decision = cases.add_decision(case_id, "Report to the platfrom", "It copies the crest")
    action = cases.add_action(case_id, "Ring parnets", "DSL")
    kept = cases.add_account(case_id, "Instagram", "@oak_fake", "impersonating-school")
    mistake = cases.add_account(case_id, "TikTok", "@not_this_one", "baiting")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)

    decisions = shown(qtbot, view, "Decisions", view.decisions, rows=1)
    correct(qtbot, decisions, decision.id, "what", "Report to the platform", "Typing mistake")
    qtbot.waitUntil(lambda: any(decisions.table.item(0, c).text() == "Report to the platform"
                                for c in range(decisions.table.columnCount())), timeout=WAIT)

    actions = shown(qtbot, view, "Actions", view.actions, rows=1)
    correct(qtbot, actions, action.id, "description", "Ring parents", "Spelling")
    qtbot.waitUntil(lambda: actions.table.item(0, 1).text() == "Ring parents", timeout=WAIT)

    accounts = shown(qtbot, view, "Accounts", view.accounts, rows=2)
    select(accounts.table, mistake.id)
    click(qtbot, accounts.remove_button)
    removal = accounts.correction_dialog
    click(qtbot, removal.ok_button)  # a removal needs its reason too
    assert removal.isVisible() and removal.banner.text()
    qtbot.keyClicks(removal.reason_edit, "Not part of this case")
    with qtbot.waitSignal(removal.accepted, timeout=WAIT):
        click(qtbot, removal.ok_button)
    qtbot.waitUntil(lambda: accounts.table.rowCount() == 1, timeout=WAIT)
    wait_idle(qtbot, worker)

    assert [a.id for a in cases.accounts(case_id)] == [kept.id]
    fixes = {c.record_kind: c for c in cases.corrections(case_id)}
    assert fixes["decision"].before == {"what": "Report to the platfrom"}
    assert fixes["action"].before == {"description": "Ring parnets"}
    assert fixes["account"].removal and fixes["account"].reason == "Not part of this case"
    audited = [(a, t) for a, t, _d in _audit(unlocked_casebook)]
    assert ("correction.decision", f"decision:{decision.id}") in audited
    assert ("correction.action", f"action:{action.id}") in audited
    assert ("correction.remove-account", f"account:{mistake.id}") in audited
    details = " ".join(d for _a, _t, d in _audit(unlocked_casebook))
    assert "parnets" not in details and "not_this_one" not in details  # ids, never words
