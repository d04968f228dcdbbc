"""Nothing below the UI loads Qt: the services (and the admin CLI) run without PySide6."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

CHILD = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules
                        if m.split(".")[0] in ("PySide6", "shiboken6", "casebook"))))
"""


def _headless_modules() -> list[str]:
    names = ["casebook.services", "casebook.storage.engine", "casebook.storage.maintenance",
             "casebook.storage.migrate", "casebook.vault", "casebook.domain"]
    if importlib.util.find_spec("casebook.cli") is not None:
        names.append("casebook.cli")
    return names


def test_services_and_cli_do_not_load_qt() -> None:
    names = _headless_modules()
    done = subprocess.run([sys.executable, "-c", CHILD, *names], capture_output=True, text=True,
                          timeout=120, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(names) <= set(loaded), "the child should have imported every module named"
    qt = [m for m in loaded if m.split(".")[0] in ("PySide6", "shiboken6")]
    assert qt == [], f"Qt was loaded by: {names}"
    assert not [m for m in loaded if m.startswith("casebook.ui")]


# --------------------------------------------------------------------------- screens

UI = Path(__file__).resolve().parents[2] / "src" / "casebook" / "ui"
#: Shared pieces every screen may use; everything else under ui/ that is a package is a screen.
SHARED = {"kit", "widgets", "models", "worker", "prompts", "autolock", "about"}
#: A screen that embeds another screen's widget, listed on purpose (composition, not helpers).
#: Helpers never belong here: they go in ui/kit.
EMBEDS = {
    ("cases", "evidence"), ("cases", "export"), ("cases", "wizard"),
    ("wizard", "cases"), ("wizard", "evidence"), ("settings", "firstrun"),
}


def _imports(source: str) -> list[str]:
    """Every module an ``import`` or ``from … import`` names, at any depth of the file."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def layering_faults(screen: str, source: str) -> list[str]:
    """What a module of ``screen`` (a package under ui/) imports that it must not."""
    faults = []
    for name in _imports(source):
        parts = name.split(".")
        if parts[:2] != ["casebook", "ui"] or len(parts) < 3:
            continue
        target = parts[2]
        if target == "app":
            faults.append(f"{screen} imports casebook.ui.app (take shared pieces from ui.kit)")
        elif (target != screen and target not in SHARED and (UI / target).is_dir()
              and (screen, target) not in EMBEDS):
            faults.append(f"{screen} imports another screen's module: {name}")
    return sorted(set(faults))


def _screens() -> list[str]:
    return sorted(p.name for p in UI.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name not in SHARED)


def test_no_screen_imports_the_app_module_or_another_screen() -> None:
    faults = []
    for screen in _screens():
        for path in (UI / screen).rglob("*.py"):
            faults += layering_faults(screen, path.read_text(encoding="utf-8"))
    for shared in ("kit", "widgets", "models"):
        for path in (UI / shared).rglob("*.py"):
            faults += [f for f in layering_faults(shared, path.read_text(encoding="utf-8"))
                       if "casebook.ui.app" in f]
    assert faults == []


def test_the_layering_check_catches_a_screen_that_breaks_the_rules() -> None:
    assert "tracker" in _screens() and "dashboard" in _screens()
    bad = ("from casebook.ui.app import user_message\n"
           "def later():\n    from casebook.ui.dashboard.view import DashboardView\n"
           "import casebook.ui.checklist.view\n")
    assert layering_faults("tracker", bad) == [
        "tracker imports another screen's module: casebook.ui.checklist.view",
        "tracker imports another screen's module: casebook.ui.dashboard.view",
        "tracker imports another screen's module: casebook.ui.dashboard.view.DashboardView",
        "tracker imports casebook.ui.app (take shared pieces from ui.kit)",
    ]
    assert layering_faults("tracker", "from casebook.ui.kit import Op\n") == []
