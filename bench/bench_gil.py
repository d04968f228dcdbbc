"""Benchmark: does the window keep moving while the database thread works? (issue #13)

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gil.py [--images 50]
        [--size 1170x2532] [--import-mib 100] [--data <a bench dataset's folder>] [--runs 1]
        [--switch-ms 5]

The app's own worker jobs run on its real database thread (``ui.worker.DbWorker``) while a 5 ms
timer on the GUI thread notes every gap between its ticks, as the GUI tests' watchdog does:
the biggest demo case's case file and a platform pack of ``--images`` phone screenshots (each
through ``ExportService.prepare_case`` with the check page's 12 previews, then ``save_case``,
as the export dialog runs them), a backup and ``verify`` (as Settings runs them), a learner's
transfer package with those screenshots, and the import of a ``--import-mib`` file as evidence.
The GUI thread does nothing else, so a gap is time it could not run: waiting for the
interpreter (the GIL) held by the worker. Printed per job: its time, the longest gap and the
99th percentile by the clock, the GUI thread's own CPU time in its longest gap (near zero when
the gap was the GIL), and the calls that held the GIL longest.

Which calls: a probe thread sleeps 2 ms at a time; whenever waking up took it over 15 ms (it
waited for the GIL too), it notes where the worker thread is at that moment
(``sys._current_frames``): the Python line whose C call, or run of bytecode, just gave the
interpreter back. Summed per line, these are the holders.

``--data`` backs up and verifies a copy of a bench dataset (``generate.py``) instead of the
demo casebook: the size a school really has. Give it your own copy (a backup is written into
its ``backups`` folder and the unlock is audited). ``--switch-ms`` sets the interpreter's
switch interval (``sys.setswitchinterval``, 5 ms by default) to see whether it matters.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

TICK_MS = 5
PROBE_S = 0.002
PROBE_REPORT_MS = 15.0


@dataclass
class Gaps:
    """Gaps between the GUI thread's timer ticks while a job runs."""

    wall_ms: list[float] = field(default_factory=list)
    worst_cpu_ms: float = 0.0  # the GUI thread's own CPU time in the longest gap

    def summary(self) -> str:
        if not self.wall_ms:
            return "no ticks"
        ordered = sorted(self.wall_ms)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        over = sum(1 for g in ordered if g > 50)
        return (f"gap max {ordered[-1]:5.0f} ms, p99 {p99:4.0f} ms, {over:3d} over 50 ms "
                f"(GUI CPU in the longest {self.worst_cpu_ms:3.0f} ms)")


class Ticker:
    """A 5 ms timer on the GUI thread; the gaps between its ticks while ``gaps`` is set."""

    def __init__(self) -> None:
        self.gaps: Gaps | None = None
        self._wall = time.perf_counter()
        self._cpu = time.thread_time()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def watch(self, gaps: Gaps | None) -> None:
        """Count the gaps into ``gaps`` from now (None: stop counting)."""
        self._wall, self._cpu = time.perf_counter(), time.thread_time()
        self.gaps = gaps

    def _tick(self) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        if self.gaps is not None:
            gap = (wall - self._wall) * 1000 - TICK_MS
            self.gaps.wall_ms.append(gap)
            if gap >= max(self.gaps.wall_ms):
                self.gaps.worst_cpu_ms = (cpu - self._cpu) * 1000
        self._wall, self._cpu = wall, cpu


class GilProbe(threading.Thread):
    """Notes where the worker thread is whenever this thread waited long for the GIL."""

    def __init__(self, worker_ident: int) -> None:
        super().__init__(daemon=True, name="gil-probe")
        self.worker_ident = worker_ident
        self.holders: dict[str, float] | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            time.sleep(PROBE_S)
            late_ms = (time.perf_counter() - start - PROBE_S) * 1000
            holders = self.holders
            if holders is None or late_ms < PROBE_REPORT_MS:
                continue
            frame = sys._current_frames().get(self.worker_ident)
            if frame is not None:
                holders[_where(frame)] += late_ms


def _where(frame: Any) -> str:
    """The innermost line and the innermost line of Casebook's own code above it."""
    stack = traceback.extract_stack(frame)
    inner = stack[-1]
    ours = next((f for f in reversed(stack) if "/casebook/" in f.filename.replace("\\", "/")
                 and "site-packages" not in f.filename), None)
    text = f"{_short(inner.filename)}:{inner.lineno} {inner.name}"
    if ours is not None and ours is not inner:
        text += f"  ← {_short(ours.filename)}:{ours.lineno} {ours.name}"
    return text


def _short(filename: str) -> str:
    parts = Path(filename).parts
    for anchor in ("casebook", "site-packages"):
        if anchor in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(anchor):])
    return Path(filename).name


def run_on_worker(app: QApplication, worker: Any, job: Callable[[], object]) -> object:
    """Submit ``job`` to the app's database thread and run the GUI's event loop until done."""
    loop = QEventLoop()
    out: dict[str, object] = {}

    def done(result: object) -> None:
        out["result"] = result
        loop.quit()

    def failed(error: BaseException) -> None:
        out["error"] = error
        loop.quit()

    worker.submit(job, done, failed)
    loop.exec()
    if "error" in out:
        raise RuntimeError(f"job failed: {out['error']!r}")
    return out.get("result")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--size", default="1170x2532", help="screenshot size, WIDTHxHEIGHT")
    parser.add_argument("--import-mib", type=int, default=100)
    parser.add_argument("--data", type=Path, help="a bench dataset (your own copy) to back up "
                                                  "and verify instead of the demo casebook")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--switch-ms", type=float, default=None)
    parser.add_argument("--only", action="append", default=[],
                        help="run only the jobs whose label contains this (repeatable)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    if args.switch_ms is not None:
        sys.setswitchinterval(args.switch_ms / 1000)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_reports import SENTENCE, _image
    from benchlib import Layout, machine

    app = QApplication.instance() or QApplication([])
    import casebook.ui.main_window  # noqa: F401  (the app's screens, as after unlocking)
    from casebook.domain import AccountKind, CaseType, PersonRole
    from casebook.services import Casebook
    from casebook.services.backup import run_backup
    from casebook.services.demo import create_demo_casebook
    from casebook.ui.worker import DbWorker

    worker = DbWorker()
    folder = Path(tempfile.mkdtemp(prefix="bench-gil-"))
    ticker = Ticker()
    worker_ident = int(run_on_worker(app, worker, threading.get_ident))  # type: ignore[arg-type]
    probe = GilProbe(worker_ident)
    probe.start()

    book = run_on_worker(app, worker, lambda: create_demo_casebook(folder / "demo",
                                                                   "bench pass 1"))
    assert isinstance(book, Casebook)

    def add_pack_case() -> tuple[int, int]:
        case = book.cases.create("Baiting account with many screenshots", CaseType.BAITING,
                                 SENTENCE)
        book.cases.add_account(case.id, "Instagram", "@school.muggies", AccountKind.BAITING)
        for index in range(args.images):
            book.evidence.add_bytes(case.id, _image(index, (width, height)),
                                    filename=f"shot-{index}.{'png' if index % 2 else 'jpg'}",
                                    source="DSL", description=f"Screenshot {index}",
                                    safety_confirmed=True)
        learner = book.people.add("learner", "Zoë", "Ødegård")
        book.people.link_to_case(case.id, learner.id, PersonRole.HARMED)
        return case.id, learner.id

    pack_case, learner = run_on_worker(app, worker, add_pack_case)  # type: ignore[misc]
    biggest = run_on_worker(app, worker, lambda: max(
        (c.id for c in book.cases.list_page(limit=1000)),  # type: ignore[attr-defined]
        key=lambda cid: len(book.cases.chronology(cid)) + len(book.evidence.items(cid))
        if cid != pack_case else -1))
    big_file = folder / "large-video.bin"
    with big_file.open("wb") as out:
        for _ in range(args.import_mib):
            out.write(os.urandom(2**20))

    store_book = book
    if args.data is not None:
        layout = Layout(args.data)
        passphrase = layout.read_manifest()["passphrase"]
        store_book = run_on_worker(app, worker, lambda: Casebook.open_with_passphrase(
            layout.casebook_dir, passphrase))  # type: ignore[assignment]

    def export(case_id: int, template: str) -> Callable[[], object]:
        def job() -> object:
            ids = frozenset(e.id for e in book.evidence.items(case_id))
            prepared = book.exports.prepare_case(case_id, template, evidence_ids=ids,
                                                 password="a passphrase", preview_pages=12)
            return book.exports.save_case(case_id, prepared, folder / f"{template}.pdf")
        return job

    jobs: list[tuple[str, Callable[[], object]]] = [
        ("export: biggest demo case, case file", export(biggest, "case-file")),
        (f"export: {args.images}-screenshot platform pack", export(pack_case, "platform-pack")),
        ("backup" + (" (bench dataset)" if args.data else " (demo)"),
         lambda: run_backup(store_book, str(folder / "backups"))),
        ("verify" + (" (bench dataset)" if args.data else " (demo)"), store_book.verify),
        (f"transfer package with {args.images} screenshots",
         lambda: book.transfers.export(learner, "Elm Academy",
                                       folder / f"z-{time.monotonic_ns()}.cbx",
                                       password="amber lantern quietly 58", evidence="all")),
        (f"evidence import of a {args.import_mib} MiB file",
         lambda: book.evidence.add_file(pack_case, big_file, source="DSL",
                                        safety_confirmed=True)),
    ]
    if args.only:
        jobs = [(label, job) for label, job in jobs if any(o in label for o in args.only)]

    print(machine())
    print(f"switch interval {sys.getswitchinterval() * 1000:g} ms; GUI timer {TICK_MS} ms; "
          f"load average {os.getloadavg()[0]:.1f}")
    for label, job in jobs:
        for run in range(args.runs):
            gaps, holders = Gaps(), defaultdict(float)
            probe.holders = holders
            ticker.watch(gaps)
            start = time.perf_counter()
            run_on_worker(app, worker, job)
            elapsed = time.perf_counter() - start
            ticker.watch(None)
            probe.holders = None
            print(f"{label:<45} {elapsed:6.2f} s  {gaps.summary()}"
                  + (f"  (run {run + 1})" if args.runs > 1 else ""))
            for where, ms in sorted(holders.items(), key=lambda kv: -kv[1])[:4]:
                print(f"      {ms:6.0f} ms waited  {where}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    probe.stop.set()
    if store_book is not book:
        run_on_worker(app, worker, store_book.lock)
    run_on_worker(app, worker, book.lock)
    worker.stop()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
