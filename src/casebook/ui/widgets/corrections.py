"""Correcting or removing a record on a case (issue 11, item 1).

A correction never overwrites silently: the dialog shows the record as it is, asks what
should change and why, and the service keeps the original beside the correction. Removing a
person or account added by mistake is a correction too, with a reason. The dialog stays open
(with what was typed) until the change is saved, so a refusal loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.services.corrections import Correction
from casebook.ui.kit import Banner, Op, fmt_datetime, named
from casebook.ui.kit import field as form_field
from casebook.ui.kit.forms import button, hbox
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.drafts import AskBeforeDiscard
from casebook.ui.widgets.labels import fill_combo, set_combo_value
from casebook.ui.worker import DbWorker


@dataclass(frozen=True)
class Fix:
    """One correctable field: the service's name for it, its label, and how it is typed."""

    name: str
    label: str
    kind: str = "line"  # line, text, choice (a yes/no answer too), date
    choices: Mapping[Any, str] = field(default_factory=dict)


class CorrectionDialog(AskBeforeDiscard):
    """Shows a record's fields filled in, plus "Why is this being corrected?".

    Escape, Cancel and the close button ask before throwing away a changed field or a typed
    reason (a lock closes it without asking).

    ``job(changes, reason)`` returns the worker job that saves the correction; only fields
    whose value changed are sent.
    """

    def __init__(self, parent: QWidget, title: str, fixes: Sequence[Fix],
                 current: Mapping[str, Any], job: Callable[[dict[str, Any], str], Callable[[], Any]],
                 worker: DbWorker, *, us: bool = False, fill: Callable[[str], str] | None = None,
                 intro: str = "", confirm: str = "Save &correction",
                 reason_label: str = "&Why is this being corrected?") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        named(self, "correctionDialog", title)
        self._job = job
        self._worker = worker
        self._current = dict(current)
        self.editors: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        intro = intro or ("Change what is wrong. The original stays in the case's corrections, "
                          "with your name, the date and your reason, and exports print the "
                          "corrected value.")
        self.setMinimumWidth(480)
        if intro:
            note = QLabel(intro, self)
            note.setWordWrap(True)
            layout.addWidget(note)
        form = QFormLayout()
        if len(fixes) > 8:  # many answers (one per person, say): the fields scroll
            area = QScrollArea(self)
            area.setWidgetResizable(True)
            area.setFrameShape(QScrollArea.Shape.NoFrame)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            inner = QWidget(area)
            fields = QFormLayout(inner)
            fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # labels above
            area.setWidget(inner)
            self.setMinimumWidth(560)
            area.setMinimumHeight(min(520, 40 * len(fixes)))
            layout.addWidget(area, 1)
        else:
            fields = form
        for fix in fixes:
            self.editors[fix.name] = form_field(fields, fix.label, self._editor(fix, us, fill),
                                                name=f"fix-{fix.name}")
            self._set(fix, current.get(fix.name))
        self.reason_edit = form_field(form, reason_label, QLineEdit(self), name="reasonEdit",
                                      help="Kept with the correction, with your name and the "
                                           "date. The original is never lost.")
        layout.addLayout(form)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(confirm)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._fixes = {fix.name: fix for fix in fixes}
        self.result_value: Any = None

    def _editor(self, fix: Fix, us: bool, fill: Callable[[str], str] | None) -> QWidget:
        if fix.kind == "text":
            edit = QPlainTextEdit(self)
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(edit.fontMetrics().height() * 5)
            return edit
        if fix.kind == "choice":
            combo = QComboBox(self)
            fill_combo(combo, dict(fix.choices), fill)
            return combo
        if fix.kind == "date":
            return DateField(self, us=us)
        return QLineEdit(self)

    def _set(self, fix: Fix, value: Any) -> None:
        editor = self.editors[fix.name]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText("" if value is None else str(value))
        elif isinstance(editor, QComboBox):
            if value in (None, ""):  # nothing recorded: keep it so unless the user chooses
                editor.insertItem(0, "Not recorded", None)
                editor.setCurrentIndex(0)
            else:
                set_combo_value(editor, value)
        elif isinstance(editor, DateField):
            editor.set_value(value)
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))

    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText().strip()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, DateField):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the record's."""
        out = {}
        for name in self.editors:
            new = self.value(name)
            if _comparable(new) != _comparable(self._current.get(name)):
                out[name] = new
        return out

    def typed(self) -> bool:
        return bool(self.reason_edit.text().strip()) or bool(self.changes())

    def draft_put_back(self) -> None:
        self.banner.show_info("What you typed before has been put back.")

    def submit(self) -> None:
        for name, editor in self.editors.items():
            if isinstance(editor, DateField) and not editor.is_valid():
                self.banner.show_message("wrong", f"{self._fixes[name].label.replace('&', '')}"
                                         " is not a date Casebook understands.")
                editor.setFocus()
                return
        changes = self.changes()
        if self.editors and not changes:
            self.banner.show_message("wrong", "Nothing was changed, so there is nothing to "
                                     "correct.")
            return
        reason = self.reason_edit.text().strip()
        if not reason:
            self.banner.show_message("wrong", "Please say why, in a few words. It is kept with "
                                     "the record.")
            self.reason_edit.setFocus()
            return
        Op(self, self._job(changes, reason), doing="saving a correction", worker=self._worker) \
            .success(self._saved).messages(self.banner).busy(self.ok_button).run()

    def _saved(self, result: Any) -> None:
        self.result_value = result
        self.accept()


def removal_dialog(parent: QWidget, what: str, label: str,
                   job: Callable[[dict[str, Any], str], Callable[[], Any]],
                   worker: DbWorker) -> CorrectionDialog:
    """Ask why a person or account added by mistake is being removed."""
    return CorrectionDialog(
        parent, f"Remove {what}", (), {}, job, worker, confirm="&Remove",
        reason_label="&Why is it being removed?",
        intro=f"Remove {label} from this case? Only do this for something added by mistake. "
              "It is kept, with your reason, in the case's corrections, and no longer shown "
              "or exported.")


def correction_buttons(table: QTableWidget, what: str, correct: Callable[[], None],
                       remove: Callable[[], None] | None = None,
                       history: Callable[[], None] | None = None
                       ) -> tuple[QHBoxLayout, QPushButton, QPushButton | None]:
    """"Correct…" (and "Remove…") under a table, enabled while a row is selected."""
    correct_button = button("Correct…", f"correct-{what}", correct,
                            help=f"Correct the selected {what}; the original is kept")
    remove_button = None if remove is None else button(
        "Remove…", f"remove-{what}", remove,
        help=f"Remove the selected {what} if it was added by mistake (with a reason)")
    buttons = [b for b in (correct_button, remove_button) if b is not None]

    def selection() -> None:
        chosen = bool(table.selectionModel() and table.selectionModel().selectedRows())
        for b in buttons:
            b.setEnabled(chosen)

    table.itemSelectionChanged.connect(selection)
    selection()
    extra = [] if history is None else [
        None, button("Corrections…", f"history-{what}", history,
                     help=f"Every correction of a {what} on this case, with the originals")]
    row = hbox(*buttons, *extra) if extra else hbox(*buttons, None)
    return row, correct_button, remove_button


def describe_correction(correction: Correction, us: bool = False) -> str:
    """One correction in words: when, who, what it said before, and why."""
    when = fmt_datetime(correction.made_at, us)
    if correction.removal:
        return (f"{when}, {correction.made_by}: removed (added by mistake). "
                f"Reason: {correction.reason}")
    changes = "; ".join(
        f"{name.replace('_', ' ')} was “{_plain(correction.before.get(name))}”, now "
        f"“{_plain(correction.after.get(name))}”" for name in correction.fields)
    return f"{when}, {correction.made_by}: {changes}. Reason: {correction.reason}"


def _comparable(value: Any) -> Any:
    """A value as recorded, for "did it change?": enums by value, dates as ISO text, an empty
    text as nothing (a "No" answer stays False)."""
    value = getattr(value, "value", value)
    if isinstance(value, date):
        return value.isoformat()
    return None if value is None or value == "" else value


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):  # an answer per person or account: the answers named
        return "; ".join(_plain(v) for v in value.values()) or "nothing"
    return "nothing" if value in (None, "") else str(value)


def mark_corrected(table: QTableWidget, kind: str, corrections: Sequence[Correction],
                   us: bool = False) -> None:
    """Give each corrected row a tooltip with its originals (the record shows the new value)."""
    by_record: dict[int, list[Correction]] = {}
    for correction in corrections:
        if correction.record_kind == kind and not correction.removal:
            by_record.setdefault(correction.record_id, []).append(correction)
    for row in range(table.rowCount()):
        first = table.item(row, 0)
        record_id = first.data(Qt.ItemDataRole.UserRole) if first is not None else None
        history = by_record.get(record_id) if record_id is not None else None
        if not history:
            continue
        tip = "Corrected — the original is kept:\n" + "\n".join(
            describe_correction(c, us) for c in history)
        for column in range(table.columnCount()):
            item = table.item(row, column)
            if item is not None:
                item.setToolTip(tip)


class CorrectionsDialog(QDialog):
    """Every correction of one kind of record on the case: the originals, who, when, why."""

    def __init__(self, parent: QWidget, title: str, corrections: Sequence[Correction],
                 labels: Mapping[int, str], us: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        named(self, "correctionsDialog", title)
        layout = QVBoxLayout(self)
        self.list = named(QListWidget(self), "correctionsList", title)
        self.list.setWordWrap(True)
        for correction in corrections:
            record = labels.get(correction.record_id, f"record {correction.record_id}")
            self.list.addItem(f"{record} — {describe_correction(correction, us)}")
        if not corrections:
            self.list.addItem("Nothing has been corrected.")
        layout.addWidget(self.list)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.resize(640, 360)

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
