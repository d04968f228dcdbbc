"""Remember on this computer: only a short random secret goes to the OS keyring."""

from __future__ import annotations

import base64
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from keyring.errors import KeyringLocked, PasswordSetError
from vault_helpers import PASSPHRASE, MemoryKeyring, read_doc

from casebook.vault import KEYRING_SERVICE, KeyVault


class LockedOnRead(MemoryKeyring):
    """Stores fine, but reading raises (a locked keychain)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")


class SilentlyForgets(MemoryKeyring):
    """Accepts a secret and then returns nothing (a broken backend)."""

    def get_password(self, service: str, username: str) -> str | None:
        return None


def test_remember_then_unlock_without_a_passphrase(
    made, key_path: Path, memory_keyring: MemoryKeyring
) -> None:
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key) is True
    assert vault.has_keyring_slot()

    reopened = KeyVault.load(key_path)
    assert reopened.has_keyring_slot()
    assert reopened.unlock_with_keyring() == data_key


def test_keyring_receives_only_a_short_secret_that_is_not_the_data_key(
    made, key_path: Path, memory_keyring: MemoryKeyring
) -> None:
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key)

    assert len(memory_keyring.received) == 1
    service, username, secret = memory_keyring.received[0]
    assert service == KEYRING_SERVICE == "Casebook"
    assert vault.vault_id in username
    assert len(secret.encode()) <= 64  # far under Windows' ~2.5 KB limit
    assert secret not in (data_key.hex(), base64.b64encode(data_key).decode())
    assert base64.urlsafe_b64decode(secret) != data_key
    assert data_key.hex() not in secret
    assert secret not in key_path.read_text()


def test_each_casebook_has_its_own_keyring_entry(
    made, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    vault, data_key, _ = made
    other, other_key, _ = KeyVault.create(tmp_path / "other.keys", "u-1", PASSPHRASE)
    assert vault.remember_in_keyring(data_key)
    assert other.remember_in_keyring(other_key)
    assert len(memory_keyring.store) == 2
    assert vault.unlock_with_keyring() == data_key
    assert other.unlock_with_keyring() == other_key


def test_no_keyring_backend_means_ask_for_the_passphrase(made, key_path: Path) -> None:
    vault, data_key, _ = made
    keyring.set_keyring(keyring.backends.fail.Keyring())  # restored by the conftest fixture
    before = key_path.read_bytes()

    assert vault.remember_in_keyring(data_key) is False
    assert key_path.read_bytes() == before
    assert not vault.has_keyring_slot()
    assert vault.unlock_with_keyring() is None
    assert vault.unlock_with_passphrase("u-1", PASSPHRASE) == data_key


def test_failing_backend_after_remembering_gives_none(made, key_path: Path) -> None:
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert KeyVault.load(key_path).unlock_with_keyring() is None


def test_keyring_that_raises_on_read_gives_none(made) -> None:
    vault, data_key, _ = made
    backend = LockedOnRead()
    keyring.set_keyring(backend)
    # Read-back fails, so remembering reports failure too and the file gains no slot.
    assert vault.remember_in_keyring(data_key) is False
    assert not vault.has_keyring_slot()

    keyring.set_keyring(MemoryKeyring())
    assert vault.remember_in_keyring(data_key)
    keyring.set_keyring(backend)
    assert vault.unlock_with_keyring() is None


def test_backend_that_loses_the_secret_is_reported(made, key_path: Path) -> None:
    vault, data_key, _ = made
    backend = SilentlyForgets()
    keyring.set_keyring(backend)
    before = key_path.read_bytes()
    assert vault.remember_in_keyring(data_key) is False
    assert key_path.read_bytes() == before
    assert backend.store == {}  # the half-stored secret was cleaned up


def test_missing_or_stale_keyring_entry_gives_none(
    made, key_path: Path, memory_keyring: MemoryKeyring
) -> None:
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key)
    (entry,) = memory_keyring.store

    memory_keyring.store[entry] = base64.urlsafe_b64encode(b"\x07" * 32).decode()
    assert vault.unlock_with_keyring() is None  # another secret: stale
    memory_keyring.store[entry] = "not base64 !!"
    assert vault.unlock_with_keyring() is None
    memory_keyring.store[entry] = data_key.hex()  # even the data key itself is not accepted
    assert vault.unlock_with_keyring() is None
    del memory_keyring.store[entry]
    assert vault.unlock_with_keyring() is None
    assert KeyVault.load(key_path).unlock_with_passphrase("u-1", PASSPHRASE) == data_key


def test_forget_removes_slot_and_entry(made, key_path: Path, memory_keyring) -> None:
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key)
    before = {s["id"]: s for s in read_doc(key_path)["slots"]}

    vault.forget_keyring()

    after = {s["id"]: s for s in read_doc(key_path)["slots"]}
    assert set(after) == {"u-1", "recovery"}
    assert after["u-1"] == before["u-1"]
    assert memory_keyring.store == {}
    assert KeyVault.load(key_path).unlock_with_keyring() is None


def test_forget_works_even_without_a_keyring(made, key_path: Path) -> None:
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    vault.forget_keyring()
    assert not KeyVault.load(key_path).has_keyring_slot()


def test_remembering_again_keeps_one_working_slot(made, key_path: Path, memory_keyring) -> None:
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key)
    assert vault.remember_in_keyring(data_key)
    kinds = [s["kind"] for s in read_doc(key_path)["slots"]]
    assert kinds.count("keyring") == 1
    assert len(memory_keyring.store) == 1
    assert KeyVault.load(key_path).unlock_with_keyring() == data_key


def test_without_a_keyring_slot_the_keyring_is_not_asked(made, memory_keyring) -> None:
    vault, _, _ = made
    keyring.set_keyring(LockedOnRead())
    assert vault.unlock_with_keyring() is None
    assert memory_keyring.received == []


def test_the_test_keyring_enforces_the_windows_limit() -> None:
    backend = MemoryKeyring()
    backend.set_password("s", "u", "x" * 2500)
    assert backend.get_password("s", "u") == "x" * 2500
    with pytest.raises(PasswordSetError):
        backend.set_password("s", "u", "x" * 2501)
