"""First run: school and jurisdiction, the DSL and their passphrase, the recovery key (once),
"remember on this computer", and where backups go.

The casebook is created when the passphrase page is committed (on the worker thread, with a
busy indicator); from then on the wizard cannot go back, and closing it leaves a working
casebook that opens with the passphrase.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from casebook.domain.enums import Jurisdiction
from casebook.paths import CasebookPaths
from casebook.ui import prompts
from casebook.ui.firstrun.passphrase import PassphraseFields
from casebook.ui.firstrun.recovery import RecoveryKeyPanel
from casebook.ui.kit import Banner, app_settings, user_message
from casebook.ui.kit.busy import busy_bar
from casebook.ui.kit.settings import KEYRING_USER_SETTING
from casebook.ui.models.labels import JURISDICTION_NAMES, wording
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook

log = logging.getLogger(__name__)

PAGE_SCHOOL, PAGE_YOU, PAGE_RECOVERY, PAGE_REMEMBER, PAGE_BACKUPS = range(5)


class SchoolPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Welcome to Casebook")
        self.setSubTitle("Casebook keeps your safeguarding records for online-safety incidents "
                         "in one encrypted file on this computer. First, a few details.")
        self.school_edit = QLineEdit(self)
        self.school_edit.setAccessibleName("School or setting name")
        self.school_edit.setPlaceholderText("For example: Oakfield Primary School")
        self.school_edit.setMaxLength(200)
        self.jurisdiction_combo = QComboBox(self)
        self.jurisdiction_combo.setAccessibleName("Where the school is")
        for j in Jurisdiction:
            self.jurisdiction_combo.addItem(JURISDICTION_NAMES[j], j.value)
        school_label = QLabel("&School or setting name:", self)
        school_label.setBuddy(self.school_edit)
        where_label = QLabel("&Where is it?", self)
        where_label.setBuddy(self.jurisdiction_combo)
        help_text = QLabel(
            "This sets the words Casebook uses (for example ‘learner’ or ‘student’), the "
            "agencies it suggests and the guidance it shows.", self)
        help_text.setWordWrap(True)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(school_label, self.school_edit)
        form.addRow(where_label, self.jurisdiction_combo)
        form.addRow("", help_text)
        self.registerField("school*", self.school_edit)
        self.school_edit.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.school_edit.text().strip())

    def jurisdiction(self) -> Jurisdiction:
        return Jurisdiction(self.jurisdiction_combo.currentData())


class YouPage(QWizardPage):
    """Name and passphrase; committing creates the casebook."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self._busy = False
        self.setTitle("You and your passphrase")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Create the casebook")
        self.name_label = QLabel("Your &name:", self)
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setMaxLength(200)
        self.name_label.setBuddy(self.name_edit)
        self.fields = PassphraseFields(self)
        advice = QLabel(
            "Choose a passphrase only you know: three or four unrelated words are easy to "
            "remember and hard to guess. Casebook cannot show it to you again, and nobody "
            "(not even IT support) can reset it without the recovery key on the next page.",
            self)
        advice.setWordWrap(True)
        self.progress = busy_bar(self)
        self.progress_label = QLabel("Creating your casebook… this takes a few seconds.", self)
        self.progress_label.hide()
        self.message = Banner(self)

        self.fields.form.insertRow(0, self.name_label, self.name_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(advice)
        layout.addSpacing(6)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        self.setTabOrder(self.name_edit, self.fields.passphrase_edit)
        self.name_edit.textChanged.connect(self.completeChanged)
        self.fields.changed.connect(self.completeChanged)

    def initializePage(self) -> None:  # noqa: N802
        terms = wording(self._wizard.school_page.jurisdiction())
        self.setSubTitle(
            f"You will be the casebook's {terms['dsl']}. You can add deputies, each with their "
            "own passphrase, later in Settings.")

    def isComplete(self) -> bool:  # noqa: N802
        return (not self._busy and bool(self.name_edit.text().strip())
                and self.fields.is_acceptable())

    def validatePage(self) -> bool:  # noqa: N802
        if self._wizard.casebook is not None:
            return True
        if self._busy:
            return False
        self._set_busy(True)
        wiz = self._wizard
        root = wiz.paths.root
        school = wiz.school_page.school_edit.text()
        jurisdiction = wiz.school_page.jurisdiction()
        name = self.name_edit.text()
        passphrase = self.fields.passphrase()

        def create() -> tuple[Casebook, str]:
            from casebook.services import Casebook

            return Casebook.create(root, school=school, jurisdiction=jurisdiction,
                                   user_name=name, passphrase=passphrase)

        wiz.worker.submit(create, self._created, self._failed)
        return False

    def _created(self, result: tuple[Casebook, str]) -> None:
        casebook, recovery = result
        self._set_busy(False)
        self.fields.clear()
        self._wizard.casebook_created(casebook, recovery)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.message.show_message("error", user_message(error, "creating the casebook"))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy)
        self.name_edit.setEnabled(not busy)
        self.fields.setEnabled(not busy)
        if busy:
            self.message.clear()
        self.completeChanged.emit()

    @property
    def busy(self) -> bool:
        return self._busy


class RecoveryPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Your recovery key")
        self.setSubTitle("The casebook has been created. Keep this key safe before you go on.")
        self.panel = RecoveryKeyPanel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.panel.confirmed_changed.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802
        return self.panel.is_confirmed()

    def validatePage(self) -> bool:  # noqa: N802
        self.panel.forget()
        return True


class RememberPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Remember on this computer?")
        self.setSubTitle("You can change this at any time in Settings.")
        text = QLabel(
            "Casebook can keep a key in this computer's own password store (Windows Credential "
            "Manager, the macOS Keychain or the desktop keyring), so it opens without the "
            "passphrase when you start it while signed in to this computer account."
            "<br><br>Only choose this if nobody else uses your computer account. Casebook "
            "still locks itself when left idle, and then asks for your passphrase.", self)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.remember_check = QCheckBox("&Remember the casebook key on this computer", self)
        self.remember_check.setAccessibleName("Remember the casebook key on this computer")
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addWidget(self.remember_check)
        layout.addStretch(1)


class BackupPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self._busy = False
        self.setTitle("Where should backups go?")
        self.setSubTitle("Backups are encrypted copies of the casebook. They open with the same "
                         "passphrases and recovery key.")
        advice = QLabel(
            "Best is a folder that is not on this computer's own disk, such as the school's "
            "network drive or an encrypted USB stick, so a lost or broken laptop does not take "
            "the records with it.", self)
        advice.setWordWrap(True)
        self.folder_edit = QLineEdit(str(wizard.paths.backups), self)
        self.folder_edit.setAccessibleName("Backup folder")
        folder_label = QLabel("Backup &folder:", self)
        folder_label.setBuddy(self.folder_edit)
        self.choose_button = QPushButton("C&hoose…", self)
        self.choose_button.setAccessibleName("Choose the backup folder")
        self.choose_button.clicked.connect(self._choose)
        self.backup_now_check = QCheckBox("Make the first &backup now", self)
        self.backup_now_check.setChecked(True)
        self.backup_now_check.setAccessibleName("Make the first backup now")
        self.progress = busy_bar(self)
        self.message = Banner(self)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.choose_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(folder_label, row)
        form.addRow("", self.backup_now_check)
        layout = QVBoxLayout(self)
        layout.addWidget(advice)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        self.folder_edit.textChanged.connect(self.completeChanged)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Start using Casebook")

    def _choose(self) -> None:
        folder = prompts.choose_folder(self, "Choose the backup folder", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def isComplete(self) -> bool:  # noqa: N802
        return not self._busy and bool(self.folder_edit.text().strip())

    def validatePage(self) -> bool:  # noqa: N802
        wiz = self._wizard
        if wiz.finished_setup:
            return True
        if self._busy or wiz.casebook is None:
            return False
        self._busy = True
        self.progress.show()
        self.message.clear()
        self.completeChanged.emit()
        casebook = wiz.casebook
        remember = wiz.remember_page.remember_check.isChecked()
        folder = self.folder_edit.text().strip()
        backup_now = self.backup_now_check.isChecked()

        def apply() -> dict[str, Any]:
            outcome: dict[str, Any] = {"remembered": None, "backup": None}
            if remember:
                outcome["remembered"] = casebook.users.remember_on_this_computer(True)
            casebook.settings.set("backup_dir", folder)
            if backup_now:
                from casebook.services.backup import run_backup

                outcome["backup"] = run_backup(casebook, folder)
            return outcome

        wiz.worker.submit(apply, self._applied, self._failed)
        return False

    def _applied(self, outcome: dict[str, Any]) -> None:
        self._busy = False
        self.progress.hide()
        wiz = self._wizard
        if outcome["remembered"] is True and wiz.casebook is not None:
            app_settings().setValue(KEYRING_USER_SETTING, wiz.casebook.user.id)
        elif outcome["remembered"] is False:
            prompts.info(self, "Remember on this computer",
                         "This computer's password store did not accept the key, so Casebook "
                         "will ask for your passphrase each time. Nothing else is affected.")
        wiz.finished_setup = True
        self.completeChanged.emit()
        wiz.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.progress.hide()
        self.message.show_message("error", user_message(error, "making the first backup"))
        self.completeChanged.emit()


class FirstRunWizard(QWizard):
    """Emits ``completed(casebook)`` with the new, unlocked casebook when the user finishes."""

    completed = Signal(object)

    def __init__(self, worker: DbWorker, paths: CasebookPaths,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.paths = paths
        self.casebook: Casebook | None = None
        self.finished_setup = False
        self.setWindowTitle("Set up Casebook")
        self.setAccessibleName("Set up Casebook")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.school_page = SchoolPage(self)
        self.you_page = YouPage(self)
        self.recovery_page = RecoveryPage(self)
        self.remember_page = RememberPage(self)
        self.backup_page = BackupPage(self)
        self.setPage(PAGE_SCHOOL, self.school_page)
        self.setPage(PAGE_YOU, self.you_page)
        self.setPage(PAGE_RECOVERY, self.recovery_page)
        self.setPage(PAGE_REMEMBER, self.remember_page)
        self.setPage(PAGE_BACKUPS, self.backup_page)
        self.setStartId(PAGE_SCHOOL)
        self.resize(720, 520)

    def casebook_created(self, casebook: Casebook, recovery: str) -> None:
        self.casebook = casebook
        school = self.school_page.school_edit.text().strip()
        letter = self.school_page.jurisdiction() == Jurisdiction.US
        self.recovery_page.panel.set_key(recovery, school, letter=letter)
        log.info("first run: casebook created")
        self.next()

    def accept(self) -> None:
        if self.casebook is None:
            return
        if not self.finished_setup:
            self.backup_page.validatePage()  # applies the choices, then calls accept() again
            return
        super().accept()
        casebook, self.casebook = self.casebook, None
        self.completed.emit(casebook)

    def reject(self) -> None:
        unkept = (self.casebook is not None and self.currentId() == PAGE_RECOVERY
                  and not self.recovery_page.panel.is_confirmed())
        if unkept and not prompts.ask(
                self, "Set up Casebook",
                "The recovery key will not be shown again. Close without keeping it? "
                "The casebook stays and opens with your passphrase.",
                yes="Close anyway", no="Go back"):
            return
        self.abandon()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.you_page.busy:
            event.ignore()
            return
        super().closeEvent(event)

    def abandon(self) -> None:
        """Lock a casebook created here but not handed on (the wizard was closed early)."""
        casebook, self.casebook = self.casebook, None
        if casebook is not None:
            self.worker.submit(casebook.lock, None, lambda _e: None)

