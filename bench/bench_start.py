"""Benchmark: how long until the unlock window is up, and from unlocking to the dashboard.

    .venv/bin/python bench/bench_start.py --data bench/data [--runs 7]

1. **Cold start** (issue #13: at most 1.5x a bare PySide6 window). Each run spawns a new
   Python: ``python -m casebook --data-dir <casebook> --quit-after-start``, timed until it
   prints that its first window (the unlock window) is shown, against a script that only
   shows an empty ``QWidget`` the same way. The two take turns, run by run (load from other
   processes falls on both alike); the table gives medians. "Cold-ish": the files are in the
   OS cache after the first run, as on a laptop where Casebook was opened earlier that day.
   Also printed: the modules loaded before the unlock window (``-X importtime``, GUI thread
   and the worker's warm-up together), heaviest first.
2. **Unlock to dashboard** (at most the key derivation + 250 ms). In one offscreen process:
   the main window's unlock screen, the passphrase typed, then the time from pressing Unlock
   until the dashboard has loaded its figures, against the key derivation alone
   (``KeyVault.unlock_with_passphrase``: Argon2id and unwrapping the data key), and each
   unlock's own derivation is timed inside it, so the time beyond it is exact. The heavy
   modules are imported first, as the app does on its worker thread while the user types.

``--data`` is a dataset made by generate.py (its passphrase is in dataset.json), or any
folder with ``casebook/`` and ``--passphrase``. Unlocking writes to it (the unlock is audited),
so never point it at a dataset that others are measuring.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casebook.ui.main_window import MainWindow

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.setWindowTitle("bare")
window.resize(640, 480)
window.show()
def shown():
    print("bare: first window shown", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

SHOWN = "first window shown"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def time_to_window(command: list[str]) -> float:
    """Seconds from spawning ``command`` until it prints that its first window is shown."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=_env(), text=True)
    assert process.stdout is not None
    elapsed = float("nan")
    for line in process.stdout:
        if SHOWN in line:
            elapsed = time.perf_counter() - start
            break
    process.communicate(timeout=120)
    if process.returncode != 0 or elapsed != elapsed:
        raise SystemExit(f"{command[-1]} did not start cleanly (exit {process.returncode})")
    return elapsed


def cold_start(casebook: Path, runs: int) -> tuple[list[float], list[float]]:
    app = [sys.executable, "-m", "casebook", "--data-dir", str(casebook), "--quit-after-start"]
    bare = [sys.executable, "-c", BARE]
    app_times: list[float] = []
    bare_times: list[float] = []
    time_to_window(bare)  # both programs' files into the OS cache once
    time_to_window(app)
    for run in range(runs):
        pair = ((bare, bare_times), (app, app_times))
        for command, times in pair if run % 2 == 0 else pair[::-1]:
            times.append(time_to_window(command))
    return app_times, bare_times


def imports_before_window(casebook: Path, top: int = 12) -> list[tuple[float, str]]:
    """The heaviest top-level imports (cumulative ms) of one start, from ``-X importtime``."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "casebook", "--data-dir", str(casebook),
         "--quit-after-start"], capture_output=True, text=True, env=_env(), timeout=120)
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        if not name.startswith(" ") and "." not in name.strip():
            rows.append((int(cumulative) / 1000, name.strip()))
    return sorted(rows, reverse=True)[:top]


def _unlock_once(window: MainWindow, passphrase: str) -> float:
    """Type the passphrase, press Unlock: seconds until the dashboard has loaded."""
    from PySide6.QtCore import QEventLoop, QTimer

    window.unlock_panel.start()
    window.unlock_panel.passphrase_edit.setText(passphrase)
    loop = QEventLoop()
    done: list[float] = []

    def dashboard_loaded(*_loaded: object) -> None:
        done.append(time.perf_counter())
        loop.quit()

    def unlocked() -> None:
        window.fixed_views["dashboard"].loaded.connect(dashboard_loaded)

    window.unlocked.connect(unlocked)
    QTimer.singleShot(120_000, loop.quit)
    start = time.perf_counter()
    window.unlock_panel.submit()
    loop.exec()
    window.unlocked.disconnect(unlocked)
    if not done:
        raise SystemExit("the dashboard did not load within two minutes")
    return done[0] - start


def unlock_to_dashboard(casebook: Path, passphrase: str, runs: int
                        ) -> tuple[list[float], list[float], list[float]]:
    """Seconds, ``runs`` of each: unlock → dashboard loaded; the key derivation alone; and
    the key derivation timed inside each of those unlocks (the KDF varies most under load,
    so "beyond the KDF" is each unlock minus its own KDF)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from casebook.paths import CasebookPaths
    from casebook.ui.app import _prewarm, setup_application
    from casebook.ui.main_window import MainWindow
    from casebook.ui.worker import DbWorker
    from casebook.vault import KeyVault

    app = QApplication.instance() or QApplication(sys.argv[:1])
    setup_application(app)  # type: ignore[arg-type]
    _prewarm()
    paths = CasebookPaths.at(casebook)
    inside: list[float] = []
    open_slot = KeyVault._open_passphrase_slot  # Argon2id and unwrapping, one slot

    def timed_open_slot(self: KeyVault, *args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return open_slot(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            inside.append(time.perf_counter() - start)

    KeyVault._open_passphrase_slot = timed_open_slot  # type: ignore[method-assign,assignment]
    worker = DbWorker()
    window = MainWindow(worker, paths, None)
    window.show()
    unlock_times: list[float] = []
    kdf_times: list[float] = []
    kdf_inside: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        KeyVault.load(paths.slots).unlock_with_passphrase("1", passphrase)
        kdf_times.append(time.perf_counter() - start)
        inside.clear()

        unlock_times.append(_unlock_once(window, passphrase))
        kdf_inside.append(sum(inside))
        window.lock()
        app.processEvents()
    window.shutdown()
    worker.stop()
    KeyVault._open_passphrase_slot = open_slot  # type: ignore[method-assign]
    return unlock_times, kdf_times, kdf_inside


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f} ms (runs: " + ", ".join(
        f"{v * 1000:,.0f}" for v in values) + ")"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="a dataset folder from generate.py (or one holding casebook/)")
    parser.add_argument("--passphrase", default=None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip", action="append", default=[], choices=["start", "unlock"])
    args = parser.parse_args()
    casebook = args.data / "casebook"
    passphrase = args.passphrase
    if passphrase is None:
        passphrase = json.loads((args.data / "dataset.json").read_text())["passphrase"]
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    if "start" not in args.skip:
        app_times, bare_times = cold_start(casebook, args.runs)
        ratio = statistics.median(app_times) / statistics.median(bare_times)
        print(f"bare PySide6 window:      {_ms(bare_times)}")
        print(f"Casebook's unlock window: {_ms(app_times)}")
        print(f"ratio {ratio:.2f}x (target at most 1.5x)")
        print("heaviest imports before the unlock window (cumulative ms, both threads):")
        for ms, name in imports_before_window(casebook):
            print(f"  {ms:7.1f}  {name}")
    if "unlock" not in args.skip:
        unlock_times, kdf_times, kdf_inside = unlock_to_dashboard(casebook, passphrase,
                                                                  args.runs)
        beyond = [u - k for u, k in zip(unlock_times, kdf_inside, strict=True)]
        print(f"key derivation alone:     {_ms(kdf_times)}")
        print(f"unlock to dashboard:      {_ms(unlock_times)}")
        print(f"beyond the key derivation in each unlock: {_ms(beyond)} (target at most "
              "250 ms)")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
