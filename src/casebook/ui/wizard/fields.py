"""Inputs for a step's structured fields, built from the field specs in ``guidance/steps.toml``.

Values are plain JSON: text, ISO dates, choice values, booleans. A field with ``per = "account"``
or ``per = "person"`` repeats once for each account / person harmed and is stored as
``{field_id: {"<id>": value}}``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casebook.profiles import FieldSpec
from casebook.ui.kit.palette import muted_colour
from casebook.ui.widgets.common import add_grid_field, add_row
from casebook.ui.widgets.date_field import DateField

REQUIRED_MARK = " (required)"


def _multiline(parent: QWidget, lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().height() * 2 + 12)
    edit.setMaximumHeight(edit.fontMetrics().height() * lines + 16)
    return edit


#: Wizard dates of things that have already happened: like a date of birth, never after today.
PAST_ONLY_DATES = frozenset({"reported_on", "first_seen", "parents_informed_on"})


def make_input(spec: FieldSpec, parent: QWidget, us: bool) -> QWidget:
    if spec.kind == "multiline":
        return _multiline(parent)
    if spec.kind == "date":
        return DateField(parent, us=us, what=f"“{spec.label}”",
                         past_only=spec.id in PAST_ONLY_DATES)
    if spec.kind == "choice":
        combo = QComboBox(parent)
        # Long choices must not make the page wider than the window (they show in the list).
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        combo.addItem("Choose…", None)
        for choice in spec.choices:
            combo.addItem(choice.label, choice.value)
        return combo
    if spec.kind == "bool":
        return QCheckBox(spec.label, parent)
    return QLineEdit(parent)


def read_input(widget: QWidget) -> Any:
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip()
    if isinstance(widget, DateField):
        return widget.iso()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    raise TypeError(type(widget))


def write_input(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QPlainTextEdit):
        text = str(value or "")
        if widget.toPlainText() != text:
            widget.setPlainText(text)
    elif isinstance(widget, DateField):
        widget.set_value(value or None)
    elif isinstance(widget, QComboBox):
        index = widget.findData(value) if value is not None else 0
        widget.setCurrentIndex(max(0, index))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value or ""))


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value is False or value == {}


def _connect(widget: QWidget, slot: Any) -> None:
    if isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, DateField):
        widget.changed.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(slot)
    elif isinstance(widget, QLineEdit):
        widget.textChanged.connect(slot)


class FieldForm(QWidget):
    """The fields of one step. ``toggled(field_id, checked)`` fires only for user changes."""

    changed = Signal()
    toggled = Signal(str, bool)

    def __init__(self, specs: Sequence[FieldSpec], us: bool, parent: QWidget | None = None,
                 *, empty_items_text: str = "") -> None:
        super().__init__(parent)
        self.specs = tuple(specs)
        self.us = us
        # Required questions first, so "Please fill in…" never points below the fold.
        self.single = sorted((s for s in self.specs if not s.per), key=lambda s: not s.required)
        self.repeated = [s for s in self.specs if s.per]
        self.per = self.repeated[0].per if self.repeated else ""
        self.widgets: dict[tuple[str, str | None], QWidget] = {}
        self.item_boxes: dict[str, QGroupBox] = {}
        self.item_notes: dict[str, QLabel] = {}
        self.items: list[tuple[str, str]] = []
        self._data: dict[str, Any] = {}
        self._loading = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.items_area = QWidget(self)
        self.items_layout = QVBoxLayout(self.items_area)
        self.items_layout.setContentsMargins(0, 0, 0, 0)
        self.no_items = QLabel(empty_items_text, self.items_area)
        self.no_items.setWordWrap(True)
        # A Tab stop while shown (so the explanation is read out), and the anchor that keeps
        # the repeated fields in their place in the Tab order when they are rebuilt.
        self.no_items.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.no_items.setAccessibleName(empty_items_text or "No items")
        self.items_layout.addWidget(self.no_items)
        if self.repeated:
            layout.addWidget(self.items_area)
        else:
            self.items_area.hide()
        self.single_area = QWidget(self)
        self.form = QFormLayout(self.single_area)
        self.form.setContentsMargins(0, 0, 0, 0)
        # Questions can be long: each label sits above its field.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        #: field id -> the rows (field widget, help label) shown only when a box is ticked
        self._conditional: dict[str, list[QWidget]] = {}
        for spec in self.single:
            self._add_single(spec)
        for spec in self.single:
            if spec.shown_when and (spec.shown_when, None) in self.widgets:
                box = self.widgets[(spec.shown_when, None)]
                if isinstance(box, QCheckBox):
                    box.toggled.connect(lambda _on: self._update_conditional())
        self._update_conditional()
        layout.addWidget(self.single_area)
        if not self.single:
            self.single_area.hide()

    # ----- building -----------------------------------------------------------------------
    def _label(self, spec: FieldSpec, colon: bool = False) -> str:
        text = spec.label + (REQUIRED_MARK if spec.required else "")
        if colon and not text.endswith(("?", ":")):
            text += ":"
        return text

    def _add_single(self, spec: FieldSpec) -> None:
        widget = make_input(spec, self.single_area, self.us)
        self.widgets[(spec.id, None)] = widget
        self._wire(widget, spec, None)
        if isinstance(widget, QCheckBox):
            widget.setText(self._label(spec))
            widget.setAccessibleName(spec.label)
            if spec.help:
                widget.setToolTip(spec.help)
                widget.setAccessibleDescription(spec.help)
            self.form.addRow(widget)
        else:
            text = self._label(spec, colon=True)
            add_row(self.form, text, widget, spec.help, wrap=len(text) > 90)
        rows: list[QWidget] = [widget]
        if spec.help:
            hint = QLabel(spec.help, self.single_area)
            hint.setWordWrap(True)
            hint.setStyleSheet(f"color: {muted_colour(self).name()};")
            self.form.addRow(hint)
            rows.append(hint)
        if spec.shown_when:
            self._conditional[spec.id] = rows

    def _update_conditional(self) -> None:
        """Questions asked only when a box is ticked (``shown_when``) follow that box; what
        was typed stays stored either way."""
        for spec in self.single:
            rows = self._conditional.get(spec.id)
            box = self.widgets.get((spec.shown_when, None)) if rows else None
            if rows and isinstance(box, QCheckBox):
                for widget in rows:
                    self.form.setRowVisible(widget, box.isChecked())

    def _wire(self, widget: QWidget, spec: FieldSpec, item: str | None) -> None:
        _connect(widget, self._emit_changed)
        if isinstance(widget, QCheckBox) and item is None:
            widget.toggled.connect(lambda checked, fid=spec.id: self._emit_toggle(fid, checked))

    def _emit_changed(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()

    def _emit_toggle(self, field_id: str, checked: bool) -> None:
        if not self._loading:
            self.toggled.emit(field_id, checked)

    def set_items(self, items: Sequence[tuple[str, str]]) -> None:
        """(key, title) of each account or person the repeated fields are asked for."""
        items = list(items)
        if items == self.items or not self.repeated:
            return
        current = self.values()
        for box in self.item_boxes.values():
            box.setParent(None)
            box.deleteLater()
        self.item_boxes.clear()
        self.item_notes.clear()
        for key in [k for k in self.widgets if k[1] is not None]:
            del self.widgets[key]
        self.items = items
        for key, title in items:
            box = QGroupBox(title, self.items_area)
            box.setAccessibleName(title)
            grid = QGridLayout(box)
            grid.setColumnStretch(1, 1)
            grid.setColumnStretch(3, 1)
            row, column = 0, 0
            for spec in self.repeated:
                widget = make_input(spec, box, self.us)
                self.widgets[(spec.id, key)] = widget
                self._wire(widget, spec, key)
                name = f"{spec.label}, {title}"
                wide = spec.kind == "multiline"
                if wide and column:
                    row, column = row + 1, 0
                if isinstance(widget, QCheckBox):
                    widget.setText(self._label(spec))
                    grid.addWidget(widget, row, column, 1, 4 if wide else 2)
                else:
                    label = add_grid_field(grid, column, self._label(spec, colon=True), widget,
                                           row)
                    if len(label.text()) > 24:  # long labels wrap rather than widen the page
                        label.setWordWrap(True)
                        metrics = label.fontMetrics()
                        label.setMinimumWidth(metrics.horizontalAdvance("0" * 14))
                        label.setMaximumWidth(metrics.horizontalAdvance("0" * 24))
                    if wide:  # a long answer takes the whole line
                        grid.removeWidget(widget)
                        grid.addWidget(widget, row, 1, 1, 3)
                widget.setAccessibleName(name)
                if widget.focusProxy() is not None:
                    widget.focusProxy().setAccessibleName(name)
                if spec.help:
                    widget.setToolTip(spec.help)
                    widget.setAccessibleDescription(spec.help)
                if wide or column:
                    row, column = row + 1, 0
                else:
                    column = 2
            note = QLabel(box)
            note.setWordWrap(True)
            note.hide()
            grid.addWidget(note, row + (1 if column else 0), 0, 1, 4)
            self.item_notes[key] = note
            self.item_boxes[key] = box
            self.items_layout.addWidget(box)
        self.no_items.setVisible(not items)
        # New widgets join the end of the window's Tab chain; put them where they are shown.
        previous: QWidget = self.no_items
        for key, _title in items:
            for spec in self.repeated:
                widget = self.widgets[(spec.id, key)]
                target = widget.focusProxy() or widget
                QWidget.setTabOrder(previous, target)
                previous = target
        self.set_values(current)

    # ----- values -------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        data = copy.deepcopy(self._data)
        for spec in self.single:
            data[spec.id] = read_input(self.widgets[(spec.id, None)])
        for spec in self.repeated:
            per_item = dict(data.get(spec.id) or {})
            for key, _title in self.items:
                per_item[key] = read_input(self.widgets[(spec.id, key)])
            data[spec.id] = per_item
        return data

    def set_values(self, data: dict[str, Any]) -> None:
        """Show stored values (does not emit changed/toggled). Unknown keys are kept."""
        self._loading = True
        try:
            self._data = {k: copy.deepcopy(v) for k, v in data.items()
                          if k in {s.id for s in self.specs}}
            for spec in self.single:
                write_input(self.widgets[(spec.id, None)], data.get(spec.id))
            for spec in self.repeated:
                per_item = data.get(spec.id) or {}
                for key, _title in self.items:
                    write_input(self.widgets[(spec.id, key)], per_item.get(key))
        finally:
            self._loading = False
        self._update_conditional()

    def widget(self, field_id: str, item: str | int | None = None) -> QWidget:
        return self.widgets[(field_id, None if item is None else str(item))]

    def set_value(self, field_id: str, value: Any, item: str | int | None = None) -> None:
        """Set one input as if typed (emits changed, and toggled for a checkbox)."""
        write_input(self.widget(field_id, item), value)

    def invalid_dates(self) -> list[str]:
        """One message per date that cannot be used (not a date, or a future "happened on")."""
        bad = []
        for widget in self.widgets.values():
            problem = widget.problem() if isinstance(widget, DateField) else None
            if problem is not None and problem not in bad:
                bad.append(problem)
        return bad

    def first_problem(self) -> QWidget | None:
        """The first field (as shown) that stops the step being done: required and empty, or
        a date that cannot be used."""
        data = self.values()
        for spec in self.repeated + self.single:  # repeated fields are shown first
            if spec.per:
                keys: list[str | None] = [key for key, _ in self.items]
            else:
                keys = [None]
            for key in keys:
                widget = self.widgets.get((spec.id, key))
                if widget is None:
                    continue
                value = data.get(spec.id)
                if key is not None:
                    value = (value or {}).get(key)
                if (spec.required and is_empty(value)) or \
                        (isinstance(widget, DateField) and not widget.is_valid()):
                    return widget
        return None

    def missing_required(self) -> list[str]:
        data = self.values()
        missing = []
        for spec in self.specs:
            if not spec.required:
                continue
            value = data.get(spec.id)
            if spec.per:
                if any(is_empty((value or {}).get(key)) for key, _ in self.items):
                    missing.append(spec.label)
            elif is_empty(value):
                missing.append(spec.label)
        return missing
