"""The case chronology: a dated, attributed timeline. Amending keeps the original in view,
struck through and marked "Amended", with the amendment and its reason beneath it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import ChronologyEntry, StepKey
from casebook.ui.kit import named
from casebook.ui.kit.palette import muted_colour
from casebook.ui.widgets.common import Banner, add_row, button_row, fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.date_field import DateTimeField
from casebook.ui.widgets.drafts import AskBeforeDiscard
from casebook.ui.widgets.panel import CasePanel

AMENDED_MARK = "[Amended]"
#: Shown as the author of an entry Casebook wrote itself (case opened, evidence added...).
SYSTEM_AUTHOR = "Casebook"


def readable(text: str, titles: dict[StepKey, str]) -> str:
    """Entries the app wrote about a step name it by its key; show its title instead."""
    if text.startswith("Response step “"):
        for key, title in titles.items():
            text = text.replace(f"“{key.value}”", f"“{title}”")
    return text


class AmendDialog(AskBeforeDiscard):
    """Correct an entry: the new text and the reason. The original is kept as it was."""

    def __init__(self, entry: ChronologyEntry, us: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setWindowTitle("Amend a chronology entry")
        self.setAccessibleName("Amend a chronology entry")
        layout = QVBoxLayout(self)
        intro = QLabel("The original entry stays in the record, marked as amended. "
                       "Your correction is added beneath it with your name, the time and the "
                       "reason.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        original = QPlainTextEdit(entry.text, self)
        original.setReadOnly(True)
        original.setMaximumHeight(original.fontMetrics().height() * 5)
        add_row(form, "Original entry:", original,
                f"Recorded {fmt_datetime(entry.recorded_at, us)} by {entry.author}")
        self.text_edit = QPlainTextEdit(entry.text, self)
        self.text_edit.setTabChangesFocus(True)
        add_row(form, "&Corrected text:", self.text_edit)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText("For example: wrong date given by the first witness")
        add_row(form, "&Reason for the change:", self.reason_edit)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("&Save amendment",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.text_edit.setFocus()

    def typed(self) -> bool:
        return (self.text_edit.toPlainText() != self.entry.text
                or bool(self.reason_edit.text().strip()))

    def draft_put_back(self) -> None:
        self.banner.show_info("What you typed before has been put back.")

    def new_text(self) -> str:
        return self.text_edit.toPlainText().strip()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _check(self) -> None:
        if not self.new_text():
            self.banner.show_error("Please enter the corrected text.")
        elif self.new_text() == self.entry.text.strip():
            self.banner.show_error("The corrected text is the same as the original.")
        elif not self.reason():
            self.banner.show_error("Please say why the entry is being amended.")
            self.reason_edit.setFocus()
        else:
            self.accept()


class ChronologyTab(CasePanel):
    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Chronology")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["When", "Entry", "Recorded by"])
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        layout.addWidget(self.tree, 1)

        row = QHBoxLayout()
        self.amend_button = QPushButton("Am&end selected entry…", self)
        self.amend_button.setEnabled(False)
        self.amend_button.clicked.connect(self.amend_selected)
        row.addWidget(self.amend_button)
        row.addStretch(1)
        self.show_system = named(
            QCheckBox("Show Casebook's &own entries", self), "showSystemEntries",
            "Show Casebook's own entries",
            help_text="Entries Casebook wrote itself: case opened, evidence and accounts added, "
                      "decisions, reports made, steps completed, corrections")
        self.show_system.setChecked(True)
        self.show_system.toggled.connect(lambda _on: self._refill())
        row.addWidget(self.show_system)
        layout.addLayout(row)
        self.tree.itemSelectionChanged.connect(self._selection_changed)

        box = QGroupBox("Add an entry", self)
        form = QFormLayout(box)
        self.text_edit = QPlainTextEdit(box)
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlaceholderText("What happened, who was involved, what was said or seen")
        self.text_edit.setMaximumHeight(self.text_edit.fontMetrics().height() * 5)
        add_row(form, "&What happened:", self.text_edit)
        self.when_edit = DateTimeField(box, us=ctx.us)
        add_row(form, "Whe&n:", button_row(self.when_edit))
        self.when_edit.setAccessibleName("When")
        self.add_button = QPushButton("&Add entry", box)
        self.add_button.clicked.connect(self.add_entry)
        form.addRow("", button_row(self.add_button))
        layout.addWidget(box)
        layout.addWidget(self.banner)
        self.entries: dict[int, ChronologyEntry] = {}
        self.amend_dialog: AmendDialog | None = None

    # ----- showing ------------------------------------------------------------------------
    def set_data(self, bundle: CaseBundle) -> None:
        super().set_data(bundle)
        self._refill()

    def _refill(self) -> None:
        bundle = self.bundle
        if bundle is None:
            return
        us = self.ctx.us
        show_system = self.show_system.isChecked()
        keep = self.selected_entry_id()
        self.tree.clear()
        self.entries = {e.id: e for e in bundle.chronology}
        amendment_of = {e.amends_id: e for e in bundle.chronology if e.amends_id is not None}
        muted = muted_colour(self)
        titles = self.ctx.step_titles()

        def make(entry: ChronologyEntry, parent: QTreeWidgetItem | None) -> QTreeWidgetItem:
            if entry.amends_id is None:
                when = fmt_datetime(entry.occurred_at, us)
                text = readable(entry.text, titles)
            else:
                when = f"Amended {fmt_datetime(entry.recorded_at, us)}"
                text = f"Amendment: {entry.text}\nReason: {entry.amendment_reason or ''}"
            if entry.is_amended:
                text = f"{AMENDED_MARK} {text}"
            author = SYSTEM_AUTHOR if entry.system else entry.author
            item = QTreeWidgetItem([when, text, author])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.id)
            item.setToolTip(1, f"Recorded {fmt_datetime(entry.recorded_at, us)} by {entry.author}")
            if entry.system:
                item.setToolTip(2, "Written by Casebook when "
                                   f"{entry.author} made the change")
                for column in range(3):
                    font = item.font(column)
                    font.setItalic(True)
                    item.setFont(column, font)
            if entry.is_amended:
                for column in range(3):
                    font = item.font(column)
                    font.setStrikeOut(True)
                    item.setFont(column, font)
                    item.setForeground(column, muted)
                item.setToolTip(1, "This entry was amended; the correction is shown beneath it.")
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            follow = amendment_of.get(entry.id)
            if follow is not None:
                make(follow, item)
            return item

        for entry in bundle.chronology:
            if entry.amends_id is None and (show_system or not entry.system):
                make(entry, None)
        self.tree.expandAll()
        if keep is not None:
            self._select(keep)

    def _select(self, entry_id: int) -> None:
        iterator = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while iterator:
            item = iterator.pop()
            if item.data(0, Qt.ItemDataRole.UserRole) == entry_id:
                self.tree.setCurrentItem(item)
                return
            iterator.extend(item.child(i) for i in range(item.childCount()))

    def selected_entry_id(self) -> int | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        value = item.data(0, Qt.ItemDataRole.UserRole)
        return int(value) if value is not None else None

    def _selection_changed(self) -> None:
        entry = self.entries.get(self.selected_entry_id() or -1)
        self.amend_button.setEnabled(entry is not None and not entry.is_amended)

    def clear(self) -> None:
        super().clear()
        self.tree.clear()
        self.entries = {}
        self.text_edit.clear()
        if self.amend_dialog is not None:
            self.amend_dialog.drop()

    # ----- changing -----------------------------------------------------------------------
    def add_entry(self) -> None:
        text = self.text_edit.toPlainText().strip()
        if not text:
            self.banner.show_error("Please write what happened before adding the entry.")
            self.text_edit.setFocus()
            return
        when = self.when_edit.value()
        cases, case_id = self.ctx.casebook.cases, self.ctx.case_id
        settings, key = self.ctx.casebook.settings, self.ctx.draft_key("chronology")

        def job() -> object:
            entry = cases.add_entry(case_id, text, when)
            settings.save_draft(key, "")
            return entry

        def done(_entry: object) -> None:
            self.text_edit.clear()
            self.when_edit.set_now()

        self.save(job, done, "Entry added to the chronology.")

    def amend_selected(self) -> None:
        entry = self.entries.get(self.selected_entry_id() or -1)
        if entry is None or entry.is_amended:
            return
        dialog = AmendDialog(entry, self.ctx.us, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.keep_as(self.ctx.worker, self.ctx.casebook.settings,
                       self.ctx.draft_key(f"amend:{entry.id}"))
        self.amend_dialog = dialog

        def accepted() -> None:
            text, reason = dialog.new_text(), dialog.reason()
            cases = self.ctx.casebook.cases
            self.save(lambda: cases.amend_entry(entry.id, text, reason),
                      message="Amendment saved. The original entry is kept, marked as amended.")

        def finished() -> None:
            self.amend_dialog = None

        dialog.accepted.connect(accepted)
        dialog.finished.connect(finished)
        dialog.open()

    # ----- drafts -------------------------------------------------------------------------
    def drafts(self) -> dict[str, str]:
        return {self.ctx.draft_key("chronology"): self.text_edit.toPlainText()}

    def restore_drafts(self, drafts: dict[str, str | None]) -> None:
        text = drafts.get(self.ctx.draft_key("chronology"))
        if text and not self.text_edit.toPlainText().strip():
            self.text_edit.setPlainText(text)
            self.banner.show_info("Unsaved text from last time has been put back in the box "
                                  "below. Add it, or clear it if it is no longer needed.")
