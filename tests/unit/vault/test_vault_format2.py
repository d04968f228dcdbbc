"""Format 2: key pairs per slot, upgrade of format-1 slots on unlock, bounded KDF settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from vault_helpers import LEGACY, LEGACY_SECRETS, read_doc, slots_by_id, write_resealed

from casebook.errors import DamagedFileError, ValidationError
from casebook.vault import KeyVault, new_data_key
from casebook.vault import kdf as kdf_module
from casebook.vault.recovery import new_recovery_key

OLD_KEY = bytes.fromhex(LEGACY_SECRETS["data_key"])
PASSPHRASES = LEGACY_SECRETS["passphrases"]


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """A copy of a key file written by today's (format 1) code."""
    path = tmp_path / "casebook.keys"
    shutil.copyfile(LEGACY, path)
    return path


def test_a_format_1_key_file_still_opens_with_every_secret(legacy: Path) -> None:
    vault = KeyVault.load(legacy)
    assert len(vault.legacy_slots()) == 4
    for user, passphrase in PASSPHRASES.items():
        assert KeyVault.load(legacy).unlock_with_passphrase(user, passphrase) == OLD_KEY
    assert KeyVault.load(legacy).unlock_with_recovery_key(LEGACY_SECRETS["recovery_key"]) \
        == OLD_KEY


def test_a_slot_is_upgraded_when_its_owner_unlocks_and_keeps_its_passphrase(
    legacy: Path,
) -> None:
    before = slots_by_id(legacy)
    vault = KeyVault.load(legacy)
    assert vault.unlock_any_passphrase(PASSPHRASES["2"]) == ("2", OLD_KEY)

    after = slots_by_id(legacy)
    assert read_doc(legacy)["version"] == 2
    assert "public" in after["2"] and "public" not in before["2"]
    assert after["2"]["kdf"] == before["2"]["kdf"]  # same passphrase, same KDF settings
    assert after["1"] == before["1"] and after["recovery"] == before["recovery"]
    assert KeyVault.load(legacy).legacy_slots() == [
        ("passphrase", "1"), ("recovery", "recovery"), ("passphrase", "3")]
    assert KeyVault.load(legacy).unlock_with_passphrase("2", PASSPHRASES["2"]) == OLD_KEY


def test_rekey_is_refused_while_a_remaining_slot_is_old_and_says_whose(legacy: Path) -> None:
    vault = KeyVault.load(legacy)
    vault.unlock_with_passphrase("1", PASSPHRASES["1"])  # the DSL signs in: upgraded
    assert vault.rekey_blockers(removing="3") == [("recovery", "recovery"), ("passphrase", "2")]
    assert vault.rekey_blockers(removing="3", replacing_recovery=True) == [("passphrase", "2")]
    vault.unlock_with_passphrase("2", PASSPHRASES["2"])
    assert vault.rekey_blockers(removing="3", replacing_recovery=True) == []
    assert vault.rekey_blockers(removing="2") == [("recovery", "recovery"), ("passphrase", "3")]
    before = legacy.read_bytes()
    with pytest.raises(ValidationError):
        vault.begin_rekey(OLD_KEY, new_data_key(), remove_user="3")
    assert legacy.read_bytes() == before


def test_revoking_with_the_recovery_key_replaced_works_on_an_upgraded_file(
    legacy: Path,
) -> None:
    vault = KeyVault.load(legacy)
    vault.unlock_with_passphrase("1", PASSPHRASES["1"])
    vault.unlock_with_passphrase("2", PASSPHRASES["2"])
    secret, text = new_recovery_key()
    new_key = new_data_key()
    vault.begin_rekey(OLD_KEY, new_key, remove_user="3", recovery_secret=secret)
    vault.finish_rekey()
    reloaded = KeyVault.load(legacy)
    assert reloaded.legacy_slots() == []
    assert reloaded.unlock_with_passphrase("2", PASSPHRASES["2"]) == new_key
    assert reloaded.unlock_with_recovery_key(text) == new_key
    assert reloaded.user_ids() == ["1", "2"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"memory_kib": 4 * 1024 * 1024}, "more memory than Casebook allows"),
        ({"memory_kib": 2**40}, "more memory than Casebook allows"),
        ({"time_cost": 64}, "more work than Casebook allows"),
        ({"parallelism": 255, "memory_kib": 65536}, "more work than Casebook allows"),
    ],
)
def test_absurd_kdf_settings_are_refused_before_any_derivation(
    made, key_path: Path, monkeypatch: pytest.MonkeyPatch, edit: dict, message: str
) -> None:
    vault, _, _ = made
    doc = read_doc(key_path)
    doc["slots"][0]["kdf"].update(edit)
    write_resealed(key_path, doc)
    derivations = []
    monkeypatch.setattr(kdf_module, "argon2id", lambda *a: derivations.append(1) or b"x" * 32)
    reloaded = KeyVault.load(key_path)  # loading is fine: nothing is derived yet
    for attempt in (
        lambda: reloaded.unlock_with_passphrase("u-1", "anything at all here"),
        lambda: reloaded.unlock_any_passphrase("anything at all here"),
    ):
        with pytest.raises(DamagedFileError) as raised:
            attempt()
        assert message in str(raised.value)
        assert "may have been tampered with" in str(raised.value)
    assert derivations == []


def test_settings_at_the_bounds_are_still_accepted(made, key_path: Path) -> None:
    bounds = kdf_module.KdfParams(kdf_module.MAX_MEMORY_KIB, kdf_module.MAX_TIME_COST,
                                  kdf_module.MAX_PARALLELISM)
    assert kdf_module.bounds_problem(bounds) is None
    assert kdf_module.MAX_MEMORY_KIB == 1024 * 1024 and kdf_module.MAX_TIME_COST == 50


def test_swapping_sealed_boxes_between_slots_is_detected(made, key_path: Path) -> None:
    vault, data_key, recovery = made
    vault.add_passphrase_slot(data_key, "u-2", "lantern pebble orchard 7")
    doc = read_doc(key_path)
    slots = {s["id"]: s for s in doc["slots"]}
    slots["u-1"]["sealed"], slots["u-2"]["sealed"] = slots["u-2"]["sealed"], slots["u-1"]["sealed"]
    write_resealed(key_path, doc)
    with pytest.raises(DamagedFileError):
        KeyVault.load(key_path).unlock_with_passphrase("u-2", "lantern pebble orchard 7")


def test_a_remembered_key_follows_a_rekey_but_an_old_format_one_is_dropped(
    made, key_path: Path, memory_keyring
) -> None:  # type: ignore[no-untyped-def]
    vault, data_key, _ = made
    assert vault.remember_in_keyring(data_key)
    new_key = new_data_key()
    vault.begin_rekey(data_key, new_key)
    vault.finish_rekey()
    assert KeyVault.load(key_path).unlock_with_keyring() == new_key

    # A format-1 keyring slot (legacy file with one added) cannot be moved: it is dropped.
    legacy_path = key_path.with_name("legacy.keys")
    shutil.copyfile(LEGACY, legacy_path)
    old = KeyVault.load(legacy_path)
    old.unlock_with_passphrase("1", PASSPHRASES["1"])
    old.unlock_with_passphrase("2", PASSPHRASES["2"])
    old.unlock_with_passphrase("3", PASSPHRASES["3"])
    doc = read_doc(legacy_path)
    recovery = next(s for s in doc["slots"] if s["kind"] == "recovery")
    doc["slots"].append({**recovery, "kind": "keyring", "id": "keyring"})  # format-1 shape
    write_resealed(legacy_path, doc)
    old = KeyVault.load(legacy_path)
    assert ("keyring", "keyring") in old.legacy_slots()
    assert old.rekey_blockers(removing="3", replacing_recovery=True) == []
    secret, _text = new_recovery_key()
    old.begin_rekey(OLD_KEY, new_data_key(), remove_user="3", recovery_secret=secret)
    assert not KeyVault.load(legacy_path).has_keyring_slot()


def test_removing_someone_drops_the_remembered_key_on_this_computer(
    made, key_path: Path, memory_keyring
) -> None:  # type: ignore[no-untyped-def]
    vault, data_key, _ = made
    vault.add_passphrase_slot(data_key, "u-2", "lantern pebble orchard 7")
    assert vault.remember_in_keyring(data_key)
    vault.begin_rekey(data_key, new_data_key(), remove_user="u-2")
    vault.finish_rekey()
    vault.forget_keyring()
    assert not KeyVault.load(key_path).has_keyring_slot()
    assert memory_keyring.store == {}
    assert KeyVault.load(key_path).unlock_with_keyring() is None
