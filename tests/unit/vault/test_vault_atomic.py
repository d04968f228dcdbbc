"""Key-file writes are atomic: a failure leaves the previous file as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vault_helpers import OTHER_PASSPHRASE, PASSPHRASE

from casebook.vault import KeyVault


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith((".tmp", ".partial")))


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_write_leaves_the_original_intact(
    made, key_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    vault, data_key, _ = made
    before = key_path.read_bytes()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk unplugged")

    monkeypatch.setattr(os, failing, broken)
    with pytest.raises(OSError):
        vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE)
    monkeypatch.undo()

    assert key_path.read_bytes() == before
    assert _leftovers(key_path.parent) == []
    assert vault.user_ids() == ["u-1"]  # in-memory state follows the file
    assert KeyVault.load(key_path).unlock_with_passphrase("u-1", PASSPHRASE) == data_key


def test_failed_write_during_create_leaves_nothing(
    key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", lambda *_: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        KeyVault.create(key_path, "u-1", PASSPHRASE)
    monkeypatch.undo()
    assert not key_path.exists()
    assert _leftovers(key_path.parent) == []


def test_keyring_slot_not_written_when_the_file_cannot_be_saved(
    made, key_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring
) -> None:
    vault, data_key, _ = made
    before = key_path.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *_: (_ for _ in ()).throw(OSError()))
    assert vault.remember_in_keyring(data_key) is False
    monkeypatch.undo()
    assert key_path.read_bytes() == before
    assert memory_keyring.store == {}  # the orphaned secret was removed again


def test_write_goes_through_a_synced_temp_file_and_rename(
    made, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, data_key, _ = made
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        calls.append("replace")
        assert Path(src).parent == key_path.parent
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE)
    monkeypatch.undo()

    assert calls[:2] == ["fsync", "replace"]  # file synced before the rename
    if os.name != "nt":
        assert calls == ["fsync", "replace", "fsync"]  # then the directory
        assert (key_path.stat().st_mode & 0o777) == 0o600
    assert KeyVault.load(key_path).user_ids() == ["u-1", "u-2"]
