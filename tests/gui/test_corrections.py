"""Issue 11, item 1, through the case tabs' own widgets: a typo in a person's name or an
account's handle is corrected with a reason (the original kept), and a person added by
mistake is removed with a reason, never silently."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel

try:  # the shared conftest may or may not make tests/gui a package
    from ._fixtures_case import (  # noqa: F401
        case_id,
        jurisdiction,
        open_case_view,
        unlocked_casebook,
        wait_idle,
        worker,
    )
except ImportError:
    from _fixtures_case import (  # type: ignore[no-redef] # noqa: F401
        case_id,
        jurisdiction,
        open_case_view,
        unlocked_casebook,
        wait_idle,
        worker,
    )

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


def test_correct_a_name_and_a_handle_then_remove_a_person_added_by_mistake(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    typo = cases.add_person(case_id, "Jo Smiht", "learner", "harmed", year_group="Year 8")
    wrong = cases.add_person(case_id, "Wrong Learner", "learner", "witness")
    account = cases.add_account(case_id, "Instagram", "@oakfeild_fake", "impersonating-school")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)

    view.select_tab("People")
    tab = view.people
    qtbot.waitUntil(lambda: tab.table.rowCount() == 2, timeout=WAIT)
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

    view.select_tab("Accounts")
    accounts = view.accounts
    qtbot.waitUntil(lambda: accounts.table.rowCount() == 1, timeout=WAIT)
    select(accounts.table, account.id)
    click(qtbot, accounts.correct_button)
    fix_dialog = accounts.correction_dialog
    handle = fix_dialog.editors["handle"]
    handle.clear()
    qtbot.keyClicks(handle, "@oakfield_fake")
    qtbot.keyClicks(fix_dialog.reason_edit, "Letters swapped")
    with qtbot.waitSignal(fix_dialog.accepted, timeout=WAIT):
        click(qtbot, fix_dialog.ok_button)
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

    view.select_tab("Response steps")
    steps = view.steps
    qtbot.waitUntil(lambda: steps.table.rowCount() == 5, timeout=WAIT)
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

    view.select_tab("Actions")
    actions = view.actions
    qtbot.waitUntil(lambda: actions.table.rowCount() == 1, timeout=WAIT)
    tip = actions.table.item(0, 2).toolTip()
    assert "original is kept" in tip and "owner was “DSL”, now “Deputy DSL”" in tip
    click(qtbot, actions.history_button())
    history = actions.history_dialog
    [line] = history.texts()
    assert line.startswith("Ring parents — ") and "Reason: Deputy took it on" in line
