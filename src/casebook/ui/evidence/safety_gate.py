"""The evidence safety gate.

Before any file enters the casebook (chosen, dropped or pasted) the user answers one question:
could it contain a nude or sexual image of anyone under 18? Only "No, it does not" lets the file
in. "It might" stores nothing: the user records a description and the web address instead, and
the screen shows who to tell (police and CEOP/IWF in the UK; law enforcement and NCMEC in the US).

The dialogs are opened with ``open()`` (window-modal, not a nested event loop), so the caller
carries on from signals and GUI tests can press the real buttons.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.profiles import Agency, SafetyGate
from casebook.ui.widgets.common import Banner, add_row, bullet_text, heading
from casebook.ui.widgets.drafts import AskBeforeDiscard

SAFE = "safe"
MIGHT = "might"


class SafetyGateDialog(QDialog):
    """Asks the profile's safety question. ``answered`` carries SAFE or MIGHT (not on cancel)."""

    answered = Signal(str)

    def __init__(self, gate: SafetyGate, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.answer: str | None = None
        self.setWindowTitle(gate.title)
        self.setAccessibleName(gate.title)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(gate.title, self))
        about = QLabel(f"You are adding {what}.", self)
        about.setWordWrap(True)
        layout.addWidget(about)
        self.question = QLabel(gate.question, self)
        self.question.setWordWrap(True)
        font = self.question.font()
        font.setBold(True)
        self.question.setFont(font)
        self.question.setAccessibleName(gate.question)
        layout.addWidget(self.question)
        note = QLabel("If you are not sure, choose “It might”. Casebook then keeps only a "
                      "description and the web address, never the file.", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        # Plain buttons, not a QDialogButtonBox: that would make "No" the default button, and
        # Enter must never answer the safety question.
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.no_button = QPushButton("&No, it does not", self)
        self.might_button = QPushButton("It &might", self)
        self.cancel_button = QPushButton("Cancel", self)
        for button in (self.no_button, self.might_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setDefault(False)
            buttons.addWidget(button)
        self.no_button.setAccessibleDescription("The file holds no such image: add it.")
        self.might_button.setAccessibleDescription(
            "Do not store the file; record a description and web address instead.")
        self.no_button.clicked.connect(lambda: self._answer(SAFE))
        self.might_button.clicked.connect(lambda: self._answer(MIGHT))
        self.cancel_button.clicked.connect(self.reject)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        # Start on Cancel: neither answer should be one key press away by accident.
        self.cancel_button.setFocus()

    def _answer(self, answer: str) -> None:
        self.answer = answer
        self.accept()
        self.answered.emit(answer)


class UnsafeNoteDialog(AskBeforeDiscard):
    """After "It might": a description and web address are recorded; the file is not."""

    def __init__(self, gate: SafetyGate, learner: str = "learner",
                 parent: QWidget | None = None, *, plain_note: bool = False) -> None:
        super().__init__(parent)
        self.gate = gate
        title = "Add a link or description" if plain_note else "Record a description instead"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("A link or description" if plain_note
                                 else "Nothing has been stored", self))
        intro = QLabel("Record something seen online without storing a file: what it was and "
                       "where it can be found." if plain_note else
                       "Do not open the file again. Write a short, factual description of what "
                       "was reported, without describing the image in detail, and the web "
                       "address where it can be found.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText(
            f"For example: a {learner} reported an image posted on the account")
        add_row(form, "&Description:", self.description_edit)
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("https://…")
        add_row(form, "&Web address:", self.url_edit)
        self.source_edit = QLineEdit(self)
        add_row(form, "Where it came fro&m:" if plain_note else "&Reported by:", self.source_edit)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        buttons = QDialogButtonBox(self)
        self.record_button = buttons.addButton("Sa&ve" if plain_note else "&Record description",
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 360)
        self.description_edit.setFocus()

    def draft_put_back(self) -> None:
        self.banner.show_info("What you typed before has been put back.")

    def description(self) -> str:
        return self.description_edit.toPlainText().strip()

    def url(self) -> str:
        return self.url_edit.text().strip()

    def source(self) -> str:
        return self.source_edit.text().strip()

    def _check(self) -> None:
        if not self.description():
            self.banner.show_error("Please write a short description of what was reported.")
            self.description_edit.setFocus()
            return
        self.accept()


def agency_line(agency: Agency) -> str:
    parts = [agency.name]
    contact = ", ".join(p for p in (agency.phone, agency.website) if p)
    if contact:
        parts.append(f"({contact})")
    return " ".join(parts) + f": {agency.when_to_use}"


class RoutePanel(QFrame):
    """Who to tell, shown on the page after "It might" (police, CEOP/IWF or NCMEC)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("What to do now")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = heading("What to do now", self)
        top.addWidget(self.title, 1)
        self.hide_button = QPushButton("&Hide", self)
        self.hide_button.setAccessibleName("Hide what to do now")
        self.hide_button.clicked.connect(self.hide)
        top.addWidget(self.hide_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.body.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout.addWidget(self.body)
        self.hide()

    def show_route(self, gate: SafetyGate) -> None:
        text = (bullet_text(gate.instructions) + "\n\nWho to contact:\n"
                + bullet_text([agency_line(a) for a in gate.agencies]))
        self.body.setText(text)
        self.body.setAccessibleName(text)
        self.show()

    def text(self) -> str:
        return self.body.text()
