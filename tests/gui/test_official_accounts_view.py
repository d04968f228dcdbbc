"""The official-accounts register: add an account through the form, see an overdue check
flagged, record a check, retire an account (kept in the history)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "prevention"))
from prevention_helpers import World, make_world, save_screenshot, seed_demo  # noqa: E402

from casebook.services.official_accounts import OfficialAccountsService  # noqa: E402
from casebook.ui import prompts  # noqa: E402
from casebook.ui.kit.palette import colour  # noqa: E402
from casebook.ui.official_accounts import OfficialAccountsView  # noqa: E402
from casebook.ui.worker import DbWorker  # noqa: E402

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

WAIT = 10_000


@pytest.fixture(autouse=True)
def _answer_prompts() -> Iterator[None]:
    prompts.set_testing(True)
    prompts.answers.clear()
    yield
    prompts.answers.clear()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path)  # 5 October 2026
    yield w
    w.book.lock()


@pytest.fixture
def worker(qtbot, world: World) -> Iterator[DbWorker]:  # type: ignore[no-untyped-def]
    db = DbWorker()
    db.watch_changes(world.book.store.take_changes)  # as the main window does
    yield db
    qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    db.stop()


def open_view(qtbot, worker: DbWorker, world: World) -> OfficialAccountsView:  # type: ignore[no-untyped-def]
    view = OfficialAccountsView(worker, world.book)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    return view


def row(view: OfficialAccountsView, index: int) -> list[str]:
    return [view.table.item(index, c).text() for c in range(view.table.columnCount())]


def test_add_check_and_retire_accounts(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    assert view.table.rowCount() == 0
    view.platform_edit.setEditText("Instagram")
    qtbot.keyClicks(view.handle_edit, "@oakfieldprimary")
    qtbot.keyClicks(view.url_edit, "instagram.com/oakfieldprimary")
    qtbot.keyClicks(view.purpose_edit, "News for families")
    view.verification_edit.setCurrentIndex(view.verification_edit.findData("requested"))
    assert view.requested_edit.isEnabled()
    view.requested_edit.setDate(QDate(2026, 6, 1))
    qtbot.keyClicks(view.holder_edit, "Office manager")
    view.two_factor_edit.setChecked(True)
    view.checked_edit.setDate(QDate(2026, 6, 20))  # more than 90 days ago
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)

    [stored] = OfficialAccountsService(world.book.store).list()
    assert stored.url == "https://instagram.com/oakfieldprimary"
    assert stored.verification_requested_on == date(2026, 6, 1) and stored.two_factor
    assert row(view, 0) == ["Instagram", "@oakfieldprimary", "Requested on 1 Jun 2026",
                            "Office manager", "On", "20 Jun 2026 – due"]
    assert view.table.item(0, 0).background().color() == colour("tint-warning")
    assert "1 not checked in the last 90 days" in view.summary.text()

    view.table.selectRow(0)
    assert view.checked_button.isEnabled()
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.mouseClick(view.checked_button, Qt.MouseButton.LeftButton)
    assert row(view, 0)[-1] == "5 Oct 2026"
    assert view.table.item(0, 0).background().style() == Qt.BrushStyle.NoBrush
    assert "all checked recently" in view.summary.text()

    prompts.answers.append(True)  # "Retire this account?"
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.mouseClick(view.retire_button, Qt.MouseButton.LeftButton)
    assert view.table.rowCount() == 0
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show_retired.setChecked(True)
    assert row(view, 0)[1] == "@oakfieldprimary (retired 5 Oct 2026)"
    assert OfficialAccountsService(world.book.store).get(stored.id).retired_at is not None


def test_requested_verification_needs_its_date_and_errors_are_shown(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    qtbot.keyClicks(view.handle_edit, "@oakfield")
    with qtbot.waitSignal(view.failed, timeout=WAIT) as failed:
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)  # no platform
    assert "platform" in failed.args[0] and view.form_message.text() == failed.args[0]
    assert OfficialAccountsService(world.book.store).list() == []


def test_screenshot_of_the_register(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    demo = make_world(tmp_path, start=datetime(2025, 11, 3, 9))
    db = DbWorker()
    db.watch_changes(demo.book.store.take_changes)
    try:
        seed_demo(demo)
        view = OfficialAccountsView(db, demo.book)
        qtbot.addWidget(view)
        view.resize(1200, 640)
        with qtbot.waitSignal(view.loaded, timeout=WAIT):
            view.show()
        assert view.table.rowCount() == 4
        view.table.selectRow(1)
        assert view.form_title.text() == "Instagram: @oakfieldprimary"
        save_screenshot(view, "official-accounts.png")
        qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    finally:
        db.stop()
        demo.book.lock()
