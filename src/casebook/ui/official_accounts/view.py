"""The register of the school's own (official) social-media accounts.

Shows who holds each log-in, whether two-factor sign-in is on, whether the platform verified
the account and when someone last checked it; accounts not checked for 90 days are marked.
Retiring an account keeps it in the register's history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from casebook.services.official_accounts import (
    CHECK_EVERY_DAYS,
    REQUESTED,
    VERIFICATION_LABELS,
    VERIFICATION_STATES,
    OfficialAccount,
    OfficialAccountsService,
)
from casebook.ui import prompts
from casebook.ui.kit import Banner, LiveView, Op, field, fmt_date, named
from casebook.ui.kit.forms import EditGuard, button, hbox
from casebook.ui.kit.palette import colour
from casebook.ui.kit.tables import ROLE, filling, read_only_table
from casebook.ui.kit.tables import cell as _cell
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.drafts import FormDraft, ask_to_discard, put_back_pending
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook

__all__ = ["OfficialAccountsView", "AccountsBundle"]



@dataclass(frozen=True)
class AccountsBundle:
    accounts: tuple[OfficialAccount, ...]
    today: date
    platforms: tuple[str, ...]


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class OfficialAccountsView(LiveView):
    """The register; current after any change to it."""

    watches = frozenset({"official-account"})
    loaded = Signal(object)  # AccountsBundle
    saved = Signal(int)  # account id

    def __init__(self, worker: DbWorker, casebook: Casebook,
                 service: OfficialAccountsService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, parent)
        named(self, "officialAccountsView", "Official accounts register")
        self._service = service or casebook.official_accounts
        self._bundle: AccountsBundle | None = None
        self._selected: int | None = None

        outer = QVBoxLayout(self)
        intro = QLabel("The school's own accounts: who holds each log-in, whether two-factor "
                       "sign-in is on and whether the platform has verified it. They are shown "
                       "beside a fake account in platform report packs. Check each one at least "
                       f"every {CHECK_EVERY_DAYS} days.")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        top = QHBoxLayout()
        self.summary = named(QLabel(""), "accountsSummary")
        self.show_retired = named(QCheckBox("Show &retired accounts"), "showRetired")
        self.show_retired.toggled.connect(lambda _on: self.refresh())
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_retired)
        outer.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = read_only_table(["Platform", "Handle", "Verified", "Log-in held by",
                                      "Two-factor", "Last checked"], "accountsTable",
                                     "Official accounts", stretch=1)
        self.table.itemSelectionChanged.connect(self._chosen)
        split.addWidget(self.table)
        self.account_form = self._build_form()
        split.addWidget(self.account_form)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([780, 420])
        outer.addWidget(split, 1)
        self.message = named(Banner(self), "accountsMessage", "Official accounts messages")
        outer.addWidget(self.message)
        # What is typed in the account form survives a lock, a closed window or a crash.
        self.draft = FormDraft(self.account_form, worker, casebook.settings,
                               f"user{casebook.user.id}:ui.official-account-form",
                               record=lambda: self._form_account,
                               dirty=lambda: self._edits.dirty)
        self._edits.on_reset.append(self.draft.mark_filled)
        self.draft.loaded.connect(self._put_back_draft)
        self.draft.load()

    def _build_form(self) -> QGroupBox:
        box = named(QGroupBox("Account"), "accountForm")
        layout = QVBoxLayout(box)
        self.form_title = QLabel("New account")
        font = self.form_title.font()
        font.setBold(True)
        self.form_title.setFont(font)
        layout.addWidget(self.form_title)
        form = QFormLayout()
        self.platform_edit = QComboBox()
        self.platform_edit.setEditable(True)
        self.platform_edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        field(form, "&Platform:", self.platform_edit, name="platformEdit")
        self.handle_edit = field(form, "Han&dle:", QLineEdit(), name="handleEdit",
                                 help="The account's handle or page name")
        self.handle_edit.setPlaceholderText("@school or the page name")
        self.url_edit = field(form, "&Web address:", QLineEdit(), name="urlEdit")
        self.purpose_edit = field(form, "&Used for:", QLineEdit(), name="purposeEdit",
                                  help="What the account is for")
        self.verification_edit = field(form, "Ver&ified:", QComboBox(), name="verificationEdit",
                                       help="Whether the platform has verified the account")
        for state in VERIFICATION_STATES:
            self.verification_edit.addItem(VERIFICATION_LABELS[state], state)
        self.verification_edit.currentIndexChanged.connect(self._verification_changed)
        self.requested_edit = DateField(what="The date verification was requested",
                                        past_only=True)
        field(form, "Re&quested on:", self.requested_edit, name="requestedEdit",
              help="The date verification was requested")
        self.requested_edit.edit.setAccessibleName("Date verification was requested")
        self.holder_edit = field(form, "&Log-in held by:", QLineEdit(), name="holderEdit")
        self.holder_edit.setPlaceholderText("A named person or role")
        self.two_factor_edit = named(QCheckBox("Two-factor sign-in is &on"), "twoFactorEdit")
        form.addRow("", self.two_factor_edit)
        checked_row = QHBoxLayout()
        self.checked_set = named(QCheckBox("Checked on"), "checkedSet")
        self.checked_edit = named(DateField(what="The date last checked", past_only=True),
                                  "checkedEdit", "Date last checked")
        self.checked_edit.edit.setAccessibleName("Date last checked")
        self.checked_set.toggled.connect(self.checked_edit.setEnabled)
        checked_row.addWidget(self.checked_set)
        checked_row.addWidget(self.checked_edit)
        checked_row.addStretch(1)
        form.addRow("Last checked:", checked_row)
        self.notes_edit = field(form, "&Notes:", QPlainTextEdit(), name="notesEdit")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(60)
        layout.addLayout(form)
        self.checked_button = button("Checked &today", "checkedTodayButton",
                                     self._checked_today,
                                     help="Record that you looked at the account today")
        self.retire_button = button("R&etire…", "retireButton", self._retire)
        layout.addLayout(hbox(self.checked_button, self.retire_button, None))
        self.new_button = button("New account", "newAccountButton", self.new_account)
        self.add_button = button("&Add account", "addAccountButton", self._add)
        self.save_button = button("&Save changes", "saveAccountButton", self._save)
        layout.addLayout(hbox(self.new_button, None, self.add_button, self.save_button))
        self.form_message = named(Banner(box), "accountFormMessage", "Account form message")
        layout.addWidget(self.form_message)
        layout.addStretch(1)
        self._edits = EditGuard(self.platform_edit, self.handle_edit, self.url_edit,
                                self.purpose_edit, self.verification_edit, self.requested_edit,
                                self.holder_edit, self.two_factor_edit, self.checked_set,
                                self.checked_edit, self.notes_edit)
        self._form_account: int | None = None
        self._mode_new()
        return box

    # ----- loading ------------------------------------------------------------------------
    @property
    def bundle(self) -> AccountsBundle | None:
        return self._bundle

    def reload(self) -> int:
        service, retired = self._service, self.show_retired.isChecked()

        def job() -> AccountsBundle:
            from casebook.profiles import load_platforms

            try:
                platforms = tuple(p.name for p in load_platforms() if p.id != "other")
            except Exception:
                platforms = ()
            return AccountsBundle(tuple(service.list(include_retired=retired)),
                                  service.store.now().date(), platforms)

        return Op(self, job, doing="reading the official accounts", worker=self.worker) \
            .success(self._show).failure(self._load_failed).run()

    def _load_failed(self, message: str) -> None:
        self.message.show_error(message)
        self.failed.emit(message)

    def _show(self, bundle: AccountsBundle) -> None:
        first = self._bundle is None
        self._bundle = bundle
        if first:
            self.platform_edit.addItems(list(bundle.platforms))
            self._empty_form()
        due = [a for a in bundle.accounts if a.check_due(bundle.today)]
        active = [a for a in bundle.accounts if a.active]
        self.summary.setText(
            f"{len(active)} account{'s' if len(active) != 1 else ''}; "
            + (f"{len(due)} not checked in the last {CHECK_EVERY_DAYS} days." if due
               else "all checked recently."))
        with filling(self.table):
            self.table.setRowCount(len(bundle.accounts))
            select_row = -1
            for row, a in enumerate(bundle.accounts):
                checked = fmt_date(a.last_checked, empty="never")
                if a.check_due(bundle.today):
                    checked += " – due"
                handle = a.handle if a.active else f"{a.handle} (retired {fmt_date(a.retired_at)})"
                cells = [_cell(a.platform, a.id), _cell(handle), _cell(a.verification_label),
                         _cell(a.login_holder or "not recorded"),
                         _cell("On" if a.two_factor else "Off"), _cell(checked)]
                if a.purpose:
                    cells[1].setToolTip(f"Used for: {a.purpose}")
                if not a.two_factor and a.active:
                    cells[4].setForeground(QBrush(colour("warning", self)))
                    cells[4].setToolTip("Turn on two-factor sign-in so a lost password is not enough "
                                        "to take the account over.")
                if a.check_due(bundle.today):
                    for cell in cells:
                        cell.setBackground(QBrush(colour("tint-warning", self)))
                    cells[5].setForeground(QBrush(colour("warning", self)))
                    cells[5].setToolTip(f"Nobody has checked this account in the last "
                                        f"{CHECK_EVERY_DAYS} days.")
                    font = cells[5].font()
                    font.setBold(True)
                    cells[5].setFont(font)
                for column, cell in enumerate(cells):
                    self.table.setItem(row, column, cell)
                if a.id == self._selected:
                    select_row = row
        if select_row >= 0:
            self.table.selectRow(select_row)
        if first:
            self._put_back_draft()
        self.loaded.emit(bundle)

    # ----- drafts -------------------------------------------------------------------------
    def save_drafts(self) -> None:
        """Keep what is typed in the account form (before a lock or when Casebook closes)."""
        self.draft.save()

    def _put_back_draft(self) -> None:
        """The account form as it was left before a lock, a closed window or a crash."""
        if self._bundle is not None:
            put_back_pending(self.draft, self._show_drafted, self.form_message.show_info,
                             "Save it, or choose New account to start again.")

    def _show_drafted(self, record: object) -> bool:
        row = self._row_of(record)
        if row >= 0:
            self.table.selectRow(row)
        return True  # an account no longer listed: the text goes into a new account

    def _row_of(self, account_id: object) -> int:
        for row in range(self.table.rowCount()):
            if account_id is not None and self.table.item(row, 0).data(ROLE) == account_id:
                return row
        return -1

    # ----- form ---------------------------------------------------------------------------
    def _verification_changed(self, *_args: object) -> None:
        self.requested_edit.setEnabled(self.verification_edit.currentData() == REQUESTED)

    def _mode_new(self) -> None:
        self.form_title.setText("New account")
        self.add_button.setEnabled(True)
        self.save_button.setEnabled(False)
        self.checked_button.setEnabled(False)
        self.retire_button.setEnabled(False)

    def new_account(self) -> bool:
        """An empty form for a new account (asking first if it holds unsaved changes)."""
        if not ask_to_discard(self, self._edits.dirty, self.draft):
            return False
        self._empty_form()
        self.draft.clear()
        return True

    def _empty_form(self) -> None:
        self._selected = None
        self._form_account = None
        self.table.clearSelection()
        today = self._bundle.today if self._bundle is not None else date.today()
        self.platform_edit.setEditText("")
        for edit in (self.handle_edit, self.url_edit, self.purpose_edit, self.holder_edit):
            edit.clear()
        self.notes_edit.clear()
        self.verification_edit.setCurrentIndex(
            self.verification_edit.findData("not-requested"))
        self.requested_edit.setDate(_qdate(today))
        self.two_factor_edit.setChecked(False)
        self.checked_set.setChecked(True)
        self.checked_edit.setDate(_qdate(today))
        self._verification_changed()
        self._mode_new()
        self.form_message.clear()
        self._edits.reset()

    def _chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self._bundle is None:
            return
        account_id = self.table.item(rows[0].row(), 0).data(ROLE)
        a = next((x for x in self._bundle.accounts if x.id == account_id), None)
        if a is None:
            return
        if a.id == self._form_account and self._edits.dirty:
            self._selected = a.id
            return  # a reload while the user edits this account keeps what they typed
        if not ask_to_discard(self, self._edits.dirty, self.draft):
            self._selected = self._form_account  # keep editing: the list shows it again
            self.table.blockSignals(True)
            try:
                self.table.clearSelection()
                if (row := self._row_of(self._form_account)) >= 0:
                    self.table.selectRow(row)
            finally:
                self.table.blockSignals(False)
            return
        self._selected = a.id
        self._form_account = a.id
        self.form_title.setText(f"{a.platform}: {a.handle}")
        self.platform_edit.setEditText(a.platform)
        self.handle_edit.setText(a.handle)
        self.url_edit.setText(a.url or "")
        self.purpose_edit.setText(a.purpose)
        self.verification_edit.setCurrentIndex(
            max(0, self.verification_edit.findData(a.verification)))
        self.requested_edit.setDate(_qdate(a.verification_requested_on or self._bundle.today))
        self.holder_edit.setText(a.login_holder)
        self.two_factor_edit.setChecked(a.two_factor)
        self.checked_set.setChecked(a.last_checked is not None)
        self.checked_edit.setEnabled(a.last_checked is not None)
        self.checked_edit.setDate(_qdate(a.last_checked or self._bundle.today))
        self.notes_edit.setPlainText(a.notes)
        self._verification_changed()
        self.add_button.setEnabled(False)
        self.save_button.setEnabled(a.active)
        self.checked_button.setEnabled(a.active)
        self.retire_button.setEnabled(a.active)
        self.form_message.clear()
        self._edits.reset()

    def _values(self) -> dict[str, object]:
        verification = self.verification_edit.currentData()
        return dict(
            platform=self.platform_edit.currentText(), handle=self.handle_edit.text(),
            url=self.url_edit.text() or None, purpose=self.purpose_edit.text(),
            verification=verification,
            verification_requested_on=_pydate(self.requested_edit.date())
            if verification == REQUESTED else None,
            login_holder=self.holder_edit.text(), two_factor=self.two_factor_edit.isChecked(),
            last_checked=_pydate(self.checked_edit.date()) if self.checked_set.isChecked()
            else None,
            notes=self.notes_edit.toPlainText(),
        )

    def _run(self, job: Callable[[], OfficialAccount], doing: str) -> None:
        self.form_message.show_info(doing)

        def done(account: OfficialAccount) -> None:
            self._selected = account.id if account.active else None
            self._edits.reset()  # saved: the reload may refill the form
            self.draft.clear()
            self.form_message.show_done("Saved.")
            self.saved.emit(account.id)
            # The worker's change notice reloads this screen.

        def failed(message: str) -> None:
            self.form_message.show_error(message)
            self.failed.emit(message)

        Op(self, job, doing="saving an official account", worker=self.worker) \
            .success(done).failure(failed) \
            .busy(self.add_button, self.save_button, self.checked_button, self.retire_button) \
            .run()

    def _bad_date(self) -> bool:
        """Show the one-line message for a date that cannot be used (same rules as elsewhere)."""
        fields = [f for f, used in ((self.requested_edit,
                                     self.verification_edit.currentData() == REQUESTED),
                                    (self.checked_edit, self.checked_set.isChecked())) if used]
        for date_field in fields:
            problem = date_field.problem() or (
                None if date_field.value() else f"{date_field.what} is needed.")
            if problem is not None:
                self.form_message.show_message("wrong", problem)
                date_field.setFocus()
                return True
        return False

    def _add(self) -> None:
        if self._bad_date():
            return
        service, values = self._service, self._values()
        self._run(lambda: service.add(**values),  # type: ignore[arg-type]
                  "Adding…")

    def _save(self) -> None:
        if self._selected is None or self._bad_date():
            return
        service, values, account_id = self._service, self._values(), self._selected
        self._run(lambda: service.update(account_id, **values),  # type: ignore[arg-type]
                  "Saving…")

    def _checked_today(self) -> None:
        if self._selected is None:
            return
        service, account_id = self._service, self._selected
        self._run(lambda: service.mark_checked(account_id), "Recording…")

    def _retire(self) -> None:
        if self._selected is None:
            return
        if not prompts.ask(self, "Retire this account?",
                           "Retire this account? It stays in the register's history but is no "
                           "longer checked or shown in report packs.", yes="Retire",
                           no="Keep it"):
            return
        service, account_id = self._service, self._selected
        self._run(lambda: service.remove(account_id), "Retiring…")
