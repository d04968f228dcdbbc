"""The application shell: start-up (first run, unlock or demo), shared UI helpers, shutdown.

This module stays light to import: nothing here loads SQLAlchemy or the vault at import time,
so the first window appears before the heavy modules load (they are imported on the worker
thread while the user types).
"""

from __future__ import annotations

import logging
import shutil
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from casebook.errors import CasebookError
from casebook.paths import CasebookPaths, resources_dir
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook
    from casebook.ui.firstrun.wizard import FirstRunWizard
    from casebook.ui.main_window import MainWindow

log = logging.getLogger(__name__)

ORGANISATION = "Casebook"
APPLICATION = "Casebook"

#: The fixed passphrase of a throwaway demo casebook (shown on its unlock screen).
DEMO_PASSPHRASE = "demo casebook passphrase"

GENERIC_ERROR = (
    "Something unexpected went wrong, so that was not done. Anything already saved is safe. "
    "If it happens again, your IT support can find the details in the Casebook log."
)


def app_settings() -> QSettings:
    """Per-user UI preferences (window geometry and the like; never case data).

    An INI file in the user's config folder on every platform, so tests can point it at a
    temporary folder with ``QSettings.setPath``.
    """
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION,
                     APPLICATION)


def user_message(error: BaseException, doing: str = "") -> str:
    """What to show for an error: casebook errors as they are, anything else calmly.

    Unknown errors go to the log as their type and stack only (no message text, which could
    hold a name).
    """
    if isinstance(error, CasebookError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        where = f" ({doing})" if doing else ""
        log.warning("file error%s: %s errno=%s", where, type(error).__name__, error.errno)
        return (f"Casebook could not use a file or folder: {error.strerror.lower()}. "
                "Check the folder exists and you can write to it, then try again.")
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected %s%s\n%s", type(error).__name__, f" while {doing}" if doing else "",
              stack)
    return GENERIC_ERROR


def run_backup(casebook: Casebook, folder: str | Path | None = None) -> Path:
    """Worker job: an encrypted backup into ``folder`` (or the casebook's backup setting).

    Returns the new file. The backup opens with the same passphrases and recovery key.
    """
    chosen = str(folder) if folder else casebook.settings.get("backup_dir")
    target = None
    if chosen:
        directory = Path(chosen)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"casebook-backup-{casebook.store.now():%Y%m%d-%H%M%S}.db"
    return casebook.backup(target)


def flush_worker(worker: DbWorker, timeout_ms: int = 30_000) -> None:
    """Wait (with the UI still painting) until every job queued so far has run."""
    loop = QEventLoop()
    done = {"flag": False}

    def finish(_result: Any = None) -> None:
        done["flag"] = True
        loop.quit()

    worker.submit(lambda: None, finish, finish)
    if not done["flag"]:
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()


_ICONS = {
    "new": '<path d="M6 3h8l4 4v14H6z"/><path d="M14 3v4h4"/><path d="M12 11v6M9 14h6"/>',
    "backup": '<path d="M12 4v10M8 10l4 4 4-4"/><path d="M4 15v5h16v-5"/>',
    "settings": '<path d="M4 7h16M4 12h16M4 17h16"/><circle cx="9" cy="7" r="2.2" fill="BG"/>'
                '<circle cx="15" cy="12" r="2.2" fill="BG"/><circle cx="8" cy="17" r="2.2" '
                'fill="BG"/>',
    "lock": '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/>'
            '<path d="M12 15v2"/>',
}


def make_icon(name: str) -> QIcon:
    """A small line icon drawn in the current text colour (so it suits light and dark)."""
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QPainter, QPalette, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    palette = QApplication.palette()
    fg = palette.color(QPalette.ColorRole.ButtonText).name()
    bg = palette.color(QPalette.ColorRole.Button).name()
    body = _ICONS[name].replace("BG", bg)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
           f'stroke="{fg}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">'
           f'{body}</svg>')
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    icon = QIcon()
    for size in (16, 20, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def setup_application(app: QApplication) -> None:
    """Names, fonts and style that every Casebook window relies on."""
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setDesktopFileName("casebook")
    from casebook import __version__

    app.setApplicationVersion(__version__)
    icon = resources_dir() / "icons" / "casebook.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    fonts = resources_dir() / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                 "DejaVuSansMono.ttf"):
        path = fonts / name
        if path.exists():
            QFontDatabase.addApplicationFont(str(path))
    from casebook.ui.theme import readable_palette

    readable = readable_palette(app.palette())  # e.g. white on Fusion's blue is only 3.7:1
    if readable is not None:
        app.setPalette(readable)


def prepare_high_dpi() -> None:
    """Call before the QApplication exists: crisp text at 125 % / 150 % Windows scaling."""
    from PySide6.QtCore import Qt

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)


def _prewarm() -> None:
    """Import the heavy modules on the worker thread while the user reads the first screen."""
    import casebook.services  # noqa: F401
    import casebook.services.demo  # noqa: F401


class CasebookApp(QObject):
    """Decides what the user sees first and owns the worker thread for the app's life."""

    def __init__(self, data_dir: Path | str | None = None, *, demo: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.demo = demo
        self._demo_dir: Path | None = None
        if demo:
            self._demo_dir = Path(tempfile.mkdtemp(prefix="casebook-demo-"))
            data_dir = self._demo_dir
        self.paths = CasebookPaths.at(data_dir)
        self.worker = DbWorker()
        self.window: MainWindow | None = None
        self.wizard: FirstRunWizard | None = None
        self._stopped = False

    # ----- start ------------------------------------------------------------------------
    def start(self) -> QWidget:
        """Show the first window and return it."""
        if self.demo:
            window = self._show_main(None)
            window.show_busy("Preparing the demo casebook…")
            root = self.paths.root

            def make_demo() -> Casebook:
                from casebook.services.demo import create_demo_casebook

                return create_demo_casebook(root, DEMO_PASSPHRASE)

            self.worker.submit(make_demo, window.open_casebook, self._demo_failed)
            return window
        self.worker.submit(_prewarm, None, lambda _e: None)
        if self.paths.database.exists() or self.paths.slots.exists():
            window = self._show_main(None)
            window.unlock_panel.start(try_keyring=True)
            return window
        return self._show_first_run()

    def _show_first_run(self) -> QWidget:
        from casebook.ui.firstrun.wizard import FirstRunWizard

        self.wizard = FirstRunWizard(self.worker, self.paths)
        self.wizard.completed.connect(self._first_run_done)
        self.wizard.show()
        return self.wizard

    def _first_run_done(self, casebook: Casebook) -> None:
        window = self._show_main(casebook)
        window.raise_()
        window.activateWindow()
        if self.wizard is not None:
            self.wizard.deleteLater()
            self.wizard = None

    def _show_main(self, casebook: Casebook | None) -> MainWindow:
        from casebook.ui.main_window import MainWindow

        self.window = MainWindow(self.worker, self.paths, casebook, demo=self.demo,
                                 demo_passphrase=DEMO_PASSPHRASE if self.demo else None)
        self.window.show()
        return self.window

    def _demo_failed(self, error: BaseException) -> None:
        from casebook.ui import prompts

        prompts.error(self.window, "Demo", user_message(error, "making the demo casebook"))
        QApplication.quit()

    # ----- stop -------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Lock, finish queued work, stop the thread, remove a demo casebook. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self.window is not None:
            self.window.shutdown()
        if self.wizard is not None:
            self.wizard.abandon()
        flush_worker(self.worker)
        self.worker.stop()
        if self._demo_dir is not None:
            shutil.rmtree(self._demo_dir, ignore_errors=True)
            log.info("demo casebook removed")


def _quit_on_signals(app: object) -> None:
    """Ctrl+C or a polite kill closes Casebook properly (locks it, removes a demo casebook)."""

    def quit_app(*_args: object) -> None:
        QApplication.closeAllWindows()
        QApplication.quit()

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), quit_app)
    # Python handles signals only when it runs; a slow timer gives it the chance.
    timer = QTimer(app)  # type: ignore[arg-type]
    timer.start(500)
    timer.timeout.connect(lambda: None)


def _quit_when_started(app: QApplication, controller: CasebookApp, first: QWidget) -> None:
    """Packaged-build smoke test: quit once the first window (or the demo casebook) is up."""
    def finish() -> None:
        flush_worker(controller.worker)
        log.info("started; quitting as asked (--quit-after-start)")
        app.quit()

    from casebook.ui.main_window import MainWindow

    if controller.demo and isinstance(first, MainWindow):
        first.unlocked.connect(lambda: QTimer.singleShot(0, finish))
    else:
        QTimer.singleShot(0, finish)


def run_app(data_dir: Path | str | None, *, demo: bool = False,
            quit_after_start: bool = False) -> int:
    """Create the QApplication, show the first window and run until the user quits."""
    prepare_high_dpi()
    app = QApplication(sys.argv[:1])
    setup_application(app)
    controller = CasebookApp(data_dir, demo=demo)
    app.aboutToQuit.connect(controller.shutdown)
    _quit_on_signals(app)
    first = controller.start()
    if quit_after_start:
        _quit_when_started(app, controller, first)
    log.info("casebook started%s", " (demo)" if demo else "")
    code = app.exec()
    controller.shutdown()
    return code
