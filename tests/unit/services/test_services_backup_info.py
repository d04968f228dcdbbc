"""Looking inside a backup before restoring it: read-only (the backup and its key file are
byte-for-byte unchanged, nothing is written beside them), with the backup's own key file, or
this casebook's when the backup's is missing or no longer knows the passphrase."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from casebook.errors import CasebookError, WrongKeyError
from casebook.services import Casebook
from casebook.services.backup_info import describe_backup

PASSPHRASE = "looking glass orchard 4"
NEW_PASSPHRASE = "lighthouse meadow copper 8"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path: Path) -> Casebook:
    casebook, _ = Casebook.create(tmp_path / "cb", school="Oak Primary", jurisdiction="england",
                                  user_name="Dee", passphrase=PASSPHRASE)
    return casebook


def test_summary_counts_the_backup_not_the_casebook(book: Casebook, tmp_path: Path) -> None:
    try:
        for n in range(3):
            book.cases.create(f"Case {n}", "other")
        backup = book.backup(tmp_path / "usb" / "b.db")
        book.cases.create("Later", "other")
    finally:
        book.lock()
    before = {p.name: _digest(p) for p in backup.parent.iterdir()}
    summary = describe_backup(backup, book.paths, PASSPHRASE)
    assert summary.cases == 3
    assert summary.school == "Oak Primary"
    assert summary.size == backup.stat().st_size
    assert summary.last_change is not None
    assert {p.name: _digest(p) for p in backup.parent.iterdir()} == before  # nothing new


def test_backup_without_its_key_file_uses_this_casebooks(book: Casebook, tmp_path: Path) -> None:
    try:
        book.cases.create("One", "other")
        backup = book.backup(tmp_path / "usb" / "b.db")
    finally:
        book.lock()
    backup.with_name("b.db.keys").unlink()
    assert describe_backup(backup, book.paths, PASSPHRASE).cases == 1


def test_passphrase_changed_since_the_backup(book: Casebook, tmp_path: Path) -> None:
    try:
        backup = book.backup(tmp_path / "usb" / "b.db")
        book.users.change_passphrase(book.user.id, NEW_PASSPHRASE)
    finally:
        book.lock()
    # The backup's key file knows the old one, this casebook's the new one: both open it.
    assert describe_backup(backup, book.paths, PASSPHRASE).cases == 0
    assert describe_backup(backup, book.paths, NEW_PASSPHRASE).cases == 0


def test_wrong_passphrase_and_foreign_backup_are_refused(book: Casebook, tmp_path: Path) -> None:
    try:
        backup = book.backup(tmp_path / "usb" / "b.db")
    finally:
        book.lock()
    with pytest.raises(WrongKeyError):
        describe_backup(backup, book.paths, "not it at all, sorry")
    other, _ = Casebook.create(tmp_path / "other", school="Elm", jurisdiction="wales",
                               user_name="Ed", passphrase=PASSPHRASE)
    try:
        foreign = other.backup(tmp_path / "usb2" / "f.db")
    finally:
        other.lock()
    foreign.with_name("f.db.keys").unlink()  # so only this casebook's key is tried
    with pytest.raises(CasebookError, match="another casebook"):
        describe_backup(foreign, book.paths, PASSPHRASE)
