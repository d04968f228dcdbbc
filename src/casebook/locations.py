"""Is the casebook's folder somewhere that can lose changes? (network share, mapped network
drive, roaming or redirected profile folder, a synced cloud folder)

SQLite's locking and write-ahead log are only safe on a local disk, and a roaming profile or
OneDrive copies the file while it is open. :func:`location_warning` is pure (tested with
``PureWindowsPath``); :func:`describe_location` adds the facts only the running system knows
(drive type on Windows, file-system type on Linux) and is what the app calls.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

_ADVICE = ("Casebook is safest with its file on this computer's own disk; keep backups on the "
           "network instead. Your IT support can move it (see packaging/README.md).")

NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "sshfs", "fuse.sshfs",
                                 "9p", "afs", "davfs", "fuse.rclone", "glusterfs", "ceph"})


def _under(path: PureWindowsPath, base: str | None) -> bool:
    return bool(base) and path.is_relative_to(PureWindowsPath(base))  # type: ignore[arg-type]


def location_warning(folder: PurePath, environ: Mapping[str, str], *,
                     remote_drive: bool = False, filesystem: str = "") -> str | None:
    """A calm one-paragraph warning, or None when the folder is an ordinary local one.

    ``remote_drive``: Windows says the drive letter is a network drive (GetDriveType).
    ``filesystem``: the Linux/macOS file-system type of the folder (from the mount table).
    """
    if isinstance(folder, PureWindowsPath):
        drive = folder.drive.upper()
        long_form = drive.startswith(("\\\\?\\", "\\\\.\\"))
        if (drive.startswith("\\\\") and not long_form) or drive.startswith("\\\\?\\UNC\\"):
            return ("The casebook is in a network folder. If the network drops while you work, "
                    "recent changes can be lost, and two computers could open it at once. "
                    + _ADVICE)
        if remote_drive:
            return (f"The casebook is on {folder.drive}, which is a network drive. If the "
                    "network drops while you work, recent changes can be lost. " + _ADVICE)
        for var in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
            if _under(folder, environ.get(var)):
                return ("The casebook is in a OneDrive folder, which copies files to the "
                        "cloud while they are open. That can damage the casebook or leave "
                        "copies of it in the cloud. " + _ADVICE)
        if _under(folder, environ.get("APPDATA")) and not _under(
                folder, environ.get("LOCALAPPDATA")):
            return ("The casebook is in the roaming part of your profile, which Windows may "
                    "copy to the network when you sign in and out. Changes can be lost or "
                    "overwritten. " + _ADVICE)
        return None
    posix = PurePosixPath(folder)
    if str(posix).startswith("//") or filesystem.lower() in NETWORK_FILESYSTEMS:
        return ("The casebook is in a network folder. If the network drops while you work, "
                "recent changes can be lost, and two computers could open it at once. "
                + _ADVICE)
    return None


def _windows_remote_drive(path: Path) -> bool:  # pragma: no cover - Windows only
    import ctypes

    drive = os.path.splitdrive(os.path.abspath(path))[0]
    if not drive or drive.startswith("\\\\"):
        return False
    drive_remote = 4  # DRIVE_REMOTE
    return bool(ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == drive_remote)  # type: ignore[attr-defined]


def mount_filesystem(path: Path, mounts: str | None = None) -> str:
    """The file-system type of the mount that holds ``path`` (Linux ``/proc/self/mounts``)."""
    if mounts is None:
        try:
            mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    target = os.path.abspath(path)
    best, kind = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


def describe_location(folder: Path) -> str | None:
    """:func:`location_warning` for a real folder on this computer."""
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            pure: PurePath = PureWindowsPath(os.path.abspath(folder))
            return location_warning(pure, os.environ, remote_drive=_windows_remote_drive(folder))
        return location_warning(PurePosixPath(os.path.abspath(folder)), os.environ,
                                filesystem=mount_filesystem(folder))
    except (OSError, ValueError):
        return None
