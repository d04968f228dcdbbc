"""Sending a learner's file from the app: the DSL sees every evidence item on their cases,
ticked as a DSL would start (the cases where the learner was harmed), with shared cases
flagged, and how many files and how big before anything is written."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.learners.transfer_dialog import SendTransferDialog
from casebook.ui.worker import DbWorker

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

WAIT = 10_000


def _seed(book: Casebook) -> tuple[int, dict[str, int]]:
    zoe = book.people.add("learner", "Zoë", "Ødegård", date_of_birth=date(2014, 2, 3))
    sam = book.people.add("learner", "Samir", "Haddad")
    shared = book.cases.create("Baiting page", "baiting")
    book.people.link_to_case(shared.id, zoe.id, "harmed")
    book.people.link_to_case(shared.id, sam.id, "suspected-creator")
    seen = book.cases.create("Fight", "other")
    book.people.link_to_case(seen.id, zoe.id, "witness")
    ids = {"page": book.evidence.add_stream(shared.id, io.BytesIO(b"p" * 3000),
                                            filename="page.png").id,
           "note": book.evidence.add_note(shared.id, "The post, since deleted").id,
           "video": book.evidence.add_stream(seen.id, io.BytesIO(b"v" * 5000),
                                             filename="fight.mp4").id}
    return zoe.id, ids


def _row(dialog: SendTransferDialog, evidence_id: int) -> int:
    return next(r for r in range(dialog.table.rowCount())
                if dialog.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == evidence_id)


def test_choose_evidence_see_the_size_and_send(qtbot, tmp_path: Path, worker: DbWorker,  # type: ignore[no-untyped-def]
                                               unlocked_casebook: Casebook) -> None:
    zoe, ids = _seed(unlocked_casebook)
    dialog = SendTransferDialog(worker, unlocked_casebook, zoe, "Zoë Ødegård", "")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.show()
    assert dialog.table.rowCount() == 3
    assert dialog.chosen() == {ids["page"], ids["note"]}  # harmed: ticked; witness: not
    assert dialog.table.item(_row(dialog, ids["page"]), 5).text() == "Yes: check it"
    assert dialog.table.item(_row(dialog, ids["video"]), 5).text() == "No"
    assert dialog.summary.text().startswith("1 evidence file (2.9 KB) and 1 evidence note")

    dialog.table.item(_row(dialog, ids["video"]), 0).setCheckState(Qt.CheckState.Checked)
    assert dialog.summary.text().startswith("2 evidence files (7.8 KB) and 1 evidence note")
    qtbot.mouseClick(dialog.none_button, Qt.MouseButton.LeftButton)
    assert dialog.chosen() == set() and dialog.summary.text().startswith("No evidence files")
    dialog.table.item(_row(dialog, ids["video"]), 0).setCheckState(Qt.CheckState.Checked)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # no school yet
    assert dialog.banner.kind == "error" and "school" in dialog.banner.text()
    qtbot.keyClicks(dialog.school_edit, "Elm Academy")
    package = tmp_path / "zoe.cbx"
    prompts.answers.append(str(package))
    with qtbot.waitSignal(dialog.sent, timeout=WAIT) as sent:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (sent.args[0].files, sent.args[0].notes) == (1, 0) and package.exists()

    receiver, _key = Casebook.create(tmp_path / "elm", school="Elm Academy",
                                     jurisdiction="england", user_name="Jo Receiver",
                                     passphrase="harbour violet kettle 42")
    try:
        got = receiver.transfers.import_package(package, sent.args[0].password)
        [video] = [e for c in receiver.cases.list_page() for e in receiver.evidence.items(c.id)]
        assert got.files == 1 and receiver.evidence.read_bytes(video.id) == b"v" * 5000
    finally:
        receiver.lock()


def test_a_package_that_cannot_be_written_says_why_and_stays_open(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                  worker: DbWorker,
                                                                  unlocked_casebook: Casebook
                                                                  ) -> None:
    zoe, _ids = _seed(unlocked_casebook)
    dialog = SendTransferDialog(worker, unlocked_casebook, zoe, "Zoë Ødegård", "Elm Academy")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.show()
    prompts.answers.append(str(tmp_path / "no such folder" / "zoe.cbx"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.banner.kind == "error", timeout=WAIT)
    assert "does not exist" in dialog.banner.text() and dialog.isVisible()
    assert dialog.save_button.isEnabled() and unlocked_casebook.transfers.list() == []


def test_us_profile_says_students(qtbot, tmp_path: Path, worker: DbWorker) -> None:  # type: ignore[no-untyped-def]
    book, _recovery = Casebook.create(tmp_path / "us", school="Testbridge Middle School",
                                      jurisdiction="us", user_name="Sam Lead",
                                      passphrase="harbour violet kettle 42")
    try:
        zoe, _ids = _seed(book)
        dialog = SendTransferDialog(worker, book, zoe, "Zoë Ødegård", "")
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
            dialog.show()
        assert "other students in it" in dialog.intro.text()
        assert dialog.table.horizontalHeaderItem(5).text() == "Other students in the case"
    finally:
        book.lock()
