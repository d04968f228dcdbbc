"""Family links and allegation outcomes in the app, driven through real widgets: a sibling
picked from the register, a new parent or carer, a link removed as a correction with a reason
(kept); a staff allegation's outcome recorded on the case's People tab, its review date shown
and a malicious one in the retention review queue at once; after a purge, the backups that
still hold the records named and deleted on request; a restore that purges again says so."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest
from case_helpers import open_case_view, wait_idle
from PySide6.QtCore import Qt

from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.learners import LearnersView
from casebook.ui.worker import DbWorker

WAIT = 15_000


def _rows(table, column: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(r, column).text() for r in range(table.rowCount())]


def _learners(qtbot, worker: DbWorker, book: Casebook) -> LearnersView:  # type: ignore[no-untyped-def]
    view = LearnersView(worker, book)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    return view


def _choose(qtbot, view: LearnersView, name: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.file_shown, timeout=WAIT):
        view.people_table.selectRow(_rows(view.people_table).index(name))
    qtbot.waitUntil(lambda: view.family.person is not None and view.family.add_button.isEnabled(),
                    timeout=WAIT)


def test_family_links_added_and_removed_from_a_learners_file(qtbot, worker: DbWorker,  # type: ignore[no-untyped-def]
                                                             unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    zoe = book.people.add("learner", "Zoë", "Ødegård", date_of_birth=date(2014, 2, 3),
                          year_group="Year 7")
    kim = book.people.add("learner", "Kim", "Ødegård", date_of_birth=date(2016, 5, 1))
    view = _learners(qtbot, worker, book)
    _choose(qtbot, view, "Zoë Ødegård")
    panel = view.family
    qtbot.waitUntil(lambda: _rows(panel.table, 1) == ["No family links yet"], timeout=WAIT)
    assert not panel.remove_button.isEnabled()

    # A sibling picked from the register by search.
    panel.add_button.click()
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.ok_button.click()  # nobody chosen yet: a calm message, nothing saved
    assert "choose them in the list" in dialog.banner.text()
    qtbot.keyClicks(dialog.search, "Kim")
    qtbot.waitUntil(lambda: dialog.results.count() == 1
                    and dialog.results.item(0).text().startswith("Kim Ødegård"), timeout=WAIT)
    dialog.results.setCurrentRow(0)
    dialog.relation.setCurrentIndex(dialog.relation.findData("sibling"))
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: _rows(panel.table, 1) == ["Kim Ødegård"], timeout=WAIT)
    assert _rows(panel.table) == ["Sibling"]

    # A new parent or carer, not in the register yet.
    panel.add_button.click()
    dialog = panel.dialog
    dialog.new_parent.setChecked(True)
    assert dialog.forename.isVisible() and not dialog.results.isVisible()
    dialog.forename.setText("Marit")
    dialog.surname.setText("Ødegård")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: len(_rows(panel.table)) == 2, timeout=WAIT)
    assert ("Parent or carer", "Marit Ødegård") in zip(_rows(panel.table),
                                                       _rows(panel.table, 1), strict=True)
    assert {(w, o.full_name) for w, o in book.people.family(zoe.id)} == {
        ("Sibling", "Kim Ødegård"), ("Parent or carer", "Marit Ødegård")}
    assert [w for w, _o in book.people.family(kim.id)] == ["Sibling"]

    # Removing the sibling link: a reason is required, and the removal is kept.
    panel.table.selectRow(_rows(panel.table).index("Sibling"))
    assert panel.remove_button.isEnabled()
    panel.remove_button.click()
    removal = panel.dialog
    removal.ok_button.click()
    assert "say why" in removal.banner.text()
    assert len(book.people.family(zoe.id)) == 2  # nothing removed without a reason
    removal.reason_edit.setText("Kim is a cousin, not a sister")
    with qtbot.waitSignal(removal.accepted, timeout=WAIT):
        removal.ok_button.click()
    qtbot.waitUntil(lambda: _rows(panel.table) == ["Parent or carer"], timeout=WAIT)
    qtbot.waitUntil(lambda: "Kim is a cousin" in panel.removed.text(), timeout=WAIT)
    kept = book.people.family_removals(zoe.id)
    assert [(r.other_name, r.reason) for r in kept] == [("Kim Ødegård",
                                                          "Kim is a cousin, not a sister")]
    assert book.people.family_removals(kim.id)[0].removed_by == book.user.name


def test_allegation_outcome_on_the_people_tab(qtbot, worker: DbWorker,  # type: ignore[no-untyped-def]
                                              unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    staff = book.people.add("staff", "Ann", "Teacher", date_of_birth=date(1970, 1, 1))
    pupil = book.people.add("learner", "Sam", "Jones", date_of_birth=date(2013, 1, 1))
    case = book.cases.create("Allegation about a teacher", "staff-allegation")
    link = book.people.link_to_case(case.id, staff.id, "allegation-subject")
    book.people.link_to_case(case.id, pupil.id, "reporter")
    worker.watch_changes(book.store.take_changes)  # as the main window does
    learners = _learners(qtbot, worker, book)
    learners.pages.setCurrentIndex(1)
    assert _rows(learners.review_table) == []

    view = open_case_view(qtbot, worker, book, case.id)
    view.select_tab("People")
    people = view.people
    details = people.register_details
    people.table.selectRow(_rows(people.table).index("Sam Jones"))
    wait_idle(qtbot, worker)
    assert not details.box.isVisibleTo(people)  # a learner: no outcome to record
    people.table.selectRow(_rows(people.table).index("Ann Teacher"))
    qtbot.waitUntil(lambda: details.box.isVisibleTo(people), timeout=WAIT)
    assert details.outcome.currentData() == ""
    # The later of 10 years from the allegation and pension age 67 (born 1970): 2037.
    assert "1 Jan 2037" in details.review.text()

    details.outcome.setCurrentIndex(details.outcome.findData("unfounded"))
    details.save_button.click()
    qtbot.waitUntil(lambda: book.people.links(staff.id)[0].outcome == "unfounded", timeout=WAIT)
    wait_idle(qtbot, worker)
    assert "1 Jan 2037" in details.review.text()
    assert book.retention.due() == []

    details.outcome.setCurrentIndex(details.outcome.findData("malicious"))
    details.save_button.click()
    qtbot.waitUntil(lambda: "flagged for removal" in details.review.text(), timeout=WAIT)
    assert book.people.links(staff.id)[0].outcome == "malicious"
    assert [i.id for i in book.retention.due()] == [case.reference]
    # The Learners screen's review queue shows it at once (it watches for changes).
    qtbot.waitUntil(lambda: _rows(learners.review_table) == ["Allegation about Ann Teacher"],
                    timeout=WAIT)
    assert "malicious" in learners.review_table.item(0, 4).text()
    # Reopening the case shows the saved outcome.
    people.table.clearSelection()
    people.table.selectRow(_rows(people.table).index("Ann Teacher"))
    qtbot.waitUntil(lambda: details.outcome.currentData() == "malicious", timeout=WAIT)
    assert link.id == details.person_id


def test_the_outcome_is_refused_for_someone_not_the_subject(unlocked_casebook: Casebook) -> None:
    from casebook.errors import ValidationError

    book = unlocked_casebook
    pupil = book.people.add("learner", "Sam", "Jones")
    case = book.cases.create("Other", "other")
    link = book.people.link_to_case(case.id, pupil.id, "witness")
    with pytest.raises(ValidationError, match="subject of an allegation"):
        book.people.set_outcome(link.id, "malicious")


def test_after_a_purge_old_backups_are_named_and_deleted(qtbot, worker: DbWorker,  # type: ignore[no-untyped-def]
                                                         unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    book.people.add("learner", "Old", "Leaver", date_of_birth=date(1990, 1, 1))
    backup = book.backup()
    past = time.time() - 3600
    os.utime(backup, (past, past))
    view = _learners(qtbot, worker, book)
    view.pages.setCurrentIndex(1)
    view.review_table.selectRow(0)
    prompts.answers.extend([True, True])  # purge; then delete the old backups
    view.purge_selected()
    qtbot.waitUntil(lambda: any(title == "Old backups deleted"
                                for _k, title, _t in prompts.shown), timeout=WAIT)
    asked = [text for kind, title, text in prompts.shown
             if title == "Older backups still hold these records"]
    assert len(asked) == 1 and backup.name in asked[0] and "USB drive" in asked[0]
    assert not backup.exists()
    done = [text for _k, title, text in prompts.shown if title == "Old backups deleted"][0]
    assert "Deleted 1 backup made before the purge" in done
    assert [p.name for p in book.paths.backups.iterdir() if p.name.endswith(".db")] != []


def test_restore_says_purged_records_were_removed_again(qtbot, main_window,  # type: ignore[no-untyped-def]
                                                        unlocked_casebook: Casebook,
                                                        tmp_path: Path, dsl_passphrase) -> None:
    book = unlocked_casebook
    old = book.people.add("learner", "Old", "Leaver", date_of_birth=date(1990, 1, 1))
    case = book.cases.create("Old case", "other")
    book.people.link_to_case(case.id, old.id, "harmed")
    backup = book.backup(tmp_path / "usb" / "before-purge.db")
    book.retention.purge(f"L{old.id}", confirm=True)

    main_window.show_settings()  # Settings → Backups → Restore from a backup…
    settings = main_window.settings_dialog
    qtbot.waitUntil(lambda: not settings._loading)
    prompts.answers.append([str(backup)])
    qtbot.mouseClick(settings.restore_button, Qt.MouseButton.LeftButton)
    dialog = settings.restore_dialog
    qtbot.keyClicks(dialog.passphrase_edit, dsl_passphrase)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=WAIT)
    with qtbot.waitSignal(main_window.restored, timeout=30_000):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    said = [text for kind, title, text in prompts.shown if title == "Restore"]
    assert said and "purged records were removed again" in said[-1]
    restored = main_window.casebook
    assert restored.people.search("Old") == [] and restored.cases.list_page() == []


def test_the_outcome_box_brings_no_alt_letter_clash(qtbot, main_window,  # type: ignore[no-untyped-def]
                                                    unlocked_casebook: Casebook) -> None:
    try:
        from .test_words_and_keys import clashes
    except ImportError:
        from test_words_and_keys import clashes  # type: ignore[no-redef]

    book = unlocked_casebook
    staff = book.people.add("staff", "Ann", "Teacher", date_of_birth=date(1970, 1, 1))
    case = book.cases.create("Allegation about a teacher", "staff-allegation")
    book.people.link_to_case(case.id, staff.id, "allegation-subject")
    main_window.open_case(case.id)
    view = main_window.case_views[case.id]
    qtbot.waitUntil(lambda: view.bundle is not None, timeout=WAIT)
    view.select_tab("People")
    view.people.table.selectRow(0)
    qtbot.waitUntil(lambda: view.people.register_details.box.isVisible(), timeout=WAIT)
    assert clashes(main_window) == []
