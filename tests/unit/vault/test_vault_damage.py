"""Damaged, truncated, tampered and missing key files are reported and never modified."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from vault_helpers import OTHER_PASSPHRASE, PASSPHRASE, read_doc, write_resealed

from casebook.errors import DamagedFileError, NewerVersionError, NotFoundError
from casebook.vault import KeyVault


def _load_expecting_damage(path: Path) -> None:
    before = path.read_bytes()
    with pytest.raises(DamagedFileError) as raised:
        KeyVault.load(path)
    assert "damaged" in str(raised.value)
    assert path.read_bytes() == before


def test_missing_key_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as raised:
        KeyVault.load(tmp_path / "nothing.keys")
    assert "missing" in str(raised.value)


def test_a_flipped_byte_in_a_wrapped_key_is_damage(made, key_path: Path) -> None:
    raw = bytearray(key_path.read_bytes())
    wrapped = read_doc(key_path)["slots"][0]["wrapped"]
    at = raw.index(wrapped.encode()) + 5
    raw[at] = ord("A") if raw[at] != ord("A") else ord("B")
    key_path.write_bytes(bytes(raw))
    _load_expecting_damage(key_path)


@pytest.mark.parametrize("keep", [0, 1, 40, 200, -2])
def test_truncated_key_file_is_damage(made, key_path: Path, keep: int) -> None:
    raw = key_path.read_bytes()
    key_path.write_bytes(raw[:keep])
    _load_expecting_damage(key_path)


@pytest.mark.parametrize(
    "content",
    [b"not json at all", b"\xff\xfe\x00garbage", b"[]", b"{}", b'{"format": "something else"}'],
)
def test_garbage_is_damage(key_path: Path, content: bytes) -> None:
    key_path.write_bytes(content)
    _load_expecting_damage(key_path)


@pytest.mark.parametrize("version", [0, -1, "1", None, 1.5, True])
def test_unknown_version_is_damage(made, key_path: Path, version: object) -> None:
    doc = read_doc(key_path)
    doc["version"] = version
    write_resealed(key_path, doc)
    _load_expecting_damage(key_path)


def test_a_newer_version_is_left_untouched(made, key_path: Path) -> None:
    doc = read_doc(key_path)
    doc["version"] = 3
    write_resealed(key_path, doc)
    before = key_path.read_bytes()
    with pytest.raises(NewerVersionError) as raised:
        KeyVault.load(key_path)
    assert "newer version" in str(raised.value)
    assert key_path.read_bytes() == before


def test_tampered_wrapped_key_with_fixed_checksum_is_damage_not_wrong_key(
    made, key_path: Path
) -> None:
    doc = read_doc(key_path)
    wrapped = bytearray(base64.b64decode(doc["slots"][0]["wrapped"]))
    wrapped[3] ^= 0x01
    doc["slots"][0]["wrapped"] = base64.b64encode(bytes(wrapped)).decode()
    write_resealed(key_path, doc)
    before = key_path.read_bytes()

    vault = KeyVault.load(key_path)  # checksum is valid, so it loads
    with pytest.raises(DamagedFileError):
        vault.unlock_with_passphrase("u-1", PASSPHRASE)
    assert key_path.read_bytes() == before
    assert not key_path.with_name(key_path.name + ".attempts").exists()


def test_a_slot_moved_to_another_user_does_not_open(made, key_path: Path) -> None:
    vault, data_key, _ = made
    vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE)
    doc = read_doc(key_path)
    first, second = doc["slots"][0], doc["slots"][2]
    assert (first["id"], second["id"]) == ("u-1", "u-2")
    first["id"], second["id"] = "u-2", "u-1"
    write_resealed(key_path, doc)

    swapped = KeyVault.load(key_path)
    with pytest.raises(DamagedFileError):
        swapped.unlock_with_passphrase("u-2", PASSPHRASE)


def test_a_slot_copied_from_another_casebook_does_not_open(
    made, key_path: Path, tmp_path: Path
) -> None:
    other_path = tmp_path / "other.keys"
    KeyVault.create(other_path, "u-1", PASSPHRASE)
    doc = read_doc(key_path)
    doc["slots"][0] = read_doc(other_path)["slots"][0]
    write_resealed(key_path, doc)
    with pytest.raises(DamagedFileError):
        KeyVault.load(key_path).unlock_with_passphrase("u-1", PASSPHRASE)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["slots"][0]["kdf"].update(time_cost=0),
        lambda d: d["slots"][0]["kdf"].update(name="md5"),
        lambda d: d["slots"][0].update(nonce="short"),
        lambda d: d["slots"][0].update(kind="mystery"),
        lambda d: d.update(slots=[s for s in d["slots"] if s["kind"] != "passphrase"]),
        lambda d: d["slots"].append(json.loads(json.dumps(d["slots"][0]))),  # duplicate
        lambda d: d.pop("key_check"),
        lambda d: d.update(vault_id="not hex"),
    ],
)
def test_structurally_wrong_key_files_are_damage(made, key_path: Path, edit) -> None:
    doc = read_doc(key_path)
    edit(doc)
    write_resealed(key_path, doc)
    _load_expecting_damage(key_path)


def test_oversized_file_is_damage(key_path: Path) -> None:
    key_path.write_bytes(b" " * (2 * 1024 * 1024))
    _load_expecting_damage(key_path)


def _flip_wrapped(path: Path, slot_id: str) -> None:
    doc = read_doc(path)
    (slot,) = [s for s in doc["slots"] if s["id"] == slot_id]
    wrapped = bytearray(base64.b64decode(slot["wrapped"]))
    wrapped[-1] ^= 0x80
    slot["wrapped"] = base64.b64encode(bytes(wrapped)).decode()
    write_resealed(path, doc)


def test_tampered_recovery_slot_is_damage(made, key_path: Path) -> None:
    _, _, recovery = made
    _flip_wrapped(key_path, "recovery")
    with pytest.raises(DamagedFileError):
        KeyVault.load(key_path).unlock_with_recovery_key(recovery)


def test_tampered_keyring_slot_is_damage(made, key_path: Path) -> None:
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key)
    _flip_wrapped(key_path, "keyring")
    with pytest.raises(DamagedFileError):
        KeyVault.load(key_path).unlock_with_keyring()
