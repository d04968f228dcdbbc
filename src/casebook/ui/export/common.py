"""What the case and governors' export dialogs share: the password fields, the three pages
(form, progress, done), running the export on the DB thread and opening the result.

The report engine calls ``progress(done, total)`` on the worker thread. That call only emits a
signal of a small relay object that lives on the GUI thread; the queued connection delivers it
to the progress bar, so no widget is ever touched from the worker.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.reports import ExportResult
from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.kit.palette import muted_colour
from casebook.ui.kit.sizing import fit_to_screen
from casebook.ui.widgets.common import Banner, alive, heading, user_message
from casebook.ui.widgets.drafts import confirm_discard
from casebook.ui.worker import DbWorker

log = logging.getLogger(__name__)

MIN_PASSWORD = 8
PDF_FILTER = "PDF files (*.pdf)"

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

#: The folder the last PDF went to, for this run of the app only (never written to disk:
#: a folder name can say more than it should).
_last_folder: Path | None = None


def open_url(url: QUrl) -> bool:
    """Open a file or folder with the desktop's own program (tests replace this)."""
    return QDesktopServices.openUrl(url)


def safe_file_name(text: str, limit: int = 120) -> str:
    """``text`` made fit for a file name on Windows, macOS and Linux."""
    cleaned = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .")
    return cleaned[:limit].rstrip(" .") or "Report"


def suggested_path(file_name: str) -> str:
    """Where the save dialog starts: the last folder used this session, else Documents."""
    folder = _last_folder
    if folder is None or not folder.is_dir():
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        folder = Path(documents) if documents else Path.home()
    return str(folder / file_name)


def remember_folder(path: Path) -> None:
    global _last_folder
    _last_folder = path.parent


def password_problem(password: str, confirm: str) -> str:
    """A plain message when the password cannot be used, else ""."""
    if len(password) < MIN_PASSWORD:
        return (f"The password must be at least {MIN_PASSWORD} characters long. A few "
                "ordinary words with a space between them are easy to say and hard to guess.")
    if password != confirm:
        return "The two passwords are not the same. Please type the password again in both boxes."
    return ""


def dialog_heading(parent: QWidget) -> QLabel:
    """The bold heading at the top of an export dialog. Its text (a case's title, say) is set
    once the dialog has loaded, as plain text."""
    label = QLabel(parent)
    font = label.font()
    font.setBold(True)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def hint(text: str, parent: QWidget | None = None) -> QLabel:
    """A short explanation in the secondary text colour."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {muted_colour(parent).name()};")
    return label


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread (a queued signal)."""

    progress = Signal(int, int)


class PasswordBox(QGroupBox):
    """'Protect the PDF with a password' with the password typed twice (masked)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Password", parent)
        self.setAccessibleName("Password")
        self.enable_check = QCheckBox("&Protect the PDF with a password", self)
        self.enable_check.setToolTip("Recommended whenever the PDF will be emailed or copied")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setAccessibleDescription(
            f"At least {MIN_PASSWORD} characters. Casebook does not keep it.")
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit.setAccessibleName("Type the password again")
        for edit in (self.password_edit, self.confirm_edit):
            edit.setMaxLength(200)
            edit.setEnabled(False)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        password_label = QLabel("Pass&word:", self)
        password_label.setBuddy(self.password_edit)
        confirm_label = QLabel("Type it a&gain:", self)
        confirm_label.setBuddy(self.confirm_edit)
        form.addRow(password_label, self.password_edit)
        form.addRow(confirm_label, self.confirm_edit)
        self.note = hint(
            "With a password the PDF is locked with AES-256. Casebook does not keep the "
            "password: tell it to the recipient separately, for example by phone, never in the "
            "same email.", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enable_check)
        layout.addLayout(form)
        layout.addWidget(self.note)
        self.enable_check.toggled.connect(self._toggled)
        #: The user ticked or unticked the box themselves (then defaults leave it alone).
        self.chosen = False
        self.enable_check.clicked.connect(self._chosen)

    def _chosen(self) -> None:
        self.chosen = True

    def suggest(self, on: bool, reason: str = "") -> None:
        """Tick (or untick) the box by default, unless the user has already chosen."""
        self.enable_check.setToolTip(reason or "Recommended whenever the PDF will be emailed "
                                               "or copied")
        if not self.chosen and self.enable_check.isChecked() != on:
            self.enable_check.blockSignals(True)
            self.enable_check.setChecked(on)
            self.enable_check.blockSignals(False)
            for edit in (self.password_edit, self.confirm_edit):
                edit.setEnabled(on)
            if not on:
                self.clear()

    def _toggled(self, on: bool) -> None:
        for edit in (self.password_edit, self.confirm_edit):
            edit.setEnabled(on)
        if on:
            self.password_edit.setFocus()
        else:
            self.clear()

    def problem(self) -> str:
        if not self.enable_check.isChecked():
            return ""
        return password_problem(self.password_edit.text(), self.confirm_edit.text())

    def password(self) -> str | None:
        return self.password_edit.text() if self.enable_check.isChecked() else None

    def clear(self) -> None:
        """Forget what was typed (called as soon as the export has it)."""
        self.password_edit.clear()
        self.confirm_edit.clear()


class ExportDialogBase(QDialog):
    """Pages: loading, the form (built by the subclass), progress, and "saved".

    Subclasses call :meth:`set_form` with their form widget, and :meth:`run_export` with a job
    that takes a progress callback and returns an :class:`ExportResult`.
    """

    #: The export finished (the result: path, pages, whether it is encrypted).
    exported = Signal(object)

    def __init__(self, worker: DbWorker, casebook: Casebook, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.casebook = casebook
        self.result: ExportResult | None = None
        self.busy = False
        self._relay: _ProgressRelay | None = None
        self.setWindowTitle(title)
        self.setAccessibleName(title)

        self.pages = QStackedWidget(self)
        self.loading_label = QLabel("Loading…", self)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.loading_label)
        self.form_page = QWidget(self)
        self.form_layout = QVBoxLayout(self.form_page)
        self.form_layout.setContentsMargins(0, 0, 0, 0)
        self.pages.addWidget(self.form_page)
        self.done_page = self._make_done_page()
        self.pages.addWidget(self.done_page)
        self.working = self._make_working_row()

        self.banner = Banner(self)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("&Export…",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setToolTip("Choose where to save the PDF, then make it")
        self.export_button.setDefault(True)
        self.export_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.working)
        layout.addWidget(self.banner)
        layout.addWidget(self.buttons)

    # ----- pages --------------------------------------------------------------------------
    def _make_working_row(self) -> QWidget:
        """Shown under the (disabled) form while the PDF is made."""
        row = QWidget(self)
        self.working_label = QLabel("Making the PDF…", row)
        self.progress_bar = QProgressBar(row)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self.progress_bar.setAccessibleName("Export progress")
        self.progress_bar.setFormat("%p%")
        self.working_label.setBuddy(self.progress_bar)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.working_label)
        layout.addWidget(self.progress_bar, 1)
        row.hide()
        return row

    def _make_done_page(self) -> QWidget:
        page = QWidget(self)
        self.done_heading = heading("The PDF is ready", page, level=1)
        self.done_label = QLabel(page)
        self.done_label.setWordWrap(True)
        self.done_label.setTextFormat(Qt.TextFormat.PlainText)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_detail = hint("", page)
        self.open_pdf_button = QPushButton("&Open the PDF", page)
        self.open_folder_button = QPushButton("Open its &folder", page)
        self.close_done_button = QPushButton("&Close", page)
        self.open_pdf_button.clicked.connect(self.open_pdf)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.close_done_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.open_pdf_button)
        row.addWidget(self.open_folder_button)
        row.addStretch(1)
        row.addWidget(self.close_done_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.done_heading)
        layout.addWidget(self.done_label)
        layout.addWidget(self.done_detail)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def set_form(self, form: QWidget) -> None:
        self.form_layout.addWidget(form)

    def show_form(self) -> None:
        self.pages.setCurrentWidget(self.form_page)
        self.export_button.setEnabled(True)

    def _show_only(self, page: QWidget) -> None:
        """Show ``page`` and shrink the dialog to it (a stack is as tall as its tallest page)."""
        for index in range(self.pages.count()):
            other = self.pages.widget(index)
            policy = QSizePolicy.Policy.Preferred if other is page else QSizePolicy.Policy.Ignored
            other.setSizePolicy(policy, policy)
        self.pages.setCurrentWidget(page)
        self.layout().activate()
        # Wrapped text needs its width to know its height; the stack would use its tallest.
        width = self.pages.width()
        height = page.heightForWidth(width) if page.hasHeightForWidth() else -1
        if height <= 0:
            height = page.sizeHint().height()
        margins = self.layout().contentsMargins()
        height += margins.top() + margins.bottom()
        if self.banner.isVisible():
            height += self.banner.sizeHint().height() + self.layout().spacing()
        fit_to_screen(self, self.width(), height)

    def load_failed(self, error: BaseException) -> None:
        self.loading_label.setText(user_message(error))
        self.loading_label.setWordWrap(True)

    # ----- running ------------------------------------------------------------------------
    def start(self) -> None:
        """Check the form, ask where to save, then export (subclasses implement)."""
        raise NotImplementedError

    def choose_path(self, title: str, file_name: str) -> Path | None:
        chosen = prompts.save_file(self, title, suggested_path(safe_file_name(file_name)
                                                                 .removesuffix(".pdf")
                                                                 + ".pdf"), PDF_FILTER)
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        return path

    def run_export(self, job: Callable[[Callable[[int, int], None]], object],
                   finished: Callable[[object], None] | None = None,
                   working: str = "Making the PDF…") -> None:
        """Run ``job(progress)`` on the DB thread with the progress row showing; its result
        goes to ``finished`` (default: the "saved" page for an :class:`ExportResult`)."""
        self.working_label.setText(working)
        self.banner.clear()
        self.busy = True
        self.progress_bar.setValue(0)
        self.form_page.setEnabled(False)
        self.working.show()
        self.export_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        relay = _ProgressRelay()  # no parent: it must outlive a dialog closed mid-export
        relay.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self._relay = relay

        def work() -> object:
            return job(relay.progress.emit)  # worker thread: only emits a signal

        def done(result: object) -> None:
            relay.deleteLater()
            if not alive(self):
                return
            if finished is None:
                self._finished(result)  # type: ignore[arg-type]
            else:
                self._job_done()
                finished(result)

        def failed(error: BaseException) -> None:
            relay.deleteLater()
            if alive(self):
                self._failed(error)

        self.worker.submit(work, done, failed)

    def _job_done(self) -> None:
        """A job that does not end the dialog finished: give the controls back."""
        self.busy = False
        self._relay = None
        self.working.hide()
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(True)

    def _progress(self, done: int, total: int) -> None:
        if total > 0 and self.busy:
            self.progress_bar.setValue(round(100 * done / total))

    def _finished(self, result: ExportResult) -> None:
        self.busy = False
        self._relay = None
        self.result = result
        remember_folder(result.path)
        self.progress_bar.setValue(100)
        pages = f"{result.pages} page{'' if result.pages == 1 else 's'}"
        self.done_label.setText(f"Saved {pages} to {result.path}")
        self.done_label.setAccessibleName(self.done_label.text())
        detail = ("It is locked with the password you chose; Casebook has not kept it. "
                  if result.encrypted else
                  "It has no password: keep it somewhere safe and share it securely. ")
        detail += "The export is recorded in the casebook's audit log."
        self.done_detail.setText(detail)
        self.working.hide()
        self.buttons.hide()
        self._show_only(self.done_page)
        self.open_pdf_button.setFocus()
        log.info("export finished: template=%s pages=%d", result.template_id, result.pages)
        self.exported.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self._relay = None
        self.working.hide()
        self.form_page.setEnabled(True)
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.banner.show_error(user_message(error))
        self.export_button.setFocus()

    # ----- after ---------------------------------------------------------------------------
    def open_pdf(self) -> None:
        if self.result is not None:
            self._open(QUrl.fromLocalFile(str(self.result.path)))

    def open_folder(self) -> None:
        if self.result is not None:
            self._open(QUrl.fromLocalFile(str(self.result.path.parent)))

    def _open(self, url: QUrl) -> None:
        if not open_url(url):
            self.banner.show_error("Casebook could not open that. You can find the PDF at "
                                   f"{self.result.path if self.result else ''}.")

    # ----- closing ------------------------------------------------------------------------
    def reject(self) -> None:
        if self.busy:  # the PDF is half made: let it finish (it takes seconds)
            return
        if self.result is None and self.typed_text() and not confirm_discard(self):
            return  # Escape or Cancel must not throw away a written note without asking
        super().reject()

    def typed_text(self) -> bool:
        """Subclasses: True when free text the user wrote would be lost by closing."""
        return False

    def close_for_lock(self) -> None:
        """The casebook is locking: drop what is shown and close, even mid-export (the job
        was queued before the lock and still completes and is recorded)."""
        self.clear_sensitive()
        self.busy = False
        super().reject()

    def clear_sensitive(self) -> None:
        """Subclasses drop names and passwords here."""

    def done_text(self) -> str:
        return self.done_label.text()
