"""The school-wide screens live beside the case list; the dashboard opens the lists behind it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from gui_defaults import PASSPHRASE

from casebook.ui.cases.case_list import CASE_ID_ROLE
from casebook.ui.main_window import MainWindow

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)


def test_dashboard_is_first_and_its_numbers_open_their_lists(qtbot, main_window: MainWindow,
                                                              unlocked_casebook) -> None:
    book = unlocked_casebook
    quiet = book.cases.create("Old rumour page", "other")
    book.cases.set_status(quiet.id, "closed", "Account removed by the platform")
    busy = book.cases.create("Fake staff account", "staff-allegation", risk="high")
    overdue = book.cases.add_action(busy.id, "Ring the LADO back", "DSL",
                                    date.today() - timedelta(days=2))
    main_window.lock()
    qtbot.waitUntil(lambda: main_window.casebook is None)
    panel = main_window.unlock_panel
    qtbot.waitUntil(lambda: panel.unlock_button.isEnabled() and not panel.busy)
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(main_window.unlocked, timeout=10_000):
        panel.unlock_button.click()

    dashboard = main_window.fixed_views["dashboard"]
    assert main_window.tabs.currentWidget() is dashboard
    assert {"dashboard", "checklist", "tracker", "official", "learners"} == set(main_window.fixed_views)

    dashboard.open_list.emit("overdue-actions", [overdue.id])
    model = main_window.case_list.model
    qtbot.waitUntil(lambda: main_window.tabs.currentWidget() is main_window.case_list
                    and not model.loading and model.rowCount() == 1)
    assert model.index(0, 0).data(CASE_ID_ROLE) == busy.id
    assert "overdue actions" in main_window.case_list.only_label.text()

    main_window.case_list.only_all_button.click()
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 2)

    dashboard.open_list.emit("reports-waiting", [])
    assert main_window.tabs.currentWidget() is main_window.fixed_views["tracker"]
