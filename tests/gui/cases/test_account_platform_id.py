"""The account form takes the platform's numeric id (platform report forms ask for it), and
offers the kind "pretends to be a learner"."""

from __future__ import annotations

from case_helpers import open_case_view
from PySide6.QtCore import Qt


def test_account_form_keeps_the_numeric_id(qtbot, worker, unlocked_casebook,  # noqa: F811
                                           case_id) -> None:  # noqa: F811
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    view.select_tab("Accounts")
    accounts = view.accounts
    accounts.platform_combo.setEditText("Instagram")
    qtbot.keyClicks(accounts.handle_edit, "@amelia.t08")
    qtbot.keyClicks(accounts.platform_id_edit, "1789234567")
    kind = accounts.kind_combo.findData("impersonating-learner")
    assert kind >= 0 and accounts.kind_combo.itemText(kind) == "Pretends to be a learner"
    accounts.kind_combo.setCurrentIndex(kind)
    qtbot.mouseClick(accounts.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: accounts.table.rowCount() == 1)
    [account] = unlocked_casebook.cases.accounts(case_id)
    assert account.platform_account_id == "1789234567"
    assert account.kind.value == "impersonating-learner"
    assert accounts.platform_id_edit.text() == ""
