"""About Casebook: version, where the files are, keyboard shortcuts, licences."""

from __future__ import annotations

import html
import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTabWidget, QVBoxLayout, QWidget

from casebook import __version__
from casebook.paths import CasebookPaths, log_dir

SHORTCUTS = (
    ("Ctrl+N", "New case"),
    ("Ctrl+F", "Search the cases"),
    ("Enter", "Open the selected case"),
    ("Ctrl+E", "Export the case as a PDF report"),
    ("Ctrl+W", "Close the case tab"),
    ("Ctrl+Tab", "Next tab"),
    ("Ctrl+1", "Back to the case list"),
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
            f"<p><b>Casebook file:</b> {html.escape(str(paths.database))}<br>"
            f"<b>Log files</b> (no names or case text): {html.escape(str(log_dir()))}</p>",
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
        tabs.addTab(credits, "&Credits")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(560, 400)
