"""Where the casebook's folder is: network shares, mapped network drives, roaming profile
folders and OneDrive get a calm warning; ordinary local folders get none."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from casebook.locations import describe_location, location_warning, mount_filesystem

ENV = {"LOCALAPPDATA": r"C:\Users\ann.lee\AppData\Local",
       "APPDATA": r"C:\Users\ann.lee\AppData\Roaming",
       "USERPROFILE": r"C:\Users\ann.lee",
       "OneDrive": r"C:\Users\ann.lee\OneDrive - Oak Academy Trust",
       "OneDriveCommercial": r"C:\Users\ann.lee\OneDrive - Oak Academy Trust"}


@pytest.mark.parametrize("folder", [
    r"C:\Users\ann.lee\AppData\Local\Casebook\Casebook",
    r"D:\Casebook",
    r"C:\Users\ann.lee\Documents\Casebook",
    r"\\?\C:\Users\ann.lee\AppData\Local\Casebook\Casebook",
])
def test_local_windows_folders_need_no_warning(folder: str) -> None:
    assert location_warning(PureWindowsPath(folder), ENV) is None


@pytest.mark.parametrize(("folder", "words"), [
    (r"\\fileserver\staff$\dsl\Casebook", "network folder"),
    ("//fileserver/staff/Casebook", "network folder"),
    (r"\\?\UNC\fileserver\staff\Casebook", "network folder"),
    (r"C:\Users\ann.lee\AppData\Roaming\Casebook", "roaming part of your profile"),
    (r"C:\Users\ann.lee\OneDrive - Oak Academy Trust\Documents\Casebook", "OneDrive"),
])
def test_network_roaming_and_synced_windows_folders_are_named(folder: str, words: str) -> None:
    warning = location_warning(PureWindowsPath(folder), ENV)
    assert warning is not None and words in warning
    assert "\n" not in warning and "Traceback" not in warning
    assert "own disk" in warning  # says what to do, calmly


def test_a_mapped_network_drive_is_named_by_its_letter() -> None:
    warning = location_warning(PureWindowsPath(r"H:\Casebook"), ENV, remote_drive=True)
    assert warning is not None and "H:" in warning and "network drive" in warning
    assert location_warning(PureWindowsPath(r"H:\Casebook"), ENV, remote_drive=False) is None


def test_redirected_local_appdata_on_a_share_is_a_network_folder() -> None:
    env = dict(ENV, LOCALAPPDATA=r"\\profiles\ann.lee$\AppData\Local")
    folder = PureWindowsPath(r"\\profiles\ann.lee$\AppData\Local\Casebook\Casebook")
    assert "network folder" in (location_warning(folder, env) or "")


def test_posix_folders() -> None:
    assert location_warning(PurePosixPath("/home/ann/.local/share/Casebook"), {}) is None
    assert location_warning(PurePosixPath("//server/share/Casebook"), {}) is not None
    assert location_warning(PurePosixPath("/mnt/staff/Casebook"), {}, filesystem="cifs")
    assert location_warning(PurePosixPath("/mnt/staff/Casebook"), {}, filesystem="nfs4")
    assert location_warning(PurePosixPath("/home/ann"), {}, filesystem="ext4") is None


MOUNTS = """\
/dev/sda2 / ext4 rw,relatime 0 0
tmpfs /run tmpfs rw 0 0
//fileserver/staff /mnt/staff cifs rw,vers=3.0 0 0
fileserver:/home /mnt/home\\040dir nfs4 rw 0 0
"""


def test_mount_table_lookup_takes_the_deepest_mount() -> None:
    assert mount_filesystem(Path("/mnt/staff/dsl/Casebook"), MOUNTS) == "cifs"
    assert mount_filesystem(Path("/mnt/home dir/x"), MOUNTS) == "nfs4"
    assert mount_filesystem(Path("/mnt/staffroom"), MOUNTS) == "ext4"
    assert mount_filesystem(Path("/run/x"), MOUNTS) == "tmpfs"


def test_describe_location_on_this_machine(tmp_path: Path) -> None:
    assert describe_location(tmp_path) is None  # a local temporary folder
    assert describe_location(Path("/" + str(tmp_path))) is not None  # the same folder as //…
