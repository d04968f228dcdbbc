"""Issue 11 item 3 on the school-wide screens: what is typed in the checklist's item editor, the
report form of "Reports to platforms" and the official-accounts form survives Escape, a lock,
a closed window and a crash (an encrypted draft, never a plain file), a question comes before
typed text is thrown away, and the draft goes once the record is saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from gui_defaults import PASSPHRASE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.checklist.view import ChecklistView
from casebook.ui.main_window import MainWindow
from casebook.ui.official_accounts.view import OfficialAccountsView
from casebook.ui.tracker.view import TrackerView
from casebook.ui.widgets.drafts import DISCARD_TITLE, FormDraft, has_typed_text
from casebook.ui.worker import DbWorker

WAIT = 15_000
REPLY = "They say the account does not break their rules; ticket TT-5521. " * 40


def _asked() -> int:
    return sum(1 for kind, title, _ in prompts.shown if kind == "ask" and title == DISCARD_TITLE)


def _unlock(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.unlock_panel
    qtbot.waitUntil(lambda: panel.unlock_button.isEnabled() and not panel.busy, timeout=WAIT)
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=WAIT):
        qtbot.keyClick(panel.passphrase_edit, Qt.Key.Key_Return)


def _lock(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.locked, timeout=WAIT):
        window.lock()


def _screen(qtbot, window: MainWindow, key: str) -> QWidget:  # type: ignore[no-untyped-def]
    window.show_screen(key)
    view = window.fixed_views[key]
    qtbot.waitUntil(lambda: getattr(view, "bundle", None) is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: window.worker.pending == 0, timeout=WAIT)
    return view


def _nowhere_in_plain_text(root: Path, text: str) -> None:
    """No file under ``root`` holds ``text`` readable (UTF-8 or UTF-16)."""
    needles = [text.encode("utf-8"), text.encode("utf-16-le")]
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(n in data for n in needles), f"typed text found in {path.name}"


def _idle(qtbot, worker: DbWorker) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=WAIT)


def _shown(qtbot, worker: DbWorker, view):  # type: ignore[no-untyped-def]
    """``view`` on screen with its data read (as when its tab is first chosen)."""
    qtbot.addWidget(view)
    view.resize(1280, 800)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    _idle(qtbot, worker)
    return view


def _draft(qtbot, worker: DbWorker, book: Casebook, key: str) -> str | None:  # type: ignore[no-untyped-def]
    _idle(qtbot, worker)
    return book.settings.get_draft(key)


# ----------------------------------------------------------------------- reports to platforms

def test_report_form_survives_escape_and_a_lock_and_asks_before_discarding(
        qtbot, main_window: MainWindow, unlocked_casebook: Casebook, tmp_path: Path) -> None:
    book = unlocked_casebook
    case = book.cases.create("Fake school account", "impersonation")
    first = book.tracker.add(case.id, body="platform", recipient="TikTok",
                             made_at=datetime.now() - timedelta(hours=3))
    other = book.tracker.add(case.id, body="platform", recipient="Instagram",
                             made_at=datetime.now() - timedelta(hours=2))
    view = _screen(qtbot, main_window, "tracker")
    assert isinstance(view, TrackerView)
    view.select_report(first.id)
    view.response_edit.setFocus()
    qtbot.keyClicks(view.response_edit, REPLY[:60])
    view.response_edit.setPlainText(REPLY)  # the rest pasted in
    qtbot.keyClick(view.response_edit, Qt.Key.Key_Escape)
    assert view.response_edit.toPlainText() == REPLY

    # Choosing another report asks first; "Keep editing" stays on this one, text and all.
    prompts.answers.append(False)
    view.select_report(other.id)
    assert _asked() == 1
    assert view.response_edit.toPlainText() == REPLY
    assert view.save_button.isEnabled() and "TikTok" in view.form_title.text()

    _lock(qtbot, main_window)
    _nowhere_in_plain_text(tmp_path, REPLY[:40])
    _unlock(qtbot, main_window)
    again = _screen(qtbot, main_window, "tracker")
    assert again is not view and isinstance(again, TrackerView)
    qtbot.waitUntil(lambda: again.response_edit.toPlainText() == REPLY, timeout=WAIT)
    assert "TikTok" in again.form_title.text() and again.save_button.isEnabled()
    assert "put back" in again.form_message.text()

    # Saved: the report has the reply and the draft is gone.
    with qtbot.waitSignal(again.report_saved, timeout=WAIT):
        qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    book = main_window.casebook  # opened again by the unlock
    assert book is not None
    key = f"user{book.user.id}:ui.tracker-form"
    assert _draft(qtbot, main_window.worker, book, key) is None
    assert book.tracker.get(first.id).response == REPLY.strip()


def test_a_new_report_is_kept_through_a_crash_and_discarded_only_when_asked(
        qtbot, worker: DbWorker, unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    book.cases.create("Fake school account", "impersonation")
    key = f"user{book.user.id}:ui.tracker-form"

    def open_view() -> TrackerView:
        return _shown(qtbot, worker, TrackerView(worker, book))

    view = open_view()
    qtbot.keyClicks(view.reference_edit, "IG-4471")
    qtbot.keyClicks(view.channel_edit, "In-app report")
    # Written a moment after typing stops, with no lock or close: a crash now loses nothing.
    qtbot.waitUntil(lambda: bool(book.settings.get_draft(key)), timeout=WAIT)
    view.hide()  # gone without a lock or a close: nothing more is saved

    again = open_view()
    assert again.reference_edit.text() == "IG-4471"
    assert again.channel_edit.text() == "In-app report"
    assert again.add_button.isEnabled() and again.form_title.text() == "New report"

    prompts.answers.append(False)  # "Keep editing"
    qtbot.mouseClick(again.new_button, Qt.MouseButton.LeftButton)
    assert _asked() == 1 and again.reference_edit.text() == "IG-4471"
    prompts.answers.append(True)  # "Discard"
    qtbot.mouseClick(again.new_button, Qt.MouseButton.LeftButton)
    assert _asked() == 2 and again.reference_edit.text() == ""
    assert _draft(qtbot, worker, book, key) is None

    # An untouched form asks nothing.
    qtbot.mouseClick(again.new_button, Qt.MouseButton.LeftButton)
    assert _asked() == 2


# ----------------------------------------------------------------------------- the checklist

def _open_checklist(qtbot, worker: DbWorker, book: Casebook) -> ChecklistView:  # type: ignore[no-untyped-def]
    return _shown(qtbot, worker, ChecklistView(worker, book))


def _click_item(qtbot, view: ChecklistView, item_id: str) -> None:  # type: ignore[no-untyped-def]
    table = view.items_table
    cell = table.item(view.row_of_item(item_id), 0)
    table.scrollToItem(cell)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualItemRect(cell).center())


def test_checklist_evidence_and_notes_come_back_and_are_discarded_only_when_asked(
        qtbot, worker: DbWorker, unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    key = f"user{book.user.id}:ui.checklist-item"
    view = _open_checklist(qtbot, worker, book)
    first, second = view.visible_item_ids()[:2]
    _click_item(qtbot, view, first)
    qtbot.keyClicks(view.evidence_edit, "Policy agreed by governors, minutes of 12 March")
    qtbot.keyClicks(view.notes_edit, "Ask the trust for its template")
    qtbot.keyClick(view.notes_edit, Qt.Key.Key_Escape)
    assert view.notes_edit.toPlainText() == "Ask the trust for its template"

    prompts.answers.append(False)  # another item: "Keep editing"
    _click_item(qtbot, view, second)
    assert _asked() == 1
    assert view.item_title.text().endswith(view.items_table.item(
        view.row_of_item(first), 0).text())
    assert view.evidence_edit.toPlainText().startswith("Policy agreed")

    view.save_drafts()  # what a lock or closing Casebook does first
    assert _draft(qtbot, worker, book, key) is not None
    view.close()

    again = _open_checklist(qtbot, worker, book)
    assert again.evidence_edit.toPlainText() == "Policy agreed by governors, minutes of 12 March"
    assert again.notes_edit.toPlainText() == "Ask the trust for its template"
    assert again.row_of_item(first) in {i.row() for i in
                                        again.items_table.selectionModel().selectedRows()}
    assert "put back" in again.editor_message.text()

    prompts.answers.append(True)  # "Discard"
    _click_item(qtbot, again, second)
    assert _asked() == 2
    assert again.evidence_edit.toPlainText() == ""
    assert _draft(qtbot, worker, book, key) is None
    # Nothing was saved to the item itself.
    review = book.checklist.current_review()
    assert next(i for i in book.checklist.items(review.id) if i.item_id == first).evidence == ""


def test_saving_a_checklist_item_clears_its_draft(qtbot, worker: DbWorker,
                                                  unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    key = f"user{book.user.id}:ui.checklist-item"
    view = _open_checklist(qtbot, worker, book)
    item_id = view.visible_item_ids()[0]
    _click_item(qtbot, view, item_id)
    qtbot.keyClicks(view.evidence_edit, "Training log 2026")
    view.save_drafts()
    assert _draft(qtbot, worker, book, key) is not None
    with qtbot.waitSignal(view.item_saved, timeout=WAIT):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert _draft(qtbot, worker, book, key) is None
    review = book.checklist.current_review()
    assert next(i for i in book.checklist.items(review.id)
                if i.item_id == item_id).evidence == "Training log 2026"


# ------------------------------------------------------------------------- official accounts

def _open_accounts(qtbot, worker: DbWorker, book: Casebook) -> OfficialAccountsView:  # type: ignore[no-untyped-def]
    return _shown(qtbot, worker, OfficialAccountsView(worker, book))


def test_official_account_form_comes_back_and_asks_before_discarding(
        qtbot, worker: DbWorker, unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    key = f"user{book.user.id}:ui.official-account-form"
    existing = book.official_accounts.add("YouTube", "Oakfield Primary")
    view = _open_accounts(qtbot, worker, book)
    view.platform_edit.setEditText("Instagram")
    qtbot.keyClicks(view.handle_edit, "@oakfieldprimary")
    qtbot.keyClicks(view.notes_edit, "Verification asked for on 1 June; chase in July")
    qtbot.keyClick(view.notes_edit, Qt.Key.Key_Escape)

    prompts.answers.append(False)  # choosing the YouTube account: "Keep editing"
    view.table.selectRow(0)
    assert _asked() == 1
    assert view.handle_edit.text() == "@oakfieldprimary" and view.add_button.isEnabled()

    view.save_drafts()
    assert _draft(qtbot, worker, book, key) is not None
    view.close()
    again = _open_accounts(qtbot, worker, book)
    assert again.handle_edit.text() == "@oakfieldprimary"
    assert again.notes_edit.toPlainText().startswith("Verification asked for")
    assert again.add_button.isEnabled() and "put back" in again.form_message.text()

    # Added: the draft goes; choosing the other account then asks nothing.
    again.platform_edit.setEditText("Instagram")
    with qtbot.waitSignal(again.saved, timeout=WAIT):
        qtbot.mouseClick(again.add_button, Qt.MouseButton.LeftButton)
    assert _draft(qtbot, worker, book, key) is None
    with qtbot.waitSignal(again.loaded, timeout=WAIT):
        again.refresh()  # the main window's worker sends the change notice that does this
    assert again.table.rowCount() == 2
    again.table.selectRow(again._row_of(existing.id))
    assert _asked() == 1 and again.handle_edit.text() == "Oakfield Primary"


def test_official_account_text_survives_closing_casebook_and_opening_it_again(
        qtbot, main_window: MainWindow, unlocked_casebook: Casebook, worker: DbWorker) -> None:
    view = _screen(qtbot, main_window, "official")
    assert isinstance(view, OfficialAccountsView)
    qtbot.keyClicks(view.handle_edit, "@oakfield_pta")
    qtbot.keyClicks(view.notes_edit, "Run by the parents' association; ask who holds it")
    main_window.close()  # Casebook closes: drafts are saved, then the casebook locks
    assert main_window.casebook is None
    again = MainWindow(worker, unlocked_casebook.paths)  # opens locked, as Casebook starts
    qtbot.addWidget(again)
    again.show()
    _unlock(qtbot, again)
    reopened = _screen(qtbot, again, "official")
    assert isinstance(reopened, OfficialAccountsView)
    assert reopened.handle_edit.text() == "@oakfield_pta"
    assert reopened.notes_edit.toPlainText().startswith("Run by the parents' association")
    again.close()


def test_a_password_typed_in_a_form_is_never_part_of_its_draft(
        qtbot, worker: DbWorker, unlocked_casebook: Casebook) -> None:
    form = QWidget()
    qtbot.addWidget(form)
    note = QLineEdit(form)
    note.setAccessibleName("Note")
    secret = QLineEdit(form)
    secret.setAccessibleName("Password for the PDF")
    secret.setEchoMode(QLineEdit.EchoMode.Password)
    draft = FormDraft(form, worker, unlocked_casebook.settings, "test:form", record=lambda: None,
                      dirty=lambda: True)
    note.setText("Minutes of the governors' meeting")
    secret.setText("correct horse battery staple")
    secret.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)  # any hidden mode counts
    draft.save()
    stored = _draft(qtbot, worker, unlocked_casebook, "test:form")
    assert stored is not None and "Minutes of the governors' meeting" in stored
    assert "horse" not in stored and "Password for the PDF" not in stored


def test_a_draft_puts_back_only_what_was_typed_never_a_stale_copy_of_other_fields(
        qtbot, worker: DbWorker, unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    case = book.cases.create("Fake school account", "impersonation")
    report = book.tracker.add(case.id, body="platform", recipient="Instagram",
                              made_at=datetime.now() - timedelta(hours=4), reference="IG-1")
    view = _shown(qtbot, worker, TrackerView(worker, book))
    view.select_report(report.id)
    qtbot.keyClicks(view.response_edit, "They want a photo of the head's ID")
    view.save_drafts()
    _idle(qtbot, worker)
    view.hide()
    # Meanwhile the reference is put right elsewhere (the response steps do this).
    book.tracker.update(report.id, reference="IG-1044")

    again = _shown(qtbot, worker, TrackerView(worker, book))
    assert again.response_edit.toPlainText() == "They want a photo of the head's ID"
    assert again.reference_edit.text() == "IG-1044"  # not the copy the form held before


def test_a_draft_on_a_report_further_down_the_list_goes_back_on_that_report(
        qtbot, worker: DbWorker, unlocked_casebook: Casebook) -> None:
    """The tracker lists a page of reports; a draft typed on an older one is put back on it
    (read first), not into a new report. What was typed in the case search is no draft."""
    book = unlocked_casebook
    case = book.cases.create("Fake school account", "impersonation")
    old = book.tracker.add(case.id, body="platform", recipient="Snapchat", reference="SC-9",
                           made_at=datetime.now() - timedelta(days=9))
    for day in range(3):
        book.tracker.add(case.id, body="platform", recipient="TikTok",
                         made_at=datetime.now() - timedelta(days=day, hours=1))
    view = TrackerView(worker, book)
    view.page_size = 2
    _shown(qtbot, worker, view)
    qtbot.keyClicks(view.case_search, "fake school")
    assert not has_typed_text(view.report_form)  # a search is not a report's text
    view.case_search.clear()
    view.select_report(old.id)
    qtbot.waitUntil(lambda: view.reference_edit.text() == "SC-9", timeout=WAIT)
    qtbot.keyClicks(view.response_edit, "Snapchat asked for the URL again")
    view.save_drafts()
    _idle(qtbot, worker)
    view.hide()

    again = TrackerView(worker, book)
    again.page_size = 2
    _shown(qtbot, worker, again)
    qtbot.waitUntil(lambda: again.response_edit.toPlainText()
                    == "Snapchat asked for the URL again", timeout=WAIT)
    assert again.form_title.text().startswith("Report to Snapchat")
    assert again.reference_edit.text() == "SC-9" and again.save_button.isEnabled()
