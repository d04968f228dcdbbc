"""A persisted, growing pause after failed unlock attempts.

The first few mistakes are free. After that each failure doubles the pause (2 s, 4 s, 8 s ...)
up to five minutes. The count lives *inside the key file* (``"attempts"``), so deleting a
side file does not reset it, and a successful unlock clears it. Every attempt runs under an OS
file lock beside the key file (``casebook.keys.lock``): parallel guesses wait their turn, and
each sees the failures of those before it. If that lock cannot be taken (say a folder was put
in its place), no attempt is made at all.

What this can and cannot stop, honestly:

- It is a brake on guessing *through Casebook* (the app or ``casebook-admin``), including
  several copies run at once.
- It cannot stop someone who copies the casebook folder and guesses elsewhere, or who edits
  the key file's count back to zero or puts back an older copy of it. No MAC helps here: the
  count must be checked *before* anyone has unlocked, so whatever key would check a MAC is
  either available to the attacker too, or only available after a correct guess. Against
  that attacker the defence is the Argon2id cost of every guess (about half a second and
  64 MiB each) and a long passphrase; that is why passphrases have a strength floor.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casebook.vault.files import read_small_file

log = logging.getLogger(__name__)

FREE_FAILURES = 3
MAX_DELAY_SECONDS = 300.0
_MAX_COUNT = 10_000


@dataclass(frozen=True, slots=True)
class Attempts:
    """Consecutive failures and the time of the last one (seconds since the epoch)."""

    failures: int = 0
    last_failure: float = 0.0

    #: What a damaged or missing record counts as: no lock-out, but no fresh free attempts.
    @classmethod
    def unknown(cls) -> Attempts:
        return cls(FREE_FAILURES, 0.0)

    @classmethod
    def from_json(cls, raw: Any) -> Attempts:
        try:
            failures, last = raw["failures"], raw["last_failure"]
            if (
                not isinstance(failures, int)
                or isinstance(failures, bool)
                or not isinstance(last, int | float)
                or isinstance(last, bool)
                or not math.isfinite(last)
                or failures < 0
            ):
                raise ValueError("bad values")
        except (KeyError, TypeError, ValueError):
            log.warning("failed-attempt record damaged; treating as after the free failures")
            return cls.unknown()
        return cls(min(failures, _MAX_COUNT), float(last))

    def to_json(self) -> dict[str, Any]:
        return {"failures": self.failures, "last_failure": self.last_failure}

    def after_failure(self, now: float) -> Attempts:
        return Attempts(min(self.failures + 1, _MAX_COUNT), now)

    def seconds_to_wait(self, now: float) -> float:
        delay = delay_after(self.failures)
        if delay == 0.0 or now < self.last_failure:
            # No pause yet, or the clock went backwards: do not lock anyone out until it
            # catches up.
            return 0.0
        return max(0.0, min(delay, self.last_failure + delay - now))


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures."""
    if failures <= FREE_FAILURES:
        return 0.0
    exponent = min(failures - FREE_FAILURES, 32)
    return min(float(2**exponent), MAX_DELAY_SECONDS)


def wait_message(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        unit = "second" if whole == 1 else "seconds"
        return f"Too many wrong attempts. Please wait {whole} {unit}, then try again."
    minutes = math.ceil(whole / 60)
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many wrong attempts. Please wait {minutes} {unit}, then try again."


def legacy_path(key_file: Path) -> Path:
    """Where key files of format 1 kept the count: ``<key file>.attempts``."""
    return key_file.with_name(key_file.name + ".attempts")


def read_legacy(path: Path) -> Attempts:
    """The count from a format-1 ``.attempts`` file (read once, when such a key file loads)."""
    try:
        raw = read_small_file(path, 4096)
    except FileNotFoundError:
        return Attempts()
    except OSError:  # a folder in its place, no permission: no fresh free attempts
        return Attempts.unknown()
    if raw is None:
        return Attempts.unknown()
    try:
        doc = json.loads(raw)
    except ValueError:
        return Attempts.unknown()
    return Attempts.from_json(doc)
