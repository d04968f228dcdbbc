"""Nothing below the UI loads Qt: the services (and the admin CLI) run without PySide6."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

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
