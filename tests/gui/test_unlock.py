"""The unlock screen: right and wrong passphrases, the pause after failures, damaged files,
the recovery key, and the keyring at start-up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gui_defaults import PASSPHRASE, SCHOOL, USER_NAME
from PySide6.QtCore import Qt

from casebook.paths import CasebookPaths
from casebook.services import Casebook
from casebook.storage import migrate
from casebook.storage.engine import open_engine
from casebook.ui.kit.settings import KEYRING_USER_SETTING, app_settings
from casebook.ui.main_window import MainWindow
from casebook.ui.unlock.unlock_panel import UPGRADING_TEXT, UnlockPanel
from casebook.vault import KeyVault


@pytest.fixture
def locked_book(casebook_dir: Path) -> tuple[CasebookPaths, str]:
    casebook, recovery = Casebook.create(casebook_dir, school=SCHOOL, jurisdiction="england",
                                         user_name=USER_NAME, passphrase=PASSPHRASE)
    casebook.cases.create("Fake account using the school logo", "impersonation")
    casebook.lock()
    return CasebookPaths.at(casebook_dir), recovery


@pytest.fixture
def locked_window(qtbot, worker, locked_book):  # type: ignore[no-untyped-def]
    paths, _recovery = locked_book
    window = MainWindow(worker, paths, None)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def _try(qtbot, panel: UnlockPanel, passphrase: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not panel.busy and panel.unlock_button.isEnabled())
    panel.passphrase_edit.clear()
    qtbot.keyClicks(panel.passphrase_edit, passphrase)
    qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)


def test_right_passphrase_opens_the_window(qtbot, locked_window: MainWindow) -> None:
    panel = locked_window.unlock_panel
    assert locked_window.stack.currentWidget() is panel
    assert locked_window.windowTitle() == "Casebook — Locked"
    assert not locked_window.new_case_action.isEnabled()
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(locked_window.unlocked, timeout=10_000):
        qtbot.keyClick(panel.passphrase_edit, Qt.Key.Key_Return)
    assert locked_window.casebook is not None
    assert locked_window.stack.currentWidget() is locked_window.workspace
    assert panel.passphrase_edit.text() == ""
    assert USER_NAME in locked_window.user_status.text()
    assert locked_window.lock_status.text() == "Unlocked"
    qtbot.waitUntil(lambda: locked_window.case_list.model.rowCount() == 1)
    qtbot.waitUntil(lambda: SCHOOL in locked_window.windowTitle())
    assert locked_window.new_case_action.isEnabled()


def test_wrong_passphrase_message_then_countdown(qtbot, worker, locked_window: MainWindow,
                                                 locked_book) -> None:
    panel = locked_window.unlock_panel
    _try(qtbot, panel, "not the right passphrase")
    assert panel.message.kind == "wrong"
    assert "did not open" in panel.message.plain_text
    assert "damaged" not in panel.message.plain_text
    assert locked_window.casebook is None
    assert not panel.waiting  # the first few mistakes are free

    for _ in range(3):
        _try(qtbot, panel, "still not the right one")
    # The fourth failure starts a pause, shown as a countdown with the button disabled.
    qtbot.waitUntil(lambda: panel.waiting)
    assert panel.countdown_label.isVisible()
    assert "You can try again in" in panel.countdown_label.text()
    assert "second" in panel.countdown_label.text()
    assert panel.message.kind == "wait"
    assert not panel.unlock_button.isEnabled()
    assert not panel.passphrase_edit.isEnabled()
    panel.submit()  # ignored while waiting
    assert not panel.busy

    # The pause survives a restart: a fresh unlock screen shows it straight away.
    paths, _recovery = locked_book
    fresh = UnlockPanel(worker, paths)
    qtbot.addWidget(fresh)
    fresh.show()
    fresh.start()
    qtbot.waitUntil(lambda: fresh.waiting)
    assert fresh.countdown_label.isVisible()
    assert not fresh.unlock_button.isEnabled()


def test_damaged_database_is_not_a_wrong_passphrase(qtbot, locked_window: MainWindow,
                                                    locked_book) -> None:
    paths, _recovery = locked_book
    with paths.database.open("r+b") as handle:
        handle.write(os.urandom(4096))
    before = paths.database.read_bytes()
    panel = locked_window.unlock_panel
    _try(qtbot, panel, PASSPHRASE)
    assert panel.message.kind == "damaged"
    assert "problem with the casebook file" in panel.message.plain_text
    assert "backup" in panel.message.plain_text
    assert "did not open" not in panel.message.plain_text
    assert locked_window.casebook is None
    assert paths.database.read_bytes() == before  # nothing was changed


def test_damaged_key_file_is_reported_as_damaged(qtbot, locked_window: MainWindow,
                                                 locked_book) -> None:
    paths, _recovery = locked_book
    paths.slots.write_text("{ this is not a key file", encoding="utf-8")
    panel = locked_window.unlock_panel
    _try(qtbot, panel, PASSPHRASE)
    assert panel.message.kind == "damaged"
    assert "key file" in panel.message.plain_text


def test_unlock_with_the_recovery_key(qtbot, locked_window: MainWindow, locked_book) -> None:
    _paths, recovery = locked_book
    panel = locked_window.unlock_panel
    qtbot.mouseClick(panel.switch_button, Qt.MouseButton.LeftButton)
    assert panel.recovery_mode
    assert panel.recovery_edit.isVisible() and not panel.passphrase_edit.isVisible()
    # A typing mistake is caught as such (not counted as a wrong key).
    wrong = recovery[:-1] + ("0" if recovery[-1] != "0" else "1")
    qtbot.keyClicks(panel.recovery_edit, wrong.lower())
    qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy and panel.message.kind != "")
    assert "typing mistake" in panel.message.plain_text
    panel.recovery_edit.clear()
    qtbot.keyClicks(panel.recovery_edit, recovery.replace("-", " ").lower())
    with qtbot.waitSignal(locked_window.unlocked, timeout=10_000):
        qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)
    assert locked_window.casebook is not None
    assert locked_window.casebook.user.name == USER_NAME
    # Back to the passphrase next time.
    qtbot.mouseClick(panel.switch_button, Qt.MouseButton.LeftButton)
    assert not panel.recovery_mode


def test_remembered_key_opens_at_start(qtbot, worker, locked_book, memory_keyring) -> None:
    paths, _recovery = locked_book
    casebook = Casebook.open_with_passphrase(paths.root, PASSPHRASE)
    assert casebook.users.remember_on_this_computer(True)
    app_settings().setValue(KEYRING_USER_SETTING, casebook.user.id)  # as Settings does
    casebook.lock()
    window = MainWindow(worker, paths, None)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        window.unlock_panel.start(try_keyring=True)
    assert window.casebook is not None
    window.close()


def test_no_keyring_falls_back_to_the_passphrase(qtbot, worker, locked_book) -> None:
    paths, _recovery = locked_book
    window = MainWindow(worker, paths, None)
    qtbot.addWidget(window)
    window.show()
    app_settings().setValue(KEYRING_USER_SETTING, 1)  # remembered here, but not in the keyring
    window.unlock_panel.start(try_keyring=True)
    assert window.unlock_panel.busy  # trying it
    qtbot.waitUntil(lambda: not window.unlock_panel.busy)
    assert window.casebook is None
    assert window.unlock_panel.passphrase_edit.isEnabled()
    assert window.unlock_panel.message.kind == ""
    window.close()


def test_with_nothing_remembered_the_passphrase_can_be_typed_at_once(
        qtbot, worker, locked_book) -> None:
    """Nothing remembered on this computer: no keyring attempt holds the form greyed out
    while the vault and keyring are imported after the window is drawn."""
    paths, _recovery = locked_book
    window = MainWindow(worker, paths, None)
    qtbot.addWidget(window)
    window.show()
    window.unlock_panel.start(try_keyring=True)
    panel = window.unlock_panel
    assert not panel.busy and panel.passphrase_edit.isEnabled()
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.keyClick(panel.passphrase_edit, Qt.Key.Key_Return)
    assert window.casebook is not None
    window.close()


def test_an_older_casebook_says_it_is_being_updated(qtbot, locked_window: MainWindow,  # type: ignore[no-untyped-def]
                                                    locked_book) -> None:
    """Updating an older casebook (check, backup, search index rebuild) can take minutes: the
    screen says so instead of only "Checking the passphrase"."""
    paths, _recovery = locked_book
    key = KeyVault.load(paths.slots).unlock_with_passphrase("1", PASSPHRASE)
    engine = open_engine(paths.database, key)
    try:
        migrate.downgrade(engine, "-1")
    finally:
        engine.dispose()
    panel = locked_window.unlock_panel
    shown: list[tuple[str, bool]] = []
    panel.upgrading.connect(  # runs after the panel's own slot
        lambda: shown.append((panel.progress_label.text(), panel.progress_label.isVisible())))
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(locked_window.unlocked, timeout=20_000):
        qtbot.keyClick(panel.passphrase_edit, Qt.Key.Key_Return)
    assert shown == [(UPGRADING_TEXT, True)]
    assert not panel.progress_label.isVisible()
    qtbot.waitUntil(lambda: locked_window.case_list.model.rowCount() == 1)


def test_a_current_casebook_opens_without_the_update_message(qtbot, locked_window: MainWindow) -> None:
    panel = locked_window.unlock_panel
    shown: list[str] = []
    panel.upgrading.connect(lambda: shown.append(panel.progress_label.text()))
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(locked_window.unlocked, timeout=10_000):
        qtbot.keyClick(panel.passphrase_edit, Qt.Key.Key_Return)
    assert shown == []


def test_the_locked_window_set_by_name_is_set(qtbot, locked_window: MainWindow) -> None:
    """The locked window names no ``Qt`` enum before it is drawn (casebook.ui.kit.by_name):
    what it sets by name, and what it sets after its first paint, is set all the same."""
    panel = locked_window.unlock_panel
    assert locked_window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert (locked_window.new_case_button.toolButtonStyle()
            == Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    assert locked_window.toolBarArea(locked_window.toolbar) == Qt.ToolBarArea.TopToolBarArea
    assert locked_window.lock_action.shortcut().toString() == "Ctrl+L"
    assert locked_window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert locked_window.about_action.shortcut().toString() == "F1"
    assert (panel.where_label.textInteractionFlags()
            == Qt.TextInteractionFlag.TextSelectableByMouse)
    assert locked_window.autolock._timer.timerType() == Qt.TimerType.PreciseTimer
    qtbot.waitUntil(lambda: panel.switch_button.cursor().shape()
                    == Qt.CursorShape.PointingHandCursor)
