"""The case view with real widgets on a real encrypted casebook: chronology (with amendments),
people, accounts, overdue actions, drafts, closing, clearing on lock, accessibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from case_helpers import open_case_view, wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from casebook.domain import AccountStatus, CaseStatus
from casebook.ui.cases.chronology_tab import AMENDED_MARK
from casebook.ui.kit.palette import warning_colour
from casebook.ui.widgets.common import fmt_date

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)


def click(qtbot, button: QAbstractButton) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_chronology_entry_added_then_amended_keeps_the_original(qtbot, worker, unlocked_casebook,
                                                                 case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Chronology")
    tab = view.chronology
    qtbot.keyClicks(tab.text_edit, "Tutor saw the account on a learner's phone.")
    tab.show_system.setChecked(False)  # only what people wrote ("Case opened." is Casebook's)
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.tree.topLevelItemCount() == 1)
    assert tab.text_edit.toPlainText() == ""
    [original_id] = [e.id for e in unlocked_casebook.cases.chronology(case_id) if not e.system]

    tab._select(original_id)
    click(qtbot, tab.amend_button)
    qtbot.waitUntil(lambda: tab.amend_dialog is not None and tab.amend_dialog.isVisible())
    dialog = tab.amend_dialog
    dialog.text_edit.setPlainText("Head of year saw the account on a learner's phone.")
    click(qtbot, dialog.save_button)  # no reason yet: refused, dialog stays
    assert dialog.isVisible() and "why" in dialog.banner.text()
    qtbot.keyClicks(dialog.reason_edit, "Wrong member of staff named.")
    click(qtbot, dialog.save_button)
    wait_idle(qtbot, worker)
    qtbot.waitUntil(lambda: tab.tree.topLevelItem(0).childCount() == 1)

    entries = unlocked_casebook.cases.chronology(case_id)
    original = next(e for e in entries if e.id == original_id)
    amendment = next(e for e in entries if e.amends_id == original_id)
    assert original.text == "Tutor saw the account on a learner's phone."
    assert original.is_amended and amendment.amendment_reason == "Wrong member of staff named."

    top = tab.tree.topLevelItem(0)
    assert top.text(1).startswith(AMENDED_MARK)
    assert "Tutor saw the account" in top.text(1)
    assert top.font(1).strikeOut()
    child = top.child(0)
    assert "Head of year saw the account" in child.text(1)
    assert "Wrong member of staff named." in child.text(1)
    assert not child.font(1).strikeOut()
    tab._select(original_id)  # an amended entry cannot be amended again: amend the latest
    assert not tab.amend_button.isEnabled()


def test_people_and_accounts_are_added_and_listed(qtbot, worker, unlocked_casebook,
                                                  case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("People")
    people = view.people
    qtbot.keyClicks(people.name_edit, "Alex Example")
    people.kind_combo.setCurrentIndex(people.kind_combo.findData("learner"))
    people.role_combo.setCurrentIndex(people.role_combo.findData("harmed"))
    qtbot.keyClicks(people.year_edit, "Year 9")
    click(qtbot, people.add_button)
    qtbot.waitUntil(lambda: people.table.rowCount() == 1)
    assert people.table.item(0, 0).text() == "Alex Example"
    assert people.table.item(0, 2).text() == "Harmed or targeted"
    person = unlocked_casebook.cases.people(case_id)[0]
    assert (person.name, person.kind.value, person.year_group) == ("Alex Example", "learner",
                                                                   "Year 9")

    view.select_tab("Accounts")
    accounts = view.accounts
    accounts.platform_combo.setEditText("Instagram")
    qtbot.keyClicks(accounts.handle_edit, "@oakfield_rates")
    qtbot.keyClicks(accounts.url_edit, "instagram.com/oakfield_rates")
    accounts.kind_combo.setCurrentIndex(accounts.kind_combo.findData("baiting"))
    click(qtbot, accounts.add_button)
    qtbot.waitUntil(lambda: accounts.table.rowCount() == 1)
    row = [accounts.table.item(0, c).text() for c in range(accounts.table.columnCount())]
    assert row[:3] == ["Instagram", "@oakfield_rates", "https://instagram.com/oakfield_rates"]
    assert row[4] == "Still up"

    accounts.table.selectRow(0)
    accounts.status_combo.setCurrentIndex(accounts.status_combo.findData("refused"))
    click(qtbot, accounts.status_button)
    qtbot.waitUntil(lambda: accounts.table.item(0, 4).text() == "Platform refused")
    assert unlocked_casebook.cases.accounts(case_id)[0].status == AccountStatus.REFUSED
    assert "1 person, 1 account" in view.overview.counts.text()


def test_missing_handle_is_refused_calmly(qtbot, worker, unlocked_casebook, case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    accounts = view.accounts
    accounts.platform_combo.setEditText("TikTok")
    click(qtbot, accounts.add_button)
    assert "handle" in accounts.banner.text()
    assert unlocked_casebook.cases.accounts(case_id) == []


def test_overdue_action_is_red_and_says_overdue(qtbot, worker, unlocked_casebook,
                                                case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Actions")
    tab = view.actions
    today = unlocked_casebook.store.now().date()
    past, future = today - timedelta(days=3), today + timedelta(days=5)

    qtbot.keyClicks(tab.what_edit, "Speak to the Year 10 tutors")
    qtbot.keyClicks(tab.due_edit.edit, past.strftime("%d/%m/%Y"))  # typed the en-GB way
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1)
    qtbot.keyClicks(tab.what_edit, "Check in with the member of staff")
    tab.due_edit.set_value(future)
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 2)

    rows = {tab.table.item(r, 1).text(): r for r in range(2)}
    late, fine = rows["Speak to the Year 10 tutors"], rows["Check in with the member of staff"]
    assert tab.table.item(late, 0).text() == fmt_date(past)
    assert "Overdue" in tab.table.item(late, 3).text()  # not colour alone
    assert tab.table.item(late, 1).foreground().color() == warning_colour(tab)
    assert tab.table.item(fine, 3).text() == "Open"
    assert tab.table.item(fine, 1).foreground().color() != warning_colour(tab)
    assert "1 overdue action" in view.subtitle.text()

    tab.table.selectRow(late)
    click(qtbot, tab.done_button)
    qtbot.waitUntil(lambda: all("Overdue" not in tab.table.item(r, 3).text() for r in range(2)))
    done = [a for a in unlocked_casebook.cases.actions(case_id) if a.done_at is not None]
    assert [a.description for a in done] == ["Speak to the Year 10 tutors"]


def test_decision_and_case_details_are_saved(qtbot, worker, unlocked_casebook, case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    tab = view.decisions
    qtbot.keyClicks(tab.what_edit, "No referral to children's social care")
    click(qtbot, tab.add_button)
    assert "reason" in tab.banner.text()
    qtbot.keyClicks(tab.why_edit, "No child is at risk of significant harm.")
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1)
    decision = unlocked_casebook.cases.decisions(case_id)[0]
    assert (decision.who, decision.recorded_by) == ("Sam Patel", "Sam Patel")

    overview = view.overview
    overview.risk_combo.setCurrentIndex(overview.risk_combo.findData("high"))
    overview.summary_edit.setPlainText("Updated summary.")
    click(qtbot, overview.save_button)
    wait_idle(qtbot, worker)
    case = unlocked_casebook.cases.get(case_id)
    assert (case.risk.value, case.summary) == ("high", "Updated summary.")
    qtbot.waitUntil(lambda: "Risk: High" in view.subtitle.text())


def test_unsaved_text_goes_to_drafts_and_comes_back(qtbot, worker, unlocked_casebook,
                                                    case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.chronology.text_edit.setPlainText("Half-written note about the phone call")
    view.save_drafts()
    wait_idle(qtbot, worker)
    key = f"case:{case_id}:chronology"
    assert unlocked_casebook.settings.get_draft(key) == "Half-written note about the phone call"

    again = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    assert again.chronology.text_edit.toPlainText() == "Half-written note about the phone call"

    qtbot.keyClicks(again.chronology.text_edit, ".")
    click(qtbot, again.chronology.add_button)
    wait_idle(qtbot, worker)
    assert unlocked_casebook.settings.get_draft(key) is None  # saved, so the draft is gone


def test_close_case_asks_for_a_reason_and_clear_drops_everything(qtbot, worker,
                                                                 unlocked_casebook,
                                                                 case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    unlocked_casebook.cases.add_person(case_id, "Alex Example", "learner", "harmed")
    view.refresh()
    qtbot.waitUntil(lambda: view.people.table.rowCount() == 1)

    click(qtbot, view.close_button)
    qtbot.waitUntil(lambda: view.close_dialog is not None and view.close_dialog.isVisible())
    dialog = view.close_dialog
    click(qtbot, dialog.close_button)
    assert dialog.isVisible() and "reason" in dialog.banner.text()
    qtbot.keyClicks(dialog.reason_edit, "Account removed; support in place.")
    with qtbot.waitSignal(view.changed):
        click(qtbot, dialog.close_button)
    case = unlocked_casebook.cases.get(case_id)
    assert case.status == CaseStatus.CLOSED
    assert case.closed_reason == "Account removed; support in place."
    qtbot.waitUntil(lambda: "Closed" in view.overview.status.text())
    assert "open again" in view.close_button.text().replace("&", "")

    view.clear()
    assert view.people.table.rowCount() == 0
    assert view.chronology.tree.topLevelItemCount() == 0
    assert view.bundle is None and not view.wizard_button.isEnabled()
    assert "Alex" not in view.title.text()


def test_every_input_has_an_accessible_name(qtbot, worker, unlocked_casebook, case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    kinds = (QLineEdit, QPlainTextEdit, QComboBox, QCheckBox, QDateTimeEdit, QAbstractItemView)
    unnamed = []
    for index in range(view.tabs.count()):
        view.tabs.setCurrentIndex(index)
        page = view.tabs.widget(index)
        for widget in page.findChildren(QWidget):
            if not isinstance(widget, kinds) or isinstance(widget, QHeaderView) \
                    or not widget.isVisibleTo(page):
                continue
            inner = isinstance(widget.parent(), QComboBox | QDateTimeEdit)
            if isinstance(widget, QLineEdit) and inner:
                continue  # the combo box or date edit carries the name
            name = widget.accessibleName() or (widget.text() if isinstance(widget, QCheckBox)
                                               else "")
            if not name:
                unnamed.append(f"{view.tabs.tabText(index)}: {type(widget).__name__}")
    assert unnamed == []
    # The parts of the case are reached with Alt+1 to Alt+8 (the letters belong to the forms).
    for i in range(view.tabs.count()):
        assert view.tabs.tabToolTip(i).endswith(f"(Alt+{i + 1})")


def test_dates_are_read_the_way_the_school_writes_them() -> None:
    from datetime import date

    from casebook.ui.widgets.date_field import parse_date

    today = date(2026, 11, 23)
    assert parse_date("03/11/2026") == date(2026, 11, 3)  # en-GB: day first
    assert parse_date("03/11/2026", us=True) == date(2026, 3, 11)  # US: month first
    assert parse_date("2026-11-03", us=True) == date(2026, 11, 3)
    assert parse_date(" 3 Nov 2026 ") == date(2026, 11, 3)
    assert parse_date("Nov 3, 2026", us=True) == date(2026, 11, 3)
    assert parse_date("today", today=today) == today
    assert parse_date("yesterday", today=today) == date(2026, 11, 22)
    assert parse_date("") is None and parse_date("31/02/2026") is None
    assert parse_date("next week") is None


def test_a_case_closed_while_its_tabs_are_being_built_stops_building(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    """The tabs are built one per event-loop turn; a view deleted half-way (a lock, Ctrl+W)
    must not go on building into deleted widgets."""
    from casebook.ui.cases.case_view import CaseView

    view = CaseView(worker, unlocked_casebook, case_id)
    view.show()
    qtbot.waitUntil(lambda: hasattr(view, "overview"), timeout=15_000)
    assert view.ctx is None  # not all built yet
    view.deleteLater()
    qtbot.wait(100)  # the remaining turns would have run here (an error fails the test)
    wait_idle(qtbot, worker)
