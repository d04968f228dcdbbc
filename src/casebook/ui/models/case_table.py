"""The case list model: pages of ``CaseService.list_page`` loaded on the worker thread.

Only the rows the user has scrolled to are loaded (``canFetchMore``/``fetchMore``), so the list
stays quick with tens of thousands of cases. Filtering, full-text search and sorting run in the
database; every reload bumps a generation number so late answers to an old query are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from casebook.domain.counts import CaseCounts, CaseListPage
from casebook.domain.enums import STEP_ORDER
from casebook.domain.models import CaseSummary
from casebook.ui.kit.dates import fmt_date
from casebook.ui.kit.palette import warning_colour
from casebook.ui.models.labels import RISK_LABELS, STATUS_LABELS, case_type_label, case_type_short
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook, CaseFilter

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

#: (header, service sort key or None when the column cannot be sorted)
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Reference", "reference"),
    ("Title", "title"),
    ("Type", "type"),
    ("Status", "status"),
    ("Risk", "risk"),
    ("Opened", "opened"),
    ("Last change", "updated"),
    ("Steps done", None),
    ("Overdue actions", None),
)
COL_REFERENCE, COL_TITLE, COL_TYPE, COL_STATUS, COL_RISK, COL_OPENED, COL_UPDATED, COL_STEPS, \
    COL_OVERDUE = range(len(COLUMNS))
SORT_KEYS = {key: column for column, (_name, key) in enumerate(COLUMNS) if key}

_ROOT = QModelIndex()  # the (invalid) root index, as a shared default argument

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 2


def _load_first_page(casebook: Casebook, flt: CaseFilter, limit: int) -> CaseListPage:
    """Worker job: the first page and all the counts (one query each, one transaction)."""
    return casebook.cases.first_page(flt, limit)


class CaseTableModel(QAbstractTableModel):
    """Rows of :class:`CaseSummary`, loaded a page at a time."""

    #: A reload (filter, sort, refresh) has its first page and counts.
    loaded = Signal()
    #: More rows arrived through fetchMore.
    page_loaded = Signal()
    counts_changed = Signal(object)  # CaseCounts
    failed = Signal(object)  # the exception (the panel shows it calmly)
    #: The sort the model actually uses (column, order), after a sort() call.
    sort_changed = Signal(int, Qt.SortOrder)

    page_size = 100

    def __init__(self, worker: DbWorker, parent: Any = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._casebook: Casebook | None = None
        self._rows: list[CaseSummary] = []
        self._matching = 0
        self._generation = 0
        self._fetching = False
        self._loading = False
        self._filter: CaseFilter | None = None
        self._terms: Mapping[str, str] = {}
        self._us = False
        self.counts = CaseCounts()

    # ----- state ------------------------------------------------------------------------
    def set_wording(self, terms: Mapping[str, str], us: bool) -> None:
        self._terms, self._us = terms, us
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def set_casebook(self, casebook: Casebook | None) -> None:
        """Show ``casebook`` (None clears the list, e.g. when locking)."""
        self._casebook = casebook
        if casebook is None:
            self._generation += 1
            self._loading = self._fetching = False
            self.beginResetModel()
            self._rows = []
            self._matching = 0
            self.endResetModel()
            self.counts = CaseCounts()
            self.counts_changed.emit(self.counts)
        else:
            self.reload()

    @property
    def filter(self) -> CaseFilter:
        if self._filter is None:
            from casebook.services import CaseFilter

            self._filter = CaseFilter(sort="updated", descending=True)
        return self._filter

    def set_filter(self, flt: CaseFilter) -> None:
        self._filter = flt
        self.reload()

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def loaded_rows(self) -> int:
        return len(self._rows)

    @property
    def matching(self) -> int:
        return self._matching

    def reload(self) -> None:
        """Run the current query again from the first page (keeps rows until the answer)."""
        casebook = self._casebook
        if casebook is None:
            return
        self._generation += 1
        generation = self._generation
        self._loading = True
        self._fetching = False
        flt, limit = self.filter, self.page_size
        self.worker.submit(lambda: _load_first_page(casebook, flt, limit),
                           lambda result: self._first_page(generation, result),
                           lambda error: self._failed(generation, error))

    def _first_page(self, generation: int, result: CaseListPage) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.beginResetModel()
        self._rows = list(result.rows)
        self._matching = result.counts.matching
        self.endResetModel()
        self.counts = result.counts
        self.counts_changed.emit(result.counts)
        self.loaded.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = self._fetching = False
        self.failed.emit(error)

    # ----- paging -----------------------------------------------------------------------
    def canFetchMore(self, parent: Index = _ROOT) -> bool:  # noqa: N802
        if parent.isValid() or self._casebook is None or self._loading or self._fetching:
            return False
        return len(self._rows) < self._matching

    def fetchMore(self, parent: Index = _ROOT) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        casebook = self._casebook
        assert casebook is not None
        self._fetching = True
        generation = self._generation
        flt, offset, limit = self.filter, len(self._rows), self.page_size
        self.worker.submit(lambda: casebook.cases.list_page(flt, offset, limit),
                           lambda rows: self._more(generation, offset, rows),
                           lambda error: self._failed(generation, error))

    def _more(self, generation: int, offset: int, rows: list[CaseSummary]) -> None:
        if generation != self._generation or offset != len(self._rows):
            return
        self._fetching = False
        if not rows:
            self._matching = len(self._rows)  # the data changed under us; stop asking
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
        self.page_loaded.emit()

    # ----- sorting ----------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
        current = self.filter
        if key is None:
            # Not sortable in the database: keep the current sort and tell the header.
            self.sort_changed.emit(SORT_KEYS.get(current.sort, COL_UPDATED),
                                   Qt.SortOrder.DescendingOrder if current.descending
                                   else Qt.SortOrder.AscendingOrder)
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == current.sort and descending == current.descending:
            return
        self.set_filter(replace(current, sort=key, descending=descending))

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        flt = self.filter
        return (SORT_KEYS.get(flt.sort, COL_UPDATED),
                Qt.SortOrder.DescendingOrder if flt.descending else Qt.SortOrder.AscendingOrder)

    # ----- lookup -----------------------------------------------------------------------
    def summary(self, row: int) -> CaseSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, case_id: int) -> int | None:
        for row, summary in enumerate(self._rows):
            if summary.id == case_id:
                return row
        return None

    # ----- Qt model ---------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            if COLUMNS[section][1] is None:
                return f"{COLUMNS[section][0]} (this column cannot be sorted)"
            return f"Sort by {COLUMNS[section][0].lower()}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        case = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(case, column, accessible=role != Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_TYPE:
                return case_type_label(case.case_type, self._terms)
            if column == COL_OVERDUE and case.overdue_actions:
                return (f"{case.overdue_actions} action{'s are' if case.overdue_actions != 1 else ' is'}"
                        " past its due date. Open the case to see them.")
            if column == COL_TITLE:
                return case.title
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if case.overdue_actions and column in (COL_REFERENCE, COL_OVERDUE):
                return warning_colour()
            if column == COL_RISK and case.risk.value == "critical":
                return warning_colour()
            return None
        if role == Qt.ItemDataRole.FontRole:
            if case.overdue_actions and column == COL_OVERDUE:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_STEPS:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == CASE_ID_ROLE:
            return case.id
        if role == SUMMARY_ROLE:
            return case
        return None

    def _text(self, case: CaseSummary, column: int, accessible: bool = False) -> str:
        if column == COL_REFERENCE:
            return case.reference
        if column == COL_TITLE:
            return case.title
        if column == COL_TYPE:
            return (case_type_label(case.case_type, self._terms) if accessible
                    else case_type_short(case.case_type))
        if column == COL_STATUS:
            return STATUS_LABELS.get(case.status, case.status.value)
        if column == COL_RISK:
            return RISK_LABELS.get(case.risk, case.risk.value)
        if column == COL_OPENED:
            return fmt_date(case.opened_at, self._us)
        if column == COL_UPDATED:
            return fmt_date(case.updated_at, self._us)
        if column == COL_STEPS:
            steps = len(STEP_ORDER)
            return (f"{case.steps_done} of {steps} response steps done" if accessible
                    else f"{case.steps_done} of {steps}")
        if column == COL_OVERDUE:
            if not case.overdue_actions:
                return "No overdue actions" if accessible else ""
            return f"⚠ {case.overdue_actions} overdue"
        return ""
