"""Shared pieces of the benchmark scripts: engines (keyed, keyed with another cipher page size,
plain), a services ``Store`` over any engine, timing helpers and the dataset layout.

The plain engines mirror ``casebook.storage.engine.open_engine`` (same pool, same pragmas, same
explicit BEGIN) so the only difference measured is the encryption.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from casebook.domain import User, UserRole
from casebook.errors import DamagedFileError
from casebook.paths import CasebookPaths
from casebook.services.store import Store
from casebook.storage.engine import key_pragma, tune_connection

BENCH_PASSPHRASE = "bench lantern orchard 2718"
DATASET_FILE = "dataset.json"


@dataclass(frozen=True)
class Layout:
    """Where ``generate.py`` puts things under ``--out``."""

    root: Path

    @property
    def casebook_dir(self) -> Path:
        return self.root / "casebook"

    @property
    def database(self) -> Path:
        return self.casebook_dir / "casebook.db"

    @property
    def slots(self) -> Path:
        return self.casebook_dir / "casebook.keys"

    @property
    def plain(self) -> Path:
        return self.root / "plain" / "plain.db"

    @property
    def manifest(self) -> Path:
        return self.root / DATASET_FILE

    def read_manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest.read_text("utf-8"))


def _uri(path: Path, create: bool) -> str:
    return f"{Path(path).resolve().as_uri()}?mode={'rwc' if create else 'rw'}"


def _engine(creator: Callable[[], Any], module: Any) -> Engine:
    engine = create_engine("sqlite://", creator=creator, module=module, poolclass=QueuePool,
                           pool_size=2, max_overflow=4)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")

    return engine


def keyed_connect(path: Path, key: bytes, *, page_size: int | None = None,
                  create: bool = False) -> sqlcipher3.Connection:
    """Like ``connect_keyed`` but may set ``cipher_page_size`` (it must be the same on every
    connection to the file, and set right after the key, before the first read)."""
    conn = sqlcipher3.connect(_uri(path, create), uri=True, check_same_thread=False,
                              timeout=30, isolation_level=None)
    cur = conn.cursor()
    cur.execute(key_pragma(key))
    if page_size is not None:
        cur.execute(f"PRAGMA cipher_page_size = {int(page_size)}")
    try:
        cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise DamagedFileError("wrong key or cipher page size") from exc
    tune_connection(conn)
    return conn


def keyed_engine(path: Path, key: bytes, *, page_size: int | None = None,
                 create: bool = False) -> Engine:
    """Like ``open_engine`` but may set ``cipher_page_size``."""
    return _engine(lambda: keyed_connect(path, key, page_size=page_size, create=create),
                   sqlcipher3)


#: The schema's search index needs FTS5 contentless_delete (SQLite 3.43+). Where the stdlib's
#: SQLite is older, the "plain sqlite3" column is left out; "plain same build" (sqlcipher3
#: without a key) is the fair comparison for the cost of encryption anyway.
STDLIB_CAN_READ = sqlite3.sqlite_version_info >= (3, 43, 0)


def plain_connect(path: Path, *, driver: str = "sqlite3", create: bool = False) -> Any:
    module: Any = sqlite3 if driver == "sqlite3" else sqlcipher3
    conn = module.connect(_uri(path, create), uri=True, check_same_thread=False, timeout=30,
                          isolation_level=None)
    tune_connection(conn)
    return conn


def plain_engine(path: Path, *, driver: str = "sqlite3", create: bool = False) -> Engine:
    """An unencrypted engine: stdlib ``sqlite3`` or ``sqlcipher3`` without a key (same SQLite
    version as the encrypted one, so the comparison isolates the cipher)."""
    module: Any = sqlite3 if driver == "sqlite3" else sqlcipher3
    return _engine(lambda: plain_connect(path, driver=driver, create=create), module)


def backup_with(connect: Callable[[Path, bool], Any], source: Path, target: Path) -> None:
    """The steps of ``maintenance.backup_to`` for any kind of connection."""
    partial = target.with_name(target.name + ".partial")
    src = connect(source, False)
    try:
        dst = connect(partial, True)
        try:
            src.backup(dst)
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)


def store_for(engine: Engine, root: Path) -> Store:
    """A services ``Store`` over any engine, signed in as the bench DSL (user 1)."""
    user = User(id=1, name="Bench DSL", role=UserRole.DSL, created_at=datetime(2021, 9, 1))
    return Store(CasebookPaths(root), engine, user)


def timed(fn: Callable[[], object]) -> float:
    """Seconds taken by one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@dataclass
class Timing:
    runs: list[float]

    @property
    def first(self) -> float:
        return self.runs[0]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def repeat(fn: Callable[[], object], runs: int, setup: Callable[[], object] | None = None) -> Timing:
    out = []
    for _ in range(runs):
        if setup is not None:
            setup()
        out.append(timed(fn))
    return Timing(out)


def interleaved(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, Timing]:
    """Time each of ``fns`` ``runs`` times, taking turns (ABC, CBA, ABC, …) so that load from
    other processes on the machine falls on every target alike. Each target's first run is its
    cold one."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for run in range(runs):
        for name in names if run % 2 == 0 else reversed(names):
            out[name].append(timed(fns[name]))
    return {name: Timing(times) for name, times in out.items()}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def versions() -> str:
    conn = sqlcipher3.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        conn.close()
    return (f"SQLCipher {cipher} (SQLite {sqlcipher3.sqlite_version}); "
            f"stdlib sqlite3 SQLite {sqlite3.sqlite_version}")
