"""Failed attempts add a growing pause that survives restarts; success clears it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from vault_helpers import LEGACY, PASSPHRASE, FakeClock, read_doc, write_resealed

from casebook.errors import DamagedFileError, TooManyAttemptsError, ValidationError, WrongKeyError
from casebook.vault import KeyVault
from casebook.vault import kdf as kdf_module
from casebook.vault.attempts import FREE_FAILURES, MAX_DELAY_SECONDS, delay_after

WRONG = "not the passphrase at all"


def _attempts_file(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".attempts")


def _fail(vault: KeyVault, times: int = 1, clock: FakeClock | None = None) -> None:
    """Fail ``times`` times, letting the fake clock run out any pause in between."""
    for _ in range(times):
        if clock is not None:
            clock.advance(vault.seconds_until_next_attempt())
        with pytest.raises(WrongKeyError):
            vault.unlock_with_passphrase("u-1", WRONG)


def test_delay_schedule_grows_and_is_capped() -> None:
    assert [delay_after(n) for n in range(FREE_FAILURES + 1)] == [0.0] * (FREE_FAILURES + 1)
    assert [delay_after(FREE_FAILURES + n) for n in range(1, 5)] == [2.0, 4.0, 8.0, 16.0]
    assert delay_after(50) == MAX_DELAY_SECONDS == 300.0
    assert delay_after(10_000) == MAX_DELAY_SECONDS


def test_free_failures_then_a_pause_that_blocks_even_the_right_passphrase(
    made, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, data_key, recovery = made
    _fail(vault, FREE_FAILURES)
    assert vault.seconds_until_next_attempt() == 0.0
    _fail(vault)
    assert vault.seconds_until_next_attempt() == 2.0

    derivations = []
    real_argon2id = kdf_module.argon2id
    monkeypatch.setattr(
        kdf_module, "argon2id", lambda *a: derivations.append(1) or real_argon2id(*a)
    )
    clock.advance(1.5)
    for attempt in (
        lambda: vault.unlock_with_passphrase("u-1", PASSPHRASE),
        lambda: vault.unlock_any_passphrase(PASSPHRASE),
        lambda: vault.unlock_with_recovery_key(recovery),
    ):
        with pytest.raises(TooManyAttemptsError) as raised:
            attempt()
        assert raised.value.wait_seconds == pytest.approx(0.5)
        assert "wait 1 second" in str(raised.value)
    assert derivations == []  # no KDF was run during the pause

    clock.advance(0.5)
    assert vault.unlock_with_passphrase("u-1", PASSPHRASE) == data_key
    assert derivations == [1]


def test_each_further_failure_doubles_the_pause(made, clock: FakeClock) -> None:
    vault, _, _ = made
    _fail(vault, FREE_FAILURES)
    seen = []
    for _ in range(10):
        _fail(vault)
        wait = vault.seconds_until_next_attempt()
        seen.append(wait)
        clock.advance(wait)
    assert seen == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_pause_survives_reloading(made, key_path: Path, clock: FakeClock) -> None:
    vault, _, _ = made
    _fail(vault, FREE_FAILURES + 2, clock)
    assert vault.seconds_until_next_attempt() == 4.0

    clock.advance(1)
    reopened = KeyVault.load(key_path, clock=clock)
    assert reopened.seconds_until_next_attempt() == 3.0
    with pytest.raises(TooManyAttemptsError) as raised:
        reopened.unlock_with_passphrase("u-1", PASSPHRASE)
    assert raised.value.wait_seconds == 3.0


def test_success_resets_the_count(made, key_path: Path, clock: FakeClock) -> None:
    vault, data_key, _ = made
    _fail(vault, FREE_FAILURES)
    assert read_doc(key_path)["attempts"]["failures"] == FREE_FAILURES
    assert vault.unlock_with_passphrase("u-1", PASSPHRASE) == data_key
    assert read_doc(key_path)["attempts"]["failures"] == 0
    _fail(vault, FREE_FAILURES)  # the free failures are free again
    assert vault.seconds_until_next_attempt() == 0.0


def test_long_waits_are_described_in_minutes(made, clock: FakeClock) -> None:
    vault, _, _ = made
    _fail(vault, FREE_FAILURES + 8, clock)  # 256 s
    with pytest.raises(TooManyAttemptsError) as raised:
        vault.unlock_with_passphrase("u-1", PASSPHRASE)
    assert "wait 5 minutes" in str(raised.value)


def test_recovery_key_typos_are_not_counted_but_wrong_keys_are(made, key_path: Path) -> None:
    vault, _, recovery = made
    for typo in [recovery[:-1], "U" + recovery[1:]] * FREE_FAILURES:
        with pytest.raises(ValidationError):
            vault.unlock_with_recovery_key(typo)
    assert not _attempts_file(key_path).exists()
    assert vault.seconds_until_next_attempt() == 0.0


def test_the_count_lives_in_the_key_file_and_holds_no_secret(
    made, key_path: Path, clock
) -> None:
    vault, _, _ = made
    _fail(vault, 2)
    assert read_doc(key_path)["attempts"] == {"failures": 2, "last_failure": clock.now}
    assert not _attempts_file(key_path).exists()


def test_a_clock_moved_backwards_does_not_lock_anyone_out(made, clock: FakeClock) -> None:
    vault, _, _ = made
    _fail(vault, FREE_FAILURES + 5, clock)
    clock.advance(-3600)
    assert vault.seconds_until_next_attempt() == 0.0


def test_a_damaged_count_gives_no_fresh_free_attempts(
    made, key_path: Path, clock: FakeClock
) -> None:
    vault, data_key, _ = made
    doc = read_doc(key_path)
    doc["attempts"] = {"failures": "none"}
    write_resealed(key_path, doc)
    assert vault.seconds_until_next_attempt() == 0.0
    _fail(vault)
    assert vault.seconds_until_next_attempt() == 2.0
    clock.advance(2)
    assert vault.unlock_with_passphrase("u-1", PASSPHRASE) == data_key


def test_deleting_a_side_file_does_not_reset_the_pause(made, key_path: Path, clock) -> None:
    vault, _, _ = made
    _fail(vault, FREE_FAILURES + 3, clock)
    assert vault.seconds_until_next_attempt() == 8.0
    for side in key_path.parent.iterdir():
        if side != key_path:  # the .attempts file of old, the lock file: anything but the keys
            side.unlink()
    reopened = KeyVault.load(key_path, clock=clock)
    with pytest.raises(TooManyAttemptsError):
        reopened.unlock_with_passphrase("u-1", PASSPHRASE)


def test_a_folder_in_place_of_the_attempts_file_does_not_switch_it_off(
    made, key_path: Path, clock: FakeClock
) -> None:
    vault, _, _ = made
    _attempts_file(key_path).mkdir()
    _fail(vault, FREE_FAILURES + 1, clock)
    with pytest.raises(TooManyAttemptsError):
        vault.unlock_with_passphrase("u-1", PASSPHRASE)


def test_a_folder_in_place_of_the_lock_refuses_before_any_derivation(
    made, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, _, _ = made
    lock = key_path.with_name(key_path.name + ".lock")
    lock.unlink(missing_ok=True)
    lock.mkdir()
    derivations = []
    monkeypatch.setattr(kdf_module, "argon2id", lambda *a: derivations.append(1) or b"x" * 32)
    with pytest.raises(DamagedFileError) as raised:
        vault.unlock_with_passphrase("u-1", PASSPHRASE)
    assert "is not a normal file" in str(raised.value)
    assert derivations == []


def test_a_count_left_by_the_old_side_file_is_carried_into_the_key_file(
    tmp_path: Path, clock: FakeClock
) -> None:
    key_path = tmp_path / "casebook.keys"
    shutil.copyfile(LEGACY, key_path)
    _attempts_file(key_path).write_text(
        json.dumps({"version": 1, "failures": FREE_FAILURES + 2, "last_failure": clock.now})
    )
    vault = KeyVault.load(key_path, clock=clock)
    assert vault.seconds_until_next_attempt() == 4.0
    clock.advance(4)
    with pytest.raises(WrongKeyError):
        vault.unlock_with_passphrase("1", WRONG)
    assert not _attempts_file(key_path).exists()
    assert read_doc(key_path)["attempts"]["failures"] == FREE_FAILURES + 3
