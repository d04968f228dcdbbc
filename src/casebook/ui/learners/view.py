"""The Learners screen (one module: register, a learner's file, review queue, transfers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import ROLE_LABELS, LearnerFile, PersonKind, RegisterEntry
from casebook.ui import prompts
from casebook.ui.kit import KeepCurrent
from casebook.ui.kit.errors import user_message
from casebook.ui.kit.tables import filling
from casebook.ui.learners.family import FamilyPanel

__all__ = ["LearnersView", "LearnersBundle", "import_learners"]

ROLE = Qt.ItemDataRole.UserRole
_WATCHES = frozenset({"case", "register"})


@dataclass(frozen=True)
class LearnersBundle:
    people: tuple[RegisterEntry, ...]
    due: tuple[Any, ...]  # RetentionItem
    transfers: tuple[Any, ...]  # TransferInfo sent and awaiting receipt (or overdue)
    us: bool = False  # US profile: "students", not "learners"


def _cell(text: str, data: Any = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if data is not None:
        cell.setData(ROLE, data)
    return cell


def _d(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


def _table(name: str, headers: list[str], stretch: int, accessible: str = "") -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(accessible or name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[tuple[Any, list[str]]]) -> None:
    with filling(table):
        table.setRowCount(len(rows))
        for r, (data, values) in enumerate(rows):
            for c, value in enumerate(values):
                table.setItem(r, c, _cell(value, data if c == 0 else None))


def import_learners(parent: QWidget, worker: Any, casebook: Any,
                    done: Any = None) -> None:
    """File → Import learners…: pick a CSV from the MIS, import it on the worker, say what
    happened (counts and the first rejected lines)."""
    files = prompts.open_files(parent, "Import learners from the MIS",
                               "CSV files (*.csv);;All files (*)")
    if not files:
        return
    path = Path(files[0])

    def finished(result: Any) -> None:
        lines = "\n".join(f"Line {line}: {why}" for line, why in result.rejected[:10])
        more = len(result.rejected) - 10
        if more > 0:
            lines += f"\n…and {more} more."
        prompts.info(parent, "Learners imported",
                     f"{result.summary().capitalize()}." + (f"\n\n{lines}" if lines else ""))
        if done is not None:
            done()

    def failed(error: BaseException) -> None:
        prompts.error(parent, "Learners not imported", user_message(error))

    worker.submit(lambda: casebook.learner_import.run(path), finished, failed)


class _LoadOnShow(QWidget):
    """Reads its data on the DB worker the first time it is shown."""

    failed = Signal(str)  # a calm, user-ready message
    _bundle: Any = None

    def refresh(self) -> None:  # pragma: no cover - the view overrides it
        raise NotImplementedError

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().showEvent(event)
        if self._bundle is None:
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        message = user_message(error, "reading the learners")
        self.message.setText(message)  # type: ignore[attr-defined]
        self.failed.emit(message)


class LearnersView(_LoadOnShow):
    loaded = Signal(object)  # LearnersBundle
    file_shown = Signal(object)  # LearnerFile

    def __init__(self, worker: Any, casebook: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("learnersView")
        self.setAccessibleName("Learners")
        self._worker = worker
        self._casebook = casebook
        self._selected: int | None = None
        self._file: LearnerFile | None = None

        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("learnerSearch")
        self.search.setAccessibleName("Search learners")
        self.search.setPlaceholderText("Search by name, UPN, year or registration group")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.import_button = QPushButton("&Import learners…")
        self.import_button.setObjectName("importLearners")
        self.import_button.clicked.connect(
            lambda: import_learners(self, self._worker, self._casebook, self.refresh))
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("registerKind")
        self.kind_combo.setAccessibleName("Who to list")
        for text, value in (("Learners", PersonKind.LEARNER.value), ("Staff", "staff"),
                            ("Parents and carers", "parent"), ("Others", "other"),
                            ("Everyone", "")):
            self.kind_combo.addItem(text, value)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.search, 1)
        top.addWidget(self.kind_combo)
        top.addWidget(self.import_button)
        outer.addLayout(top)

        self.pages = QTabWidget()
        self.pages.setObjectName("learnerPages")
        self.pages.addTab(self._build_register(), "Register")
        self.pages.addTab(self._build_review(), "Retention review")
        self.pages.addTab(self._build_transfers(), "Transfers")
        outer.addWidget(self.pages, 1)
        # The register, the review queue and transfers change from other screens too (an
        # allegation's outcome on a case, a person added on a case): read again then.
        self._current = KeepCurrent(self, worker, lambda kinds: bool(kinds & _WATCHES),
                                    self.refresh)
        self.message = QLabel("")
        self.message.setObjectName("learnersMessage")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)

    # ----- building ----------------------------------------------------------------------
    def _build_register(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        self.people_table = _table("learnersTable", ["Name", "UPN", "Born", "Year", "Reg",
                                                     "On roll"], 0)
        self.people_table.setAccessibleName("Learners")
        self.people_table.itemSelectionChanged.connect(self._chosen)
        split.addWidget(self.people_table)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        self.heading = QLabel("Choose a learner to see their file across cases.")
        self.heading.setObjectName("learnerHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.details = QLabel("")
        self.details.setObjectName("learnerDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.details)
        # Open cases and the family side by side, so the file still fits a 1366×768 screen.
        side = QHBoxLayout()
        opened = QVBoxLayout()
        opened.addWidget(QLabel("Open cases and actions"))
        self.open_table = _table("learnerOpen", ["Case", "What", "Part / due"], 1,
                                 "Open cases and actions")
        self.open_table.setMaximumHeight(150)
        opened.addWidget(self.open_table)
        opened.addStretch(1)
        side.addLayout(opened, 3)
        self.family = FamilyPanel(self._worker, self._casebook, panel)
        self.family.changed.connect(self._family_changed)
        side.addWidget(self.family, 2)
        layout.addLayout(side)
        layout.addWidget(QLabel("Chronology across cases (other learners shown as Learner A…)"))
        self.chronology = _table("learnerChronology", ["When", "Case", "Part in it",
                                                       "What happened"], 3,
                                 "Chronology across cases")
        self.chronology.setWordWrap(True)
        layout.addWidget(self.chronology, 1)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("&Export child protection file…")
        self.export_button.setObjectName("exportLearnerFile")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_file)
        self.to_school = QLineEdit()
        self.to_school.setObjectName("transferSchool")
        self.to_school.setAccessibleName("Receiving school")
        self.to_school.setPlaceholderText("Next school (for a transfer)")
        self.send_button = QPushButton("&Send file to school…")
        self.send_button.setObjectName("sendTransfer")
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send_transfer)
        buttons.addWidget(self.to_school, 1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.export_button)
        layout.addLayout(buttons)
        more = QHBoxLayout()
        self.hold_reason = QLineEdit()
        self.hold_reason.setObjectName("holdReason")
        self.hold_reason.setAccessibleName("Reason for a legal hold")
        self.hold_reason.setPlaceholderText("Reason for a legal hold (e.g. a public inquiry)")
        self.hold_button = QPushButton("Place le&gal hold")
        self.hold_button.setObjectName("placeHold")
        self.hold_button.setEnabled(False)
        self.hold_button.clicked.connect(self.place_hold)
        self.sar_button = QPushButton("Subject &access copy…")
        self.sar_button.setObjectName("subjectAccess")
        self.sar_button.setEnabled(False)
        self.sar_button.clicked.connect(self.subject_access)
        self.left_button = QPushButton("&Mark as left today")
        self.left_button.setObjectName("markLeft")
        self.left_button.setEnabled(False)
        self.left_button.clicked.connect(self.mark_left)
        more.addWidget(self.left_button)
        more.addWidget(self.hold_reason, 1)
        more.addWidget(self.hold_button)
        more.addWidget(self.sar_button)
        layout.addLayout(more)
        self.sent_note = QLabel("")
        self.sent_note.setObjectName("transferSent")
        self.sent_note.setWordWrap(True)
        self.sent_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.sent_note)
        split.addWidget(panel)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([480, 720])
        return split

    def _build_review(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        intro = QLabel("Files whose review date has come: a learner's file at date of birth + "
                       "25 years; an allegation about staff at the later of 10 years or "
                       "pension age (malicious allegations at once). Purging removes the "
                       "records and their evidence for good; a legal hold stops it.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.review_table = _table("retentionTable", ["File", "Kind", "Review date", "State",
                                                      "Note"], 4, "Files due for review")
        layout.addWidget(self.review_table, 1)
        row = QHBoxLayout()
        self.purge_button = QPushButton("&Purge selected…")
        self.purge_button.setObjectName("purgeSelected")
        self.purge_button.clicked.connect(self.purge_selected)
        row.addStretch(1)
        row.addWidget(self.purge_button)
        layout.addLayout(row)
        return panel

    def _build_transfers(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        intro = QLabel("Files sent to and received from other schools. Send within 5 "
                       "school days and chase the receiving DSL if no receipt code comes.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.transfer_table = _table("transfersTable", ["Reference", "School", "Date", "Due",
                                                        "State"], 1, "Transfers")
        layout.addWidget(self.transfer_table, 1)
        row = QHBoxLayout()
        self.receipt_edit = QLineEdit()
        self.receipt_edit.setObjectName("receiptCode")
        self.receipt_edit.setAccessibleName("Receipt code")
        self.receipt_edit.setPlaceholderText("Receipt code from the receiving school")
        self.receipt_button = QPushButton("Record receip&t")
        self.receipt_button.clicked.connect(self.record_receipt)
        self.chase_button = QPushButton("Chased toda&y")
        self.chase_button.clicked.connect(self.chase)
        self.cover_button = QPushButton("Cover and receipt s&lip…")
        self.cover_button.clicked.connect(self.save_cover)
        for widget in (self.receipt_edit, self.receipt_button, self.chase_button,
                       self.cover_button):
            row.addWidget(widget)
        layout.addLayout(row)
        incoming = QHBoxLayout()
        self.package_password = QLineEdit()
        self.package_password.setObjectName("packagePassword")
        self.package_password.setAccessibleName("Package password")
        self.package_password.setPlaceholderText("Password the sending school gave you by phone")
        self.package_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_transfer_button = QPushButton("I&mport a transfer…")
        self.import_transfer_button.setObjectName("importTransfer")
        self.import_transfer_button.clicked.connect(self.import_transfer)
        incoming.addWidget(QLabel("Receiving a file:"))
        incoming.addWidget(self.package_password, 1)
        incoming.addWidget(self.import_transfer_button)
        layout.addLayout(incoming)
        return panel

    # ----- loading -----------------------------------------------------------------------
    def refresh(self, *_args: object) -> None:
        book, text = self._casebook, self.search.text()
        kind = self.kind_combo.currentData() or None

        def job() -> LearnersBundle:
            return LearnersBundle(tuple(book.people.search(text, kind=kind)),
                                  tuple(book.retention.due()),
                                  tuple(book.transfers.list()),
                                  book.school().jurisdiction.value == "us")

        self._worker.submit(job, self._show, self._failed)

    def _show(self, bundle: LearnersBundle) -> None:
        self._bundle = bundle
        _fill(self.people_table, [(p.id, [p.display_name, p.upn or "—", _d(p.date_of_birth),
                                          p.year_group, p.registration_group,
                                          "Yes" if p.on_roll else f"Left {_d(p.left_on)}"])
                                  for p in bundle.people])
        kinds = {"learner-file": "Learner's file", "staff-allegation": "Allegation about staff",
                  "transfer-kept": "Kept after a transfer"}
        _fill(self.review_table, [(i.id, [i.title, kinds.get(i.kind, i.kind),
                                          _d(i.review_on), "Legal hold" if i.held else "Due",
                                          i.flag]) for i in bundle.due])
        _fill(self.transfer_table, [(i.reference, [i.reference, i.school,
                                                   _d(i.created_at), _d(i.due_on),
                                                   i.state.capitalize()
                                                   + (f" (chased {_d(i.chased_at)})"
                                                      if i.chased_at else "")])
                                    for i in bundle.transfers])
        waiting = sum(i.state in ("overdue", "awaiting receipt") for i in bundle.transfers)
        self.pages.setTabText(1, f"Retention review ({len(bundle.due)})")
        self.pages.setTabText(2, f"Transfers ({waiting} awaiting receipt)")
        self.family.us = bundle.us
        word = "student" if bundle.us else "learner"
        self.message.setText(f"{len(bundle.people)} {word}(s)")
        if bundle.us:
            self.search.setPlaceholderText("Search by name, year or homeroom")
            tabs = self.parentWidget()
            while tabs is not None and not isinstance(tabs, QTabWidget):
                tabs = tabs.parentWidget()
            if tabs is not None and tabs.indexOf(self) >= 0:
                tabs.setTabText(tabs.indexOf(self), "Students")
        self.loaded.emit(bundle)
        if self._selected is not None:
            self._select(self._selected)

    def _select(self, person_id: int) -> None:
        for row in range(self.people_table.rowCount()):
            if self.people_table.item(row, 0).data(ROLE) == person_id:
                self.people_table.selectRow(row)
                return

    def _chosen(self) -> None:
        rows = self.people_table.selectionModel().selectedRows()
        if not rows:
            return
        person_id = self.people_table.item(rows[0].row(), 0).data(ROLE)
        if person_id == self._selected and self._file is not None:
            return
        self._selected = person_id
        book = self._casebook

        def job() -> tuple[LearnerFile, list[Any]]:
            return book.people.learner_file(person_id), book.retention.holds(person_id)

        self._worker.submit(job, lambda result: self._show_file(*result), self._failed)

    def _show_file(self, file: LearnerFile, holds: list[Any] | None = None) -> None:
        self._file = file
        who = file.learner
        self.heading.setText(who.display_name)
        bits = [f"UPN {who.upn}" if who.upn else "No UPN", f"born {_d(who.date_of_birth)}",
                who.year_group, who.registration_group,
                "on roll" if who.on_roll else f"left {_d(who.left_on)}"]
        if who.received_from:
            bits.append(f"received from {who.received_from}")
        bits += [f"LEGAL HOLD: {reason}" for _id, _on, reason in holds or ()]
        self.details.setText(" · ".join(b for b in bits if b))
        if self.family.person is None or self.family.person.id != who.id:
            self.family.show_person(who)
        _fill(self.open_table,
              [(ref, [ref, title, ROLE_LABELS[role]]) for ref, title, role in file.open_cases]
              + [(ref, [ref, text, f"due {_d(due)}"]) for ref, text, due in file.open_actions])
        _fill(self.chronology, [(e.case_reference, [f"{e.occurred_at:%d/%m/%Y %H:%M}",
                                                    e.case_reference, ROLE_LABELS[e.role],
                                                    f"{e.text} ({e.author})"])
                                for e in file.entries])
        self.chronology.resizeRowsToContents()
        self.export_button.setEnabled(True)
        self.send_button.setEnabled(who.kind == PersonKind.LEARNER)
        self.hold_button.setEnabled(True)
        self.sar_button.setEnabled(True)
        self.left_button.setEnabled(who.kind == PersonKind.LEARNER and who.on_roll)
        self.file_shown.emit(file)

    def _family_changed(self) -> None:
        """A link was added or removed: the file (and a new parent in the list) read again."""
        self._file = None
        self._chosen()
        self.refresh()

    # ----- actions -----------------------------------------------------------------------
    def export_file(self) -> None:
        if self._file is None:
            return
        person_id = self._file.learner.id
        path = prompts.save_file(self, "Save the child protection file",
                                 "child-protection-file.pdf", "PDF files (*.pdf)")
        if not path:
            return
        book = self._casebook
        self._worker.submit(lambda: book.people.export_file(person_id, Path(path)),
                            lambda pages: prompts.info(self, "File saved",
                                                       f"Saved {pages} page(s) to {path}."),
                            lambda error: prompts.error(self, "Not saved", user_message(error)))

    def purge_selected(self) -> None:
        rows = self.review_table.selectionModel().selectedRows()
        if not rows:
            self.message.setText("Choose a file in the review queue first.")
            return
        item_id = self.review_table.item(rows[0].row(), 0).data(ROLE)
        title = self.review_table.item(rows[0].row(), 0).text()
        if not prompts.ask(self, "Purge this file?",
                           f"This removes {title}'s records and evidence from the casebook "
                           "for good. It cannot be undone. Older backups keep a copy until "
                           "they are deleted.", yes="Purge", no="Keep"):
            return
        book = self._casebook

        def job() -> tuple[Any, datetime, list[Any]]:
            from casebook.services.backup import backups_before

            result = book.retention.purge(item_id, confirm=True)
            when = datetime.now()  # the files' own times are wall-clock times
            return result, when, backups_before(book, when)

        def done(answer: tuple[Any, datetime, list[Any]]) -> None:
            result, when, backups = answer
            self.message.setText(f"Purged: {result.cases} case(s), {result.evidence} evidence "
                                 f"item(s); {result.kept_cases} kept for other files. Backups "
                                 "copied elsewhere (a USB drive, a network folder) still hold "
                                 "them until they are deleted.")
            self.refresh()
            if backups:
                self._offer_to_delete_backups(when, backups)

        self._worker.submit(job, done,
                            lambda error: prompts.error(self, "Not purged", user_message(error)))

    def _offer_to_delete_backups(self, when: datetime, backups: list[Any]) -> None:
        """Say which backups still hold what was purged, and offer to delete them."""
        listed = "\n".join(f"• {b.path.name} ({b.made_at:%d/%m/%Y %H:%M})" for b in backups[:12])
        if len(backups) > 12:
            listed += f"\n…and {len(backups) - 12} more."
        n = len(backups)
        if not prompts.ask(
                self, "Older backups still hold these records",
                f"The records are gone from the casebook, but {n} backup file"
                f"{'s' if n != 1 else ''} in Casebook's backup folders "
                f"{'were' if n != 1 else 'was'} made before the purge and still "
                f"hold{'' if n != 1 else 's'} them until deleted:\n\n{listed}\n\n"
                "Copies kept elsewhere (a USB drive, a network folder) hold them too: delete "
                "those by hand.\n\nDelete these backups now? A new backup is made first, so "
                "you still have one.", yes="Delete old backups", no="Keep them for now"):
            return
        book = self._casebook

        def job() -> Any:
            from casebook.services.backup import delete_backups

            return delete_backups(book, when)

        def done(answer: Any) -> None:
            fresh, deleted, failed = answer
            text = (f"Deleted {deleted} backup{'s' if deleted != 1 else ''} made before the "
                    f"purge. A new backup was made first: {fresh.name}.")
            if failed:
                text += (" These could not be deleted (open elsewhere, or read-only): "
                         + ", ".join(failed) + ".")
            prompts.info(self, "Old backups deleted", text)

        self._worker.submit(job, done,
                            lambda error: prompts.error(self, "Backups not deleted",
                                                        user_message(error)))

    # ----- transfers ---------------------------------------------------------------------
    def _chosen_transfer(self) -> str | None:
        rows = self.transfer_table.selectionModel().selectedRows()
        if not rows:
            self.message.setText("Choose a transfer in the list first.")
            return None
        return self.transfer_table.item(rows[0].row(), 0).data(ROLE)

    def send_transfer(self) -> None:
        """Open the send dialog: the DSL chooses the evidence and sees how much goes."""
        if self._file is None:
            return
        from casebook.ui.learners.transfer_dialog import SendTransferDialog

        who = self._file.learner
        dialog = SendTransferDialog(self._worker, self._casebook, who.id, who.display_name,
                                    self.to_school.text().strip(), self)

        def done(sent: Any) -> None:
            self.sent_note.setText(
                f"Transfer {sent.reference} saved to {sent.path} with {sent.files} evidence "
                f"file(s). Password (shown once; give it by phone, never with the file): "
                f"{sent.password}. Receipt wanted by {_d(sent.due_on)}. Print the cover and "
                "receipt slip from the Transfers tab.")
            self.refresh()

        dialog.sent.connect(done)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.transfer_dialog = dialog
        dialog.open()

    def record_receipt(self) -> None:
        reference = self._chosen_transfer()
        code = self.receipt_edit.text().strip()
        if reference is None or not code:
            if reference is not None:
                self.message.setText("Type the receipt code the receiving school gave you.")
            return
        book = self._casebook

        def done(info: Any) -> None:
            self.receipt_edit.clear()
            self.message.setText(f"Receipt recorded for {info.reference}.")
            self.refresh()

        self._worker.submit(lambda: book.transfers.record_receipt(reference, code), done,
                            lambda error: prompts.error(self, "Receipt not recorded",
                                                        user_message(error)))

    def chase(self) -> None:
        reference = self._chosen_transfer()
        if reference is None:
            return
        book = self._casebook
        self._worker.submit(lambda: book.transfers.chase(reference), lambda _i: self.refresh(),
                            lambda error: prompts.error(self, "Not recorded", user_message(error)))

    def save_cover(self) -> None:
        reference = self._chosen_transfer()
        if reference is None:
            return
        path = prompts.save_file(self, "Save the cover and receipt slip",
                                 f"{reference}-cover.pdf", "PDF files (*.pdf)")
        if not path:
            return
        book = self._casebook
        self._worker.submit(lambda: book.transfers.export_cover(reference, Path(path)),
                            lambda p: prompts.info(self, "Saved", f"Print {p}; never send it "
                                                   "with the package."),
                            lambda error: prompts.error(self, "Not saved", user_message(error)))

    def import_transfer(self) -> None:
        password = self.package_password.text()
        if not password:
            self.message.setText("Type the password the sending school gave you first.")
            self.package_password.setFocus()
            return
        files = prompts.open_files(self, "Import a transfer package",
                                   "Casebook transfer (*.cbx);;All files (*)")
        if not files:
            return
        book, path = self._casebook, Path(files[0])

        def done(got: Any) -> None:
            self.package_password.clear()
            again = " It was already imported; nothing was added." if got.already else ""
            prompts.info(self, "Transfer imported",
                         f"Transfer {got.reference} from {got.from_school}: {got.cases} "
                         f"case(s), {got.files} evidence file(s).{again}\n\nReceipt code for "
                         "the sending school: "
                         f"{got.receipt_code}")
            self.refresh()

        self._worker.submit(lambda: book.transfers.import_package(path, password), done,
                            lambda error: prompts.error(self, "Not imported", user_message(error)))

    # ----- holds and subject access --------------------------------------------------------
    def place_hold(self) -> None:
        if self._file is None:
            return
        reason = self.hold_reason.text().strip()
        if not reason:
            self.message.setText("Type the reason for the hold first (e.g. a public inquiry).")
            self.hold_reason.setFocus()
            return
        book, person_id = self._casebook, self._file.learner.id

        def done(_hold: Any) -> None:
            self.hold_reason.clear()
            self._file = None  # show the file again, with the hold
            self.message.setText("Legal hold placed: this file cannot be purged until it is "
                                 "lifted.")
            self._chosen()

        self._worker.submit(lambda: book.retention.place_hold(f"L{person_id}", reason), done,
                            lambda error: prompts.error(self, "Hold not placed", user_message(error)))

    def mark_left(self) -> None:
        if self._file is None:
            return
        who = self._file.learner
        if not prompts.ask(self, "Mark as left?",
                           f"{who.display_name} will be shown as no longer on roll from today. "
                           "Their file stays until its review date.", yes="Mark as left",
                           no="Cancel"):
            return
        book = self._casebook

        def done(_entry: Any) -> None:
            self._file = None  # show the file again, then the list
            self._chosen()
            self.refresh()

        self._worker.submit(lambda: book.people.mark_left(who.id), done,
                            lambda error: prompts.error(self, "Not changed", user_message(error)))

    def subject_access(self) -> None:
        if self._file is None:
            return
        person_id = self._file.learner.id
        path = prompts.save_file(self, "Save the subject access copy", "records-held.pdf",
                                 "PDF files (*.pdf)")
        if not path:
            return
        book = self._casebook
        self._worker.submit(
            lambda: book.subject_access.export(person_id, Path(path)),
            lambda r: prompts.info(self, "Subject access copy saved",
                                   f"Saved {r.pages} page(s) to {r.pdf}. {r.withheld} item(s) "
                                   f"were withheld; the reasons are in {r.log.name}. Keep that "
                                   "log; do not send it."),
            lambda error: prompts.error(self, "Not saved", user_message(error)))
