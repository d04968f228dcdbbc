"""Issue #13, start-up: the unlock window comes up before anything heavy is imported, the
heavy modules and the screens' modules load afterwards (off the GUI thread's critical path),
and the first unlock finds its workspace already built."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gui_defaults import PASSPHRASE
from PySide6.QtCore import Qt

from casebook.services import Casebook
from casebook.ui.app import WARM_UI_MODULES, CasebookApp
from casebook.ui.main_window import MainWindow

#: Nothing of these may be imported before the unlock window is painted: the database and its
#: ORM, the PDF makers, the key vault (Argon2, cryptography, keyring), the services and the
#: screens behind the unlock, the domain's dataclasses and the profiles' TOML.
HEAVY = ("sqlalchemy", "alembic", "sqlcipher3", "reportlab", "pikepdf", "pypdfium2", "argon2",
         "cryptography", "keyring", "casebook.services", "casebook.storage", "casebook.vault",
         "casebook.reports", "casebook.profiles", "casebook.domain.models",
         "casebook.domain.people", "casebook.ui.cases", "casebook.ui.dashboard",
         "casebook.ui.checklist", "casebook.ui.tracker", "casebook.ui.official_accounts",
         "casebook.ui.learners", "casebook.ui.settings", "casebook.ui.export",
         "casebook.ui.firstrun", "casebook.ui.widgets.date_field", "casebook.ui.kit.charts",
         "logging.handlers")

#: PySide classes whose enums take long to build (the ``Qt`` namespace's 95, about 16 ms on two
#: cores; QStyle's, about 6 ms; the dialogs'): none is built before the unlock window is painted
#: (casebook.ui.kit.by_name). PySide creates a class in its module the first time it is used.
SLOW_QT_CLASSES = {"PySide6.QtCore": ["Qt"],
                   "PySide6.QtWidgets": ["QStyle", "QMessageBox", "QFileDialog"]}

#: Runs the real app (``python -m casebook --quit-after-start``) and prints, when the unlock
#: window has been painted, which of the heavy modules and slow Qt classes were loaded by then;
#: and at exit.
APP_AT_FIRST_PAINT = """
import json, sys
import casebook.ui.app as shell
from casebook.ui.kit.paint import after_next_paint

heavy = json.loads(sys.argv.pop(1))
slow_qt = json.loads(sys.argv.pop(1))
loaded = lambda: sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".")
                                                      for h in heavy))
built = lambda: sorted(f"{module}.{name}" for module, names in slow_qt.items()
                       for name in names if name in vars(sys.modules[module]))
quit_when_started = shell._quit_when_started

def watched(app, controller, first):
    page = first.stack.currentWidget()
    compact = lambda names: json.dumps(names, separators=(",", ":"))
    from PySide6.QtWidgets import QApplication
    styled = lambda: sorted(type(w).__name__ for w in QApplication.allWidgets() if w.styleSheet())
    after_next_paint(page, lambda: print("painted", type(page).__name__, compact(loaded()),
                                          compact(built()), compact(styled()), flush=True))
    quit_when_started(app, controller, first)

shell._quit_when_started = watched
from casebook.__main__ import main
code = main(sys.argv[1:])
print("at exit", json.dumps(loaded()), flush=True)
from casebook.ui.kit.fonts import register_fonts
print("fonts added after exit", json.dumps(register_fonts()), flush=True)  # none: added after paint
sys.exit(code)
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update({"QT_QPA_PLATFORM": "offscreen", "XDG_STATE_HOME": str(tmp_path / "state"),
                "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_CONFIG_HOME": str(tmp_path / "c"),
                "CASEBOOK_INSECURE_TEST_KDF": "1"})
    return env


def _loaded_heavy(code: str, tmp_path: Path) -> list[str]:
    script = (f"import sys, json; heavy = {list(HEAVY)!r}; {code}; print(json.dumps(sorted("
              "m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy))))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True, env=_env(tmp_path))
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_unlock_window_modules_import_nothing_heavy(tmp_path: Path) -> None:
    code = ("import casebook.__main__, casebook.ui.app, casebook.ui.main_window, "
            "casebook.ui.unlock, casebook.ui.unlock.unlock_panel, casebook.ui.kit, "
            "casebook.domain, casebook.errors, casebook.paths, casebook.logfile")
    assert _loaded_heavy(code, tmp_path) == []


def test_the_check_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check above would notice: the same subprocess, one screen imported."""
    assert "casebook.ui.dashboard.view" in _loaded_heavy("import casebook.ui.dashboard.view",
                                                         tmp_path)


def test_the_slow_qt_classes_check_sees_one_built(tmp_path: Path) -> None:
    """What the running-app test below reads: a class appears in its module once used."""
    script = ("import sys, json; import PySide6.QtCore, PySide6.QtWidgets; "
              f"slow = {SLOW_QT_CLASSES!r}; "
              "built = lambda: [n for m, names in slow.items() for n in names "
              "if n in vars(sys.modules[m])]; before = built(); "
              "import casebook.ui.kit.charts; print(json.dumps([before, built()]))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True, env=_env(tmp_path))
    before, after = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == [] and "Qt" in after  # the charts name Qt at import


def test_the_running_app_paints_the_unlock_window_before_anything_heavy(
        tmp_path: Path, casebook_dir: Path) -> None:
    Casebook.create(casebook_dir, school="Testbridge", jurisdiction="england",
                    user_name="Jo", passphrase=PASSPHRASE)[0].lock()
    result = subprocess.run(
        [sys.executable, "-c", APP_AT_FIRST_PAINT, json.dumps(HEAVY),
         json.dumps(SLOW_QT_CLASSES), "--data-dir",
         str(casebook_dir), "--quit-after-start"],
        capture_output=True, text=True, timeout=180, check=False, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    painted = next(line for line in lines if line.startswith("painted "))
    _, page, modules, qt_classes, styled = painted.split(" ", 4)
    assert page == "UnlockPanel"
    assert json.loads(modules) == []
    assert json.loads(qt_classes) == []
    assert json.loads(styled) == []  # a style sheet starts Qt's style sheet engine: ~7 ms
    assert "casebook: first window shown" in lines  # --quit-after-start's line, same paint
    at_exit = json.loads(next(line for line in lines if line.startswith("at exit "))[8:])
    assert "casebook.services" in at_exit and "sqlalchemy" in at_exit  # warmed up after
    assert "fonts added after exit []" in lines  # the app added the bundled fonts itself
    # What was logged before the window (held in memory) is in the log file, in order.
    log = next((tmp_path / "state").rglob("casebook.log")).read_text(encoding="utf-8")
    assert log.index("casebook started") < log.index("quitting as asked")


@pytest.mark.watch_stalls
def test_the_warm_up_builds_the_workspace_and_the_first_unlock_uses_it(
        qtbot, casebook_dir: Path) -> None:
    book = Casebook.create(casebook_dir, school="Testbridge", jurisdiction="england",
                           user_name="Jo", passphrase=PASSPHRASE)[0]
    book.cases.create("Fake account using the crest", "impersonation")
    book.lock()
    app = CasebookApp(casebook_dir)
    window = app.start()  # the warm-up runs on the event loop's turns: in the wait below
    qtbot.addWidget(window)
    with qtbot.waitSignal(app.warmed_up, timeout=60_000):
        pass
    assert isinstance(window, MainWindow)
    assert all(name in sys.modules for name in WARM_UI_MODULES)
    # Built while locked, and still locked: the unlock screen shows, nothing is open.
    tabs, case_list = window.tabs, window.case_list
    assert tabs is not None and case_list is not None
    assert window.casebook is None
    assert window.stack.currentWidget() is window.unlock_panel
    assert not window.workspace.isVisible()
    assert not any(action.isEnabled() for action in window.unlocked_actions)

    panel = window.unlock_panel
    assert not panel.busy  # nothing remembered on this computer: no keyring try to wait for
    qtbot.keyClicks(panel.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=20_000):
        qtbot.keyClick(panel.passphrase_edit, Qt.Key.Key_Return)
    assert window.tabs is tabs and window.case_list is case_list  # the one built ahead
    dashboard = window.fixed_views["dashboard"]
    assert window.tabs.currentWidget() is dashboard
    qtbot.waitUntil(lambda: dashboard.snapshot is not None, timeout=20_000)
    qtbot.waitUntil(lambda: case_list.model.rowCount() == 1, timeout=20_000)  # read after
    window.close()
    app.shutdown()


def test_the_bundled_fonts_are_added_once(qapp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from casebook.ui.kit import fonts

    monkeypatch.setattr(fonts, "_registered", False)  # as in a new process
    added = fonts.register_fonts()
    assert {"DejaVu Sans", "DejaVu Sans Mono"} <= set(added)
    assert fonts.register_fonts() == []
