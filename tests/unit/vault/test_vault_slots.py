"""Adding, changing and revoking slots rewrites only the key file, and only the slot touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from vault_helpers import OTHER_PASSPHRASE, PASSPHRASE, keys_part, read_doc, slots_by_id

from casebook.errors import NotFoundError, ValidationError, WrongKeyError
from casebook.vault import KdfParams, KeyVault, new_data_key
from casebook.vault.kdf import INSECURE_TEST_PARAMS
from casebook.vault.recovery import new_recovery_key

THIRD = "marble clock seventeen geese"


def _frame(path: Path) -> tuple[str, str]:
    doc = read_doc(path)
    return doc["vault_id"], doc["key_check"]


def test_add_slot_leaves_other_slots_byte_for_byte(made, key_path: Path) -> None:
    vault, data_key, recovery = made
    before = slots_by_id(key_path)
    frame = _frame(key_path)

    vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE)

    after = slots_by_id(key_path)
    assert after["u-1"] == before["u-1"]
    assert after["recovery"] == before["recovery"]
    assert set(after) == {"u-1", "u-2", "recovery"}
    assert _frame(key_path) == frame
    reloaded = KeyVault.load(key_path)
    assert reloaded.unlock_with_passphrase("u-2", OTHER_PASSPHRASE) == data_key
    assert reloaded.unlock_with_passphrase("u-1", PASSPHRASE) == data_key
    assert reloaded.unlock_with_recovery_key(recovery) == data_key


def test_add_refuses_duplicates_and_weak_passphrases_without_writing(made, key_path: Path) -> None:
    vault, data_key, _ = made
    before = key_path.read_bytes()
    with pytest.raises(ValidationError):
        vault.add_passphrase_slot(data_key, "u-1", OTHER_PASSPHRASE)
    with pytest.raises(ValidationError) as raised:
        vault.add_passphrase_slot(data_key, "u-2", "password1234")
    assert "12 characters" in str(raised.value)
    assert key_path.read_bytes() == before
    assert vault.user_ids() == ["u-1"]


def test_a_data_key_from_elsewhere_is_refused(made, key_path: Path) -> None:
    vault, data_key, _ = made
    before = key_path.read_bytes()
    with pytest.raises(ValueError):
        vault.add_passphrase_slot(new_data_key(), "u-2", OTHER_PASSPHRASE)
    with pytest.raises(ValueError):
        vault.begin_rekey(data_key[:16], new_data_key())
    with pytest.raises(ValueError):
        vault.begin_rekey(new_data_key(), new_data_key())
    assert key_path.read_bytes() == before


def test_change_passphrase_replaces_only_that_slot(made, key_path: Path) -> None:
    vault, data_key, recovery = made
    vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE)
    before = slots_by_id(key_path)

    vault.change_passphrase(data_key, "u-1", THIRD)

    after = slots_by_id(key_path)
    assert after["u-2"] == before["u-2"]
    assert after["recovery"] == before["recovery"]
    assert after["u-1"]["wrapped"] != before["u-1"]["wrapped"]
    assert after["u-1"]["kdf"]["salt"] != before["u-1"]["kdf"]["salt"]
    assert list(after) == ["u-1", "recovery", "u-2"]  # same position in the file

    reloaded = KeyVault.load(key_path)
    assert reloaded.unlock_with_passphrase("u-1", THIRD) == data_key
    with pytest.raises(WrongKeyError):
        reloaded.unlock_with_passphrase("u-1", PASSPHRASE)
    assert reloaded.unlock_with_recovery_key(recovery) == data_key


def test_change_passphrase_for_unknown_user(made) -> None:
    vault, data_key, _ = made
    with pytest.raises(NotFoundError):
        vault.change_passphrase(data_key, "u-404", THIRD)


def test_revoke_seals_a_new_key_to_the_rest_without_their_secrets(made, key_path: Path) -> None:
    vault, data_key, recovery = made
    vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE)
    vault.add_passphrase_slot(data_key, "u-3", THIRD)
    old_file = key_path.read_bytes()  # what u-2 could keep a copy of
    new_key = new_data_key()

    vault.begin_rekey(data_key, new_key, remove_user="u-2")  # only data keys, no passphrases

    during = KeyVault.load(key_path)
    assert during.rekey_pending() and during.user_ids() == ["u-1", "u-3"]
    assert during.unlock_with_passphrase("u-3", THIRD) == new_key
    assert during.previous_key() == data_key  # either key opens the file until the switch
    with pytest.raises(WrongKeyError):
        during.unlock_any_passphrase(OTHER_PASSPHRASE)

    vault.finish_rekey()

    after = KeyVault.load(key_path)
    assert not after.rekey_pending()
    assert "previous" not in str(read_doc(key_path))
    for user, passphrase in (("u-1", PASSPHRASE), ("u-3", THIRD)):
        assert after.unlock_with_passphrase(user, passphrase) == new_key
        assert after.previous_key() is None
    assert after.unlock_with_recovery_key(recovery) == new_key
    with pytest.raises(WrongKeyError):
        after.unlock_any_passphrase(OTHER_PASSPHRASE)
    # The revoked person's old copy of the key file still gives only the old key.
    old_copy = key_path.with_name("kept-by-u-2.keys")
    old_copy.write_bytes(old_file)
    assert KeyVault.load(old_copy).unlock_with_passphrase("u-2", OTHER_PASSPHRASE) == data_key


def test_cancel_puts_back_the_key_file_as_it_was(made, key_path: Path) -> None:
    vault, data_key, _ = made
    vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE)
    before = keys_part(key_path)
    snapshot = vault.snapshot()
    vault.begin_rekey(data_key, new_data_key(), remove_user="u-2")
    vault.cancel_rekey(snapshot)
    assert keys_part(key_path) == before
    assert KeyVault.load(key_path).unlock_with_passphrase("u-2", OTHER_PASSPHRASE) == data_key


def test_the_last_passphrase_cannot_be_revoked(made, key_path: Path) -> None:
    vault, data_key, _ = made
    before = key_path.read_bytes()
    with pytest.raises(ValidationError) as raised:
        vault.begin_rekey(data_key, new_data_key(), remove_user="u-1")
    assert "only passphrase" in str(raised.value)
    with pytest.raises(NotFoundError):
        vault.begin_rekey(data_key, new_data_key(), remove_user="u-404")
    assert key_path.read_bytes() == before


def test_reissued_recovery_key_replaces_the_old_one(made, key_path: Path) -> None:
    vault, data_key, old = made
    before = slots_by_id(key_path)
    secret, new = new_recovery_key()
    new_key = new_data_key()

    vault.begin_rekey(data_key, new_key, recovery_secret=secret)
    vault.finish_rekey()

    assert new != old
    after = slots_by_id(key_path)
    assert after["u-1"]["public"] == before["u-1"]["public"]  # same slot, new sealed key
    assert after["u-1"]["sealed"] != before["u-1"]["sealed"]
    assert after["recovery"]["public"] != before["recovery"]["public"]
    reloaded = KeyVault.load(key_path)
    assert reloaded.unlock_with_recovery_key(new) == new_key
    with pytest.raises(WrongKeyError):
        reloaded.unlock_with_recovery_key(old)


def test_slot_parameters_are_stored_and_can_be_raised(made, key_path: Path) -> None:
    vault, data_key, _ = made
    assert vault.slot_params("u-1") == INSECURE_TEST_PARAMS
    stronger = KdfParams(memory_kib=65_536, time_cost=2, parallelism=2)

    assert vault.upgrade_passphrase_slot("u-1", PASSPHRASE, kdf=stronger) is True

    reloaded = KeyVault.load(key_path)
    assert reloaded.slot_params("u-1") == stronger
    assert reloaded.unlock_with_passphrase("u-1", PASSPHRASE) == data_key
    assert reloaded.upgrade_passphrase_slot("u-1", PASSPHRASE, kdf=stronger) is False


def test_upgrade_with_the_wrong_passphrase_changes_nothing(made, key_path: Path) -> None:
    vault, _, _ = made
    before = keys_part(key_path)
    stronger = KdfParams(memory_kib=65_536, time_cost=2, parallelism=2)
    with pytest.raises(WrongKeyError):
        vault.upgrade_passphrase_slot("u-1", OTHER_PASSPHRASE, kdf=stronger)
    assert keys_part(key_path) == before
