"""Evidence with real widgets: the safety gate on every way in (button, drop, paste), hashes,
progress from the DB thread, and "It might" storing nothing but a note and a decision."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import pytest
from case_helpers import open_case_view, wait_idle
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage

from casebook.domain import EvidenceKind
from casebook.ui import prompts
from casebook.ui.evidence.evidence_widget import SOURCE_DROPPED, SOURCE_PASTED, not_stored_decision

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def gate(qtbot, widget):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: widget.gate_dialog is not None and widget.gate_dialog.isVisible())
    return widget.gate_dialog


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    """Over two of the service's 1 MiB chunks, so progress is reported more than once."""
    path = tmp_path / "account page capture.bin"
    path.write_bytes(os.urandom(2 * 1024 * 1024 + 12345))
    return path


def test_no_on_the_gate_stores_the_file_with_its_hash_and_progress(
        qtbot, worker, unlocked_casebook, case_id, big_file) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    widget = view.evidence
    qtbot.keyClicks(widget.source_edit, "Sent by the head of year")
    moves: list[tuple[int, int]] = []
    widget._relay.moved.connect(lambda done, total: moves.append((done, total)))

    prompts.answers.append([str(big_file)])
    click(qtbot, widget.add_button)
    dialog = gate(qtbot, widget)
    assert "under 18" in dialog.question.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter answers nothing: no default button
    assert dialog.isVisible() and dialog.answer is None
    assert not unlocked_casebook.evidence.items(case_id)  # nothing before the answer
    click(qtbot, dialog.no_button)
    qtbot.waitUntil(lambda: widget.table.rowCount() == 1, timeout=15_000)

    expected = hashlib.sha256(big_file.read_bytes()).hexdigest()
    item = unlocked_casebook.evidence.items(case_id)[0]
    assert (item.kind, item.sha256, item.size) == (EvidenceKind.FILE, expected,
                                                   big_file.stat().st_size)
    assert item.added_by == "Sam Patel"
    assert item.source.startswith("Sent by the head of year")
    assert widget.table.item(0, 3).toolTip() == expected  # full hash on hover
    assert widget.table.item(0, 3).text() == expected[:12] + "…"
    assert widget.table.item(0, 2).text() == "2.0 MB"
    assert len(moves) >= 3 and moves[-1] == (item.size, item.size)  # crossed to the GUI thread
    assert widget.progress.isHidden()
    assert unlocked_casebook.evidence.read_bytes(item.id) == big_file.read_bytes()


def test_it_might_stores_nothing_records_a_note_and_decision_and_shows_the_route(
        qtbot, worker, unlocked_casebook, case_id, tmp_path) -> None:
    image = tmp_path / "forwarded.jpg"
    image.write_bytes(b"\xff\xd8\xff" + b"\0" * 1000)
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    widget = view.evidence

    prompts.answers.append([str(image)])
    click(qtbot, widget.add_button)
    click(qtbot, gate(qtbot, widget).might_button)
    assert widget.route.isVisible()
    route = widget.route.text()
    for expected in ("Police", "CEOP", "Report Remove", "IWF", "999"):
        assert expected in route
    qtbot.waitUntil(lambda: widget.note_dialog is not None and widget.note_dialog.isVisible())
    note = widget.note_dialog
    click(qtbot, note.record_button)  # a description is needed
    assert note.isVisible() and "description" in note.banner.text()
    qtbot.keyClicks(note.description_edit, "A learner reported an image of a pupil on the account")
    qtbot.keyClicks(note.url_edit, "instagram.com/p/abc123")
    click(qtbot, note.record_button)
    qtbot.waitUntil(lambda: widget.table.rowCount() == 1)
    wait_idle(qtbot, worker)

    items = unlocked_casebook.evidence.items(case_id)
    assert [i.kind for i in items] == [EvidenceKind.NOTE]
    assert items[0].sha256 is None and items[0].filename is None
    assert items[0].url == "https://instagram.com/p/abc123"
    assert list(unlocked_casebook.evidence.chunks(items[0].id)) == []
    decisions = unlocked_casebook.cases.decisions(case_id)
    assert [d.what for d in decisions] == [not_stored_decision("police")]
    assert decisions[0].what == ("Not stored: may show a nude or sexual image of a child; "
                                 "police route shown")
    assert "referred" not in decisions[0].what and "referred" not in decisions[0].why
    assert widget.route.isVisible() and "not added" in widget.banner.text()


def test_cancelling_the_gate_adds_nothing(qtbot, worker, unlocked_casebook, case_id,
                                          tmp_path) -> None:
    path = tmp_path / "shot.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    prompts.answers.append([str(path)])
    click(qtbot, view.evidence.add_button)
    click(qtbot, gate(qtbot, view.evidence).cancel_button)
    wait_idle(qtbot, worker)
    assert unlocked_casebook.evidence.items(case_id) == []
    assert view.evidence.banner.text() == "Nothing was added."


def test_dropped_files_pass_the_same_gate(qtbot, worker, unlocked_casebook, case_id,
                                          tmp_path) -> None:
    first, second = tmp_path / "one.png", tmp_path / "two.pdf"
    first.write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 100)
    second.write_bytes(b"%PDF-1.4\n" + b"2" * 100)
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    widget = view.evidence
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(second))])
    with warnings.catch_warnings():  # PySide marks the only constructor as deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QGuiApplication.sendEvent(widget, enter)
    assert enter.isAccepted()  # the widget says it takes local files
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QGuiApplication.sendEvent(widget, drop)
    assert drop.isAccepted()
    dialog = gate(qtbot, widget)
    assert unlocked_casebook.evidence.items(case_id) == []
    click(qtbot, dialog.no_button)
    qtbot.waitUntil(lambda: widget.table.rowCount() == 2)
    items = unlocked_casebook.evidence.items(case_id)
    assert {i.filename for i in items} == {"one.png", "two.pdf"}
    assert {i.media_type for i in items} == {"image/png", "application/pdf"}
    assert all(i.source == SOURCE_DROPPED for i in items)
    assert all(i.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
               for i, p in zip(sorted(items, key=lambda i: i.filename or ""), (first, second),
                               strict=True))
    assert "2 files added" in widget.banner.text()


def test_pasted_screenshot_is_gated_then_stored_as_png(qtbot, worker, unlocked_casebook,
                                                       case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Evidence")
    widget = view.evidence
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))

    QGuiApplication.clipboard().clear()
    assert widget.paste_from_clipboard() is False
    assert "no picture" in widget.banner.text()

    QGuiApplication.clipboard().setImage(image)
    click(qtbot, widget.paste_button)
    click(qtbot, gate(qtbot, widget).might_button)  # "It might": nothing kept, note offered
    qtbot.waitUntil(lambda: widget.note_dialog is not None)
    widget.note_dialog.reject()
    wait_idle(qtbot, worker)
    assert unlocked_casebook.evidence.items(case_id) == []

    assert widget.paste_from_clipboard() is True
    click(qtbot, gate(qtbot, widget).no_button)
    qtbot.waitUntil(lambda: widget.table.rowCount() == 1)
    item = unlocked_casebook.evidence.items(case_id)[0]
    stored = unlocked_casebook.evidence.read_bytes(item.id)
    assert stored is not None and stored.startswith(b"\x89PNG")
    assert item.media_type == "image/png" and item.source == SOURCE_PASTED
    assert item.sha256 == hashlib.sha256(stored).hexdigest()
    back = QImage.fromData(stored)
    assert (back.width(), back.height()) == (40, 30)
    assert back.pixelColor(5, 5) == QColor("#336699")


@pytest.mark.parametrize("jurisdiction", ["us"])
def test_us_route_points_to_ncmec(qtbot, worker, unlocked_casebook, case_id, tmp_path) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    prompts.answers.append([str(path)])
    click(qtbot, view.evidence.add_button)
    click(qtbot, gate(qtbot, view.evidence).might_button)
    route = view.evidence.route.text()
    assert "NCMEC" in route and "Take It Down" in route and "911" in route
    assert "CEOP" not in route and "IWF" not in route
    qtbot.waitUntil(lambda: view.evidence.note_dialog is not None)
    note = view.evidence.note_dialog
    assert "student" in note.description_edit.placeholderText()
    qtbot.keyClicks(note.description_edit, "Reported image, not viewed")
    click(qtbot, note.record_button)
    qtbot.waitUntil(lambda: len(unlocked_casebook.cases.decisions(case_id)) == 1)
    assert unlocked_casebook.cases.decisions(case_id)[0].what.endswith("law enforcement route shown")
