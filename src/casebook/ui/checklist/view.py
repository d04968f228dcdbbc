"""The preventative-policy checklist screen.

Sections with their progress, the items of the chosen review (filter by owner, status or
overdue reviews), an editor for one item, the action plan, a comparison between two yearly
reviews, starting the next yearly review and the PDF for governors. Every database call runs on
the DB worker; results come back as plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.services.checklist import (
    NOT_APPLICABLE,
    STATUS_LABELS,
    STATUSES,
    ActionPlanEntry,
    ChecklistItem,
    ChecklistReview,
    ChecklistService,
    ReviewComparison,
    ReviewProgress,
)
from casebook.ui import prompts
from casebook.ui.kit import Banner, LiveView, Op, field, fmt_date, named
from casebook.ui.kit.charts import Segment, StackedBarChart
from casebook.ui.kit.forms import EditGuard, button, hbox
from casebook.ui.kit.palette import SERIES, colour, muted_colour
from casebook.ui.kit.tables import cell as _cell
from casebook.ui.kit.tables import filling, read_only_table
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.drafts import FormDraft, ask_to_discard, put_back_pending
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook

__all__ = ["ChecklistView", "ChecklistBundle"]

ITEM_ROLE = Qt.ItemDataRole.UserRole


def _progress_style(widget: QWidget) -> str:
    """A light bar so the "3 of 4" text reads on both parts of it (dark: the reverse)."""
    back = widget.palette().color(widget.backgroundRole()).name()
    text = widget.palette().color(widget.foregroundRole()).name()
    chunk = colour("done", widget)
    tint = f"rgba({chunk.red()}, {chunk.green()}, {chunk.blue()}, 70)"
    return (f"QProgressBar {{ border: 1px solid palette(mid); border-radius: 3px; "
            f"background: {back}; color: {text}; text-align: center; }} "
            f"QProgressBar::chunk {{ background: {tint}; }}")


@dataclass(frozen=True)
class ChecklistBundle:
    """Everything the screen shows for one review, read in one go on the worker."""

    current_id: int
    reviews: tuple[ChecklistReview, ...]
    review: ChecklistReview
    items: tuple[ChecklistItem, ...]
    progress: ReviewProgress
    plan: tuple[ActionPlanEntry, ...]
    today: date
    suggested_label: str


def _table(name: str, columns: list[str]) -> QTableWidget:
    return read_only_table(columns, name)


def _change_text(change: float | int | None, widget: QWidget) -> tuple[str, QColor | None]:
    if change is None:
        return "–", None
    if change == 0:
        return "no change", None
    number = f"{abs(change):g}" if isinstance(change, int) else f"{abs(change):.1f}"
    if change > 0:
        return "▲ up " + number, colour("done", widget)
    return "▼ down " + number, colour("warning", widget)


def _level(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


class ChecklistView(LiveView):
    """The checklist screen. Signals report what happened, for the main window and tests."""

    watches = frozenset({"checklist"})
    loaded = Signal(int)  # review id now shown
    item_saved = Signal(str)  # item id
    review_started = Signal(int)  # new review id
    compared = Signal(object)  # ReviewComparison
    exported = Signal(str)  # path of the PDF

    def __init__(self, worker: DbWorker, casebook: Casebook,
                 service: ChecklistService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, parent)
        named(self, "checklistView", "Preventative-policy checklist")
        self._service = service or casebook.checklist
        self._bundle: ChecklistBundle | None = None
        self._review_id: int | None = None  # the review to show; None: the current one
        self._selected_item: str | None = None
        self._section_filter: str | None = None
        self._filling = False

        outer = QVBoxLayout(self)
        outer.addLayout(self._build_top())
        outer.addWidget(self._build_new_review_panel())
        outer.addWidget(self._build_export_panel())
        self.closed_banner = named(Banner(self, dismissable=False), "closedBanner")
        outer.addWidget(self.closed_banner)

        self.tabs = named(QTabWidget(), "checklistTabs")
        self.tabs.addTab(self._build_checklist_tab(), "Chec&klist")
        self.tabs.addTab(self._build_plan_tab(), "&Action plan")
        self.tabs.addTab(self._build_compare_tab(), "Compare &years")
        self.tabs.currentChanged.connect(self._tab_changed)
        outer.addWidget(self.tabs, 1)

        self.message = named(Banner(self), "checklistMessage", "Checklist messages")
        outer.addWidget(self.message)

        save = QShortcut(QKeySequence.StandardKey.Save, self, activated=self._save_item)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only on this screen
        # What is typed in the item editor survives a lock, a closed window or a crash.
        self.draft = FormDraft(self.item_editor, worker, casebook.settings,
                               f"user{casebook.user.id}:ui.checklist-item",
                               record=lambda: list(self._editing_key) if self._editing_key
                               else None,
                               dirty=lambda: self._edits.dirty)
        self._edits.on_reset.append(self.draft.mark_filled)
        self.draft.loaded.connect(self._put_back_draft)
        self.draft.load()

    # ----- building -----------------------------------------------------------------------
    def _build_top(self) -> QHBoxLayout:
        label = QLabel("&Review:")
        self.review_picker = named(QComboBox(), "reviewPicker", "Review year")
        self.review_picker.setMinimumContentsLength(16)
        label.setBuddy(self.review_picker)
        self.review_picker.currentIndexChanged.connect(self._review_picked)
        self.review_title = named(QLabel(""), "reviewTitle")
        self.new_review_button = button("Start new yearly review…", "newReviewButton",
                                        self._show_new_review_panel)
        self.export_button = button("Export for &governors…", "exportButton",
                                    self._show_export_panel)
        return hbox(label, self.review_picker, self.review_title, 1, self.new_review_button,
                    self.export_button)

    @staticmethod
    def _fold_out(name: str) -> tuple[QFrame, QVBoxLayout, QLabel]:
        """A framed panel shown on demand, with a line of help at its top."""
        panel = named(QFrame(), name)
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(panel)
        help_label = QLabel("")
        help_label.setWordWrap(True)
        layout.addWidget(help_label)
        panel.hide()
        return panel, layout, help_label

    def _build_new_review_panel(self) -> QFrame:
        panel, layout, self.new_review_help = self._fold_out("newReviewPanel")
        label = QLabel("&Name of the new review:")
        self.new_label_edit = named(QLineEdit(), "newReviewLabel", label.text())
        self.new_label_edit.setMaxLength(40)
        self.new_label_edit.returnPressed.connect(self._start_review)
        label.setBuddy(self.new_label_edit)
        self.start_review_button = button("Start &review", "startReviewButton",
                                          self._start_review)
        layout.addLayout(hbox(label, self.new_label_edit, 1, self.start_review_button,
                              button("Cancel", "", panel.hide)))
        self.new_review_panel = panel
        return panel

    def _build_export_panel(self) -> QFrame:
        panel, layout, self.export_help = self._fold_out("exportPanel")
        for_label = QLabel("Prepared &for:")
        self.recipient_edit = named(QComboBox(), "exportRecipient", "Who the PDF is for")
        self.recipient_edit.setEditable(True)
        self.recipient_edit.setMinimumContentsLength(22)
        for_label.setBuddy(self.recipient_edit)
        password_label = QLabel("&Password (optional):")
        self.password_edit = named(QLineEdit(), "exportPassword",
                                   "Password for the PDF (optional)")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("Leave empty for no password")
        password_label.setBuddy(self.password_edit)
        self.save_pdf_button = button("&Save PDF…", "savePdfButton", self._export)
        layout.addLayout(hbox(for_label, self.recipient_edit, 1, password_label,
                              self.password_edit, 1, self.save_pdf_button,
                              button("Cancel", "", panel.hide)))
        self.export_panel = panel
        return panel

    def _build_checklist_tab(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        # left: sections and their progress
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>Sections</b>")
        left_layout.addWidget(heading)
        self.section_table = named(_table("sectionTable", ["Section", "In place", "Average level"]),
                                   "", "Sections and their progress")
        header = self.section_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.section_table.setColumnWidth(1, 110)
        self.section_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.section_table.setAlternatingRowColors(False)
        self.section_table.itemSelectionChanged.connect(self._section_chosen)
        left_layout.addWidget(self.section_table, 3)
        self.level_chart = named(StackedBarChart("Average level by section (1 to 5)",
                                                 horizontal=True), "levelChart")
        self.level_chart.setMinimumHeight(180)
        left_layout.addWidget(self.level_chart, 2)
        splitter.addWidget(left)

        # right: filters, items, editor
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        owner_label = QLabel("&Owner:")
        self.owner_filter = named(QComboBox(), "ownerFilter", "Show items of owner")
        self.owner_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.owner_filter.setMinimumContentsLength(14)
        owner_label.setBuddy(self.owner_filter)
        status_label = QLabel("S&tatus:")
        self.status_filter = named(QComboBox(), "statusFilter", "Show items with status")
        self.status_filter.addItem("Any status", None)
        for status in STATUSES:
            self.status_filter.addItem(STATUS_LABELS[status], status)
        status_label.setBuddy(self.status_filter)
        self.overdue_only = named(QCheckBox("Only overd&ue reviews"), "overdueOnly")
        for widget in (self.owner_filter, self.status_filter):
            widget.currentIndexChanged.connect(self._fill_items)
        self.overdue_only.toggled.connect(self._fill_items)
        filters.addWidget(owner_label)
        filters.addWidget(self.owner_filter)
        filters.addWidget(status_label)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.overdue_only)
        filters.addStretch(1)
        self.count_label = named(QLabel(""), "itemCount")
        filters.addWidget(self.count_label)
        right_layout.addLayout(filters)

        vertical = QSplitter(Qt.Orientation.Vertical)
        self.items_table = _table("itemsTable", ["Item", "Status", "Level", "Target", "Owner",
                                                 "Next review"])
        named(self.items_table, "", "Checklist items")
        header = self.items_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.items_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.items_table.itemSelectionChanged.connect(self._item_chosen)
        vertical.addWidget(self.items_table)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.item_editor = self._build_editor()
        scroll.setWidget(self.item_editor)
        vertical.addWidget(scroll)
        vertical.setStretchFactor(0, 3)
        vertical.setStretchFactor(1, 2)
        right_layout.addWidget(vertical, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([430, 850])
        return splitter

    def _build_editor(self) -> QGroupBox:
        box = named(QGroupBox("Selected item"), "itemEditor")
        layout = QVBoxLayout(box)
        self.item_title = named(QLabel("Choose an item in the list above."), "itemTitle")
        self.item_title.setWordWrap(True)
        font = self.item_title.font()
        font.setBold(True)
        self.item_title.setFont(font)
        self.item_description = QLabel("")
        self.item_description.setWordWrap(True)
        layout.addWidget(self.item_title)
        layout.addWidget(self.item_description)
        form = QFormLayout()
        self.status_edit = field(form, "&Status:", QComboBox(), name="statusEdit")
        for status in STATUSES:
            self.status_edit.addItem(STATUS_LABELS[status], status)
        self.status_edit.currentIndexChanged.connect(self._status_changed)
        self.level_edit = field(form, "&Level:", QComboBox(), name="levelEdit",
                                help="The maturity level, 5 (lowest) to 1 (highest)")
        self.level_edit.addItem("Not rated", None)
        for number in range(1, 6):
            self.level_edit.addItem(f"Level {number}", number)
        self.level_edit.currentIndexChanged.connect(self._level_changed)
        self.level_text = named(QLabel(""), "levelText")
        self.level_text.setWordWrap(True)
        form.addRow("", self.level_text)
        self.target_text = QLabel("")
        self.target_text.setWordWrap(True)
        form.addRow("Target:", self.target_text)
        self.na_reason_edit = field(form, "Why it does not a&pply:", QLineEdit(),
                                    name="naReasonEdit")
        self.na_reason_edit.setPlaceholderText("Needed when the item does not apply")
        self.owner_edit = field(form, "O&wner:", QLineEdit(), name="ownerEdit")
        self.owner_edit.setMaxLength(200)
        self.owner_edit.setPlaceholderText("Who leads on this (a name or a role)")
        date_row = QHBoxLayout()
        self.review_date_set = named(QCheckBox("Review &by"), "reviewDateSet")
        self.review_date_edit = named(DateField(what="The next review date"), "reviewDateEdit",
                                      "Next review date")
        self.review_date_edit.edit.setAccessibleName("Next review date")
        self.review_date_edit.setEnabled(False)
        self.review_date_set.toggled.connect(self.review_date_edit.setEnabled)
        date_row.addWidget(self.review_date_set)
        date_row.addWidget(self.review_date_edit)
        date_row.addStretch(1)
        form.addRow("Next review:", date_row)
        self.evidence_edit = field(form, "&Evidence:", QPlainTextEdit(), name="evidenceEdit")
        self.evidence_edit.setTabChangesFocus(True)
        self.evidence_edit.setPlaceholderText("Where the evidence is (a policy, a log, minutes)")
        self.evidence_edit.setFixedHeight(54)
        self.notes_edit = field(form, "&Notes:", QPlainTextEdit(), name="notesEdit")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(54)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.editor_message = named(Banner(box), "editorMessage", "Item editor message")
        self.save_button = named(QPushButton("Save item"), "saveItemButton",
                                 help_text="Save this item (Ctrl+S)")
        self.save_button.clicked.connect(self._save_item)
        row.addWidget(self.editor_message, 1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self._editor_widgets = (self.status_edit, self.level_edit, self.na_reason_edit,
                                self.owner_edit, self.review_date_set, self.review_date_edit,
                                self.evidence_edit, self.notes_edit, self.save_button)
        self._editing: str | None = None  # the item the editor was last filled with
        self._editing_key: tuple[int, str] | None = None  # (review id, item id) of that fill
        self._edits = EditGuard(*self._editor_widgets[:-1])
        self._set_editor_enabled(False)
        return box

    def _build_plan_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.plan_intro = QLabel("Items below the level the school is aiming for, or not yet in "
                                 "place, biggest gap first. Double-click an item to edit it.")
        self.plan_intro.setWordWrap(True)
        layout.addWidget(self.plan_intro)
        self.plan_table = _table("planTable", ["Gap", "Item", "Section", "Level", "Target",
                                               "Status", "Owner", "Why it is listed"])
        named(self.plan_table, "", "Action plan")
        header = self.plan_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3, 4, 5, 6, 7):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.plan_table.cellDoubleClicked.connect(self._plan_open)
        layout.addWidget(self.plan_table, 1)
        return page

    def _build_compare_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        a_label = QLabel("Co&mpare")
        self.compare_a = named(QComboBox(), "compareA", "Earlier review")
        a_label.setBuddy(self.compare_a)
        b_label = QLabel("w&ith")
        self.compare_b = named(QComboBox(), "compareB", "Later review")
        b_label.setBuddy(self.compare_b)
        self.compare_button = named(QPushButton("Show &changes"), "compareButton")
        self.compare_button.clicked.connect(self.compare)
        row.addWidget(a_label)
        row.addWidget(self.compare_a)
        row.addWidget(b_label)
        row.addWidget(self.compare_b)
        row.addWidget(self.compare_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.compare_note = QLabel("Start a second yearly review to compare years.")
        self.compare_note.setWordWrap(True)
        layout.addWidget(self.compare_note)
        split = QSplitter(Qt.Orientation.Vertical)
        self.compare_sections = _table("compareSections", ["Section", "Average before",
                                                           "Average after", "Change",
                                                           "In place before", "In place after"])
        named(self.compare_sections, "", "Changes by section")
        self.compare_sections.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.compare_items = _table("compareItems", ["Item", "Section", "Level before",
                                                     "Level after", "Change"])
        named(self.compare_items, "", "Changes by item")
        self.compare_items.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        for table in (self.compare_sections, self.compare_items):
            header = table.horizontalHeader()
            for column in range(1, table.columnCount()):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        split.addWidget(self.compare_sections)
        split.addWidget(self.compare_items)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        return page

    # ----- loading ------------------------------------------------------------------------
    @property
    def bundle(self) -> ChecklistBundle | None:
        return self._bundle

    @property
    def service(self) -> ChecklistService:
        return self._service

    def refresh(self, review_id: int | None = None) -> None:
        """Read the review (the one shown, or ``review_id``) and fill the screen."""
        if review_id is not None:
            self._review_id = review_id
        super().refresh()

    def reload(self) -> int:
        review_id, service = self._review_id, self._service

        def job() -> ChecklistBundle:
            current = service.current_review()
            wanted = review_id if review_id is not None else current.id
            return ChecklistBundle(
                current_id=current.id, reviews=tuple(service.reviews()),
                review=service.review(wanted), items=tuple(service.items(wanted)),
                progress=service.progress(wanted), plan=tuple(service.action_plan(wanted)),
                today=service.store.now().date(), suggested_label=service.suggested_next_label(),
            )

        if self._bundle is None:
            self.message.show_info("Reading the checklist…")
        return Op(self, job, doing="reading the checklist", worker=self.worker) \
            .success(self._show).messages(self.message).failure(self._failed).run()

    def _failed(self, message: str) -> None:
        self.message.show_error(message)
        self.failed.emit(message)

    def _show(self, bundle: ChecklistBundle) -> None:
        self._bundle = bundle
        review = bundle.review
        self._review_id = review.id
        self._filling = True
        try:
            self.review_picker.clear()
            for r in bundle.reviews:
                tag = "current" if r.id == bundle.current_id else "closed"
                self.review_picker.addItem(f"{r.year_label} ({tag})", r.id)
            self.review_picker.setCurrentIndex(self.review_picker.findData(review.id))
            for combo, default in ((self.compare_a, 1), (self.compare_b, 0)):
                combo.clear()
                for r in bundle.reviews:
                    combo.addItem(r.year_label, r.id)
                combo.setCurrentIndex(min(default, combo.count() - 1))
            owners = sorted({i.owner for i in bundle.items if i.owner}, key=str.casefold)
            chosen_owner = self.owner_filter.currentData()
            self.owner_filter.clear()
            self.owner_filter.addItem("Any owner", None)
            for owner in owners:
                self.owner_filter.addItem(owner, owner)
            index = self.owner_filter.findData(chosen_owner) if chosen_owner else 0
            self.owner_filter.setCurrentIndex(max(0, index))
        finally:
            self._filling = False
        state = "current review" if review.is_open else f"closed on {fmt_date(review.closed_at)}"
        self.review_title.setText(f"{review.template_title} (version {review.template_version}),"
                                  f" {state}")
        if review.is_open:
            self.closed_banner.clear()
        else:
            self.closed_banner.show_info(
                f"You are reading the {review.year_label} review. It is closed and kept as it "
                "was; make changes in the current review.")
        self.compare_note.setVisible(len(bundle.reviews) < 2)
        self.compare_button.setEnabled(len(bundle.reviews) >= 2)
        self._fill_sections()
        self._fill_items()
        self._fill_plan()
        overdue = sum(1 for i in bundle.items if i.is_overdue(bundle.today))
        if overdue:
            self.message.show_message("wrong", f"{overdue} item{'s' if overdue != 1 else ''} "
                                      "overdue for review.")
        else:
            self.message.show_info("No reviews are overdue.")
        self._put_back_draft()
        self.loaded.emit(review.id)

    # ----- drafts -------------------------------------------------------------------------
    def save_drafts(self) -> None:
        """Keep what is typed in the item editor (before a lock or when Casebook closes)."""
        self.draft.save()

    def _put_back_draft(self) -> None:
        """The item editor as it was left before a lock, a closed window or a crash."""
        if self._bundle is not None:
            put_back_pending(self.draft, self._show_drafted, self.editor_message.show_info,
                             "Save it with Save item.")

    def _show_drafted(self, record: object) -> bool:
        assert self._bundle is not None
        item_id = record[1] if isinstance(record, list) and len(record) == 2 else None
        if item_id not in {i.item_id for i in self._bundle.items}:
            return False  # not in the review shown: kept for when it is
        self.select_item(item_id)
        return True

    def _fill_sections(self) -> None:
        assert self._bundle is not None
        progress = self._bundle.progress
        rows = [progress.overall, *progress.sections]
        self._filling = True
        try:
            with filling(self.section_table):
                self.section_table.setRowCount(len(rows))
                for row, p in enumerate(rows):
                    title = _cell(p.title, p.section_id or None)
                    if row == 0:
                        font = title.font()
                        font.setBold(True)
                        title.setFont(font)
                    self.section_table.setItem(row, 0, title)
                    bar = QProgressBar()
                    bar.setStyleSheet(_progress_style(self))
                    bar.setRange(0, max(1, p.applicable))
                    bar.setValue(p.in_place)
                    bar.setFormat(f"{p.in_place} of {p.applicable}")
                    bar.setAccessibleName(f"{p.title}: {p.in_place} of {p.applicable} in place")
                    bar.setToolTip(f"{p.percent_in_place}% of the items that apply are in place")
                    self.section_table.setCellWidget(row, 1, bar)
                    self.section_table.setItem(row, 2, _cell(_level(p.average_level)))
            index = next((r for r, p in enumerate(rows)
                          if (p.section_id or None) == self._section_filter), 0)
            self.section_table.selectRow(index)
        finally:
            self._filling = False
        items = self._bundle.items
        targets = []
        for p in progress.sections:
            members = [i.target_level for i in items if i.section_id == p.section_id
                       and i.counts]
            targets.append(sum(members) / len(members) if members else None)
        self.level_chart.set_data(
            [p.title for p in progress.sections], [Segment("level", "Average level", SERIES[0])],
            [{"level": p.average_level or 0} for p in progress.sections], max_value=5,
            integer_axis=False, empty_text="No levels given yet.")
        self.level_chart.set_markers(targets, "Target")

    def _section_chosen(self) -> None:
        if self._filling:
            return
        rows = self.section_table.selectionModel().selectedRows()
        if not rows:
            return
        cell = self.section_table.item(rows[0].row(), 0)
        self._section_filter = cell.data(ITEM_ROLE) if cell is not None else None
        self._fill_items()

    def visible_item_ids(self) -> list[str]:
        """Item ids in the table, top to bottom (after the filters)."""
        ids = []
        for row in range(self.items_table.rowCount()):
            cell = self.items_table.item(row, 0)
            if cell is not None and cell.data(ITEM_ROLE) is not None:
                ids.append(cell.data(ITEM_ROLE))
        return ids

    def _filtered(self) -> list[ChecklistItem]:
        assert self._bundle is not None
        owner = self.owner_filter.currentData()
        status = self.status_filter.currentData()
        overdue = self.overdue_only.isChecked()
        today = self._bundle.today
        out = []
        for item in self._bundle.items:
            if self._section_filter and item.section_id != self._section_filter:
                continue
            if owner and item.owner != owner:
                continue
            if status and item.status != status:
                continue
            if overdue and not item.is_overdue(today):
                continue
            out.append(item)
        return out

    def _fill_items(self, *_args: object) -> None:
        """The filtered items, grouped under a heading row per section."""
        if self._bundle is None or self._filling:
            return
        items = self._filtered()
        today = self._bundle.today
        rows: list[ChecklistItem | str] = []
        last_section = None
        for item in items:
            if item.section_id != last_section:
                rows.append(item.section_title)  # a heading row
                last_section = item.section_id
            rows.append(item)
        self._filling = True
        try:
            with filling(self.items_table):
                self.items_table.clearSpans()
                self.items_table.setRowCount(len(rows))
                select_row = -1
                for row, entry in enumerate(rows):
                    if isinstance(entry, str):
                        heading = QTableWidgetItem(entry)
                        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
                        font = heading.font()
                        font.setBold(True)
                        heading.setFont(font)
                        heading.setBackground(QBrush(colour("tint-heading", self)))
                        heading.setForeground(QBrush(colour("accent", self)))
                        self.items_table.setItem(row, 0, heading)
                        for column in range(1, self.items_table.columnCount()):
                            blank = QTableWidgetItem("")
                            blank.setFlags(Qt.ItemFlag.ItemIsEnabled)
                            self.items_table.setItem(row, column, blank)
                        self.items_table.setSpan(row, 0, 1, self.items_table.columnCount())
                        continue
                    item = entry
                    title = item.title if item.in_template else \
                        f"{item.title} (no longer in the checklist)"
                    cells = [
                        _cell(title, item.item_id, item.description),
                        _cell(item.status_label, tip=item.na_reason if not item.applicable else ""),
                        _cell(_level(item.level) if item.applicable else "n/a",
                              tip=item.level_text(item.level) if item.level else ""),
                        _cell(str(item.target_level), tip=item.level_text(item.target_level)),
                        _cell(item.owner or "–"),
                        _cell(fmt_date(item.next_review, empty="–")),
                    ]
                    if item.is_overdue(today):
                        late = cells[-1]
                        late.setText(f"{fmt_date(item.next_review)} – overdue")
                        late.setToolTip("The review date has passed.")
                        for cell in cells:
                            cell.setBackground(QBrush(colour("tint-warning", self)))
                        late.setForeground(QBrush(colour("warning", self)))
                        font = late.font()
                        font.setBold(True)
                        late.setFont(font)
                    if not item.in_template:
                        for cell in cells:
                            cell.setForeground(QBrush(muted_colour(self)))
                    for column, cell in enumerate(cells):
                        self.items_table.setItem(row, column, cell)
                    if item.item_id == self._selected_item:
                        select_row = row
            if select_row >= 0:
                self.items_table.selectRow(select_row)
            else:
                self.items_table.clearSelection()
        finally:
            self._filling = False
        total = len(self._bundle.items)
        self.count_label.setText(f"Showing {len(items)} of {total} items")
        self._item_chosen()

    def row_of_item(self, item_id: str) -> int:
        """The table row showing ``item_id`` (-1 when filtered out)."""
        for row in range(self.items_table.rowCount()):
            cell = self.items_table.item(row, 0)
            if cell is not None and cell.data(ITEM_ROLE) == item_id:
                return row
        return -1

    def _fill_plan(self) -> None:
        assert self._bundle is not None
        plan = self._bundle.plan
        with filling(self.plan_table):
            self.plan_table.setRowCount(len(plan))
            for row, entry in enumerate(plan):
                item = entry.item
                cells = [_cell(str(entry.gap)), _cell(item.title, item.item_id),
                         _cell(item.section_title), _cell(_level(item.level)),
                         _cell(str(item.target_level)), _cell(item.status_label),
                         _cell(item.owner or "–"), _cell(entry.reason)]
                for column, cell in enumerate(cells):
                    self.plan_table.setItem(row, column, cell)

    def _plan_open(self, row: int, _column: int) -> None:
        cell = self.plan_table.item(row, 1)
        if cell is None:
            return
        self.select_item(cell.data(ITEM_ROLE))
        self.tabs.setCurrentIndex(0)

    # ----- the item editor ----------------------------------------------------------------
    def select_item(self, item_id: str) -> None:
        """Show and select an item (clearing filters that would hide it)."""
        self._selected_item = item_id
        if item_id not in self.visible_item_ids():
            self._section_filter = None
            self._filling = True
            self.owner_filter.setCurrentIndex(0)
            self.status_filter.setCurrentIndex(0)
            self.overdue_only.setChecked(False)
            self.section_table.selectRow(0)
            self._filling = False
        self._fill_items()

    def _current_item(self) -> ChecklistItem | None:
        if self._bundle is None or self._selected_item is None:
            return None
        return next((i for i in self._bundle.items if i.item_id == self._selected_item), None)

    def _item_chosen(self) -> None:
        if self._filling:
            return
        rows = self.items_table.selectionModel().selectedRows()
        if rows:
            cell = self.items_table.item(rows[0].row(), 0)
            if cell is not None and cell.data(ITEM_ROLE) is not None:
                self._selected_item = cell.data(ITEM_ROLE)
        item = self._current_item()
        if item is None or item.item_id not in self.visible_item_ids():
            self.item_title.setText("Choose an item in the list above.")
            self.item_description.setText("")
            self._set_editor_enabled(False)
            return
        self._load_editor(item)

    def _load_editor(self, item: ChecklistItem) -> None:
        assert self._bundle is not None
        key = (self._bundle.review.id, item.item_id)
        if key == self._editing_key and self._edits.dirty:
            return  # a reload while the user edits this item keeps what they typed
        if not ask_to_discard(self, self._edits.dirty, self.draft):
            self._keep_editing()
            return
        self._editing = item.item_id
        self._editing_key = key
        self._filling = True
        try:
            self.item_title.setText(f"{item.section_title}: {item.title}")
            self.item_description.setText(item.description)
            self.status_edit.setCurrentIndex(max(0, self.status_edit.findData(item.status)))
            self.level_edit.setCurrentIndex(item.level or 0)
            for number in range(1, 6):
                self.level_edit.setItemData(number, item.level_text(number),
                                            Qt.ItemDataRole.ToolTipRole)
            self.target_text.setText(f"Level {item.target_level}: "
                                     f"{item.level_text(item.target_level)}")
            self.na_reason_edit.setText(item.na_reason)
            self.owner_edit.setText(item.owner)
            self.review_date_set.setChecked(item.next_review is not None)
            self.review_date_edit.setEnabled(item.next_review is not None)
            when = item.next_review or self._bundle.today
            self.review_date_edit.setDate(QDate(when.year, when.month, when.day))
            self.evidence_edit.setPlainText(item.evidence)
            self.notes_edit.setPlainText(item.notes)
            self.editor_message.clear()
        finally:
            self._filling = False
        self._level_changed()
        editable = self._bundle.review.is_open and item.in_template
        self._set_editor_enabled(editable)
        self._status_changed()
        self._edits.reset()

    def _keep_editing(self) -> None:
        """The user chose to keep what they typed: the list shows that item again."""
        editing = self._editing_key
        if editing is None:
            return
        if self._bundle is not None and editing[0] != self._bundle.review.id:
            self.refresh(editing[0])  # back to the review the text belongs to
            return
        self._selected_item = editing[1]
        self._filling = True
        try:
            row = self.row_of_item(editing[1])
            if row >= 0:
                self.items_table.selectRow(row)
            else:
                self.items_table.clearSelection()
        finally:
            self._filling = False

    def _set_editor_enabled(self, enabled: bool) -> None:
        for widget in self._editor_widgets:
            widget.setEnabled(enabled)
        if enabled:
            self.review_date_edit.setEnabled(self.review_date_set.isChecked())
            self.na_reason_edit.setEnabled(True)

    def _level_changed(self, *_args: object) -> None:
        item = self._current_item()
        number = self.level_edit.currentData()
        if item is None or number is None:
            self.level_text.setText("Not rated yet." if item is not None else "")
            return
        self.level_text.setText(item.level_text(number))

    def _status_changed(self, *_args: object) -> None:
        na = self.status_edit.currentData() == NOT_APPLICABLE
        self.na_reason_edit.setPlaceholderText(
            "Say why this item does not apply to your school" if na
            else "Only needed when the item does not apply")
        self.level_edit.setEnabled(not na and self.save_button.isEnabled())

    def _save_item(self) -> None:
        item = self._current_item()
        if item is None or self._bundle is None or not self.save_button.isEnabled():
            return
        if self.review_date_set.isChecked() and (problem := self.review_date_edit.problem()
                                                 or (None if self.review_date_edit.value() else
                                                     "Please give the next review date.")):
            self.editor_message.show_message("wrong", problem)
            self.review_date_edit.setFocus()
            return
        next_review = self.review_date_edit.value() if self.review_date_set.isChecked() else None
        values = dict(
            status=self.status_edit.currentData(), level=self.level_edit.currentData(),
            owner=self.owner_edit.text(), evidence=self.evidence_edit.toPlainText(),
            notes=self.notes_edit.toPlainText(), na_reason=self.na_reason_edit.text(),
            next_review=next_review,
        )
        review_id, item_id, service = self._bundle.review.id, item.item_id, self._service

        def job() -> ChecklistItem:
            return service.update_item(review_id, item_id, **values)  # type: ignore[arg-type]

        def done(saved: ChecklistItem) -> None:
            self._edits.reset()  # saved: the reload may refill the editor
            self.draft.clear()
            self.editor_message.clear()
            self.message.show_done(f"Saved “{saved.title}”.")
            self.item_saved.emit(saved.item_id)
            # The worker's change notice reloads the screen.

        def failed(message: str) -> None:
            self.editor_message.show_error(message)
            self.failed.emit(message)

        Op(self, job, doing="saving a checklist item", worker=self.worker) \
            .success(done).failure(failed).busy(self.save_button).run()

    # ----- reviews ------------------------------------------------------------------------
    def _review_picked(self, index: int) -> None:
        if self._filling:
            return
        review_id = self.review_picker.itemData(index)
        if review_id is not None and (self._bundle is None or review_id != self._bundle.review.id):
            self.refresh(review_id)

    def show_review(self, review_id: int) -> None:
        """Show another (older) review."""
        self.refresh(review_id)

    def _show_new_review_panel(self) -> None:
        if self._bundle is None:
            return
        current = next(r for r in self._bundle.reviews if r.id == self._bundle.current_id)
        self.new_review_help.setText(
            "Every item's status, level, owner, evidence and review date are copied into the new "
            f"review. The {current.year_label} review is then closed and kept as it is, so you "
            "can still read it and compare the two years.")
        self.new_label_edit.setText(self._bundle.suggested_label)
        self.new_review_panel.show()
        self.new_label_edit.setFocus()
        self.new_label_edit.selectAll()

    def _start_review(self) -> None:
        label = self.new_label_edit.text().strip()
        if not label:
            self.message.show_message("wrong",
                                      "Enter a name for the new review, for example 2027–28.")
            return
        if not prompts.ask(self, "Start a new yearly review?",
                           f"Start the {label} review? The current review will be closed and "
                           "kept as it is.", yes="Start review", no="Cancel"):
            return
        service = self._service

        def job() -> ChecklistReview:
            return service.start_new_review(label)

        def done(review: ChecklistReview) -> None:
            self.new_review_panel.hide()
            self._selected_item = None
            self._review_id = review.id  # the change notice then shows it
            self.review_started.emit(review.id)

        Op(self, job, doing="starting a review", worker=self.worker) \
            .success(done).failure(self._failed).busy(self.start_review_button).run()

    # ----- comparing ----------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if index == 2 and self.compare_button.isEnabled() and self.compare_items.rowCount() == 0:
            self.compare()

    def compare(self) -> None:
        a, b = self.compare_a.currentData(), self.compare_b.currentData()
        if a is None or b is None:
            return
        if a == b:
            self.compare_note.setText("Choose two different reviews to compare.")
            self.compare_note.show()
            return
        self.compare_note.hide()
        service = self._service
        Op(self, lambda: service.compare(a, b), doing="comparing reviews", worker=self.worker) \
            .success(self._show_comparison).failure(self._failed).run()

    def _change_cell(self, change: float | int | None) -> QTableWidgetItem:
        text, tone = _change_text(change, self)
        cell = _cell(text)
        if tone is not None:
            cell.setForeground(QBrush(tone))
        return cell

    def _show_comparison(self, comparison: ReviewComparison) -> None:
        a, b = comparison.review_a.year_label, comparison.review_b.year_label
        self.compare_sections.setHorizontalHeaderLabels(
            ["Section", f"Average {a}", f"Average {b}", "Change", f"In place {a}",
             f"In place {b}"])
        self.compare_items.setHorizontalHeaderLabels(
            ["Item", "Section", f"Level {a}", f"Level {b}", "Change"])
        with filling(self.compare_sections), filling(self.compare_items):
            self.compare_sections.setRowCount(len(comparison.sections))
            for row, s in enumerate(comparison.sections):
                change = self._change_cell(s.change)
                share_a = "–" if s.share_a is None else f"{round(s.share_a * 100)}%"
                share_b = "–" if s.share_b is None else f"{round(s.share_b * 100)}%"
                for column, cell in enumerate([_cell(s.title), _cell(_level(s.average_a)),
                                               _cell(_level(s.average_b)), change,
                                               _cell(share_a), _cell(share_b)]):
                    self.compare_sections.setItem(row, column, cell)
            self.compare_items.setRowCount(len(comparison.items))
            for row, c in enumerate(comparison.items):
                change = self._change_cell(c.change)
                level_a, level_b = (
                    "not in this review" if status is None else
                    "n/a" if status == NOT_APPLICABLE else _level(level)
                    for status, level in ((c.status_a, c.level_a), (c.status_b, c.level_b)))
                for column, cell in enumerate([_cell(c.title, c.item_id), _cell(c.section_title),
                                               _cell(level_a), _cell(level_b), change]):
                    self.compare_items.setItem(row, column, cell)
        self.compared.emit(comparison)

    # ----- export -------------------------------------------------------------------------
    def _show_export_panel(self) -> None:
        if self._bundle is None:
            return
        review = self._bundle.review
        others = [r for r in self._bundle.reviews if r.started_at < review.started_at]
        compared = f" Levels are compared with the {others[0].year_label} review." if others \
            else ""
        self.export_help.setText(
            f"A PDF of the {review.year_label} review for governors: progress and average "
            f"levels by section with a chart, the action plan, overdue reviews and every "
            f"item.{compared} It names no children.")
        service = self._service

        def show(names: tuple[str, ...]) -> None:
            current = self.recipient_edit.currentText()
            self.recipient_edit.clear()
            self.recipient_edit.addItems(list(names))
            if current and current not in names:
                self.recipient_edit.setEditText(current)
            self.export_panel.show()
            self.recipient_edit.setFocus()

        Op(self, service.export_recipients, doing="reading recipients", worker=self.worker) \
            .success(show).failure(self._failed).run()

    def _export(self) -> None:
        if self._bundle is None:
            return
        review = self._bundle.review
        path = prompts.save_file(self, "Export the checklist review for governors",
                                 f"Checklist review {review.year_label}.pdf", "PDF files (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        service = self._service
        recipient = self.recipient_edit.currentText().strip()
        password = self.password_edit.text() or None
        self.password_edit.clear()  # used once, never kept
        self.message.show_info("Making the PDF…")

        def done(pages: int) -> None:
            self.export_panel.hide()
            locked = " It is protected with the password you chose." if password else ""
            self.message.show_done(f"Saved the {review.year_label} review ({pages} pages).")
            prompts.info(self, "Checklist review saved",
                         f"The {review.year_label} review was saved as a PDF of {pages} pages:\n"
                         f"{path}{locked}")
            self.exported.emit(path)

        def failed(message: str) -> None:
            self._failed(message)
            prompts.error(self, "The PDF was not saved", message)

        Op(self, lambda: service.export_pdf(review.id, path, recipient=recipient,
                                            password=password),
           doing="exporting the checklist", worker=self.worker) \
            .success(done).failure(failed).busy(self.save_pdf_button).run()
