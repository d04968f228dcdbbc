"""The case list: full-text search as you type, filters and counts, paging, sorting, opening."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt

from casebook.domain import CaseStatus
from casebook.ui.cases.case_list import ONE_MORE_LETTER
from casebook.ui.main_window import MainWindow
from casebook.ui.models.case_table import (
    CASE_ID_ROLE,
    COL_OVERDUE,
    COL_REFERENCE,
    COL_TITLE,
    CaseTableModel,
)

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)


def _references(model: CaseTableModel) -> list[str]:
    return [model.index(row, COL_REFERENCE).data() for row in range(model.rowCount())]


def _wait_loaded(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.case_list
    qtbot.waitUntil(lambda: not panel.model.loading and not panel._search_timer.isActive())


@pytest.fixture
def three_cases(unlocked_casebook):  # type: ignore[no-untyped-def]
    cases = unlocked_casebook.cases
    a = cases.create("Fake account using the school logo", "impersonation", risk="low")
    b = cases.create("Baiting page collecting photos", "baiting", risk="high")
    c = cases.create("Group chat messages", "harassment", risk="medium")
    cases.add_entry(b.id, "The head of year saw a post naming the learner at the skatepark.")
    cases.add_action(c.id, "Phone the parents", "DSL", date.today() - timedelta(days=3))
    cases.set_status(a.id, CaseStatus.CLOSED, "Account removed by the platform.")
    return a, b, c


def test_search_finds_a_case_by_a_word_in_its_chronology(qtbot, main_window: MainWindow,  # type: ignore[no-untyped-def]
                                                         three_cases, stalls) -> None:
    _a, b, _c = three_cases
    main_window.show_case_list()  # the dashboard is the first screen after unlock
    main_window.refresh_list()
    panel = main_window.case_list
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3)
    main_window.activateWindow()
    qtbot.waitUntil(lambda: main_window.isActiveWindow())
    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.search_edit.hasFocus()
    with stalls.watch("type a search and wait for the list"):
        qtbot.keyClicks(panel.search_edit, "skatep")  # a prefix of a word in one entry
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and not panel.model.loading)
    assert panel.model.index(0, COL_REFERENCE).data(CASE_ID_ROLE) == b.id
    assert "1 of 3 cases match" in panel.counts_label.text()

    panel.search_edit.clear()
    qtbot.keyClicks(panel.search_edit, "nothing-like-this")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0 and not panel.model.loading)
    assert "No cases match" in panel.counts_label.text()
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3)
    assert panel.search_edit.text() == ""


def test_filters_counts_and_overdue_marker(qtbot, main_window: MainWindow, three_cases) -> None:
    a, b, c = three_cases
    main_window.show_case_list()  # the dashboard is the first screen after unlock
    main_window.refresh_list()
    panel = main_window.case_list
    model = panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 3 and not model.loading)
    assert panel.counts_label.text().startswith("3 cases.")
    assert "Open: 2" in panel.counts_label.text() and "Closed: 1" in panel.counts_label.text()

    # Overdue actions: red and a text marker (not colour alone).
    row = model.row_of(c.id)
    assert model.index(row, COL_OVERDUE).data() == "⚠ 1 overdue"
    assert model.index(row, COL_OVERDUE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(model.row_of(b.id), COL_OVERDUE).data() == ""

    panel.status_combo.setCurrentIndex(panel.status_combo.findData("active"))
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 2)
    assert a.id not in {model.index(r, 0).data(CASE_ID_ROLE) for r in range(2)}
    assert "2 of 3 cases match" in panel.counts_label.text()

    panel.risk_combo.setCurrentIndex(panel.risk_combo.findData("high+"))
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 1)
    assert model.index(0, 0).data(CASE_ID_ROLE) == b.id

    panel.risk_combo.setCurrentIndex(0)
    panel.type_combo.setCurrentIndex(panel.type_combo.findData("harassment"))
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 1)
    assert model.index(0, 0).data(CASE_ID_ROLE) == c.id

    panel.clear_filters()
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 3)
    panel.opened_combo.setCurrentIndex(panel.opened_combo.findData("range"))
    assert panel.from_date.isVisible() and panel.to_date.isVisible()
    panel.from_date.setDate(date.today() + timedelta(days=1))
    panel.to_date.setDate(date.today() + timedelta(days=2))
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 0)
    assert "No cases match" in panel.counts_label.text()


def test_sorting_runs_in_the_database(qtbot, main_window: MainWindow, three_cases) -> None:
    main_window.show_case_list()  # the dashboard is the first screen after unlock
    main_window.refresh_list()
    panel = main_window.case_list
    model = panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 3 and not model.loading)
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(COL_TITLE) + 10,
                                header.height() // 2))
    qtbot.waitUntil(lambda: model.filter.sort == "title" and not model.loading)
    titles = [model.index(r, COL_TITLE).data() for r in range(3)]
    assert titles == sorted(titles) or titles == sorted(titles, reverse=True)
    descending = model.filter.descending
    model.sort(COL_TITLE, Qt.SortOrder.AscendingOrder if descending
               else Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: model.filter.descending != descending and not model.loading)
    assert [model.index(r, COL_TITLE).data() for r in range(3)] == list(reversed(titles))


def test_enter_opens_the_selected_case(qtbot, main_window: MainWindow, three_cases) -> None:
    main_window.show_case_list()  # the dashboard is the first screen after unlock
    main_window.refresh_list()
    panel = main_window.case_list
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3 and not panel.model.loading)
    panel.table.setFocus()
    panel.table.selectRow(1)
    case_id = panel.selected_case_id()
    with qtbot.waitSignal(main_window.case_opened) as opened:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert opened.args == [case_id]
    assert main_window.tabs.currentWidget() is main_window.case_views[case_id]
    index = main_window.tabs.indexOf(main_window.case_views[case_id])
    qtbot.waitUntil(lambda: main_window.tabs.tabText(index).startswith("CB-"))
    # Ctrl+W closes the tab again.
    main_window.close_current_case()
    assert case_id not in main_window.case_views
    assert main_window.tabs.count() == 1 + len(main_window.fixed_views)


@pytest.fixture
def many_cases(unlocked_casebook):  # type: ignore[no-untyped-def]
    """500 cases made quickly through the services (with a moving clock for distinct dates)."""
    store = unlocked_casebook.store
    start = datetime(2026, 1, 5, 9, 0)
    original = store.clock
    for number in range(500):
        store.clock = lambda n=number: start + timedelta(minutes=n)
        unlocked_casebook.cases.create(f"Case number {number:03d}", "other")
    store.clock = original
    return 500


def test_list_loads_in_pages(qtbot, main_window: MainWindow, many_cases: int) -> None:
    panel = main_window.case_list
    model = panel.model
    model.page_size = 200
    main_window.refresh_list()
    qtbot.waitUntil(lambda: not model.loading and model.matching == many_cases)
    assert model.rowCount() == 200  # only the first page, not all 500
    assert panel.counts_label.text().startswith("500 cases.")
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 400)
    # Scrolling to the end asks for the rest, as a real user would.
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 500, timeout=10_000)
    assert not model.canFetchMore()
    ids = [model.index(r, 0).data(CASE_ID_ROLE) for r in range(500)]
    assert len(set(ids)) == 500  # no row loaded twice


def test_one_letter_on_its_own_asks_for_another(qtbot, main_window: MainWindow,  # type: ignore[no-untyped-def]
                                                three_cases) -> None:
    """A lone letter would match nearly every case in a big casebook and hold up the next
    search: the list stays as it is and asks for one more letter; the second letter searches."""
    _a, b, _c = three_cases
    main_window.show_case_list()
    main_window.refresh_list()
    panel = main_window.case_list
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3 and not panel.model.loading)
    qtbot.keyClicks(panel.search_edit, "s")
    _wait_loaded(qtbot, main_window)
    assert panel.model.rowCount() == 3
    assert panel.model.filter.text == ""
    assert panel.counts_label.text().startswith(f"{ONE_MORE_LETTER}   3 cases.")
    qtbot.keyClicks(panel.search_edit, "k")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and not panel.model.loading)
    assert panel.model.index(0, COL_REFERENCE).data(CASE_ID_ROLE) == b.id
    assert ONE_MORE_LETTER not in panel.counts_label.text()
    assert "1 of 3 cases match" in panel.counts_label.text()
    panel.search_edit.clear()
    qtbot.keyClicks(panel.search_edit, "skatepark s")  # a last word of one letter is searched
    qtbot.waitUntil(lambda: panel.model.filter.text == "skatepark s" and not panel.model.loading)
    assert panel.model.rowCount() == 1
