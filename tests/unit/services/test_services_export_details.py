"""The account's numeric id and a screenshot's capture date are kept (migration 0007), checked
and audited; the school's contact details come from the settings."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from casebook.errors import ValidationError
from casebook.services import Casebook
from casebook.storage.tables import AuditRow


def test_account_id_and_capture_date_are_stored_and_audited(new_casebook: Casebook) -> None:
    cases, evidence = new_casebook.cases, new_casebook.evidence
    case = cases.create("Fake learner account", "impersonation")
    account = cases.add_account(case.id, "Instagram", "@fake", "impersonating-learner",
                                platform_account_id=" 1789234567 ")
    assert account.platform_account_id == "1789234567"
    assert cases.set_account_platform_id(account.id, "").platform_account_id is None
    with pytest.raises(ValidationError, match="without spaces"):
        cases.set_account_platform_id(account.id, "17 89")
    note = evidence.add_note(case.id, "Profile seen on a phone", "https://instagram.com/fake")
    taken = datetime(2026, 3, 1, 21, 14)
    assert evidence.set_captured_at(note.id, taken).captured_at == taken
    assert evidence.items(case.id)[0].captured_at == taken
    with pytest.raises(ValidationError, match="future"):
        evidence.set_captured_at(note.id, datetime(2999, 1, 1))
    with new_casebook.store.read() as s:
        actions = list(s.scalars(select(AuditRow.action)))
    assert "account.platform_id" in actions and "evidence.captured_at" in actions


def test_school_details_come_from_the_settings(new_casebook: Casebook) -> None:
    new_casebook.settings.set("school_urn", "123456")
    new_casebook.settings.set("dsl_email", "dsl@oak.example")
    details = new_casebook.exports.school_details()
    assert details["urn"] == "123456" and details["email"] == "dsl@oak.example"
    assert details["address"] == ""
    case = new_casebook.cases.create("x", "baiting")
    assert new_casebook.exports.case_data(case.id).school_details["urn"] == "123456"
