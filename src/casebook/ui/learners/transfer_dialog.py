"""Send a learner's file to their next school: choose the evidence that goes with it, see how
many files and how big before anything is written, then save the encrypted package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import ROLE_LABELS
from casebook.ui import prompts
from casebook.ui.kit import Banner, field, user_message
from casebook.ui.kit.forms import button, hbox
from casebook.ui.kit.tables import filling

ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ["Send", "Case", "Their part", "Evidence", "Size", "Other learners in the case"]


def _size(size: int) -> str:
    from casebook.services.evidence import human_size

    return human_size(size)


def summary(choices: list[Any], chosen: set[int]) -> str:
    """What goes, in words: files and their total size, and notes."""
    picked = [c for c in choices if c.id in chosen]
    files = [c for c in picked if c.kind == "file"]
    notes = len(picked) - len(files)
    total = sum(c.size for c in files)
    parts = [f"{len(files)} evidence file{'s' if len(files) != 1 else ''} "
             f"({_size(total)})"] if files else ["No evidence files"]
    if notes:
        parts.append(f"{notes} evidence note{'s' if notes != 1 else ''}")
    return (" and ".join(parts) + " will go in the package with the child protection file "
            f"and its records. Package about {_size(total + 200_000)}.")


class SendTransferDialog(QDialog):
    """Non-modal; emits ``sent`` with the SentTransfer once the package is written."""

    sent = Signal(object)
    loaded = Signal()

    def __init__(self, worker: Any, casebook: Any, person_id: int, name: str,
                 school: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.casebook, self.person_id = worker, casebook, person_id
        self.choices: list[Any] = []
        self._busy = False
        self.setWindowTitle(f"Send {name}'s file to their next school")
        self.setAccessibleName(self.windowTitle())
        form = QFormLayout()
        self.school_edit = field(form, "Receiving &school:", QLineEdit(self), name="sendSchool",
                                 help="The school the learner is moving to")
        self.school_edit.setText(school)
        self.school_edit.setMaxLength(200)
        self.name = name
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("transferEvidence")
        self.table.setAccessibleName("Evidence to send")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(lambda _item: self._update())
        self._words("learners")
        self.all_button = button("Tick &all", "tickAllEvidence", lambda: self._tick_all(True))
        self.none_button = button("&Untick all", "untickAllEvidence",
                                  lambda: self._tick_all(False))
        self.summary = QLabel("Reading the evidence on their cases…", self)
        self.summary.setObjectName("transferSummary")
        self.summary.setWordWrap(True)
        self.banner = Banner(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText("Sa&ve package…")
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(hbox(self.all_button, self.none_button, None))
        layout.addWidget(self.summary)
        layout.addWidget(self.banner)
        layout.addWidget(self.buttons)
        self.resize(760, 460)
        book = casebook

        def job() -> tuple[list[Any], str]:
            from casebook.profiles import load_profile, term

            words = term(load_profile(book.school().jurisdiction), "learners")
            return book.transfers.evidence_choices(person_id), words

        worker.submit(job, self._loaded, self._failed)

    def _words(self, learners: str) -> None:
        """Texts that name learners in the profile's own word ("students" in the US)."""
        self.intro.setText(
            f"The whole file goes: {self.name}'s chronology across their cases, as a PDF and "
            "as records the next school's Casebook can import. Tick the evidence to send "
            "with it. Evidence from cases where they were harmed or targeted is ticked. A "
            f"file from a case with other {learners} in it may name or show them: look at it "
            "before you send it.")
        self.table.setHorizontalHeaderItem(5, QTableWidgetItem(f"Other {learners} in the case"))

    # ----- the list ------------------------------------------------------------------------
    def _loaded(self, loaded: tuple[list[Any], str]) -> None:
        choices, learners = loaded
        self._words(learners)
        self.choices = choices
        self.table.blockSignals(True)
        with filling(self.table):
            self.table.setRowCount(len(choices))
            for row, choice in enumerate(choices):
                tick = QTableWidgetItem("")
                tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                              | Qt.ItemFlag.ItemIsSelectable)
                tick.setCheckState(Qt.CheckState.Checked if choice.default
                                   else Qt.CheckState.Unchecked)
                tick.setData(ROLE, choice.id)
                what = choice.name if choice.kind == "file" else f"Note: {choice.name}"
                values = [choice.case_reference, ROLE_LABELS[choice.role], what,
                          _size(choice.size) if choice.kind == "file" else "—",
                          "Yes: check it" if choice.others else "No"]
                self.table.setItem(row, 0, tick)
                for column, text in enumerate(values, start=1):
                    cell = QTableWidgetItem(text)
                    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    self.table.setItem(row, column, cell)
        self.table.blockSignals(False)
        self._update()
        self.loaded.emit()

    def chosen(self) -> set[int]:
        return {self.table.item(row, 0).data(ROLE) for row in range(self.table.rowCount())
                if self.table.item(row, 0).checkState() == Qt.CheckState.Checked}

    def _tick_all(self, on: bool) -> None:
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            self.table.item(row, 0).setCheckState(Qt.CheckState.Checked if on
                                                  else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update()

    def _update(self) -> None:
        self.summary.setText(summary(self.choices, self.chosen()) if self.choices else
                             "There is no evidence on their cases: the file and its records "
                             "go on their own.")
        self.save_button.setEnabled(not self._busy)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.banner.show_message("error", user_message(error, "writing the transfer package"))
        self._update()

    # ----- writing -------------------------------------------------------------------------
    def accept(self) -> None:
        school = self.school_edit.text().strip()
        if not school:
            self.banner.show_message("error", "Type the name of the school the learner is "
                                              "moving to.")
            self.school_edit.setFocus()
            return
        if self._busy:
            return
        path = prompts.save_file(self, "Save the transfer package", "transfer.cbx",
                                 "Casebook transfer (*.cbx)")
        if not path:
            return
        self._busy = True
        self.banner.clear()
        self.save_button.setEnabled(False)
        self.summary.setText("Writing the package… a large one can take a few minutes.")
        book, person_id, chosen = self.casebook, self.person_id, sorted(self.chosen())
        self.worker.submit(lambda: book.transfers.export(person_id, school, Path(path),
                                                         evidence=chosen),
                           self._done, self._failed)

    def _done(self, sent: Any) -> None:
        self._busy = False
        self.sent.emit(sent)
        super().accept()
