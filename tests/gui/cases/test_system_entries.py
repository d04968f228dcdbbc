"""Issue 11, item 9: the chronology shows what Casebook itself knows — case opened, evidence
and accounts added, decisions, reports made, steps completed — marked as Casebook's own and
hidden or shown with one switch."""

from __future__ import annotations

from case_helpers import open_case_view

from casebook.domain import StepKey, StepStatus
from casebook.ui.cases.chronology_tab import SYSTEM_AUTHOR

WAIT = 10_000


def _rows(tab) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(tab.tree.topLevelItem(i).text(1), tab.tree.topLevelItem(i).text(2))
            for i in range(tab.tree.topLevelItemCount())]


def test_casebooks_own_entries_are_listed_marked_and_filterable(
        qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    book = unlocked_casebook
    cases = book.cases
    account = cases.add_account(case_id, "Instagram", "@oakfield_fake", "impersonating-school")
    book.evidence.add_note(case_id, "Screenshot of the profile page, seen by the tutor")
    cases.add_decision(case_id, "Report the account to Instagram", "It uses the school logo")
    book.tracker.add(case_id, body="platform", recipient="Instagram", account_id=account.id,
                     reference="IG-1")
    cases.save_step(case_id, StepKey.GATHER_EVIDENCE, status=StepStatus.DONE)
    cases.add_entry(case_id, "Head of year spoke to the learner.")

    view = open_case_view(qtbot, worker, book, case_id)
    view.select_tab("Chronology")
    tab = view.chronology
    qtbot.waitUntil(lambda: tab.tree.topLevelItemCount() == 7, timeout=WAIT)
    rows = _rows(tab)
    system = [text for text, author in rows if author == SYSTEM_AUTHOR]
    assert system == [
        "Case opened.", "Account added on Instagram (see Accounts).",
        "Evidence added: note “Screenshot of the profile page, seen by the tutor”.",
        "Decision recorded (see Decisions).", "Report made to Instagram (platform).",
        "Response step “Gather evidence” marked done."]
    assert ("Head of year spoke to the learner.", "Sam Patel") in rows
    first = tab.tree.topLevelItem(0)
    assert first.font(1).italic() and "Sam Patel" in first.toolTip(2)

    tab.show_system.setChecked(False)
    assert _rows(tab) == [("Head of year spoke to the learner.", "Sam Patel")]
    assert tab.show_system.accessibleName() == "Show Casebook's own entries"
    tab.show_system.setChecked(True)
    assert tab.tree.topLevelItemCount() == 7
