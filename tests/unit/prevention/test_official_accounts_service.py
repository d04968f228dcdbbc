"""OfficialAccountsService: the school's own accounts, verification and overdue checks."""

from __future__ import annotations

from datetime import date

import pytest
from prevention_helpers import World

from casebook.errors import NotFoundError, ValidationError
from casebook.services.official_accounts import (
    NOT_OFFERED,
    REFUSED,
    REQUESTED,
    VERIFIED,
    OfficialAccountsService,
)


def test_add_update_list_and_retire(world: World) -> None:
    accounts = OfficialAccountsService(world.book.store)
    insta = accounts.add("Instagram", "@oakfieldprimary", url="instagram.com/oakfieldprimary",
                         purpose="News for families", verification=REQUESTED,
                         verification_requested_on=date(2026, 9, 1), login_holder="Office manager",
                         two_factor=True, last_checked=date(2026, 9, 20))
    assert insta.url == "https://instagram.com/oakfieldprimary"
    assert insta.verification_label == "Requested on 1 Sep 2026"
    x = accounts.add("X", "@OakfieldPS", verification=NOT_OFFERED)
    assert [a.platform for a in accounts.list()] == ["Instagram", "X"]

    updated = accounts.update(insta.id, verification=VERIFIED, login_holder="Head")
    assert updated.verification == VERIFIED and updated.login_holder == "Head"
    assert updated.two_factor is True  # left alone
    assert accounts.get(insta.id).verification_label == "Verified"

    retired = accounts.remove(x.id)
    assert retired.retired_at == world.clock.now and not retired.active
    assert [a.id for a in accounts.list()] == [insta.id]
    assert [a.id for a in accounts.list(include_retired=True)] == [insta.id, x.id]
    assert accounts.get(x.id).handle == "@OakfieldPS"  # kept, not deleted
    with pytest.raises(NotFoundError):
        accounts.update(999, notes="x")


def test_verification_rules(world: World) -> None:
    accounts = OfficialAccountsService(world.book.store)
    with pytest.raises(ValidationError, match="date verification was requested"):
        accounts.add("TikTok", "@oakfield", verification=REQUESTED)
    with pytest.raises(ValidationError, match="verified"):
        accounts.add("TikTok", "@oakfield", verification="maybe")
    with pytest.raises(ValidationError, match="in the future"):
        accounts.add("TikTok", "@oakfield", last_checked=date(2027, 1, 1))
    with pytest.raises(ValidationError, match="platform"):
        accounts.add("  ", "@oakfield")
    account = accounts.add("TikTok", "@oakfield", verification=REFUSED)
    with pytest.raises(ValidationError, match="date verification was requested"):
        accounts.update(account.id, verification=REQUESTED)
    assert accounts.get(account.id).verification == REFUSED  # the failed change left nothing


def test_overdue_checks_after_ninety_days(world: World) -> None:
    accounts = OfficialAccountsService(world.book.store)
    today = date(2026, 10, 5)
    fresh = accounts.add("Facebook", "Oakfield Primary", last_checked=date(2026, 7, 7))  # 90 days
    stale = accounts.add("Instagram", "@oakfield", last_checked=date(2026, 7, 6))  # 91 days
    never = accounts.add("YouTube", "Oakfield Primary")
    gone = accounts.add("X", "@old", last_checked=date(2025, 1, 1))
    accounts.remove(gone.id)
    assert {a.id for a in accounts.overdue_checks(today)} == {stale.id, never.id}
    assert {a.id for a in accounts.overdue_checks(today, days=30)} == {fresh.id, stale.id, never.id}
    accounts.mark_checked(stale.id, today)
    assert {a.id for a in accounts.overdue_checks(today)} == {never.id}


def test_references_for_report_packs(world: World) -> None:
    accounts = OfficialAccountsService(world.book.store)
    accounts.add("Instagram", "@oakfieldprimary", url="https://instagram.com/oakfieldprimary",
                 verification=VERIFIED)
    accounts.add("TikTok", "@oakfield", verification=REFUSED)
    refs = accounts.references("instagram")
    assert len(refs) == 1
    assert (refs[0].handle, refs[0].verified) == ("@oakfieldprimary", "Verified")
    assert len(accounts.references()) == 2
