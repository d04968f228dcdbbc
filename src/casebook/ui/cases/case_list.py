"""The case list (filters, search-as-you-type, counts) and the "New case" dialog."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casebook.domain.enums import CaseStatus, CaseType, RiskLevel
from casebook.storage.search import search_too_short, searched_text
from casebook.ui.kit import Banner, app_settings, user_message
from casebook.ui.kit.busy import busy_bar
from casebook.ui.kit.palette import muted_colour
from casebook.ui.models.case_table import (
    CASE_ID_ROLE,
    COL_OPENED,
    COL_OVERDUE,
    COL_REFERENCE,
    COL_RISK,
    COL_STATUS,
    COL_STEPS,
    COL_TITLE,
    COL_TYPE,
    COL_UPDATED,
    CaseCounts,
    CaseTableModel,
)
from casebook.ui.models.labels import RISK_LABELS, STATUS_LABELS, case_type_label
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.drafts import AskBeforeDiscard
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook, CaseFilter

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
#: Shown while the search box holds one letter on its own (the list is not narrowed by it).
ONE_MORE_LETTER = "Type one more letter to search."
ACTIVE = "active"  # status filter: open or monitoring
HIGH_OR_CRITICAL = "high+"


class CaseTableView(QTableView):
    """Emits ``open_requested(case_id)`` on Enter/Return or a double click."""

    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doubleClicked.connect(self._open_index)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self._open_index(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            case_id = index.data(CASE_ID_ROLE)
            if case_id is not None:
                self.open_requested.emit(int(case_id))


class CaseListPanel(QWidget):
    """Filter bar, counts and the paged table of cases."""

    open_requested = Signal(int)
    new_case_requested = Signal()

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.setAccessibleName("Case list")
        self.model = CaseTableModel(worker, self)
        self._terms: Mapping[str, str] = {}
        self._reselect: int | None = None
        self._only_ids: tuple[int, ...] | None = None

        # --- filter bar
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Words from any case: names, accounts, notes…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search cases")
        self.search_edit.setAccessibleDescription(
            "Finds cases by any word recorded on them, as you type")
        search_label = QLabel("&Search:", self)
        search_label.setBuddy(self.search_edit)

        self.status_combo = QComboBox(self)
        self.status_combo.setAccessibleName("Filter by status")
        self.type_combo = QComboBox(self)
        self.type_combo.setAccessibleName("Filter by case type")
        self.risk_combo = QComboBox(self)
        self.risk_combo.setAccessibleName("Filter by risk")
        self.opened_combo = QComboBox(self)
        self.opened_combo.setAccessibleName("Filter by date opened")
        self.from_date = DateField(self, what="The first date")
        self.from_date.setAccessibleName("Opened on or after")
        self.from_date.edit.setAccessibleName("Opened on or after")
        self.to_date = DateField(self, what="The last date")
        self.to_date.setAccessibleName("Opened on or before")
        self.to_date.edit.setAccessibleName("Opened on or before")
        today = date.today()
        self.from_date.set_value(today - timedelta(days=91))
        self.to_date.set_value(today)
        self.and_label = QLabel("to", self)
        self.clear_button = QPushButton("C&lear filters", self)
        self.clear_button.setAccessibleName("Clear all filters")
        self._fill_combos()
        for combo, length in ((self.status_combo, 10), (self.type_combo, 14),
                              (self.risk_combo, 9), (self.opened_combo, 12)):
            # Shrink with the window (small laptop screens); the drop-down still shows all.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(length)
            combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 32)

        status_label = QLabel("Stat&us:", self)
        status_label.setBuddy(self.status_combo)
        type_label = QLabel("T&ype:", self)
        type_label.setBuddy(self.type_combo)
        risk_label = QLabel("&Risk:", self)
        risk_label.setBuddy(self.risk_combo)
        opened_label = QLabel("O&pened:", self)
        opened_label.setBuddy(self.opened_combo)

        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search_edit, 1)
        filters = QHBoxLayout()
        for label, widget in ((status_label, self.status_combo), (type_label, self.type_combo),
                              (risk_label, self.risk_combo), (opened_label, self.opened_combo)):
            filters.addWidget(label)
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addWidget(self.from_date)
        filters.addWidget(self.and_label)
        filters.addWidget(self.to_date)
        filters.addStretch(1)

        self.counts_label = QLabel(self)
        self.counts_label.setAccessibleName("How many cases are shown")
        self.counts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.loading_bar = busy_bar(self, "Loading cases", width=120)
        counts_row = QHBoxLayout()
        counts_row.addWidget(self.counts_label)
        counts_row.addStretch(1)
        counts_row.addWidget(self.loading_bar)
        counts_row.addWidget(self.clear_button)

        self.message = Banner(self)

        # --- table and empty state
        self.table = CaseTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Cases")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.open_requested.connect(self.open_requested)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setStretchLastSection(False)
        column, order = self.model.sort_column()
        header.setSortIndicator(column, order)
        self.table.setSortingEnabled(True)  # after the indicator: enabling sorts by it
        self._size_columns()
        self.model.sort_changed.connect(
            lambda col, order: QTimer.singleShot(0, lambda: header.setSortIndicator(col, order)))
        row_height = self.table.fontMetrics().height() + 10
        self.table.verticalHeader().setDefaultSectionSize(row_height)

        self.empty = QWidget(self)
        empty_title = QLabel("No cases yet", self.empty)
        font = QFont(empty_title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        empty_title.setFont(font)
        empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_text = QLabel("When something is reported, record it as a new case. Casebook then "
                            "walks you through the five response steps.", self.empty)
        empty_text.setWordWrap(True)
        empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_button = QPushButton("&New case…", self.empty)
        self.empty_button.setAccessibleName("New case")
        self.empty_button.clicked.connect(self.new_case_requested)
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(empty_title)
        empty_layout.addWidget(empty_text)
        button_row = QHBoxLayout()
        button_row.addStretch(1)
        button_row.addWidget(self.empty_button)
        button_row.addStretch(1)
        empty_layout.addLayout(button_row)
        empty_layout.addStretch(2)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        # --- "showing the cases behind a dashboard number" bar
        self.only_bar = QWidget(self)
        self.only_label = QLabel(self.only_bar)
        self.only_all_button = QPushButton("Show &all cases", self.only_bar)
        self.only_all_button.setAccessibleName("Show all cases again")
        self.only_all_button.clicked.connect(self.clear_filters)
        only_row = QHBoxLayout(self.only_bar)
        only_row.setContentsMargins(0, 0, 0, 0)
        only_row.addWidget(self.only_label)
        only_row.addWidget(self.only_all_button)
        only_row.addStretch(1)
        self.only_bar.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.only_bar)
        layout.addLayout(counts_row)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

        self.setTabOrder(self.search_edit, self.status_combo)
        self.setTabOrder(self.status_combo, self.type_combo)
        self.setTabOrder(self.type_combo, self.risk_combo)
        self.setTabOrder(self.risk_combo, self.opened_combo)
        self.setTabOrder(self.opened_combo, self.from_date)
        self.setTabOrder(self.from_date, self.to_date)
        self.setTabOrder(self.to_date, self.clear_button)
        self.setTabOrder(self.clear_button, self.table)

        # --- behaviour
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._search_now)
        for combo in (self.status_combo, self.type_combo, self.risk_combo, self.opened_combo):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.from_date.changed.connect(self._dates_changed)
        self.to_date.changed.connect(self._dates_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.model.loaded.connect(self._loaded)
        self.model.counts_changed.connect(self._show_counts)
        self.model.failed.connect(self._failed)
        self._show_dates()
        self._restore_header()

    # ----- public ------------------------------------------------------------------------
    def set_casebook(self, casebook: Casebook | None) -> None:
        if casebook is None:
            self.clear()
            return
        self.message.clear()
        self.loading_bar.show()
        self.model.set_filter(self._build_filter())
        self.model.set_casebook(casebook)

    def set_wording(self, terms: Mapping[str, str], us: bool) -> None:
        self._terms = terms
        self.model.set_wording(terms, us)
        for i in range(1, self.type_combo.count()):
            self.type_combo.setItemText(i, case_type_label(self.type_combo.itemData(i), terms))
        self.from_date.set_us(us)
        self.to_date.set_us(us)

    def clear(self) -> None:
        """Forget everything shown (on lock). Filters stay; the search text does not."""
        self._search_timer.stop()
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.model.set_casebook(None)
        self.counts_label.clear()
        self.message.clear()
        self.loading_bar.hide()
        self.stack.setCurrentWidget(self.table)

    def refresh(self, keep_case: int | None = None) -> None:
        self._reselect = keep_case if keep_case is not None else self.selected_case_id()
        self.loading_bar.show()
        self.model.reload()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def selected_case_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        value = index.data(CASE_ID_ROLE)
        return int(value) if value is not None else None

    def show_cases(self, case_ids: list[int], label: str) -> None:
        """Show only these cases (a number chosen on the dashboard) until filters are cleared."""
        self._only_ids = tuple(case_ids)
        self.only_label.setText(f"Showing {label} ({len(case_ids)}). ")
        self.only_bar.show()
        self.apply_filters()

    def clear_filters(self) -> None:
        self._only_ids = None
        self.only_bar.hide()
        for combo in (self.status_combo, self.type_combo, self.risk_combo, self.opened_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.apply_filters()

    def save_state(self) -> None:
        app_settings().setValue("caselist/header", self.table.horizontalHeader().saveState())

    # ----- filters ----------------------------------------------------------------------
    def _fill_combos(self) -> None:
        self.status_combo.addItem("All statuses", None)
        self.status_combo.addItem("Open or monitoring", ACTIVE)
        for status in CaseStatus:
            self.status_combo.addItem(STATUS_LABELS[status], status.value)
        self.type_combo.addItem("All types", None)
        for case_type in CaseType:
            self.type_combo.addItem(case_type_label(case_type), case_type.value)
        self.risk_combo.addItem("Any risk", None)
        self.risk_combo.addItem("High or critical", HIGH_OR_CRITICAL)
        for risk in RiskLevel:
            self.risk_combo.addItem(RISK_LABELS[risk], risk.value)
        for text, data in (("Any time", None), ("In the last 7 days", 7),
                           ("In the last 30 days", 30), ("In the last 12 months", 365),
                           ("Between dates…", "range")):
            self.opened_combo.addItem(text, data)

    def _build_filter(self) -> CaseFilter:
        flt = self.model.filter
        status = self.status_combo.currentData()
        if status is None:
            statuses: tuple[CaseStatus, ...] = ()
        elif status == ACTIVE:
            statuses = (CaseStatus.OPEN, CaseStatus.MONITORING)
        else:
            statuses = (CaseStatus(status),)
        case_type = self.type_combo.currentData()
        risk = self.risk_combo.currentData()
        if risk is None:
            risks: tuple[RiskLevel, ...] = ()
        elif risk == HIGH_OR_CRITICAL:
            risks = (RiskLevel.HIGH, RiskLevel.CRITICAL)
        else:
            risks = (RiskLevel(risk),)
        opened = self.opened_combo.currentData()
        opened_from: date | None = None
        opened_to: date | None = None
        if opened == "range":
            opened_from = self.from_date.value()
            opened_to = self.to_date.value()
        elif isinstance(opened, int):
            opened_from = date.today() - timedelta(days=opened)
        return replace(flt, statuses=statuses, types=(CaseType(case_type),) if case_type else (),
                       risks=risks, opened_from=opened_from, opened_to=opened_to,
                       text=searched_text(self.search_edit.text()), ids=self._only_ids)

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self._show_dates()
        self.loading_bar.show()
        self._reselect = self.selected_case_id()
        self.model.set_filter(self._build_filter())

    def _search_now(self) -> None:
        self.apply_filters()
        if self.model.rowCount() and not self.model.loading:
            self.table.setFocus()

    def _dates_changed(self) -> None:
        """Filter again once both dates are dates (not on every half-typed keystroke)."""
        if self.from_date.is_valid() and self.to_date.is_valid():
            self.apply_filters()

    def _show_dates(self) -> None:
        ranged = self.opened_combo.currentData() == "range"
        for widget in (self.from_date, self.and_label, self.to_date):
            widget.setVisible(ranged)

    def filters_active(self) -> bool:
        return any(combo.currentIndex() != 0 for combo in
                   (self.status_combo, self.type_combo, self.risk_combo, self.opened_combo)) \
            or bool(self.model.filter.text) or self._only_ids is not None

    # ----- results ----------------------------------------------------------------------
    def _loaded(self) -> None:
        self.loading_bar.hide()
        self.message.clear()
        counts = self.model.counts
        empty_book = counts.total == 0
        self.stack.setCurrentWidget(self.empty if empty_book else self.table)
        if self._reselect is not None:
            row = self.model.row_of(self._reselect)
            if row is not None:
                self.table.selectRow(row)
        elif self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._reselect = None

    def _show_counts(self, counts: CaseCounts) -> None:
        if counts.total == 0:
            text = "No cases yet."
        elif not self.filters_active():
            text = f"{counts.total} case{'s' if counts.total != 1 else ''}."
        elif counts.matching == 0:
            text = (f"No cases match these filters (there are {counts.total} in all). "
                    "Try fewer words, or Clear filters.")
        else:
            text = f"{counts.matching} of {counts.total} cases match."
        if counts.total and search_too_short(self.search_edit.text()):
            text = f"{ONE_MORE_LETTER}   {text}"
        by_status = counts.by_status
        if by_status and counts.total:
            text += "   " + " · ".join(
                f"{STATUS_LABELS[s]}: {by_status.get(s, 0)}" for s in CaseStatus)
        self.counts_label.setText(text)
        self.counts_label.setAccessibleDescription(text)

    def _failed(self, error: BaseException) -> None:
        self.loading_bar.hide()
        from casebook.errors import LockedError

        if isinstance(error, LockedError):
            return
        self.message.show_message("error", user_message(error, "loading the case list"))

    # ----- columns ----------------------------------------------------------------------
    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        widths = {
            COL_REFERENCE: metrics.horizontalAdvance("CB-2026-00000") + 24,
            COL_TYPE: metrics.horizontalAdvance("Baiting account") + 24,
            COL_STATUS: metrics.horizontalAdvance("Monitoring") + 28,
            COL_RISK: metrics.horizontalAdvance("Critical") + 28,
            COL_OPENED: metrics.horizontalAdvance("Sep 30, 2026") + 28,
            COL_UPDATED: metrics.horizontalAdvance("Last change") + 32,
            COL_STEPS: metrics.horizontalAdvance("Steps done") + 24,
            COL_OVERDUE: metrics.horizontalAdvance("Overdue actions") + 24,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(metrics.horizontalAdvance("Title") + 24)

    def _restore_header(self) -> None:
        state = app_settings().value("caselist/header")
        if state is not None:
            header = self.table.horizontalHeader()
            header.restoreState(state)
            header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
            column, order = self.model.sort_column()
            header.setSortIndicator(column, order)


class NewCaseDialog(AskBeforeDiscard):
    """Type, title, what happened and risk. Creates the case on the worker, then ``created``.

    The text autosaves as a draft (encrypted, in the casebook) while typing, so a lock or a
    crash does not lose it; Escape or Cancel asks before discarding typed text and the draft.
    """

    created = Signal(int)
    DRAFT_DELAY_MS = 1500

    def __init__(self, worker: DbWorker, casebook: Casebook, draft_key: str,
                 terms: Mapping[str, str], case_type: CaseType = CaseType.IMPERSONATION,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.casebook = casebook
        self.draft_key = draft_key
        self._busy = False
        self._closing_for_lock = False
        self.setWindowTitle("New case")
        self.setAccessibleName("New case")

        self.type_combo = QComboBox(self)
        self.type_combo.setAccessibleName("Case type")
        for t in CaseType:
            self.type_combo.addItem(case_type_label(t, terms), t.value)
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(case_type.value)))
        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName("Case title")
        self.title_edit.setMaxLength(300)
        self.title_edit.setPlaceholderText("For example: Fake account using the school logo")
        self.summary_edit = QPlainTextEdit(self)
        self.summary_edit.setAccessibleName("What happened")
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setPlaceholderText(
            "What was reported, by whom and when. You can add more later.")
        self.risk_combo = QComboBox(self)
        self.risk_combo.setAccessibleName("Risk")
        for risk in RiskLevel:
            self.risk_combo.addItem(RISK_LABELS[risk], risk.value)
        self.risk_combo.setCurrentIndex(self.risk_combo.findData(RiskLevel.MEDIUM.value))
        hint = QLabel("The title appears in the case list, so keep names out of it where you "
                      "can.", self)
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {muted_colour(self).name()};")  # placeholder grey is 4:1
        self.message = Banner(self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, widget in (("&Type:", self.type_combo), ("T&itle:", self.title_edit),
                             ("&What happened:", self.summary_edit), ("&Risk:", self.risk_combo)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
            if widget is self.title_edit:
                form.addRow("", hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("&Create case")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.resize(560, 420)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(self.DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.title_edit.textChanged.connect(lambda _t: self._draft_timer.start())
        self.summary_edit.textChanged.connect(self._draft_timer.start)
        self.type_combo.currentIndexChanged.connect(lambda _i: self._draft_timer.start())
        self.risk_combo.currentIndexChanged.connect(lambda _i: self._draft_timer.start())
        self.title_edit.setFocus()

    # ----- drafts -----------------------------------------------------------------------
    def draft(self) -> dict[str, str]:
        return {"type": self.type_combo.currentData(), "title": self.title_edit.text(),
                "summary": self.summary_edit.toPlainText(), "risk": self.risk_combo.currentData()}

    def has_text(self) -> bool:
        return bool(self.title_edit.text().strip() or self.summary_edit.toPlainText().strip())

    def restore(self, draft: Mapping[str, Any]) -> None:
        for combo, key in ((self.type_combo, "type"), (self.risk_combo, "risk")):
            index = combo.findData(draft.get(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        self.title_edit.setText(str(draft.get("title", "")))
        self.summary_edit.setPlainText(str(draft.get("summary", "")))
        self._draft_timer.stop()
        self.message.show_message("info", "Your unsaved text has been put back.")

    def save_draft(self) -> None:
        """Queue an autosave of the text typed so far (nothing is saved for an empty form)."""
        self._draft_timer.stop()
        text = json.dumps(self.draft(), ensure_ascii=False) if self.has_text() else ""
        casebook, key = self.casebook, self.draft_key
        self.worker.submit(lambda: casebook.settings.save_draft(key, text), None,
                           lambda _e: None)

    def _discard_draft(self) -> None:
        self._draft_timer.stop()
        casebook, key = self.casebook, self.draft_key
        self.worker.submit(lambda: casebook.settings.save_draft(key, ""), None, lambda _e: None)

    def close_for_lock(self) -> None:
        """Autosave and close without discarding the draft (the casebook is locking)."""
        self.save_draft()
        self._closing_for_lock = True
        self.drop()

    # ----- create -----------------------------------------------------------------------
    def accept(self) -> None:
        if self._busy:
            return
        title = self.title_edit.text()
        if not title.strip():
            self.message.show_message("wrong", "Please give the case a short title.")
            self.title_edit.setFocus()
            return
        self._set_busy(True)
        casebook, key = self.casebook, self.draft_key
        values = self.draft()

        def create() -> int:
            case = casebook.cases.create(values["title"], values["type"], values["summary"],
                                         values["risk"])
            casebook.settings.save_draft(key, "")
            return case.id

        self._draft_timer.stop()
        self.worker.submit(create, self._created, self._failed)

    def _created(self, case_id: int) -> None:
        self._set_busy(False)
        log.info("case %s created", case_id)
        super().accept()
        self.created.emit(case_id)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.message.show_message("error", user_message(error, "creating a case"))

    def typed(self) -> bool:
        return self.has_text()

    def reject(self) -> None:
        if self._busy:
            return
        super().reject()

    def discarded(self) -> None:
        self._discard_draft()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        for widget in (self.type_combo, self.title_edit, self.summary_edit, self.risk_combo,
                       self.create_button):
            widget.setEnabled(not busy)
