"""The response wizard: the five response steps, one page each, resumable.

It opens at the first step that is not done. Answers are saved when the page changes, on a
timer and on closing; "Mark this step done" saves the step as done, which dates and attributes it
on the case. Closing the window saves first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import STEP_ORDER, Case, StepKey, StepStatus
from casebook.services import Casebook
from casebook.ui.autolock import unwatched
from casebook.ui.kit.ops import Op
from casebook.ui.kit.turns import next_turn
from casebook.ui.widgets.common import Banner, fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext, Setup, load_bundle, load_setup
from casebook.ui.widgets.step_progress import STATUS_MARKS, STATUS_WORDS, is_complete
from casebook.ui.wizard import records
from casebook.ui.wizard.pages import PAGE_TYPES, StepPage
from casebook.ui.worker import DbWorker

log = logging.getLogger(__name__)

AUTOSAVE_MS = 20_000


def resume_index(case: Case) -> int:
    """The first step that is neither done nor marked not needed (the first if all are)."""
    for index, key in enumerate(STEP_ORDER):
        if not is_complete(case.step(key)):
            return index
    return 0


class ResponseWizard(QDialog):
    #: After every successful save (answers, derived records, a step marked done).
    saved = Signal()
    #: When the pages are built and showing the step to resume at.
    loaded = Signal()
    page_changed = Signal(int)

    def __init__(self, worker: DbWorker, casebook: Casebook, case_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.casebook = casebook
        self.case_id = case_id
        self.ctx: CaseContext | None = None
        self.case: Case | None = None
        self.pages: list[StepPage] = []
        self.current = -1
        self._closing = False
        self._close_failed = False
        self._switching = False
        self.setWindowTitle("Response steps")
        self.setAccessibleName("Response steps")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1140, 680)  # fits a 1366×768 screen with the taskbar and title bar

        layout = QHBoxLayout(self)
        self.nav = QListWidget(self)
        self.nav.setAccessibleName("Steps")
        self.nav.setWordWrap(True)
        self.nav.setMaximumWidth(230)
        self.nav.setMinimumWidth(180)
        self.nav.currentRowChanged.connect(self._nav_changed)
        layout.addWidget(self.nav)
        right = QVBoxLayout()
        layout.addLayout(right, 1)
        self.stack = QStackedWidget(self)
        self.loading = QLabel("Loading the response steps…", self)
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        right.addWidget(self.stack, 1)
        self.banner = Banner(self)
        problems_row = QHBoxLayout()
        problems_row.addWidget(self.banner, 1)
        self.jump_button = QPushButton("&Go to the first one", self)
        self.jump_button.setToolTip("Show the first field that still needs an answer")
        self.jump_button.setAutoDefault(False)
        self.jump_button.clicked.connect(self.go_to_first_problem)
        self.jump_button.hide()
        problems_row.addWidget(self.jump_button, 0, Qt.AlignmentFlag.AlignTop)
        right.addLayout(problems_row)
        #: True while the banner lists what stops the step being done (it then updates live).
        self.showing_problems = False
        buttons = QHBoxLayout()
        # No Alt+letters here: the panels on the pages need them (Ctrl+PgUp / Ctrl+PgDown).
        self.back_button = QPushButton("< Back", self)
        self.back_button.setToolTip("The step before (Ctrl+PgUp)")
        self.back_button.clicked.connect(self.previous_page)
        self.next_button = QPushButton("Next >", self)
        self.next_button.setToolTip("The next step (Ctrl+PgDown)")
        self.next_button.clicked.connect(self.next_page)
        self.done_button = QPushButton("&Mark this step done", self)
        self.done_button.clicked.connect(self.toggle_done)
        self.close_button = QPushButton("Save and &close", self)
        self.close_button.clicked.connect(self.save_and_close)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.close_button)
        right.addLayout(buttons)
        for button in (self.back_button, self.next_button, self.done_button, self.close_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
        QShortcut(QKeySequence("Ctrl+PgDown"), self, self.next_page)
        QShortcut(QKeySequence("Ctrl+PgUp"), self, self.previous_page)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.autosave_now)

        self.op_epoch = 0  # moves on when discarded, so answers on their way are dropped
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.autosave_now)

        def first() -> tuple[Setup, CaseBundle]:
            return load_setup(casebook), load_bundle(casebook, case_id)

        self._op(first).success(self._loaded).failure(self._load_failed).run()

    # ----- loading ------------------------------------------------------------------------
    def _op(self, job: Callable[[], Any]) -> Op[Any]:
        """An operation for the wizard: on its worker, a failure shown in its banner."""
        return Op(self, job, worker=self.worker).messages(self.banner)

    def _load_failed(self, message: str) -> None:
        self.loading.setText(message)
        self.close_button.setEnabled(True)
        self._close_failed = True

    def _loaded(self, result: tuple[Setup, CaseBundle]) -> None:
        """Build the pages one per turn of the event loop (all five at once froze the window
        for 55-60 ms), then show the step to resume."""
        setup, bundle = result
        self.ctx = CaseContext(self.worker, self.casebook, self.case_id, setup)
        self.case = bundle.case
        self.setWindowTitle(f"Response steps: {bundle.case.reference} {bundle.case.title}")
        keys, built = list(STEP_ORDER), []

        def step() -> None:
            if not keys:
                self.pages = built  # loaded: every page is there
                self._pages_built(bundle)
                return
            with unwatched():  # building: the idle lock's filter need not see it
                built.append(self._add_page(len(built) + 1, keys.pop(0), bundle))
            next_turn(self, step)  # dropped if the wizard goes

        step()

    def _add_page(self, number: int, key: StepKey, bundle: CaseBundle) -> StepPage:
        assert self.ctx is not None
        page = PAGE_TYPES[key](self.ctx, self.ctx.guidance(key), number, self.stack)
        page.load_step(bundle.case.step(key))
        page.set_bundle(bundle)
        page.saved_data = page.collect()  # repeated fields appear with the bundle
        page.edited.connect(self._edited)
        page.panel_changed.connect(self._panel_changed)
        self.stack.addWidget(page)
        item = QListWidgetItem(self.nav)
        item.setData(Qt.ItemDataRole.UserRole, key.value)
        return page

    def _pages_built(self, bundle: CaseBundle) -> None:
        # Tab order: steps list, the page's fields (hidden pages are skipped), then the buttons.
        chain = [self.pages[-1].quick.button, self.back_button, self.next_button,
                 self.done_button, self.close_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self._update_nav()
        for button in (self.back_button, self.next_button, self.done_button, self.close_button):
            button.setEnabled(True)
        self._show_page(resume_index(bundle.case))
        self.timer.start()
        self.loaded.emit()

    def reload(self, then: Callable[[], None] | None = None) -> None:
        casebook, case_id = self.casebook, self.case_id

        def show(bundle: CaseBundle) -> None:
            self.case = bundle.case
            for page in self.pages:
                page.set_bundle(bundle)
                page.set_step(bundle.case.step(page.key))
            self._update_nav()
            if then is not None:
                then()

        self._op(lambda: load_bundle(casebook, case_id)).success(show).run()

    def _panel_changed(self) -> None:
        self.saved.emit()
        self.reload()

    # ----- navigation ---------------------------------------------------------------------
    @property
    def page(self) -> StepPage | None:
        return self.pages[self.current] if 0 <= self.current < len(self.pages) else None

    def _update_nav(self) -> None:
        if self.case is None or self.ctx is None:
            return
        titles = self.ctx.step_titles()
        for index, key in enumerate(STEP_ORDER):
            item = self.nav.item(index)
            if item is None:
                continue
            step = self.case.step(key)
            words = STATUS_WORDS[step.status]
            item.setText(f"{STATUS_MARKS[step.status]} {index + 1}. {titles[key]}\n    {words}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"Step {index + 1}, {titles[key]}: {words}")
            font = item.font()
            font.setBold(index == self.current)
            item.setFont(font)
        page = self.page
        if page is not None:
            done = is_complete(page.step)
            self.done_button.setText("Re&open this step" if done else "&Mark this step done")
            self.done_button.setToolTip(
                "Mark the step as still under way" if done else
                "Record that this step is complete (dated and with your name)")
        self.back_button.setEnabled(self.current > 0)
        self.next_button.setEnabled(0 <= self.current < len(self.pages) - 1)

    def _show_page(self, index: int) -> None:
        self.current = index
        self.stack.setCurrentWidget(self.pages[index])
        self._switching = True
        try:
            self.nav.setCurrentRow(index)
        finally:
            self._switching = False
        self._update_nav()
        self.page_changed.emit(index)

    def _nav_changed(self, row: int) -> None:
        if not self._switching and row >= 0 and self.pages:
            self.go_to(row)

    def go_to(self, index: int) -> None:
        """Show another step, saving this one first (with what its answers imply)."""
        if not 0 <= index < len(self.pages) or index == self.current:
            return
        self._save(records.PAGE)
        self._show_page(index)
        self._clear_problems()
        self.banner.clear()

    def next_page(self) -> None:
        self.go_to(self.current + 1)

    def previous_page(self) -> None:
        self.go_to(self.current - 1)

    # ----- saving -------------------------------------------------------------------------
    def _edited(self) -> None:
        if not self.timer.isActive():
            self.timer.start()
        if self.showing_problems:
            self._show_problems(live=True)

    # ----- what stops a step being done -----------------------------------------------------
    def _show_problems(self, live: bool = False) -> bool:
        """Show what is missing on this page (and a way to it). False when nothing is."""
        page = self.page
        problems = page.problems() if page is not None else []
        if not problems:
            if self.showing_problems and live:
                self.banner.show_info("Everything this step needs is filled in. You can mark "
                                      "it done.")
            self._clear_problems()
            return False
        self.showing_problems = True
        self.banner.show_error(" ".join(problems))
        self.jump_button.show()
        return True

    def _clear_problems(self) -> None:
        self.showing_problems = False
        self.jump_button.hide()

    def go_to_first_problem(self) -> QWidget | None:
        """Scroll to the first field that still needs an answer and put the cursor in it."""
        page = self.page
        widget = page.form.first_problem() if page is not None else None
        if page is None or widget is None:
            return None
        page.scroll.ensureWidgetVisible(widget, 20, 40)
        (widget.focusProxy() or widget).setFocus(Qt.FocusReason.OtherFocusReason)
        return widget

    def _save(self, derive: str | None, status: StepStatus | None = None,
              on_done: Callable[[records.SaveResult], None] | None = None,
              on_error: Callable[[str], None] | None = None,
              page: StepPage | None = None) -> bool:
        """Save a page if anything needs saving. False when there was nothing to do."""
        page = page or self.page
        if page is None or self.ctx is None:
            return False
        data = page.collect()
        if status is None and not page.is_dirty() and not (derive and page.derive_pending):
            return False
        ctx, key = self.ctx, page.key
        casebook, case_id, setup = ctx.casebook, ctx.case_id, ctx.setup
        if derive is None:
            page.derive_pending = True
        else:
            page.derive_pending = False
        page.saved_data = data  # what is on its way; a failure marks it dirty again

        def job() -> records.SaveResult:
            return records.save_page(casebook, case_id, setup, key, data, derive=derive,
                                     status=status)

        def done(result: records.SaveResult) -> None:
            page.mark_saved(result, data)
            self.case = result.case
            self._update_nav()
            if result.messages:
                self.banner.show_info(" ".join(result.messages))
            self.saved.emit()
            if result.messages or derive is not None:
                self.reload()
            if on_done is not None:
                on_done(result)

        def failed(message: str) -> None:
            page.saved_data = {}
            self.banner.show_error(message)
            if on_error is not None:
                on_error(message)

        self._op(job).success(done).failure(failed).run()
        return True

    def autosave_now(self) -> None:
        """Save the current page's answers if they changed (timer, Ctrl+S, before locking)."""
        self._save(None)

    def toggle_done(self) -> None:
        page = self.page
        if page is None:
            return
        if is_complete(page.step):
            self._save(records.PAGE, StepStatus.IN_PROGRESS,
                       lambda _r: self.banner.show_info("The step is open again."))
            return
        self.mark_done()

    def mark_done(self) -> None:
        """Complete the current step (dated and attributed), then move to the next open one."""
        page = self.page
        if page is None or self.ctx is None:
            return
        if self._show_problems():
            self.go_to_first_problem()
            return
        us = self.ctx.us

        def done(result: records.SaveResult) -> None:
            step = result.case.step(page.key)
            message = (f"Step {page.number} done, recorded on "
                       f"{fmt_datetime(step.completed_at, us)} by {step.completed_by}.")
            if result.messages:
                message += " " + " ".join(result.messages)
            following = next((i for i in range(page.number, len(self.pages))
                              if not is_complete(result.case.step(STEP_ORDER[i]))), None)
            if following is None:
                message += " All five steps are done. You can mark the case closed from the case view."
            self.banner.show_info(message)
            if following is not None and following != self.current:
                self._show_page(following)
                self.banner.show_info(message)

        self._save(records.DONE, StepStatus.DONE, done)

    # ----- closing ------------------------------------------------------------------------
    def save_and_close(self) -> None:
        if self._closing:
            return
        if self._close_failed:
            self._finish()
            return
        self._closing = True
        for button in (self.back_button, self.next_button, self.done_button, self.close_button):
            button.setEnabled(False)

        def failed(_message: str) -> None:
            self._closing = False
            self._close_failed = True
            self.close_button.setEnabled(True)
            self.close_button.setText("&Close without saving")

        if not self._save(records.PAGE, on_done=lambda _r: self._finish(), on_error=failed):
            self._finish()

    def _finish(self) -> None:
        self.timer.stop()
        self._closing = True
        super().reject()

    def reject(self) -> None:
        """Escape and the window's close button save first, like "Save and close"."""
        self.save_and_close()

    def discard(self) -> None:
        """Close without saving and drop all shown data (the casebook is being locked)."""
        self.timer.stop()
        self.op_epoch += 1
        for page in self.pages:
            page.clear()
        self._closing = True
        super().reject()

    def close_for_lock(self) -> None:
        """The main window closes dialogs this way when the casebook locks."""
        self.discard()

    def page_for(self, key: Any) -> StepPage:
        return next(p for p in self.pages if p.key == key)
