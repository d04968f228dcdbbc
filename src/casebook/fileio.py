"""Every file Casebook writes goes through here: private, atomic, durable, and explained.

- :func:`atomic_writer` / :func:`atomic_write_bytes` / :func:`atomic_copy` replace a file so a
  crash, a full disk or a pulled USB drive leaves either the old file or the new one, never a
  mix: a temporary file in the same folder is written, flushed and fsynced, renamed over the
  target with ``os.replace``, then the folder is fsynced (not on Windows, which cannot open a
  folder for that). The temporary file is removed on every failure. Files are mode 0600.
- :func:`private_dir` / :func:`private_file` make folders 0700 and files 0600 on POSIX,
  whatever the umask. On Windows the user profile's ACL protects the data folder.
- :func:`explain_os_error` turns a disk fault into one calm line naming the real cause (disk
  full, read-only or no permission, folder unreachable), never "damaged".

The OS calls the writer makes go through :data:`ops`, so a test can put a failing device in
their place (as KeePassXC's FailDevice does) and prove that the old file survives.
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import BinaryIO

from casebook.errors import CasebookError

log = logging.getLogger(__name__)

#: Suffix of every temporary file this module writes (removed at the next open if left over).
TEMP_SUFFIX = ".partial"
COPY_CHUNK = 1024 * 1024
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class StorageFaultError(CasebookError):
    """A disk or media fault (full, read-only, unreachable). The file itself is not damaged."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        #: "full", "read-only", "unreachable" or "io" — for tests and the log, never shown.
        self.cause = cause


class FileOps:
    """The OS calls the atomic writer makes. Tests replace :data:`ops` with a failing one."""

    def write(self, fd: int, data: memoryview) -> int:
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def replace(self, source: str, target: str) -> None:
        os.replace(source, target)


ops = FileOps()

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_GONE = {errno.ENOENT, errno.EIO, errno.ENODEV, errno.ENXIO, getattr(errno, "ESTALE", errno.EIO),
         getattr(errno, "ENOMEDIUM", errno.EIO), errno.ENOTDIR}


def fault_message(cause: str, where: Path | str, what: str = "the change") -> str:
    """One line for a disk fault. ``where`` is a folder or file; ``what`` is what was not saved."""
    if cause == "full":
        return (f"The disk holding {where} is full, so {what} was not saved. Nothing saved "
                "before was lost. Free some space, then try again.")
    if cause == "read-only":
        return (f"Casebook cannot write in {where}: the drive is read-only, you do not have "
                "permission, or a file there is open in another program, so "
                f"{what} was not saved. Nothing saved before was lost.")
    if cause == "unreachable":
        return (f"{where} cannot be reached (was a USB or network drive removed?), so {what} "
                "was not saved. Nothing saved before was lost. Reconnect it, then try again.")
    return (f"The drive holding {where} reported a read or write error, so {what} was not "
            "saved. Check or reconnect the drive, then try again.")


def open_fault_message(cause: str, where: Path | str) -> str:
    """One line for a disk fault that stops a casebook being opened (nothing was changed)."""
    if cause == "full":
        return (f"The disk holding {where} is full, so the casebook could not be opened. "
                "Nothing was changed. Free some space, then try again.")
    if cause == "read-only":
        return (f"Casebook cannot open the casebook in {where}: the drive is read-only or you "
                "do not have permission to change files there. Nothing was changed.")
    if cause == "unreachable":
        return (f"{where} cannot be reached (was a USB or network drive removed?). Nothing was "
                "changed. Reconnect it, then try again.")
    return (f"The drive holding {where} reported a read or write error, so the casebook could "
            "not be opened. Nothing was changed. Check the drive, then try again.")


def classify_os_error(error: OSError) -> str:
    if error.errno in _FULL:
        return "full"
    if error.errno in _READ_ONLY:
        return "read-only"
    if error.errno in _GONE:
        return "unreachable" if error.errno != errno.EIO else "io"
    return "io"


def explain_os_error(error: OSError, where: Path | str, what: str = "the change"
                     ) -> StorageFaultError:
    """A :class:`StorageFaultError` for ``error`` (log gets the errno only, never a path)."""
    cause = classify_os_error(error)
    log.warning("disk fault: %s errno=%s", cause, error.errno)
    return StorageFaultError(fault_message(cause, where, what), cause)


def probe_folder(folder: Path) -> str | None:
    """Why a folder cannot be written, if it plainly cannot ("unreachable", "read-only")."""
    if not folder.is_dir():
        return "unreachable"
    if not os.access(folder, os.W_OK):
        return "read-only"
    return None


# ----- private files and folders --------------------------------------------------------------
def private_dir(folder: Path) -> Path:
    """Create ``folder`` (and parents) if needed and make it 0700 on POSIX."""
    folder = Path(folder)
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if os.name == "posix":
        # Best effort: a folder someone else owns, or a file system without modes (FAT, some
        # network shares), keeps what it has.
        with contextlib.suppress(OSError):
            os.chmod(folder, PRIVATE_DIR)
    return folder


def private_file(path: Path) -> None:
    """Make an existing file 0600 on POSIX (no-op if it is missing)."""
    if os.name == "posix":
        with contextlib.suppress(OSError):  # missing, not ours, or no modes on this drive
            os.chmod(path, PRIVATE_FILE)


def create_private_file(path: Path) -> None:
    """Create an empty file that is 0600 from its first moment (SQLite then keeps that mode
    for its -wal and -shm files). Fails if the file exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 PRIVATE_FILE)
    os.close(fd)
    private_file(path)


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose every file is 0600, whatever the umask."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        private_file(Path(self.baseFilename))
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


# ----- the atomic writer -------------------------------------------------------------------
def fsync_dir(directory: Path) -> None:
    """Make a rename durable. Windows cannot open a folder for this, so it is skipped there."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on folders; the data file is already synced
    finally:
        os.close(fd)


class _FdWriter(io.RawIOBase):
    """Raw writes to a descriptor through :data:`ops` (so a failing device can stand in)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += ops.write(self.fd, view[done:])
        return done


#: Pauses before retrying a refused rename (about 1.5 s in all).
REPLACE_RETRIES = (0.05, 0.1, 0.2, 0.4, 0.8)


def _replace_patiently(source: str, target: str) -> None:
    """``ops.replace``, retried briefly when refused: on Windows a rename over a file that
    another process is reading (an antivirus scan, another Casebook reading the key file) is
    refused until it lets go."""
    for pause in (*REPLACE_RETRIES, None):
        try:
            ops.replace(source, target)
            return
        except PermissionError:
            if pause is None:
                raise
            time.sleep(pause)


def temp_name_for(target: Path) -> str:
    return f".{target.name}."


@contextlib.contextmanager
def atomic_writer(target: Path | str, *, exclusive: bool = False) -> Iterator[BinaryIO]:
    """Yield a binary file; on a clean exit it replaces ``target`` atomically and durably.

    On any failure (in the body or in flush, fsync or rename) the temporary file is removed and
    ``target`` is left exactly as it was. With ``exclusive`` an existing target is never
    replaced (``FileExistsError``). OSErrors come out as they are; callers explain them.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if exclusive and target.exists():
        raise FileExistsError(errno.EEXIST, "exists", str(target))
    fd, tmp_name = tempfile.mkstemp(prefix=temp_name_for(target), suffix=TEMP_SUFFIX,
                                    dir=folder)  # mkstemp makes it 0600 whatever the umask
    handle: io.BufferedWriter | None = None
    try:
        raw = _FdWriter(fd)
        handle = io.BufferedWriter(raw, buffer_size=COPY_CHUNK)
        yield handle  # type: ignore[misc]
        handle.flush()
        ops.fsync(fd)
        handle.detach()
        handle = None
        os.close(fd)
        fd = -1
        if exclusive and target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target))
        _replace_patiently(tmp_name, str(target))
        tmp_name = ""
    finally:
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.detach()
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        if tmp_name:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    fsync_dir(folder)


def atomic_write_bytes(target: Path | str, data: bytes, *, exclusive: bool = False) -> None:
    with atomic_writer(target, exclusive=exclusive) as out:
        out.write(data)


def atomic_copy(source: Path | str, target: Path | str, *, exclusive: bool = False) -> None:
    """Copy ``source`` to ``target`` through the atomic writer (the copy is 0600)."""
    with open(source, "rb") as src, atomic_writer(target, exclusive=exclusive) as out:
        shutil.copyfileobj(src, out, COPY_CHUNK)


def remove_leftovers(folder: Path) -> int:
    """Delete temporary files a crash left in ``folder`` (call only while holding the writer
    lock, so no other writer's temporary file is taken). Returns how many were removed."""
    removed = 0
    if not folder.is_dir():
        return 0
    for leftover in folder.iterdir():
        name = leftover.name
        if not (name.endswith(TEMP_SUFFIX) or name.endswith((".partial-wal", ".partial-shm"))):
            continue
        with contextlib.suppress(OSError):
            if leftover.is_file():
                leftover.unlink()
                removed += 1
    if removed:
        log.info("removed %d leftover temporary file(s)", removed)
    return removed
