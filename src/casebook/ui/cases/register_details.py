"""Under the case's People tab: the selected person's family (from the register) and, for a
member of staff who is the subject of an allegation, its outcome and review date.

The review date follows the retention rule (the later of 10 years from the allegation and the
normal pension age); a malicious allegation is flagged for removal and is in the retention
review queue as soon as the outcome is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from casebook.domain import ALLEGATION_OUTCOMES, PersonKind, PersonRole
from casebook.ui.kit import Banner, Op, fmt_date, named
from casebook.ui.kit import field as form_field
from casebook.ui.kit.forms import button, hbox
from casebook.ui.worker import DbWorker

__all__ = ["RegisterDetails", "OUTCOME_WORDS"]

#: Each outcome in words a DSL would use (Keeping children safe in education, part 4).
OUTCOME_WORDS = {
    "substantiated": "Substantiated: there is enough evidence to prove it",
    "unsubstantiated": "Unsubstantiated: not enough evidence to prove or disprove it",
    "unfounded": "Unfounded: no evidence or basis to support it",
    "false": "False: there is enough evidence to disprove it",
    "malicious": "Malicious: a deliberate act to deceive",
}
assert set(OUTCOME_WORDS) == set(ALLEGATION_OUTCOMES)


@dataclass(frozen=True)
class _Details:
    person_id: int
    family: list[tuple[str, Any]]  # (words, RegisterEntry)
    allegation: Any  # RetentionItem or None


def review_text(item: Any, us: bool = False) -> str:
    """The allegation's review date (or flag) in plain words."""
    if item.flag.startswith("malicious"):
        return ("Malicious: flagged for removal from personnel records. It is in the "
                "retention review queue now.")
    when = fmt_date(item.review_on, us) if item.review_on else "unknown"
    text = (f"Kept until its review on {when}: the later of 10 years from the allegation and "
            "the normal pension age.")
    if item.flag:
        text += " No date of birth is recorded, so check the normal pension age."
    if item.held:
        text += " A legal hold stops it being purged."
    return text


class RegisterDetails(QWidget):
    """The family line and the allegation outcome box for the selected person on a case."""

    saved = Signal()

    def __init__(self, worker: DbWorker, casebook: Any, parent: QWidget | None = None, *,
                 us: bool = False) -> None:
        super().__init__(parent)
        self._worker, self._book, self.us = worker, casebook, us
        self.person_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.family = named(QLabel(""), "caseFamily", "Family of the selected person")
        self.family.setWordWrap(True)
        self.family.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.family)
        self.box = named(QGroupBox("Outcome of the allegation"), "allegationOutcomeBox")
        form = QFormLayout(self.box)
        self.outcome = form_field(form, "Ou&tcome:", QComboBox(self.box),
                                  name="allegationOutcome",
                                  help="The outcome once the allegation has been looked into")
        self.outcome.addItem("Not decided yet", "")
        for value, words in OUTCOME_WORDS.items():
            self.outcome.addItem(words, value)
        self.save_button = button("Save o&utcome", "saveOutcome", self.save_outcome)
        self.review = named(QLabel(""), "allegationReview", "Review date")
        self.review.setWordWrap(True)
        self.review.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("", hbox(self.save_button, None))
        form.addRow("Review:", self.review)
        layout.addWidget(self.box)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        self.clear()

    def clear(self) -> None:
        self.person_id = None
        self.family.setText("")
        self.family.hide()
        self.box.hide()
        self.banner.clear()

    def show_person(self, person: Any) -> None:
        """Read the family and (for staff who are the subject of an allegation) its review."""
        self.person_id = person.id
        book, person_id, case_id = self._book, person.id, person.case_id
        staff_subject = (person.kind == PersonKind.STAFF
                         and person.role == PersonRole.ALLEGATION_SUBJECT)

        def job() -> _Details:
            register_id = book.people.register_ids(case_id).get(person_id)
            if register_id is None:  # not in the register: nothing more to show
                return _Details(person_id, [], None)
            family = book.people.family(register_id)
            item = book.retention.allegation(person_id) if staff_subject else None
            return _Details(person_id, family, item)

        Op(self, job, doing="reading the register", worker=self._worker) \
            .success(self._show).messages(self.banner).run()

    def _show(self, details: _Details) -> None:
        if details.person_id != self.person_id:
            return  # another row was chosen meanwhile
        family = " · ".join(f"{words.replace('carer', 'guardian') if self.us else words}: "
                            f"{other.display_name}" for words, other in details.family)
        self.family.setText(f"Family: {family}" if family else "")
        self.family.setVisible(bool(family))
        item = details.allegation
        self.box.setVisible(item is not None)
        if item is not None:
            self.outcome.setCurrentIndex(max(0, self.outcome.findData(item.outcome)))
            self.review.setText(review_text(item, self.us))

    def save_outcome(self) -> None:
        if self.person_id is None:
            return
        book, person_id = self._book, self.person_id
        outcome = self.outcome.currentData() or ""

        def job() -> Any:
            book.people.set_outcome(person_id, outcome)
            return _Details(person_id, [], book.retention.allegation(person_id))

        def done(details: _Details) -> None:
            if details.person_id == self.person_id and details.allegation is not None:
                self.review.setText(review_text(details.allegation, self.us))
            self.saved.emit()

        Op(self, job, doing="saving the outcome", worker=self._worker) \
            .success(done, text="Outcome saved.").messages(self.banner) \
            .busy(self.save_button).run()
