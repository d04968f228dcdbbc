"""The checklist screen, driven like a user would: rate items, start a new yearly review, read
and compare the old one, and export the PDF for governors. Real widgets, a real encrypted
casebook, all database work on the real DB worker."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "prevention"))
from prevention_helpers import (  # noqa: E402
    SCHOOL,
    World,
    make_world,
    save_screenshot,
    seed_demo,
)

from casebook.services.checklist import IN_PLACE, IN_PROGRESS, NOT_APPLICABLE  # noqa: E402
from casebook.storage import tables as t  # noqa: E402
from casebook.ui import prompts  # noqa: E402
from casebook.ui.checklist import ChecklistView  # noqa: E402
from casebook.ui.kit.palette import colour  # noqa: E402
from casebook.ui.worker import DbWorker  # noqa: E402

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

WAIT = 10_000


@pytest.fixture(autouse=True)
def _answer_prompts() -> Iterator[None]:
    prompts.set_testing(True)
    prompts.answers.clear()
    prompts.shown.clear()
    yield
    prompts.answers.clear()
    prompts.set_testing(False)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path)  # 5 October 2026, the small test checklist
    yield w
    w.book.lock()


@pytest.fixture
def worker(qtbot, world: World) -> Iterator[DbWorker]:  # type: ignore[no-untyped-def]
    db = DbWorker()
    db.watch_changes(world.book.store.take_changes)  # as the main window does
    yield db
    qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    db.stop()


def open_view(qtbot, worker: DbWorker, world: World) -> ChecklistView:  # type: ignore[no-untyped-def]
    view = ChecklistView(worker, world.book, service=world.checklist())
    qtbot.addWidget(view)
    view.resize(1280, 800)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    return view


def click_item(qtbot, view: ChecklistView, item_id: str) -> None:  # type: ignore[no-untyped-def]
    table = view.items_table
    row = view.row_of_item(item_id)
    assert row >= 0, f"{item_id} is not shown"
    cell = table.item(row, 0)
    table.scrollToItem(cell)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualItemRect(cell).center())
    assert view.item_title.text().endswith(cell.text())


def row_texts(view: ChecklistView, item_id: str) -> list[str]:
    table = view.items_table
    row = view.row_of_item(item_id)
    return [table.item(row, c).text() for c in range(table.columnCount())]


def rate(qtbot, view: ChecklistView, item_id: str, *, status: str | None = None,  # type: ignore[no-untyped-def]
         level: int | None = None, owner: str | None = None) -> None:
    click_item(qtbot, view, item_id)
    if status is not None:
        view.status_edit.setCurrentIndex(view.status_edit.findData(status))
    if level is not None:
        view.level_edit.setCurrentIndex(level)
    if owner is not None:
        view.owner_edit.clear()
        qtbot.keyClicks(view.owner_edit, owner)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)


def test_rating_items_updates_the_table_progress_and_the_database(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    review_id = view.bundle.review.id
    assert view.visible_item_ids()[:2] == ["online-behaviour", "incident-procedure"]

    rate(qtbot, view, "rshe", status=IN_PLACE, level=4, owner="PSHE lead")
    click_item(qtbot, view, "training")
    view.level_edit.setCurrentIndex(2)
    assert view.level_text.text() == "Some work has started."  # the level's own description
    view.status_edit.setCurrentIndex(view.status_edit.findData(IN_PROGRESS))
    qtbot.keyClicks(view.owner_edit, "DSL")
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S saves

    stored = world.checklist().item(review_id, "rshe")
    assert (stored.status, stored.level, stored.owner) == (IN_PLACE, 4, "PSHE lead")
    assert world.checklist().item(review_id, "training").level == 2
    assert row_texts(view, "rshe") == ["Online safety in the RSHE curriculum", "In place", "4",
                                       "3", "PSHE lead", "–"]
    # Sections: All, Policy, Education, Staff. Education has 1 of its 2 items in place.
    assert view.section_table.item(2, 0).text() == "Education"
    bar = view.section_table.cellWidget(2, 1)
    assert (bar.value(), bar.maximum(), bar.text()) == (1, 2, "1 of 2")
    assert view.section_table.item(2, 2).text() == "4.0"
    assert "Education: Average level 4.0" in view.level_chart.accessibleDescription()
    # The action plan lists what is below target, biggest gap first.
    plan = [view.plan_table.item(r, 1).data(Qt.ItemDataRole.UserRole)
            for r in range(view.plan_table.rowCount())]
    assert "rshe" not in plan and plan.index("training") > plan.index("online-behaviour")


def test_not_applicable_without_a_reason_is_refused_calmly(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    click_item(qtbot, view, "parents")
    view.status_edit.setCurrentIndex(view.status_edit.findData(NOT_APPLICABLE))
    with qtbot.waitSignal(view.failed, timeout=WAIT) as blocker:
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert "does not apply" in blocker.args[0]
    assert "does not apply" in view.editor_message.text()
    assert world.checklist().item(view.bundle.review.id, "parents").status == "not-started"

    qtbot.keyClicks(view.na_reason_edit, "Boarding school: parents are overseas")
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert row_texts(view, "parents")[1:3] == ["Not applicable", "n/a"]


def test_filters_and_overdue_reviews_are_highlighted(qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    checklist = world.checklist()
    review = checklist.current_review()
    checklist.update_item(review.id, "rshe", owner="PSHE lead", status=IN_PLACE,
                          next_review=date(2026, 9, 1))
    checklist.update_item(review.id, "training", owner="DSL", next_review=date(2026, 12, 1))
    checklist.update_item(review.id, "privacy", owner="DSL", next_review=date(2026, 10, 4))
    view = open_view(qtbot, worker, world)

    late = row_texts(view, "rshe")
    assert late[-1] == "1 Sep 2026 – overdue"
    row = view.row_of_item("rshe")
    assert view.items_table.item(row, 0).background().color() == colour("tint-warning")
    assert view.items_table.item(view.row_of_item("training"), 0).background().style() == \
        Qt.BrushStyle.NoBrush
    assert "2 items overdue" in view.message.text()

    view.overdue_only.setChecked(True)
    assert view.visible_item_ids() == ["rshe", "privacy"]
    view.overdue_only.setChecked(False)
    view.owner_filter.setCurrentIndex(view.owner_filter.findData("DSL"))
    assert view.visible_item_ids() == ["training", "privacy"]
    view.status_filter.setCurrentIndex(view.status_filter.findData(IN_PLACE))
    assert view.visible_item_ids() == []
    assert view.count_label.text() == "Showing 0 of 6 items"
    view.owner_filter.setCurrentIndex(0)
    assert view.visible_item_ids() == ["rshe"]
    # Choosing a section shows only its items.
    view.status_filter.setCurrentIndex(0)
    view.section_table.selectRow(3)  # Staff
    assert view.visible_item_ids() == ["training", "privacy"]


def test_new_yearly_review_carries_forward_and_the_old_one_stays_readable(
        qtbot, worker, world) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    first = view.bundle.review
    rate(qtbot, view, "rshe", status=IN_PROGRESS, level=2, owner="PSHE lead")

    qtbot.mouseClick(view.new_review_button, Qt.MouseButton.LeftButton)
    assert view.new_review_panel.isVisible()
    assert view.new_label_edit.text() == "2027–28"
    prompts.answers.append(True)  # "Start the 2027–28 review?"
    with qtbot.waitSignal(view.review_started, timeout=WAIT), \
            qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.mouseClick(view.start_review_button, Qt.MouseButton.LeftButton)
    second = view.bundle.review
    assert second.id != first.id and second.year_label == "2027–28" and second.is_open
    assert [view.review_picker.itemText(i) for i in range(view.review_picker.count())] == \
        ["2027–28 (current)", "2026–27 (closed)"]
    assert row_texts(view, "rshe")[1:5] == ["In progress", "2", "3", "PSHE lead"]  # carried
    assert not view.closed_banner.isVisible()

    rate(qtbot, view, "rshe", status=IN_PLACE, level=4)

    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.review_picker.setCurrentIndex(1)  # read last year's review
    assert view.bundle.review.id == first.id
    assert view.closed_banner.isVisible() and "2026–27" in view.closed_banner.text()
    assert row_texts(view, "rshe")[1:3] == ["In progress", "2"]  # unchanged
    click_item(qtbot, view, "rshe")
    assert not view.save_button.isEnabled() and not view.level_edit.isEnabled()

    with qtbot.waitSignal(view.compared, timeout=WAIT) as blocker:
        view.tabs.setCurrentIndex(2)  # opening the tab compares the two years
    assert blocker.args[0].review_b.id == second.id
    row = next(r for r in range(view.compare_items.rowCount())
               if view.compare_items.item(r, 0).data(Qt.ItemDataRole.UserRole) == "rshe")
    assert [view.compare_items.item(row, c).text() for c in range(2, 5)] == \
        ["2", "4", "▲ up 2"]
    assert view.compare_items.horizontalHeaderItem(2).text() == "Level 2026–27"


def open_export_panel(qtbot, view: ChecklistView) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.export_panel.isVisible, timeout=WAIT)


def test_export_for_governors_writes_a_pdf_with_the_school_and_sections(
        qtbot, worker, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    rate(qtbot, view, "online-behaviour", status=IN_PLACE, level=4, owner="Headteacher")
    open_export_panel(qtbot, view)
    assert view.recipient_edit.currentText() == "Governing body"
    target = tmp_path / "exports" / "Checklist review.pdf"
    target.parent.mkdir()
    prompts.answers.append(str(target))
    with qtbot.waitSignal(view.exported, timeout=30_000) as blocker:
        qtbot.mouseClick(view.save_pdf_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == str(target)
    assert not view.export_panel.isVisible()
    assert target.exists() and target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert SCHOOL in text
    for section in ("Policy and procedures", "Education", "Staff"):
        assert section in text
    assert "Online behaviour in school" in text and "Headteacher" in text  # the rated item
    assert "Governing body" in text
    assert any(kind == "info" and title == "Checklist review saved"
               for kind, title, _ in prompts.shown)
    with world.book.store.read() as s:
        actions = list(s.scalars(select(t.AuditRow.action)))
    assert "checklist.export" in actions


def test_export_with_a_password_and_another_recipient(qtbot, worker, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    open_export_panel(qtbot, view)
    view.recipient_edit.setEditText("")
    qtbot.keyClicks(view.recipient_edit.lineEdit(), "Safeguarding link governor")
    qtbot.keyClicks(view.password_edit, "tulip-harbour-9")
    target = tmp_path / "locked.pdf"
    prompts.answers.append(str(target))
    with qtbot.waitSignal(view.exported, timeout=30_000):
        qtbot.mouseClick(view.save_pdf_button, Qt.MouseButton.LeftButton)
    assert view.password_edit.text() == ""  # not kept on screen
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(target)
    text = subprocess.run(["pdftotext", "-upw", "tulip-harbour-9", str(target), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Safeguarding link governor" in text


def test_cancelling_the_save_dialog_exports_nothing(qtbot, worker, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, worker, world)
    open_export_panel(qtbot, view)
    prompts.answers.append(None)
    qtbot.mouseClick(view.save_pdf_button, Qt.MouseButton.LeftButton)
    assert worker.pending == 0 and view.save_pdf_button.isEnabled()
    assert list(tmp_path.rglob("*.pdf")) == []


def test_screenshots_of_the_checklist(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    demo = make_world(tmp_path, start=datetime(2025, 11, 3, 9), shipped_checklist=True)
    db = DbWorker()
    db.watch_changes(demo.book.store.take_changes)
    try:
        seed_demo(demo)
        view = ChecklistView(db, demo.book)
        qtbot.addWidget(view)
        view.resize(1280, 800)
        with qtbot.waitSignal(view.loaded, timeout=WAIT):
            view.show()
        assert view.bundle.review.year_label == "2026–27"
        assert any("overdue" in view.items_table.item(r, 5).text()
                   for r in range(view.items_table.rowCount())
                   if view.items_table.item(r, 5) is not None)
        ids = view.visible_item_ids()
        click_item(qtbot, view, ids[3])
        save_screenshot(view, "checklist.png")
        with qtbot.waitSignal(view.compared, timeout=WAIT):
            view.tabs.setCurrentIndex(2)
        assert view.compare_items.rowCount() == len(ids)
        save_screenshot(view, "checklist-compare.png")
        qtbot.waitUntil(lambda: db.pending == 0, timeout=WAIT)
    finally:
        db.stop()
        demo.book.lock()
