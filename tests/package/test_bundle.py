"""The frozen bundle on its own: no Python on PATH, no virtualenv, a near-empty environment.

The CLI goes through a casebook's whole life (init, case add, evidence add, export, backup,
restore, verify); the app opens the demo casebook offscreen and quits by itself with nothing
bad in its log; every shipped library finds its dependencies inside the bundle.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PASSPHRASE = "frozen smoke test passphrase 7"
EXE = ".exe" if sys.platform == "win32" else ""


def _bare_env(home: Path, **extra: str) -> dict[str, str]:
    """An `env -i` style environment: a home folder, and a PATH of one empty folder, so there
    is no Python (or anything else) to fall back on."""
    empty = home / "empty-bin"
    empty.mkdir(exist_ok=True)
    env = {"HOME": str(home), "PATH": str(empty), "LANG": "C.UTF-8",
           "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
    env.update(extra)
    assert shutil.which("python3", path=env["PATH"]) is None
    return env


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def _admin(bundle: Path, home: Path, data: Path, *args: str,
           expect: int = 0) -> subprocess.CompletedProcess[str]:
    env = _bare_env(home, CASEBOOK_PASSPHRASE=PASSPHRASE)
    result = subprocess.run([str(bundle / f"casebook-admin{EXE}"), "--data-dir", str(data),
                             *args], env=env, capture_output=True, text=True, timeout=300,
                            check=False, cwd=home)
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def test_frozen_cli_whole_life(bundle: Path, home: Path, tmp_path: Path) -> None:
    data = tmp_path / "book"
    out = _admin(bundle, home, data, "init", "--school", "Frozen Primary", "--jurisdiction",
                 "england", "--user", "Dee Ess")
    assert "Recovery key" in out.stdout
    ref = _admin(bundle, home, data, "case", "add", "--title", "Fake account",
                 "--type", "impersonation").stdout.strip()
    assert ref.startswith("CB-")
    shot = tmp_path / "note.txt"
    shot.write_text("a screenshot's description", encoding="utf-8")
    _admin(bundle, home, data, "evidence", "add", ref, str(shot), "--source", "parent email",
           "--confirm-no-indecent-images")
    pdf = tmp_path / "case.pdf"
    out = _admin(bundle, home, data, "export", ref, "--template", "case-file", "--out", str(pdf))
    assert "page(s)" in out.stdout
    assert pdf.read_bytes().startswith(b"%PDF")
    backup = tmp_path / "backups" / "one.db"
    _admin(bundle, home, data, "backup", str(backup))
    assert backup.is_file() and backup.with_name("one.db.keys").is_file()
    _admin(bundle, home, data, "case", "add", "--title", "After the backup", "--type", "other")
    out = _admin(bundle, home, data, "restore", str(backup))
    assert "restored" in out.stdout
    listing = _admin(bundle, home, data, "case", "list").stdout
    assert ref in listing and "After the backup" not in listing
    out = _admin(bundle, home, data, "verify")
    assert "Encryption check: ok" in out.stdout
    assert "Audit log: ok" in out.stdout
    assert "1 of 1 match" in out.stdout


def test_frozen_self_check_finds_data_schema_and_keyring(bundle: Path, home: Path) -> None:
    result = subprocess.run([str(bundle / f"casebook{EXE}"), "--self-check"],
                            env=_bare_env(home), capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(packaged)" in result.stdout
    assert "schema scripts: newest is" in result.stdout
    # The entry points shipped (PyInstaller needs the dist-info for that), and one was chosen.
    installed = next(line for line in result.stdout.splitlines()
                     if line.startswith("keyring backends installed:"))
    for name in ("SecretService", "Windows", "macOS", "chainer"):
        assert name in installed, installed
    assert "keyring in use: keyring.backends." in result.stdout
    assert "PROBLEM" not in result.stdout


def test_frozen_app_demo_offscreen_quits_cleanly(bundle: Path, home: Path) -> None:
    env = _bare_env(home, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([str(bundle / f"casebook{EXE}"), "--demo", "--quit-after-start"],
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    logs = list(home.rglob("casebook.log"))
    assert len(logs) == 1, logs
    log = logs[0].read_text(encoding="utf-8")
    assert "casebook started (demo)" in log
    assert "main window unlocked" in log
    assert "quitting as asked" in log
    for bad in (" ERROR ", " CRITICAL ", "Traceback"):
        assert bad not in log, log
    assert "Traceback" not in result.stderr
    assert "qt.qpa.plugin" not in result.stderr  # every Qt plugin it needs was shipped


def test_notices_ship_with_the_lgpl(bundle: Path) -> None:
    text = (bundle / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "Version 3, 29 June 2007" in text
    assert "replace them" in text  # how to swap the Qt libraries
    for name in ("SQLCipher", "OpenSSL", "pikepdf", "qpdf", "reportlab", "PySide6"):
        assert name in text, name


def test_migrations_and_resources_are_files_in_the_bundle(bundle: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    internal = bundle / "_internal"
    for path in (repo / "migrations" / "versions").glob("*.py"):
        assert (internal / "casebook" / "migrations" / "versions" / path.name).is_file(), path
    for path in (repo / "resources").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(repo / "resources")
            assert (internal / "casebook" / "resources" / rel).is_file(), rel


def test_every_shipped_library_resolves(bundle: Path) -> None:
    """Leaving out unused Qt parts must not leave a shipped library without a dependency.

    (`make package-check` runs on Linux; the Windows build is checked by build.ps1.)"""
    internal = bundle / "_internal"
    missing = []
    for path in internal.rglob("*.so*"):
        if not path.is_file() or path.is_symlink():
            continue
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False,
                                env={"LD_LIBRARY_PATH": f"{internal}:{internal}/PySide6/Qt/lib"})
        missing += [f"{path.relative_to(internal)}: {line.strip()}"
                    for line in result.stdout.splitlines() if "not found" in line]
    assert not missing, "\n".join(missing)


def test_unused_qt_parts_are_left_out(bundle: Path) -> None:
    names = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*")]
    assert not [n for n in names if "/translations/" in n or n.endswith(".qm")]
    for unused in ("Qt6Network", "Qt6Qml", "Qt6Quick", "QtNetwork", "libqgtk3", "libgtk-3"):
        assert not [n for n in names if unused in n.rsplit("/", 1)[-1]], unused
    for used in ("QtWidgets", "QtSvg", "QtPrintSupport", "libqxcb", "libqoffscreen",
                 "libqsvgicon"):
        assert [n for n in names if used in n.rsplit("/", 1)[-1]], used
