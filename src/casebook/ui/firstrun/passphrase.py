"""A new passphrase typed twice, with a strength meter and one line of plain advice.

Used by the first-run wizard and by Settings (add a person, change a passphrase).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from casebook.vault.strength import ACCEPTABLE_SCORE, passphrase_strength

SCORE_WORDS = ("Very weak", "Too weak", "Acceptable", "Good", "Strong")
_SCORE_COLOURS = ("#c62828", "#e65100", "#9e9d24", "#2e7d32", "#1b5e20")


class PassphraseFields(QWidget):
    """Passphrase + confirmation + meter. ``changed`` fires on every keystroke."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, label: str = "&Passphrase:",
                 confirm_label: str = "&Type it again:") -> None:
        super().__init__(parent)
        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("New passphrase")
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit.setAccessibleName("Type the new passphrase again")
        self.show_check = QCheckBox("S&how what I type", self)
        self.show_check.setAccessibleName("Show the passphrase")
        self.show_check.toggled.connect(self._toggle_show)

        self.meter = QProgressBar(self)
        self.meter.setRange(0, 5)
        self.meter.setValue(0)
        self.meter.setTextVisible(False)
        self.meter.setFormat("")
        self.meter.setAccessibleName("Passphrase strength")
        self.meter.setFixedHeight(10)
        self.advice = QLabel(self)
        self.advice.setWordWrap(True)
        self.advice.setAccessibleName("Passphrase advice")
        self.match_label = QLabel(self)
        self.match_label.setWordWrap(True)
        self.match_label.setAccessibleName("Do the passphrases match")

        self.advice.setTextFormat(Qt.TextFormat.RichText)
        form = QFormLayout()
        self.form = form  # other dialogs add their own rows (a name) so the columns line up
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        first = QLabel(label, self)
        first.setBuddy(self.passphrase_edit)
        second = QLabel(confirm_label, self)
        second.setBuddy(self.confirm_edit)
        form.addRow(first, self.passphrase_edit)
        strength = QLabel("Strength:", self)
        form.addRow(strength, self.meter)
        form.addRow("", self.advice)
        form.addRow(second, self.confirm_edit)
        form.addRow("", self.match_label)
        form.addRow("", self.show_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)

        self.setTabOrder(self.passphrase_edit, self.confirm_edit)
        self.setTabOrder(self.confirm_edit, self.show_check)
        self.passphrase_edit.textChanged.connect(self._update)
        self.confirm_edit.textChanged.connect(self._update)
        self._update()

    # ----- public ------------------------------------------------------------------------
    def passphrase(self) -> str:
        return self.passphrase_edit.text()

    def score(self) -> int:
        return passphrase_strength(self.passphrase())[0]

    def is_acceptable(self) -> bool:
        text = self.passphrase()
        return bool(text) and self.score() >= ACCEPTABLE_SCORE and text == self.confirm_edit.text()

    def problem(self) -> str:
        """Why the passphrase cannot be used yet ("" when it can)."""
        text = self.passphrase()
        score, advice = passphrase_strength(text)
        if score < ACCEPTABLE_SCORE:
            return advice
        if text != self.confirm_edit.text():
            return "The two passphrases are not the same yet."
        return ""

    def clear(self) -> None:
        self.passphrase_edit.clear()
        self.confirm_edit.clear()
        self.show_check.setChecked(False)

    # ----- internals --------------------------------------------------------------------
    def _toggle_show(self, on: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        self.passphrase_edit.setEchoMode(mode)
        self.confirm_edit.setEchoMode(mode)

    def _update(self) -> None:
        text = self.passphrase()
        score, advice = passphrase_strength(text)
        self.meter.setValue(score + 1 if text else 0)
        word = SCORE_WORDS[score] if text else "Nothing typed yet"
        self.meter.setFormat(word)
        self.meter.setAccessibleDescription(f"{word}. {advice}")
        colour = _SCORE_COLOURS[score] if text else "transparent"
        self.meter.setStyleSheet(
            f"QProgressBar {{ border: 1px solid palette(mid); border-radius: 4px; }}"
            f" QProgressBar::chunk {{ background: {colour}; border-radius: 3px; }}")
        if text:
            extra = "" if advice.startswith(word) else " " + html.escape(advice)
            self.advice.setText(f"<b>{word}.</b>{extra}")
        else:
            self.advice.setText(html.escape(advice))
        confirm = self.confirm_edit.text()
        if not confirm:
            self.match_label.setText("")
        elif confirm == text:
            self.match_label.setText("✓ The two passphrases match.")
        else:
            self.match_label.setText("The two passphrases are not the same yet.")
        self.changed.emit()
