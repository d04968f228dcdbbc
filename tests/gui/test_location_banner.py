"""The main window's calm note when the casebook's folder is on a network path."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.ui.main_window import MainWindow


@pytest.fixture
def casebook_dir(tmp_path: Path) -> Path:
    """A casebook reached through a path that starts with // (a network path on POSIX)."""
    return Path("/" + str(tmp_path / "casebook"))


def test_network_folder_shows_a_calm_banner(qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: main_window.location_banner.isVisible(), timeout=10_000)
    text = main_window.location_banner.text()
    assert "network folder" in text and "own disk" in text


def test_local_folder_shows_none(qtbot, worker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from gui_defaults import PASSPHRASE

    from casebook.services import Casebook

    book, _ = Casebook.create(tmp_path / "local", school="S", jurisdiction="england",
                              user_name="Jo", passphrase=PASSPHRASE)
    window = MainWindow(worker, book.paths, book)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(window.school_name), timeout=10_000)
    from casebook.ui.kit import flush_worker

    flush_worker(worker)
    assert not window.location_banner.isVisible()
    window.close()
    book.lock()
