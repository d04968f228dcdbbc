"""The evidence list of a case, with every way in: a file chooser, drag-and-drop and pasting a
screenshot. All three go through the same path: the safety gate first, then the DB worker.

Large files are streamed by the service; its progress callback runs on the DB thread and reaches
the progress bar through a queued signal.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import EvidenceItem, EvidenceKind
from casebook.services.evidence import human_size
from casebook.ui import prompts
from casebook.ui.evidence.capture_date import CaptureDateDialog
from casebook.ui.evidence.safety_gate import (
    MIGHT,
    SAFE,
    RoutePanel,
    SafetyGateDialog,
    UnsafeNoteDialog,
)
from casebook.ui.evidence.viewer import EvidenceViewer
from casebook.ui.widgets.common import fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.panel import CasePanel, fill_table, make_table, selected_id

log = logging.getLogger(__name__)

SOURCE_CHOSEN = "Chosen from files on this computer"
SOURCE_DROPPED = "Dragged into Casebook"
SOURCE_PASTED = "Pasted screenshot"


class _Progress(QObject):
    """Lives on the GUI thread; emitted from the DB thread, so delivery is queued."""

    moved = Signal(int, int)


MEDIA_WORDS = {
    "image/png": "PNG image", "image/jpeg": "JPEG image", "image/gif": "GIF image",
    "image/webp": "WebP image", "application/pdf": "PDF", "video/mp4": "Video",
}


def kind_text(item: EvidenceItem) -> str:
    if item.kind != EvidenceKind.FILE:
        return "Link or description (no file)"
    media = item.media_type or ""
    if media in MEDIA_WORDS:
        return MEDIA_WORDS[media]
    if media.startswith("video/"):
        return "Video"
    if media.startswith("image/"):
        return "Image"
    return "File"


def short_hash(sha256: str | None) -> str:
    return f"{sha256[:12]}…" if sha256 else ""


def not_stored_decision(police: str) -> str:
    """What the DSL chose at the safety gate. Says only what happened: nothing was referred
    here (a referral is recorded only when the DSL records one)."""
    return f"Not stored: may show a nude or sexual image of a child; {police} route shown"


class EvidenceWidget(CasePanel):
    """Evidence list + add buttons. ``set_data`` takes a bundle; ``reload`` reads on its own."""

    item_added = Signal(object)  # EvidenceItem
    note_recorded = Signal(object)  # EvidenceItem (kind NOTE) after "It might"

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        self.route = RoutePanel(self)
        layout.addWidget(self.route)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add files…", self)
        self.add_button.clicked.connect(self.choose_files)
        self.paste_button = QPushButton("&Paste screenshot", self)
        self.paste_button.setToolTip("Paste a screenshot from the clipboard (Ctrl+V)")
        self.paste_button.clicked.connect(self.paste_from_clipboard)
        self.note_button = QPushButton("Add a &link or description…", self)
        self.note_button.setToolTip("Record something without storing a file, "
                                    "for example a web address")
        self.note_button.clicked.connect(self.add_note_only)
        self.view_button = QPushButton("Vie&w…", self)
        self.view_button.setToolTip("Look at the selected item here, without saving it out "
                                    "(or double-click it)")
        self.view_button.clicked.connect(self.view_selected)
        self.copy_button = QPushButton("Sav&e a copy…", self)
        self.copy_button.setToolTip("Save a copy of the selected file where you choose")
        self.copy_button.clicked.connect(self.save_copy)
        self.captured_button = QPushButton("When it was &taken…", self)
        self.captured_button.setToolTip("Record when the selected screenshot was captured")
        self.captured_button.clicked.connect(self.ask_captured_at)
        self.capture_dialog: CaptureDateDialog | None = None
        for button in (self.add_button, self.paste_button, self.note_button, self.view_button,
                       self.copy_button, self.captured_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        source_row = QHBoxLayout()
        source_label = QLabel("Where it came f&rom:", self)
        self.source_edit = QLineEdit(self)
        self.source_edit.setPlaceholderText("Optional, for example: sent by a parent by email")
        self.source_edit.setAccessibleName("Where it came from")
        self.source_edit.setAccessibleDescription(
            "Kept with the next items you add, as part of the record of where evidence came from.")
        source_label.setBuddy(self.source_edit)
        source_row.addWidget(source_label)
        source_row.addWidget(self.source_edit, 1)
        layout.addLayout(source_row)

        self.hint = QLabel("You can also drag files onto this list, or paste a screenshot "
                           "with Ctrl+V. Each file is fingerprinted (SHA-256) as it comes in.",
                           self)
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)

        self.table = make_table(self, "Evidence on this case",
                                ["Type", "File or description", "Size", "SHA-256", "Added",
                                 "Added by", "Source"], stretch=(1, 6))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.view_selected())
        layout.addWidget(self.table, 1)

        progress_row = QHBoxLayout()
        self.progress_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Adding evidence")
        self.progress.setRange(0, 1000)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        layout.addLayout(progress_row)
        self.progress_label.hide()
        self.progress.hide()
        layout.addWidget(self.banner)

        self._relay = _Progress(self)
        self._relay.moved.connect(self._on_progress)
        self._pending = 0
        self._added: list[EvidenceItem] = []
        self.items: tuple[EvidenceItem, ...] = ()
        self.gate_dialog: SafetyGateDialog | None = None
        self.note_dialog: UnsafeNoteDialog | None = None
        self.viewer: EvidenceViewer | None = None
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.paste_from_clipboard)
        self._selection_changed()

    # ----- showing ------------------------------------------------------------------------
    def set_data(self, bundle: CaseBundle) -> None:
        super().set_data(bundle)
        self.set_items(bundle.evidence)

    def set_items(self, items: tuple[EvidenceItem, ...] | list[EvidenceItem]) -> None:
        self.items = tuple(items)
        us = self.ctx.us
        rows = []
        for item in self.items:
            if item.kind == EvidenceKind.FILE:
                what = item.filename or ""
                if item.description:
                    what += f": {item.description}"
            else:
                what = item.description + (f"\n{item.url}" if item.url else "")
            rows.append([kind_text(item), what, human_size(item.size) if item.size is not None else "",
                         short_hash(item.sha256), fmt_datetime(item.added_at, us),
                         item.added_by, item.source])
        fill_table(self.table, rows, [i.id for i in self.items])
        for r, item in enumerate(self.items):
            if item.sha256:
                cell = self.table.item(r, 3)
                cell.setToolTip(item.sha256)
                cell.setData(Qt.ItemDataRole.AccessibleTextRole, f"SHA-256 {item.sha256}")
        self._selection_changed()

    def set_compact(self, compact: bool) -> None:
        """Fewer columns where space is short (the wizard page); the case tab shows all."""
        for column in (5, 6):
            self.table.setColumnHidden(column, compact)

    def reload(self) -> None:
        evidence, case_id = self.ctx.casebook.evidence, self.ctx.case_id
        self.op(lambda: evidence.items(case_id)).success(self.set_items).run()

    def clear(self) -> None:
        super().clear()
        self.items = ()
        self.table.setRowCount(0)
        self.route.hide()
        self.route.body.clear()
        self._pending = 0
        self._show_progress(False)
        if self.gate_dialog is not None:
            self.gate_dialog.reject()
        if self.note_dialog is not None:
            self.note_dialog.drop()
        if self.viewer is not None:
            self.viewer.close_for_lock()
        if self.capture_dialog is not None:
            self.capture_dialog.reject()

    def _selection_changed(self) -> None:
        item = self._selected()
        self.copy_button.setEnabled(item is not None and item.kind == EvidenceKind.FILE)
        self.view_button.setEnabled(item is not None)
        self.captured_button.setEnabled(item is not None)

    def ask_captured_at(self) -> None:
        """When the selected item was captured (platform forms ask; added != taken)."""
        item = self._selected()
        if item is None:
            return
        dialog = CaptureDateDialog(item, self.ctx.us, self)
        self.capture_dialog = dialog
        evidence = self.ctx.casebook.evidence

        def accepted() -> None:
            when = dialog.when()
            self.save(lambda: evidence.set_captured_at(item.id, when),
                      lambda _item: self.reload(), "The capture date is recorded.")

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: setattr(self, "capture_dialog", None))
        dialog.open()

    def _selected(self) -> EvidenceItem | None:
        evidence_id = selected_id(self.table)
        return next((i for i in self.items if i.id == evidence_id), None)

    def view_selected(self) -> EvidenceViewer | None:
        """Open the viewer on the selected item (decrypted into memory only)."""
        item = self._selected()
        if item is None:
            return None
        index = self.items.index(item)
        if self.viewer is not None:
            self.viewer.index = index
            self.viewer.items = list(self.items)
            self.viewer.load()
            self.viewer.raise_()
            self.viewer.activateWindow()
            return self.viewer
        viewer = EvidenceViewer(self.ctx, self.items, index, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.viewer = viewer

        def finished() -> None:
            if self.viewer is viewer:
                self.viewer = None

        viewer.finished.connect(finished)
        viewer.open()
        return viewer

    # ----- ways in ------------------------------------------------------------------------
    def choose_files(self) -> None:
        paths = prompts.open_files(self, "Add evidence files")
        if paths:
            self.add_paths(paths, SOURCE_CHOSEN)

    def paste_from_clipboard(self) -> bool:
        """Add what is on the clipboard: a screenshot (image) or copied files."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not self.handle_mime(mime, SOURCE_PASTED):
            self.banner.show_error("There is no picture or file on the clipboard. Take a "
                                   "screenshot (or copy a file) first, then paste it here.")
            return False
        return True

    def handle_mime(self, mime: QMimeData, how: str) -> bool:
        """Local files or an image from a drop or the clipboard. False if neither is there."""
        paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()] \
            if mime.hasUrls() else []
        if paths:
            self.add_paths(paths, how)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())  # copy now: the mime data may not outlive us
            if not image.isNull():
                self.add_image(image, how)
                return True
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt name)
        mime = event.mimeData()
        if (mime.hasUrls() and any(u.isLocalFile() for u in mime.urls())) or mime.hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt name)
        if self.handle_mime(event.mimeData(), SOURCE_DROPPED):
            event.acceptProposedAction()
        else:
            event.ignore()

    # ----- the gate -----------------------------------------------------------------------
    def _source(self, how: str) -> str:
        typed = self.source_edit.text().strip()
        return f"{typed} ({how.lower()})" if typed else how

    def ask_gate(self, what: str, on_safe: Callable[[], None]) -> None:
        """Ask the safety question; run ``on_safe`` only on "No, it does not"."""
        if self.gate_dialog is not None:
            self.gate_dialog.reject()
        dialog = SafetyGateDialog(self.ctx.setup.gate, what, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.gate_dialog = dialog

        def answered(answer: str) -> None:
            if answer == SAFE:
                on_safe()
            elif answer == MIGHT:
                self.refuse()

        def finished() -> None:
            if self.gate_dialog is dialog:
                self.gate_dialog = None
            if dialog.answer is None:
                self.banner.show_info("Nothing was added.")

        dialog.answered.connect(answered)
        dialog.finished.connect(finished)
        dialog.open()

    def refuse(self) -> None:
        """'It might': store nothing, show the route, and ask for a description instead."""
        gate = self.ctx.setup.gate
        # The typed source belonged to the file that was not stored: it must not be kept with
        # the next file (the description dialog asks who reported it).
        self.source_edit.clear()
        self.route.show_route(gate)
        self.banner.show_info("Nothing was stored. " + gate.instructions[0])
        dialog = UnsafeNoteDialog(gate, self.ctx.term("learner"), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.keep_as(self.ctx.worker, self.ctx.casebook.settings,
                       self.ctx.draft_key("note:not-stored"))
        self.note_dialog = dialog
        police = self.ctx.term("police").removeprefix("the ")

        def accepted() -> None:
            description, url, source = dialog.description(), dialog.url(), dialog.source()
            cases, evidence, case_id = (self.ctx.casebook.cases, self.ctx.casebook.evidence,
                                        self.ctx.case_id)
            why = ("The person adding a file said it might contain a nude or sexual image of "
                   "someone under 18. Casebook did not store it; a description and the web "
                   "address were recorded instead.")

            def job() -> EvidenceItem:
                note = evidence.add_note(case_id, description, url or None,
                                         source or "Safety gate: file not stored")
                cases.add_decision(case_id, not_stored_decision(police), why)
                return note

            def done(note: EvidenceItem) -> None:
                self.route.show_route(gate)
                self.banner.show_info(gate.refusal)
                self.note_recorded.emit(note)

            self.save(job, done)

        def finished() -> None:
            if self.note_dialog is dialog:
                self.note_dialog = None

        dialog.accepted.connect(accepted)
        dialog.finished.connect(finished)
        dialog.open()

    # ----- adding -------------------------------------------------------------------------
    def add_paths(self, paths: list[str] | list[Path], how: str = SOURCE_CHOSEN) -> None:
        files = [Path(p) for p in paths]
        missing = [p for p in files if not p.is_file()]
        if missing:
            self.banner.show_error(f"“{missing[0].name}” is not a file Casebook can add "
                                   "(folders cannot be added).")
            return
        if not files:
            return
        what = f"“{files[0].name}”" if len(files) == 1 else f"{len(files)} files"
        source = self._source(how)
        self.ask_gate(what, lambda: self._store_files(files, source))

    def _store_files(self, files: list[Path], source: str) -> None:
        evidence, case_id = self.ctx.casebook.evidence, self.ctx.case_id
        relay = self._relay

        def report(done: int, total: int) -> None:
            # RuntimeError: the screen was closed while the file was being stored
            with contextlib.suppress(RuntimeError):
                relay.moved.emit(done, total)

        self._added = []
        for path in files:
            self._pending += 1
            self._show_progress(True, f"Adding {path.name}…")
            self.op(lambda path=path: evidence.add_file(case_id, path, source=source,
                                                        safety_confirmed=True, progress=report)
                    ).success(self._file_done).failure(self._file_failed).run()

    def add_image(self, image: QImage, how: str = SOURCE_PASTED) -> None:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        png = bytes(data.data())
        source = self._source(how)
        stamp = self.ctx.casebook.store.now().strftime("%Y%m%d-%H%M%S")
        name = f"screenshot-{stamp}.png"

        def store() -> None:
            evidence, case_id = self.ctx.casebook.evidence, self.ctx.case_id
            self._added = []
            self._pending += 1
            self._show_progress(True, "Adding the screenshot…")
            self.op(lambda: evidence.add_bytes(case_id, png, filename=name, source=source,
                                               safety_confirmed=True)
                    ).success(self._file_done).failure(self._file_failed).run()

        self.ask_gate("a screenshot from the clipboard", store)

    def _file_done(self, item: EvidenceItem) -> None:
        self._pending -= 1
        self._added.append(item)
        self.item_added.emit(item)
        if self._pending > 0:
            return
        self._pending = 0
        self._show_progress(False)
        if len(self._added) == 1:
            text = f"“{item.filename}” added. Its fingerprint (SHA-256) is in the list."
        else:
            text = f"{len(self._added)} files added. Their fingerprints (SHA-256) are in the list."
        self.banner.show_info(text)
        self.changed.emit()
        self.reload()

    def _file_failed(self, message: str) -> None:
        self._pending = max(0, self._pending - 1)
        if self._pending == 0:
            self._show_progress(False)
            if self._added:
                self.changed.emit()
                self.reload()
        self.banner.show_error(message)

    def _show_progress(self, visible: bool, text: str = "") -> None:
        self.progress_label.setText(text)
        self.progress_label.setVisible(visible)
        self.progress.setVisible(visible)
        if visible:
            self.progress.setValue(0)

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setValue(min(1000, int(done * 1000 / total)))

    # ----- other actions ------------------------------------------------------------------
    def add_note_only(self) -> None:
        """A web address or description with no file (nothing to gate)."""
        dialog = UnsafeNoteDialog(self.ctx.setup.gate, self.ctx.term("learner"), self,
                                  plain_note=True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.keep_as(self.ctx.worker, self.ctx.casebook.settings,
                       self.ctx.draft_key("note:link"))
        self.note_dialog = dialog

        def accepted() -> None:
            description, url, source = dialog.description(), dialog.url(), dialog.source()
            evidence, case_id = self.ctx.casebook.evidence, self.ctx.case_id
            self.save(lambda: evidence.add_note(case_id, description, url or None, source),
                      lambda _note: self.reload(), "Description recorded.")

        dialog.accepted.connect(accepted)
        dialog.open()

    def save_copy(self) -> None:
        item = self._selected()
        if item is None or item.kind != EvidenceKind.FILE:
            return
        target = prompts.save_file(self, "Save a copy of this evidence", item.filename or "evidence")
        if not target:
            return
        evidence = self.ctx.casebook.evidence
        self.op(lambda: evidence.save_copy(item.id, target)).success(
            lambda path: self.banner.show_info(f"A copy was saved to {path}.")).run()
