"""The Learners screen: search the register, see a learner's file across cases with other
learners labelled, import from the MIS through the File menu's dialog, purge from the review
queue after confirming."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from mnemonics import clashes
from PySide6.QtCore import Qt

from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.kit import GENERIC_ERROR
from casebook.ui.learners import LearnersView
from casebook.ui.worker import DbWorker

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

WAIT = 10_000


@pytest.fixture(autouse=True)
def _answer_prompts() -> Iterator[None]:
    prompts.set_testing(True)
    prompts.answers.clear()
    prompts.shown.clear()
    yield
    prompts.answers.clear()


def _seed(book: Casebook) -> tuple[int, str]:
    zoe = book.people.add("learner", "Zoë", "Ødegård", upn="B801200005001",
                          date_of_birth=date(2014, 2, 3), year_group="Year 7",
                          registration_group="7B")
    sam = book.people.add("learner", "Samir", "Haddad", date_of_birth=date(2013, 9, 9))
    case = book.cases.create("Baiting page", "baiting")
    book.people.link_to_case(case.id, zoe.id, "harmed")
    book.people.link_to_case(case.id, sam.id, "suspected-creator")
    book.cases.add_entry(case.id, "Samir Haddad posted the photo.")
    return zoe.id, case.reference


def _rows(table) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def test_search_and_learner_file(qtbot, worker: DbWorker, unlocked_casebook: Casebook) -> None:  # type: ignore[no-untyped-def]
    zoe_id, reference = _seed(unlocked_casebook)
    view = LearnersView(worker, unlocked_casebook)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    assert len(_rows(view.people_table)) == 2
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        qtbot.keyClicks(view.search, "7b")
    assert _rows(view.people_table) == ["Zoë Ødegård"]
    with qtbot.waitSignal(view.file_shown, timeout=WAIT):
        view.people_table.selectRow(0)
    assert view.heading.text() == "Zoë Ødegård"
    texts = [view.chronology.item(r, 3).text() for r in range(view.chronology.rowCount())]
    assert any("Learner A posted the photo." in t for t in texts)
    assert not any("Samir" in t for t in texts)
    assert view.chronology.item(0, 1).text() == reference
    assert view.export_button.isEnabled()


def test_import_dialog_and_purge_from_review_queue(qtbot, tmp_path: Path, worker: DbWorker,  # type: ignore[no-untyped-def]
                                                   unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    csv_file = tmp_path / "mis.csv"
    csv_file.write_text("Forename,Surname,DOB\nOld,Leaver,01/01/1997\nNew,Starter,2015-09-01\n",
                        encoding="utf-8")
    view = LearnersView(worker, book)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    prompts.answers.append(str(csv_file))
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.import_button.click()
    assert ("info", "Learners imported",
            "2 added, 0 updated, 0 unchanged, 0 rejected.") in prompts.shown
    assert len(_rows(view.people_table)) == 2
    assert _rows(view.review_table) == ["Old Leaver"]
    view.review_table.selectRow(0)
    prompts.answers.append(False)  # "Keep"
    view.purge_selected()
    assert len(book.people.search()) == 2
    prompts.answers.append(True)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.purge_selected()
    assert _rows(view.review_table) == []
    assert [p.forename for p in book.people.search()] == ["New"]


def test_send_import_and_receipt_in_the_app(qtbot, tmp_path: Path, worker: DbWorker,  # type: ignore[no-untyped-def]
                                            unlocked_casebook: Casebook) -> None:
    zoe_id, _reference = _seed(unlocked_casebook)
    receiver, _key = Casebook.create(tmp_path / "elm", school="Elm Academy",
                                     jurisdiction="england", user_name="Jo Receiver",
                                     passphrase="harbour violet kettle 42")
    sender_view = LearnersView(worker, unlocked_casebook)
    receiver_view = LearnersView(worker, receiver)
    for view in (sender_view, receiver_view):
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.loaded, timeout=WAIT):
            view.show()
    row = _rows(sender_view.people_table).index("Zoë Ødegård")
    with qtbot.waitSignal(sender_view.file_shown, timeout=WAIT):
        sender_view.people_table.selectRow(row)
    sender_view.to_school.setText("Elm Academy")
    package = tmp_path / "zoe.cbx"
    prompts.answers.append(str(package))
    sender_view.send_button.click()
    dialog = sender_view.transfer_dialog
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT)
    assert dialog.school_edit.text() == "Elm Academy"
    with qtbot.waitSignal(sender_view.loaded, timeout=WAIT):
        dialog.save_button.click()
    note = sender_view.sent_note.text()
    password = note.split("with the file): ")[1].split(".")[0]
    assert package.exists() and sender_view.pages.tabText(2) == "Transfers (1 awaiting receipt)"

    receiver_view.package_password.setText(password)
    prompts.answers.append(str(package))
    with qtbot.waitSignal(receiver_view.loaded, timeout=WAIT):
        receiver_view.import_transfer_button.click()
    kind, title, text = prompts.shown[-1]
    assert (kind, title) == ("info", "Transfer imported")
    code = text.split("sending school: ")[1].strip()
    assert "1 case(s), 0 evidence file(s)." in text
    assert _rows(receiver_view.people_table) == ["Zoë Ødegård"]

    sender_view.pages.setCurrentIndex(2)
    sender_view.transfer_table.selectRow(0)
    sender_view.receipt_edit.setText("WRONG-CODE")
    sender_view.record_receipt()
    qtbot.waitUntil(lambda: prompts.shown[-1][1] == "Receipt not recorded", timeout=WAIT)
    sender_view.receipt_edit.setText(code)
    with qtbot.waitSignal(sender_view.loaded, timeout=WAIT):
        sender_view.record_receipt()
    assert sender_view.transfer_table.item(0, 4).text() == "Received"
    receiver.lock()


def test_dashboard_reminds_about_overdue_transfers(qtbot, tmp_path: Path, worker: DbWorker,  # type: ignore[no-untyped-def]
                                                   unlocked_casebook: Casebook) -> None:
    from datetime import datetime, time, timedelta

    from casebook.ui.learners.reminders import LearnerReminders

    book = unlocked_casebook
    zoe_id, _reference = _seed(book)
    sent = book.transfers.export(zoe_id, "Elm Academy", tmp_path / "z.cbx")
    book.store.clock = lambda: datetime.combine(sent.due_on + timedelta(days=1), time(9))
    reminders = LearnerReminders(worker, book)
    qtbot.addWidget(reminders)
    reminders.refresh()
    qtbot.waitUntil(lambda: "overdue" in reminders.text(), timeout=WAIT)
    assert not reminders.isHidden()
    with qtbot.waitSignal(reminders.open_learners) as opened:
        reminders.linkActivated.emit("2")
    assert opened.args == [2]


def test_legal_hold_and_subject_access_from_the_file(qtbot, tmp_path: Path, worker: DbWorker,  # type: ignore[no-untyped-def]
                                                     unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    zoe_id, _reference = _seed(book)
    view = LearnersView(worker, book)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    with qtbot.waitSignal(view.file_shown, timeout=WAIT):
        view.people_table.selectRow(_rows(view.people_table).index("Zoë Ødegård"))
    view.hold_reason.setText("Public inquiry into online harms")
    with qtbot.waitSignal(view.file_shown, timeout=WAIT):
        view.hold_button.click()
    assert "LEGAL HOLD: Public inquiry into online harms" in view.details.text()
    assert [h[1] for h in book.retention.holds()] == [f"L{zoe_id}"]
    prompts.answers.append(str(tmp_path / "sar.pdf"))
    view.sar_button.click()
    qtbot.waitUntil(lambda: bool(prompts.shown) and prompts.shown[-1][1]
                    == "Subject access copy saved", timeout=WAIT)
    assert (tmp_path / "sar.pdf").exists() and (tmp_path / "sar.withheld.csv").exists()
    prompts.answers.append(True)
    with qtbot.waitSignal(view.file_shown, timeout=WAIT):
        view.left_button.click()
    assert not book.people.get(zoe_id).on_roll and "left" in view.details.text()
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.kind_combo.setCurrentIndex(view.kind_combo.findData(""))
    assert len(_rows(view.people_table)) == 2


def test_every_input_on_the_learners_screen_has_a_name(qtbot, worker: DbWorker,  # type: ignore[no-untyped-def]
                                                       unlocked_casebook: Casebook) -> None:
    """Screen readers announce each field: every input, list and unlabelled button is named."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QHeaderView,
        QLineEdit,
        QWidget,
    )

    view = LearnersView(worker, unlocked_casebook)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    missing = []
    for index in range(view.pages.count()):
        view.pages.setCurrentIndex(index)
        for widget in view.findChildren(QWidget):
            if not isinstance(widget, QLineEdit | QComboBox | QAbstractItemView
                              | QAbstractButton) or not widget.isVisibleTo(view):
                continue
            if isinstance(widget.parent(), QComboBox) or isinstance(widget, QHeaderView):
                continue
            if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
                continue
            if not widget.accessibleName():
                missing.append(f"{type(widget).__name__} {widget.objectName()}")
    assert missing == []


def test_no_alt_letter_clashes_on_any_learners_page(qtbot, main_window, unlocked_casebook) -> None:  # type: ignore[no-untyped-def]
    """Each page of the Learners screen (register, review, transfers) has its own Alt letters
    and none clashes with the menus or the main tabs."""
    _seed(unlocked_casebook)
    view = main_window.fixed_views["learners"]
    main_window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view._bundle is not None, timeout=WAIT)
    found = []
    for index in range(view.pages.count()):
        view.pages.setCurrentIndex(index)
        found += [f"page {index}: {c}" for c in clashes(main_window)]
    assert found == []


def test_failures_are_explained_calmly_without_the_systems_words(
        qtbot, worker: DbWorker, unlocked_casebook: Casebook, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 item 13: no screen shows ``str(error)``; a failure is one plain line."""
    _seed(unlocked_casebook)
    view = LearnersView(worker, unlocked_casebook)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    with qtbot.waitSignal(view.file_shown, timeout=WAIT):
        view.people_table.selectRow(0)
    folder = tmp_path / "Oakfield CP files"
    folder.mkdir()  # a folder where the PDF should go: the OS refuses to write it
    prompts.shown.clear()
    prompts.answers.append(str(folder))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(kind == "error" for kind, _t, _x in prompts.shown),
                    timeout=WAIT)
    [(_kind, title, text)] = [s for s in prompts.shown if s[0] == "error"]
    assert title == "Not saved" and text.startswith("Casebook could not save")
    assert "Errno" not in text and "Oakfield" not in text

    def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError("no such column: Zoë Ødegård")  # a fault that names a learner

    monkeypatch.setattr(unlocked_casebook.people, "search", broken)
    with qtbot.waitSignal(view.failed, timeout=WAIT) as failed:
        view.refresh()
    assert failed.args == [GENERIC_ERROR]
    assert view.message.text() == GENERIC_ERROR
