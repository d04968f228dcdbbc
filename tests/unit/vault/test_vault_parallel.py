"""Parallel guesses from several processes are checked one at a time against the pause."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

from vault_helpers import PASSPHRASE, read_doc, write_resealed

from casebook.vault import INSECURE_TEST_KDF_ENV, KdfParams, KeyVault
from casebook.vault.attempts import FREE_FAILURES, MAX_DELAY_SECONDS

GUESSERS = 6


def _guess(key_path: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    from casebook.errors import TooManyAttemptsError, WrongKeyError

    os.environ[INSECURE_TEST_KDF_ENV] = "1"
    vault = KeyVault.load(Path(key_path))
    barrier.wait()
    try:
        vault.unlock_with_passphrase("u-1", "a wrong guess from outside")
    except WrongKeyError:
        results.put("checked")
    except TooManyAttemptsError:
        results.put("paused")
    except Exception as exc:  # reported to the test, not swallowed
        results.put(f"error {type(exc).__name__}: {exc}")


def test_parallel_guesses_wait_their_turn_and_see_the_pause(tmp_path: Path) -> None:
    key_path = tmp_path / "casebook.keys"
    # A real-cost slot (64 MiB), so unserialised guesses would overlap for certain.
    KeyVault.create(key_path, "u-1", PASSPHRASE,
                    kdf=KdfParams(memory_kib=65_536, time_cost=2, parallelism=1))
    # Many failures long ago: the next guess is allowed, and after it a 5-minute pause.
    doc = read_doc(key_path)
    doc["attempts"] = {"failures": FREE_FAILURES + 20, "last_failure": time.time() - 3600}
    write_resealed(key_path, doc)

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(GUESSERS)
    results = context.Queue()
    workers = [context.Process(target=_guess, args=(str(key_path), barrier, results))
               for _ in range(GUESSERS)]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert outcomes == ["checked"] + ["paused"] * (GUESSERS - 1)
    after = KeyVault.load(key_path)
    assert after.failed_attempts() == FREE_FAILURES + 21
    assert after.seconds_until_next_attempt() > MAX_DELAY_SECONDS - 60
