"""Wrong secrets and wrong files give a clear error and leave the casebook file untouched."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from service_helpers import sha256_file, sidecars

from casebook.errors import (
    CasebookError,
    DamagedFileError,
    NotFoundError,
    ValidationError,
    WrongKeyError,
)
from casebook.services import Casebook
from casebook.vault import format_recovery_key


@pytest.fixture
def locked(new_casebook_info):  # type: ignore[no-untyped-def]
    """A casebook with one case, locked: only casebook.db and casebook.keys on disk."""
    new_casebook_info.book.cases.create("Fake staff account", "impersonation")
    new_casebook_info.book.lock()
    assert sidecars(new_casebook_info.database) == set()
    return new_casebook_info


def _assert_untouched(database: Path, digest: str) -> None:
    assert sha256_file(database) == digest
    assert sidecars(database) == set(), "no -wal/-shm may be left where none existed"


def test_wrong_passphrase(locked) -> None:  # type: ignore[no-untyped-def]
    digest = sha256_file(locked.database)
    with pytest.raises(WrongKeyError) as caught:
        Casebook.open_with_passphrase(locked.data_dir, "violet kettle harbour 43")
    message = str(caught.value)
    assert "passphrase" in message and "did not open" in message
    _assert_untouched(locked.database, digest)
    # and the right one still works afterwards
    with Casebook.open_with_passphrase(locked.data_dir, locked.passphrase) as book:
        assert book.cases.count() == 1


def test_wrong_recovery_key(locked) -> None:  # type: ignore[no-untyped-def]
    digest = sha256_file(locked.database)
    someone_elses = format_recovery_key(os.urandom(20))  # well-formed, but not this casebook's
    with pytest.raises(WrongKeyError) as caught:
        Casebook.open_with_recovery_key(locked.data_dir, someone_elses)
    assert "recovery key" in str(caught.value) and "does not open" in str(caught.value)
    _assert_untouched(locked.database, digest)


def test_mistyped_recovery_key_is_a_typing_mistake(locked) -> None:  # type: ignore[no-untyped-def]
    digest = sha256_file(locked.database)
    groups = locked.recovery_key.split("-")
    groups[3] = "ZZZZ" if groups[3] != "ZZZZ" else "YYYY"
    with pytest.raises(ValidationError) as caught:
        Casebook.open_with_recovery_key(locked.data_dir, "-".join(groups))
    assert "typing mistake" in str(caught.value)
    _assert_untouched(locked.database, digest)


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(700))


@pytest.mark.parametrize("damage", [_flip_middle_byte, _truncate, _garbage],
                         ids=["flipped", "truncated", "garbage"])
def test_damaged_key_file(locked, damage: Callable[[Path], None]) -> None:  # type: ignore[no-untyped-def]
    digest = sha256_file(locked.database)
    damage(locked.slots)
    with pytest.raises(DamagedFileError) as caught:
        Casebook.open_with_passphrase(locked.data_dir, locked.passphrase)
    assert "key file" in str(caught.value) and "damaged" in str(caught.value)
    _assert_untouched(locked.database, digest)


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def _plain_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO cases (title) VALUES ('planted')")
    conn.commit()
    conn.close()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(("make", "words"), [
    (_random_bytes, ("could not be opened", "not a casebook")),
    (_plain_sqlite, ("unencrypted", "not a casebook")),
    (_empty, ("empty",)),
], ids=["random-bytes", "plain-sqlite", "empty"])
@pytest.mark.parametrize("how", ["passphrase", "recovery-key"])
def test_not_a_casebook_file(locked, make, words, how: str) -> None:  # type: ignore[no-untyped-def]
    locked.database.unlink()
    make(locked.database)
    digest = sha256_file(locked.database)
    with pytest.raises(DamagedFileError) as caught:
        if how == "passphrase":
            Casebook.open_with_passphrase(locked.data_dir, locked.passphrase)
        else:
            Casebook.open_with_recovery_key(locked.data_dir, locked.recovery_key)
    for word in words:
        assert word in str(caught.value)
    assert "\n" not in str(caught.value)
    _assert_untouched(locked.database, digest)


def test_another_casebooks_file_is_refused_and_untouched(locked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other_dir = tmp_path / "other"
    other, _ = Casebook.create(other_dir, school="Elm Academy", jurisdiction="wales",
                               user_name="Sam Lee", passphrase=locked.passphrase)
    other.lock()
    shutil.copyfile(other_dir / "casebook.db", locked.database)
    digest = sha256_file(locked.database)
    with pytest.raises(DamagedFileError) as caught:
        Casebook.open_with_passphrase(locked.data_dir, locked.passphrase)
    assert "not a casebook" in str(caught.value) or "damaged" in str(caught.value)
    _assert_untouched(locked.database, digest)


def test_missing_files(locked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError):
        Casebook.open_with_passphrase(tmp_path / "nowhere", locked.passphrase)
    assert not (tmp_path / "nowhere").exists()

    locked.database.unlink()
    with pytest.raises(DamagedFileError) as caught:
        Casebook.open_with_passphrase(locked.data_dir, locked.passphrase)
    assert "missing" in str(caught.value)
    assert not locked.database.exists(), "opening must never create an empty casebook"


def test_errors_are_casebook_errors(locked) -> None:  # type: ignore[no-untyped-def]
    """The UI shows ``str()`` of CasebookError; anything else would be a crash dialog."""
    with pytest.raises(CasebookError):
        Casebook.open_with_passphrase(locked.data_dir, "not the passphrase at all")
