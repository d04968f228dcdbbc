"""The UI kit: one operation object, one change notice that keeps every open screen current.

Issue 11, items 2 and 13: after a new high-risk case the dashboard shows it without any
refresh code of its own; a failed job gives one calm message and a log entry (never the
error's text); an answer for a deleted screen is dropped; the busy widget cannot be pressed
twice.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from casebook.errors import ValidationError
from casebook.ui.kit import GENERIC_ERROR, Banner, Op
from casebook.ui.main_window import MainWindow
from casebook.ui.worker import DbWorker

WAIT = 10_000


def test_a_new_high_risk_case_shows_on_the_dashboard_without_refresh(
        qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dashboard = main_window.fixed_views["dashboard"]
    qtbot.waitUntil(lambda: dashboard.snapshot is not None, timeout=WAIT)
    assert dashboard.tile("open-cases").value_text == "0"
    assert dashboard.tile("open-cases:high").value_text == "0"

    # File › New case, typed and created through the dialog's own widgets.
    main_window.new_case_action.trigger()
    dialog = main_window.new_case_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.title_edit, "Fake account using the school logo")
    dialog.risk_combo.setCurrentIndex(dialog.risk_combo.findData("high"))
    loads = dashboard.loads
    with qtbot.waitSignal(main_window.case_opened, timeout=WAIT):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    # The case tab is in front: the dashboard is marked stale, and reads once when shown.
    assert main_window.tabs.currentWidget() is not dashboard
    assert dashboard.stale and dashboard.loads == loads
    with qtbot.waitSignal(dashboard.loaded, timeout=WAIT):
        main_window.tabs.setCurrentWidget(dashboard)
    assert dashboard.tile("open-cases").value_text == "1"
    assert dashboard.tile("open-cases:high").value_text == "1"

    # A write from any code path (here a bare worker job, as the wizard's records are) reaches
    # the dashboard while it is on screen, and the case list too.
    book = main_window.casebook
    assert book is not None
    with qtbot.waitSignal(dashboard.loaded, timeout=WAIT):
        main_window.worker.submit(lambda: book.cases.create("Rumour page", "harassment",
                                                            risk="critical"))
    assert dashboard.tile("open-cases").value_text == "2"
    assert dashboard.tile("open-cases:critical").value_text == "1"
    model = main_window.case_list.model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 2, timeout=WAIT)


def test_the_change_notice_comes_once_per_job_that_wrote(qtbot, worker: DbWorker,
                                                         unlocked_casebook) -> None:  # type: ignore[no-untyped-def]
    book = unlocked_casebook
    worker.watch_changes(book.store.take_changes)
    notices: list[frozenset[str]] = []
    worker.changed.connect(notices.append)

    def two_writes() -> None:
        case = book.cases.create("Baiting account", "baiting")
        book.cases.add_account(case.id, "TikTok", "@bait_page", "baiting")
        book.tracker.add(case.id, body="platform", recipient="TikTok")

    with qtbot.waitSignal(worker.changed, timeout=WAIT):
        worker.submit(two_writes)
    assert notices == [frozenset({"case", "tracker"})]

    done: list[object] = []
    worker.submit(book.cases.list_page, done.append)  # reads only
    worker.submit(lambda: book.cases.create("", "other"), None, done.append)  # refused
    qtbot.waitUntil(lambda: len(done) == 2, timeout=WAIT)
    assert isinstance(done[1], ValidationError)
    assert notices == [frozenset({"case", "tracker"})]


class _Screen(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.save = QPushButton("Save", self)
        self.banner = Banner(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.save)
        layout.addWidget(self.banner)


def test_op_marks_busy_reports_success_and_fails_calmly(qtbot, worker: DbWorker, caplog) -> None:  # type: ignore[no-untyped-def]
    screen = _Screen()
    qtbot.addWidget(screen)
    screen.show()
    release = threading.Event()
    results: list[int] = []

    def job() -> int:
        release.wait(WAIT / 1000)
        return 42

    Op(screen, job, worker=worker).success(results.append, text="Report saved.") \
        .busy(screen.save).messages(screen.banner).run()
    assert not screen.save.isEnabled()  # no second press while it runs
    release.set()
    qtbot.waitUntil(lambda: results == [42], timeout=WAIT)
    assert screen.save.isEnabled()
    assert screen.banner.kind == "done" and screen.banner.text() == "Report saved."

    private = " ".join(["Jo", "Bloggs", "at", "12", "Acacia", "Avenue"])  # never shown or logged

    def broken() -> None:
        raise RuntimeError(private)

    caplog.set_level(logging.ERROR)
    Op(screen, broken, doing="saving a report", worker=worker).busy(screen.save) \
        .messages(screen.banner).run()
    qtbot.waitUntil(lambda: screen.banner.kind == "error", timeout=WAIT)
    assert screen.banner.text() == GENERIC_ERROR
    assert screen.save.isEnabled()
    [entry] = [r for r in caplog.records if "RuntimeError" in r.getMessage()]
    assert "while saving a report" in entry.getMessage()
    assert "Acacia" not in caplog.text and "Bloggs" not in caplog.text

    # Without a worker named, an Op runs on the app's one DB thread.
    assert DbWorker.default() is worker
    Op(screen, lambda: (_ for _ in ()).throw(ValidationError("Say who the report went to."))) \
        .messages(screen.banner).run()
    qtbot.waitUntil(lambda: screen.banner.text() == "Say who the report went to.", timeout=WAIT)


def test_op_drops_the_answer_for_a_deleted_or_cleared_screen(qtbot, worker: DbWorker) -> None:  # type: ignore[no-untyped-def]
    release = threading.Event()
    answers: list[object] = []
    screen = _Screen()
    Op(screen, lambda: release.wait(WAIT / 1000), worker=worker) \
        .success(answers.append).failure(answers.append).run()
    screen.deleteLater()
    qtbot.waitUntil(lambda: not _alive(screen), timeout=WAIT)
    release.set()
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=WAIT)
    assert answers == []

    cleared = _Screen()
    qtbot.addWidget(cleared)
    cleared.op_epoch = 0  # type: ignore[attr-defined]
    gate = threading.Event()
    Op(cleared, lambda: gate.wait(WAIT / 1000), worker=worker).success(answers.append).run()
    cleared.op_epoch = 1  # type: ignore[attr-defined]  # cleared on lock
    gate.set()
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=WAIT)
    assert answers == []


def _alive(widget: QWidget) -> bool:
    from casebook.ui.kit import alive

    return alive(widget)


def test_an_open_case_shows_a_report_recorded_in_the_tracker(
        qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = main_window.casebook
    assert book is not None
    case = book.cases.create("Fake account", "impersonation")
    main_window.open_case(case.id)
    view = main_window.case_views[case.id]
    qtbot.waitUntil(lambda: getattr(view, "bundle", None) is not None, timeout=WAIT)
    assert view.bundle.reports == ()
    tracker = main_window.fixed_views["tracker"]
    with qtbot.waitSignal(tracker.loaded, timeout=WAIT):
        main_window.tabs.setCurrentWidget(tracker)
    tracker.case_edit.setCurrentIndex(tracker.case_edit.findData(case.id))
    tracker.recipient_edit.setEditText("Instagram")
    with qtbot.waitSignal(tracker.report_saved, timeout=WAIT):
        qtbot.mouseClick(tracker.add_button, Qt.MouseButton.LeftButton)
    # The case tab was behind the tracker: it reads the case again when it is shown.
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        main_window.tabs.setCurrentWidget(view)
    assert [r.recipient for r in view.bundle.reports] == ["Instagram"]


def test_a_change_on_one_screen_reaches_every_screen_that_shows_it(
        qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Item 2: one change notice, no refresh code per view. Every school-wide screen has been
    shown once; an official account added through its own form reaches the dashboard (not on
    screen: it reads when next shown), while screens that show nothing of it are left alone."""
    views = main_window.fixed_views
    for key in ("dashboard", "checklist", "tracker", "official"):
        view = views[key]
        if view.loads == 0:
            with qtbot.waitSignal(view.loaded, timeout=WAIT):
                main_window.tabs.setCurrentWidget(view)
        main_window.tabs.setCurrentWidget(view)
    dashboard, official = views["dashboard"], views["official"]
    qtbot.waitUntil(lambda: dashboard.snapshot is not None, timeout=WAIT)
    assert dashboard.tile("official-checks-due").value_text == "0"
    loads = {key: views[key].loads for key in ("dashboard", "checklist", "tracker")}

    assert main_window.tabs.currentWidget() is official
    official.platform_edit.setEditText("Instagram")
    qtbot.keyClicks(official.handle_edit, "@oakfieldprimary")
    official.checked_set.setChecked(False)  # never checked: a check is due
    with qtbot.waitSignal(official.loaded, timeout=WAIT):
        qtbot.mouseClick(official.add_button, Qt.MouseButton.LeftButton)
    assert official.table.rowCount() == 1
    flush = main_window.worker
    qtbot.waitUntil(lambda: flush.pending == 0, timeout=WAIT)

    assert dashboard.stale and dashboard.loads == loads["dashboard"]  # off screen: no read yet
    for key in ("checklist", "tracker"):  # they show nothing of official accounts
        assert not views[key].stale and views[key].loads == loads[key], key
    with qtbot.waitSignal(dashboard.loaded, timeout=WAIT):
        main_window.tabs.setCurrentWidget(dashboard)
    assert dashboard.tile("official-checks-due").value_text == "1"
    assert dashboard.loads == loads["dashboard"] + 1


def test_every_field_of_the_school_wide_screens_is_named_from_its_label(
        qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Item 13: the form helper names each field from its label, so a screen reader says what
    is on screen and Alt+letter on the label reaches the field; nothing is left unnamed."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
    )

    from casebook.ui.kit.forms import plain

    inputs = QLineEdit | QPlainTextEdit | QComboBox | QAbstractSpinBox | QAbstractItemView
    checked = 0
    problems = []
    for key in ("dashboard", "checklist", "tracker", "official"):
        view = main_window.fixed_views[key]
        main_window.tabs.setCurrentWidget(view)
        qtbot.waitUntil(lambda view=view: view.loads > 0 and not view.stale, timeout=WAIT)
        for label in view.findChildren(QLabel):
            target = label.buddy()
            if target is None or isinstance(target, QLabel) or not label.isVisibleTo(view):
                continue  # no field, or a read-only text (read out as it is)
            spoken = target.accessibleName() or (target.focusProxy() or target).accessibleName()
            words = plain(label.text()).casefold().split()
            if not words or words[0] not in spoken.casefold():  # "Owner" → "Show items of owner"
                problems.append(f"{key}: label {label.text()!r} names its field {spoken!r}")
            checked += 1
        for widget in view.findChildren(QWidget):
            if not isinstance(widget, inputs | QAbstractButton) or not widget.isVisibleTo(view):
                continue
            if isinstance(widget.parent(), QComboBox | QAbstractSpinBox) \
                    or isinstance(widget, QHeaderView):
                continue  # a combo's own line edit or list; a table's header
            if isinstance(widget, QAbstractButton) and plain(widget.text()):
                continue  # a button says its own text
            if not widget.accessibleName():
                problems.append(f"{key}: {type(widget).__name__} {widget.objectName()!r}")
    assert problems == [], "\n".join(problems)
    assert checked >= 15  # the checklist, tracker and official-account forms were seen

    # Alt+letter on a label moves to its field (the buddy is the field, not a wrapper).
    official = main_window.fixed_views["official"]
    main_window.tabs.setCurrentWidget(official)
    official.activateWindow()
    official.platform_edit.setFocus()
    assert not official.handle_edit.hasFocus()
    qtbot.keyClick(official, "d", Qt.KeyboardModifier.AltModifier)  # "Han&dle:"
    qtbot.waitUntil(lambda: official.handle_edit.hasFocus(), timeout=WAIT)
