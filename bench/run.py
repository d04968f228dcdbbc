"""Time what a DSL waits for, on the encrypted casebook and on the same data unencrypted.

    python bench/run.py --data bench/data            # after `make bench-data`
    python bench/run.py --data /tmp/b --runs 3 --evidence-mib 20

Prints a Markdown table: the median of ``--runs`` runs (and the first run, which starts with a
cold SQLCipher page cache) for each measurement, on

- the encrypted casebook (the app's own engine and services),
- the plain copy read with the stdlib ``sqlite3`` (if ``generate.py --plain`` made one),
- the plain copy read with ``sqlcipher3`` and no key: the same SQLite build as the encrypted
  file, so the ratio against it is the cost of the encryption alone,

and the encryption overhead (encrypted / plain). Evidence import is also compared with a floor
(SHA-256 plus copying the file in 1 MiB chunks, then one fsync) and with SQLCipher's default 4 KiB page.
Targets: list and search under 50 ms; overhead under 1.3x for queries, 1.5x for evidence.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (  # noqa: E402
    STDLIB_CAN_READ,
    Layout,
    Timing,
    backup_with,
    interleaved,
    keyed_connect,
    keyed_engine,
    machine,
    plain_connect,
    plain_engine,
    repeat,
    store_for,
    versions,
)

from casebook.domain import CaseStatus, RiskLevel  # noqa: E402
from casebook.services import CaseFilter, CaseService, EvidenceService  # noqa: E402
from casebook.services.dashboard import DashboardService  # noqa: E402
from casebook.services.people import PeopleService  # noqa: E402
from casebook.services.retention import RetentionService  # noqa: E402
from casebook.services.store import Store  # noqa: E402
from casebook.services.tracker import TrackerService  # noqa: E402
from casebook.storage import maintenance, migrate  # noqa: E402
from casebook.storage.engine import CIPHER_PAGE_SIZE, open_engine  # noqa: E402
from casebook.storage.search import search_too_short, searched_text  # noqa: E402
from casebook.ui.models.case_table import CaseTableModel  # noqa: E402
from casebook.ui.tracker.view import PAGE_SIZE, load_bundle, load_page  # noqa: E402
from casebook.vault import KeyVault  # noqa: E402

#: Typical searches: one word (a platform), two and three words, two and three words with the
#: last one begun, a one-letter and a three-letter prefix typed so far, a name with Ø and å
#: typed without them, and the broadest one-letter prefix (every case has words starting with
#: s). The list does not search for one letter on its own: those rows time what it runs then.
SEARCHES = ["instagram", "screenshots parent", "screenshots pa", "fake school logo",
            "fake school l", "j", "jam", "odegard", "s"]
#: The case list as it opens (CaseTableModel's default filter: newest change first).
DEFAULT_LIST = CaseFilter(sort="updated", descending=True)
QUERY_TARGET = 0.050
SCREEN_TARGET = 0.100
QUERY_OVERHEAD = 1.3
#: ``--only``: time only the jobs whose description contains one of these.
ONLY: list[str] = []
EVIDENCE_OVERHEAD = 1.5


@dataclass
class Row:
    what: str
    encrypted: Timing
    plain: Timing | None = None  # stdlib sqlite3
    same_build: Timing | None = None  # sqlcipher3 without a key
    target_ms: float | None = None  # the encrypted median should be under this
    limit: float | None = None  # ratio limit for the overhead (against the same build)

    def verdict(self) -> str:
        parts = []
        if self.target_ms is not None:
            ok = self.encrypted.median * 1000 <= self.target_ms
            parts.append(f"< {self.target_ms:g} ms {'✔' if ok else '✘'}")
        base = self.same_build or self.plain
        if self.limit is not None and base is not None:
            ok = self.encrypted.median / base.median <= self.limit
            parts.append(f"< {self.limit:g}x {'✔' if ok else '✘'}")
        return ", ".join(parts)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def _ratio(enc: Timing, other: Timing | None) -> str:
    return f"{enc.median / other.median:.2f}x" if other and other.median > 0 else "–"


def table(rows: list[Row]) -> str:
    head = ("| measurement | encrypted median ms (first) | plain sqlite3 ms | plain same build ms "
            "| overhead vs sqlite3 | overhead vs same build | target |")
    lines = [head, "|" + "---|" * 7]
    for r in rows:
        lines.append(
            f"| {r.what} | {_ms(r.encrypted.median)} ({_ms(r.encrypted.first)}) "
            f"| {_ms(r.plain.median) if r.plain else '–'} "
            f"| {_ms(r.same_build.median) if r.same_build else '–'} "
            f"| {_ratio(r.encrypted, r.plain)} | {_ratio(r.encrypted, r.same_build)} "
            f"| {r.verdict()} |")
    return "\n".join(lines)


def _first_query(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM cases")).scalar_one()


class Targets:
    """Engine factories for each kind of database being compared."""

    def __init__(self, layout: Layout, key: bytes, have_plain: bool,
                 page_size: int | None) -> None:
        self.layout = layout
        self.key = key
        self.have_plain = have_plain
        self.page_size = page_size

    def encrypted(self, key: bytes | None = None) -> Engine:
        """The app's engine, or the bench engine for a dataset with another cipher page size."""
        key = key or self.key
        if self.page_size is None:
            return open_engine(self.layout.database, key)
        return keyed_engine(self.layout.database, key, page_size=self.page_size)

    def plain(self, driver: str) -> Engine:
        return plain_engine(self.layout.plain, driver=driver)

    def each(self) -> list[tuple[str, Callable[[], Engine]]]:
        out: list[tuple[str, Callable[[], Engine]]] = [("encrypted", self.encrypted)]
        if self.have_plain and STDLIB_CAN_READ:
            out.append(("plain", lambda: self.plain("sqlite3")))
        if self.have_plain:
            out.append(("same_build", lambda: self.plain("sqlcipher3")))
        return out


def _row(what: str, timings: dict[str, Timing], target_ms: float | None = None,
         limit: float | None = None) -> Row:
    return Row(what, timings["encrypted"], timings.get("plain"), timings.get("same_build"),
               target_ms, limit)


def bench_open(targets: Targets, runs: int) -> list[Row]:
    rows = []
    unlock: dict[str, Timing] = {}
    opened: dict[str, Timing] = {}
    for name, factory in targets.each():
        def unlock_once(factory: Callable[[], Engine] = factory) -> None:
            engine = factory()
            _first_query(engine)
            engine.dispose()

        def open_and_check(factory: Callable[[], Engine] = factory) -> None:
            engine = factory()
            migrate.upgrade(engine)  # at head: only the version check runs
            _first_query(engine)
            engine.dispose()

        unlock[name] = repeat(unlock_once, runs)
        opened[name] = repeat(open_and_check, runs)
    rows.append(_row("unlock, KDF excluded (engine with data key + first query)", unlock))

    manifest = targets.layout.read_manifest()

    def with_kdf() -> None:
        key = KeyVault.load(targets.layout.slots).unlock_with_passphrase(
            "1", manifest["passphrase"])
        engine = targets.encrypted(key)
        _first_query(engine)
        engine.dispose()

    kdf = manifest["kdf"]
    rows.append(Row(f"unlock, KDF included (Argon2id {kdf['memory_kib'] // 1024} MiB, "
                    f"t={kdf['time_cost']}, p={kdf['parallelism']})", repeat(with_kdf, runs)))
    rows.append(_row("open + migrations check", opened))
    return rows


def bench_queries(targets: Targets, runs: int) -> list[Row]:
    """What the app runs on the worker thread for each screen, on every target in turn."""
    ms = QUERY_TARGET * 1000
    listed = CaseTableModel.page_size
    first = f"first {listed} and the counts"
    work: list[tuple[str, Callable[[Services], object], float | None]] = [
        (f"case list as it opens: {first} by Last change",
         lambda sv: sv.cases.first_page(DEFAULT_LIST, listed), ms),
        (f"case list: scroll to the next {listed}",
         lambda sv: sv.cases.list_page(DEFAULT_LIST, listed, listed), ms),
        (f"case list: open + high risk + opened this year, {first}",
         lambda sv: sv.cases.first_page(replace(DEFAULT_LIST, statuses=(CaseStatus.OPEN,),
                                                risks=(RiskLevel.HIGH,),
                                                opened_from=date(2026, 1, 1)), listed), ms),
    ]
    for words in SEARCHES:
        work.append((_search_label(words, first),
                     lambda sv, w=words: sv.cases.first_page(
                         replace(DEFAULT_LIST, text=searched_text(w)), listed), ms))
    work += [
        ("open newest case (details, chronology, people, actions, evidence list)",
         lambda sv: _open_case(sv.cases, sv.evidence), None),
    ]
    return _time_jobs(targets, runs, work)


def bench_screens(targets: Targets, runs: int) -> list[Row]:
    """The other screens' worker jobs as they open (issue #13: each under 100 ms at 50k)."""
    ms = SCREEN_TARGET * 1000
    work: list[tuple[str, Callable[[Services], object], float | None]] = [
        ("reports to platforms as it opens (ui/tracker/view.load_bundle)",
         lambda sv: load_bundle(sv.tracker, sv.cases), ms),
        ("reports to platforms: show the next page",
         lambda sv: load_page(sv.tracker, PAGE_SIZE), ms),
        ("reports to platforms: figures per platform (after the page)",
         lambda sv: sv.tracker.figures(), ms),
        ("dashboard", lambda sv: sv.dashboard.snapshot(), ms),
        ("a learner's file and holds, as the Learners tab reads them (the learner on the "
         "most cases)", _learner_file, ms),
    ]
    return _time_jobs(targets, runs, work)


def _learner_file(sv: Services) -> object:
    """The Learners tab's job for the learner linked to the most cases (none: a dataset made
    before the register, see generate.py --register)."""
    assert sv.learner is not None
    return sv.people.learner_file(sv.learner), sv.retention.holds(sv.learner)


def _time_jobs(targets: Targets, runs: int,
               work: list[tuple[str, Callable[[Services], object], float | None]]) -> list[Row]:
    work = [w for w in work if not ONLY or any(o in w[0] for o in ONLY)]
    engines = {name: factory() for name, factory in targets.each()}
    try:
        services = {name: Services(store_for(engine, targets.layout.root))
                    for name, engine in engines.items()}
        rows = []
        for what, fn, target in work:
            if fn is _learner_file and any(sv.learner is None for sv in services.values()):
                print(f"  {what}: skipped (no register learner in this dataset)", flush=True)
                continue
            timings = interleaved({name: lambda sv=sv, fn=fn: fn(sv)
                                   for name, sv in services.items()}, runs)
            rows.append(_row(what, timings, target, QUERY_OVERHEAD))
            print(f"  {what}: {_ms(timings['encrypted'].median)} ms", flush=True)
        return rows
    finally:
        for engine in engines.values():
            engine.dispose()


def _search_label(words: str, first: str) -> str:
    if search_too_short(words):  # the list does not search for it: timed as the list runs it
        return f"search “{words}” (not searched: the list shows every case, asks for one more letter): {first}"
    return f"search “{words}”: {first}"


class Services:
    """The services the screens call, over one target's engine."""

    def __init__(self, store: Store) -> None:
        self.cases = CaseService(store)
        self.evidence = EvidenceService(store)
        self.tracker = TrackerService(store)
        self.dashboard = DashboardService(store)
        self.people = PeopleService(store)
        self.retention = RetentionService(store)
        self.learner = _busiest_learner(store)


def _busiest_learner(store: Store) -> int | None:
    """The register learner linked to the most cases, if the dataset has a register."""
    with store.read() as s:
        try:
            return s.execute(text(
                "SELECT register_id FROM person_links GROUP BY register_id "
                "ORDER BY count(*) DESC, register_id LIMIT 1")).scalar()
        except Exception:  # no register tables (a dataset made before them)
            return None


def _open_case(cases: CaseService, evidence: EvidenceService) -> None:
    newest = cases.list_page(limit=1)[0]
    cases.get(newest.id)
    cases.chronology(newest.id)
    cases.people(newest.id)
    cases.actions(newest.id)
    evidence.items(newest.id)


def _source_file(folder: Path, mib: int) -> Path:
    path = folder / f"evidence-{mib}MiB.mp4"
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(os.urandom(1024 * 1024))
    return path


def _floor(source: Path, folder: Path) -> Callable[[], None]:
    def copy() -> None:
        target = folder / "floor-copy.bin"
        digest = hashlib.sha256()
        with source.open("rb") as src, target.open("wb") as dst:
            while chunk := src.read(1024 * 1024):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        target.unlink()
    return copy


def _import_once(make: Callable[[Path], Engine], source: Path, folder: Path) -> float:
    """Time one ``EvidenceService.add_file`` into a fresh database (made outside the timing)."""
    scratch = Path(tempfile.mkdtemp(dir=folder))
    engine = make(scratch / "casebook.db")
    try:
        migrate.upgrade(engine)
        store = store_for(engine, scratch)
        case = CaseService(store).create("Bench case", "video")
        service = EvidenceService(store)
        start = time.perf_counter()
        service.add_file(case.id, source, safety_confirmed=True)
        return time.perf_counter() - start
    finally:
        engine.dispose()
        shutil.rmtree(scratch)


def bench_evidence(targets: Targets, runs: int, mib: int, folder: Path) -> list[Row]:
    source = _source_file(folder, mib)
    key = secrets.token_bytes(32)
    makers: dict[str, Callable[[Path], Engine]] = {
        "encrypted": lambda p: open_engine(p, key, create=True),
        "page4k": lambda p: keyed_engine(p, key, page_size=4096, create=True),
        "same_build": lambda p: plain_engine(p, driver="sqlcipher3", create=True),
    }
    if STDLIB_CAN_READ:
        makers["plain"] = lambda p: plain_engine(p, driver="sqlite3", create=True)
    timings = {name: Timing([_import_once(make, source, folder) for _ in range(runs)])
               for name, make in makers.items()}
    floor = repeat(_floor(source, folder), runs)
    source.unlink()
    label = f"add a {mib} MiB evidence file"
    return [
        Row(f"{label} (cipher page {CIPHER_PAGE_SIZE // 1024} KiB, as shipped)", timings["encrypted"], timings.get("plain"),
            timings["same_build"], None, EVIDENCE_OVERHEAD),
        Row(f"{label} (cipher page 4 KiB, SQLCipher's default)", timings["page4k"], timings.get("plain"),
            timings["same_build"], None, EVIDENCE_OVERHEAD),
        Row(f"floor: SHA-256 + copy {mib} MiB in 1 MiB chunks + fsync", floor),
    ]


def bench_backup(targets: Targets, runs: int, folder: Path) -> list[Row]:
    target = folder / "backup.db"
    layout = targets.layout

    def clean() -> None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()

    def encrypted() -> None:
        if targets.page_size is None:
            maintenance.backup_to(layout.database, target, targets.key)
        else:
            backup_with(lambda p, create: keyed_connect(p, targets.key,
                                                         page_size=targets.page_size,
                                                         create=create),
                        layout.database, target)

    timings = {"encrypted": repeat(encrypted, runs, setup=clean)}
    if targets.have_plain:
        drivers = (("plain", "sqlite3"),) if STDLIB_CAN_READ else ()
        for name, driver in (*drivers, ("same_build", "sqlcipher3")):
            timings[name] = repeat(
                lambda d=driver: backup_with(
                    lambda p, create: plain_connect(p, driver=d, create=create),
                    layout.plain, target), runs, setup=clean)
    clean()
    size = layout.database.stat().st_size / 2**20
    return [_row(f"backup ({size:,.0f} MiB)", timings)]


def bench_writes(targets: Targets, runs: int) -> list[Row]:
    """Small commits as the DSL makes them all day (each: WAL append + fsync + audit entry).
    They are added to the oldest case of the dataset."""
    results: dict[str, dict[str, Timing]] = {"entry": {}, "step": {}}
    for name, factory in targets.each():
        engine = factory()
        try:
            cases = CaseService(store_for(engine, targets.layout.root))
            counter = iter(range(10**6))
            results["entry"][name] = repeat(
                lambda c=cases, n=counter: c.add_entry(1, f"Bench entry {next(n)}: spoke to "
                                                          "the parent about the screenshots"),
                runs)
            results["step"][name] = repeat(
                lambda c=cases, n=counter: c.save_step(1, "investigation",
                                                       {"notes": f"draft {next(n)}"}), runs)
        finally:
            engine.dispose()
    return [_row("add a chronology entry (one commit)", results["entry"], None, QUERY_OVERHEAD),
            _row("autosave a response step (one commit)", results["step"], None,
                 QUERY_OVERHEAD)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder made by generate.py")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query-runs", type=int, default=15,
                        help="runs for the millisecond-scale queries (default 15)")
    parser.add_argument("--evidence-mib", type=int, default=100)
    parser.add_argument("--skip", action="append", default=[],
                        choices=["open", "queries", "screens", "writes", "evidence", "backup"])
    parser.add_argument("--only", action="append", default=[],
                        help="time only the list/search/screen jobs whose description "
                             "contains this text (repeatable)")
    parser.add_argument("--no-plain", action="store_true",
                        help="time only the encrypted casebook")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    ONLY[:] = args.only

    layout = Layout(args.data)
    if not layout.manifest.exists():
        print(f"No dataset in {layout.root}: run `make bench-data` (bench/generate.py) first.",
              file=sys.stderr)
        return 2
    manifest = layout.read_manifest()
    have_plain = bool(manifest.get("plain")) and layout.plain.exists() and not args.no_plain
    key = KeyVault.load(layout.slots).unlock_with_passphrase("1", manifest["passphrase"])
    page_size = manifest.get("cipher_page_size")
    targets = Targets(layout, key, have_plain, page_size)

    counts = manifest["counts"]
    header = [
        f"Machine: {machine()}",
        f"Versions: {versions()}",
        f"Dataset: {counts['cases']:,} cases, {counts['chronology']:,} chronology entries, "
        f"{counts['evidence_files']:,} evidence files "
        f"({counts['evidence_bytes'] / 2**20:,.0f} MiB), {counts['people']:,} people, "
        f"{counts['social_accounts']:,} accounts, {counts['actions']:,} actions, "
        f"{counts['audit_log']:,} audit entries; encrypted file "
        f"{manifest['encrypted_bytes'] / 2**20:,.0f} MiB, cipher page "
        f"{page_size or f'as shipped (engine default, {CIPHER_PAGE_SIZE})'}"
        + ("" if have_plain else " (no plain copy: run generate.py --plain for ratios)"),
        f"Runs: {args.runs} ({args.query_runs} for list/search/count/open case); median, first "
        "run in brackets (it starts with a cold SQLCipher page cache)",
    ]
    print("\n".join(header), flush=True)

    rows: list[Row] = []
    # Its own scratch folder: several people may time the same dataset at once.
    scratch_root = Path(tempfile.mkdtemp(prefix="scratch-", dir=layout.root)) \
        if {"evidence", "backup"} - set(args.skip) else layout.root / "no-scratch"
    try:
        if "open" not in args.skip:
            print("timing unlock and open ...", flush=True)
            rows += bench_open(targets, args.runs)
        if "queries" not in args.skip:
            print("timing list and search ...", flush=True)
            rows += bench_queries(targets, args.query_runs)
        if "screens" not in args.skip:
            print("timing the other screens ...", flush=True)
            rows += bench_screens(targets, args.query_runs)
        if "writes" not in args.skip:
            print("timing small writes ...", flush=True)
            rows += bench_writes(targets, args.query_runs)
        if "evidence" not in args.skip:
            print(f"timing a {args.evidence_mib} MiB evidence import ...", flush=True)
            rows += bench_evidence(targets, args.runs, args.evidence_mib, scratch_root)
        if "backup" not in args.skip:
            print("timing backup ...", flush=True)
            rows += bench_backup(targets, args.runs, scratch_root)
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)

    result = table(rows)
    print()
    print(result)
    if args.markdown:
        args.markdown.write_text("\n".join(f"- {line}" for line in header) + "\n\n" + result
                                 + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
