"""Locking: after idle time and on Ctrl+L the views clear, the casebook closes, the unlock
screen shows, and unsaved text (and the open cases) come back after unlocking."""

from __future__ import annotations

import shiboken6
from gui_defaults import PASSPHRASE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from casebook.ui.autolock import IdleLock
from casebook.ui.main_window import MainWindow


class CountingLock(IdleLock):
    """An idle lock that counts the events its filter is handed."""

    seen = 0

    def eventFilter(self, watched, event):  # noqa: N802, ANN001, ANN201
        CountingLock.seen += 1
        return super().eventFilter(watched, event)


def _unlock(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.unlock_panel
    qtbot.waitUntil(lambda: panel.unlock_button.isEnabled() and not panel.busy)
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.keyClick(panel.passphrase_edit, Qt.Key.Key_Return)


def test_idle_lock_clears_views_and_closes_the_casebook(qtbot, main_window: MainWindow,
                                                        unlocked_casebook) -> None:
    case = unlocked_casebook.cases.create("Baiting account about Year 9", "baiting")
    main_window.refresh_list()
    qtbot.waitUntil(lambda: main_window.case_list.model.rowCount() == 1)
    main_window.open_case(case.id)
    assert case.id in main_window.case_views
    assert main_window.tabs.count() == 2 + len(main_window.fixed_views)  # cases + dashboard…
    assert main_window.autolock.running

    with qtbot.waitSignal(main_window.locked, timeout=10_000):
        main_window.autolock.set_interval_ms(20)  # idle "minutes" made tiny for the test

    assert unlocked_casebook.is_locked
    assert main_window.casebook is None
    assert main_window.stack.currentWidget() is main_window.unlock_panel
    assert main_window.case_views == {} and main_window.fixed_views == {}
    assert main_window.tabs.count() == 1  # only the (emptied) case list
    assert main_window.case_list.model.rowCount() == 0
    assert not main_window.autolock.running
    assert "locked itself" in main_window.unlock_panel.note.plain_text
    assert main_window.lock_status.text() == "Locked"
    assert not main_window.new_case_action.isEnabled()

    main_window.autolock.set_minutes(5)
    _unlock(qtbot, main_window)
    # The case that was open comes back in its tab.
    qtbot.waitUntil(lambda: case.id in main_window.case_views)
    qtbot.waitUntil(lambda: main_window.case_list.model.rowCount() == 1)
    assert main_window.autolock.running


def test_unsaved_new_case_text_survives_a_lock(qtbot, main_window: MainWindow) -> None:
    main_window.activateWindow()
    qtbot.waitUntil(lambda: main_window.isActiveWindow())
    qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: main_window.new_case_dialog is not None
                    and main_window.new_case_dialog.isVisible())
    dialog = main_window.new_case_dialog
    qtbot.keyClicks(dialog.title_edit, "Account copying the crest")
    qtbot.keyClicks(dialog.summary_edit, "Reported by the office at lunchtime.")
    dialog.risk_combo.setCurrentIndex(dialog.risk_combo.findData("high"))

    with qtbot.waitSignal(main_window.locked, timeout=10_000):
        main_window.autolock.set_interval_ms(20)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed (and deleted)
    assert main_window.new_case_dialog is None

    main_window.autolock.set_minutes(5)
    _unlock(qtbot, main_window)
    qtbot.waitUntil(lambda: main_window.new_case_dialog is not None
                    and main_window.new_case_dialog.isVisible(), timeout=10_000)
    restored = main_window.new_case_dialog
    assert restored.title_edit.text() == "Account copying the crest"
    assert restored.summary_edit.toPlainText() == "Reported by the office at lunchtime."
    assert restored.risk_combo.currentData() == "high"

    # Creating the case uses the text and clears the draft.
    with qtbot.waitSignal(main_window.case_opened, timeout=10_000) as opened:
        qtbot.mouseClick(restored.create_button, Qt.MouseButton.LeftButton)
    case_id = opened.args[0]
    casebook = main_window.casebook
    case = casebook.cases.get(case_id)
    assert case.title == "Account copying the crest"
    assert case.risk.value == "high"
    qtbot.waitUntil(lambda: casebook.settings.get_draft("user1:ui.new-case") is None)


def test_ctrl_l_locks(qtbot, main_window: MainWindow, unlocked_casebook) -> None:
    main_window.activateWindow()
    qtbot.waitUntil(lambda: main_window.isActiveWindow())
    with qtbot.waitSignal(main_window.locked, timeout=10_000):
        qtbot.keyClick(main_window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert unlocked_casebook.is_locked
    assert main_window.stack.currentWidget() is main_window.unlock_panel
    assert main_window.unlock_panel.note.plain_text == ""  # no "idle" note after Ctrl+L
    assert QApplication.focusWidget() is main_window.unlock_panel.passphrase_edit


def test_activity_keeps_it_unlocked(qtbot, main_window: MainWindow) -> None:
    lock = main_window.autolock
    lock.set_interval_ms(60_000)
    assert lock.running
    remaining_before = lock._timer.remainingTime()
    qtbot.waitUntil(lambda: lock._timer.remainingTime() < remaining_before - 50, timeout=3000)
    qtbot.keyClick(main_window.case_list.search_edit, Qt.Key.Key_A)  # any key restarts it
    assert lock._timer.remainingTime() > remaining_before - 50
    assert main_window.casebook is not None


def test_a_still_pointer_is_not_activity(qtbot, main_window: MainWindow) -> None:
    """Made-up mouse moves (a widget appearing under a pointer nobody moved) do not keep the
    casebook open; a real move does."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent

    lock = main_window.autolock
    lock.set_interval_ms(60_000)
    target = main_window.case_list.table.viewport()

    def move(x: float) -> None:
        event = QMouseEvent(QEvent.Type.MouseMove, QPointF(x, 5), QPointF(x, 5),
                            Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, event)  # sendEvent: not spontaneous

    first = lock._timer.remainingTime()
    qtbot.waitUntil(lambda: lock._timer.remainingTime() < first - 50, timeout=3000)
    move(10)
    assert lock._timer.remainingTime() < first - 50  # not restarted
    qtbot.mouseMove(target, target.rect().center())  # a real (spontaneous) move
    assert lock._timer.remainingTime() > first - 50


def test_the_filter_listens_only_while_the_countdown_runs(qtbot) -> None:
    """Locked, no Python runs for the application's events (building the workspace delivers
    thousands); unlocked again, a key press still restarts the countdown."""
    from PySide6.QtWidgets import QLineEdit

    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    CountingLock.seen = 0
    lock = CountingLock(5)
    try:
        qtbot.keyClicks(edit, "abc")
        edit.resize(300, 40)
        assert CountingLock.seen == 0  # never started: nothing filtered

        lock.set_interval_ms(60_000)
        lock.start()
        first = lock._timer.remainingTime()
        qtbot.waitUntil(lambda: lock._timer.remainingTime() < first - 50, timeout=3000)
        qtbot.keyClick(edit, Qt.Key.Key_D)
        assert CountingLock.seen > 0
        assert lock._timer.remainingTime() > first - 50  # the key restarted it

        lock.stop()
        CountingLock.seen = 0
        qtbot.keyClicks(edit, "ef")
        assert CountingLock.seen == 0

        lock.start()  # started twice: still one filter, still counting keys
        lock.start()
        again = lock._timer.remainingTime()
        qtbot.waitUntil(lambda: lock._timer.remainingTime() < again - 50, timeout=3000)
        qtbot.keyClick(edit, Qt.Key.Key_G)
        assert lock._timer.remainingTime() > again - 50
        assert edit.text() == "abcdefg"
    finally:
        lock.detach()


def test_building_widgets_unwatched_skips_the_filter_and_input_after_it_counts(qtbot) -> None:
    """Screens built while unlocked send thousands of events through the application-wide
    filter; ``unwatched()`` lets them past it, and afterwards the filter is back."""
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    from casebook.ui.autolock import unwatched

    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    CountingLock.seen = 0
    lock = CountingLock(5)
    stopped = CountingLock(5)
    try:
        lock.set_interval_ms(60_000)
        lock.start()
        stopped.start()
        stopped.stop()  # a stopped lock is not put back by the block
        with unwatched():
            screen = QWidget()
            layout = QVBoxLayout(screen)
            for _ in range(20):
                layout.addWidget(QLineEdit(screen))  # child, parent and layout events
            screen.deleteLater()
            assert CountingLock.seen == 0
        first = lock._timer.remainingTime()
        qtbot.waitUntil(lambda: lock._timer.remainingTime() < first - 50, timeout=3000)
        qtbot.keyClick(edit, Qt.Key.Key_A)
        assert CountingLock.seen > 0
        assert lock._timer.remainingTime() > first - 50  # the key restarted it
        assert lock.running and not stopped.running
    finally:
        lock.detach()
        stopped.detach()
