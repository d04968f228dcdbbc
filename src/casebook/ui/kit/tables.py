"""Read-only tables of records, as the school-wide screens show them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

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
