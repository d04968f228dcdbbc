"""Benchmark: how long until the unlock window is up, and from unlocking to the dashboard.

    .venv/bin/python bench/bench_start.py --data bench/data [--runs 7] [--bundle PATH]

1. **Cold start** (issue #13: at most 1.5x a bare PySide6 window). Each run spawns a new
   Python: ``python -m casebook --data-dir <casebook> --quit-after-start``, timed until it
   prints that its first window (the unlock window) has been painted, against a script that
   only shows an empty ``QWidget`` the same way, timed to its first paint too. The two take
   turns, run by run (load from other processes falls on both alike); the table gives medians.
   "Cold-ish": the files are in the OS cache after the first run, as on a laptop where Casebook
   was opened earlier that day, and compiled bytecode is kept between runs, as an installed
   Casebook has it. ``--bundle dist/casebook/casebook`` also times the packaged app (what a
   school installs) in the same rotation, against the bare window packaged the same way by
   PyInstaller (built by the bench in a temporary folder). Also printed: the heaviest imports before the unlock
   window was painted (``-X importtime``), and the resident memory when it is painted and once
   the warm-up imports are done (Linux).
2. **Unlock to dashboard** (at most the key derivation + 250 ms). Each run a new process
   started as the app starts (``CasebookApp``): the unlock window, the warm-up while the user
   types, then the first unlock of that process timed from pressing Unlock until the dashboard
   has loaded its figures and painted them, against the key derivation alone
   (``KeyVault.unlock_with_passphrase``: Argon2id and unwrapping the data key, timed here
   between runs). Each unlock's own derivation is timed inside it, so the time beyond it is
   exact, and the rest is split: opening on the worker (engine, migrations check, writer lock,
   audited unlock), the hand-over to the GUI thread, building the workspace and dashboard, the
   dashboard's query, and the paint. Then, once every screen is built, the lock: the
   collection that hands the closed session back, and the GUI thread's longest turn from
   pressing Lock until that collection is done (both in the GUI thread's CPU time).

``--data`` is a dataset made by generate.py (its passphrase is in dataset.json), or any
folder with ``casebook/`` and ``--passphrase``. Unlocking writes to it (the unlock is audited),
so never point it at a dataset that others are measuring.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casebook.ui.main_window import MainWindow

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

class Bare(QWidget):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:  # the same moment Casebook reports: once the first paint is done
            self.painted = True
            QTimer.singleShot(0, shown)

def shown():
    print("bare: first window shown", flush=True)
    app.quit()

app = QApplication(sys.argv[:1])
window = Bare()
window.setWindowTitle("bare")
window.resize(640, 480)
window.show()
app.exec()
"""

SHOWN = "first window shown"


#: Compiled bytecode goes to a folder of the bench's own (not the source tree), and is kept
#: between runs, as an installed Casebook (pip or the frozen bundle) has its ``.pyc`` files:
#: without it every run compiled all of Casebook's modules again, a cost no user pays.
_PYCACHE = os.environ.get("PYTHONPYCACHEPREFIX") or ""
if not _PYCACHE:  # (the --one-unlock runs are given the parent's)
    _PYCACHE = tempfile.mkdtemp(prefix="casebook-bench-pycache-")
    atexit.register(shutil.rmtree, _PYCACHE, ignore_errors=True)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
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


def packaged_bare_window() -> Path:
    """The bare window packaged by PyInstaller as Casebook is (one folder, windowed), in a
    temporary folder: what the packaged Casebook is compared with (about 15 s to build)."""
    folder = Path(tempfile.mkdtemp(prefix="casebook-bench-bare-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "bare.py").write_text(BARE, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
                    "--windowed", "--name", "bare", "--distpath", str(folder / "dist"),
                    "--workpath", str(folder / "build"), "--specpath", str(folder),
                    str(folder / "bare.py")], check=True, capture_output=True, timeout=600)
    return folder / "dist" / "bare" / ("bare.exe" if sys.platform == "win32" else "bare")


def cold_start(casebook: Path, runs: int, bundle: Path | None = None) -> dict[str, list[float]]:
    """Seconds to the first painted window, per run, of the bare window ("bare"), Casebook
    from this Python ("app") and, if given, the packaged Casebook ("bundle") and the bare
    window packaged the same way ("bare bundle"), all taking turns."""
    commands = {"bare": [sys.executable, "-c", BARE],
                "app": [sys.executable, "-m", "casebook", "--data-dir", str(casebook),
                        "--quit-after-start"]}
    if bundle is not None:
        commands["bundle"] = [str(bundle), "--data-dir", str(casebook), "--quit-after-start"]
        commands["bare bundle"] = [str(packaged_bare_window())]
    for command in commands.values():
        time_to_window(command)  # every program's files into the OS cache once
    times: dict[str, list[float]] = {name: [] for name in commands}
    order = list(commands)
    for run in range(runs):
        turn = run % len(order)
        for name in order[turn:] + order[:turn]:  # each goes first in its turn
            times[name].append(time_to_window(commands[name]))
    return times


def imports_before_window(casebook: Path, top: int = 12) -> list[tuple[float, str]]:
    """The heaviest top-level imports (cumulative ms) before the unlock window was painted,
    from ``-X importtime`` (the imports after it, the worker's warm-up, are left out)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "casebook", "--data-dir", str(casebook),
         "--quit-after-start"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=_env(), timeout=120)
    rows = []
    for line in result.stdout.splitlines():
        if SHOWN in line:
            break
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        if not name.startswith(" "):
            rows.append((int(cumulative) / 1000, name.strip()))
    return sorted(rows, reverse=True)[:top]


#: Runs the app as ``python -m casebook`` does, printing its resident memory (MiB) when the
#: unlock window has been painted and again when the worker's warm-up imports are done.
RSS_SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
import casebook.ui.app as shell

def rss():
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    import os
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

quit_when_started = shell._quit_when_started

def measured(app, controller, first):
    def painted():
        print(f"rss painted {rss():.1f}", flush=True)
        shell.flush_worker(controller.worker)
        print(f"rss settled {rss():.1f}", flush=True)
    try:
        from casebook.ui.kit.paint import after_next_paint
        after_next_paint(first.stack.currentWidget(), painted)
    except ImportError:  # a Casebook from before the first-paint hook
        QTimer.singleShot(0, painted)
    quit_when_started(app, controller, first)

shell._quit_when_started = measured
from casebook.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def unlock_window_rss(casebook: Path) -> tuple[float, float]:
    """MiB resident when the unlock window is painted, and once the warm-up imports are done
    (Linux only)."""
    result = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, "--data-dir", str(casebook), "--quit-after-start"],
        capture_output=True, text=True, env=_env(), timeout=120, check=True)
    values = dict(line.split()[1:] for line in result.stdout.splitlines()
                  if line.startswith("rss "))
    return float(values["painted"]), float(values["settled"])


class _Phases:
    """Timestamps of one unlock, each taken where it happens (GUI thread or worker)."""

    def __init__(self) -> None:
        self.kdf: list[float] = []      # Argon2id + unwrapping, inside the unlock (worker)
        self.open: list[float] = []     # engine, migrations check, lock, audit (worker)
        self.opened_at = 0.0            # the GUI thread has the casebook (unlock_panel.unlocked)
        self.built_at = 0.0             # open_casebook returned: workspace and dashboard built
        self.loaded_at = 0.0            # the dashboard's figures are in its widgets
        self.painted_at = 0.0           # ...and painted
        # The lock, once every screen is built: the collection that hands the closed session
        # back (GUI-thread CPU ms), the longest the GUI thread worked without returning to the
        # event loop from pressing Lock until that collection was done, the objects the
        # collections leave out (frozen: the app's) and those they look at (the session's).
        self.lock_collect_ms = 0.0
        self.lock_longest_turn_ms = 0.0
        self.frozen = 0
        self.session_objects = 0


def _unlock_once(window: MainWindow, passphrase: str, phases: _Phases) -> float:
    """Type the passphrase, press Unlock: seconds until the dashboard has loaded its figures
    and painted them."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    window.unlock_panel.passphrase_edit.setText(passphrase)
    loop = QEventLoop()

    class PaintWatch(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and phases.loaded_at and not phases.painted_at:
                QTimer.singleShot(0, painted)  # after this paint event has been handled
            return False

    watch = PaintWatch()

    def painted() -> None:
        if not phases.painted_at:
            phases.painted_at = time.perf_counter()
            loop.quit()

    def dashboard_loaded(*_loaded: object) -> None:
        if not phases.loaded_at:
            phases.loaded_at = time.perf_counter()

    def opened(_casebook: object) -> None:  # runs after MainWindow.open_casebook
        phases.built_at = time.perf_counter()
        dashboard = window.fixed_views["dashboard"]
        dashboard.loaded.connect(dashboard_loaded)
        dashboard.installEventFilter(watch)

    def opening(_casebook: object) -> None:
        phases.opened_at = time.perf_counter()

    panel = window.unlock_panel
    panel.unlocked.disconnect(window.open_casebook)
    panel.unlocked.connect(opening)
    panel.unlocked.connect(window.open_casebook)
    panel.unlocked.connect(opened)
    QTimer.singleShot(120_000, loop.quit)
    start = time.perf_counter()
    panel.submit()
    loop.exec()
    if not phases.painted_at:
        raise SystemExit("the dashboard was not painted within two minutes")
    for name in ("opened_at", "built_at", "loaded_at", "painted_at"):
        setattr(phases, name, getattr(phases, name) - start)
    return phases.painted_at


def _lock_once(controller: object, window: MainWindow, phases: _Phases) -> None:
    """Wait for every screen, then lock as the user does, timing the GUI thread's turns until
    the collection after the locked screen's paint is done (the app's own ``SessionHeap``)."""
    import gc

    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    if len(window.fixed_views) < 5:  # the screens after the dashboard, one per turn
        window.unlocked.connect(loop.quit)
        QTimer.singleShot(60_000, loop.quit)
        loop.exec()
    QTimer.singleShot(1_500, loop.quit)  # the case list's first page, the reminders
    loop.exec()
    from casebook.ui.kit import collector

    # The app's collection at lock: SessionHeap.session_closed (before it: collector.thaw,
    # which froze the whole heap at unlock and thawed it all at lock).
    owner: object = getattr(controller, "heap", collector)
    name = "session_closed" if hasattr(owner, "session_closed") else "thaw"
    phases.frozen = gc.get_freeze_count()
    phases.session_objects = len(gc.get_objects())
    closed = getattr(owner, name)
    last = [time.thread_time()]
    done = [False]

    def tick() -> None:
        now = time.thread_time()
        phases.lock_longest_turn_ms = max(phases.lock_longest_turn_ms, (now - last[0]) * 1000)
        last[0] = now

    def timed_closed(*args: object) -> None:
        begin = time.thread_time()
        closed(*args)
        phases.lock_collect_ms = (time.thread_time() - begin) * 1000
        done[0] = True
        QTimer.singleShot(0, loop.quit)

    setattr(owner, name, timed_closed)
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    QTimer.singleShot(10_000, loop.quit)
    last[0] = time.thread_time()
    window.lock()
    loop.exec()
    tick()
    timer.stop()
    if not done[0]:
        raise SystemExit("the lock's collection did not run within ten seconds")


def one_unlock(casebook: Path, passphrase: str) -> None:
    """In a new process, as the app starts: the unlock window, the warm-up while the user
    types, then one unlock timed; prints the phases as JSON (``--one-unlock``)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from casebook.ui.app import CasebookApp, setup_application

    app = QApplication(sys.argv[:1])
    setup_application(app)
    try:  # as run_app: no automatic collection, the GUI thread collects on a timer
        from casebook.ui.kit.collector import MainThreadCollector

        MainThreadCollector(app)
    except ImportError:  # a Casebook from before the collector
        pass
    controller = CasebookApp(casebook)
    window = controller.start()
    waiting = QEventLoop()
    if hasattr(controller, "warmed_up"):
        controller.warmed_up.connect(waiting.quit)
        QTimer.singleShot(60_000, waiting.quit)
    else:  # a Casebook from before the warm-up signal: give it the time a user takes to type
        QTimer.singleShot(4_000, waiting.quit)
    waiting.exec()  # the user reads the screen and types meanwhile
    while window.unlock_panel.busy:  # the keyring attempt at start-up (none remembered here)
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    from casebook.services import Casebook
    from casebook.vault import KeyVault

    phases = _Phases()
    open_slot = KeyVault._open_passphrase_slot  # Argon2id and unwrapping, one slot
    open_book = Casebook._open.__func__  # type: ignore[attr-defined]

    def timed_open_slot(self: KeyVault, *args: object, **kwargs: object) -> object:
        begin = time.perf_counter()
        try:
            return open_slot(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            phases.kdf.append(time.perf_counter() - begin)

    def timed_open(cls: type, *args: object, **kwargs: object) -> object:
        begin = time.perf_counter()
        try:
            return open_book(cls, *args, **kwargs)
        finally:
            phases.open.append(time.perf_counter() - begin)

    KeyVault._open_passphrase_slot = timed_open_slot  # type: ignore[method-assign,assignment]
    Casebook._open = classmethod(timed_open)  # type: ignore[method-assign,assignment]
    _unlock_once(window, passphrase, phases)  # type: ignore[arg-type]
    _lock_once(controller, window, phases)  # type: ignore[arg-type]
    controller.shutdown()
    print(json.dumps(phases.__dict__), flush=True)


def unlock_to_dashboard(casebook: Path, passphrase: str, runs: int
                        ) -> tuple[list[float], list[_Phases]]:
    """Each run a new process: the key derivation alone (here, between runs), and one unlock's
    phases, the first unlock after starting as the user meets it (the key derivation is timed
    inside it: it varies most under load, so "beyond the KDF" is each unlock minus its own)."""
    from casebook.paths import CasebookPaths
    from casebook.vault import KeyVault

    slots = CasebookPaths.at(casebook).slots
    kdf_times: list[float] = []
    all_phases: list[_Phases] = []
    for _ in range(runs):
        start = time.perf_counter()
        KeyVault.load(slots).unlock_with_passphrase("1", passphrase)
        kdf_times.append(time.perf_counter() - start)
        result = subprocess.run(
            [sys.executable, __file__, "--one-unlock", "--data", str(casebook.parent),
             "--passphrase", passphrase], capture_output=True, text=True, env=_env(),
            timeout=300, check=True)
        phases = _Phases()
        phases.__dict__.update(json.loads(result.stdout.strip().splitlines()[-1]))
        all_phases.append(phases)
    return kdf_times, all_phases


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f} ms (runs: " + ", ".join(
        f"{v * 1000:,.0f}" for v in values) + ")"


def _ms_of(phases: list[_Phases], name: str) -> str:
    values = [getattr(p, name) for p in phases]
    return f"{statistics.median(values):,.1f} ms (runs: " + ", ".join(
        f"{v:,.1f}" for v in values) + ")"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="a dataset folder from generate.py (or one holding casebook/)")
    parser.add_argument("--passphrase", default=None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip", action="append", default=[], choices=["start", "unlock"])
    parser.add_argument("--bundle", type=Path, default=None,
                        help="also time the packaged app (dist/casebook/casebook, or "
                             "casebook.exe) the same way")
    parser.add_argument("--one-unlock", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    casebook = args.data / "casebook"
    passphrase = args.passphrase
    if passphrase is None:
        passphrase = json.loads((args.data / "dataset.json").read_text())["passphrase"]
    if args.one_unlock:
        one_unlock(casebook, passphrase)
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    if "start" not in args.skip:
        times = cold_start(casebook, args.runs, args.bundle)
        bare = statistics.median(times["bare"])
        print(f"bare PySide6 window:      {_ms(times['bare'])}")
        print(f"Casebook's unlock window: {_ms(times['app'])}")
        print(f"ratio {statistics.median(times['app']) / bare:.2f}x (target at most 1.5x)")
        if "bundle" in times:
            packaged_bare = statistics.median(times["bare bundle"])
            print(f"bare window, packaged:    {_ms(times['bare bundle'])}")
            print(f"the packaged Casebook:    {_ms(times['bundle'])}: "
                  f"{statistics.median(times['bundle']) / packaged_bare:.2f}x the packaged bare "
                  f"window, {statistics.median(times['bundle']) / bare:.2f}x the bare one")
        print("heaviest imports before the unlock window is painted (cumulative ms):")
        for ms, name in imports_before_window(casebook):
            print(f"  {ms:7.1f}  {name}")
        if Path("/proc/self/statm").exists():
            painted, settled = zip(*(unlock_window_rss(casebook) for _ in range(3)),
                                   strict=True)
            print(f"resident memory of the unlock window: {statistics.median(painted):.0f} MiB "
                  f"when painted, {statistics.median(settled):.0f} MiB once the warm-up "
                  "imports are done")
    if "unlock" not in args.skip:
        kdf_times, phases = unlock_to_dashboard(casebook, passphrase, args.runs)
        unlock_times = [p.painted_at for p in phases]
        kdf_inside = [sum(p.kdf) for p in phases]
        beyond = [u - k for u, k in zip(unlock_times, kdf_inside, strict=True)]
        print(f"key derivation alone:     {_ms(kdf_times)}")
        print(f"unlock to dashboard painted (first unlock of a new process): "
              f"{_ms(unlock_times)}")
        print(f"beyond the key derivation in each unlock: {_ms(beyond)} (target at most "
              "250 ms)")
        print("where the time beyond the key derivation goes (medians):")
        steps = (
            ("opening on the worker: engine, migrations check, lock, audit",
             [sum(p.open) for p in phases]),
            ("worker done -> GUI thread has the casebook",
             [p.opened_at - k - sum(p.open) for p, k in zip(phases, kdf_inside, strict=True)]),
            ("building the workspace and the dashboard (GUI thread)",
             [p.built_at - p.opened_at for p in phases]),
            ("dashboard's figures read (worker) and shown",
             [p.loaded_at - p.built_at for p in phases]),
            ("painted", [p.painted_at - p.loaded_at for p in phases]),
        )
        for label, values in steps:
            print(f"  {label:<62} {_ms(values)}")
        print("the lock, every screen built (GUI-thread CPU, medians):")
        print(f"  the collection handing the session back: {_ms_of(phases, 'lock_collect_ms')}")
        print("  longest GUI-thread turn from Lock to that collection done: "
              f"{_ms_of(phases, 'lock_longest_turn_ms')}")
        print(f"  objects frozen (the app's) / looked at (the session's): "
              f"{statistics.median(p.frozen for p in phases):,.0f} / "
              f"{statistics.median(p.session_objects for p in phases):,.0f}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
