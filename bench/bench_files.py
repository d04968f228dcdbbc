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
the last line gives the largest's s/GiB over the smallest's.

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
from casebook.vault import KeyVault

GIB = 2**30


@dataclass
class Dataset:
    folder: Path
    paths: CasebookPaths
    key: bytes
    size: int
    times: dict[str, list[float]] = field(default_factory=dict)


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


def run_once(data: Dataset, scratch: Path) -> None:
    target = scratch / "backup.db"

    def verify() -> None:
        report = integrity.verify_casebook(data.paths.database, data.key, None)
        if not report.file.rows_ok or not report.file.chain.ok:
            raise SystemExit(f"{data.folder}: verify found problems: {report.problems}")

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
    if len(datasets) > 1:
        small, large = datasets[0], datasets[-1]

        def per_gib(data: Dataset, name: str) -> float:
            return statistics.median(data.times[name]) / (data.size / GIB)

        print(f"s/GiB at {large.size / small.size:.1f}x the size, over the smallest's: " + ", ".join(
            f"{name} {per_gib(large, name) / per_gib(small, name):.2f}x"
            for name in ("verify", "backup", "floor")))


if __name__ == "__main__":
    main()
