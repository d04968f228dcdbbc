"""Issue 11 item 11: one date field everywhere: one displayed format per profile, shown beside
the field, the same parsing and the same rules (a future "first seen" is refused like a future
date of birth, with a clear message)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from case_helpers import open_case_view, wait_idle
from PySide6.QtWidgets import QApplication, QDateEdit, QDateTimeEdit

from casebook.domain.errors import ValidationError
from casebook.ui.main_window import MainWindow
from casebook.ui.widgets.date_field import DateField, DateTimeField, date_problem

TOMORROW = date.today() + timedelta(days=1)


def test_every_date_input_of_the_app_is_the_one_date_field(qtbot, main_window: MainWindow,
                                                          unlocked_casebook) -> None:
    case = unlocked_casebook.cases.create("Fake account using the crest", "impersonation")
    main_window.open_case(case.id)
    view = main_window.case_views[case.id]
    qtbot.waitUntil(lambda: view.bundle is not None, timeout=10_000)
    wizard = view.open_wizard()
    qtbot.waitUntil(lambda: bool(wizard.pages), timeout=10_000)
    main_window.export_governors()
    governors = main_window.governors_dialog
    qtbot.waitUntil(lambda: governors.setup is not None, timeout=10_000)
    fields = []
    for top in QApplication.topLevelWidgets():
        for edit in top.findChildren(QDateTimeEdit):
            assert isinstance(edit, DateTimeField), f"{type(top).__name__}: {edit}"
            assert not isinstance(edit, QDateEdit)
        fields += top.findChildren(DateField)
    assert len(fields) >= 10
    for field in fields:
        assert field.hint.text() == "dd/mm/yyyy" or not field.is_valid()
        assert field.edit.placeholderText() == "dd/mm/yyyy"
    wizard.discard()
    governors.close_for_lock()


@pytest.mark.parametrize(("us", "shown"), [(False, "23/11/2026"), (True, "11/23/2026")])
def test_one_displayed_format_per_profile(qtbot, us: bool, shown: str) -> None:
    field = DateField(us=us)
    qtbot.addWidget(field)
    field.show()
    for typed in ("2026-11-23", "23 Nov 2026", "Nov 23, 2026", shown):
        field.edit.setText(typed)
        field.edit.editingFinished.emit()
        assert field.edit.text() == shown, typed
        assert field.value() == date(2026, 11, 23)
    assert field.hint.isVisible() and field.hint.text() == ("mm/dd/yyyy" if us else "dd/mm/yyyy")
    field.edit.setText("31/31/2026")
    assert not field.is_valid()
    assert "Type it as" in field.problem() and field.hint.isVisible()
    assert field.hint.text() == "Not a date"


def test_future_first_seen_is_refused_like_a_future_date_of_birth(qtbot, worker,
                                                                  unlocked_casebook,
                                                                  case_id) -> None:
    view = open_case_view(qtbot, worker, unlocked_casebook, case_id)
    tomorrow = TOMORROW.strftime("%d/%m/%Y")

    view.select_tab("People")
    view.people.name_edit.setText("Alex Example")
    view.people.dob_edit.edit.setText(tomorrow)
    view.people.add_button.click()
    assert view.people.banner.text() == "The date of birth cannot be in the future."

    view.select_tab("Accounts")
    view.accounts.platform_combo.setEditText("Instagram")
    view.accounts.handle_edit.setText("@fake_crest")
    view.accounts.first_seen_edit.edit.setText(tomorrow)
    assert view.accounts.first_seen_edit.hint.text() == "Not allowed"
    view.accounts.add_button.click()
    assert view.accounts.banner.text() == "“First seen” cannot be in the future."
    wait_idle(qtbot, worker)
    assert unlocked_casebook.cases.accounts(case_id) == []
    assert unlocked_casebook.cases.people(case_id) == []

    # The service keeps the same rule for every way in.
    with pytest.raises(ValidationError, match="future"):
        unlocked_casebook.cases.add_account(case_id, "Instagram", "@x", "baiting",
                                            first_seen=TOMORROW)
    assert date_problem(tomorrow, what="“First seen”", not_after=date.today()) == \
        "“First seen” cannot be in the future."
