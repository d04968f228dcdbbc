"""Removing access or replacing the recovery key re-encrypts the casebook under a new key.

What the removed person may still hold - their passphrase, the data key they once had, a copy
of the key file - must open nothing live; backups keep their own key file and still open.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import sqlcipher3
from service_helpers import OTHER_PASSPHRASE, THIRD_PASSPHRASE, data_key, raw_connection
from sqlalchemy import func, select

from casebook.errors import CasebookError, DamagedFileError, ValidationError, WrongKeyError
from casebook.services import Casebook
from casebook.services.casebook import BACKUPS_NOTE
from casebook.storage import rekey
from casebook.storage import tables as t
from casebook.storage.engine import connect_keyed
from casebook.vault import KeyVault

LEGACY = Path(__file__).parents[2] / "data" / "legacy-v1.keys"
LEGACY_SECRETS = json.loads(LEGACY.with_name(LEGACY.name + ".json").read_text("utf-8"))
LEGACY_KEY = bytes.fromhex(LEGACY_SECRETS["data_key"])


def _counts(book: Casebook) -> tuple[int, ...]:
    with book.store.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(table))  # type: ignore[misc]
                     for table in (t.CaseRow, t.ChronologyRow, t.EvidenceRow, t.AuditRow))


def _fill(book: Casebook) -> None:
    case = book.cases.create("Messages on a gaming platform", "harassment")
    book.cases.add_entry(case.id, "Parent brought screenshots")
    book.evidence.add_bytes(case.id, b"png-bytes" * 500, filename="shot.png",
                            safety_confirmed=True)


def test_revoke_changes_the_data_key_so_what_they_held_opens_nothing(
    new_casebook_info, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    book = info.book
    sam = book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    book.users.add("Vic Jones", "viewer", THIRD_PASSPHRASE)
    _fill(book)
    backup = book.backup()
    kept_by_sam = tmp_path / "sams-copy.keys"
    shutil.copyfile(info.slots, kept_by_sam)
    old_key = data_key(info.slots, OTHER_PASSPHRASE, str(sam.id))

    result = book.users.revoke(sam.id)

    assert result.note == BACKUPS_NOTE and result.recovery_key is None
    counts = _counts(book)
    book.lock()
    with pytest.raises(DamagedFileError):  # the key Sam once unwrapped
        connect_keyed(info.database, old_key)
    assert KeyVault.load(kept_by_sam).unlock_with_passphrase(str(sam.id), OTHER_PASSPHRASE) \
        == old_key  # ... which is all his copy of the key file gives him
    with pytest.raises(WrongKeyError):
        Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE)
    for opener in (lambda: Casebook.open_with_passphrase(info.data_dir, info.passphrase),
                   lambda: Casebook.open_with_passphrase(info.data_dir, THIRD_PASSPHRASE),
                   lambda: Casebook.open_with_recovery_key(info.data_dir, info.recovery_key)):
        with opener() as reopened:
            assert _counts(reopened)[:3] == counts[:3]
            assert reopened.verify().ok
    assert not rekey.staging_path(info.database).exists()
    # The backup kept its own key file: it opens with the passphrases of its day.
    copy = tmp_path / "backup-copy.db"
    shutil.copyfile(backup, copy)
    backup_key = KeyVault.load(backup.with_name(backup.name + ".keys")).unlock_any_passphrase(
        OTHER_PASSPHRASE)[1]
    assert backup_key == old_key
    with raw_connection(copy, backup_key) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (1,)


def test_a_new_recovery_key_changes_the_data_key_too(new_casebook_info, tmp_path) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    old_file = tmp_path / "old.keys"
    shutil.copyfile(info.slots, old_file)
    old_key = KeyVault.load(old_file).unlock_with_recovery_key(info.recovery_key)

    new_text = info.book.users.reissue_recovery_key()
    info.book.lock()

    with pytest.raises(DamagedFileError):
        connect_keyed(info.database, old_key)
    with pytest.raises(WrongKeyError):
        Casebook.open_with_recovery_key(info.data_dir, info.recovery_key)
    with Casebook.open_with_recovery_key(info.data_dir, new_text) as book:
        assert book.user.id == 1


def test_a_rekey_that_cannot_start_changes_nothing(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    sam = info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    _fill(info.book)
    other = sqlcipher3.connect(str(info.database))  # another program reading the file
    other.execute(f"PRAGMA key = \"x'{info.book._require_key().hex()}'\"")
    other.execute("PRAGMA cipher_page_size = 65536")
    info.book.cases.add_entry(1, "Written while the other program reads")
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM cases").fetchone()
    try:
        with pytest.raises(CasebookError, match="open in another window"):
            info.book.users.revoke(sam.id)
    finally:
        other.close()
    assert not KeyVault.load(info.slots).rekey_pending()
    assert KeyVault.load(info.slots).user_ids() == ["1", str(sam.id)]
    assert {u.id: u.active for u in info.book.users.list()}[sam.id] is True
    # the session carries on (Casebook's own "Case opened." aside)
    assert len([e for e in info.book.cases.chronology(1) if not e.system]) == 2
    info.book.lock()
    with Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE) as book:
        assert book.user.id == sam.id


def _make_legacy(info) -> None:  # type: ignore[no-untyped-def]
    """Turn a casebook into one whose key file was written by format-1 Casebook."""
    info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)  # id 2
    info.book.users.add("Vic Jones", "viewer", THIRD_PASSPHRASE)  # id 3
    _fill(info.book)
    key = info.book._require_key()
    info.book.lock()
    rekey.rekey_file(info.database, key, LEGACY_KEY)
    shutil.copyfile(LEGACY, info.slots)  # slots 1, 2, 3 and the recovery key, format 1


def test_an_old_key_file_is_upgraded_and_revoke_names_who_must_sign_in(
    new_casebook_info,
) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    _make_legacy(info)
    legacy_recovery = LEGACY_SECRETS["recovery_key"]

    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        counts = _counts(book)
        with pytest.raises(ValidationError) as refused:
            book.users.revoke(3)
        message = str(refused.value)
        assert "Sam Patel must sign in once" in message and "recovery key" in message
        with pytest.raises(ValidationError, match="Sam Patel must sign in once"):
            book.users.revoke(3, replace_recovery_key=True)
        assert {u.id: u.active for u in book.users.list()}[3] is True  # nothing changed
    with Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE):
        pass  # Sam signs in: his slot is upgraded
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        with pytest.raises(ValidationError, match="recovery key must be replaced"):
            book.users.revoke(3)
        result = book.users.revoke(3, replace_recovery_key=True)
        assert result.recovery_key is not None
        assert _counts(book)[:3] == counts[:3]
    assert KeyVault.load(info.slots).legacy_slots() == []
    with pytest.raises(DamagedFileError):
        connect_keyed(info.database, LEGACY_KEY)
    with pytest.raises(WrongKeyError):
        Casebook.open_with_passphrase(info.data_dir, THIRD_PASSPHRASE)
    with pytest.raises(WrongKeyError):
        Casebook.open_with_recovery_key(info.data_dir, legacy_recovery)
    with Casebook.open_with_recovery_key(info.data_dir, result.recovery_key) as book:
        assert book.verify().ok


def test_a_backup_from_before_a_revoke_restores_under_todays_key(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    from casebook.services import restore

    info = new_casebook_info
    sam = info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    _fill(info.book)
    backup = info.book.backup()
    backup_bytes = backup.read_bytes()
    info.book.cases.add_entry(1, "After the backup")
    info.book.users.revoke(sam.id)
    info.book.lock()

    with pytest.raises(WrongKeyError):  # Sam cannot restore his way back in
        restore(info.data_dir, backup, OTHER_PASSPHRASE)
    restore(info.data_dir, backup, info.passphrase)

    assert backup.read_bytes() == backup_bytes  # the backup itself is untouched
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        assert [e.text for e in book.cases.chronology(1) if not e.system] == [
            "Parent brought screenshots"]
        assert {u.id: u.active for u in book.users.list()}[sam.id] is False
        assert book.verify().ok
    with pytest.raises(WrongKeyError):
        Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE)
    assert sorted(p.name for p in info.data_dir.iterdir()
                  if "restore-" in p.name and ".before-restore-" not in p.name) == []


def test_the_rekeyed_file_is_private_whatever_the_umask(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    sam = info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)
    previous = os.umask(0o022)
    try:
        info.book.users.revoke(sam.id)
    finally:
        os.umask(previous)
    if os.name == "posix":  # Windows: the profile folder's ACL protects it (README)
        assert info.database.stat().st_mode & 0o077 == 0


def test_a_key_file_that_cannot_be_tidied_after_the_switch_does_not_undo_the_revoke(
    new_casebook_info, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    sam = info.book.users.add("Sam Patel", "deputy", OTHER_PASSPHRASE)

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(info.book.vault, "finish_rekey", disk_full)
    info.book.users.revoke(sam.id)
    assert {u.id: u.active for u in info.book.users.list()}[sam.id] is False
    assert KeyVault.load(info.slots).rekey_pending()  # both keys still in the key file
    info.book.lock()
    with pytest.raises(WrongKeyError):
        Casebook.open_with_passphrase(info.data_dir, OTHER_PASSPHRASE)
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        assert book.verify().ok
    assert not KeyVault.load(info.slots).rekey_pending()  # the unlock finished it
