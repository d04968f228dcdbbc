"""The unlock screen: passphrase or recovery key, the pause after failures, plain errors.

All unlocking (the KDF included) runs on the worker thread; this widget only shows progress.
It imports nothing heavy, so it can be the first thing on screen.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, QTimer, Signal
from PySide6.QtGui import QFont, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from casebook.errors import (
    CasebookError,
    CasebookInUseError,
    DamagedFileError,
    NewerVersionError,
    NotFoundError,
    TooManyAttemptsError,
    WrongKeyError,
)
from casebook.paths import CasebookPaths
from casebook.ui.kit import Banner, app_settings, user_message
from casebook.ui.kit.by_name import set_by_name
from casebook.ui.kit.fonts import register_fonts
from casebook.ui.kit.paint import after_next_paint
from casebook.ui.kit.settings import KEYRING_USER_SETTING
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook

log = logging.getLogger(__name__)



#: Shown while an older casebook is checked, backed up and updated as it opens.
UPGRADING_TEXT = ("Updating this casebook for this version of Casebook. It is checked and "
                  "backed up first; a large casebook can take a few minutes. Please leave "
                  "Casebook open.")


def _open_with_passphrase(root: Path, passphrase: str,
                          on_upgrade: Callable[[], None]) -> Casebook:
    from casebook.services import Casebook

    return Casebook.open_with_passphrase(root, passphrase, on_upgrade=on_upgrade)


def _open_with_recovery_key(root: Path, text: str, on_upgrade: Callable[[], None]) -> Casebook:
    from casebook.services import Casebook

    return Casebook.open_with_recovery_key(root, text, on_upgrade=on_upgrade)


def _open_with_keyring(root: Path, user_id: int,
                       on_upgrade: Callable[[], None]) -> Casebook | None:
    from casebook.services import Casebook

    if not CasebookPaths.at(root).slots.exists():
        return None
    return Casebook.open_with_keyring(root, user_id, on_upgrade=on_upgrade)


def _seconds_to_wait(root: Path) -> float:
    from casebook.vault import KeyVault

    paths = CasebookPaths.at(root)
    if not paths.slots.exists():
        return 0.0
    return KeyVault.load(paths.slots).seconds_until_next_attempt()


def wait_text(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes, secs = divmod(whole, 60)
    return f"{minutes}:{secs:02d}"


class _Card(QFrame):
    """The unlock form's panel: the base colour with a rounded border, drawn here rather than
    by a style sheet (any style sheet in the locked window made its first paint about 7 ms
    slower: Qt's style sheet engine starts for it)."""

    RADIUS = 10.0

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        # A path filled and stroked: QPainter.setPen and setBrush weigh their overloads
        # against Qt's enums and so build the Qt namespace (casebook.ui.kit.by_name).
        palette = self.palette()
        outline = QPainterPath()
        outline.addRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5),
                               self.RADIUS, self.RADIUS)
        border = QPen()
        border.setColor(palette.color(QPalette.ColorRole.Mid))
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(outline, palette.brush(QPalette.ColorRole.Base))
        painter.strokePath(outline, border)
        painter.end()


class UnlockPanel(QWidget):
    """Asks for the passphrase (or recovery key) and emits ``unlocked(casebook)``."""

    unlocked = Signal(object)
    #: Emitted from the worker thread when the casebook being opened needs updating.
    upgrading = Signal()

    def __init__(self, worker: DbWorker, paths: CasebookPaths, parent: QWidget | None = None,
                 *, demo_passphrase: str | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.paths = paths
        self._busy = False
        self._wait_until = 0.0
        self._recovery_mode = False
        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)
        self.setAccessibleName("Unlock Casebook")

        card = _Card(self)
        card.setObjectName("unlockCard")
        card.setMaximumWidth(520)
        card.setMinimumWidth(380)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        title = QLabel("Casebook is locked", card)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAccessibleName("Casebook is locked")
        self.title_label = title

        self.intro_label = QLabel(card)
        self.intro_label.setWordWrap(True)
        self.where_label = QLabel(card)
        self.where_label.setWordWrap(True)
        set_by_name(self.where_label, "textInteractionFlags", "TextSelectableByMouse")
        self.where_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.where_label.setText(f"Casebook file: {paths.database}")

        self.note = Banner(card)

        # Passphrase row
        self.passphrase_label = QLabel("&Passphrase:", card)
        self.passphrase_edit = QLineEdit(card)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("Passphrase")
        self.passphrase_edit.setAccessibleDescription("Your Casebook passphrase")
        self.passphrase_label.setBuddy(self.passphrase_edit)
        self.show_check = QCheckBox("S&how passphrase", card)
        self.show_check.setAccessibleName("Show passphrase")
        self.show_check.toggled.connect(self._toggle_show)

        # Recovery key row
        self.recovery_label = QLabel("&Recovery key:", card)
        self.recovery_edit = QLineEdit(card)
        self.recovery_edit.setAccessibleName("Recovery key")
        self.recovery_edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.recovery_edit.setFont(font)
        self.recovery_label.setBuddy(self.recovery_edit)
        self.recovery_help = QLabel(
            "Type the key from the printed sheet. Spaces, dashes and small letters do not "
            "matter. After opening, please set a new passphrase in Settings.", card)
        self.recovery_help.setWordWrap(True)

        self.unlock_button = QPushButton("&Unlock", card)
        self.unlock_button.setDefault(True)
        self.unlock_button.setAutoDefault(True)
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button = QPushButton("Use the recovery &key instead", card)
        self.switch_button.setFlat(True)
        self.switch_button.setAccessibleName("Use the recovery key instead")
        # (its pointing-hand cursor is set once the panel is painted: see _pointing_hand)
        self.switch_button.clicked.connect(lambda: self.set_recovery_mode(not self._recovery_mode))

        self.progress = QProgressBar(card)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setAccessibleName("Working")
        self.progress_label = QLabel(card)
        self.progress_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.progress_label.setWordWrap(True)

        self.message = Banner(card)
        self.countdown_label = QLabel(card)
        self.countdown_label.setAccessibleName("Time before you can try again")
        self.countdown_label.setWordWrap(True)
        bold = QFont(self.countdown_label.font())
        bold.setBold(True)
        self.countdown_label.setFont(bold)
        self.countdown_label.hide()

        self.demo_label = QLabel(card)
        self.demo_label.setWordWrap(True)
        set_by_name(self.demo_label, "textInteractionFlags", "TextSelectableByMouse")
        if demo_passphrase:
            self.demo_label.setText(
                f"This is a DEMO casebook. Its passphrase is: <b>{_escape(demo_passphrase)}</b>")
        else:
            self.demo_label.hide()

        form = QVBoxLayout(card)
        form.setContentsMargins(28, 24, 28, 24)
        form.setSpacing(8)
        form.addWidget(title)
        form.addWidget(self.intro_label)
        form.addWidget(self.where_label)
        form.addWidget(self.note)
        form.addSpacing(6)
        form.addWidget(self.passphrase_label)
        form.addWidget(self.passphrase_edit)
        form.addWidget(self.show_check)
        form.addWidget(self.recovery_label)
        form.addWidget(self.recovery_edit)
        form.addWidget(self.recovery_help)
        form.addWidget(self.message)
        form.addWidget(self.countdown_label)
        row = QHBoxLayout()
        row.addWidget(self.switch_button)
        row.addStretch(1)
        row.addWidget(self.unlock_button)
        form.addLayout(row)
        form.addWidget(self.progress)
        form.addWidget(self.progress_label)
        form.addWidget(self.demo_label)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(card, 3)
        middle.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)

        self.setTabOrder(self.passphrase_edit, self.show_check)
        self.setTabOrder(self.show_check, self.recovery_edit)
        self.setTabOrder(self.recovery_edit, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.switch_button)
        self.passphrase_edit.returnPressed.connect(self.submit)
        self.recovery_edit.returnPressed.connect(self.submit)
        self.set_recovery_mode(False)
        self._set_busy(False)
        self.upgrading.connect(self._show_upgrading)  # queued: it is emitted on the worker
        after_next_paint(self, self._pointing_hand)

    def _pointing_hand(self) -> None:
        """The link-like switch shows a pointing hand. Set after the first paint: naming
        ``Qt.CursorShape`` sooner builds the ``Qt`` namespace before the window is drawn (see
        :mod:`casebook.ui.kit.by_name`), and no pointer can reach the button before then."""
        from PySide6.QtCore import Qt

        self.switch_button.setCursor(Qt.CursorShape.PointingHandCursor)

    # ----- public ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def recovery_mode(self) -> bool:
        return self._recovery_mode

    @property
    def waiting(self) -> bool:
        """True while the pause after failed attempts is running."""
        return self._wait_until > time.monotonic()

    def start(self, *, try_keyring: bool = False, note: str = "") -> None:
        """Show a fresh unlock screen (at start-up, or after locking)."""
        self.passphrase_edit.clear()
        self.recovery_edit.clear()
        self.message.clear()
        self.set_recovery_mode(False)
        if note:
            self.note.show_message("info", note)
        else:
            self.note.clear()
        self.intro_label.setText("Enter your passphrase to open the casebook.")
        self.passphrase_edit.setFocus()
        if not (try_keyring and self._try_remembered_key()):
            self._check_wait()

    def _try_remembered_key(self) -> bool:
        """Open with the key this computer remembers, if it remembers one and no unlock is
        under way; the form waits meanwhile. False if there was nothing to try.

        Without a remembered key the form can be typed in at once: trying the keyring anyway
        kept it greyed out for most of a second at every start."""
        remembered = self._remembered_user()
        if remembered is None or self._busy:
            return False
        self._set_busy(True, "Opening with the key remembered on this computer…")
        root = self.paths.root
        self.worker.submit(lambda: _open_with_keyring(root, remembered, self.upgrading.emit),
                           self._keyring_done, self._failed)
        return True

    def set_recovery_mode(self, on: bool) -> None:
        self._recovery_mode = on
        if on:
            register_fonts()  # the key's monospaced font (the app adds it after the first paint)
        for widget in (self.passphrase_label, self.passphrase_edit, self.show_check):
            widget.setVisible(not on)
        for widget in (self.recovery_label, self.recovery_edit, self.recovery_help):
            widget.setVisible(on)
        self.switch_button.setText("Use my &passphrase instead" if on
                                   else "Use the recovery &key instead")
        self.switch_button.setAccessibleName(self.switch_button.text().replace("&", ""))
        self.message.clear()
        (self.recovery_edit if on else self.passphrase_edit).setFocus()

    def submit(self) -> None:
        """Try to unlock with what was typed."""
        if self._busy or self.waiting:
            return
        root = self.paths.root
        if self._recovery_mode:
            text = self.recovery_edit.text()
            if not text.strip():
                self.message.show_message("wrong", "Please type the recovery key.")
                return
            self._set_busy(True, "Checking the recovery key…")
            self.worker.submit(lambda: _open_with_recovery_key(root, text, self.upgrading.emit),
                               self._opened, self._failed)
        else:
            passphrase = self.passphrase_edit.text()
            if not passphrase:
                self.message.show_message("wrong", "Please type your passphrase.")
                return
            self._set_busy(True, "Checking the passphrase… this takes a moment.")
            self.worker.submit(
                lambda: _open_with_passphrase(root, passphrase, self.upgrading.emit),
                self._opened, self._failed)

    # ----- results ----------------------------------------------------------------------
    def _show_upgrading(self) -> None:
        if self._busy:
            self.progress_label.setText(UPGRADING_TEXT)
            self.progress_label.setAccessibleDescription(UPGRADING_TEXT)
            self.progress_label.setVisible(True)

    def _keyring_done(self, casebook: Casebook | None) -> None:
        self._set_busy(False)
        if casebook is None:
            self._check_wait()
            return
        self._opened(casebook)

    def _opened(self, casebook: Casebook) -> None:
        self._set_busy(False)
        self.passphrase_edit.clear()
        self.recovery_edit.clear()
        self.message.clear()
        self.note.clear()
        self.unlocked.emit(casebook)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, TooManyAttemptsError):
            self._start_wait(error.wait_seconds)
            return
        if isinstance(error, WrongKeyError):
            self.message.show_message("wrong", str(error))
            (self.recovery_edit if self._recovery_mode else self.passphrase_edit).selectAll()
            self._check_wait()
        elif isinstance(error, CasebookInUseError):  # not a fault: say who has it, calmly
            self.message.show_message("info", str(error), "Open somewhere else")
        elif isinstance(error, DamagedFileError):
            self.message.show_message("damaged", str(error),
                                      heading="There is a problem with the casebook file.")
        elif isinstance(error, NotFoundError | NewerVersionError | CasebookError):
            self.message.show_message("error", str(error))
        else:
            self.message.show_message("error", user_message(error, "unlocking"))
        self._focus_input()

    def _check_wait(self) -> None:
        root = self.paths.root
        self.worker.submit(lambda: _seconds_to_wait(root), self._got_wait, lambda _e: None)

    def _got_wait(self, seconds: float) -> None:
        if seconds > 0:
            self._start_wait(seconds)

    def _start_wait(self, seconds: float) -> None:
        self._wait_until = time.monotonic() + seconds
        self._tick()
        self._countdown.start()

    def _tick(self) -> None:
        left = self._wait_until - time.monotonic()
        if left <= 0:
            self._countdown.stop()
            self._wait_until = 0.0
            self.countdown_label.hide()
            self._set_busy(False)
            if self.message.kind == "wait":
                self.message.show_message("info", "You can try again now.")
            self._focus_input()
            return
        self.message.show_message(
            "wait", "Too many wrong attempts in a row. Casebook pauses a little longer after "
                    "each one, to slow down anyone guessing.")
        self.countdown_label.setText(f"You can try again in {wait_text(left)}.")
        self.countdown_label.show()
        self._set_busy(False)

    # ----- helpers ----------------------------------------------------------------------
    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        blocked = busy or self.waiting
        self.passphrase_edit.setEnabled(not blocked)
        self.recovery_edit.setEnabled(not blocked)
        self.show_check.setEnabled(not blocked)
        self.unlock_button.setEnabled(not blocked)
        self.switch_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy and bool(text))
        self.progress_label.setText(text)

    def _focus_input(self) -> None:
        (self.recovery_edit if self._recovery_mode else self.passphrase_edit).setFocus()

    def _toggle_show(self, on: bool) -> None:
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Normal if on
                                         else QLineEdit.EchoMode.Password)

    def _remembered_user(self) -> int | None:
        value: Any = app_settings().value(KEYRING_USER_SETTING)
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
