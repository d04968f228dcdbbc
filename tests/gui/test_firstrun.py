"""First run: the wizard creates a casebook, shows the recovery key once, insists it is kept."""

from __future__ import annotations

import re
from pathlib import Path

from gui_defaults import PASSPHRASE
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from casebook.paths import CasebookPaths
from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.firstrun.wizard import (
    PAGE_BACKUPS,
    PAGE_RECOVERY,
    PAGE_REMEMBER,
    PAGE_YOU,
    FirstRunWizard,
)
from casebook.ui.kit import app_settings
from casebook.ui.kit.settings import KEYRING_USER_SETTING

KEY_PATTERN = re.compile(r"^([0-9A-Z]{4}-){8}[0-9A-Z]{4}$")


def _next(qtbot, wizard: QWizard) -> None:  # type: ignore[no-untyped-def]
    button = wizard.button(QWizard.WizardButton.NextButton)
    if wizard.currentPage().isCommitPage():
        button = wizard.button(QWizard.WizardButton.CommitButton)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _fill_first_pages(qtbot, wizard: FirstRunWizard, jurisdiction: str = "England") -> None:  # type: ignore[no-untyped-def]
    page = wizard.school_page
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # name required
    qtbot.keyClicks(page.school_edit, "Testbridge School")
    page.jurisdiction_combo.setCurrentIndex(page.jurisdiction_combo.findText(jurisdiction))
    _next(qtbot, wizard)
    assert wizard.currentId() == PAGE_YOU
    you = wizard.you_page
    qtbot.keyClicks(you.name_edit, "Jo Tester")


def test_first_run_creates_casebook_and_shows_recovery_key_once(qtbot, worker, casebook_dir,
                                                                 tmp_path: Path) -> None:
    paths = CasebookPaths.at(casebook_dir)
    wizard = FirstRunWizard(worker, paths)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_first_pages(qtbot, wizard)
    you = wizard.you_page
    commit = wizard.button(QWizard.WizardButton.CommitButton)

    # A weak passphrase is refused with plain advice and the meter says so.
    qtbot.keyClicks(you.fields.passphrase_edit, "password1")
    assert you.fields.meter.format() == "Very weak"
    assert "well-known" in you.fields.advice.text()
    assert not commit.isEnabled()
    you.fields.passphrase_edit.clear()
    qtbot.keyClicks(you.fields.passphrase_edit, PASSPHRASE)
    assert you.fields.meter.format() in ("Good", "Strong")
    qtbot.keyClicks(you.fields.confirm_edit, PASSPHRASE[:-1])
    assert not commit.isEnabled()  # the two do not match yet
    assert "not the same" in you.fields.match_label.text()
    qtbot.keyClicks(you.fields.confirm_edit, PASSPHRASE[-1])
    assert commit.isEnabled()

    _next(qtbot, wizard)  # creates the casebook on the worker thread
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=15_000)
    assert paths.exists()
    assert wizard.casebook is not None and not wizard.casebook.is_locked
    assert you.fields.passphrase() == ""  # the passphrase does not linger in the widget

    panel = wizard.recovery_page.panel
    key = panel.key_label.text()
    assert KEY_PATTERN.match(key), key
    # Back is gone (the casebook exists) and Next waits for the "kept safe" confirmation.
    assert not wizard.button(QWizard.WizardButton.BackButton).isVisible() or \
        not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()

    # Save as PDF writes a sheet with the key on it.
    pdf = tmp_path / "recovery.pdf"
    prompts.answers.append(str(pdf))
    qtbot.mouseClick(panel.pdf_button, Qt.MouseButton.LeftButton)
    assert pdf.exists()
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert key in text.replace("\n", "")
    assert not next_button.isEnabled()  # saving is not the same as confirming

    qtbot.mouseClick(panel.confirm_check, Qt.MouseButton.LeftButton)
    assert panel.confirm_check.isChecked()
    assert next_button.isEnabled()
    _next(qtbot, wizard)
    assert wizard.currentId() == PAGE_REMEMBER
    assert key not in panel.key_label.text()  # shown once: gone from the screen

    assert not wizard.remember_page.remember_check.isChecked()  # opt-in
    _next(qtbot, wizard)
    assert wizard.currentId() == PAGE_BACKUPS
    backups = tmp_path / "backups"
    wizard.backup_page.folder_edit.setText(str(backups))
    with qtbot.waitSignal(wizard.completed, timeout=15_000) as blocker:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton),
                         Qt.MouseButton.LeftButton)
    casebook: Casebook = blocker.args[0]
    try:
        assert casebook.school().name == "Testbridge School"
        assert casebook.user.name == "Jo Tester"
        assert casebook.settings.get("backup_dir") == str(backups)
        assert len(list(backups.glob("casebook-backup-*.db"))) == 1
        assert not casebook.vault.has_keyring_slot()
    finally:
        casebook.lock()
    # The recovery key really opens the casebook.
    reopened = Casebook.open_with_recovery_key(casebook_dir, key)
    assert reopened.user.name == "Jo Tester"
    reopened.lock()


def test_first_run_remember_on_this_computer_and_us_wording(qtbot, worker, casebook_dir,
                                                            memory_keyring) -> None:
    wizard = FirstRunWizard(worker, CasebookPaths.at(casebook_dir))
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_first_pages(qtbot, wizard, "United States")
    you = wizard.you_page
    assert "school safety lead" in you.subTitle()  # US wording for the DSL
    qtbot.keyClicks(you.fields.passphrase_edit, PASSPHRASE)
    qtbot.keyClicks(you.fields.confirm_edit, PASSPHRASE)
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=15_000)
    recovery = wizard.recovery_page.panel
    recovery.typed_back_edit.setText(recovery.key().rsplit("-", 1)[-1])  # written by hand
    qtbot.mouseClick(recovery.confirm_check, Qt.MouseButton.LeftButton)
    _next(qtbot, wizard)
    qtbot.keyClick(wizard.remember_page.remember_check, Qt.Key.Key_Space)  # keyboard works too
    _next(qtbot, wizard)
    wizard.backup_page.backup_now_check.setChecked(False)
    with qtbot.waitSignal(wizard.completed, timeout=15_000) as blocker:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton),
                         Qt.MouseButton.LeftButton)
    casebook: Casebook = blocker.args[0]
    assert casebook.school().jurisdiction.value == "us"
    assert casebook.vault.has_keyring_slot()
    assert memory_keyring.store  # a secret went into the (test) keyring
    assert int(app_settings().value(KEYRING_USER_SETTING)) == casebook.user.id
    casebook.lock()
    # Next start opens without the passphrase.
    again = Casebook.open_with_keyring(casebook_dir, casebook.user.id)
    assert again is not None
    again.lock()


def test_closing_on_the_recovery_page_asks_and_leaves_a_locked_casebook(qtbot, worker,
                                                                         casebook_dir) -> None:
    wizard = FirstRunWizard(worker, CasebookPaths.at(casebook_dir))
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_first_pages(qtbot, wizard)
    qtbot.keyClicks(wizard.you_page.fields.passphrase_edit, PASSPHRASE)
    qtbot.keyClicks(wizard.you_page.fields.confirm_edit, PASSPHRASE)
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=15_000)
    created = wizard.casebook
    assert created is not None
    prompts.answers.append(False)  # "Go back"
    wizard.reject()
    assert wizard.isVisible() and wizard.casebook is created
    prompts.answers.append(True)  # "Close anyway"
    wizard.reject()
    assert not wizard.isVisible()
    qtbot.waitUntil(lambda: created.is_locked)
    # The casebook stays and opens with the passphrase.
    reopened = Casebook.open_with_passphrase(casebook_dir, PASSPHRASE)
    reopened.lock()
