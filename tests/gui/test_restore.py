"""Settings -> Backups -> "Restore from a backup…", driven through the real dialogs: the backup's
date, size and number of cases are shown before anything is replaced, the current casebook is
kept aside, and the window reopens on the restored casebook."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_defaults import PASSPHRASE
from PySide6.QtCore import Qt

from casebook.services import Casebook
from casebook.storage.engine import SQLITE_PLAIN_HEADER
from casebook.ui import prompts
from casebook.ui.main_window import MainWindow
from casebook.ui.settings.restore_dialog import RestoreDialog, human_size
from casebook.ui.settings.settings_dialog import SettingsDialog

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)


@pytest.fixture
def backed_up(unlocked_casebook: Casebook, tmp_path: Path) -> Path:
    """A backup with one case; a second case is added to the casebook after it."""
    unlocked_casebook.cases.create("Made before the backup", "impersonation")
    backup = unlocked_casebook.backup(tmp_path / "usb" / "casebook-backup.db")
    unlocked_casebook.cases.create("Added after the backup", "other")
    return backup


def _open_restore(qtbot, window: MainWindow, backup: Path) -> tuple[SettingsDialog, RestoreDialog]:  # type: ignore[no-untyped-def]
    window.show_settings()
    settings = window.settings_dialog
    qtbot.waitUntil(lambda: not settings._loading)
    settings.tabs.setCurrentIndex(1)
    prompts.answers.append([str(backup)])
    qtbot.mouseClick(settings.restore_button, Qt.MouseButton.LeftButton)
    dialog = settings.restore_dialog
    assert dialog is not None and dialog.isVisible()
    return settings, dialog


def _titles(book: Casebook) -> set[str]:
    from casebook.services import CaseFilter

    return {row.title for row in book.cases.list_page(CaseFilter(text=""), limit=50)}


def test_restore_shows_the_backup_then_replaces_and_reopens(
        qtbot, main_window: MainWindow, backed_up: Path, casebook_dir: Path) -> None:  # type: ignore[no-untyped-def]
    backup_bytes = backed_up.read_bytes()
    _settings, dialog = _open_restore(qtbot, main_window, backed_up)
    assert not dialog.restore_button.isEnabled()  # nothing can be replaced before looking
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=15_000)
    shown = dialog.summary_label.text()
    assert "1 case<" in shown + "<"  # the backup's count, not the casebook's two
    assert human_size(backed_up.stat().st_size) in shown
    assert "Made:" in shown and "Testbridge School" in shown
    assert dialog.warning_label.isVisible() and "kept aside" in dialog.warning_label.text()
    assert dialog.restore_button.isEnabled()
    assert _titles(main_window.casebook) == {"Made before the backup", "Added after the backup"}

    with qtbot.waitSignal(main_window.restored, timeout=30_000):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    book = main_window.casebook
    assert book is not None and not book.is_locked
    assert _titles(book) == {"Made before the backup"}
    kept = [p for p in casebook_dir.iterdir() if ".before-restore" in p.name]
    assert kept, "the casebook that was replaced must be kept aside"
    assert kept[0].read_bytes()[:16] != SQLITE_PLAIN_HEADER
    assert backed_up.read_bytes() == backup_bytes  # the backup itself is untouched
    assert any(kind == "info" and "kept in its folder" in text
               for kind, _title, text in prompts.shown)
    # The list reads the restored casebook once the dashboard has shown its figures.
    qtbot.waitUntil(lambda: main_window.case_list.model.rowCount() == 1
                    and not main_window.case_list.model.loading, timeout=10_000)


def test_wrong_passphrase_shows_nothing_and_cannot_restore(
        qtbot, main_window: MainWindow, backed_up: Path) -> None:  # type: ignore[no-untyped-def]
    _settings, dialog = _open_restore(qtbot, main_window, backed_up)
    qtbot.keyClicks(dialog.passphrase_edit, "not the passphrase at all")
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=15_000)
    assert dialog.summary is None and not dialog.restore_button.isEnabled()
    assert dialog.summary_label.text() == ""
    dialog.reject()
    assert _titles(main_window.casebook) == {"Made before the backup", "Added after the backup"}


def test_a_file_that_is_not_a_backup_is_refused(qtbot, main_window: MainWindow,
                                                tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "holiday-photos.db"
    fake.write_bytes(SQLITE_PLAIN_HEADER + bytes(4096))
    _settings, dialog = _open_restore(qtbot, main_window, fake)
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=15_000)
    assert not dialog.restore_button.isEnabled()
    dialog.reject()


def test_changing_the_passphrase_after_looking_needs_another_look(
        qtbot, main_window: MainWindow, backed_up: Path) -> None:  # type: ignore[no-untyped-def]
    _settings, dialog = _open_restore(qtbot, main_window, backed_up)
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=15_000)
    qtbot.keyClicks(dialog.passphrase_edit, "x")
    assert not dialog.restore_button.isEnabled()
    dialog.reject()


def test_a_restore_that_fails_leaves_the_casebook_as_it_was(
        qtbot, main_window: MainWindow, backed_up: Path, casebook_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _settings, dialog = _open_restore(qtbot, main_window, backed_up)
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=15_000)
    # Damaged after it was looked at (a flaky USB stick): the service must refuse it.
    data = bytearray(backed_up.read_bytes())
    for offset in range(70_000, len(data), 4096):
        data[offset] ^= 0x5A
    backed_up.write_bytes(bytes(data))
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main_window.stack.currentWidget() is main_window.unlock_panel,
                    timeout=30_000)
    assert "not restored" in main_window.unlock_panel.note.plain_text
    book = Casebook.open_with_passphrase(casebook_dir, PASSPHRASE)
    try:
        assert _titles(book) == {"Made before the backup", "Added after the backup"}
    finally:
        book.lock()


def test_back_up_to_and_restore_from_a_network_style_path(
        qtbot, main_window: MainWindow, unlocked_casebook: Casebook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A folder reached as //… (a network path on POSIX; \\\\server\\share on Windows)."""
    unlocked_casebook.cases.create("On the share", "other")
    share = Path("/" + str(tmp_path / "share"))
    main_window.show_settings()
    settings = main_window.settings_dialog
    qtbot.waitUntil(lambda: not settings._loading)
    settings.backup_edit.setText(str(share))
    with qtbot.waitSignal(settings.backed_up, timeout=15_000):
        qtbot.mouseClick(settings.backup_button, Qt.MouseButton.LeftButton)
    backups = list((tmp_path / "share").glob("casebook-backup-*.db"))
    assert len(backups) == 1
    unlocked_casebook.cases.create("Not in the backup", "other")
    settings.reject()
    _settings, dialog = _open_restore(qtbot, main_window, Path("/" + str(backups[0])))
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=15_000)
    with qtbot.waitSignal(main_window.restored, timeout=30_000):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert _titles(main_window.casebook) == {"On the share"}
