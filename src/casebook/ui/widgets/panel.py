"""Base class of the case tabs (also embedded in wizard pages): one list plus an add form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QDialog,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from casebook.ui.kit.banner import Banner
from casebook.ui.kit.ops import Op
from casebook.ui.kit.tables import filling
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.corrections import (
    CorrectionDialog,
    CorrectionsDialog,
    Fix,
    correction_buttons,
    mark_corrected,
    removal_dialog,
)


class CasePanel(QWidget):
    """Shows part of a case from a :class:`CaseBundle`; changes go through the DB worker.

    ``changed`` is emitted after every successful save so the owner reloads the bundle.
    """

    changed = Signal()

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.banner = Banner(self)
        self.op_epoch = 0  # moves on when cleared, so answers still on their way are dropped
        self.bundle: CaseBundle | None = None
        self.correction_dialog: CorrectionDialog | None = None
        self.correct_button: QPushButton | None = None
        self.remove_button: QPushButton | None = None
        self.history_dialog: QDialog | None = None
        self._corrected: list[tuple[QTableWidget, str]] = []

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

        self.op(job).success(done).run()

    def op(self, job: Callable[[], Any]) -> Op[Any]:
        """An operation for this panel: on the case's worker, its failure in the banner."""
        return Op(self, job, worker=self.ctx.worker).messages(self.banner)

    def set_data(self, bundle: CaseBundle) -> None:
        self.bundle = bundle

    def add_corrections(self, layout: QBoxLayout, table: QTableWidget, what: str,
                        fixes: Sequence[Fix], records: Callable[[CaseBundle], Sequence[Any]],
                        correct: Callable[[int, str, dict[str, Any]], Any],
                        remove: Callable[[int, str], Any] | None = None,
                        describe: Callable[[Any], str] = str) -> None:
        """"Correct…" (and "Remove…") buttons under ``table`` for its selected record.

        ``correct(record_id, reason, changes)`` and ``remove(record_id, reason)`` run on the
        worker (they call the case service); ``records`` finds the table's rows in the bundle.
        """
        def chosen() -> Any:
            record_id = selected_id(table)
            rows = records(self.bundle) if self.bundle is not None else ()
            return next((r for r in rows if r.id == record_id), None)

        def open_correct() -> None:
            record = chosen()
            if record is None:
                return

            def job(changes: dict[str, Any], reason: str) -> Callable[[], Any]:
                return lambda: correct(record.id, reason, changes)

            self.open_correction(
                CorrectionDialog(self, f"Correct {what}", fixes, asdict(record), job,
                                 self.ctx.worker, us=self.ctx.us, fill=self.ctx.fill),
                "Corrected. The original is kept in the case's corrections.",
                draft=f"correct:{kind}:{record.id}")

        def open_remove() -> None:
            record = chosen()
            if record is None or remove is None:
                return

            def job(_changes: dict[str, Any], reason: str) -> Callable[[], Any]:
                return lambda: remove(record.id, reason)

            self.open_correction(
                removal_dialog(self, what, describe(record), job, self.ctx.worker),
                f"Removed {describe(record)} from the case. The record is kept in its "
                "corrections.", draft=f"remove:{kind}:{record.id}")

        kind = what.split()[-1]

        def open_history() -> None:
            if self.bundle is None:
                return
            rows = {r.id: describe(r) for r in records(self.bundle)}
            history = [c for c in self.bundle.corrections if c.record_kind == kind]
            dialog = CorrectionsDialog(self, f"Corrections of {kind} records", history, rows,
                                       self.ctx.us)
            self.history_dialog = dialog
            dialog.finished.connect(lambda _result: dialog.deleteLater())
            dialog.open()

        self._corrected.append((table, kind))
        row, self.correct_button, self.remove_button = correction_buttons(
            table, kind, open_correct, open_remove if remove is not None else None,
            open_history)
        layout.addLayout(row)

    def history_button(self) -> QPushButton:
        """The "Corrections…" button (the history of this tab's corrections)."""
        found = self.findChild(QPushButton, f"history-{self._corrected[0][1]}")
        assert found is not None
        return found

    def mark_corrections(self) -> None:
        """Tooltips with the originals on corrected rows (call after filling the tables)."""
        if self.bundle is None:
            return
        for table, kind in self._corrected:
            mark_corrected(table, kind, self.bundle.corrections, self.ctx.us)

    def open_correction(self, dialog: CorrectionDialog, done_text: str,
                        draft: str = "") -> None:
        """Show a correction (or removal) dialog; once saved, say so and reload the case.

        With ``draft`` (a name unique to the record), what is typed is kept as the case's
        encrypted draft until it is saved or discarded, through a lock or a closed tab.
        """
        self.correction_dialog = dialog
        if draft:
            dialog.keep_as(self.ctx.worker, self.ctx.casebook.settings,
                           self.ctx.draft_key(draft))

        def saved() -> None:
            self.banner.show_info(done_text)
            self.changed.emit()

        dialog.accepted.connect(saved)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def clear(self) -> None:
        self.op_epoch += 1
        dialog = self.correction_dialog
        if dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible():
            dialog.drop()  # what was typed is kept as a draft (lock, closed tab)
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
    with filling(table):
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
