"""Filling a shown table whose columns fit their contents: one fit at the end, not one per cell.

Without ``kit.tables.filling`` every ``setItem`` measured the whole column again (n² in the
rows): 150 rows of six columns froze the window for 1.6 s of GUI-thread CPU.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableWidget

from casebook.ui.kit.tables import cell, filling, read_only_table

COLUMNS = ["Item", "Status", "Level", "Target", "Owner", "Next review"]
ROWS = 150


def _shown_table(qtbot) -> QTableWidget:  # type: ignore[no-untyped-def]
    table = read_only_table(COLUMNS, stretch=0)
    qtbot.addWidget(table)
    table.resize(1000, 600)
    table.show()
    qtbot.waitExposed(table)
    return table


def _fill(table: QTableWidget, width: int) -> None:
    table.setRowCount(ROWS)
    for row in range(ROWS):
        for column in range(len(COLUMNS)):
            table.setItem(row, column, cell(f"{row}:{column} " + "w" * (width if row == 77 else 3)))


def test_a_filled_table_fits_its_columns_as_one_filled_cell_by_cell(qtbot) -> None:  # type: ignore[no-untyped-def]
    plain, batched = _shown_table(qtbot), _shown_table(qtbot)
    for width in (3, 12):  # shown, then refreshed with a longer cell
        _fill(plain, width)
        with filling(batched):
            _fill(batched, width)
        qtbot.wait(10)
    qtbot.wait(10)
    widths = [batched.columnWidth(c) for c in range(len(COLUMNS))]
    assert widths == [plain.columnWidth(c) for c in range(len(COLUMNS))]
    assert widths[1] > batched.fontMetrics().horizontalAdvance("w" * 12)  # the long cell fits
    header = batched.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch
    assert all(header.sectionResizeMode(c) == QHeaderView.ResizeMode.ResizeToContents
               for c in range(1, len(COLUMNS)))  # the table still fits later changes


def test_filling_a_shown_table_does_not_freeze_the_window(qtbot, stalls) -> None:  # type: ignore[no-untyped-def]
    table = _shown_table(qtbot)
    with filling(table):
        _fill(table, 3)
    qtbot.wait(10)
    with stalls.watch("150 rows shown again (a refresh)"):
        with filling(table):
            _fill(table, 3)
        qtbot.wait(10)
    assert table.rowCount() == ROWS and table.item(ROWS - 1, 5).text().startswith("149:5")
