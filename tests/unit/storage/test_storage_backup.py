"""Encrypted backups and verified restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage_helpers import flip_byte, sha256_file, sidecars

from casebook.errors import CasebookError, DamagedFileError, WrongKeyError
from casebook.services import Casebook, restore
from casebook.storage import maintenance
from casebook.storage.engine import SQLITE_PLAIN_HEADER, connect_keyed
from casebook.vault import KeyVault


def _titles(book) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.title for c in book.cases.list_page()}


@pytest.fixture
def backed_up(new_casebook_info):  # type: ignore[no-untyped-def]
    """Two cases, a backup, then two more cases; locked. Returns (info, backup path)."""
    book = new_casebook_info.book
    book.cases.create("Before one", "harassment")
    book.cases.add_entry(book.cases.create("Before two", "video").id, "Kept in the backup")
    backup = book.backup()
    book.cases.create("After one", "baiting")
    book.cases.create("After two", "other")
    book.lock()
    return new_casebook_info, backup


def test_backup_is_encrypted_self_contained_and_recorded(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook_info.book
    book.cases.create("Before", "harassment")
    backup = book.backup()
    assert backup.parent == book.paths.backups
    assert backup.read_bytes()[:16] != SQLITE_PLAIN_HEADER
    assert sidecars(backup) == set()
    assert not backup.with_name(backup.name + ".partial").exists()
    assert book.settings.get("last_backup_at") != ""
    with pytest.raises(CasebookError, match="already exists"):
        book.backup(backup)
    key = KeyVault.load(new_casebook_info.slots).unlock_with_passphrase("1",
                                                                        new_casebook_info.passphrase)
    assert maintenance.check_integrity(backup, key).ok


def test_restore_brings_back_the_backup_and_keeps_the_replaced_file(backed_up) -> None:  # type: ignore[no-untyped-def]
    info, backup = backed_up
    kept = restore(info.data_dir, backup, info.passphrase)
    assert kept.name.startswith("casebook.db.before-restore-") and kept.exists()

    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        assert _titles(book) == {"Before one", "Before two"}
        report = book.verify()
        assert report.ok, (report.integrity, report.chain)

    # The replaced casebook is still whole, under the same key.
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    conn = connect_keyed(kept, key)
    try:
        titles = {r[0] for r in conn.execute("SELECT title FROM cases")}
    finally:
        conn.close()
    assert titles == {"Before one", "Before two", "After one", "After two"}


def test_restore_leaves_the_backup_file_unchanged(backed_up) -> None:  # type: ignore[no-untyped-def]
    """Checking a backup must only read it: it may sit on read-only media, and it may be needed
    again. (Opening it through the normal tuned connection switches it to WAL mode, which
    rewrites its first page.)"""
    info, backup = backed_up
    digest = sha256_file(backup)
    restore(info.data_dir, backup, info.passphrase)
    assert sha256_file(backup) == digest
    assert sidecars(backup) == set()


def test_damaged_backup_is_refused_and_nothing_changes(backed_up) -> None:  # type: ignore[no-untyped-def]
    info, backup = backed_up
    size = backup.stat().st_size
    for offset in (size // 2, size // 2 + 1, size // 2 + 4000):
        flip_byte(backup, offset)
    digest = sha256_file(info.database)
    with pytest.raises(DamagedFileError) as caught:
        restore(info.data_dir, backup, info.passphrase)
    assert "damaged" in str(caught.value) and "nothing was restored" in str(caught.value)
    assert sha256_file(info.database) == digest
    assert sidecars(info.database) == set()
    leftovers = {p.name for p in info.data_dir.iterdir() if p.is_file()}
    # casebook.db.lock is the writer lock and casebook.keys.lock the key file's sign-in lock
    # (both empty and permanent); casebook.db.anchor the audit anchor.
    assert leftovers - {"casebook.keys.lock"} == {"casebook.db", "casebook.keys",
                                                  "casebook.db.lock", "casebook.db.anchor"}
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        assert len(_titles(book)) == 4


def test_another_casebooks_backup_is_refused(backed_up, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    info, _ = backed_up
    other, _ = Casebook.create(tmp_path / "other", school="Elm Academy", jurisdiction="wales",
                               user_name="Sam Lee", passphrase=info.passphrase)
    foreign = other.backup()
    other.lock()
    digest = sha256_file(info.database)
    with pytest.raises(DamagedFileError):
        restore(info.data_dir, foreign, info.passphrase)
    assert sha256_file(info.database) == digest


def test_restore_needs_the_passphrase(backed_up) -> None:  # type: ignore[no-untyped-def]
    info, backup = backed_up
    digest = sha256_file(info.database)
    with pytest.raises(WrongKeyError):
        restore(info.data_dir, backup, "not the right passphrase")
    assert sha256_file(info.database) == digest
