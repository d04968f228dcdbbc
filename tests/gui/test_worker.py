"""The single DB worker thread: order, results on the GUI thread, errors, clean stop."""

from __future__ import annotations

import threading

from casebook.errors import NotFoundError
from casebook.ui.worker import DbWorker


def test_jobs_run_in_order_off_the_gui_thread_and_results_come_back(qtbot) -> None:
    worker = DbWorker()
    try:
        gui_thread = threading.get_ident()
        ran_on: list[int] = []
        results: list[int] = []
        for i in range(20):
            worker.submit(lambda i=i: (ran_on.append(threading.get_ident()), i)[1],
                          results.append)
        qtbot.waitUntil(lambda: len(results) == 20)
        assert results == list(range(20))
        assert gui_thread not in ran_on
    finally:
        worker.stop()


def test_errors_reach_the_error_callback_or_the_unhandled_signal(qtbot) -> None:
    worker = DbWorker()
    try:
        errors: list[BaseException] = []

        def fail() -> None:
            raise NotFoundError("That case no longer exists.")

        worker.submit(fail, on_error=errors.append)
        qtbot.waitUntil(lambda: len(errors) == 1)
        assert str(errors[0]) == "That case no longer exists."
        with qtbot.waitSignal(worker.unhandled_error) as blocker:
            worker.submit(fail)
        assert isinstance(blocker.args[0], NotFoundError)
    finally:
        worker.stop()


def test_stop_runs_every_job_submitted_before_it() -> None:
    worker = DbWorker()
    done: list[int] = []
    gate = threading.Event()
    worker.submit(gate.wait)  # holds the thread so the next jobs queue up
    for i in range(5):
        worker.submit(lambda i=i: done.append(i))
    gate.set()
    worker.stop()
    assert done == [0, 1, 2, 3, 4]


def test_answers_for_a_deleted_view_are_dropped(qtbot) -> None:
    import shiboken6
    from PySide6.QtWidgets import QLabel

    worker = DbWorker()
    try:
        label = QLabel()
        gate = threading.Event()
        worker.submit(gate.wait)
        worker.submit(lambda: "late answer", label.setText)
        shiboken6.delete(label)  # the view is gone before its answer arrives (e.g. on lock)
        gate.set()
        qtbot.waitUntil(lambda: worker.pending == 0)  # no RuntimeError reached the event loop
    finally:
        worker.stop()
