"""Creating, loading and unlocking a key file."""

from __future__ import annotations

import base64
import unicodedata
from pathlib import Path

import pytest
from vault_helpers import OTHER_PASSPHRASE, PASSPHRASE, FakeClock, keys_part, read_doc

from casebook.errors import ValidationError, WrongKeyError
from casebook.vault import DATA_KEY_LEN, KeyVault, key_file_for, new_data_key, wipe
from casebook.vault.recovery import parse_recovery_key


def test_create_load_and_unlock_every_way(made, key_path: Path, clock: FakeClock) -> None:
    vault, data_key, recovery = made
    assert isinstance(data_key, bytes) and len(data_key) == DATA_KEY_LEN

    again = KeyVault.load(key_path, clock=clock)
    assert again.user_ids() == ["u-1"]
    assert again.vault_id == vault.vault_id
    assert again.has_recovery_slot() and not again.has_keyring_slot()
    assert again.unlock_with_passphrase("u-1", PASSPHRASE) == data_key
    assert again.unlock_any_passphrase(PASSPHRASE) == ("u-1", data_key)
    assert again.unlock_with_recovery_key(recovery) == data_key


def test_each_casebook_gets_its_own_random_key(tmp_path: Path) -> None:
    _, key_a, rec_a = KeyVault.create(tmp_path / "a.keys", "u-1", PASSPHRASE)
    _, key_b, rec_b = KeyVault.create(tmp_path / "b.keys", "u-1", PASSPHRASE)
    assert key_a != key_b
    assert rec_a != rec_b
    assert new_data_key() != new_data_key()
    assert len(new_data_key()) == DATA_KEY_LEN


def test_unlock_any_passphrase_finds_the_right_user(made, key_path: Path) -> None:
    vault, data_key, _ = made
    vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE)
    reloaded = KeyVault.load(key_path)
    assert reloaded.unlock_any_passphrase(OTHER_PASSPHRASE) == ("u-2", data_key)
    assert reloaded.unlock_any_passphrase(PASSPHRASE) == ("u-1", data_key)


@pytest.mark.parametrize(
    "passphrase",
    [
        'it\'s "quoted" text; 100% real',
        "DROP TABLE cases; -- %s %d \\x00",
        "tea 🍵 and biscuits 🍪 at four",
        "naïve café résumé über",
        "пароль для школы тест",
        "  spaces at both ends  ",
    ],
)
def test_unusual_passphrases_round_trip(tmp_path: Path, passphrase: str) -> None:
    path = tmp_path / "c.keys"
    _, data_key, _ = KeyVault.create(path, "u-1", passphrase)
    assert KeyVault.load(path).unlock_with_passphrase("u-1", passphrase) == data_key


def test_composed_and_decomposed_accents_open_the_same_slot(tmp_path: Path) -> None:
    nfc = unicodedata.normalize("NFC", "crème brûlée à la façon")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd  # genuinely different code points

    path_a = tmp_path / "a.keys"
    _, key_a, _ = KeyVault.create(path_a, "u-1", nfd)
    assert KeyVault.load(path_a).unlock_with_passphrase("u-1", nfc) == key_a

    path_b = tmp_path / "b.keys"
    _, key_b, _ = KeyVault.create(path_b, "u-1", nfc)
    assert KeyVault.load(path_b).unlock_with_passphrase("u-1", nfd) == key_b


def test_wrong_passphrase_changes_nothing_but_the_count(made, key_path: Path) -> None:
    vault, _, _ = made
    before = keys_part(key_path)
    with pytest.raises(WrongKeyError) as raised:
        vault.unlock_with_passphrase("u-1", PASSPHRASE + "!")
    assert "did not open" in str(raised.value)
    with pytest.raises(WrongKeyError):
        vault.unlock_any_passphrase("violet kettle harbour 43")
    with pytest.raises(WrongKeyError):
        vault.unlock_with_passphrase("no-such-user", PASSPHRASE)
    assert keys_part(key_path) == before
    assert read_doc(key_path)["attempts"]["failures"] == 3


def test_a_valid_recovery_key_from_another_casebook_is_refused(
    made, key_path: Path, tmp_path: Path
) -> None:
    vault, _, _ = made
    _, _, foreign = KeyVault.create(tmp_path / "other.keys", "u-9", OTHER_PASSPHRASE)
    before = keys_part(key_path)
    with pytest.raises(WrongKeyError) as raised:
        vault.unlock_with_recovery_key(foreign)
    assert str(raised.value) == "This recovery key does not open this casebook."
    assert keys_part(key_path) == before


def test_key_file_holds_no_secret_in_plain_form(made, key_path: Path) -> None:
    vault, data_key, recovery = made
    vault.add_passphrase_slot(data_key, "u-2", "tea 🍵 and biscuits at four")
    raw = key_path.read_bytes()
    text = raw.decode("utf-8").lower()
    recovery_bytes = parse_recovery_key(recovery)

    for secret in (PASSPHRASE, "tea 🍵 and biscuits at four", "violet kettle", "biscuits"):
        assert secret.encode("utf-8") not in raw
        assert secret.lower() not in text
    for key in (data_key, recovery_bytes):
        assert key not in raw
        assert key.hex() not in text
        assert base64.b64encode(key).decode().lower() not in text
        assert base64.urlsafe_b64encode(key).decode().lower() not in text
    assert recovery.lower() not in text
    assert recovery.replace("-", "").lower() not in text
    # Only ids identify users.
    assert {slot["id"] for slot in read_doc(key_path)["slots"]} == {"u-1", "u-2", "recovery"}


def test_create_refuses_a_weak_passphrase_and_writes_nothing(key_path: Path) -> None:
    with pytest.raises(ValidationError) as raised:
        KeyVault.create(key_path, "u-1", "short")
    assert "12 characters" in str(raised.value)
    assert not key_path.exists()


def test_create_refuses_to_overwrite_an_existing_key_file(made, key_path: Path) -> None:
    before = key_path.read_bytes()
    with pytest.raises(ValidationError):
        KeyVault.create(key_path, "u-1", PASSPHRASE)
    assert key_path.read_bytes() == before


def test_wipe_zeroes_a_key_buffer(made) -> None:
    _, data_key, _ = made
    held = bytearray(data_key)
    wipe(held)
    assert held == bytearray(DATA_KEY_LEN)


def test_key_file_sits_beside_the_database(tmp_path: Path) -> None:
    assert key_file_for(tmp_path / "school.db") == tmp_path / "school.db.keys"
