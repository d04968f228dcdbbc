"""The application shell: start-up (first run, unlock or demo) and shutdown, nothing else.

Screens never import this module: what they share lives in :mod:`casebook.ui.kit`.

This module stays light to import: nothing here loads SQLAlchemy or the vault at import time,
so the first window appears before the heavy modules load (they are imported on the worker
thread while the user types).
"""

from __future__ import annotations

import importlib
import logging
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from casebook.logfile import open_log_file
from casebook.paths import CasebookPaths, resources_dir
from casebook.ui.kit.collector import MainThreadCollector, SessionHeap
from casebook.ui.kit.errors import user_message
from casebook.ui.kit.fonts import register_fonts
from casebook.ui.kit.ops import flush_worker
from casebook.ui.kit.paint import after_next_paint
from casebook.ui.kit.settings import APPLICATION, ORGANISATION
from casebook.ui.kit.turns import next_turn
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook
    from casebook.ui.firstrun.wizard import FirstRunWizard
    from casebook.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: The fixed passphrase of a throwaway demo casebook (shown on its unlock screen).
DEMO_PASSPHRASE = "demo casebook passphrase"


def setup_application(app: QApplication) -> None:
    """Names, icon and palette that every Casebook window relies on.

    The bundled fonts are not here: :func:`casebook.ui.kit.fonts.register_fonts` adds them once
    the first window is painted (it draws in the system's font; reading the four font files
    took about 5 ms before it could be drawn)."""
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setDesktopFileName("casebook")
    from casebook import __version__

    app.setApplicationVersion(__version__)
    icon = resources_dir() / "icons" / "casebook.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    from casebook.ui.kit.palette import readable_palette

    readable = readable_palette(app.palette())  # e.g. white on Fusion's blue is only 3.7:1
    if readable is not None:
        app.setPalette(readable)


def _prewarm(after: threading.Event | None = None,
             then: Callable[[], None] | None = None) -> None:
    """Import the heavy modules on the worker thread while the user reads the first screen
    (once ``after`` is set, or after two seconds whatever happens); then call ``then`` (still
    on the worker, before its next job)."""
    if after is not None:
        after.wait(timeout=2.0)
    import casebook.services  # noqa: F401
    import casebook.services.demo  # noqa: F401
    from casebook.storage.migrate import head_revision

    head_revision()  # the migration scripts, read once, so the unlock's check does not wait
    if then is not None:
        then()


class _FreezeRequest:
    """The database thread's request that the GUI thread freeze the app's objects, which it
    waits for (a little while) so that no casebook is being made meanwhile."""

    #: How long the database thread waits before going on without the freeze.
    WAIT_S = 2.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state = "asked"  # then "done" (GUI thread) or "given up" (database thread)
        self.done = threading.Event()


#: The screens' modules, imported on the GUI thread one per idle turn once the worker's warm-up
#: is done (they import the services, so not before: the GUI thread would wait on the worker's
#: import lock). The first unlock then builds its screens without importing them: that was about
#: 130 ms of the first unlock on this machine.
WARM_UI_MODULES = (
    "casebook.profiles",
    "casebook.ui.widgets.scrolling_tabs",
    "casebook.ui.models.case_table",
    "casebook.ui.cases.case_list",
    "casebook.ui.dashboard.view",
    "casebook.ui.checklist.view",
    "casebook.ui.tracker.view",
    "casebook.ui.official_accounts.view",
    "casebook.ui.learners",
    "casebook.ui.learners.reminders",
    # the case view's parts one by one (all at once was a 50-60 ms turn)
    "casebook.ui.widgets.common",
    "casebook.ui.widgets.context",
    "casebook.ui.widgets.panel",
    "casebook.ui.cases.overview_tab",
    "casebook.ui.cases.steps_tab",
    "casebook.ui.cases.people_tab",
    "casebook.ui.cases.accounts_tab",
    "casebook.ui.cases.chronology_tab",
    "casebook.ui.cases.decisions_tab",
    "casebook.ui.cases.actions_tab",
    "casebook.ui.evidence.evidence_widget",
    "casebook.ui.wizard.wizard",
    "casebook.ui.cases.case_view",
)


class CasebookApp(QObject):
    """Decides what the user sees first and owns the worker thread for the app's life."""

    #: The warm-up after the first window is done: heavy modules imported on the worker, the
    #: screens' modules on the GUI thread, and the locked window's workspace built.
    warmed_up = Signal()
    #: From the database thread (a _FreezeRequest): its imports are done, freeze the app now.
    _freeze_asked = Signal(object)

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
        #: The app's objects out of the GUI thread's collections, a session's in them.
        self.heap = SessionHeap()
        self._freeze_asked.connect(self._freeze_imports)  # (queued: emitted on the worker)
        self._stopped = False

    # ----- start ------------------------------------------------------------------------
    def start(self) -> QWidget:
        """Show the first window and return it."""
        from casebook.ui.main_window import MainWindow
        if self.demo:
            window = self._show_main(None)
            window.show_busy("Preparing the demo casebook…")
            root = self.paths.root

            def make_demo() -> Casebook:
                from casebook.services.demo import create_demo_casebook

                return create_demo_casebook(root, DEMO_PASSPHRASE)

            self.worker.submit(lambda: _prewarm(then=self._freeze_on_worker), lambda _r: None,
                               lambda _e: None)
            self.worker.submit(make_demo, window.open_casebook, self._demo_failed)
            after_next_paint(window.busy_page, open_log_file)
            return window
        # The heavy imports wait until the first window is on screen: on two cores they would
        # otherwise compete with the window's own imports for the interpreter (GIL), and the
        # unlock window came up about a second later.
        shown = threading.Event()
        self.worker.submit(lambda: _prewarm(after=shown, then=self._freeze_on_worker),
                           lambda _r: self._warm_ui(), lambda _e: self._warm_ui())
        if self.paths.database.exists() or self.paths.slots.exists():
            window = self._show_main(None)
            # A key this computer remembers is tried on the database thread after the imports
            # (and their freeze, so the session it opens is not frozen with the app).
            window.unlock_panel.start(try_keyring=True)
        else:
            window = self._show_first_run()

        def painted() -> None:
            shown.set()
            open_log_file()  # the records logged so far are written first
            register_fonts()

        page = window.stack.currentWidget() if isinstance(window, MainWindow) else window
        after_next_paint(page, painted)  # (painted or not, _prewarm starts after two seconds)
        return window

    def _freeze_on_worker(self) -> None:
        """On the database thread, once the start-up's imports are done: have the GUI thread
        freeze what exists (nearly all of the app's objects) while this thread, the only one
        that makes casebooks, waits; so no casebook can be caught in it (kit/collector.py)."""
        request = _FreezeRequest()
        self._freeze_asked.emit(request)
        if not request.done.wait(_FreezeRequest.WAIT_S):
            with request.lock:
                if request.state == "asked":
                    request.state = "given up"  # the GUI thread was busy: the warm-up freezes

    def _freeze_imports(self, request: _FreezeRequest) -> None:
        with request.lock:
            if request.state != "asked":
                return
            if not self._stopped:
                self.heap.imports_done()
            request.state = "done"
        request.done.set()

    def _warm_ui(self) -> None:
        """Import the screens' modules one per turn of the event loop (each well under the
        50 ms that would be felt while typing), then build the locked window's workspace."""
        modules = list(WARM_UI_MODULES)

        def step() -> None:
            if self._stopped:
                return
            if modules:
                try:
                    importlib.import_module(modules.pop(0))
                except ImportError:  # a build without that screen: it is found out on use
                    log.info("a screen module could not be imported ahead")
                next_turn(self, step)
                return
            if self.window is not None:
                self.window.prepare_workspace()
                self.heap.app_ready(self.window.holds_no_casebook)
            self.warmed_up.emit()

        QTimer.singleShot(0, self, step)

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
        self.window.unlocked.connect(self.heap.session_open)
        window = self.window
        window.locked.connect(lambda: self.heap.session_closed_once_painted(
            window.unlock_panel, window.holds_no_casebook))
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
        open_log_file()  # if the first window was never painted
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

    def shown() -> None:  # bench/bench_start.py times the start-up up to this line
        if sys.stdout is not None:
            print("casebook: first window shown", flush=True)
        if not (controller.demo and isinstance(first, MainWindow)):
            QTimer.singleShot(0, finish)

    # "Shown" means painted: the unlock screen itself (the demo's "Preparing…" page, or the
    # first-run wizard) has drawn.
    after_next_paint(first.stack.currentWidget() if isinstance(first, MainWindow) else first, shown)
    if controller.demo and isinstance(first, MainWindow):
        first.unlocked.connect(lambda: QTimer.singleShot(0, finish))


def run_app(data_dir: Path | str | None, *, demo: bool = False,
            quit_after_start: bool = False) -> int:
    """Create the QApplication, show the first window and run until the user quits."""
    # Crisp text at 125 % and 150 % Windows scaling needs no setting: Qt 6 passes fractional
    # scale factors through by default.
    app = QApplication(sys.argv[:1])
    setup_application(app)
    collector = MainThreadCollector(app)  # never a collection on the database thread
    controller = CasebookApp(data_dir, demo=demo)
    app.aboutToQuit.connect(controller.shutdown)
    _quit_on_signals(app)
    first = controller.start()
    if quit_after_start:
        _quit_when_started(app, controller, first)
    log.info("casebook started%s", " (demo)" if demo else "")
    code = app.exec()
    controller.shutdown()
    collector.stop()
    return code
