"""A persisted, growing pause after failed unlock attempts.

The first few mistakes are free. After that each failure doubles the pause (2 s, 4 s, 8 s ...)
up to five minutes. The count lives in a small JSON file beside the key-slot file so closing
and reopening Casebook does not reset it; a successful unlock does.

This is a brake on guessing through the app. It cannot stop someone who copies the files and
attacks them elsewhere: that is what the Argon2 cost is for.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from pathlib import Path

from casebook.domain.errors import TooManyAttemptsError
from casebook.vault.files import atomic_write_bytes, read_small_file

log = logging.getLogger(__name__)

FREE_FAILURES = 3
MAX_DELAY_SECONDS = 300.0
_VERSION = 1
_MAX_COUNT = 10_000


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures."""
    if failures <= FREE_FAILURES:
        return 0.0
    exponent = min(failures - FREE_FAILURES, 32)
    return min(float(2**exponent), MAX_DELAY_SECONDS)


def _wait_message(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        unit = "second" if whole == 1 else "seconds"
        return f"Too many wrong attempts. Please wait {whole} {unit}, then try again."
    minutes = math.ceil(whole / 60)
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many wrong attempts. Please wait {minutes} {unit}, then try again."


class AttemptCounter:
    """Failure count and time of the last failure, stored in ``path``."""

    def __init__(self, path: Path, clock: Callable[[], float]) -> None:
        self.path = Path(path)
        self._clock = clock

    def _read(self) -> tuple[int, float]:
        try:
            raw = read_small_file(self.path, 4096)
        except FileNotFoundError:
            return 0, 0.0
        except OSError:
            log.warning("attempts file unreadable; treating as after the free failures")
            return FREE_FAILURES, 0.0
        try:
            if raw is None:
                raise ValueError("too large")
            doc = json.loads(raw)
            failures = doc["failures"]
            last = doc["last_failure"]
            if (
                not isinstance(failures, int)
                or isinstance(failures, bool)
                or not isinstance(last, int | float)
                or not math.isfinite(last)
                or failures < 0
            ):
                raise ValueError("bad values")
        except (ValueError, KeyError, TypeError):
            # Damaged: do not lock anyone out, but do not give fresh free attempts either.
            log.warning("attempts file damaged; treating as after the free failures")
            return FREE_FAILURES, 0.0
        return min(failures, _MAX_COUNT), float(last)

    def failures(self) -> int:
        return self._read()[0]

    def seconds_to_wait(self) -> float:
        failures, last = self._read()
        delay = delay_after(failures)
        if delay == 0.0:
            return 0.0
        now = self._clock()
        if now < last:
            # The clock went backwards; do not lock the user out until it catches up.
            return 0.0
        return max(0.0, min(delay, last + delay - now))

    def check(self) -> None:
        """Raise ``TooManyAttemptsError`` while a pause is running."""
        wait = self.seconds_to_wait()
        if wait > 0:
            raise TooManyAttemptsError(_wait_message(wait), wait)

    def record_failure(self) -> None:
        failures, _ = self._read()
        doc = {"version": _VERSION, "failures": failures + 1, "last_failure": self._clock()}
        try:
            atomic_write_bytes(self.path, json.dumps(doc).encode("ascii"))
        except OSError:
            log.warning("could not record a failed unlock attempt")

    def record_success(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not reset the failed-attempt counter")
