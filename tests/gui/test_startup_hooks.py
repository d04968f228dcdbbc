"""Start-up from a source checkout: what the no-display message names, `make run` without a
display, the IT self-check, and the --quit-after-start hook the packaged smoke test uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from casebook.__main__ import program_path

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "MAKEFLAGS",
                        "MAKELEVEL", "MFLAGS")}
    env.update({"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "d"),
                "XDG_CONFIG_HOME": str(tmp_path / "config"), "CASEBOOK_INSECURE_TEST_KDF": "1"})
    env.update(extra)
    return env


def test_no_display_message_names_a_program_that_exists(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "casebook"], env=_env(tmp_path), cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    app = program_path("casebook")
    assert f"QT_QPA_PLATFORM=offscreen {app}" in result.stderr
    assert f"xvfb-run {app}" in result.stderr
    assert (Path.cwd() / app).exists()  # a real file, not a name that is not on PATH
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():
        assert ".venv/bin/casebook" in result.stderr.replace("\\", "/")
    assert "casebook-admin --help" in result.stderr
    assert "README.md" in result.stderr


def test_make_run_without_a_display_is_not_a_make_error(tmp_path: Path) -> None:
    result = subprocess.run(["make", "--no-print-directory", "run",
                             f"PYTHON={sys.executable}", f"PY={sys.executable}",
                             "STAMP=pyproject.toml"],
                            env=_env(tmp_path), cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "no display" in result.stderr
    assert "Error" not in result.stderr and "***" not in result.stderr


def test_self_check_from_source(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "casebook", "--self-check"],
                            env=_env(tmp_path), capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "schema scripts: newest is 0" in result.stdout
    assert "keyring backends installed: " in result.stdout and "SecretService" in result.stdout
    assert "keyring in use: keyring.backends." in result.stdout
    assert "PROBLEM" not in result.stdout


def test_quit_after_start_opens_the_demo_and_quits(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "casebook", "--demo", "--quit-after-start"],
                            env=_env(tmp_path, QT_QPA_PLATFORM="offscreen"),
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    log = next((tmp_path / "state").rglob("casebook.log")).read_text(encoding="utf-8")
    assert "main window unlocked" in log and "quitting as asked" in log
    assert "demo casebook removed" in log
    assert " ERROR " not in log


def test_the_app_has_its_icon(qapp) -> None:  # type: ignore[no-untyped-def]
    from casebook.ui.app import setup_application

    setup_application(qapp)
    assert not qapp.windowIcon().isNull()
    assert qapp.windowIcon().pixmap(32, 32).width() == 32
