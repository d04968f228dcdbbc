"""One case: overview, chronology, people, accounts, evidence, decisions, actions and the
response steps, as tabs; plus opening the response wizard and closing the case.

Everything is read in one job on the DB thread (a :class:`CaseBundle`), and each tab saves its
own changes through the worker, then asks for a fresh bundle so all tabs agree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import CaseStatus
from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.autolock import unwatched
from casebook.ui.cases.accounts_tab import AccountsTab
from casebook.ui.cases.actions_tab import ActionsTab
from casebook.ui.cases.chronology_tab import ChronologyTab
from casebook.ui.cases.decisions_tab import DecisionsTab
from casebook.ui.cases.overview_tab import OverviewTab
from casebook.ui.cases.people_tab import PeopleTab
from casebook.ui.cases.steps_tab import StepsTab
from casebook.ui.evidence.evidence_widget import EvidenceWidget
from casebook.ui.kit.live import KeepCurrent
from casebook.ui.kit.lock_aware import CaseTab
from casebook.ui.kit.ops import Op
from casebook.ui.kit.turns import next_turn
from casebook.ui.widgets import drafts as form_drafts
from casebook.ui.widgets.common import Banner, heading
from casebook.ui.widgets.context import (
    CaseBundle,
    CaseContext,
    Setup,
    load_bundle,
    load_setup,
)
from casebook.ui.widgets.drafts import AskBeforeDiscard
from casebook.ui.widgets.labels import CASE_STATUSES, RISKS, label
from casebook.ui.widgets.panel import CasePanel
from casebook.ui.widgets.scrolling_tabs import ScrollingTabs
from casebook.ui.wizard.wizard import ResponseWizard
from casebook.ui.worker import DbWorker

log = logging.getLogger(__name__)

DRAFT_NAMES = ("chronology", "decision", "summary")
#: Ending a case (for good, with a reason) is "marking it closed"; "Close tab" only hides it.
CLOSE_CASE_TEXT = "&Mark case closed…"
REOPEN_CASE_TEXT = "&Mark case open again…"
#: Tabs whose "Add…" forms are kept whole as drafts (every free-text field, by its label).
FORM_DRAFTS = ("people", "accounts", "actions")
#: Unsaved text is written to the (encrypted) drafts table this long after the last keystroke.
DRAFT_DELAY_MS = 5_000


class CloseCaseDialog(AskBeforeDiscard):
    """Asks why the case is being closed (the reason is part of the record)."""

    def __init__(self, open_actions: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mark this case closed")
        self.setAccessibleName("Mark this case closed")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Mark this case closed", self))
        text = ("Everything recorded on the case is kept. You can reopen it later if "
                "something new comes up.")
        if open_actions:
            text += (f" There {'is' if open_actions == 1 else 'are'} still {open_actions} open "
                     f"action{'' if open_actions == 1 else 's'} on this case.")
        intro = QLabel(text, self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        reason_label = QLabel("&Why is the case being closed?", self)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setAccessibleName("Why the case is being closed")
        self.reason_edit.setPlaceholderText(
            "For example: accounts removed, support in place, no further concerns")
        reason_label.setBuddy(self.reason_edit)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason_edit)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        buttons = QDialogButtonBox(self)
        self.close_button = buttons.addButton("&Mark case closed",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(480, 300)
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def _check(self) -> None:
        if not self.reason():
            self.banner.show_error("Please give the reason for closing the case.")
            self.reason_edit.setFocus()
            return
        self.accept()


class CaseView(CaseTab):
    """The open case. ``changed`` fires after any save so the case list can refresh."""

    #: Emitted each time fresh data has been shown (first load and every refresh).
    loaded = Signal()

    def __init__(self, worker: DbWorker, casebook: Casebook, case_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.casebook = casebook
        self.case_id = case_id
        self.ctx: CaseContext | None = None
        self.bundle: CaseBundle | None = None
        self.wizard: ResponseWizard | None = None
        self.close_dialog: CloseCaseDialog | None = None
        self.export_dialog: QDialog | None = None
        self.panels: list[CasePanel] = []
        self._cleared = False
        self._saved_drafts: dict[str, str] = {}
        self._pending_tab = ""
        self._close_reason = ""
        self.setAccessibleName("Case")

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = heading("Loading the case…", self, level=1)
        top.addWidget(self.title, 1)
        self.wizard_button = QPushButton("Open response &steps…", self)
        self.wizard_button.setToolTip("Work through the five response steps for this case")
        self.wizard_button.clicked.connect(self.open_wizard)
        # Created in the order they are seen, so Tab follows the screen left to right.
        self.export_button = QPushButton("E&xport…", self)
        self.export_button.setToolTip("Make a PDF report of this case (Ctrl+E)")
        self.export_button.clicked.connect(self.open_export)
        self.close_button = QPushButton(CLOSE_CASE_TEXT, self)
        self.close_button.setToolTip("End the case: it stays in the casebook and can be "
                                     "reopened. To close only the tab, press Ctrl+W.")
        self.close_button.clicked.connect(self.close_or_reopen)
        QShortcut(QKeySequence("Ctrl+E"), self, self.open_export)
        for button in (self.wizard_button, self.export_button, self.close_button):
            button.setEnabled(False)
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        self.stack = QStackedWidget(self)
        self.placeholder = QLabel("Loading…", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.placeholder)
        self.tabs = ScrollingTabs(self)
        self.tabs.setAccessibleName("Parts of the case")
        self.tabs.setDocumentMode(True)
        self.stack.addWidget(self.tabs)
        layout.addWidget(self.stack, 1)

        self.op_epoch = 0  # moves on when cleared, so answers still on their way are dropped
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_drafts)

        keys = [f"case:{case_id}:{name}" for name in DRAFT_NAMES]
        keys += [self._form_key(name) for name in FORM_DRAFTS]
        keys.append(self._form_key("close-reason"))

        def first() -> tuple[Setup, CaseBundle, dict[str, str | None]]:
            drafts = {key: casebook.settings.get_draft(key) for key in keys}
            return load_setup(casebook), load_bundle(casebook, case_id), drafts

        self._op(first).success(self._first_load).failure(self._load_failed).run()
        self._reading = False
        # The worker's change notice: read the case again (now if on screen, else when next
        # shown), so a report recorded in the tracker or a correction elsewhere shows here.
        self._current = KeepCurrent(
            self, worker, lambda kinds: self.ctx is not None and not self._cleared
            and bool(kinds & {"case", "evidence", "tracker"}), self.refresh)

    # ----- loading ------------------------------------------------------------------------
    def _op(self, job: Callable[[], Any]) -> Op[Any]:
        """An operation for this view: on its worker, a failure shown in its banner."""
        return Op(self, job, worker=self.worker).messages(self.banner)

    def _load_failed(self, message: str) -> None:
        self.title.setText("This case could not be opened")
        self.placeholder.setText(message)

    def _first_load(self, result: tuple[Setup, CaseBundle, dict[str, str | None]]) -> None:
        """Build the tabs one per turn of the event loop (all eight at once froze the window
        for 40-70 ms), then show the case."""
        setup, bundle, drafts = result
        ctx = CaseContext(self.worker, self.casebook, self.case_id, setup)
        steps = self._build_tabs(ctx)

        def step() -> None:
            if self._cleared:
                return
            with unwatched():  # building: the idle lock's filter need not see it
                built = next(steps, None)
            if built is not None:
                next_turn(self, step)  # dropped if the view goes
                return
            self.ctx = ctx  # loaded: the tabs exist
            self._finish_first_load(bundle, drafts)

        step()

    def _finish_first_load(self, bundle: CaseBundle, drafts: dict[str, str | None]) -> None:
        self._saved_drafts = {k: v or "" for k, v in drafts.items()}
        self._show(bundle)
        for panel in self.panels:
            restore = getattr(panel, "restore_drafts", None)
            if restore is not None:
                restore(drafts)
        for name, panel in self._form_panels().items():
            if form_drafts.restore(panel, drafts.get(self._form_key(name))):
                panel.banner.show_info("Your unsaved text has been put back.")
        self._close_reason = drafts.get(self._form_key("close-reason")) or ""
        self.stack.setCurrentWidget(self.tabs)
        if self._pending_tab:
            with suppress(KeyError):
                self.select_tab(self._pending_tab)

    def _build_tabs(self, ctx: CaseContext) -> Iterator[str]:
        """The tabs, one at a time (the caller lets the event loop run between them)."""
        self.overview = OverviewTab(ctx, self)
        yield "overview"
        self.chronology = ChronologyTab(ctx, self)
        yield "chronology"
        self.people = PeopleTab(ctx, self)
        yield "people"
        self.accounts = AccountsTab(ctx, self)
        yield "accounts"
        self.evidence = EvidenceWidget(ctx, self)
        yield "evidence"
        self.decisions = DecisionsTab(ctx, self)
        yield "decisions"
        self.actions = ActionsTab(ctx, self)
        yield "actions"
        self.steps = StepsTab(ctx, self)
        yield "steps"
        self.steps.open_wizard_requested.connect(self.open_wizard)
        # No Alt+letters on these tabs (the forms below need the letters): Alt+1 to Alt+8.
        for number, (panel, text) in enumerate(
                ((self.overview, "Overview"), (self.chronology, "Chronology"),
                 (self.people, "People"), (self.accounts, "Accounts"),
                 (self.evidence, "Evidence"), (self.decisions, "Decisions"),
                 (self.actions, "Actions"), (self.steps, "Response steps")), start=1):
            index = self.tabs.addTab(panel, text)
            self.tabs.setTabToolTip(index, f"{text} (Alt+{number})")
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda i=index: self.tabs.setCurrentIndex(i))
            panel.changed.connect(self._panel_changed)
            self.panels.append(panel)
        for edit in (self.chronology.text_edit, self.decisions.why_edit,
                     self.overview.summary_edit):
            edit.textChanged.connect(self._draft_timer.start)
        self.decisions.what_edit.textChanged.connect(self._draft_timer.start)
        for panel in self._form_panels().values():
            for edit in form_drafts.text_inputs(panel).values():
                edit.textChanged.connect(self._draft_timer.start)
        self.wizard_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self.close_button.setEnabled(True)

    def _show(self, bundle: CaseBundle) -> None:
        self._reading = False
        if self.ctx is None or self._cleared:
            return
        self.bundle = bundle
        case = bundle.case
        self.title.setText(f"{case.reference}: {case.title}")
        self.title.setAccessibleName(self.title.text())
        steps_done = sum(1 for s in case.steps if s.status.value in ("done", "not-needed"))
        overdue = sum(1 for a in bundle.actions if a.is_overdue(bundle.today))
        parts = [label(CASE_STATUSES, case.status), f"Risk: {label(RISKS, case.risk)}",
                 f"{steps_done} of 5 steps done"]
        if overdue:
            parts.append(f"⚠ {overdue} overdue action{'s' if overdue > 1 else ''}")
        self.subtitle.setText("  ·  ".join(parts))
        closed = case.status == CaseStatus.CLOSED
        self.close_button.setText(REOPEN_CASE_TEXT if closed else CLOSE_CASE_TEXT)
        for panel in self.panels:
            panel.set_data(bundle)
        self.loaded.emit()

    def refresh(self) -> None:
        """Read the case again and show it everywhere."""
        if self._cleared or self._reading:
            return  # one read at a time: the one on its way shows the latest
        self._reading = True
        casebook, case_id = self.casebook, self.case_id

        def failed(message: str) -> None:
            self._reading = False
            self.banner.show_error(message)

        self._op(lambda: load_bundle(casebook, case_id)).success(self._show).failure(failed).run()

    def _panel_changed(self) -> None:
        self.changed.emit()
        self.refresh()

    def _form_key(self, name: str) -> str:
        return f"case:{self.case_id}:form:{name}"

    def _form_panels(self) -> dict[str, CasePanel]:
        if self.ctx is None:
            return {}
        return {"people": self.people, "accounts": self.accounts, "actions": self.actions}

    # ----- tabs ---------------------------------------------------------------------------
    def current_tab(self) -> str:
        """The name of the tab in use (kept across a lock, so unlocking comes back to it)."""
        if self.ctx is None:
            return self._pending_tab or ""
        return self.tabs.tabText(self.tabs.currentIndex()).replace("&", "")

    def show_tab_when_loaded(self, name: str) -> None:
        """Select ``name`` now, or as soon as the case has loaded (unknown names are ignored)."""
        if self.ctx is None:
            self._pending_tab = name
            return
        with suppress(KeyError):
            self.select_tab(name)

    def tab_names(self) -> list[str]:
        return [self.tabs.tabText(i).replace("&", "") for i in range(self.tabs.count())]

    def select_tab(self, name: str) -> None:
        for i, text in enumerate(self.tab_names()):
            if text.casefold() == name.casefold():
                self.tabs.setCurrentIndex(i)
                return
        raise KeyError(name)

    # ----- wizard -------------------------------------------------------------------------
    def open_wizard(self) -> ResponseWizard | None:
        if self.ctx is None or self._cleared:
            return None
        if self.wizard is not None:
            self.wizard.raise_()
            self.wizard.activateWindow()
            return self.wizard
        wizard = ResponseWizard(self.worker, self.casebook, self.case_id, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard = wizard
        wizard.saved.connect(self._panel_changed)

        def finished() -> None:
            if self.wizard is wizard:
                self.wizard = None
            self.refresh()

        wizard.finished.connect(finished)
        wizard.open()
        return wizard

    # ----- export -------------------------------------------------------------------------
    def open_export(self) -> QDialog | None:
        """The Export… dialog (report, recipient, who is named, password)."""
        if self.ctx is None or self._cleared:
            return None
        if self.export_dialog is not None:
            self.export_dialog.raise_()
            self.export_dialog.activateWindow()
            return self.export_dialog
        from casebook.ui.export import ExportDialog

        dialog = ExportDialog(self.worker, self.casebook, self.case_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog = dialog

        def finished() -> None:
            if self.export_dialog is dialog:
                self.export_dialog = None

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    # ----- closing the case ---------------------------------------------------------------
    def close_or_reopen(self) -> None:
        if self.bundle is None:
            return
        if self.bundle.case.status == CaseStatus.CLOSED:
            self.reopen_case()
        else:
            self.close_case()

    def close_case(self) -> CloseCaseDialog | None:
        if self.bundle is None or self.ctx is None:
            return None
        open_actions = sum(1 for a in self.bundle.actions if a.done_at is None)
        dialog = CloseCaseDialog(open_actions, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.close_dialog = dialog
        cases, case_id = self.casebook.cases, self.case_id
        # The reason typed last time (kept when the casebook locked with the dialog open).
        dialog.reason_edit.setPlainText(self._close_reason)
        dialog.reason_edit.textChanged.connect(
            lambda: setattr(self, "_close_reason", dialog.reason_edit.toPlainText()))
        dialog.discarded = lambda: setattr(self, "_close_reason", "")  # type: ignore[method-assign]

        def accepted() -> None:
            reason = dialog.reason()
            self._close_reason = ""

            def done(_case: object) -> None:
                self.banner.show_info("The case is marked closed. Everything on it has been kept.")
                self._panel_changed()

            self._op(lambda: cases.set_status(case_id, CaseStatus.CLOSED, reason)).success(
                done).run()

        def finished() -> None:
            if self.close_dialog is dialog:
                self.close_dialog = None

        dialog.accepted.connect(accepted)
        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def reopen_case(self) -> None:
        if not prompts.ask(self, "Reopen this case?",
                           "The case will show as open again, and the reopening is recorded "
                           "in its chronology.", yes="Reopen", no="Cancel"):
            return
        cases, case_id = self.casebook.cases, self.case_id

        def done(_case: object) -> None:
            self.banner.show_info("The case is open again.")
            self._panel_changed()

        self._op(lambda: cases.set_status(case_id, CaseStatus.OPEN, "Reopened by the user.")
                 ).success(done).run()

    # ----- drafts and locking -------------------------------------------------------------
    def save_drafts(self) -> None:
        """Write unsaved text to the encrypted drafts table (and autosave an open wizard)."""
        self._draft_timer.stop()
        if self.ctx is None or self._cleared:
            return
        if self.wizard is not None:
            self.wizard.autosave_now()
        current: dict[str, str] = {}
        for panel in self.panels:
            drafts = getattr(panel, "drafts", None)
            if drafts is not None:
                current.update(drafts())
        for name, panel in self._form_panels().items():
            current[self._form_key(name)] = form_drafts.snapshot(panel)
        current[self._form_key("close-reason")] = self._close_reason
        changed = {k: v for k, v in current.items() if self._saved_drafts.get(k, "") != v}
        if not changed:
            return
        settings = self.casebook.settings
        self._saved_drafts.update(changed)

        def job() -> None:
            for key, text in changed.items():
                settings.save_draft(key, text)

        self._op(job).run()

    def clear(self) -> None:
        """Drop everything shown (on lock). The view cannot be used afterwards."""
        self._cleared = True
        self._draft_timer.stop()
        self.op_epoch += 1
        if self.wizard is not None:
            self.wizard.discard()
            self.wizard = None
        if self.close_dialog is not None:
            self.close_dialog.drop()
        if self.export_dialog is not None:
            self.export_dialog.close_for_lock()  # type: ignore[attr-defined]
        for panel in self.panels:
            panel.clear()
        self.bundle = None
        self.title.setText("Locked")
        self.subtitle.clear()
        self.banner.clear()
        self.wizard_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.placeholder.setText("The casebook is locked.")
        self.stack.setCurrentWidget(self.placeholder)
