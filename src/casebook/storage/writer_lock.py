"""One writer at a time: an OS file lock held while a casebook is open for writing.

``casebook.db.lock`` carries the OS lock (``filelock``: ``flock`` on POSIX, ``LockFileEx`` on
Windows; on a file system without OS locks filelock falls back to a marker file with its own
stale-owner check). The OS drops the lock when the holding process ends, however it ends, so a
crash never leaves the casebook locked for good.

``casebook.db.lock-owner`` beside it says who holds it — user display name, host name, pid and
since when — so another app or ``casebook-admin`` can say "Open by A. Smith on OAK-LAPTOP-3
since 09:14". It is written atomically, holds no case text and is removed on release. An owner
file found when the lock is free was left by a process that ended without closing (a crash):
it is recognised as stale, logged, and replaced.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filelock

from casebook import fileio
from casebook.errors import CasebookInUseError

log = logging.getLogger(__name__)

OWNER_LIMIT = 4096


@dataclass(frozen=True)
class LockOwner:
    user: str
    host: str
    pid: int
    since: datetime

    @classmethod
    def here(cls, user: str) -> LockOwner:
        return cls(user=user, host=socket.gethostname(), pid=os.getpid(),
                   since=datetime.now().replace(microsecond=0))

    def to_json(self) -> bytes:
        return json.dumps({"user": self.user, "host": self.host, "pid": self.pid,
                           "since": self.since.isoformat()}).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> LockOwner | None:
        try:
            raw = json.loads(data.decode("utf-8"))
            return cls(user=str(raw["user"])[:200], host=str(raw["host"])[:200],
                       pid=int(raw["pid"]), since=datetime.fromisoformat(str(raw["since"])))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None

    def describe(self) -> str:
        """'Open by A. Smith on OAK-LAPTOP-3 since 09:14' (with the date if not today)."""
        when = (f"{self.since:%H:%M}" if self.since.date() == datetime.now().date()
                else f"{self.since:%H:%M} on {self.since:%d %b %Y}")
        return f"Open by {self.user or 'someone'} on {self.host or 'another computer'} since {when}"

    def on_this_host(self) -> bool:
        return self.host == socket.gethostname()


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running on this computer."""
    if pid <= 0:
        return False
    if os.name == "nt":
        import ctypes  # Windows only: OpenProcess succeeds only for a live process

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


class WriterLock:
    """The single-writer lock of the casebook at ``database``."""

    def __init__(self, database: Path) -> None:
        database = Path(database)
        self.path = database.with_name(database.name + ".lock")
        self.owner_path = database.with_name(database.name + ".lock-owner")
        self._lock = filelock.FileLock(self.path, mode=fileio.PRIVATE_FILE, thread_local=False,
                                       is_singleton=False)
        self.owner: LockOwner | None = None

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def read_owner(self) -> LockOwner | None:
        try:
            with open(self.owner_path, "rb") as handle:
                data = handle.read(OWNER_LIMIT + 1)
        except OSError:
            return None
        return None if len(data) > OWNER_LIMIT else LockOwner.from_json(data)

    def acquire(self, user: str, *, wait: float = 0,
                on_wait: Callable[[str], None] | None = None) -> None:
        """Take the lock for ``user`` or raise :class:`CasebookInUseError` saying who has it.

        ``wait`` is how many seconds to wait for it (0: do not wait); if it is held at first,
        ``on_wait`` is told who holds it ("Open by … since …") before the wait begins.
        """
        if self.held:
            self.set_user(user)
            return
        try:
            try:
                self._lock.acquire(timeout=0)
            except filelock.Timeout:
                if wait <= 0:
                    raise
                if on_wait is not None:
                    owner = self.read_owner()
                    on_wait(owner.describe() if owner else
                            "Open in another Casebook window or command")
                self._lock.acquire(timeout=wait, poll_interval=0.1)
        except filelock.Timeout:
            raise self._in_use() from None
        except OSError as exc:
            cause = fileio.classify_os_error(exc)
            log.warning("writer lock not taken: %s errno=%s", cause, exc.errno)
            raise fileio.StorageFaultError(
                fileio.open_fault_message(cause, self.path.parent), cause) from None
        try:
            left = self.read_owner()
            if left is not None and (left.pid, left.host) != (os.getpid(), socket.gethostname()):
                gone = "gone" if left.on_this_host() and not process_alive(left.pid) else "unknown"
                log.warning("took over a writer lock left without closing (process %s, %s)",
                            left.pid, gone)
            self.set_user(user)
        except BaseException:
            self.release()
            raise

    def set_user(self, user: str) -> None:
        """Record who holds the lock (e.g. once the signed-in user's name is known)."""
        owner = LockOwner.here(user)
        if self.owner is not None:
            owner = LockOwner(user, owner.host, owner.pid, self.owner.since)
        try:
            fileio.atomic_write_bytes(self.owner_path, owner.to_json())
        except OSError as exc:
            # The OS lock still holds; only the "who" is missing (a full or read-only disk
            # must not stop someone reading their casebook). Others are told "someone".
            log.warning("lock owner not recorded: errno=%s", exc.errno)
            with contextlib.suppress(OSError):
                self.owner_path.unlink()
        self.owner = owner

    def release(self) -> None:
        """Drop the lock and its owner file. Safe to call when not held."""
        if not self.held:
            return
        with contextlib.suppress(OSError):
            self.owner_path.unlink()
        self.owner = None
        self._lock.release(force=True)

    def _in_use(self) -> CasebookInUseError:
        owner = self.read_owner()
        if owner is None:
            return CasebookInUseError(
                "This casebook is open in another Casebook window or command. Close it there, "
                "then try again.", None)
        if owner.on_this_host() and not process_alive(owner.pid):
            return CasebookInUseError(
                f"{owner.describe()}, and that program has stopped but still holds the file. "
                "Close any other Casebook windows, or restart the computer, then try again.",
                owner)
        return CasebookInUseError(
            f"{owner.describe()}. Close it there, then try again.", owner)

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
