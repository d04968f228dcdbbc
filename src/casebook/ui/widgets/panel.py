"""Base class of the case tabs (also embedded in wizard pages): one list plus an add form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from casebook.ui.widgets.common import Banner, Jobs
from casebook.ui.widgets.context import CaseBundle, CaseContext


class CasePanel(QWidget):
    """Shows part of a case from a :class:`CaseBundle`; changes go through the DB worker.

    ``changed`` is emitted after every successful save so the owner reloads the bundle.
    """

    changed = Signal()

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.banner = Banner(self)
        self.jobs = Jobs(self, ctx.worker, self.banner.show_error)
        self.bundle: CaseBundle | None = None

    def save(self, job: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
             message: str = "") -> None:
        """Run a change; on success clear the message (or show ``message``) and emit changed."""
        def done(result: Any) -> None:
            if message:
                self.banner.show_info(message)
            else:
                self.banner.clear()
            if on_done is not None:
                on_done(result)
            self.changed.emit()

        self.jobs.run(job, done)

    def set_data(self, bundle: CaseBundle) -> None:
        self.bundle = bundle

    def clear(self) -> None:
        self.jobs.forget()
        self.bundle = None
        self.banner.clear()


def make_table(parent: QWidget, name: str, headers: Sequence[str],
               stretch: int | None = None) -> QTableWidget:
    """A read-only, row-selecting table with an accessible name."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move within it
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Wrapped text needs the row heights worked out again once the columns have their widths.
    header.sectionResized.connect(lambda *_args: table.resizeRowsToContents())
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        for column in ([stretch] if isinstance(stretch, int) else stretch):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]],
               ids: Sequence[int] | None = None) -> None:
    """Replace the rows, keeping the selected id selected."""
    keep = selected_id(table)
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if ids is not None:
                item.setData(Qt.ItemDataRole.UserRole, ids[r])
            table.setItem(r, c, item)
    table.resizeRowsToContents()
    if keep is not None and ids is not None and keep in ids:
        table.selectRow(list(ids).index(keep))


def selected_id(table: QTableWidget) -> int | None:
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
    return int(value) if value is not None else None
