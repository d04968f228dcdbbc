"""The Windows installer source builds with wixl (msitools) and its tables say what IT staff are
promised: per-user with no admin rights, under %LOCALAPPDATA%\\Programs, a Start-menu shortcut,
one upgrade code so a new version replaces the old, and nothing that touches the casebook's
data folder. The bundle here is a small fake folder laid out like the real one."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"
UPGRADE_CODE = "{6C2B3F0E-7A51-4D8B-9E2C-4F1A0B7D5C31}"
FAKE_FILES = ("casebook.exe", "casebook-admin.exe", "THIRD-PARTY-NOTICES.txt",
              "_internal/python311.dll", "_internal/PySide6/Qt6Core.dll",
              "_internal/casebook/migrations/versions/0001_initial_schema.py",
              "_internal/casebook/resources/templates/case file.json")


def _version() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(config["project"]["version"])


def _build(tmp: Path, version: str) -> Path:
    bundle = tmp / "dist" / "casebook"
    for rel in FAKE_FILES:
        path = bundle / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"fake {rel}".encode())
    files = tmp / "files.wxs"
    subprocess.run([sys.executable, str(WINDOWS / "harvest.py"), str(bundle), str(files)],
                   check=True)
    msi = tmp / f"Casebook-{version}.msi"
    # wixl resolves sources relative to where it runs (it refuses absolute ones).
    subprocess.run(["wixl", "-a", "x64", "-D", f"Version={version}", "-D",
                    "SourceDir=dist/casebook", "-o", str(msi),
                    str(WINDOWS / "casebook.wxs"), str(files)],
                   check=True, capture_output=True, text=True, cwd=tmp)
    return msi


def _table(msi: Path, name: str) -> list[dict[str, str]]:
    out = subprocess.run(["msiinfo", "export", str(msi), name], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    columns = out[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=False)) for line in out[3:] if line]


@pytest.fixture(scope="module")
def msi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("msi"), _version())


def test_version_and_upgrade_code(msi: Path) -> None:
    props = {r["Property"]: r["Value"] for r in _table(msi, "Property")}
    assert props["ProductVersion"] == _version()
    assert props["UpgradeCode"] == UPGRADE_CODE
    assert props["ProductName"] == "Casebook"
    upgrades = _table(msi, "Upgrade")
    assert {u["UpgradeCode"] for u in upgrades} == {UPGRADE_CODE}
    assert {u["ActionProperty"] for u in upgrades} == {"WIX_UPGRADE_DETECTED",
                                                       "WIX_DOWNGRADE_DETECTED"}
    actions = {r["Action"] for r in _table(msi, "InstallExecuteSequence")}
    assert {"FindRelatedProducts", "RemoveExistingProducts"} <= actions


def test_each_build_is_a_new_product_under_the_same_upgrade_code(msi: Path,
                                                                 tmp_path: Path) -> None:
    newer = _build(tmp_path, "9.8.7")
    old = {r["Property"]: r["Value"] for r in _table(msi, "Property")}
    new = {r["Property"]: r["Value"] for r in _table(newer, "Property")}
    assert new["ProductVersion"] == "9.8.7"
    assert new["UpgradeCode"] == old["UpgradeCode"]
    assert new["ProductCode"] != old["ProductCode"]  # MajorUpgrade replaces, not side by side


def test_per_user_with_no_admin_rights(msi: Path) -> None:
    props = {r["Property"]: r["Value"] for r in _table(msi, "Property")}
    assert props["ALLUSERS"] == "2"
    assert props["MSIINSTALLPERUSER"] == "1"
    info = subprocess.run(["msiinfo", "suminfo", str(msi)], check=True, capture_output=True,
                          text=True).stdout
    word_count = int(re.search(r"^Source: (\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert word_count & 8  # "elevated privileges are not required"
    assert "x64" in info


def test_installs_under_programs_with_a_start_menu_shortcut(msi: Path) -> None:
    dirs = {r["Directory"]: r for r in _table(msi, "Directory")}
    assert dirs["INSTALLDIR"]["Directory_Parent"] == "ProgramFiles64Folder"
    assert dirs["INSTALLDIR"]["DefaultDir"] == "Casebook"
    shortcuts = _table(msi, "Shortcut")
    assert len(shortcuts) == 1
    assert shortcuts[0]["Directory_"] == "ProgramMenuFolder"
    assert shortcuts[0]["Target"] == "[INSTALLDIR]casebook.exe"
    registry = _table(msi, "Registry")
    assert all(r["Root"] == "1" for r in registry)  # HKCU only: nothing machine-wide


def test_every_bundle_file_is_installed_inside_the_install_folder(msi: Path) -> None:
    dirs = {r["Directory"]: r for r in _table(msi, "Directory")}

    def under_installdir(directory: str) -> bool:
        while directory:
            if directory == "INSTALLDIR":
                return True
            directory = dirs[directory]["Directory_Parent"]
        return False

    components = {r["Component"]: r for r in _table(msi, "Component")}
    files = _table(msi, "File")
    assert sorted(f["FileName"] for f in files) == sorted(Path(p).name for p in FAKE_FILES)
    for row in files:
        assert under_installdir(components[row["Component_"]]["Directory_"]), row


def test_nothing_touches_the_casebook_data_folder(msi: Path) -> None:
    """The data lives in %LOCALAPPDATA%\\Casebook: the package must not know it exists."""
    dirs = _table(msi, "Directory")
    names = {r["Directory"] for r in dirs}
    assert not names & {"LocalAppDataFolder", "AppDataFolder", "PersonalFolder",
                        "CommonAppDataFolder"}
    assert _table(msi, "RemoveFile") == []
    assert _table(msi, "CustomAction") == []
    assert _table(msi, "CreateFolder") == []
    for row in _table(msi, "Registry"):
        assert row["Key"].startswith("Software\\Casebook\\Installer")
