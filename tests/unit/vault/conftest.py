"""Vault tests: a cheap KDF (explicit test variable) and an in-memory keyring per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from vault_helpers import PASSPHRASE, FakeClock, MemoryKeyring

from casebook.vault import INSECURE_TEST_KDF_ENV, KeyVault


@pytest.fixture(autouse=True)
def insecure_test_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INSECURE_TEST_KDF_ENV, "1")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets its own keyring; the previous backend is restored afterwards."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "casebook.db.keys"


@pytest.fixture
def made(key_path: Path, clock: FakeClock) -> tuple[KeyVault, bytes, str]:
    """A new vault for user "u-1" with PASSPHRASE: (vault, data_key, recovery_text)."""
    return KeyVault.create(key_path, "u-1", PASSPHRASE, clock=clock)
