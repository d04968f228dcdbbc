"""The Argon2 floor holds for real slots; only the explicit test variable lowers it."""

from __future__ import annotations

from pathlib import Path

import pytest
from vault_helpers import OTHER_PASSPHRASE, PASSPHRASE

from casebook.vault import INSECURE_TEST_KDF_ENV, MIN_MEMORY_KIB, KdfParams, KeyVault
from casebook.vault import kdf as kdf_module

TINY = KdfParams(memory_kib=8192, time_cost=1, parallelism=1)


@pytest.fixture
def real_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(INSECURE_TEST_KDF_ENV, raising=False)


@pytest.mark.usefixtures("real_kdf")
def test_real_default_slot_meets_the_floor(tmp_path: Path, monkeypatch) -> None:
    assert not kdf_module.insecure_test_kdf_enabled()
    path = tmp_path / "real.keys"
    vault, data_key, _ = KeyVault.create(path, "u-1", PASSPHRASE)
    params = vault.slot_params("u-1")
    assert params.memory_kib >= MIN_MEMORY_KIB == 65_536
    assert params.time_cost >= kdf_module.CALIBRATED_MIN_TIME_COST
    assert params.time_cost <= kdf_module.CALIBRATED_MAX_TIME_COST
    assert KeyVault.load(path).slot_params("u-1") == params

    # Unlocking uses the stored parameters and never calibrates.
    def no_calibration(*_args: object) -> float:
        raise AssertionError("calibration ran during unlock")

    monkeypatch.setattr(kdf_module, "_time_argon2", no_calibration)
    assert KeyVault.load(path).unlock_with_passphrase("u-1", PASSPHRASE) == data_key


@pytest.mark.usefixtures("real_kdf")
def test_asking_for_weaker_parameters_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "weak.keys"
    with pytest.raises(ValueError):
        KeyVault.create(path, "u-1", PASSPHRASE, kdf=TINY)
    assert not path.exists()
    with pytest.raises(ValueError):
        KeyVault.create(path, "u-1", PASSPHRASE, kdf=KdfParams(65_535, 40, 2))
    assert not path.exists()


def test_weaker_parameters_are_refused_for_added_and_changed_slots(
    made, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, data_key, _ = made
    monkeypatch.delenv(INSECURE_TEST_KDF_ENV)
    before = key_path.read_bytes()
    with pytest.raises(ValueError):
        vault.add_passphrase_slot(data_key, "u-2", OTHER_PASSPHRASE, kdf=TINY)
    with pytest.raises(ValueError):
        vault.change_passphrase(data_key, "u-1", OTHER_PASSPHRASE, kdf=TINY)
    assert key_path.read_bytes() == before


@pytest.mark.parametrize("value", ["", "0", "true", "yes", " 1"])
def test_only_exactly_1_enables_the_insecure_setting(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(INSECURE_TEST_KDF_ENV, value)
    assert not kdf_module.insecure_test_kdf_enabled()
    with pytest.raises(ValueError):
        kdf_module.check_new_params(TINY)


def test_the_test_variable_gives_tiny_parameters() -> None:
    assert kdf_module.insecure_test_kdf_enabled()
    assert kdf_module.default_params() == kdf_module.INSECURE_TEST_PARAMS
    assert kdf_module.default_params().memory_kib < MIN_MEMORY_KIB


@pytest.mark.usefixtures("real_kdf")
def test_calibration_is_cached_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    first = kdf_module.default_params()
    monkeypatch.setattr(kdf_module, "_time_argon2", lambda *_: pytest.fail("calibrated twice"))
    assert kdf_module.default_params() is first


@pytest.mark.parametrize(
    "params",
    [
        KdfParams(2**40, 1, 1),
        KdfParams(65_536, 0, 1),
        KdfParams(65_536, 1000, 1),
        KdfParams(65_536, 2, 0),
        KdfParams(65_536, 2, 64),
    ],
)
def test_out_of_range_parameters_are_refused_even_for_tests(params: KdfParams) -> None:
    with pytest.raises(ValueError):
        kdf_module.check_new_params(params)
