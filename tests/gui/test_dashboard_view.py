"""The dashboard: its numbers match the data, and clicking a number (or a bar) emits
``open_list`` with the ids behind it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "prevention"))
from prevention_helpers import World, make_world, save_screenshot, seed_demo  # noqa: E402

from casebook.services.dashboard import DashboardService  # noqa: E402
from casebook.services.tracker import TrackerService  # noqa: E402
from casebook.ui.dashboard import DashboardView  # noqa: E402
from casebook.ui.worker import DbWorker  # noqa: E402

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

WAIT = 10_000


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path, start=datetime(2026, 9, 1, 9, 0))
    yield w
    w.book.lock()


@pytest.fixture
def worker(qtbot, world: World) -> Iterator[DbWorker]:  # type: ignore[no-untyped-def]
    db = DbWorker()
    db.watch_changes(world.book.store.take_changes)  # as the main window does
    yield db
    qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    db.stop()


def open_view(qtbot, worker: DbWorker, world: World) -> DashboardView:  # type: ignore[no-untyped-def]
    view = DashboardView(worker, world.book)
    qtbot.addWidget(view)
    view.resize(1100, 720)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    return view


def click(qtbot, widget, pos: QPoint | None = None) -> list:  # type: ignore[no-untyped-def]
    """Click and return what ``open_list`` said."""
    view = widget
    while not isinstance(view, DashboardView):
        view = view.parent()
    with qtbot.waitSignal(view.open_list, timeout=WAIT) as blocker:
        if pos is None:
            qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        else:
            qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    return blocker.args


def test_clicking_a_number_opens_the_list_behind_it(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    cases = world.book.cases
    high_a = cases.create("Baiting account", "baiting", risk="high")
    low = cases.create("Rumour page", "harassment", risk="low")
    world.clock.now = datetime(2026, 10, 5, 9, 0)
    high_b = cases.create("Fake staff account", "staff-allegation", risk="high")
    late = cases.add_action(low.id, "Call parents", "DSL", due_date=date(2026, 10, 1))
    cases.add_action(high_b.id, "Check account", "DSL", due_date=date(2026, 10, 9))
    tracker = TrackerService(world.book.store)
    waiting = tracker.add(high_a.id, body="platform", recipient="Instagram",
                          made_at=datetime(2026, 10, 3, 9))
    removed = tracker.add(high_b.id, body="platform", recipient="TikTok",
                          made_at=datetime(2026, 10, 4, 9))
    tracker.update(removed.id, status="removed")

    view = open_view(qtbot, worker, world)
    assert view.tile("open-cases").value_text == "3"
    assert view.tile("open-cases:high").value_text == "2"
    assert view.tile("open-cases:high").accessibleName() == "High risk: 2"
    assert view.tile("backup").value_text == "Never"

    kind, ids = click(qtbot, view.tile("open-cases:high"))
    assert kind == "open-cases" and sorted(ids) == sorted([high_a.id, high_b.id])
    kind, ids = click(qtbot, view.tile("open-cases"))
    assert kind == "open-cases" and sorted(ids) == sorted([high_a.id, low.id, high_b.id])
    assert click(qtbot, view.tile("overdue-actions")) == ["overdue-actions", [late.id]]
    assert click(qtbot, view.tile("reports-waiting")) == ["reports-waiting", [waiting.id]]
    assert click(qtbot, view.tile("open-cases:critical")) == ["open-cases", []]
    assert click(qtbot, view.tile("backup")) == ["backup", []]

    # Keyboard: focus a tile and press Enter.
    view.tile("steps-waiting").setFocus()
    with qtbot.waitSignal(view.open_list, timeout=WAIT) as blocker:
        qtbot.keyClick(view.tile("steps-waiting"), Qt.Key.Key_Return)
    assert blocker.args[0] == "steps-waiting" and len(blocker.args[1]) == 3

    # A bar of the months chart opens the cases of that month.
    chart = view.months_chart
    october = chart.categories().index("Oct 26")
    rect = chart.bar_rect(october)
    assert not rect.isEmpty()
    kind, ids = click(qtbot, chart, rect.center().toPoint())
    assert kind == "cases-month" and ids == [high_b.id]
    # The outcomes chart: one bar per platform.
    assert view.outcomes_chart.categories() == ["Instagram", "TikTok"]
    rect = view.outcomes_chart.bar_rect(1)
    kind, ids = click(qtbot, view.outcomes_chart, rect.center().toPoint())
    assert (kind, ids) == ("platform-reports", [removed.id])


def test_refresh_shows_new_numbers(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    assert view.tile("open-cases").value_text == "0"
    assert "No cases opened" in view.months_chart.accessibleDescription()
    world.book.cases.create("Fight video", "video", risk="critical")
    world.book.settings.set("last_backup_at", "2026-08-20T17:00:00")
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.keyClick(view, Qt.Key.Key_F5)
    assert view.tile("open-cases:critical").value_text == "1"
    assert view.tile("backup").value_text == "12"
    assert "Sep 26: Fight or other video 1" in view.months_chart.accessibleDescription()


def test_screenshot_of_the_dashboard(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    demo = make_world(tmp_path, start=datetime(2025, 11, 3, 9))
    db = DbWorker()
    db.watch_changes(demo.book.store.take_changes)
    try:
        seed_demo(demo)
        view = DashboardView(db, demo.book)
        qtbot.addWidget(view)
        view.resize(1100, 720)
        with qtbot.waitSignal(view.loaded, timeout=WAIT) as blocker:
            view.show()
        snapshot = blocker.args[0]
        assert snapshot == DashboardService(demo.book.store).snapshot()
        assert view.tile("open-cases").value_text == str(snapshot.open_cases) == "7"
        save_screenshot(view, "dashboard.png")
        qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    finally:
        db.stop()
        demo.book.lock()


def test_the_chart_uses_the_schools_own_words(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    us = make_world(tmp_path, start=datetime(2026, 9, 1, 9, 0), jurisdiction="us")
    db = DbWorker()
    try:
        us.book.cases.create("Rumour page", "harassment")
        view = open_view(qtbot, db, us)
        description = view.months_chart.accessibleDescription()
        assert "Harassment of students" in description and "learners" not in description
        qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    finally:
        db.stop()
        us.book.lock()
