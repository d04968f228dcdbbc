"""Export… dialogs with real widgets on a real encrypted casebook: redaction choices, templates
that never name learners, passwords (AES-256), progress from the worker thread, the audit
entry, the case view's Export button and Ctrl+E, and the governors' summary from the menu."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QThread, QUrl
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from sqlalchemy import select

from casebook.services import Casebook
from casebook.storage.tables import AuditRow
from casebook.ui import prompts
from casebook.ui.export import ExportDialog, GovernorsExportDialog, common
from casebook.ui.export.governors_dialog import current_term, period_name
from casebook.ui.worker import DbWorker

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

LEARNER = "Zoe Whitfield"
STAFF = "Daniel Okafor"
PARENT = "Priya Banerjee"


def click(qtbot, button: QAbstractButton) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled() and button.isVisible(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def png(width: int = 640, height: int = 360) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def make_case(casebook: Casebook) -> int:
    cases = casebook.cases
    case = cases.create("Fake account using the school crest", "impersonation",
                        f"An account copies the crest and posts photos of {LEARNER}.", "high")
    cases.add_person(case.id, LEARNER, "learner", "harmed", year_group="Year 9")
    cases.add_person(case.id, STAFF, "staff", "harmed")
    cases.add_person(case.id, PARENT, "parent", "reporter")
    account = cases.add_account(case.id, "Instagram", "@testbridge_banter", "baiting",
                                url="https://www.instagram.com/testbridge_banter")
    cases.add_entry(case.id, f"{PARENT} emailed a link; the account posts photos of {LEARNER} "
                             f"and mocks {STAFF}.")
    cases.add_entry(case.id, f"Spoke to {LEARNER}; she is upset but safe at home.")
    casebook.evidence.add_bytes(case.id, png(), filename="profile.png", source="DSL",
                                description="Profile page of the account",
                                safety_confirmed=True)
    casebook.tracker.add(case.id, body="platform", recipient="Instagram", account_id=account.id,
                         reference="IG-123", status="refused", response="No breach found.")
    return case.id


def person_id(casebook: Casebook, case_id: int, name: str) -> int:
    return next(p.id for p in casebook.cases.people(case_id) if p.name == name)


def open_dialog(qtbot, worker: DbWorker, casebook: Casebook,  # type: ignore[no-untyped-def]
                case_id: int, template_id: str | None = None) -> ExportDialog:
    dialog = ExportDialog(worker, casebook, case_id, template_id=template_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.setup is not None and dialog.export_button.isEnabled())
    return dialog


def wait_checked(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    """Export… makes the PDF in memory first; wait for the page that shows what changed."""
    qtbot.waitUntil(lambda: dialog.prepared is not None or dialog.banner.kind == "error",
                    timeout=30_000)
    assert dialog.prepared is not None, dialog.banner.text()
    assert dialog.pages.currentWidget() is dialog.check_page


def export_and_save(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    click(qtbot, dialog.export_button)
    wait_checked(qtbot, dialog)
    assert dialog.export_button.text() == "&Save…"
    click(qtbot, dialog.export_button)
    wait_done(qtbot, dialog)


def wait_done(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.result is not None or dialog.banner.kind == "error",
                    timeout=30_000)
    assert dialog.result is not None, dialog.banner.text()


def pdf_text(path: Path, password: str | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if password:
        args += ["-upw", password]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def audit(casebook: Casebook, action: str) -> list[AuditRow]:
    with casebook.store.read() as s:
        return list(s.scalars(select(AuditRow).where(AuditRow.action == action)))


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []
    monkeypatch.setattr(common, "open_url", lambda url: urls.append(url) or True)
    return urls


def test_case_file_with_a_learner_unticked_names_them_only_as_learner_a(
        qtbot, unlocked_casebook, worker, tmp_path, opened_urls) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    reference = unlocked_casebook.cases.get(case_id).reference
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id)

    # The case file is first and names everyone by default; its recipients are offered.
    assert dialog.template_id() == "case-file"
    assert dialog.named_ids() == {p.id for p in unlocked_casebook.cases.people(case_id)}
    assert dialog.recipient_combo.currentText() == "Local authority children's services (MASH)"
    assert "Local authority" in dialog.description.text()
    assert dialog.note_edit.isHidden()  # only the helpline pack prints a note
    assert dialog.suggested_name() == f"{reference} Case file.pdf"
    assert "Learner A" in dialog.people_label.text()

    learner = dialog.person_item(LEARNER)
    learner.setCheckState(0, Qt.CheckState.Unchecked)
    assert learner.text(2) == "Learner A"  # the label shown before exporting
    assert dialog.person_item(STAFF).text(2) == "Named"
    dialog.recipient_combo.setEditText("Testshire MASH")
    # The report names people, so a password is on by default; the DSL may choose none.
    box = dialog.password_box
    assert box.enable_check.isChecked() and box.password_edit.isEnabled()
    box.enable_check.setFocus()
    qtbot.keyClick(box.enable_check, Qt.Key.Key_Space)
    assert not box.enable_check.isChecked() and box.chosen
    # Once chosen, changing who is named does not tick it again.
    learner.setCheckState(0, Qt.CheckState.Checked)
    learner.setCheckState(0, Qt.CheckState.Unchecked)
    assert not box.enable_check.isChecked()

    seen: list[tuple[int, bool]] = []
    main_thread = QApplication.instance().thread()
    dialog.progress_bar.valueChanged.connect(
        lambda value: seen.append((value, QThread.currentThread() is main_thread)))
    target = tmp_path / "out" / "case.pdf"
    target.parent.mkdir()
    prompts.answers.append(str(target.with_suffix("")))  # ".pdf" is added when left off
    click(qtbot, dialog.export_button)
    wait_checked(qtbot, dialog)
    # Before saving: labels and counts of what was replaced, never the names.
    replaced = "\n".join(dialog.replaced_list.item(i).text()
                         for i in range(dialog.replaced_list.count()))
    assert "Learner A: " in replaced and "replaced" in replaced
    assert "Zoe" not in replaced and "Whitfield" not in replaced
    assert not target.exists()
    # A look at the pages, drawn from the PDF in memory.
    previews = [dialog.preview_row.itemAt(i).widget() for i in range(dialog.preview_row.count())
                if dialog.preview_row.itemAt(i).widget() is not None]
    assert len(previews) == dialog.prepared.pages >= 2
    assert not previews[0].pixmap().isNull() and previews[0].pixmap().width() == 240
    assert previews[0].accessibleName() == "Page 1"
    click(qtbot, dialog.export_button)
    wait_done(qtbot, dialog)

    assert target.is_file()
    text = pdf_text(target)
    assert "Learner A" in text
    assert "Zoe" not in text and "Whitfield" not in text
    assert STAFF in text and "Testshire MASH" in text
    with pikepdf.open(target) as pdf:
        pages = len(pdf.pages)
    # The bar moved in steps fed from the worker, always updated on the GUI thread.
    assert dialog.progress_bar.value() == 100
    assert any(0 < value < 100 for value, _ in seen)
    assert all(on_main for _, on_main in seen)
    assert dialog.pages.currentWidget() is dialog.done_page and dialog.working.isHidden()
    assert dialog.done_text() == f"Saved {pages} pages to {target}"
    assert "no password" in dialog.done_detail.text()

    [entry] = audit(unlocked_casebook, "export.case")
    learner_id = person_id(unlocked_casebook, case_id, LEARNER)
    assert entry.target == f"case:{case_id}"
    assert "template=case-file" in entry.detail and f"redacted={learner_id}" in entry.detail
    assert "Zoe" not in entry.detail

    click(qtbot, dialog.open_pdf_button)
    click(qtbot, dialog.open_folder_button)
    assert [Path(u.toLocalFile()) for u in opened_urls] == [target, target.parent]
    click(qtbot, dialog.close_done_button)
    assert not dialog.isVisible()


def test_platform_pack_never_lets_learners_or_parents_be_ticked(
        qtbot, unlocked_casebook, worker) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id)
    dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("platform-pack"))

    for name in (LEARNER, PARENT):
        item = dialog.person_item(name)
        assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
        assert not item.flags() & Qt.ItemFlag.ItemIsUserCheckable
        assert item.checkState(0) == Qt.CheckState.Unchecked
        assert "never named" in item.text(2)
        assert "never names this person" in item.toolTip(0)
    staff = dialog.person_item(STAFF)  # staff who were harmed are named by default
    assert staff.flags() & Qt.ItemFlag.ItemIsEnabled and staff.checkState(0) == Qt.CheckState.Checked
    assert dialog.named_ids() == {person_id(unlocked_casebook, case_id, STAFF)}
    assert dialog.recipient_combo.currentText() == "Platform trust and safety team"
    assert "never names learners" in dialog.description.text()

    # The helpline pack asks why it is urgent; the case file does not.
    dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("helpline-pack"))
    assert not dialog.note_edit.isHidden() and dialog.uses_note()
    assert dialog.recipient_combo.currentText() == "Professionals Online Safety Helpline (POSH)"
    dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("case-file"))
    assert dialog.note_edit.isHidden()
    assert dialog.person_item(LEARNER).flags() & Qt.ItemFlag.ItemIsEnabled


def test_helpline_note_is_printed_with_names_replaced(qtbot, unlocked_casebook, worker,
                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id, "helpline-pack")
    assert dialog.template_id() == "helpline-pack"
    qtbot.keyClicks(dialog.note_edit, f"Photos of {LEARNER} are being shared tonight.")
    target = tmp_path / "helpline.pdf"
    prompts.answers.append(str(target))
    dialog.password_box.enable_check.setChecked(False)
    export_and_save(qtbot, dialog)
    text = " ".join(pdf_text(target).split())
    assert "Photos of Learner A are being shared tonight." in text
    assert "Whitfield" not in text


def test_password_must_match_and_be_long_enough(qtbot, unlocked_casebook, worker) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id)
    # A report naming nobody has no password by default; naming someone turns it on.
    dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("chronology"))
    assert not dialog.password_box.enable_check.isChecked()
    dialog.person_item(LEARNER).setCheckState(0, Qt.CheckState.Checked)
    assert dialog.password_box.enable_check.isChecked()
    dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("case-file"))
    box = dialog.password_box
    assert box.enable_check.isChecked()  # the case file names people: on by default
    assert box.password_edit.echoMode() == box.password_edit.EchoMode.Password
    assert box.confirm_edit.echoMode() == box.confirm_edit.EchoMode.Password
    qtbot.keyClicks(box.password_edit, "harbour lantern")
    qtbot.keyClicks(box.confirm_edit, "harbour lanterns")
    # No answer is queued: a save dialog here would fail the test.
    click(qtbot, dialog.export_button)
    assert dialog.banner.kind == "error" and "not the same" in dialog.banner.text()
    box.password_edit.setText("short")
    box.confirm_edit.setText("short")
    click(qtbot, dialog.export_button)
    assert "at least 8 characters" in dialog.banner.text()
    assert dialog.pages.currentWidget() is dialog.form_page and dialog.result is None
    assert audit(unlocked_casebook, "export.case") == []


def test_password_protected_export_opens_only_with_the_password(
        qtbot, unlocked_casebook, worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id, "chronology")
    box = dialog.password_box
    box.enable_check.setFocus()
    qtbot.keyClick(box.enable_check, Qt.Key.Key_Space)
    assert box.enable_check.isChecked() and box.password_edit.isEnabled()
    password = "violet harbour 2026"
    qtbot.keyClicks(box.password_edit, password)
    qtbot.keyClicks(box.confirm_edit, password)
    target = tmp_path / "chronology.pdf"
    prompts.answers.append(str(target))
    click(qtbot, dialog.export_button)
    # The password leaves the form as soon as the export has it.
    assert box.password_edit.text() == "" and box.confirm_edit.text() == ""
    wait_checked(qtbot, dialog)
    assert "locked with the password" in dialog.check_summary.text()
    click(qtbot, dialog.export_button)
    wait_done(qtbot, dialog)

    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(target)
    with pikepdf.open(target, password=password) as pdf:
        assert pdf.is_encrypted and pdf.encryption.R == 6
    assert "Learner A" in pdf_text(target, password)  # chronology names nobody by default
    assert "locked with the password" in dialog.done_detail.text()
    [entry] = audit(unlocked_casebook, "export.case")
    assert "password=yes" in entry.detail and password not in entry.detail


def test_a_failed_export_is_explained_and_the_form_comes_back(
        qtbot, unlocked_casebook, worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id, "evidence-log")
    dialog.password_box.enable_check.setChecked(False)
    click(qtbot, dialog.export_button)
    wait_checked(qtbot, dialog)
    prompts.answers.append(str(tmp_path / "no such folder" / "log.pdf"))
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.banner.kind == "error")
    assert "folder does not exist" in dialog.banner.text()
    assert dialog.pages.currentWidget() is dialog.check_page  # the PDF is still there to save
    assert dialog.export_button.isEnabled() and dialog.cancel_button.isEnabled()
    assert audit(unlocked_casebook, "export.case") == []
    # Cancelling the save dialog does nothing at all.
    prompts.answers.append(None)
    click(qtbot, dialog.export_button)
    assert dialog.pages.currentWidget() is dialog.check_page and worker.pending == 0
    # Back to the choices drops the PDF made in memory.
    click(qtbot, dialog.back_button)
    assert dialog.prepared is None and dialog.pages.currentWidget() is dialog.form_page
    assert dialog.export_button.text() == "&Export…"


def test_closing_for_lock_drops_names_and_passwords(qtbot, unlocked_casebook, worker) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id)
    dialog.password_box.enable_check.setChecked(True)
    dialog.password_box.password_edit.setText("a secret phrase")
    dialog.close_for_lock()
    assert not dialog.isVisible()
    assert dialog.people_tree.topLevelItemCount() == 0
    assert dialog.password_box.password_edit.text() == ""
    assert LEARNER not in dialog.heading.text()


def test_export_button_and_ctrl_e_in_the_case_view_open_the_dialog(
        qtbot, main_window, unlocked_casebook, worker) -> None:  # type: ignore[no-untyped-def]
    first = make_case(unlocked_casebook)
    second = unlocked_casebook.cases.create("Second case", "other", "").id
    main_window.open_case(first)
    main_window.open_case(second)
    views = main_window.case_views
    for case_id in (first, second):
        qtbot.waitUntil(lambda cid=case_id: views[cid].bundle is not None)
    view = views[second]
    assert main_window.tabs.currentWidget() is view
    button = view.export_button
    assert button.text() == "E&xport…" and "Ctrl+E" in button.toolTip()
    click(qtbot, button)
    qtbot.waitUntil(lambda: view.export_dialog is not None and view.export_dialog.isVisible())
    dialog = view.export_dialog
    assert isinstance(dialog, ExportDialog) and dialog.case_id == second
    qtbot.waitUntil(lambda: dialog.setup is not None)
    click(qtbot, dialog.cancel_button)
    qtbot.waitUntil(lambda: view.export_dialog is None)

    # Ctrl+E opens it for the case on show, not for the one in the hidden tab.
    main_window.tabs.setCurrentWidget(views[first])
    main_window.activateWindow()
    qtbot.waitUntil(lambda: main_window.isActiveWindow())
    qtbot.keyClick(views[first], Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: views[first].export_dialog is not None)
    assert views[second].export_dialog is None
    assert views[first].export_dialog.case_id == first
    qtbot.waitUntil(lambda: views[first].export_dialog.setup is not None)
    views[first].export_dialog.reject()


def test_governors_summary_from_the_file_menu_writes_a_pdf(
        qtbot, main_window, unlocked_casebook, worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    make_case(unlocked_casebook)
    action = main_window.governors_action
    assert action.isEnabled() and action in main_window.unlocked_actions
    file_menu = main_window.menuBar().actions()[0].menu()
    assert action in file_menu.actions()
    action.trigger()
    dialog = main_window.findChild(GovernorsExportDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.setup is not None)
    assert dialog.windowTitle() == "Governors' termly online-safety summary"
    today = unlocked_casebook.store.now().date()
    start, end, label = current_term(today)
    assert dialog.period() == (start, end) and dialog.label_edit.text() == label

    # End before start is refused in plain words.
    dialog.end_edit.setDate(dialog.start_edit.date().addDays(-1))
    click(qtbot, dialog.export_button)
    assert "before its start" in dialog.banner.text()
    dialog.end_edit.setDate(dialog.start_edit.date().addMonths(4))
    dialog.label_edit.setText("Test term")
    qtbot.keyClicks(dialog.commentary_edit, "One fake account this term; removed in a week.")
    target = tmp_path / "governors.pdf"
    prompts.answers.append(str(target))
    click(qtbot, dialog.export_button)
    wait_done(qtbot, dialog)

    text = pdf_text(target)
    assert "Test term" in text and "removed in a week" in text
    assert LEARNER not in text and "Whitfield" not in text
    assert dialog.done_text().startswith("Saved ") and str(target) in dialog.done_text()
    [entry] = audit(unlocked_casebook, "export.summary")
    assert "pages=" in entry.detail
    click(qtbot, dialog.close_done_button)

    main_window.lock()
    qtbot.waitUntil(lambda: main_window.casebook is None and not main_window._locking)
    assert not action.isEnabled()


def test_period_names() -> None:
    from datetime import date

    assert current_term(date(2026, 10, 5)) == (date(2026, 9, 1), date(2026, 12, 31),
                                               "Autumn term 2026")
    assert current_term(date(2026, 2, 1))[2] == "Spring term 2026"
    assert current_term(date(2026, 10, 5), us=True)[2] == "Fall semester 2026"
    assert period_name(date(2026, 1, 1), date(2026, 3, 31)) == "Spring term 2026"
    assert period_name(date(2026, 3, 1), date(2026, 5, 31)) == "March to May 2026"
    assert period_name(date(2025, 9, 1), date(2026, 7, 31)) == "September 2025 to July 2026"


def test_dialog_is_labelled_for_keyboard_and_screen_readers(qtbot, unlocked_casebook,
                                                           worker) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id)
    reference = unlocked_casebook.cases.get(case_id).reference
    assert dialog.windowTitle() == f"Export {reference}"
    for widget in (dialog.template_combo, dialog.recipient_combo, dialog.people_tree,
                   dialog.note_edit, dialog.password_box.password_edit,
                   dialog.password_box.confirm_edit, dialog.progress_bar):
        assert widget.accessibleName(), widget
    # Every field has a label with a mnemonic pointing at it.
    buddies = {label.buddy() for label in dialog.findChildren(type(dialog.people_label))
               if "&" in label.text()}
    for widget in (dialog.template_combo, dialog.recipient_combo, dialog.people_tree,
                   dialog.note_edit, dialog.password_box.password_edit,
                   dialog.password_box.confirm_edit):
        assert widget in buddies, widget.accessibleName()
    # Tab goes through the form in reading order.
    box = dialog.password_box
    box.enable_check.setChecked(True)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.isActiveWindow())
    dialog.template_combo.setFocus()
    order: list[QWidget] = []
    for _ in range(7):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [dialog.recipient_combo, dialog.people_tree, box.enable_check,
                     box.password_edit, box.confirm_edit, dialog.export_button,
                     dialog.cancel_button], [w.accessibleName() or w.objectName() for w in order]
    learner = dialog.person_item(LEARNER)
    assert learner.data(0, Qt.ItemDataRole.AccessibleTextRole) == (
        f"{LEARNER}, Learner, harmed or targeted, ticked: Named")
    learner.setCheckState(0, Qt.CheckState.Unchecked)
    assert learner.data(0, Qt.ItemDataRole.AccessibleTextRole).endswith("not ticked: Learner A")


def test_us_casebook_uses_us_words(qtbot, worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    book, _recovery = Casebook.create(tmp_path / "us", school="Testbridge Middle School",
                                      jurisdiction="us", user_name="Jo Tester",
                                      passphrase="violet kettle harbour 42")
    try:
        case_id = make_case(book)
        dialog = open_dialog(qtbot, worker, book, case_id, "platform-pack")
        assert "‘Student A’" in dialog.people_label.text()
        assert "never names students or parents and guardians" in dialog.description.text()
        assert dialog.person_item(LEARNER).text(1).startswith("Student")
        assert dialog.person_item(PARENT).text(1).startswith("Parent or guardian")
        assert dialog.person_item(LEARNER).text(2) == "Student A (never named in this report)"
        dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("lado-referral"))
        assert dialog.template_combo.currentText() == "Referral of an allegation against an employee"
        assert dialog.recipient_combo.currentText() == "District officer for employee misconduct"
        dialog.close()
        qtbot.waitUntil(lambda: worker.pending == 0)
    finally:
        book.lock()


def test_evidence_and_entries_are_chosen_in_the_dialog(qtbot, unlocked_casebook, worker,
                                                       tmp_path) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(unlocked_casebook)
    unlocked_casebook.evidence.add_note(case_id, f"A post making claims about {STAFF}",
                                        "https://www.instagram.com/p/abc/", "Parent")
    dialog = open_dialog(qtbot, worker, unlocked_casebook, case_id, "platform-pack")
    # The platform pack starts from the account's own screenshots only.
    assert dialog.evidence_row("Profile page").checkState(0) == Qt.CheckState.Checked
    assert dialog.evidence_row("A post making").checkState(0) == Qt.CheckState.Unchecked
    assert "(1 of 2)" in dialog.choice_tabs.tabText(1)
    # Other reports start from everything; the DSL leaves one entry out.
    dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("case-file"))
    assert dialog.evidence_row("A post making").checkState(0) == Qt.CheckState.Checked
    assert dialog.evidence_ids() is None and dialog.entry_ids() is None
    total = dialog.entries_tree.topLevelItemCount()
    dialog.entry_row("she is upset").setCheckState(0, Qt.CheckState.Unchecked)
    assert f"({total - 1} of {total})" in dialog.choice_tabs.tabText(2)
    dialog.password_box.enable_check.setChecked(False)
    target = tmp_path / "case.pdf"
    prompts.answers.append(str(target))
    export_and_save(qtbot, dialog)
    text = " ".join(pdf_text(target).split())
    assert "emailed a link" in text and "she is upset" not in text
    [entry] = audit(unlocked_casebook, "export.case")
    assert "entries=" in entry.detail and "evidence=" in entry.detail


def test_governors_commentary_naming_someone_is_refused_with_the_words_to_fix(
        qtbot, unlocked_casebook, worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    make_case(unlocked_casebook)
    dialog = GovernorsExportDialog(worker, unlocked_casebook)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.setup is not None and dialog.export_button.isEnabled())
    qtbot.keyClicks(dialog.commentary_edit, "Thanks to zoe.whitfield's tutor for her help.")
    target = tmp_path / "governors.pdf"
    prompts.answers.append(str(target))
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.banner.kind == "error", timeout=30_000)
    assert "zoe.whitfield" in dialog.banner.text() and "take the names out" in \
        dialog.banner.text()
    assert not target.exists() and audit(unlocked_casebook, "export.summary") == []
