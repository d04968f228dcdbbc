"""Settings -> Backups -> "Restore from a backup…": see what a backup holds, then restore it.

Nothing is replaced until the user has seen the backup's date, size and number of cases and
pressed Restore. The restore itself is the main window's job (it closes its own connection to
the casebook first, calls the restore service, which keeps the current casebook aside, and
reopens); this dialog only says ``restore_confirmed``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.ui.kit import Banner, user_message
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.paths import CasebookPaths
    from casebook.services.backup_info import BackupSummary


def human_size(size: int) -> str:
    for unit, step in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= step:
            return f"{size / step:.1f} {unit}"
    return f"{size} bytes"


def summary_text(summary: BackupSummary) -> str:
    cases = f"{summary.cases} case{'s' if summary.cases != 1 else ''}"
    made = summary.made_at.strftime("%A %d %B %Y at %H:%M")
    lines = [f"<b>Made:</b> {html.escape(made)}",
             f"<b>Size:</b> {html.escape(human_size(summary.size))}",
             f"<b>Holds:</b> {html.escape(cases)}"]
    if summary.school:
        lines.append(f"<b>School:</b> {html.escape(summary.school)}")
    if summary.last_change is not None:
        lines.append("<b>Last change recorded in it:</b> "
                     f"{html.escape(summary.last_change.strftime('%d %B %Y at %H:%M'))}")
    return "<br>".join(lines)


class RestoreDialog(QDialog):
    #: The backup file and the passphrase that opened it: restore now.
    restore_confirmed = Signal(str, str)

    def __init__(self, worker: DbWorker, paths: CasebookPaths, backup: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.paths = paths
        self.backup = Path(backup)
        self.summary: BackupSummary | None = None
        self.setWindowTitle("Restore from a backup")
        self.setAccessibleName("Restore from a backup")

        intro = QLabel(
            f"<p>Backup file: <b>{html.escape(self.backup.name)}</b></p>"
            "<p>Type your passphrase so Casebook can open the backup and show what is in it. "
            "Nothing is changed yet.</p>", self)
        intro.setWordWrap(True)
        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("Passphrase")
        self.passphrase_edit.textChanged.connect(self._passphrase_changed)
        self.passphrase_edit.returnPressed.connect(self.check_backup)
        self.check_button = QPushButton("&Look inside the backup", self)
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self.check_backup)
        form = QFormLayout()
        label = QLabel("&Passphrase:", self)
        label.setBuddy(self.passphrase_edit)
        form.addRow(label, self.passphrase_edit)
        form.addRow("", self.check_button)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.summary_label = QLabel(self)
        self.summary_label.setAccessibleName("What the backup holds")
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setWordWrap(True)
        self.warning_label = QLabel(
            "Restoring replaces everything in the casebook now with what is in this backup. "
            "The casebook you have now is kept aside in its folder, so it is not lost. "
            "Records purged since the backup was made are removed from it again. "
            "Casebook closes the casebook, restores, and opens it again.", self)
        self.warning_label.setWordWrap(True)
        self.warning_label.hide()
        self.message = Banner(self)

        self.buttons = QDialogButtonBox(self)
        self.restore_button = self.buttons.addButton("&Restore this backup",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(520, 360)

    def _passphrase_changed(self, text: str) -> None:
        self.check_button.setEnabled(bool(text))
        if self.summary is not None:  # a different passphrase: look again before restoring
            self.summary = None
            self.restore_button.setEnabled(False)
            self.summary_label.clear()
            self.warning_label.hide()

    def check_backup(self) -> None:
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            return
        self.check_button.setEnabled(False)
        self.progress.show()
        self.message.clear()
        backup, paths = self.backup, self.paths

        def job() -> BackupSummary:
            from casebook.services.backup_info import describe_backup

            return describe_backup(backup, paths, passphrase)

        self.worker.submit(job, self._described, self._failed)

    def _described(self, summary: BackupSummary) -> None:
        self.progress.hide()
        self.check_button.setEnabled(True)
        self.summary = summary
        self.summary_label.setText(summary_text(summary))
        self.warning_label.show()
        self.restore_button.setEnabled(True)
        self.restore_button.setFocus()

    def _failed(self, error: BaseException) -> None:
        self.progress.hide()
        self.check_button.setEnabled(True)
        self.summary = None
        self.restore_button.setEnabled(False)
        self.message.show_message("error", user_message(error, "reading a backup"))

    def accept(self) -> None:
        if self.summary is None:
            return
        self.restore_confirmed.emit(str(self.backup), self.passphrase_edit.text())
        self.passphrase_edit.clear()
        super().accept()
