"""Settings: idle lock, backups, people and passphrases, the recovery key, the keyring, the
school's details, term dates and what is kept after a transfer.

Each change is saved as soon as it is made (on the worker thread); there is no separate
Save button to forget. Slow work (the passphrase KDF, backups) shows a busy indicator.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.domain.enums import UserRole
from casebook.domain.models import User
from casebook.ui import prompts
from casebook.ui.about import shown_path
from casebook.ui.autolock import DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES
from casebook.ui.firstrun.passphrase import PassphraseFields
from casebook.ui.firstrun.recovery import RecoveryKeyDialog
from casebook.ui.kit import Banner, app_settings, fmt_datetime, user_message
from casebook.ui.kit.busy import busy_bar
from casebook.ui.kit.settings import KEYRING_USER_SETTING
from casebook.ui.kit.tables import filling
from casebook.ui.models.labels import JURISDICTION_NAMES, ROLE_LABELS, ROLE_SHORT
from casebook.ui.settings.restore_dialog import RestoreDialog
from casebook.ui.widgets.drafts import confirm_discard
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook

log = logging.getLogger(__name__)


def _load(casebook: Casebook) -> dict[str, Any]:
    settings = casebook.settings
    return {
        "idle": settings.get("idle_lock_minutes"),
        "backup_dir": settings.get("backup_dir"),
        "last_backup": settings.get("last_backup_at"),
        "users": casebook.users.list(),
        "keyring": casebook.vault.has_keyring_slot(),
        "school": casebook.school(),
    }


class PassphraseDialog(QDialog):
    """Add a person (name, role, passphrase) or change someone's passphrase."""

    def __init__(self, worker: DbWorker, casebook: Casebook, parent: QWidget | None = None, *,
                 user: User | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.casebook = casebook
        self.user = user
        self._busy = False
        adding = user is None
        self.setWindowTitle("Add a person" if adding else f"New passphrase for {user.name}")
        self.setAccessibleName(self.windowTitle())
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Name")
        self.name_edit.setMaxLength(200)
        self.role_combo = QComboBox(self)
        self.role_combo.setAccessibleName("Role")
        for role in (UserRole.DEPUTY, UserRole.VIEWER, UserRole.DSL):
            self.role_combo.addItem(ROLE_LABELS[role], role.value)
        self.fields = PassphraseFields(self)
        self.message = Banner(self)
        self.progress = busy_bar(self)
        if adding:
            name_label = QLabel("&Name:", self)
            name_label.setBuddy(self.name_edit)
            role_label = QLabel("&Role:", self)
            role_label.setBuddy(self.role_combo)
            self.fields.form.insertRow(0, name_label, self.name_edit)
            self.fields.form.insertRow(1, role_label, self.role_combo)
            self.setTabOrder(self.name_edit, self.role_combo)
            self.setTabOrder(self.role_combo, self.fields.passphrase_edit)
            intro = QLabel("Each person opens the casebook with their own passphrase. Ask them "
                           "to type it here themselves.", self)
        else:
            self.name_edit.hide()
            self.role_combo.hide()
            intro = QLabel("The old passphrase stops working straight away.", self)
        intro.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Add person" if adding else "&Change passphrase")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.fields)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.fields.changed.connect(self._update)
        self.name_edit.textChanged.connect(self._update)
        self._update()
        self.resize(520, 380)

    def _update(self) -> None:
        ready = self.fields.is_acceptable() and (self.user is not None
                                                 or bool(self.name_edit.text().strip()))
        self.ok_button.setEnabled(ready and not self._busy)

    def accept(self) -> None:
        if self._busy or not self.ok_button.isEnabled():
            return
        self._busy = True
        self.progress.show()
        self.message.clear()
        self._update()
        casebook, passphrase = self.casebook, self.fields.passphrase()
        if self.user is None:
            name, role = self.name_edit.text(), self.role_combo.currentData()
            job: Any = lambda: casebook.users.add(name, role, passphrase)  # noqa: E731
        else:
            user_id = self.user.id
            job = lambda: casebook.users.change_passphrase(user_id, passphrase)  # noqa: E731
        self.worker.submit(job, self._done, self._failed)

    def _done(self, _result: object) -> None:
        self._busy = False
        self.fields.clear()
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.progress.hide()
        self.message.show_message("error", user_message(error, "saving a passphrase"))
        self._update()

    def reject(self) -> None:
        if not self._busy:
            self.fields.clear()
            super().reject()

    def close_for_lock(self) -> None:
        self.fields.clear()
        self.done(QDialog.DialogCode.Rejected)


class _VerifyRelay(QObject):
    """Lives on the GUI thread; verify's progress is emitted from the database thread, so each
    update is queued to the event loop (the check itself never runs on the GUI thread)."""

    moved = Signal(object)  # storage.verify.Progress


class SettingsDialog(QDialog):
    idle_minutes_changed = Signal(int)
    #: A backup was made (ISO time).
    backed_up = Signal(str)
    #: Settings finished loading from the casebook.
    loaded = Signal()
    #: The user saw what a backup holds and chose to restore it: (backup file, passphrase).
    restore_requested = Signal(str, str)

    def __init__(self, worker: DbWorker, casebook: Casebook, school: str = "",
                 us: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.casebook = casebook
        self.school = school
        self.us = us
        self.users: list[User] = []
        self._loading = True
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._general_tab(), "&General")
        self.tabs.addTab(self._backup_tab(), "&Backups")
        self.tabs.addTab(self._people_tab(), "&People")
        self.tabs.addTab(self._security_tab(), "&Security")
        from casebook.ui.settings.school_details import SchoolDetailsPage

        self.school_details = SchoolDetailsPage(worker, casebook, self)
        self.tabs.addTab(self.school_details, "S&chool details")
        from casebook.ui.settings.transfer_settings import TransferSettingsPage

        self.transfer_settings = TransferSettingsPage(worker, casebook, us, self)
        self.tabs.addTab(self.transfer_settings, "&Term dates and transfers")
        self.message = Banner(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(720, 600)  # the term dates page needs the room
        self._reload()

    # ----- pages ------------------------------------------------------------------------
    def _general_tab(self) -> QWidget:
        page = QWidget(self)
        self.idle_spin = QSpinBox(page)
        self.idle_spin.setRange(MIN_MINUTES, MAX_MINUTES)
        self.idle_spin.setValue(DEFAULT_MINUTES)
        self.idle_spin.setSuffix(" minutes")
        self.idle_spin.setAccessibleName("Lock after this many minutes without use")
        self.idle_spin.setMaximumWidth(self.idle_spin.fontMetrics().horizontalAdvance(
            "240 minutes") + 60)
        label = QLabel("&Lock after:", page)
        label.setBuddy(self.idle_spin)
        help_text = QLabel("Casebook locks itself when nobody has used it for this long. "
                           "Unsaved text is kept and comes back after unlocking. Ctrl+L locks "
                           "at once.", page)
        help_text.setWordWrap(True)
        self.idle_saved = QLabel(page)
        self.school_label = QLabel(page)
        self.school_label.setAccessibleName("School or setting")
        self.jurisdiction_label = QLabel(page)
        self.jurisdiction_label.setAccessibleName("Where the school is")
        self.jurisdiction_label.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow(label, self.idle_spin)
        form.addRow("", help_text)
        form.addRow("", self.idle_saved)
        form.addRow("School or setting:", self.school_label)
        form.addRow("Where:", self.jurisdiction_label)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(600)
        self._idle_timer.timeout.connect(self.save_idle_minutes)
        self.idle_spin.valueChanged.connect(lambda _v: self._idle_timer.start())
        return page

    def _backup_tab(self) -> QWidget:
        page = QWidget(self)
        self.backup_edit = QLineEdit(page)
        self.backup_edit.setAccessibleName("Backup folder")
        self.backup_edit.setPlaceholderText(shown_path(self.casebook.paths.backups))
        folder_label = QLabel("Backup &folder:", page)
        folder_label.setBuddy(self.backup_edit)
        self.choose_button = QPushButton("C&hoose…", page)
        self.choose_button.setAccessibleName("Choose the backup folder")
        self.choose_button.clicked.connect(self._choose_folder)
        self.backup_edit.editingFinished.connect(self.save_backup_folder)
        self.last_backup_label = QLabel(page)
        self.last_backup_label.setAccessibleName("Last backup")
        self.backup_button = QPushButton("Back &up now", page)
        self.backup_button.setAccessibleName("Back up now")
        self.backup_button.clicked.connect(self.backup_now)
        self.verify_button = QPushButton("Chec&k the casebook for damage", page)
        self.verify_button.setAccessibleName("Check the casebook for damage")
        self.verify_button.clicked.connect(self.verify)
        self.restore_button = QPushButton("&Restore from a backup…", page)
        self.restore_button.setAccessibleName("Restore from a backup")
        self.restore_button.setToolTip("Shows what a backup holds before anything is replaced")
        self.restore_button.clicked.connect(self.choose_restore)
        self.restore_dialog: RestoreDialog | None = None
        self._verify_relay: _VerifyRelay | None = None
        self.backup_result = QLabel(page)
        self.backup_result.setWordWrap(True)
        self.backup_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_progress = busy_bar(page)
        help_text = QLabel("Backups are encrypted and open with the same passphrases and "
                           "recovery key. Keep them somewhere other than this computer.", page)
        help_text.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.backup_edit, 1)
        row.addWidget(self.choose_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.verify_button)
        buttons.addStretch(1)
        restore_row = QHBoxLayout()
        restore_row.addWidget(self.restore_button)
        restore_row.addStretch(1)
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(folder_label, row)
        form.addRow("", help_text)
        form.addRow("Last backup:", self.last_backup_label)
        form.addRow("", buttons)
        form.addRow("", self.backup_progress)
        form.addRow("", self.backup_result)
        form.addRow("", restore_row)
        return page

    def _people_tab(self) -> QWidget:
        page = QWidget(self)
        self.people_table = QTableWidget(0, 3, page)
        self.people_table.setHorizontalHeaderLabels(["Name", "Role", "Access"])
        self.people_table.setAccessibleName("People who can open the casebook")
        self.people_table.verticalHeader().hide()
        self.people_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.people_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.people_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.people_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.people_table.setTabKeyNavigation(False)
        self.add_person_button = QPushButton("&Add person…", page)
        self.add_person_button.clicked.connect(self.add_person)
        self.change_button = QPushButton("&Change passphrase…", page)
        self.change_button.clicked.connect(self.change_passphrase)
        self.revoke_button = QPushButton("&Remove access…", page)
        self.revoke_button.clicked.connect(self.revoke)
        self.people_table.itemSelectionChanged.connect(self._update_people_buttons)
        buttons = QVBoxLayout()
        for button in (self.add_person_button, self.change_button, self.revoke_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.people_table, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(page)
        note = QLabel("Removing someone's access locks the casebook with a new key, so their "
                      "passphrase stops working at once. What they recorded stays in the "
                      "casebook, under their name. Backups made before then still open with "
                      "the old passphrases; keep them in the safe.", page)
        note.setWordWrap(True)
        self.people_progress = busy_bar(page)
        layout.addLayout(row, 1)
        layout.addWidget(self.people_progress)
        layout.addWidget(note)
        return page

    def _security_tab(self) -> QWidget:
        page = QWidget(self)
        recovery_text = QLabel(
            "The recovery key opens the casebook if every passphrase is forgotten. If the "
            "printed copy is lost, or someone else may have seen it, issue a new one: the old "
            "key stops working at once.", page)
        recovery_text.setWordWrap(True)
        self.reissue_button = QPushButton("&Issue a new recovery key…", page)
        self.reissue_button.setAccessibleName("Issue a new recovery key")
        self.reissue_button.clicked.connect(self.reissue_recovery_key)
        self.keyring_check = QCheckBox("&Remember the casebook key on this computer", page)
        self.keyring_check.setAccessibleName("Remember the casebook key on this computer")
        keyring_text = QLabel(
            "When on, Casebook opens without the passphrase when you start it while signed in "
            "to this computer account. After it locks itself it still asks for the passphrase. "
            "Turn this off on a shared computer.", page)
        keyring_text.setWordWrap(True)
        self.keyring_check.toggled.connect(self.set_keyring)
        self.security_progress = busy_bar(page)
        recovery_box = QGroupBox("Recovery key", page)
        box_layout = QVBoxLayout(recovery_box)
        box_layout.addWidget(recovery_text)
        row = QHBoxLayout()
        row.addWidget(self.reissue_button)
        row.addStretch(1)
        box_layout.addLayout(row)
        keyring_box = QGroupBox("This computer", page)
        box_layout = QVBoxLayout(keyring_box)
        box_layout.addWidget(self.keyring_check)
        box_layout.addWidget(keyring_text)
        layout = QVBoxLayout(page)
        layout.addWidget(recovery_box)
        layout.addWidget(keyring_box)
        layout.addWidget(self.security_progress)
        layout.addStretch(1)
        return page

    # ----- loading ----------------------------------------------------------------------
    def _reload(self) -> None:
        self._loading = True
        casebook = self.casebook
        self.worker.submit(lambda: _load(casebook), self._loaded, self._failed)

    def _loaded(self, data: dict[str, Any]) -> None:
        try:
            minutes = int(float(data["idle"] or DEFAULT_MINUTES))
        except ValueError:
            minutes = DEFAULT_MINUTES
        self.idle_spin.blockSignals(True)
        self.idle_spin.setValue(minutes)
        self.idle_spin.blockSignals(False)
        self.backup_edit.setText(data["backup_dir"] or "")
        self._show_last_backup(data["last_backup"])
        self.keyring_check.blockSignals(True)
        self.keyring_check.setChecked(bool(data["keyring"]))
        self.keyring_check.blockSignals(False)
        self._show_users(data["users"])
        school = data["school"]
        self.school_label.setText(school.name)
        self.jurisdiction_label.setText(
            f"{JURISDICTION_NAMES.get(school.jurisdiction, school.jurisdiction.value)} (this sets "
            "the wording, agencies and guidance; it was chosen when the casebook was set up)")
        self._loading = False
        self.loaded.emit()

    def _show_last_backup(self, value: str) -> None:
        if not value:
            self.last_backup_label.setText("Never")
            return
        try:
            self.last_backup_label.setText(fmt_datetime(datetime.fromisoformat(value), self.us))
        except ValueError:
            self.last_backup_label.setText(value)

    def _show_users(self, users: list[User]) -> None:
        self.users = users
        table = self.people_table
        me = self.casebook.user.id
        with filling(table):
            table.setRowCount(len(users))
            for row, user in enumerate(users):
                name = user.name + (" (you)" if user.id == me else "")
                for column, text in enumerate((name, ROLE_SHORT.get(user.role, user.role.value),
                                               "Can open it" if user.active
                                               else "Removed")):
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, user.id)
                    table.setItem(row, column, item)
        self._update_people_buttons()

    def _update_people_buttons(self) -> None:
        user = self.selected_user()
        is_dsl = self.casebook.user.role == UserRole.DSL
        self.add_person_button.setEnabled(is_dsl)
        self.change_button.setEnabled(user is not None and user.active
                                      and (is_dsl or user.id == self.casebook.user.id))
        self.revoke_button.setEnabled(is_dsl and user is not None and user.active
                                      and user.id != self.casebook.user.id)
        self.reissue_button.setEnabled(is_dsl)

    def selected_user(self) -> User | None:
        row = self.people_table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def _failed(self, error: BaseException) -> None:
        self.backup_progress.hide()
        self.people_progress.hide()
        self.security_progress.hide()
        self.message.show_message("error", user_message(error, "changing settings"))

    # ----- general ----------------------------------------------------------------------
    def save_idle_minutes(self) -> None:
        self._idle_timer.stop()
        minutes = self.idle_spin.value()
        casebook = self.casebook

        def done(_r: object) -> None:
            self.idle_saved.setText(f"Saved. Casebook now locks after {minutes} minute"
                                    f"{'s' if minutes != 1 else ''} without use.")
            self.idle_minutes_changed.emit(minutes)

        self.worker.submit(lambda: casebook.settings.set("idle_lock_minutes", str(minutes)),
                           done, self._failed)

    # ----- backups ----------------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = prompts.choose_folder(self, "Choose the backup folder",
                                       self.backup_edit.text() or str(self.casebook.paths.backups))
        if folder:
            self.backup_edit.setText(folder)
            self.save_backup_folder()

    def save_backup_folder(self) -> None:
        if self._loading:
            return
        folder = self.backup_edit.text().strip()
        casebook = self.casebook
        self.worker.submit(lambda: casebook.settings.set("backup_dir", folder), None,
                           self._failed)

    def backup_now(self) -> None:
        self.backup_button.setEnabled(False)
        self.backup_progress.show()
        self.backup_result.setText("Backing up…")
        folder = self.backup_edit.text().strip()
        casebook = self.casebook

        def job() -> tuple[Any, str, str]:
            casebook.settings.set("backup_dir", folder)
            from casebook.services.backup import run_backup

            path = run_backup(casebook, folder or None)
            from casebook.services import integrity  # here: the first window stays light

            anchor = integrity.readable_anchor(path)
            return path, casebook.settings.get("last_backup_at"), anchor.text() if anchor else ""

        def done(result: tuple[Any, str, str]) -> None:
            path, when, anchor = result
            self.backup_button.setEnabled(True)
            self.backup_progress.hide()
            self.backup_result.setText(f"Backup saved: {path}" + (
                f"\nNote this line in your backup record: {anchor}" if anchor else ""))
            self._show_last_backup(when)
            self.backed_up.emit(when)

        def failed(error: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self.backup_result.setText("")
            self._failed(error)

        self.worker.submit(job, done, failed)

    def choose_restore(self) -> None:
        files = prompts.open_files(self, "Choose a backup to restore",
                                   "Casebook backups (*.db);;All files (*)")
        if not files:
            return
        dialog = RestoreDialog(self.worker, self.casebook.paths, Path(files[0]), self)
        dialog.restore_confirmed.connect(self.restore_requested)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.restore_dialog = dialog
        dialog.open()

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.backup_progress.show()
        self.backup_result.setText("Checking every record… this can take a minute.")
        casebook = self.casebook
        relay = _VerifyRelay(self)
        relay.moved.connect(self._verify_moved)
        self._verify_relay = relay

        def heard(progress: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
                relay.moved.emit(progress)

        def finished() -> None:
            self.verify_button.setEnabled(True)
            self.backup_progress.hide()
            self.backup_progress.setRange(0, 0)
            relay.deleteLater()
            self._verify_relay = None

        def done(report: Any) -> None:
            finished()
            if report.ok:
                self.backup_result.setText("The casebook is in good order: every record reads "
                                           "correctly and the history has not been altered.")
            else:
                self.backup_result.setText(
                    "Casebook found a problem in the file. Keep using it with care, make a "
                    "backup now, and ask your IT support to run ‘casebook-admin verify’.")

        def failed(error: BaseException) -> None:
            finished()
            self.backup_result.setText("")
            self._failed(error)

        self.worker.submit(lambda: casebook.verify(on_progress=heard), done, failed)

    def _verify_moved(self, progress: Any) -> None:
        """One step of the check, e.g. "Step 4 of 6: checking the audit history (40%)"."""
        if self._verify_relay is None:
            return
        self.backup_result.setText(f"Checking the casebook… {progress.text()}")
        bar = self.backup_progress
        if progress.percent is None:
            bar.setRange(0, 0)
        else:
            bar.setRange(0, 100 * progress.steps)
            bar.setValue(100 * (progress.step - 1) + progress.percent)

    # ----- people -----------------------------------------------------------------------
    def add_person(self) -> None:
        dialog = PassphraseDialog(self.worker, self.casebook, self)
        dialog.accepted.connect(self._reload)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.passphrase_dialog = dialog
        dialog.open()

    def change_passphrase(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        dialog = PassphraseDialog(self.worker, self.casebook, self, user=user)
        dialog.accepted.connect(lambda: self.message.show_message(
            "info", f"The passphrase for {user.name} has been changed."))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.passphrase_dialog = dialog
        dialog.open()

    def revoke(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        if not prompts.ask(self, "Remove access",
                           f"Remove {user.name}'s access? Casebook will lock the casebook with a "
                           "new key, so their passphrase, and any copy of the key they kept, "
                           "stop working at once. What they recorded stays in the casebook. "
                           "This can take a minute.",
                           yes="Remove access", no="Keep"):
            return
        casebook, user_id, name = self.casebook, user.id, user.name

        def job(replace_recovery: bool) -> Any:
            if not replace_recovery and casebook.vault.rekey_blockers(
                    removing=str(user_id)) == [("recovery", "recovery")]:
                return None  # ask first: the recovery key must be replaced too
            return casebook.users.revoke(user_id, replace_recovery_key=replace_recovery)

        def done(result: Any) -> None:
            self.revoke_button.setEnabled(True)
            self.people_progress.hide()
            if result is None:
                if prompts.ask(self, "Remove access",
                               "The recovery key was made by an older version of Casebook and "
                               "cannot be moved to the new key. Issue a new recovery key as "
                               "part of removing access? The printed one stops working.",
                               yes="Issue a new key and remove access", no="Cancel"):
                    start(True)
                return
            self._reload()
            self.message.show_message("info", f"{name}'s access has been removed. "
                                              f"{result.note}")
            if result.recovery_key:
                self._show_recovery_key(result.recovery_key)

        def failed(error: BaseException) -> None:
            self.revoke_button.setEnabled(True)
            self.people_progress.hide()
            self._failed(error)

        def start(replace_recovery: bool) -> None:
            self.revoke_button.setEnabled(False)
            self.people_progress.show()
            self.worker.submit(lambda: job(replace_recovery), done, failed)

        start(False)

    def _show_recovery_key(self, key: str) -> None:
        dialog = RecoveryKeyDialog(key, self.school, self, letter=self.us)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.recovery_dialog = dialog
        dialog.open()

    # ----- security ---------------------------------------------------------------------
    def reissue_recovery_key(self) -> None:
        if not prompts.ask(self, "Issue a new recovery key",
                           "Make a new recovery key? The old one stops working at once, so "
                           "destroy any printed copy of it. Casebook locks the casebook with a "
                           "new key as well; backups made before today still open with the old "
                           "recovery key and passphrases, so keep them in the safe.",
                           yes="Make a new key", no="Cancel"):
            return
        self.reissue_button.setEnabled(False)
        self.security_progress.show()
        casebook = self.casebook

        def done(key: str) -> None:
            self.reissue_button.setEnabled(True)
            self.security_progress.hide()
            self._show_recovery_key(key)

        def failed(error: BaseException) -> None:
            self.reissue_button.setEnabled(True)
            self._failed(error)

        self.worker.submit(casebook.users.reissue_recovery_key, done, failed)

    def set_keyring(self, on: bool) -> None:
        if self._loading:
            return
        self.keyring_check.setEnabled(False)
        self.security_progress.show()
        casebook = self.casebook
        user_id = casebook.user.id

        def done(ok: bool) -> None:
            self.keyring_check.setEnabled(True)
            self.security_progress.hide()
            settings = app_settings()
            if on and not ok:
                self.keyring_check.blockSignals(True)
                self.keyring_check.setChecked(False)
                self.keyring_check.blockSignals(False)
                self.message.show_message(
                    "wrong", "This computer's password store did not accept the key, so "
                             "Casebook will keep asking for the passphrase.")
            elif on:
                settings.setValue(KEYRING_USER_SETTING, user_id)
                self.message.show_message("info", "Casebook will open without the passphrase "
                                                  "on this computer.")
            else:
                settings.remove(KEYRING_USER_SETTING)
                self.message.show_message("info", "Casebook will ask for the passphrase every "
                                                  "time.")

        def failed(error: BaseException) -> None:
            self.keyring_check.setEnabled(True)
            self.keyring_check.blockSignals(True)
            self.keyring_check.setChecked(not on)
            self.keyring_check.blockSignals(False)
            self._failed(error)

        self.worker.submit(lambda: casebook.users.remember_on_this_computer(on), done, failed)

    def close_for_lock(self) -> None:
        self._idle_timer.stop()
        self.done(QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        typed = next((page for page in (self.school_details, self.transfer_settings)
                      if page.unsaved()), None)
        if typed is not None and not confirm_discard(self):
            self.tabs.setCurrentWidget(typed)
            return  # typed details or dates are not thrown away without a question
        if self._idle_timer.isActive():
            self.save_idle_minutes()
        super().reject()
