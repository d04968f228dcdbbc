"""People who can open the casebook: their own passphrases, roles, revoking, the recovery key."""

from __future__ import annotations

import pytest
from service_helpers import OTHER_PASSPHRASE, THIRD_PASSPHRASE
from sqlalchemy import func, select

from casebook.domain import UserRole
from casebook.errors import PermissionDeniedError, ValidationError, WrongKeyError
from casebook.services import Casebook
from casebook.storage import tables as t


def _row_counts(book) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with book.store.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(table))  # type: ignore[return-value]
                     for table in (t.CaseRow, t.ChronologyRow, t.EvidenceRow))


def test_each_passphrase_opens_as_its_own_user(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    deputy = info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    assert deputy.role == UserRole.DEPUTY and deputy.id != 1
    info.book.lock()

    with Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE) as book:
        assert (book.user.id, book.user.name, book.user.role) == (
            deputy.id, "Sam Patel", UserRole.DEPUTY)
        case = book.cases.create("Reported by Sam", "harassment")
        assert case.created_by == "Sam Patel"
        with pytest.raises(PermissionDeniedError):
            book.users.add("Someone Else", "viewer", THIRD_PASSPHRASE)
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        assert (book.user.id, book.user.role) == (1, UserRole.DSL)
        assert [u.name for u in book.users.list()] == ["Alex Morgan", "Sam Patel"]


def test_new_user_needs_a_strong_unique_passphrase_and_a_known_role(new_casebook) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="12 characters"):
        new_casebook.users.add("Sam Patel", "deputy", "short")
    with pytest.raises(ValidationError, match="role"):
        new_casebook.users.add("Sam Patel", "headteacher", OTHER_PASSPHRASE)
    new_casebook.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    with pytest.raises(ValidationError, match="already an account"):
        new_casebook.users.add("sam patel", "viewer", THIRD_PASSPHRASE)
    assert len(new_casebook.users.list()) == 2


def test_revoked_passphrase_no_longer_opens(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    deputy = info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    with pytest.raises(ValidationError, match="own account"):
        info.book.users.revoke(1)
    info.book.users.revoke(deputy.id)
    assert {u.name: u.active for u in info.book.users.list()} == {
        "Alex Morgan": True, "Sam Patel": False}
    info.book.lock()

    with pytest.raises(WrongKeyError):
        Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE)
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        assert book.user.id == 1


def test_recovery_key_opens_as_the_dsl_who_then_sets_a_new_passphrase(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    info.book.lock()

    with Casebook.open_with_recovery_key(info.data_dir, info.recovery_key.lower()) as book:
        assert (book.user.id, book.user.role) == (1, UserRole.DSL)
        book.users.change_passphrase(book.user.id, THIRD_PASSPHRASE)

    with pytest.raises(WrongKeyError):
        Casebook.open_with_passphrase(info.data_dir, info.passphrase)
    with Casebook.open_with_passphrase(info.data_dir, THIRD_PASSPHRASE) as book:
        assert book.user.id == 1
        new_recovery = book.users.reissue_recovery_key()
    with Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE) as book:
        assert book.user.name == "Sam Patel"  # other people's passphrases are untouched
    with pytest.raises(WrongKeyError):
        Casebook.open_with_recovery_key(info.data_dir, info.recovery_key)
    with Casebook.open_with_recovery_key(info.data_dir, new_recovery) as book:
        assert book.user.id == 1


def test_a_deputy_may_change_only_their_own_passphrase(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    deputy = info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    info.book.lock()
    with Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE) as book:
        with pytest.raises(PermissionDeniedError):
            book.users.change_passphrase(1, THIRD_PASSPHRASE)
        book.users.change_passphrase(deputy.id, THIRD_PASSPHRASE)
    with Casebook.open_with_passphrase(info.data_dir, THIRD_PASSPHRASE) as book:
        assert book.user.id == deputy.id


def test_viewer_can_open_and_read_but_not_write(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    case = info.book.cases.create("Baiting account", "baiting")
    info.book.cases.add_entry(case.id, "Reported by a Year 9 pupil")
    info.book.users.add("Vic Jones", "viewer", OTHER_PASSPHRASE)
    info.book.lock()

    with Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE) as book:
        assert book.user.role == UserRole.VIEWER
        assert [c.title for c in book.cases.list_page()] == ["Baiting account"]
        assert len([e for e in book.cases.chronology(case.id) if not e.system]) == 1
        before = _row_counts(book)
        attempts = [
            lambda: book.cases.create("New", "other"),
            lambda: book.cases.add_entry(case.id, "More"),
            lambda: book.cases.set_status(case.id, "closed", reason="Done"),
            lambda: book.evidence.add_bytes(case.id, b"x" * 10, filename="a.txt",
                                            safety_confirmed=True),
            lambda: book.users.add("Another", "viewer", THIRD_PASSPHRASE),
        ]
        for attempt in attempts:
            with pytest.raises(PermissionDeniedError) as caught:
                attempt()
            message = str(caught.value)
            assert message and "\n" not in message and ("DSL" in message or "not" in message)
        assert _row_counts(book) == before
