"""Helpers for the case view, wizard and evidence GUI tests (their fixtures: conftest.py)."""

from __future__ import annotations

from casebook.services import Casebook
from casebook.ui.worker import DbWorker


def wait_idle(qtbot, worker: DbWorker) -> None:  # type: ignore[no-untyped-def]
    """Every submitted job has finished and its callback has run."""
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=15_000)


def open_case_view(qtbot, worker: DbWorker, casebook: Casebook, case_id: int):  # type: ignore[no-untyped-def]
    from casebook.ui.cases.case_view import CaseView

    view = CaseView(worker, casebook, case_id)
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    qtbot.waitUntil(lambda: view.bundle is not None, timeout=15_000)
    wait_idle(qtbot, worker)
    return view
