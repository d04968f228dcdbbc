"""Social-media accounts on the case: platform, handle, web address, kind and status."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import AccountKind
from casebook.ui.widgets.common import add_row, button_row, fmt_date
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.corrections import Fix
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.labels import (
    ACCOUNT_KINDS,
    ACCOUNT_STATUSES,
    combo_value,
    fill_combo,
    label,
    set_combo_value,
)
from casebook.ui.widgets.panel import CasePanel, fill_table, make_table, selected_id


class AccountsTab(CasePanel):
    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.table = make_table(self, "Accounts on this case",
                                ["Platform", "Handle", "Web address", "Kind", "Status",
                                 "First seen"], stretch=(2, 3))
        layout.addWidget(self.table, 1)

        status_row = QHBoxLayout()
        status_label = QLabel("S&tatus of the selected account:", self)
        self.status_combo = QComboBox(self)
        fill_combo(self.status_combo, ACCOUNT_STATUSES)
        status_label.setBuddy(self.status_combo)
        self.status_combo.setAccessibleName("Status of the selected account")
        self.status_button = QPushButton("Set stat&us", self)
        self.status_button.clicked.connect(self.set_status)
        self.status_button.setEnabled(False)
        status_row.addWidget(status_label)
        status_row.addWidget(self.status_combo)
        status_row.addWidget(self.status_button)
        status_row.addStretch(1)
        layout.addLayout(status_row)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        cases = ctx.casebook.cases
        self.add_corrections(
            layout, self.table, "an account",
            (Fix("platform", "&Platform:"), Fix("handle", "&Handle:"),
             Fix("url", "&Web address:"), Fix("kind", "&Kind:", "choice", ACCOUNT_KINDS),
             Fix("first_seen", "&First seen:", "date"), Fix("notes", "N&otes:")),
            lambda bundle: bundle.accounts,
            lambda aid, reason, changes: cases.correct_account(aid, reason, **changes),
            cases.remove_account, describe=lambda a: f"{a.platform} {a.handle}")

        box = QGroupBox("Add an account", self)
        form = QFormLayout(box)
        self.platform_combo = QComboBox(box)
        self.platform_combo.setEditable(True)
        self.platform_combo.addItems(list(ctx.setup.platforms))
        self.platform_combo.setCurrentIndex(-1)
        self.platform_combo.lineEdit().setPlaceholderText("Choose or type, for example Instagram")
        add_row(form, "&Platform:", self.platform_combo)
        self.handle_edit = QLineEdit(box)
        self.handle_edit.setPlaceholderText("For example @school_muggies")
        add_row(form, "Handle or &name:", self.handle_edit)
        self.url_edit = QLineEdit(box)
        self.url_edit.setPlaceholderText("https://…")
        add_row(form, "&Web address:", self.url_edit)
        self.platform_id_edit = QLineEdit(box)
        self.platform_id_edit.setMaxLength(100)
        self.platform_id_edit.setPlaceholderText("If the platform shows it, for example 1789234567")
        add_row(form, "Account's numeric i&d:", self.platform_id_edit,
                "Platforms' report forms ask for it; it stays the same when the handle changes.")
        self.kind_combo = QComboBox(box)
        fill_combo(self.kind_combo, ACCOUNT_KINDS)
        add_row(form, "&Kind of account:", self.kind_combo)
        self.first_seen_edit = DateField(box, us=ctx.us, what="“First seen”", past_only=True)
        add_row(form, "F&irst seen:", self.first_seen_edit)
        self.notes_edit = QLineEdit(box)
        add_row(form, "N&otes:", self.notes_edit)
        self.add_button = QPushButton("&Add account", box)
        self.add_button.clicked.connect(self.add_account)
        form.addRow("", button_row(self.add_button))
        layout.addWidget(box)
        layout.addWidget(self.banner)

    def set_data(self, bundle: CaseBundle) -> None:
        super().set_data(bundle)
        us = self.ctx.us
        rows = [[a.platform, a.handle, a.url or "", label(ACCOUNT_KINDS, a.kind),
                 label(ACCOUNT_STATUSES, a.status), fmt_date(a.first_seen, us)]
                for a in bundle.accounts]
        fill_table(self.table, rows, [a.id for a in bundle.accounts])
        self.mark_corrections()
        self._selection_changed()

    def clear(self) -> None:
        super().clear()
        self.table.setRowCount(0)
        for edit in (self.handle_edit, self.url_edit, self.notes_edit, self.platform_id_edit):
            edit.clear()
        self.platform_combo.setCurrentIndex(-1)
        self.first_seen_edit.set_value(None)

    def _selection_changed(self) -> None:
        account_id = selected_id(self.table)
        self.status_button.setEnabled(account_id is not None)
        if account_id is not None and self.bundle is not None:
            account = next((a for a in self.bundle.accounts if a.id == account_id), None)
            if account is not None:
                set_combo_value(self.status_combo, account.status)

    def add_account(self) -> None:
        platform = self.platform_combo.currentText().strip()
        handle = self.handle_edit.text().strip()
        if not platform:
            self.banner.show_error("Please choose or type the platform, for example Instagram.")
            self.platform_combo.setFocus()
            return
        if not handle:
            self.banner.show_error("Please enter the account's handle or name.")
            self.handle_edit.setFocus()
            return
        if (problem := self.first_seen_edit.problem()) is not None:
            self.banner.show_error(problem)
            self.first_seen_edit.setFocus()
            return
        kind = combo_value(self.kind_combo) or AccountKind.HARASSING.value
        url, first_seen = self.url_edit.text().strip() or None, self.first_seen_edit.value()
        notes = self.notes_edit.text().strip()
        platform_id = self.platform_id_edit.text().strip() or None
        cases, case_id = self.ctx.casebook.cases, self.ctx.case_id

        def done(_account: object) -> None:
            for edit in (self.handle_edit, self.url_edit, self.notes_edit, self.platform_id_edit):
                edit.clear()
            self.platform_combo.setCurrentIndex(-1)
            self.first_seen_edit.set_value(None)
            self.platform_combo.setFocus()

        self.save(lambda: cases.add_account(case_id, platform, handle, kind, url=url,
                                            first_seen=first_seen, notes=notes,
                                            platform_account_id=platform_id),
                  done, f"{handle} on {platform} added to the case.")

    def set_status(self) -> None:
        account_id = selected_id(self.table)
        status = combo_value(self.status_combo)
        if account_id is None or status is None:
            return
        cases = self.ctx.casebook.cases
        self.save(lambda: cases.set_account_status(account_id, status),
                  message="Account status saved.")
