"""Benchmark: `verify` and backup against the casebook's size, in seconds per GiB.

    .venv/bin/python bench/bench_files.py --data bench/data --data bench/data50k [--runs 3]

For each dataset (made by generate.py; the passphrase is read from its dataset.json), times
what ``casebook-admin verify`` and ``casebook-admin backup`` do with the file:

- **verify**: ``integrity.verify_casebook`` (read-only: every page, the audit chain, every
  audited row's hash, every evidence file's SHA-256, the anchors);
- **backup**: ``maintenance.backup_to`` (SQLite's online backup into a new file under the same
  key, then fsync and rename), into a scratch folder that is emptied after each run;
- **floor**: copying the same file with ``shutil.copyfile`` and one fsync: what the disk alone
  costs.

The datasets take turns run by run, so load from other processes falls on each alike; the
table gives medians (first run in brackets, which may read from disk rather than the OS cache)
and seconds per GiB. "Linear" means s/GiB stays flat from the smallest to the largest file:
the last line gives the largest's s/GiB over the smallest's. A second table splits verify into
its steps (as its progress reports them) with the process's peak resident memory during it
(Linux: VmHWM, reset through ``/proc/self/clear_refs`` after the key is derived, whose 64 MiB
would otherwise be the peak).

Neither job writes to the casebook: pointing this at a shared dataset is safe.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from casebook.paths import CasebookPaths
from casebook.services import integrity
from casebook.storage import maintenance
from casebook.storage.verify import STEPS, Progress
from casebook.vault import KeyVault

GIB = 2**30


@dataclass
class Dataset:
    folder: Path
    paths: CasebookPaths
    key: bytes
    size: int
    times: dict[str, list[float]] = field(default_factory=dict)
    steps: list[list[float]] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)


def load(folder: Path) -> Dataset:
    passphrase = json.loads((folder / "dataset.json").read_text())["passphrase"]
    paths = CasebookPaths.at(folder / "casebook")
    key = KeyVault.load(paths.slots).unlock_with_passphrase("1", passphrase)
    return Dataset(folder, paths, key, paths.database.stat().st_size)


def _timed(job: Callable[[], object]) -> float:
    start = time.perf_counter()
    job()
    return time.perf_counter() - start


def _fsynced_copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run_once(data: Dataset, scratch: Path) -> None:
    target = scratch / "backup.db"

    def verify() -> None:
        started: list[float] = [0.0] * (len(STEPS) + 1)

        def heard(progress: Progress) -> None:
            if progress.done == 0 and not started[progress.step]:
                started[progress.step] = time.perf_counter()

        peak_known = _reset_peak()
        start = time.perf_counter()
        report = integrity.verify_casebook(data.paths.database, data.key, None,
                                           on_progress=heard)
        started[0], end = start, time.perf_counter()
        found = report.file
        # Every row, the chain and every file must check out; the anchor's history may not (a
        # copied dataset's anchor is behind the log it was migrated with, which is no matter
        # for timing).
        if (found.changed_rows or found.unaudited_rows or found.missing_rows
                or not found.chain.ok or not found.evidence_ok or not found.ok):
            raise SystemExit(f"{data.folder}: verify found problems: {report.problems}")
        marks = [started[i] or start for i in range(1, len(STEPS) + 1)] + [end]
        data.steps.append([b - a for a, b in zip(marks, marks[1:], strict=False)])
        if peak_known:
            data.peaks.append(_peak_kib())

    jobs = {
        "verify": verify,
        "backup": lambda: maintenance.backup_to(data.paths.database, target, data.key),
        "floor": lambda: _fsynced_copy(data.paths.database, target),
    }
    for name, job in jobs.items():
        data.times.setdefault(name, []).append(_timed(job))
        for leftover in scratch.iterdir():
            leftover.unlink()


def _cell(times: list[float], size: int) -> str:
    median = statistics.median(times)
    return f"{median:,.1f} s ({times[0]:,.1f}) = {median / (size / GIB):,.2f} s/GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", required=True,
                        help="a dataset folder (repeat: one per size)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scratch", type=Path, default=None,
                        help="where backups are written (default: a temporary folder)")
    args = parser.parse_args()
    datasets = sorted((load(folder) for folder in args.data), key=lambda d: d.size)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(dir=args.scratch) as folder:
        scratch = Path(folder)
        for run in range(args.runs):
            for data in datasets if run % 2 == 0 else datasets[::-1]:
                run_once(data, scratch)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("| casebook | size | verify | backup | floor: copy + fsync |")
    print("|---|---|---|---|---|")
    for data in datasets:
        print(f"| {data.folder.name} | {data.size / 2**20:,.0f} MiB | "
              + " | ".join(_cell(data.times[name], data.size)
                           for name in ("verify", "backup", "floor")) + " |")
    print()
    print("| casebook | " + " | ".join(STEPS) + " | peak RSS |")
    print("|---|" + "---|" * (len(STEPS) + 1))
    for data in datasets:
        medians = [statistics.median(run[i] for run in data.steps) for i in range(len(STEPS))]
        peak = f"{max(data.peaks) / 1024:,.0f} MiB" if data.peaks else "–"
        print(f"| {data.folder.name} | " + " | ".join(f"{m:,.1f} s" for m in medians)
              + f" | {peak} |")
    if len(datasets) > 1:
        small, large = datasets[0], datasets[-1]

        def per_gib(data: Dataset, name: str) -> float:
            return statistics.median(data.times[name]) / (data.size / GIB)

        print(f"s/GiB at {large.size / small.size:.1f}x the size, over the smallest's: " + ", ".join(
            f"{name} {per_gib(large, name) / per_gib(small, name):.2f}x"
            for name in ("verify", "backup", "floor")))


if __name__ == "__main__":
    main()
