"""The school's and the referrer's contact details, printed on referrals and platform packs.

A page of the settings dialog. The words for the school number and the head follow the
school's nation (URN, SEED number, DE reference number; headteacher or principal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from casebook.domain import Jurisdiction
from casebook.ui.kit.palette import muted_colour
from casebook.ui.widgets.common import Banner, add_row, user_message
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.reports import Wording
    from casebook.services import Casebook

#: key in ``ExportService.school_details`` -> wording key of its label (or a fixed label)
FIELDS = (("address", "field_school_address"), ("urn", "field_school_urn"),
          ("headteacher", "field_headteacher"), ("phone", "Your phone number"),
          ("email", "Your email address"), ("website", "field_school_website"))


class SchoolDetailsPage(QWidget):
    """Line edits for the details, loaded and saved on the DB thread."""

    def __init__(self, worker: DbWorker, casebook: Casebook,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.casebook = casebook
        self.edits: dict[str, QLineEdit] = {}
        self._stored: dict[str, str] = {}  # as last read or saved
        form = QFormLayout(self)
        note = QLabel("Printed on referrals to the local authority and on platform report "
                      "packs, so the people who read them can reach you and check the "
                      "school.", self)
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {muted_colour(self).name()};")
        form.addRow(note)
        self.labels: dict[str, QLabel] = {}
        from casebook.reports import wording_for  # reportlab: only when Settings opens

        english = wording_for(Jurisdiction.ENGLAND)  # until the school's nation is read
        for key, words in FIELDS:
            edit = QLineEdit(self)
            edit.setMaxLength(300)
            self.labels[key] = add_row(form, f"{_label(english, words)}:", edit)
            self.edits[key] = edit
        self.save_button = QPushButton("Save &details", self)
        self.save_button.clicked.connect(self.save)
        form.addRow("", self.save_button)
        self.banner = Banner(self)
        form.addRow(self.banner)
        self.saved = QLabel(self)
        self.saved.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("", self.saved)
        self.loaded = False
        self.setEnabled(False)  # until the stored details are shown
        exports = casebook.exports
        worker.submit(lambda: (exports.school_details(), casebook.school().jurisdiction),
                      self._loaded, self._failed)

    def _loaded(self, loaded: tuple[dict[str, str], Jurisdiction]) -> None:
        from casebook.reports import wording_for

        details, jurisdiction = loaded
        wording = wording_for(jurisdiction)
        for key, words in FIELDS:
            label = _label(wording, words)
            self.labels[key].setText(f"{label}:")
            self.edits[key].setAccessibleName(label)
        for key, edit in self.edits.items():
            edit.setText(details.get(key, ""))
        self._stored = self.values()
        self.loaded = True
        self.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.banner.show_error(user_message(error))

    def values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def unsaved(self) -> bool:
        """True when details were typed and not yet saved (closing Settings asks first)."""
        return self.loaded and self.values() != self._stored

    def save(self) -> None:
        exports, values = self.casebook.exports, self.values()
        self.banner.clear()
        self.saved.clear()

        def done(_result: object) -> None:
            self._stored = values
            self.saved.setText("Saved.")

        self.worker.submit(lambda: exports.set_school_details(values), done, self._failed)


def _label(wording: Wording, words: str) -> str:
    return wording(words) if wording.has(words) else words
