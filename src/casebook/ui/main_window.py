"""The main window: locked (unlock screen) or unlocked (case list and open cases in tabs).

Locking (Ctrl+L, the toolbar, or idle) autosaves drafts, clears every view, closes dialogs,
closes the casebook on the worker thread and shows the unlock screen in the same window.
After unlocking, the cases that were open come back, and so does unsaved text.

This module imports nothing heavy at load time; the case screens are imported on first unlock,
and what only an unlocked window needs (json, datetime, the location check) where it is used:
the locked window is the first thing on screen (bench/bench_start.py times it).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casebook.domain.enums import CaseType, Jurisdiction
from casebook.errors import LockedError
from casebook.paths import CasebookPaths
from casebook.ui import prompts
from casebook.ui.autolock import DEFAULT_MINUTES, IdleLock, unwatched
from casebook.ui.kit import app_settings, flush_worker, make_icon, user_message
from casebook.ui.kit.busy import busy_bar
from casebook.ui.kit.by_name import set_by_name
from casebook.ui.kit.lock_aware import CaseTab, ClosesForLock, KeepsDrafts
from casebook.ui.kit.paint import after_next_paint
from casebook.ui.kit.turns import next_turn
from casebook.ui.models.labels import DEFAULT_TERMS, ROLE_SHORT, case_type_label, wording
from casebook.ui.unlock.unlock_panel import UnlockPanel
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from datetime import datetime

    from casebook.services import Casebook
    from casebook.ui.cases.case_list import CaseListPanel, NewCaseDialog
    from casebook.ui.learners import LearnersView

log = logging.getLogger(__name__)

OPEN_CASES_DRAFT = "ui.open-cases"
NEW_CASE_DRAFT = "ui.new-case"
BACKUP_WARN_DAYS = 7
#: The banners above every page, styled when first shown: a style sheet on any widget of the
#: locked window made its first paint about 7 ms slower (Qt's style sheet engine starts).
DEMO_BANNER_STYLE = ("#demoBanner { background: #fde68a; color: #1f2937; padding: 6px 12px;"
                     " font-weight: bold; border-bottom: 1px solid #d97706; }")
LOCATION_BANNER_STYLE = ("#locationBanner { background: #e0f2fe; color: #1f2937;"
                         " padding: 6px 12px; border-bottom: 1px solid #7dd3fc; }")


def describe_backup(value: str, now: datetime | None = None) -> tuple[str, bool]:
    """("Last backup: …", overdue?) from the stored ISO time."""
    from datetime import datetime
    if not value:
        return "Last backup: never", True
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return "Last backup: unknown", True
    now = now or datetime.now()
    days = (now.date() - when.date()).days
    if days <= 0:
        text = f"today at {when:%H:%M}"
    elif days == 1:
        text = "yesterday"
    else:
        text = f"{days} days ago"
    return f"Last backup: {text}", days >= BACKUP_WARN_DAYS


def _session_info(casebook: Casebook, user_key: str) -> dict[str, Any]:
    """Worker job run after unlocking: what the window needs to show, and any drafts."""
    school = casebook.school()
    settings = casebook.settings
    return {
        "school": school.name,
        "jurisdiction": school.jurisdiction,
        "last_backup": settings.get("last_backup_at"),
        "idle_minutes": settings.get("idle_lock_minutes"),
        "open_cases": settings.get_draft(f"{user_key}:{OPEN_CASES_DRAFT}"),
        "new_case": settings.get_draft(f"{user_key}:{NEW_CASE_DRAFT}"),
    }


#: The school-wide screens in the View menu (Ctrl+2 onwards), by their key in ``fixed_views``.
SCREEN_MENU = (("dashboard", "&Dashboard"), ("checklist", "Chec&klist"),
               ("tracker", "&Reports to platforms"), ("official", "&Official accounts"))


class CasePlaceholder(CaseTab):
    """Shown for a case when the full case view is not part of this build."""

    def __init__(self, worker: DbWorker, casebook: Casebook, case_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtCore import Qt

        self.case_id = case_id
        self.label = QLabel("Loading the case…", self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        worker.submit(lambda: casebook.cases.get(case_id), self._show, lambda _e: None)

    def _show(self, case: Any) -> None:
        self.label.setText(f"{case.reference}  {case.title}\n\n{case.summary}\n\n"
                           "The full case view is not available in this build.")

    def clear(self) -> None:
        self.label.clear()


class MainWindow(QMainWindow):
    """The Casebook window. ``casebook=None`` starts locked (the unlock screen shows)."""

    #: After the casebook was locked and the unlock screen shows.
    locked = Signal()
    #: After a casebook was opened in this window and its screens built (views loading).
    unlocked = Signal()
    #: A case tab was opened (case id).
    case_opened = Signal(int)
    #: A backup was restored and the casebook opened again.
    restored = Signal()

    def __init__(self, worker: DbWorker, paths: CasebookPaths, casebook: Casebook | None = None,
                 *, demo: bool = False, demo_passphrase: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.paths = paths
        self.casebook: Casebook | None = None
        self.demo = demo
        self.school_name = ""
        self.jurisdiction = Jurisdiction.ENGLAND
        self.terms: Mapping[str, str] = DEFAULT_TERMS  # the profile's once unlocked
        self._locking = False
        self._shut_down = False
        self.case_list: CaseListPanel | None = None
        self.tabs: QTabWidget | None = None
        #: Screens that stay open while unlocked (dashboard, checklist, ...), rebuilt per unlock
        #: because they hold what they last loaded.
        self.fixed_views: dict[str, QWidget] = {}
        self.learners_view: LearnersView | None = None
        self.case_views: dict[int, CaseTab] = {}
        self.new_case_dialog: NewCaseDialog | None = None
        self._case_view_class: type[CaseTab] | None = None
        self._lock_note = ""
        self._select_after_change: int | None = None
        self._tab_hook: Callable[[int], None] | None = None
        #: The casebook the last lock closed, until nothing refers to it any more.
        self._closed: Callable[[], Casebook | None] = lambda: None

        self.setObjectName("mainWindow")
        self.setAccessibleName("Casebook")
        self.autolock = IdleLock(DEFAULT_MINUTES, self)
        self.autolock.idle.connect(lambda: self.lock(reason="idle"))

        # --- central area: optional demo banner above a stack of pages
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.demo_banner = QLabel(
            "DEMO casebook: every school, person and case here is made up. Nothing you do is "
            "kept after Casebook closes.", central)
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setAccessibleName("Demo casebook notice")
        self.demo_banner.setWordWrap(True)
        if demo:  # styled only when shown (see DEMO_BANNER_STYLE)
            self.demo_banner.setStyleSheet(DEMO_BANNER_STYLE)
        self.demo_banner.setVisible(demo)
        outer.addWidget(self.demo_banner)
        # A calm note when the casebook's folder is on a network or synced/redirected path.
        self.location_banner = QLabel(central)
        self.location_banner.setObjectName("locationBanner")
        self.location_banner.setAccessibleName("Where the casebook is kept")
        self.location_banner.setWordWrap(True)
        self.location_banner.hide()
        outer.addWidget(self.location_banner)
        self.stack = QStackedWidget(central)
        outer.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.unlock_panel = UnlockPanel(worker, paths, self.stack,
                                        demo_passphrase=demo_passphrase)
        self.unlock_panel.unlocked.connect(self.open_casebook)
        self.stack.addWidget(self.unlock_panel)
        self._busy_page: QWidget | None = None  # built when first shown
        self.workspace = QWidget(self.stack)
        self.workspace_layout = QVBoxLayout(self.workspace)
        self.workspace_layout.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.workspace)

        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()
        worker.unhandled_error.connect(self._unhandled_error)
        worker.changed.connect(self._records_changed)
        self._restore_geometry()

        if casebook is not None:
            self.open_casebook(casebook)
        else:
            self._show_locked_state()

    # ================================================================== building
    @property
    def busy_page(self) -> QWidget:
        """The "please wait" page (preparing the demo, a restore), built the first time."""
        if self._busy_page is None:
            self._busy_page = self._make_busy_page()
            self.stack.addWidget(self._busy_page)
        return self._busy_page

    def _make_busy_page(self) -> QWidget:
        from PySide6.QtCore import Qt

        page = QWidget(self.stack)
        self.busy_label = QLabel("", page)
        self.busy_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.busy_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.busy_label.setFont(font)
        bar = QProgressBar(page)
        bar.setRange(0, 0)
        bar.setTextVisible(False)
        bar.setMaximumWidth(280)
        bar.setAccessibleName("Working")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.busy_label)
        layout.addWidget(bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def _action(self, text: str, slot: Any, shortcut: QKeySequence | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            # setShortcuts with one: PySide weighs setShortcut(a_sequence) against its other
            # overloads and builds the Qt namespace on the way (casebook.ui.kit.by_name)
            action.setShortcuts([QKeySequence(shortcut)])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip if shortcut is None else
                              f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.new_case_action = self._action(
            "&New case…", lambda: self.new_case(), QKeySequence.StandardKey.New,
            "Record a new case")
        self.new_case_action.setIcon(make_icon("new"))
        self.new_type_actions: dict[CaseType, QAction] = {}
        for case_type in CaseType:
            action = QAction(case_type_label(case_type, self.terms), self)
            action.triggered.connect(lambda _c=False, t=case_type: self.new_case(t))
            self.new_type_actions[case_type] = action
        self.lock_action = self._action("&Lock", lambda: self.lock(reason="manual"), "Ctrl+L",
                                        "Lock the casebook now")
        self.lock_action.setIcon(make_icon("lock"))
        self.backup_action = self._action("&Back up now", self.backup_now, None,
                                          "Make an encrypted backup now")
        self.backup_action.setIcon(make_icon("backup"))
        self.settings_action = self._action("Se&ttings…", self.show_settings, "Ctrl+,",
                                            "Idle lock, backups, people and keys")
        self.settings_action.setIcon(make_icon("settings"))
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit,
                                        "Lock and close Casebook")
        self.quit_action.setShortcuts([QKeySequence("Ctrl+Q")])
        self.find_action = self._action("&Find cases", self.focus_search,
                                        QKeySequence.StandardKey.Find, "Search the cases")
        self.refresh_action = self._action("Refres&h", self.refresh_list,
                                           QKeySequence.StandardKey.Refresh, "Load the list again")
        self.open_case_action = self._action("&Open selected case", self.open_selected_case,
                                             None, "Open the case selected in the list")
        # "Close tab" only closes the tab; ending a case is "Mark case closed…" on the case.
        self.close_tab_action = self._action("Close &tab", self.close_current_case,
                                             QKeySequence.StandardKey.Close, "Close this case tab")
        self.close_tab_action.setShortcuts([QKeySequence("Ctrl+W")])
        self.next_tab_action = self._action("Ne&xt tab", lambda: self._step_tab(1),
                                            QKeySequence.StandardKey.NextChild)
        self.previous_tab_action = self._action("Pre&vious tab", lambda: self._step_tab(-1),
                                                QKeySequence.StandardKey.PreviousChild)
        self.case_list_action = self._action("Case &list", self.show_case_list, "Ctrl+1",
                                             "Go to the case list")
        # The school-wide screens are reached from the View menu and Ctrl+2 to Ctrl+5 rather
        # than Alt+letters on their tabs: those letters are wanted by the forms on each screen.
        self.screen_actions: dict[str, QAction] = {}
        for number, (key, text) in enumerate(SCREEN_MENU, start=2):
            self.screen_actions[key] = self._action(
                text, lambda _c=False, k=key: self.show_screen(k), f"Ctrl+{number}",
                f"Go to {text.replace('&', '').lower()}")
        self.about_action = self._action("&About Casebook", self.show_about,
                                         QKeySequence.StandardKey.HelpContents,
                                         "About Casebook and its keyboard shortcuts")
        self.about_action.setShortcuts([QKeySequence("F1")])
        self.governors_action = self._action("&Governors' summary…", self.export_governors,
                                             None, "Export the termly summary for governors")
        self.import_learners_action = self._action(
            "&Import learners…", self.import_learners, None,
            "Import learners from a SIMS, Arbor or Bromcom CSV export")
        self.unlocked_actions = [
            self.import_learners_action,
            self.new_case_action, *self.new_type_actions.values(), self.lock_action,
            self.backup_action, self.settings_action, self.find_action, self.refresh_action,
            self.open_case_action, self.close_tab_action, self.next_tab_action,
            self.previous_tab_action, self.case_list_action, self.governors_action,
            *self.screen_actions.values(),
        ]

    def _make_menus(self) -> None:
        bar = self.menuBar()
        self.new_case_menu = QMenu("New &case of type", self)
        self.new_case_menu.addActions(list(self.new_type_actions.values()))
        # Each menu's items in order; None is a separator.
        menus: dict[str, list[QAction | QMenu | None]] = {
            "&File": [self.new_case_action, self.new_case_menu, None, self.governors_action,
                      self.import_learners_action, None, self.backup_action,
                      self.settings_action, None, self.lock_action, self.quit_action],
            "&View": [self.case_list_action, *self.screen_actions.values(), None,
                      self.find_action, self.refresh_action, None, self.next_tab_action,
                      self.previous_tab_action],
            "&Case": [self.open_case_action, self.close_tab_action],
            "&Help": [self.about_action],
        }
        for title, items in menus.items():
            menu = bar.addMenu(title)
            for item in items:
                if item is None:
                    menu.addSeparator()
                elif isinstance(item, QMenu):
                    menu.addMenu(item)
                else:
                    menu.addAction(item)

    def _make_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        # by name, as everything the locked window builds (see casebook.ui.kit.by_name)
        set_by_name(toolbar, "toolButtonStyle", "ToolButtonTextBesideIcon")
        toolbar.setAccessibleName("Main toolbar")
        self.new_case_button = QToolButton(toolbar)
        self.new_case_button.setDefaultAction(self.new_case_action)
        self.new_case_button.setMenu(self.new_case_menu)
        self.new_case_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        set_by_name(self.new_case_button, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.new_case_button.setAccessibleName("New case")
        toolbar.addWidget(self.new_case_button)
        toolbar.addSeparator()
        toolbar.addAction(self.backup_action)
        toolbar.addAction(self.settings_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.lock_action)
        self.toolbar = toolbar
        self.addToolBar(toolbar)  # at the top

    def _make_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_status = QLabel(self)
        self.user_status.setAccessibleName("Signed in as")
        self.file_status = QLabel(self)
        self.file_status.setAccessibleName("Casebook file")
        self.file_status.setText(self.paths.database.name)
        self.file_status.setToolTip(str(self.paths.database))
        self.backup_status = QLabel(self)
        self.backup_status.setAccessibleName("Last backup")
        self.lock_status = QLabel(self)
        self.lock_status.setAccessibleName("Locked or unlocked")
        self.worker_bar = busy_bar(self, width=80, height=10)
        self._separators: list[QFrame] = []
        for widget in (self.user_status, self.file_status, self.backup_status):
            bar.addWidget(widget)
            separator = QFrame(self)
            separator.setFrameShape(QFrame.Shape.VLine)
            separator.setFrameShadow(QFrame.Shadow.Sunken)
            bar.addWidget(separator)
            self._separators.append(separator)
        bar.addPermanentWidget(self.worker_bar)
        bar.addPermanentWidget(self.lock_status)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(400)
        self._busy_timer.timeout.connect(self.worker_bar.show)
        self.worker.busy_changed.connect(self._worker_busy)

    def prepare_workspace(self) -> None:
        """Build the (hidden) tabs and case list while locked, so unlocking does not wait for
        them; the app calls this once the start-up warm-up is done."""
        if self.casebook is None and not self._shut_down:
            self._build_workspace()

    def _build_workspace(self) -> None:
        if self.tabs is not None:
            return
        from casebook.ui.cases.case_list import CaseListPanel
        from casebook.ui.widgets.scrolling_tabs import ScrollingTabs

        self.tabs = ScrollingTabs(self.workspace)
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setAccessibleName("Open cases")
        self.tabs.tabCloseRequested.connect(self._close_tab_at)
        self.case_list = CaseListPanel(self.worker, self.tabs)
        self.case_list.open_requested.connect(self.open_case)
        self.case_list.new_case_requested.connect(lambda: self.new_case())
        self.tabs.addTab(self.case_list, "Cases")
        self.tabs.tabBar().setTabButton(0, QTabBar.ButtonPosition.RightSide, None)
        self.tabs.tabBar().setTabButton(0, QTabBar.ButtonPosition.LeftSide, None)
        self.workspace_layout.addWidget(self.tabs)
        try:
            from casebook.ui.cases.case_view import CaseView

            self._case_view_class = CaseView
        except ImportError:
            log.info("case view not available; using a placeholder")
            self._case_view_class = None

    # ================================================================== open / lock
    def holds_no_casebook(self) -> bool:
        """Nothing of a casebook is alive: none open, being opened, locked or restored, the one
        the last lock closed is gone, the database thread has no work (kit/collector.py
        freezes the app's objects only then)."""
        return (self.casebook is None and not self._locking and not self.unlock_panel.busy
                and self.worker.pending == 0 and self._closed() is None)

    def show_busy(self, text: str) -> None:
        page = self.busy_page
        self.busy_label.setText(text)
        self.stack.setCurrentWidget(page)

    def open_casebook(self, casebook: Casebook) -> None:
        """Show an unlocked casebook: list, wording, status, then reopen what was open."""
        self.casebook = casebook
        self._locking = False
        if self.terms is DEFAULT_TERMS:
            self.terms = wording(None)  # until the session's jurisdiction is read
        self._build_workspace()
        assert self.case_list is not None and self.tabs is not None
        self.stack.setCurrentWidget(self.workspace)
        self.tabs.setCurrentIndex(0)
        for action in self.unlocked_actions:
            action.setEnabled(True)
        user = casebook.user
        self.user_status.setText(f"Signed in: {user.name} ({ROLE_SHORT.get(user.role, '')})")
        self.lock_status.setText("Unlocked")
        self.lock_status.setToolTip("The casebook is open. Ctrl+L locks it.")
        self.worker.watch_changes(casebook.store.take_changes)
        self._add_fixed_views(casebook)  # the dashboard first; the case list loads after it
        user_key = self._user_key()
        self.worker.submit(lambda: _session_info(casebook, user_key),
                           lambda info: self._apply_session(casebook, info),
                           self._unhandled_error)
        self.autolock.start()
        self._update_title()
        if not self.demo:
            root = self.paths.root
            from casebook.locations import describe_location

            self.worker.submit(lambda: describe_location(root), self._show_location_warning,
                               lambda _e: None)
        log.info("main window unlocked (user %s)", user.id)
        # ``unlocked`` follows once the school-wide screens have been built (_add_fixed_views).

    def _apply_session(self, casebook: Casebook, info: dict[str, Any]) -> None:
        import json

        if casebook is not self.casebook:
            return
        self.school_name = info["school"]
        self.jurisdiction = info["jurisdiction"]
        self.terms = wording(self.jurisdiction)
        us = self.jurisdiction == Jurisdiction.US
        if self.case_list is not None:
            self.case_list.set_wording(self.terms, us)
        for case_type, action in self.new_type_actions.items():
            action.setText(case_type_label(case_type, self.terms))
        self._show_backup(info["last_backup"])
        try:
            self.autolock.set_minutes(float(info["idle_minutes"] or DEFAULT_MINUTES))
        except ValueError:
            self.autolock.set_minutes(DEFAULT_MINUTES)
        self._update_title()
        if info.get("open_cases"):
            try:
                state = json.loads(info["open_cases"])
                inner = state.get("tabs") or {}
                for case_id in state.get("cases", []):
                    self.open_case(int(case_id), focus=False)
                    view = self.case_views.get(int(case_id))
                    tab = inner.get(str(case_id))
                    if view is not None and tab:
                        view.show_tab_when_loaded(str(tab))
                current = state.get("current")
                if current is not None and int(current) in self.case_views:
                    self._focus_case(int(current))
            except (ValueError, TypeError, AttributeError):
                log.warning("open-cases draft could not be read")
        if info.get("new_case"):
            try:
                draft = json.loads(info["new_case"])
            except ValueError:
                draft = None
            if isinstance(draft, dict):
                self.new_case(restore=draft)

    def lock(self, reason: str = "manual") -> None:
        """Autosave drafts, clear views, lock on the worker, then show the unlock screen."""
        casebook = self.casebook
        if casebook is None or self._locking:
            return
        self._locking = True
        self.autolock.stop()
        log.info("locking (%s)", reason)
        self._save_drafts(casebook)
        self._close_dialogs()
        self._clear_views()
        self.casebook = None
        self._closed = weakref.ref(casebook)
        for action in self.unlocked_actions:
            action.setEnabled(False)
        self.show_busy("Locking…")
        minutes = round(self.autolock.interval_ms / 60_000)
        self._lock_note = (
            f"Casebook locked itself after {minutes} minute{'s' if minutes != 1 else ''} "
            "without use. Anything you had not saved has been kept and will come back."
            if reason == "idle" else "")
        self.worker.submit(casebook.lock, self._locked, self._locked)

    def _show_location_warning(self, warning: str | None) -> None:
        if warning and not self.location_banner.styleSheet():
            self.location_banner.setStyleSheet(LOCATION_BANNER_STYLE)
        self.location_banner.setText(warning or "")
        self.location_banner.setVisible(bool(warning))
        if warning:
            log.info("casebook folder is on a network or synced path")

    def restore_backup(self, backup: str, passphrase: str) -> None:
        """Settings -> Restore: close this window's casebook, restore, open it again.

        The app's own connections are closed first (the restore service refuses while the file
        is in use); the service checks the backup, keeps the current casebook aside and only
        then replaces it. If anything fails the casebook is as it was, and the unlock screen
        says what happened.
        """
        casebook = self.casebook
        if casebook is None or self._locking:
            return
        self._locking = True
        self.autolock.stop()
        log.info("restoring from a backup")
        self._save_drafts(casebook)
        self._close_dialogs()
        self._clear_views()
        self.casebook = None
        self._closed = weakref.ref(casebook)
        for action in self.unlocked_actions:
            action.setEnabled(False)
        self.show_busy("Restoring the backup… Casebook opens again when it is done.")
        root = self.paths.root

        def job() -> tuple[Any, Casebook]:
            from casebook.services import Casebook as Book
            from casebook.services.casebook import restore_casebook

            casebook.lock()
            restored = restore_casebook(root, backup, passphrase)
            return restored, Book.open_with_passphrase(root, passphrase)

        def done(result: tuple[Any, Casebook]) -> None:
            restored, book = result
            kept = restored.kept
            self._locking = False
            if self._shut_down:
                book.lock()
                return
            self.open_casebook(book)
            self.restored.emit()
            prompts.info(self, "Restore",
                         "The casebook was restored from the backup. The casebook you had "
                         f"before is kept in its folder as {kept.name}."
                         + (f"\n\n{note}" if (note := restored.purge_note()) else ""))

        def failed(error: BaseException) -> None:
            self._locking = False
            if self._shut_down:
                return
            message = user_message(error, "restoring a backup")
            log.info("restore did not happen (%s)", type(error).__name__)
            self._show_locked_state(note=f"The backup was not restored. {message}")

        self.worker.submit(job, done, failed)

    def _locked(self, _result: object = None) -> None:
        self._locking = False
        if self._shut_down:
            return
        self._show_locked_state(note=self._lock_note)
        self.locked.emit()

    def _show_locked_state(self, note: str = "") -> None:
        for action in self.unlocked_actions:
            action.setEnabled(False)
        self.user_status.setText("Not signed in")
        self.backup_status.setText("")
        self.backup_status.hide()
        self._separators[-1].hide()
        self.lock_status.setText("Locked")
        self.lock_status.setToolTip("The casebook is locked.")
        self.stack.setCurrentWidget(self.unlock_panel)
        self._update_title()
        self.unlock_panel.start(note=note)

    def _user_key(self) -> str:
        return f"user{self.casebook.user.id}" if self.casebook is not None else "user0"

    def _save_drafts(self, casebook: Casebook) -> None:
        """Queue autosaves (they run on the worker before the lock job that follows)."""
        import json

        user_key = self._user_key()
        for view in [*self.case_views.values(), *self.fixed_views.values()]:
            if not isinstance(view, KeepsDrafts):
                continue  # a screen with nothing typed to keep (the learners register)
            try:
                view.save_drafts()
            except Exception as exc:  # one view failing must not stop the lock
                user_message(exc, "saving drafts")
        order = [self.tabs.widget(i) for i in range(1, self.tabs.count())] if self.tabs else []
        ids = [cid for widget in order for cid, view in self.case_views.items() if view is widget]
        current = self.tabs.currentWidget() if self.tabs else None
        current_id = next((cid for cid, view in self.case_views.items() if view is current), None)
        inner = {str(cid): view.current_tab() for cid, view in self.case_views.items()}
        state = json.dumps({"cases": ids, "current": current_id, "tabs": inner}) if ids else ""
        key = f"{user_key}:{OPEN_CASES_DRAFT}"
        self.worker.submit(lambda: casebook.settings.save_draft(key, state), None,
                           lambda _e: None)
        if self.new_case_dialog is not None and self.new_case_dialog.isVisible():
            self.new_case_dialog.close_for_lock()
        self.new_case_dialog = None

    def _close_dialogs(self) -> None:
        """Close every open dialog without questions; each may drop what it shows first."""
        for dialog in self.findChildren(QDialog):
            if not dialog.isVisible():
                continue
            if isinstance(dialog, ClosesForLock):
                dialog.close_for_lock()
            if dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)

    def _add_fixed_views(self, casebook: Casebook) -> None:
        """Dashboard first (the screen after unlock), then the standing school-wide screens."""
        from casebook.ui.checklist.view import ChecklistView
        from casebook.ui.dashboard.view import DashboardView
        from casebook.ui.official_accounts.view import OfficialAccountsView
        from casebook.ui.tracker.view import TrackerView

        assert self.tabs is not None
        dashboard = DashboardView(self.worker, casebook, parent=self.tabs)
        dashboard.open_list.connect(self._open_dashboard_list)
        # Dashboard, Cases, Checklist, Reports to platforms, Official accounts, then open cases.
        screens: list[tuple[int, str, str, Callable[[], QWidget]]] = [
            (2, "checklist", "Checklist",
             lambda: ChecklistView(self.worker, casebook, parent=self.tabs)),
            (3, "tracker", "Reports to platforms",
             lambda: TrackerView(self.worker, casebook, parent=self.tabs)),
            (4, "official", "Official accounts",
             lambda: OfficialAccountsView(self.worker, casebook, parent=self.tabs))]
        self._add_fixed_view(0, "dashboard", "Dashboard", dashboard)
        self.tabs.setCurrentWidget(dashboard)
        dashboard.setFocus()

        # The other screens one per turn of the event loop: all at once froze the window for
        # 70-120 ms after unlocking.
        def next_screen() -> None:
            if casebook is not self.casebook or self.tabs is None:
                return  # locked meanwhile
            if screens:
                position, key, title, make = screens.pop(0)
                with unwatched():
                    self._add_fixed_view(position, key, title, make())
            else:
                with unwatched():
                    self._add_learners_view(casebook)
                self.unlocked.emit()  # every screen is there now
                return
            next_turn(self, next_screen)

        # The case list's first page and the other screens wait until the dashboard has shown
        # its figures: on two cores, reading the list and building the screens beside the
        # dashboard's query and first paint slowed both (at 50,000 cases the query took 360
        # ms instead of 100). The case list starts at once if the user goes to it.
        started = False

        def rest() -> None:
            nonlocal started
            if started or casebook is not self.casebook or self.case_list is None:
                return
            started = True
            self.case_list.set_casebook(casebook)
            next_turn(self, next_screen)

        def tab_changed(_index: int) -> None:
            if self.tabs is not None and self.tabs.currentWidget() is self.case_list:
                rest()

        if self._tab_hook is not None:  # the last unlock's
            self.tabs.currentChanged.disconnect(self._tab_hook)
        self._tab_hook = tab_changed
        self.tabs.currentChanged.connect(tab_changed)
        if dashboard.isVisible():
            dashboard.loaded.connect(lambda _snap: after_next_paint(dashboard, rest))
            dashboard.failed.connect(lambda _message: rest())
            # Whatever happens to the dashboard; a timer of the dashboard's, so a lock within
            # the two seconds does not keep the closed casebook (``rest`` holds it) alive.
            fallback = QTimer(dashboard)
            fallback.setSingleShot(True)
            fallback.timeout.connect(rest)
            fallback.start(2_000)
        else:  # a window not on screen: the dashboard reads nothing until it is shown
            QTimer.singleShot(0, self, rest)

    def _add_fixed_view(self, position: int, key: str, title: str, view: QWidget) -> None:
        assert self.tabs is not None
        index = self.tabs.insertTab(position, view, title)
        for side in (QTabBar.ButtonPosition.RightSide, QTabBar.ButtonPosition.LeftSide):
            self.tabs.tabBar().setTabButton(index, side, None)
        self.fixed_views[key] = view

    def _add_learners_view(self, casebook: Casebook) -> None:
        """The Learners screen, just after Cases (issue 12)."""
        from casebook.ui.learners import LearnersView

        assert self.tabs is not None
        from casebook.ui.learners.reminders import LearnerReminders

        view = LearnersView(self.worker, casebook, parent=self.tabs)
        index = self.tabs.insertTab(2, view, "Learners")
        for side in (QTabBar.ButtonPosition.RightSide, QTabBar.ButtonPosition.LeftSide):
            self.tabs.tabBar().setTabButton(index, side, None)
        self.fixed_views["learners"] = view
        self.learners_view = view
        dashboard = self.fixed_views["dashboard"]
        reminders = LearnerReminders(self.worker, casebook, dashboard)
        dashboard.layout().insertWidget(1, reminders)  # under the dashboard's title row
        dashboard.loaded.connect(reminders.refresh)

        def show_learners(page: int) -> None:
            view.pages.setCurrentIndex(page)
            if self.tabs is not None:
                self.tabs.setCurrentWidget(view)

        reminders.open_learners.connect(show_learners)

    def import_learners(self) -> None:
        casebook = self.casebook
        if casebook is None:
            return
        from casebook.ui.learners import import_learners

        view = self.learners_view
        import_learners(self, self.worker, casebook, view.refresh if view is not None else None)

    def _open_dashboard_list(self, kind: str, ids: list) -> None:  # type: ignore[type-arg]
        """Open the list behind a dashboard number."""
        casebook = self.casebook
        if casebook is None or self.tabs is None or self.case_list is None:
            return
        labels = {"open-cases": "open cases", "steps-waiting": "cases with steps waiting",
                  "cases-month": "cases opened that month"}
        if kind in labels:
            self.case_list.show_cases([int(i) for i in ids], labels[kind])
            self.tabs.setCurrentWidget(self.case_list)
        elif kind == "overdue-actions":
            def show(case_ids: list[int]) -> None:
                if self.case_list is not None and self.tabs is not None:
                    self.case_list.show_cases(case_ids, "cases with overdue actions")
                    self.tabs.setCurrentWidget(self.case_list)

            self.worker.submit(lambda: casebook.cases.case_ids_for_actions(list(ids)), show,
                               self._unhandled_error)
        else:
            target = {"reports-waiting": "tracker", "platform-reports": "tracker",
                      "checklist-due": "checklist", "official-checks-due": "official"}.get(kind)
            view = self.fixed_views.get(target or "")
            if view is not None:
                self.tabs.setCurrentWidget(view)

    def _clear_views(self) -> None:
        if self._tab_hook is not None and self.tabs is not None:
            self.tabs.currentChanged.disconnect(self._tab_hook)  # it holds the closed casebook
        self._tab_hook = None
        if self.tabs is not None:
            for case_id in list(self.case_views):
                self._remove_case(case_id)
            for view in self.fixed_views.values():
                index = self.tabs.indexOf(view)
                if index >= 0:
                    self.tabs.removeTab(index)
                view.deleteLater()
        self.fixed_views.clear()
        self.learners_view = None
        if self.case_list is not None:
            self.case_list.clear()

    def shutdown(self) -> None:
        """Called once when Casebook closes: autosave, lock, stop the idle timer."""
        if self._shut_down:
            return
        self._shut_down = True
        self.autolock.detach()
        self._save_geometry()
        casebook = self.casebook
        if casebook is not None:
            self._save_drafts(casebook)
            self._close_dialogs()
            self.casebook = None
            self.worker.submit(casebook.lock, None, lambda _e: None)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.shutdown()
        flush_worker(self.worker)
        event.accept()

    # ================================================================== cases
    def open_case(self, case_id: int, focus: bool = True) -> None:
        casebook = self.casebook
        if casebook is None or self.tabs is None:
            return
        if case_id in self.case_views:
            if focus:
                self._focus_case(case_id)
            return
        if self._case_view_class is not None:
            try:
                view = self._case_view_class(self.worker, casebook, case_id, self.tabs)
            except Exception as exc:
                prompts.error(self, "Open case", user_message(exc, "opening a case"))
                return
        else:
            view = CasePlaceholder(self.worker, casebook, case_id, self.tabs)
        view.changed.connect(lambda cid=case_id: self._case_changed(cid))
        self.case_views[case_id] = view
        index = self.tabs.addTab(view, "Loading…")
        self.tabs.setTabToolTip(index, "")
        self._update_tab_title(case_id)
        if focus:
            self.tabs.setCurrentIndex(index)
            view.setFocus()
        self.case_opened.emit(case_id)

    def _focus_case(self, case_id: int) -> None:
        view = self.case_views.get(case_id)
        if view is not None and self.tabs is not None:
            self.tabs.setCurrentWidget(view)

    def _update_tab_title(self, case_id: int) -> None:
        casebook = self.casebook
        if casebook is None:
            return

        def show(case: Any) -> None:
            view = self.case_views.get(case_id)
            if view is None or self.tabs is None:
                return
            index = self.tabs.indexOf(view)
            if index < 0:
                return
            title = case.title if len(case.title) <= 28 else case.title[:27] + "…"
            self.tabs.setTabText(index, f"{case.reference} {title}".replace("&", "&&"))
            self.tabs.setTabToolTip(index, f"{case.reference}: {case.title}")

        self.worker.submit(lambda: casebook.cases.get(case_id), show, lambda _e: None)

    def _case_changed(self, case_id: int) -> None:
        if self.casebook is not None:
            self._update_tab_title(case_id)

    def _records_changed(self, kinds: frozenset[str]) -> None:
        """The one change notice: the case list reloads (the fixed screens listen for
        themselves, see ``casebook.ui.kit.live``)."""
        if self.case_list is not None and self.casebook is not None and "case" in kinds:
            self.case_list.refresh(keep_case=self._select_after_change)
        self._select_after_change = None

    def _remove_case(self, case_id: int) -> None:
        view = self.case_views.pop(case_id, None)
        if view is None or self.tabs is None:
            return
        try:
            view.clear()
        except Exception as exc:
            user_message(exc, "clearing a case view")
        index = self.tabs.indexOf(view)
        if index >= 0:
            self.tabs.removeTab(index)
        view.deleteLater()

    def _close_tab_at(self, index: int) -> None:
        if self.tabs is None or index <= 0:
            return
        widget = self.tabs.widget(index)
        for case_id, view in list(self.case_views.items()):
            if view is widget:
                view.save_drafts()
                self._remove_case(case_id)
                break

    def close_current_case(self) -> None:
        if self.tabs is not None:
            self._close_tab_at(self.tabs.currentIndex())  # a no-op on the fixed screens

    def _step_tab(self, step: int) -> None:
        if self.tabs is not None and self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def show_screen(self, key: str) -> None:
        """Show one of the school-wide screens (dashboard, checklist, tracker, official)."""
        view = self.fixed_views.get(key)
        if view is not None and self.tabs is not None:
            self.tabs.setCurrentWidget(view)

    def show_case_list(self) -> None:
        if self.tabs is not None and self.case_list is not None:
            self.tabs.setCurrentWidget(self.case_list)

    def open_selected_case(self) -> None:
        if self.case_list is not None:
            case_id = self.case_list.selected_case_id()
            if case_id is not None:
                self.open_case(case_id)

    def new_case(self, case_type: CaseType | None = None,
                 restore: Mapping[str, Any] | None = None) -> None:
        casebook = self.casebook
        if casebook is None:
            return
        from casebook.ui.cases.case_list import NewCaseDialog

        if self.new_case_dialog is not None and self.new_case_dialog.isVisible():
            self.new_case_dialog.raise_()
            self.new_case_dialog.activateWindow()
            return
        dialog = NewCaseDialog(self.worker, casebook, f"{self._user_key()}:{NEW_CASE_DRAFT}",
                               self.terms, case_type or CaseType.IMPERSONATION, self)
        if restore:
            dialog.restore(restore)
        dialog.created.connect(self._case_created)
        dialog.finished.connect(lambda _r, d=dialog: self._dialog_finished(d))
        self.new_case_dialog = dialog
        dialog.open()

    def _dialog_finished(self, dialog: QDialog) -> None:
        if self.new_case_dialog is dialog:
            self.new_case_dialog = None
        dialog.deleteLater()

    def _case_created(self, case_id: int) -> None:
        self._select_after_change = case_id  # the list reloads on the change notice
        self.open_case(case_id)

    # ================================================================== other commands
    def focus_search(self) -> None:
        if self.case_list is not None and self.casebook is not None:
            self.show_case_list()
            self.case_list.focus_search()

    def refresh_list(self) -> None:
        if self.case_list is not None and self.casebook is not None:
            self.case_list.refresh()

    def backup_now(self) -> None:
        casebook = self.casebook
        if casebook is None:
            return
        self.backup_action.setEnabled(False)
        self.statusBar().showMessage("Backing up…")

        def done(path: Any) -> None:
            self.backup_action.setEnabled(self.casebook is not None)
            self.statusBar().showMessage(f"Backup saved: {path}", 10_000)
            from datetime import datetime

            self._show_backup(datetime.now().isoformat(timespec="seconds"))

        def failed(error: BaseException) -> None:
            self.backup_action.setEnabled(self.casebook is not None)
            self.statusBar().clearMessage()
            if not isinstance(error, LockedError):
                prompts.error(self, "Back up now", user_message(error, "backing up"))

        def job() -> Path:
            from casebook.services.backup import run_backup

            return run_backup(casebook)

        self.worker.submit(job, done, failed)

    def show_settings(self) -> None:
        casebook = self.casebook
        if casebook is None:
            return
        from casebook.ui.settings.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.worker, casebook, self.school_name,
                                self.jurisdiction == Jurisdiction.US, self)
        dialog.idle_minutes_changed.connect(self.autolock.set_minutes)
        dialog.backed_up.connect(lambda when: self._show_backup(when))
        dialog.restore_requested.connect(self.restore_backup)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.settings_dialog = dialog
        dialog.open()

    def export_governors(self) -> None:
        casebook = self.casebook
        if casebook is None:
            return
        from casebook.ui.export import GovernorsExportDialog

        dialog = GovernorsExportDialog(self.worker, casebook, self)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.governors_dialog = dialog
        dialog.open()

    def show_about(self) -> None:
        from casebook.ui.about import AboutDialog

        dialog = AboutDialog(self.paths, self)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()

    # ================================================================== status and errors
    def _show_backup(self, value: str) -> None:
        self.backup_status.show()
        self._separators[-1].show()
        text, overdue = describe_backup(value or "")
        self.backup_status.setText(text + ("  ⚠" if overdue else ""))
        self.backup_status.setToolTip("Back up regularly (File › Back up now)." if overdue
                                      else "")

    def _update_title(self) -> None:
        parts = ["Casebook"]
        if self.demo:
            parts.append("DEMO")
        if self.casebook is None:
            parts.append("Locked")
        elif self.school_name:
            parts.append(self.school_name)
        self.setWindowTitle(" — ".join(parts))

    def _worker_busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.worker_bar.hide()

    def _unhandled_error(self, error: BaseException) -> None:
        if isinstance(error, LockedError) and self.casebook is None:
            return  # a late answer after locking; nothing to tell
        prompts.error(self, "Casebook", user_message(error))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Redraw the line icons when the colour scheme changes (light <-> dark)."""
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "lock_action"):
            for action, name in ((self.new_case_action, "new"), (self.lock_action, "lock"),
                                 (self.backup_action, "backup"),
                                 (self.settings_action, "settings")):
                action.setIcon(make_icon(name))
        super().changeEvent(event)

    # ================================================================== geometry
    def _restore_geometry(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(geometry):
            return
        self.resize(1200, 780)

    def _save_geometry(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        if self.case_list is not None:
            self.case_list.save_state()
