"""Key derivation for key slots: Argon2id for passphrases, HKDF for high-entropy secrets.

Passphrase slots use Argon2id with at least 64 MiB of memory. The number of passes is
calibrated once per process so that one derivation takes about half a second on this machine;
the chosen parameters are stored in each slot, so they can be raised later without losing old
slots.

The recovery key (160 random bits) and the keyring secret (256 random bits) use HKDF-SHA256.
A slow KDF only helps when the secret could be guessed; a secret with 160 or more random bits
cannot be searched however cheap each guess is (2**159 tries on average), so stretching it
would only slow down the user.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: Explicit, scary opt-in for the test suite: new passphrase slots get a tiny Argon2 cost.
INSECURE_TEST_KDF_ENV = "CASEBOOK_INSECURE_TEST_KDF"

MIN_MEMORY_KIB = 65_536  # 64 MiB: the floor for real passphrase slots
MIN_TIME_COST = 1
# Upper bounds also apply to slots read from disk, checked before any derivation, so a
# tampered key file cannot make unlocking hang or exhaust memory (a school laptop may have
# 4-8 GiB). Calibration never goes near them (64 MiB, at most 32 passes).
MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB
MAX_TIME_COST = 50
MAX_PARALLELISM = 16

MSG_TOO_MUCH_MEMORY = (
    "This key file asks for more memory than Casebook allows; it may have been tampered with."
)
MSG_TOO_MUCH_WORK = (
    "This key file asks for more work than Casebook allows; it may have been tampered with."
)

TARGET_SECONDS = 0.5
CALIBRATED_MIN_TIME_COST = 3  # RFC 9106's 64 MiB profile uses 3 passes
CALIBRATED_MAX_TIME_COST = 32

MATERIAL_LEN = 32
_HKDF_INFO = b"casebook-vault/v1/hkdf"


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost parameters (memory in KiB, passes, lanes)."""

    memory_kib: int
    time_cost: int
    parallelism: int

    def meets_floor(self) -> bool:
        """True when these parameters are strong enough for a real passphrase slot."""
        return self.memory_kib >= MIN_MEMORY_KIB and self.time_cost >= MIN_TIME_COST

    def is_sane(self) -> bool:
        """Within the bounds Argon2 accepts and that we are willing to run."""
        return (
            1 <= self.parallelism <= MAX_PARALLELISM
            and 8 * self.parallelism <= self.memory_kib <= MAX_MEMORY_KIB
            and 1 <= self.time_cost <= MAX_TIME_COST
        )


def bounds_problem(params: KdfParams) -> str | None:
    """A one-line message if stored parameters exceed what we run, else ``None``."""
    if params.memory_kib > MAX_MEMORY_KIB:
        return MSG_TOO_MUCH_MEMORY
    if params.time_cost > MAX_TIME_COST or params.parallelism > MAX_PARALLELISM:
        return MSG_TOO_MUCH_WORK
    return None


#: What new passphrase slots use when CASEBOOK_INSECURE_TEST_KDF=1. Never for real data.
INSECURE_TEST_PARAMS = KdfParams(memory_kib=8192, time_cost=1, parallelism=1)


def insecure_test_kdf_enabled() -> bool:
    """True only when the environment variable is set to exactly ``1``."""
    return os.environ.get(INSECURE_TEST_KDF_ENV) == "1"


def _default_parallelism() -> int:
    return max(2, min(4, os.cpu_count() or 2))


def _time_argon2(params: KdfParams) -> float:
    start = time.perf_counter()
    argon2id(b"calibration passphrase", b"calibration-salt", params)
    return time.perf_counter() - start


@functools.lru_cache(maxsize=4)
def calibrate(
    target_seconds: float = TARGET_SECONDS, memory_kib: int = MIN_MEMORY_KIB
) -> KdfParams:
    """Choose Argon2id passes so one derivation takes about ``target_seconds`` here.

    Runs a few short derivations; the result is cached for the life of the process, so it runs
    at most once (and only when a slot is created, never at unlock).
    """
    parallelism = _default_parallelism()
    one = min(_time_argon2(KdfParams(memory_kib, 1, parallelism)) for _ in range(2))
    three = min(_time_argon2(KdfParams(memory_kib, 3, parallelism)) for _ in range(2))
    per_pass = max((three - one) / 2, 1e-4)
    overhead = max(one - per_pass, 0.0)
    passes = round((target_seconds - overhead) / per_pass)
    passes = max(CALIBRATED_MIN_TIME_COST, min(CALIBRATED_MAX_TIME_COST, passes))
    return KdfParams(memory_kib=memory_kib, time_cost=passes, parallelism=parallelism)


def default_params() -> KdfParams:
    """Parameters for a new passphrase slot: calibrated, or tiny under the test variable."""
    if insecure_test_kdf_enabled():
        return INSECURE_TEST_PARAMS
    return calibrate()


def check_new_params(params: KdfParams) -> None:
    """Refuse parameters for a new passphrase slot that are below the floor.

    Raises ``ValueError`` (a programming error, not something a user typed). Below-floor
    parameters are only allowed while ``CASEBOOK_INSECURE_TEST_KDF=1``.
    """
    if not params.is_sane():
        raise ValueError(f"Argon2 parameters out of range: {params}")
    if not params.meets_floor() and not insecure_test_kdf_enabled():
        raise ValueError(
            f"Argon2 parameters below the floor ({MIN_MEMORY_KIB} KiB memory): {params}"
        )


def argon2id(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    """Derive 32 bytes of key material from a passphrase with Argon2id."""
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=MATERIAL_LEN,
        type=Type.ID,
    )


def hkdf(secret: bytes, salt: bytes) -> bytes:
    """Derive 32 bytes of key material from a high-entropy secret (see module docstring)."""
    return HKDF(algorithm=hashes.SHA256(), length=MATERIAL_LEN, salt=salt, info=_HKDF_INFO).derive(
        secret
    )
