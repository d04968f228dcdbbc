"""About Casebook: version, where the files are, keyboard shortcuts, licences."""

from __future__ import annotations

import html
import importlib.util
import os
import platform
import sys
from collections.abc import Mapping
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casebook import __version__
from casebook.paths import CasebookPaths, log_dir

NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"

NOTICES_MISSING = (
    "The third-party notices file ({name}) is made when Casebook is packaged, and it was not "
    "found beside this copy. Casebook is built with Qt and PySide6 (LGPL v3), SQLCipher, "
    "OpenSSL, SQLAlchemy, alembic, argon2-cffi, cryptography, keyring, platformdirs, reportlab, "
    "pikepdf (with qpdf) and Pillow; each library's licence is in its installed files."
)


def private_path(path: PurePath, home: PurePath | None = None,
                 environ: Mapping[str, str] | None = None) -> str:
    """A path as it can be shown on screen or in a screenshot: no user name in it.

    On Windows the user's folders become ``%LOCALAPPDATA%``, ``%APPDATA%`` or
    ``%USERPROFILE%``; elsewhere the home folder becomes ``~``. Other paths (a shared drive,
    a ``--data-dir`` somewhere else) are shown as they are.
    """
    env = os.environ if environ is None else environ
    windows = isinstance(path, PureWindowsPath)
    if windows:
        for var in ("LOCALAPPDATA", "APPDATA", "USERPROFILE"):
            base = env.get(var)
            if base and path.is_relative_to(PureWindowsPath(base)):
                rest = path.relative_to(PureWindowsPath(base))
                return f"%{var}%" + ("" if not rest.parts else "\\" + str(rest))
        return str(path)
    if home is None:
        home = PurePosixPath(env.get("HOME") or str(Path.home()))
    if path.is_relative_to(home):
        rest = path.relative_to(home)
        return "~" if not rest.parts else f"~/{rest.as_posix()}"
    return str(path)


def shown_path(path: Path) -> str:
    """:func:`private_path` for a real path on this computer."""
    pure: PurePath = PureWindowsPath(path) if sys.platform == "win32" else PurePosixPath(path)
    return private_path(pure)


def notices_text() -> str:
    """The bundle's THIRD-PARTY-NOTICES.txt; from a source checkout the same text, built now
    from the installed libraries; otherwise a short note."""
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates += [Path(frozen_root) / NOTICES_NAME, Path(sys.executable).parent / NOTICES_NAME]
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    builder = Path(__file__).resolve().parents[3] / "packaging" / "notices.py"
    if not frozen_root and builder.is_file():
        try:
            spec = importlib.util.spec_from_file_location("casebook_notices", builder)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return str(module.build_notices())
        except Exception:  # any trouble: the note below still says what ships
            pass
    return NOTICES_MISSING.format(name=NOTICES_NAME)


class NoticesDialog(QDialog):
    """The third-party licences, read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Third-party licences")
        self.setAccessibleName("Third-party licences")
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Licence texts")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(notices_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(720, 560)

SHORTCUTS = (
    ("Ctrl+N", "New case"),
    ("Ctrl+F", "Search the cases"),
    ("Enter", "Open the selected case"),
    ("Ctrl+E", "Export the case as a PDF report"),
    ("Ctrl+W", "Close the tab (the case stays as it is)"),
    ("Ctrl+Tab", "Next tab"),
    ("Ctrl+1", "Back to the case list"),
    ("Ctrl+2 to Ctrl+5", "Dashboard, checklist, reports to platforms, official accounts"),
    ("Alt+1 to Alt+8", "The parts of an open case (overview to response steps)"),
    ("F5", "Load the list again"),
    ("Ctrl+L", "Lock now"),
    ("Ctrl+,", "Settings"),
    ("F1", "This window"),
    ("Ctrl+Q", "Lock and quit"),
)


class AboutDialog(QDialog):
    def __init__(self, paths: CasebookPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Casebook")
        self.setAccessibleName("About Casebook")
        tabs = QTabWidget(self)

        about = QLabel(
            f"<h2>Casebook {html.escape(__version__)}</h2>"
            "<p>An offline, encrypted casebook for a school's designated safeguarding lead: "
            "record online-safety incidents, work through the five response steps, and "
            "produce reports for the people who need them.</p>"
            "<p>Everything stays on this computer in one encrypted file. Casebook never "
            "connects to the internet.</p>"
            f"<p><b>Casebook file:</b> {html.escape(shown_path(paths.database))}<br>"
            f"<b>Log files</b> (no names or case text): {html.escape(shown_path(log_dir()))}</p>",
            self)
        about.setWordWrap(True)
        about.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        about.setAlignment(Qt.AlignmentFlag.AlignTop)
        about.setMargin(14)
        tabs.addTab(about, "&About")

        rows = "".join(f"<tr><td style='padding-right:18px'><b>{html.escape(k)}</b></td>"
                       f"<td>{html.escape(v)}</td></tr>" for k, v in SHORTCUTS)
        keys = QLabel(f"<table>{rows}</table><p>Underlined letters in menus and labels work "
                      "with the Alt key.</p>", self)
        keys.setAlignment(Qt.AlignmentFlag.AlignTop)
        keys.setMargin(14)
        keys.setAccessibleName("Keyboard shortcuts")
        tabs.addTab(keys, "&Keyboard")

        credits = QLabel(
            f"<p>Built with Python {html.escape(platform.python_version())}, "
            f"Qt {html.escape(qVersion())} and PySide6 {html.escape(pyside_version)} "
            "(LGPL v3), SQLCipher, SQLAlchemy, Argon2, cryptography, reportlab and pikepdf.</p>"
            "<p>Fonts: DejaVu (Bitstream Vera licence).</p>", self)
        credits.setWordWrap(True)
        credits.setAlignment(Qt.AlignmentFlag.AlignTop)
        credits.setMargin(14)
        self.licences_button = QPushButton("Third-party &licences…", self)
        self.licences_button.setToolTip("The licence of every library Casebook is built with")
        self.licences_button.clicked.connect(self.show_notices)
        credits_page = QWidget(self)
        credits_layout = QVBoxLayout(credits_page)
        credits_layout.addWidget(credits)
        credits_layout.addWidget(self.licences_button, 0, Qt.AlignmentFlag.AlignLeft)
        credits_layout.addStretch(1)
        tabs.addTab(credits_page, "&Credits")
        self.tabs = tabs

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(560, 400)

    def show_notices(self) -> NoticesDialog:
        dialog = NoticesDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
