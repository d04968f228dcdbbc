"""Remembering the casebook on this computer: a missing or refusing keyring never blocks the
passphrase and never leads to anything written in plaintext."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.compat import properties
from keyring.errors import PasswordDeleteError, PasswordSetError
from service_helpers import data_key

from casebook.services import Casebook


class LimitedKeyring(KeyringBackend):
    """A working keyring that refuses secrets longer than ``limit`` bytes."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: never chosen automatically")

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if len(password.encode("utf-8")) > self.limit:
            raise PasswordSetError("secret too large for this keyring")
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture
def use_keyring() -> Iterator:  # type: ignore[type-arg]
    previous = keyring.get_keyring()

    def install(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    try:
        yield install
    finally:
        keyring.set_keyring(previous)


def _secret_forms(key: bytes) -> list[bytes]:
    return [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key),
            base64.urlsafe_b64encode(key)]


def _assert_nothing_plain(data_dir: Path, key: bytes, words: list[str]) -> None:
    for path in (p for p in data_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for form in _secret_forms(key):
            assert form not in data, f"the data key is readable in {path.name}"
        for word in words:
            assert word.encode() not in data, f"case text is readable in {path.name}"


@pytest.mark.parametrize("backend", [fail.Keyring, lambda: LimitedKeyring(limit=16)],
                         ids=["no-keyring", "keyring-refusing-the-secret"])
def test_unusable_keyring(new_casebook_info, use_keyring, backend) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    installed = use_keyring(backend())
    info.book.cases.create("Kestrelwood baiting account", "baiting")
    slots_before = info.slots.read_bytes()

    assert info.book.users.remember_on_this_computer(True) is False
    assert not info.book.vault.has_keyring_slot()
    assert info.slots.read_bytes() == slots_before, "a refused keyring must not change the key file"
    if isinstance(installed, LimitedKeyring):
        assert installed.store == {}
    info.book.lock()

    assert Casebook.open_with_keyring(info.data_dir) is None
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as again:
        assert again.cases.count() == 1
    key = data_key(info.slots, info.passphrase)
    _assert_nothing_plain(info.data_dir, key, ["Kestrelwood", "kestrelwood"])


def test_working_keyring_holds_only_a_short_secret(new_casebook_info, use_keyring) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    store = use_keyring(LimitedKeyring(limit=2500))  # Windows Credential Manager's rough limit
    assert info.book.users.remember_on_this_computer(True) is True
    info.book.lock()

    (secret,) = store.store.values()
    key = data_key(info.slots, info.passphrase)
    assert len(secret) < 100
    for form in _secret_forms(key):
        assert form.decode("latin-1") not in secret
    _assert_nothing_plain(info.data_dir, key, [secret])

    again = Casebook.open_with_keyring(info.data_dir)
    assert again is not None
    with again:
        assert again.user.id == 1
        assert again.users.remember_on_this_computer(False) is True
    assert store.store == {}
    assert Casebook.open_with_keyring(info.data_dir) is None
