"""The register of the school's own (official) social-media accounts.

Shows who holds each log-in, whether two-factor sign-in is on, whether the platform verified
the account and when someone last checked it; accounts not checked for 90 days are marked.
Retiring an account keeps it in the register's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
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
from casebook.ui.dashboard.widgets import OVERDUE_BG, OVERDUE_FG, fmt_date
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.load_on_show import LoadOnShowView

__all__ = ["OfficialAccountsView", "AccountsBundle"]

ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class AccountsBundle:
    accounts: tuple[OfficialAccount, ...]
    today: date
    platforms: tuple[str, ...]


def _cell(text: str, data: Any = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if data is not None:
        cell.setData(ROLE, data)
    return cell


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class OfficialAccountsView(LoadOnShowView):
    loaded = Signal(object)  # AccountsBundle
    saved = Signal(int)  # account id

    def __init__(self, worker: Any, casebook: Any,
                 service: OfficialAccountsService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("officialAccountsView")
        self.setAccessibleName("Official accounts register")
        self._worker = worker
        self._service = service or getattr(casebook, "official_accounts", None) \
            or OfficialAccountsService(casebook.store)
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
        self.summary = QLabel("")
        self.summary.setObjectName("accountsSummary")
        self.show_retired = QCheckBox("Show &retired accounts")
        self.show_retired.setObjectName("showRetired")
        self.show_retired.toggled.connect(self.refresh)
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_retired)
        outer.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("accountsTable")
        self.table.setAccessibleName("Official accounts")
        self.table.setHorizontalHeaderLabels(["Platform", "Handle", "Verified", "Log-in held by",
                                              "Two-factor", "Last checked"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._chosen)
        split.addWidget(self.table)
        split.addWidget(self._build_form())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([780, 420])
        outer.addWidget(split, 1)
        self.message = QLabel("")
        self.message.setObjectName("accountsMessage")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)

    def _build_form(self) -> QGroupBox:
        box = QGroupBox("Account")
        box.setObjectName("accountForm")
        layout = QVBoxLayout(box)
        self.form_title = QLabel("New account")
        font = self.form_title.font()
        font.setBold(True)
        self.form_title.setFont(font)
        layout.addWidget(self.form_title)
        form = QFormLayout()
        self.platform_edit = QComboBox()
        self.platform_edit.setObjectName("platformEdit")
        self.platform_edit.setAccessibleName("Platform")
        self.platform_edit.setEditable(True)
        self.platform_edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        form.addRow("&Platform:", self.platform_edit)
        self.handle_edit = QLineEdit()
        self.handle_edit.setObjectName("handleEdit")
        self.handle_edit.setAccessibleName("Handle or name")
        self.handle_edit.setPlaceholderText("@school or the page name")
        form.addRow("Han&dle:", self.handle_edit)
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("urlEdit")
        self.url_edit.setAccessibleName("Web address")
        form.addRow("&Web address:", self.url_edit)
        self.purpose_edit = QLineEdit()
        self.purpose_edit.setObjectName("purposeEdit")
        self.purpose_edit.setAccessibleName("What the account is for")
        form.addRow("&Used for:", self.purpose_edit)
        self.verification_edit = QComboBox()
        self.verification_edit.setObjectName("verificationEdit")
        self.verification_edit.setAccessibleName("Verified by the platform")
        for state in VERIFICATION_STATES:
            self.verification_edit.addItem(VERIFICATION_LABELS[state], state)
        self.verification_edit.currentIndexChanged.connect(self._verification_changed)
        form.addRow("Ver&ified:", self.verification_edit)
        self.requested_edit = DateField(what="The date verification was requested",
                                        past_only=True)
        self.requested_edit.setObjectName("requestedEdit")
        self.requested_edit.setAccessibleName("Date verification was requested")
        self.requested_edit.edit.setAccessibleName("Date verification was requested")
        form.addRow("Re&quested on:", self.requested_edit)
        self.holder_edit = QLineEdit()
        self.holder_edit.setObjectName("holderEdit")
        self.holder_edit.setAccessibleName("Who holds the log-in")
        self.holder_edit.setPlaceholderText("A named person or role")
        form.addRow("&Log-in held by:", self.holder_edit)
        self.two_factor_edit = QCheckBox("Two-factor sign-in is &on")
        self.two_factor_edit.setObjectName("twoFactorEdit")
        form.addRow("", self.two_factor_edit)
        checked_row = QHBoxLayout()
        self.checked_set = QCheckBox("Checked on")
        self.checked_set.setObjectName("checkedSet")
        self.checked_edit = DateField(what="The date last checked", past_only=True)
        self.checked_edit.setObjectName("checkedEdit")
        self.checked_edit.setAccessibleName("Date last checked")
        self.checked_edit.edit.setAccessibleName("Date last checked")
        self.checked_set.toggled.connect(self.checked_edit.setEnabled)
        checked_row.addWidget(self.checked_set)
        checked_row.addWidget(self.checked_edit)
        checked_row.addStretch(1)
        form.addRow("Last checked:", checked_row)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(60)
        form.addRow("&Notes:", self.notes_edit)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.checked_button = QPushButton("Checked &today")
        self.checked_button.setObjectName("checkedTodayButton")
        self.checked_button.setToolTip("Record that you looked at the account today")
        self.checked_button.clicked.connect(self._checked_today)
        self.retire_button = QPushButton("R&etire…")
        self.retire_button.setObjectName("retireButton")
        self.retire_button.clicked.connect(self._retire)
        row.addWidget(self.checked_button)
        row.addWidget(self.retire_button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("New account")
        self.new_button.setObjectName("newAccountButton")
        self.new_button.clicked.connect(self.new_account)
        self.add_button = QPushButton("&Add account")
        self.add_button.setObjectName("addAccountButton")
        self.add_button.clicked.connect(self._add)
        self.save_button = QPushButton("&Save changes")
        self.save_button.setObjectName("saveAccountButton")
        self.save_button.clicked.connect(self._save)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.form_message = QLabel("")
        self.form_message.setObjectName("accountFormMessage")
        self.form_message.setWordWrap(True)
        layout.addWidget(self.form_message)
        layout.addStretch(1)
        self._mode_new()
        return box

    # ----- loading ------------------------------------------------------------------------
    @property
    def bundle(self) -> AccountsBundle | None:
        return self._bundle

    def refresh(self, *_args: object) -> None:
        service, retired = self._service, self.show_retired.isChecked()

        def job() -> AccountsBundle:
            from casebook.profiles import load_platforms

            try:
                platforms = tuple(p.name for p in load_platforms() if p.id != "other")
            except Exception:
                platforms = ()
            return AccountsBundle(tuple(service.list(include_retired=retired)),
                                  service.store.now().date(), platforms)

        self._worker.submit(job, self._show, self._failed)

    def _show(self, bundle: AccountsBundle) -> None:
        first = self._bundle is None
        self._bundle = bundle
        if first:
            self.platform_edit.addItems(list(bundle.platforms))
            self.new_account()
        due = [a for a in bundle.accounts if a.check_due(bundle.today)]
        active = [a for a in bundle.accounts if a.active]
        self.summary.setText(
            f"{len(active)} account{'s' if len(active) != 1 else ''}; "
            + (f"{len(due)} not checked in the last {CHECK_EVERY_DAYS} days." if due
               else "all checked recently."))
        self.table.setRowCount(len(bundle.accounts))
        select_row = -1
        for row, a in enumerate(bundle.accounts):
            checked = fmt_date(a.last_checked, "never")
            if a.check_due(bundle.today):
                checked += " – due"
            handle = a.handle if a.active else f"{a.handle} (retired {fmt_date(a.retired_at)})"
            cells = [_cell(a.platform, a.id), _cell(handle), _cell(a.verification_label),
                     _cell(a.login_holder or "not recorded"),
                     _cell("On" if a.two_factor else "Off"), _cell(checked)]
            if a.purpose:
                cells[1].setToolTip(f"Used for: {a.purpose}")
            if not a.two_factor and a.active:
                cells[4].setForeground(QBrush(OVERDUE_FG))
                cells[4].setToolTip("Turn on two-factor sign-in so a lost password is not enough "
                                    "to take the account over.")
            if a.check_due(bundle.today):
                for cell in cells:
                    cell.setBackground(QBrush(OVERDUE_BG))
                cells[5].setForeground(QBrush(OVERDUE_FG))
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
        self.loaded.emit(bundle)

    # ----- form ---------------------------------------------------------------------------
    def _verification_changed(self, *_args: object) -> None:
        self.requested_edit.setEnabled(self.verification_edit.currentData() == REQUESTED)

    def _mode_new(self) -> None:
        self.form_title.setText("New account")
        self.add_button.setEnabled(True)
        self.save_button.setEnabled(False)
        self.checked_button.setEnabled(False)
        self.retire_button.setEnabled(False)

    def new_account(self) -> None:
        self._selected = None
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
        self.form_message.setText("")

    def _chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self._bundle is None:
            return
        account_id = self.table.item(rows[0].row(), 0).data(ROLE)
        a = next((x for x in self._bundle.accounts if x.id == account_id), None)
        if a is None:
            return
        self._selected = a.id
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
        self.form_message.setText("")

    def _values(self) -> dict[str, Any]:
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

    def _run(self, job: Any, doing: str) -> None:
        self.form_message.setStyleSheet("")
        self.form_message.setText(doing)

        def done(account: OfficialAccount) -> None:
            self._selected = account.id if account.active else None
            self.form_message.setText("Saved.")
            self.refresh()
            self.saved.emit(account.id)

        def failed(error: BaseException) -> None:
            self.form_message.setStyleSheet("color: #8a1c1c;")
            self.form_message.setText(str(error))
            self.failed.emit(str(error))

        self._worker.submit(job, done, failed)

    def _bad_date(self) -> bool:
        """Show the one-line message for a date that cannot be used (same rules as elsewhere)."""
        fields = [f for f, used in ((self.requested_edit,
                                     self.verification_edit.currentData() == REQUESTED),
                                    (self.checked_edit, self.checked_set.isChecked())) if used]
        for field in fields:
            problem = field.problem() or (None if field.value() else f"{field.what} is needed.")
            if problem is not None:
                self.form_message.setText(problem)
                field.setFocus()
                return True
        return False

    def _add(self) -> None:
        if self._bad_date():
            return
        service, values = self._service, self._values()
        self._run(lambda: service.add(**values), "Adding…")

    def _save(self) -> None:
        if self._selected is None or self._bad_date():
            return
        service, values, account_id = self._service, self._values(), self._selected
        self._run(lambda: service.update(account_id, **values), "Saving…")

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
