"""Read-only tables of records, as the school-wide screens show them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
)

from casebook.ui.kit.forms import named

ROLE = Qt.ItemDataRole.UserRole


def read_only_table(columns: list[str], name: str = "", accessible: str = "",
                    stretch: int | None = None) -> QTableWidget:
    """Rows chosen whole, one at a time, never edited in place; columns fit their contents
    except ``stretch``, which takes the spare width."""
    table = named(QTableWidget(0, len(columns)), name, accessible)
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    for column in range(len(columns)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def cell(text: str, data: object = None, tip: str = "") -> QTableWidgetItem:
    """A read-only cell; ``data`` (an id) is kept under ``ROLE``."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if data is not None:
        item.setData(ROLE, data)
    if tip:
        item.setToolTip(tip)
    return item


@contextmanager
def filling(table: QTableView) -> Iterator[None]:
    """Fill a table's rows with its columns fitted to their contents once, at the end.

    Each ``setItem`` on a shown table whose columns fit their contents measures every row of
    those columns again, so filling n rows costs n²: 76 rows of the checklist took 330-440 ms
    of the GUI thread, 150 rows 1.6 s; with the columns held at their width meanwhile, 2-4 ms.
    (When the fitted columns come out wider than the table, a stretched column keeps its width
    and the table scrolls sideways, rather than keeping whatever width it reached cell by cell.)
    """
    header = table.horizontalHeader()
    modes = {column: header.sectionResizeMode(column) for column in range(header.count())}
    for column in modes:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
    try:
        yield
    finally:
        for column, mode in modes.items():  # fitted (and stretched) once, here
            header.setSectionResizeMode(column, mode)
