"""The recovery key, shown once: print it or save it as a PDF, then confirm it is kept safe.

Used at first run and when the key is re-issued from Settings. The key is never copied to the
clipboard (clipboard managers keep history) and never logged.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, Qt, Signal
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.ui import prompts
from casebook.ui.kit import user_message
from casebook.ui.kit.fonts import register_fonts

log = logging.getLogger(__name__)


def recovery_sheet_html(key: str, school: str, when: datetime) -> str:
    """The printable sheet: the key, who it belongs to, and what to do with it."""
    return f"""
<h1 style="font-family: 'DejaVu Sans'">Casebook recovery key</h1>
<p style="font-family: 'DejaVu Sans'"><b>For:</b> {html.escape(school)}<br>
<b>Made:</b> {when:%d %B %Y at %H:%M}</p>
<p style="font-family: 'DejaVu Sans Mono'; font-size: 20pt; margin: 24px 0;">{html.escape(key)}</p>
<p style="font-family: 'DejaVu Sans'">This key opens the casebook if every passphrase is
forgotten. On the unlock screen choose <i>Use the recovery key instead</i> and type it in.</p>
<ul style="font-family: 'DejaVu Sans'">
<li>Keep this sheet locked away, for example in the school safe, not with the laptop.</li>
<li>Anyone who has this key and a copy of the casebook file can read every case.</li>
<li>If the sheet is lost or seen by someone else, make a new key in
Casebook: Settings, Security, <i>Issue a new recovery key</i>. The old key then stops working.</li>
</ul>
<p style="font-family: 'DejaVu Sans'; color: #555">OFFICIAL-SENSITIVE</p>
"""


def _document(key: str, school: str, when: datetime) -> QTextDocument:
    register_fonts()
    doc = QTextDocument()
    doc.setDefaultFont(QFont("DejaVu Sans", 11))
    doc.setHtml(recovery_sheet_html(key, school, when))
    return doc


def write_recovery_pdf(path: Path | str, key: str, school: str,
                       when: datetime | None = None, *, letter: bool = False) -> Path:
    """Write the recovery sheet as a one-page PDF (the user chose where)."""
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setTitle("Casebook recovery key")
    writer.setCreator("Casebook")
    size = QPageSize(QPageSize.PageSizeId.Letter if letter else QPageSize.PageSizeId.A4)
    writer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Portrait,
                                     QMarginsF(20, 20, 20, 20), QPageLayout.Unit.Millimeter))
    writer.setResolution(300)
    _document(key, school, when or datetime.now()).print_(writer)
    del writer  # finishes the file
    return path


class RecoveryKeyPanel(QWidget):
    """Shows one recovery key with Print / Save as PDF and the "kept safe" confirmation."""

    confirmed_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = ""
        self._school = ""
        self._letter = False
        self.saved_to: Path | None = None
        self.printed = False

        intro = QLabel(
            "This recovery key opens the casebook if the passphrase is ever forgotten. "
            "It is shown <b>only this once</b>. Print it or save it as a PDF, then keep it "
            "somewhere safe away from this computer, such as the school safe.", self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        self.key_label = QLabel(self)
        register_fonts()
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.45)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAccessibleName("Recovery key")
        self.key_label.setWordWrap(True)
        frame = QFrame(self)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame_layout = QVBoxLayout(frame)
        frame_layout.setContentsMargins(12, 16, 12, 16)
        frame_layout.addWidget(self.key_label)

        self.print_button = QPushButton("&Print…", self)
        self.print_button.setAccessibleName("Print the recovery key")
        self.print_button.clicked.connect(self.print_key)
        self.pdf_button = QPushButton("Save as P&DF…", self)
        self.pdf_button.setAccessibleName("Save the recovery key as a PDF")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("What has been done with the key")

        # Written down by hand instead (no printer, no USB stick): typing back the key's last
        # group shows it was copied, and unlocks the confirmation just as printing does.
        typed_label = QLabel("Wrote it down by hand? Type its &last group to check it:", self)
        self.typed_back_edit = QLineEdit(self)
        self.typed_back_edit.setAccessibleName("Last group of the recovery key, typed back")
        self.typed_back_edit.setMaximumWidth(self.typed_back_edit.fontMetrics()
                                             .horizontalAdvance("W" * 10) + 24)
        self.typed_back_edit.textChanged.connect(self._update_confirm)
        typed_label.setBuddy(self.typed_back_edit)
        typed_row = QHBoxLayout()
        typed_row.addWidget(typed_label)
        typed_row.addWidget(self.typed_back_edit)
        typed_row.addStretch(1)

        self.confirm_check = QCheckBox(
            "I have printed, saved or written down the recovery key and will keep it "
            "somewhere &safe.", self)
        self.confirm_check.setAccessibleName("I have kept the recovery key safe")
        self.confirm_check.toggled.connect(self.confirmed_changed)
        self.confirm_hint = QLabel("Print it, save it as a PDF or type back its last group "
                                   "first.", self)
        self.confirm_hint.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(frame)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addLayout(typed_row)
        layout.addSpacing(12)
        layout.addWidget(self.confirm_check)
        layout.addWidget(self.confirm_hint)
        self._update_confirm()
        layout.addStretch(1)

    # ----- public ------------------------------------------------------------------------
    def set_key(self, key: str, school: str, *, letter: bool = False) -> None:
        self._key, self._school, self._letter = key, school, letter
        self.key_label.setText(key)
        self.saved_to = None
        self.printed = False
        self.status_label.clear()
        self.typed_back_edit.clear()
        self.confirm_check.setChecked(False)
        self._update_confirm()

    def key(self) -> str:
        return self._key

    def is_confirmed(self) -> bool:
        return self.confirm_check.isChecked() and self.kept()

    def kept(self) -> bool:
        """Printed, saved as a PDF, or its last group typed back correctly."""
        if self.printed or self.saved_to is not None:
            return True
        last = self._key.rsplit("-", 1)[-1].strip().casefold() if self._key else ""
        typed = self.typed_back_edit.text().strip().casefold()
        return bool(last) and typed == last

    def _update_confirm(self) -> None:
        kept = self.kept()
        if not kept and self.confirm_check.isChecked():
            self.confirm_check.setChecked(False)
        self.confirm_check.setEnabled(kept)
        self.confirm_hint.setVisible(not kept)
        self.confirm_check.setToolTip("" if kept else self.confirm_hint.text())

    def forget(self) -> None:
        """Drop the key from the screen (after it has been kept safe)."""
        self._key = ""
        self.key_label.setText("(The recovery key is no longer shown.)")

    def save_pdf(self) -> None:
        if not self._key:
            return
        path = prompts.save_file(self, "Save the recovery key as a PDF",
                                 "Casebook recovery key.pdf", "PDF files (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            write_recovery_pdf(path, self._key, self._school, letter=self._letter)
        except Exception as exc:  # a full disk or a read-only folder: say so calmly
            prompts.error(self, "Save as PDF", user_message(exc, "saving the recovery key"))
            return
        self.saved_to = Path(path)
        self._update_confirm()
        log.info("recovery key sheet saved as PDF")
        self.status_label.setText(f"Saved to {path}. Move it somewhere safe (for example a "
                                  "USB stick kept in the school safe) and delete other copies.")

    def print_key(self) -> None:
        if not self._key:
            return
        try:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter
        except ImportError:
            prompts.error(self, "Print", "Printing is not available here. Save the key as a PDF "
                                         "and print that instead.")
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the recovery key")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        _document(self._key, self._school, datetime.now()).print_(printer)
        self.printed = True
        self._update_confirm()
        log.info("recovery key sheet printed")
        self.status_label.setText("Sent to the printer. Collect the sheet straight away.")


class RecoveryKeyDialog(QDialog):
    """A new recovery key from Settings; Done is available once it is confirmed kept safe."""

    def __init__(self, key: str, school: str, parent: QWidget | None = None, *,
                 letter: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your new recovery key")
        self.setAccessibleName("Your new recovery key")
        self.panel = RecoveryKeyPanel(self)
        self.panel.set_key(key, school, letter=letter)
        note = QLabel("The old recovery key has stopped working. Destroy any printed copy of it.",
                      self)
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        self.done_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.done_button.setText("&Done")
        self.done_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.panel.confirmed_changed.connect(self.done_button.setEnabled)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.buttons)
        self.resize(620, 420)

    def reject(self) -> None:
        if not self.panel.is_confirmed() and not prompts.ask(
                self, "Recovery key",
                "The new recovery key will not be shown again. Close without keeping it?",
                yes="Close anyway", no="Go back"):
            return
        self.panel.forget()
        super().reject()

    def accept(self) -> None:
        self.panel.forget()
        super().accept()

    def close_for_lock(self) -> None:
        """The casebook is locking: drop the key from the screen and close without asking."""
        self.panel.forget()
        self.done(QDialog.DialogCode.Rejected)
