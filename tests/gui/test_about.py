"""About box: no user name in the paths it shows (it appears in screenshots and screen
shares), and the third-party licences open read-only from the Credits tab."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from casebook.paths import CasebookPaths
from casebook.ui.about import AboutDialog, NoticesDialog, private_path

WIN_ENV = {"LOCALAPPDATA": r"C:\Users\ann.lee\AppData\Local",
           "APPDATA": r"C:\Users\ann.lee\AppData\Roaming",
           "USERPROFILE": r"C:\Users\ann.lee"}


@pytest.mark.parametrize(("path", "shown"), [
    (r"C:\Users\ann.lee\AppData\Local\Casebook\casebook.db", r"%LOCALAPPDATA%\Casebook\casebook.db"),
    (r"C:\Users\ann.lee\AppData\Local\Casebook\Logs", r"%LOCALAPPDATA%\Casebook\Logs"),
    (r"c:\users\ANN.LEE\appdata\local\Casebook\casebook.db", r"%LOCALAPPDATA%\Casebook\casebook.db"),
    (r"C:\Users\ann.lee\AppData\Roaming\Casebook\x.ini", r"%APPDATA%\Casebook\x.ini"),
    (r"C:\Users\ann.lee\Documents\Casebook\casebook.db", r"%USERPROFILE%\Documents\Casebook\casebook.db"),
    (r"\\server\dsl$\Casebook\casebook.db", r"\\server\dsl$\Casebook\casebook.db"),
    (r"D:\Casebook\casebook.db", r"D:\Casebook\casebook.db"),
])
def test_windows_paths_hide_the_user_name(path: str, shown: str) -> None:
    assert private_path(PureWindowsPath(path), environ=WIN_ENV) == shown


def test_posix_paths_hide_the_home_folder() -> None:
    home = PurePosixPath("/home/ann.lee")
    assert private_path(PurePosixPath("/home/ann.lee/.local/share/Casebook/casebook.db"),
                        home, {}) == "~/.local/share/Casebook/casebook.db"
    assert private_path(PurePosixPath("/home/ann.lee"), home, {}) == "~"
    assert private_path(PurePosixPath("/srv/casebook/casebook.db"), home, {}) == (
        "/srv/casebook/casebook.db")
    assert private_path(PurePosixPath("/home/ann.leeds/x"), home, {}) == "/home/ann.leeds/x"


def test_about_box_shows_no_home_folder(qtbot, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home" / "ann.lee"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    dialog = AboutDialog(CasebookPaths(home / ".local" / "share" / "Casebook"))
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "~/.local/share/Casebook/casebook.db" in texts
    assert str(home) not in texts and "ann.lee" not in texts


def test_licences_open_read_only_with_the_lgpl(qtbot, tmp_path: Path) -> None:
    dialog = AboutDialog(CasebookPaths(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(2)
    qtbot.mouseClick(dialog.licences_button, Qt.MouseButton.LeftButton)
    notices = dialog.findChildren(NoticesDialog)
    assert len(notices) == 1
    viewer = notices[0].text
    assert viewer.isReadOnly()
    text = viewer.toPlainText()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "PySide6" in text and "SQLCipher" in text
    notices[0].reject()
