"""Start-up: no display, what shows first, light imports, the demo, and a whole first day:
first run -> main window -> lock -> unlock -> new case -> case open in its tab."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
import shiboken6
from gui_defaults import PASSPHRASE
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget, QWizard

from casebook.__main__ import has_display
from casebook.services import Casebook
from casebook.services.demo import DEMO_SCHOOL, populate_demo
from casebook.ui.app import DEMO_PASSPHRASE, CasebookApp
from casebook.ui.firstrun.wizard import PAGE_RECOVERY, FirstRunWizard
from casebook.ui.kit.settings import KEYRING_USER_SETTING, app_settings
from casebook.ui.main_window import MainWindow


def _start_locked(qtbot, casebook_dir: Path, jurisdiction: str) -> tuple[CasebookApp, MainWindow]:  # type: ignore[no-untyped-def]
    """The app started on an existing (locked) casebook: its unlock window."""
    Casebook.create(casebook_dir, school="Testbridge", jurisdiction=jurisdiction,
                    user_name="Jo", passphrase=PASSPHRASE)[0].lock()
    app = CasebookApp(casebook_dir)
    window = app.start()
    qtbot.addWidget(window)
    assert isinstance(window, MainWindow)
    return app, window


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    return env


def test_no_display_explains_and_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = subprocess.run([sys.executable, "-m", "casebook", "--data-dir", str(data)],
                            env=_clean_env(), capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2
    assert "no display" in result.stderr
    assert "casebook-admin" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert "xvfb-run" in result.stderr
    assert "Traceback" not in result.stderr
    assert not data.exists()  # nothing created


def test_has_display_rules() -> None:
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert has_display({}, "win32")
    assert has_display({}, "darwin")


def test_first_window_does_not_import_the_heavy_modules() -> None:
    code = ("import sys; import casebook.ui.main_window, casebook.ui.unlock, casebook.ui.app; "
            "heavy = [m for m in ('sqlalchemy', 'casebook.services', 'casebook.vault', "
            "'reportlab', 'alembic') if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True, env=_clean_env(QT_QPA_PLATFORM="offscreen"))
    assert result.stdout.strip() == "[]"


def test_version_flag() -> None:
    result = subprocess.run([sys.executable, "-m", "casebook", "--version"], env=_clean_env(),
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.startswith("Casebook ")


def test_start_shows_first_run_or_unlock(qtbot, casebook_dir: Path) -> None:
    app = CasebookApp(casebook_dir)
    first = app.start()
    qtbot.addWidget(first)
    assert isinstance(first, FirstRunWizard)
    first.close()
    app.shutdown()

    app, window = _start_locked(qtbot, casebook_dir, "wales")
    assert window.stack.currentWidget() is window.unlock_panel
    assert not window.unlock_panel.busy  # nothing remembered: no keyring try to wait for
    assert window.casebook is None
    window.close()
    app.shutdown()


def test_demo_opens_a_marked_throwaway_casebook(qtbot) -> None:
    app = CasebookApp(demo=True)
    window = app.start()
    qtbot.addWidget(window)
    folder = app.paths.root
    assert folder.exists()
    assert "DEMO" in window.windowTitle()
    assert window.demo_banner.isVisible()
    assert "DEMO" in window.demo_banner.text()
    with qtbot.waitSignal(window.unlocked, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() >= 10, timeout=10_000)
    qtbot.waitUntil(lambda: DEMO_SCHOOL in window.windowTitle())
    # The demo passphrase is on its unlock screen, so a newcomer can lock and unlock.
    assert DEMO_PASSPHRASE in window.unlock_panel.demo_label.text()
    # The demo has no warm-up before its session, but the start-up's imports were frozen
    # before its casebook was made: the session is not frozen (kit/collector.py); the lock
    # collects it once the locked screen is drawn, without thawing the app, then freezes all.
    assert gc.get_freeze_count() > 10_000 and app.heap.imports_frozen
    assert not app.heap.app_frozen
    book = weakref.ref(window.casebook)
    painted: list[int] = []

    class PaintWatch(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                painted.append(gc.get_freeze_count())
            return False

    watch = PaintWatch()
    window.unlock_panel.installEventFilter(watch)
    with qtbot.waitSignal(window.locked, timeout=10_000):
        window.lock()
    assert gc.get_freeze_count() > 10_000  # the lock did not wait for the collection
    qtbot.waitUntil(lambda: app.heap.app_frozen, timeout=5_000)  # collected, then frozen
    assert book() is None  # the closed casebook was handed back
    assert painted and painted[0] > 10_000  # the locked screen was drawn first
    window.unlock_panel.removeEventFilter(watch)
    window.close()
    app.shutdown()
    assert not folder.exists()  # thrown away


def test_the_lock_hands_the_session_back_without_thawing_the_app(
        qtbot, casebook_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """What lives as long as the app is frozen out of collections once the warm-up is done;
    the lock collects only the closed session (a full collection of the whole heap was a
    100-200 ms stall just as the user might type the passphrase again)."""
    app, window = _start_locked(qtbot, casebook_dir, "england")
    with qtbot.waitSignal(app.warmed_up, timeout=60_000):
        pass
    assert app.heap.app_frozen
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    thawed: list[bool] = []
    unfreeze = gc.unfreeze
    monkeypatch.setattr(gc, "unfreeze", lambda: (thawed.append(True), unfreeze())[1])
    panel = window.unlock_panel
    qtbot.waitUntil(lambda: not panel.busy)
    panel.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=20_000):
        panel.submit()
    book = weakref.ref(window.casebook)
    dashboard = weakref.ref(window.fixed_views["dashboard"])
    assert gc.get_freeze_count() <= frozen  # the session stays in the collections
    with qtbot.waitSignal(window.locked, timeout=10_000):
        window.lock()
    qtbot.waitUntil(lambda: book() is None and dashboard() is None, timeout=5_000)
    assert not thawed and gc.get_freeze_count() > 10_000  # the app stayed frozen
    window.close()
    app.shutdown()


def test_a_remembered_key_opens_at_start_and_the_first_lock_is_short(
        qtbot, casebook_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Tried behind the start-up's imports, a remembered key opened the casebook before the
    app's own objects were frozen: the first lock then collected the whole heap (120-130 ms).
    The imports are frozen before the database thread goes on to the key."""
    book = Casebook.create(casebook_dir, school="Testbridge", jurisdiction="england",
                           user_name="Jo", passphrase=PASSPHRASE)[0]
    assert book.users.remember_on_this_computer(True)
    app_settings().setValue(KEYRING_USER_SETTING, book.user.id)  # as Settings does
    book.lock()
    app = CasebookApp(casebook_dir)
    window = app.start()
    qtbot.addWidget(window)
    assert isinstance(window, MainWindow)
    assert window.unlock_panel.busy  # "Opening with the key remembered on this computer…"
    with qtbot.waitSignal(window.unlocked, timeout=60_000):
        pass
    assert app.heap.imports_frozen  # before the session: the session stays in the collections
    thawed: list[bool] = []
    unfreeze = gc.unfreeze
    monkeypatch.setattr(gc, "unfreeze", lambda: (thawed.append(True), unfreeze())[1])
    with qtbot.waitSignal(window.locked, timeout=10_000):
        window.lock()
    qtbot.waitUntil(lambda: window.holds_no_casebook(), timeout=5_000)
    assert not thawed  # the first lock collected only the session
    window.close()
    app.shutdown()


def test_a_passphrase_entered_before_the_warm_up_leaves_a_short_first_lock(
        qtbot, casebook_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Unlocked at once, before the warm-up is done: the start-up's imports were frozen while
    the database thread waited (before it made the casebook), so the session is not frozen
    with the app and the first lock collects only the session (it was 120-130 ms)."""
    app, window = _start_locked(qtbot, casebook_dir, "england")
    panel = window.unlock_panel
    panel.passphrase_edit.setText(PASSPHRASE)
    panel.submit()  # queued behind the warm-up's imports on the database thread
    with qtbot.waitSignal(window.unlocked, timeout=60_000):
        pass
    assert app.heap.imports_frozen and not app.heap.app_frozen
    book = weakref.ref(window.casebook)
    thawed: list[bool] = []
    unfreeze = gc.unfreeze
    monkeypatch.setattr(gc, "unfreeze", lambda: (thawed.append(True), unfreeze())[1])
    with qtbot.waitSignal(window.locked, timeout=10_000):
        window.lock()
    qtbot.waitUntil(lambda: book() is None, timeout=5_000)  # handed back
    assert not thawed
    window.close()
    app.shutdown()


def test_populate_demo_makes_realistic_fictional_cases(unlocked_casebook) -> None:
    ids = populate_demo(unlocked_casebook, add_deputy=False)
    cases = unlocked_casebook.cases
    assert 10 <= len(ids) <= 14
    summaries = cases.list_page(limit=100)
    assert {s.status.value for s in summaries} == {"open", "monitoring", "closed"}
    assert any(s.overdue_actions for s in summaries)
    assert len({s.opened_at.date() for s in summaries}) > 5  # spread over the term
    assert sum(len(cases.chronology(i)) for i in ids) >= 30
    assert any(cases.accounts(i) for i in ids)
    assert any(cases.decisions(i) for i in ids)
    assert any(unlocked_casebook.tracker.for_case(i) for i in ids)
    handles = [a.handle for i in ids for a in cases.accounts(i)]
    assert all("demo" in h.lower() for h in handles)  # cannot match a real account
    assert cases.search("skatepark") == [] and cases.search("bus stop")
    assert unlocked_casebook.verify().ok


def test_a_first_day_end_to_end(qtbot, casebook_dir: Path) -> None:
    app = CasebookApp(casebook_dir)
    wizard = app.start()  # (deleted by the app once finished, so not given to qtbot)
    assert isinstance(wizard, FirstRunWizard)
    qtbot.keyClicks(wizard.school_page.school_edit, "Testbridge School")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(wizard.you_page.name_edit, "Jo Tester")
    qtbot.keyClicks(wizard.you_page.fields.passphrase_edit, PASSPHRASE)
    qtbot.keyClicks(wizard.you_page.fields.confirm_edit, PASSPHRASE)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=15_000)
    recovery = wizard.recovery_page.panel
    qtbot.keyClicks(recovery.typed_back_edit, recovery.key().rsplit("-", 1)[-1])
    qtbot.keyClick(recovery.confirm_check, Qt.Key.Key_Space)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    wizard.backup_page.backup_now_check.setChecked(False)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window is not None and app.window.casebook is not None,
                    timeout=15_000)
    window = app.window
    qtbot.addWidget(window)
    assert not shiboken6.isValid(wizard) or not wizard.isVisible()
    qtbot.waitUntil(lambda: window.case_list.stack.currentWidget() is window.case_list.empty)

    # Lock and unlock.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.locked, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.unlock_panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.keyClick(window.unlock_panel.passphrase_edit, Qt.Key.Key_Return)

    # New case from the "New case" menu for one type.
    window.new_type_actions[next(iter(window.new_type_actions))].trigger()
    qtbot.waitUntil(lambda: window.new_case_dialog is not None)
    dialog = window.new_case_dialog
    assert dialog.type_combo.currentData() == "impersonation"
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("baiting"))
    qtbot.keyClicks(dialog.title_edit, "Muggies page for Year 9")
    qtbot.keyClicks(dialog.summary_edit, "Tutor reported an account posting photos.")
    with qtbot.waitSignal(window.case_opened, timeout=10_000) as opened:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    case_id = opened.args[0]
    assert window.tabs.currentWidget() is window.case_views[case_id]
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1)
    assert window.case_list.stack.currentWidget() is window.case_list.table
    case = window.casebook.cases.get(case_id)
    assert case.case_type.value == "baiting"
    window.close()
    app.shutdown()


def test_window_geometry_is_remembered(qtbot, worker, unlocked_casebook) -> None:
    unlocked_casebook.lock()
    window = MainWindow(worker, unlocked_casebook.paths, None)
    qtbot.addWidget(window)
    window.show()
    window.resize(703, 517)  # (the offscreen test screen is only 800 x 600)
    qtbot.waitUntil(lambda: window.size().width() == 703)
    window.close()
    again = MainWindow(worker, unlocked_casebook.paths, None)
    qtbot.addWidget(again)
    assert (again.size().width(), again.size().height()) == (703, 517)
    again.close()


def _unnamed_inputs(root) -> list[str]:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLineEdit,
        QPlainTextEdit,
    )

    missing = []
    kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QAbstractItemView,
             QAbstractButton)
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, kinds) or not widget.isVisibleTo(root):
            continue
        if isinstance(widget.parent(), QAbstractSpinBox | QComboBox) or \
                isinstance(widget, QHeaderView):
            continue  # the inner editor of a spin box or combo box; a table's own header
        if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
            continue  # a button's text is its accessible name
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_inputs_have_accessible_names(qtbot, main_window: MainWindow) -> None:
    assert _unnamed_inputs(main_window.case_list) == []
    assert _unnamed_inputs(main_window.unlock_panel) == []
    main_window.show_settings()
    settings = main_window.settings_dialog
    qtbot.waitUntil(lambda: not settings._loading)
    for index in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(index)
        assert _unnamed_inputs(settings.tabs.currentWidget()) == [], settings.tabs.tabText(index)
    settings.reject()
    main_window.new_case()
    assert _unnamed_inputs(main_window.new_case_dialog) == []
    wizard = FirstRunWizard(main_window.worker, main_window.paths)
    qtbot.addWidget(wizard)
    wizard.show()
    for page_id in wizard.pageIds():
        assert _unnamed_inputs(wizard.page(page_id)) == [], page_id
    wizard.hide()
