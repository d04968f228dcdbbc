"""Settings → Term dates and transfers: a DSL enters the school's terms and closed days with
the date fields, chooses what is kept after receipt, and bad dates save nothing; the deadline
shown for a transfer follows the term dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.learners import LearnersView
from casebook.ui.settings.transfer_settings import TransferSettingsPage
from casebook.ui.worker import DbWorker

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

WAIT = 10_000


def _page(qtbot, worker: DbWorker, book: Casebook) -> TransferSettingsPage:  # type: ignore[no-untyped-def]
    page = TransferSettingsPage(worker, book)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded, timeout=WAIT)
    return page


def _type_term(qtbot, page: TransferSettingsPage, first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.terms.add_button, Qt.MouseButton.LeftButton)
    _row, start, end = page.terms.rows[-1]
    qtbot.keyClicks(start.edit, first)
    qtbot.keyClicks(end.edit, last)


def _save_fails(qtbot, page: TransferSettingsPage, words: str) -> None:  # type: ignore[no-untyped-def]
    page.banner.clear()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.banner.kind == "error", timeout=WAIT)
    assert words in page.banner.text() and "Nothing was saved." in page.banner.text()


def test_term_dates_are_checked_then_saved(qtbot, worker: DbWorker,  # type: ignore[no-untyped-def]
                                           unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    page = _page(qtbot, worker, book)
    assert page.terms.rows == [] and page.keep_combo.currentData() == "chronology"
    assert "child protection file to the new school within 5 school days" in page.intro.text()
    _type_term(qtbot, page, "03/09/2026", "31/02/2027")  # no 31 February
    _save_fails(qtbot, page, "The last day of term 1 is not a date")
    _row, _start, end = page.terms.rows[0]
    end.edit.setText("18/12/2026")
    _type_term(qtbot, page, "26/03/2027", "05/01/2027")
    _save_fails(qtbot, page, "Term 2 ends before it starts.")
    page.terms.rows[1][1].edit.setText("01/12/2026")
    page.terms.rows[1][2].edit.setText("26/03/2027")
    _save_fails(qtbot, page, "overlaps the term")
    assert book.transfers.settings()["school_terms"] == ""  # nothing saved so far

    page.terms.rows[1][1].edit.setText("05/01/2027")
    qtbot.mouseClick(page.closed.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.closed.rows[0][1].edit, "16/11/2026")  # one training day
    page.keep_combo.setCurrentIndex(page.keep_combo.findData("all"))
    page.days_spin.setValue(30)
    with qtbot.waitSignal(page.saved, timeout=WAIT):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.banner.kind == "" and page.saved_label.text().startswith("Saved.")
    values = book.transfers.settings()
    assert values["school_terms"] == "2026-09-03..2026-12-18\n2027-01-05..2027-03-26"
    assert values["school_closed_days"] == "2026-11-16..2026-11-16"
    assert (values["transfer_keep"], values["transfer_keep_days"]) == ("all", "30")

    again = _page(qtbot, worker, book)  # shown again as saved
    assert [(s.value(), e.value()) for _r, s, e in again.terms.rows] == [
        (date(2026, 9, 3), date(2026, 12, 18)), (date(2027, 1, 5), date(2027, 3, 26))]
    assert [(s.value(), e.value()) for _r, s, e in again.closed.rows] == [
        (date(2026, 11, 16), None)]
    assert again.keep_combo.currentData() == "all" and again.days_spin.value() == 30


def test_the_deadline_shown_changes_once_term_dates_are_set(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                            worker: DbWorker,
                                                            unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    book.store.clock = lambda: datetime(2026, 12, 16, 10, 0)  # a Wednesday before Christmas
    zoe = book.people.add("learner", "Zoë", "Ødegård", date_of_birth=date(2014, 2, 3))
    book.transfers.export(zoe.id, "Elm Academy", tmp_path / "z.cbx",
                          password="amber lantern quietly 58")
    view = LearnersView(worker, book)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    assert view.transfer_table.item(0, 3).text() == "23/12/2026"  # weekdays only

    page = _page(qtbot, worker, book)
    _type_term(qtbot, page, "03/09/2026", "18/12/2026")
    _type_term(qtbot, page, "05/01/2027", "26/03/2027")
    with qtbot.waitSignal(page.saved, timeout=WAIT):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.refresh()
    # Thu 17 and Fri 18 December, then Tue 5, Wed 6 and Thu 7 January.
    assert view.transfer_table.item(0, 3).text() == "07/01/2027"


def test_closing_settings_asks_before_dropping_typed_term_dates(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    from casebook.ui.widgets.drafts import DISCARD_TITLE

    main_window.show_settings()
    dialog = main_window.settings_dialog
    page = dialog.transfer_settings
    qtbot.waitUntil(lambda: page.loaded and dialog.school_details.loaded, timeout=WAIT)
    dialog.tabs.setCurrentWidget(dialog.school_details)
    _type_term(qtbot, page, "03/09/2026", "18/12/")  # half typed
    prompts.answers.append(False)  # "Keep editing"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.tabs.currentWidget() is page
    assert [title for kind, title, _ in prompts.shown if kind == "ask"] == [DISCARD_TITLE]
    qtbot.keyClicks(page.terms.rows[0][2].edit, "2026")
    with qtbot.waitSignal(page.saved, timeout=WAIT):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # saved: no question
    assert not dialog.isVisible() and len(prompts.shown) == 1
