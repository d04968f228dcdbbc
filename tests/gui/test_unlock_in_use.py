"""The unlock screen when the casebook is open somewhere else: a calm note saying who has it,
not a traceback or "database is locked"; once it is closed there, unlocking works."""

from __future__ import annotations

from pathlib import Path

from gui_defaults import PASSPHRASE, SCHOOL, USER_NAME
from PySide6.QtCore import Qt

from casebook.paths import CasebookPaths
from casebook.services import Casebook
from casebook.ui.main_window import MainWindow


def test_unlock_says_who_has_it_open_then_opens_once_closed(qtbot, worker,  # type: ignore[no-untyped-def]
                                                            casebook_dir: Path) -> None:
    elsewhere, _ = Casebook.create(casebook_dir, school=SCHOOL, jurisdiction="england",
                                   user_name=USER_NAME, passphrase=PASSPHRASE)
    try:
        window = MainWindow(worker, CasebookPaths.at(casebook_dir), None)
        qtbot.addWidget(window)
        window.show()
        panel = window.unlock_panel
        qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
        qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.message.kind != "" and not panel.busy, timeout=10_000)
        assert panel.message.kind == "info"
        text = panel.message.plain_text
        assert text.startswith(f"Open somewhere else Open by {USER_NAME} on ")
        assert "Close it there, then try again." in text
        assert "locked" not in text.replace("unlocked", "") and "damaged" not in text
        assert window.casebook is None
    finally:
        elsewhere.lock()
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)
    assert window.casebook is not None
    window.close()
