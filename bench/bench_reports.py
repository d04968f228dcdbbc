"""Benchmark: render a large case (500 chronology entries, 50 images) to PDF, and memory.

    .venv/bin/python bench/bench_reports.py [--entries 500] [--images 50] [--runs 3]
    .venv/bin/python bench/bench_reports.py --casebook [--images 50] [--size 1170x2532]

Prints the median of the runs for each template, plus the time to clean and encrypt the file,
and the process's memory (resident set): before the export, its peak during the export, after
it once garbage is collected, and after :func:`casebook.memory.hand_back_memory` (what the app
does after every export). ``--size 1170x2532`` makes the images phone screenshots. The data is
made up in memory; nothing is read from a casebook.

``--casebook`` runs the exports as the app does instead: a demo casebook in a temporary
folder, one more case with ``--images`` phone screenshots of an account, then the biggest demo
case's case file and that case's platform pack through ``ExportService.prepare_case`` (with the
check page's 12 page previews) and ``save_case``, on one worker thread like the app's database
thread. ``--qt`` first loads Qt and the app's screens (an offscreen QApplication), so the
baseline is the app's rather than a bare Python's. Peaks need Linux (``/proc/self/clear_refs``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from casebook.domain import (
    AccountKind,
    Case,
    CaseStatus,
    CaseType,
    ChronologyEntry,
    EvidenceItem,
    EvidenceKind,
    Jurisdiction,
    Person,
    PersonKind,
    PersonRole,
    RiskLevel,
    School,
    SocialAccount,
)
from casebook.memory import hand_back_memory
from casebook.reports import (
    CaseReportData,
    ExportOptions,
    render_case_report,
    write_pdf_atomically,
)

SENTENCE = ("Learner reported that the account posted another photo taken in the canteen, with a "
            "caption inviting rumours; the DSL viewed it from a school device and noted the time. ")


def rss_mib() -> float:
    """Resident memory now (Linux: /proc/self/statm; elsewhere the peak is all we have)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mib()


def reset_peak() -> None:
    """Start a new peak (Linux: writing 5 to clear_refs resets VmHWM); elsewhere a no-op."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def window_peak_mib() -> float:
    """The peak since :func:`reset_peak` (Linux: VmHWM), else the process's lifetime peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return peak_rss_mib()


def measured(job: Callable[[], object], run: Callable[[Callable[[], object]], object] | None = None
             ) -> tuple[float, str]:
    """Run ``job`` (through ``run``, e.g. on a worker thread); its time and an RSS line."""
    gc.collect()
    before = rss_mib()
    reset_peak()
    start = time.perf_counter()
    result = run(job) if run is not None else job()
    elapsed = time.perf_counter() - start
    del result
    peak = window_peak_mib()
    gc.collect()
    after = rss_mib()
    start = time.perf_counter()
    hand_back_memory()
    trim_ms = (time.perf_counter() - start) * 1000
    return elapsed, (f"RSS before {before:.0f}, peak {peak:.0f}, after {after:.0f}, "
                     f"handed back {rss_mib():.0f} MiB ({trim_ms:.0f} ms)")


def peak_rss_mib() -> float:
    try:
        import resource  # not on Windows
    except ImportError:
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _image(index: int, size: tuple[int, int] = (1280, 720)) -> bytes:
    """A picture, alternately PNG and JPEG, different each time."""
    width, height = size
    image = Image.new("RGB", size, (240, 240, 245))
    draw = ImageDraw.Draw(image)
    for row in range(0, height, 48):
        draw.rectangle((0, row, width, row + 24), fill=((index * 37 + row) % 255, 90, 160))
    draw.text((40, 40), f"screenshot {index}", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG" if index % 2 else "JPEG", quality=88)
    return out.getvalue()


def make_data(entries: int, images: int,
              size: tuple[int, int] = (1280, 720)) -> CaseReportData:
    opened = datetime(2026, 1, 5, 9, 0)
    people = tuple(
        Person(i, 1, name, kind, PersonRole.HARMED if i % 2 else PersonRole.WITNESS)
        for i, (name, kind) in enumerate([
            ("Zoë Ødegård", PersonKind.LEARNER), ("Сергей Иванов", PersonKind.LEARNER),
            ("Anaïs Dubois", PersonKind.STAFF), ("Γιώργος Παππάς", PersonKind.PARENT),
        ], start=1)
    )
    chronology = tuple(
        ChronologyEntry(1000 + i, 1, opened + timedelta(hours=3 * i),
                        opened + timedelta(hours=3 * i, minutes=5), "Alex Morgan",
                        f"Zoë Ødegård and Сергей Иванов: entry {i}. " + SENTENCE * (1 + i % 4))
        for i in range(entries)
    )
    blobs = {2000 + i: _image(i, size) for i in range(images)}
    evidence = tuple(
        EvidenceItem(2000 + i, 1, EvidenceKind.FILE, f"Screenshot {i} of the account",
                     opened + timedelta(hours=i), "Alex Morgan", "DSL's school phone",
                     f"shot-{i}.{'png' if i % 2 else 'jpg'}",
                     "image/png" if i % 2 else "image/jpeg", len(blobs[2000 + i]), f"{i:064x}")
        for i in range(images)
    )
    accounts = (SocialAccount(1, 1, "Instagram", "@school.muggies", AccountKind.BAITING,
                              "https://www.instagram.com/school.muggies/", date(2026, 1, 4)),)
    case = Case(1, "CB-2026-0001", "Baiting account", CaseType.BAITING, SENTENCE * 3,
                CaseStatus.OPEN, RiskLevel.HIGH, opened, opened, "Alex Morgan")
    return CaseReportData(
        school=School("Oakfield Academy", Jurisdiction.ENGLAND, opened), dsl_name="Alex Morgan",
        case=case, people=people, accounts=accounts, chronology=chronology, evidence=evidence,
        evidence_image=blobs.get,
    )


def add_pack_case(casebook: Any, images: int, size: tuple[int, int]) -> int:
    """A case with ``images`` screenshots of a baiting account (on the database thread)."""
    case = casebook.cases.create("Baiting account with many screenshots", CaseType.BAITING,
                                 SENTENCE)
    casebook.cases.add_account(case.id, "Instagram", "@school.muggies", AccountKind.BAITING)
    for index in range(images):
        casebook.evidence.add_bytes(case.id, _image(index, size),
                                    filename=f"shot-{index}.{'png' if index % 2 else 'jpg'}",
                                    source="DSL", description=f"Screenshot {index}",
                                    safety_confirmed=True)
    return int(case.id)


def biggest_case(casebook: Any, other_than: int) -> int:
    """The demo case with the most chronology entries and evidence."""
    return max((c.id for c in casebook.cases.list_page(limit=1000)),
               key=lambda cid: len(casebook.cases.chronology(cid))
               + len(casebook.evidence.items(cid)) if cid != other_than else -1)


def export_plan(images: int, biggest: int, pack_case: int) -> list[tuple[str, int, str]]:
    """What both casebook modes export: label, case, template."""
    pack = f"{images}-screenshot platform pack"
    return [("biggest demo case, case file", biggest, "case-file"),
            (pack, pack_case, "platform-pack"), (f"{pack} again", pack_case, "platform-pack")]


def casebook_exports(images: int, size: tuple[int, int], with_qt: bool) -> None:
    """The biggest demo case's case file and a platform pack of ``images`` screenshots, made
    through the export service on one worker thread, as the app makes them."""
    from casebook.services.demo import create_demo_casebook

    if with_qt:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        import casebook.ui.main_window  # noqa: F401  (the app's screens, as after unlocking)

        app = QApplication.instance() or QApplication([])  # noqa: F841
    worker = ThreadPoolExecutor(1)  # the app's one database thread

    def on_worker(job: Callable[[], object]) -> object:
        return worker.submit(job).result()

    with tempfile.TemporaryDirectory() as folder:
        casebook = on_worker(lambda: create_demo_casebook(Path(folder) / "demo", "bench pass 1"))
        evidence, exports = casebook.evidence, casebook.exports  # type: ignore[attr-defined]

        pack_case = on_worker(lambda: add_pack_case(casebook, images, size))
        biggest = on_worker(lambda: biggest_case(casebook, pack_case))

        def export(case_id: int, template_id: str) -> Callable[[], object]:
            def job() -> object:
                ids = frozenset(e.id for e in evidence.items(case_id))
                prepared = exports.prepare_case(case_id, template_id, evidence_ids=ids,
                                                password="a passphrase", preview_pages=12)
                return exports.save_case(case_id, prepared, Path(folder) / "out.pdf")
            return job

        gc.collect()
        hand_back_memory()
        print(f"demo casebook + a case of {images} screenshots ({size[0]}x{size[1]})"
              f"{', with Qt and the screens loaded' if with_qt else ''}; "
              f"RSS {rss_mib():.0f} MiB")
        for label, case_id, template_id in export_plan(images, biggest, pack_case):
            elapsed, memory = measured(export(case_id, template_id), on_worker)
            print(f"{label:<40} {elapsed:6.2f} s  {memory}")
        on_worker(casebook.lock)  # type: ignore[attr-defined]
    worker.shutdown()


def window_exports(images: int, size: tuple[int, int]) -> None:
    """The same exports through the real window: unlocked on a demo casebook, the case opened,
    the export dialog driven as a user does (Export…, its page previews, Save…), then closed;
    the app's collector and its freezing of the workspace as in ``ui/app.py``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CASEBOOK_INSECURE_TEST_KDF", "1")  # the demo's unlock is not timed
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from casebook.services.demo import create_demo_casebook
    from casebook.ui import prompts
    from casebook.ui.kit.collector import MainThreadCollector, SessionHeap
    from casebook.ui.main_window import MainWindow
    from casebook.ui.worker import DbWorker

    app = QApplication.instance() or QApplication([])
    collector = MainThreadCollector(app)
    prompts.set_testing(True)  # the save dialog's answer comes from prompts.answers
    worker = DbWorker()
    print(f"Qt and the app's screens loaded: RSS {rss_mib():.0f} MiB")

    def spin(until: Callable[[], bool], timeout_s: float = 120) -> None:
        end = time.monotonic() + timeout_s
        loop = QEventLoop()
        while not until():
            if time.monotonic() > end:
                raise RuntimeError("timed out")
            QTimer.singleShot(20, loop.quit)
            loop.exec()

    def on_worker(job: Callable[[], object]) -> object:
        out: list[object] = []
        worker.submit(job, out.append, lambda e: out.append(e))
        spin(lambda: bool(out))
        if isinstance(out[0], BaseException):
            raise out[0]
        return out[0]

    def settle(seconds: float = 2.0) -> None:
        """Let deleteLater, the collector's timer (1 s) and the views' reloads run."""
        end = time.monotonic() + seconds
        spin(lambda: time.monotonic() > end)

    with tempfile.TemporaryDirectory() as folder:
        casebook: Any = on_worker(lambda: create_demo_casebook(Path(folder) / "demo",
                                                               "bench pass 1"))
        pack_case = int(on_worker(lambda: add_pack_case(casebook, images, size)))  # type: ignore[call-overload]
        biggest = int(on_worker(lambda: biggest_case(casebook, pack_case)))  # type: ignore[call-overload]
        gc.collect()
        hand_back_memory()
        print(f"demo casebook made (on the worker): RSS {rss_mib():.0f} MiB")
        window = MainWindow(worker, casebook.paths, casebook)

        def export_through_dialog(case_id: int, template_id: str) -> int:
            """Open the case, Export…, wait for the check page, Save…, close: the previews."""
            window.open_case(case_id)
            spin(lambda: case_id in window.case_views
                 and window.case_views[case_id].bundle is not None)
            view = window.case_views[case_id]
            dialog: Any = view.open_export()
            spin(lambda: dialog.setup is not None and dialog.export_button.isEnabled())
            dialog.template_combo.setCurrentIndex(dialog.template_combo.findData(template_id))
            box = dialog.password_box
            if box.enable_check.isChecked():  # saved with a password, as bench --casebook
                box.password_edit.setText("harbour lantern quietly")
                box.confirm_edit.setText("harbour lantern quietly")
            dialog.start()  # Export…: the PDF made in memory, the check page's previews
            spin(lambda: dialog.prepared is not None or dialog.banner.kind == "error")
            previews = len(dialog.prepared.previews) if dialog.prepared is not None else 0
            prompts.answers.append(str(Path(folder) / f"{template_id}.pdf"))
            dialog.start()  # Save…
            spin(lambda: dialog.result is not None or dialog.banner.kind == "error")
            if dialog.result is None:
                raise RuntimeError(dialog.banner.text())
            dialog.accept()
            spin(lambda: view.export_dialog is None)
            return previews

        ready: list[bool] = []
        heap = SessionHeap()  # as ui/app.py
        window.unlocked.connect(heap.session_open)
        window.locked.connect(lambda: heap.session_closed(window.holds_no_casebook))
        window.unlocked.connect(lambda: ready.append(True))
        window.resize(1366, 768)
        window.show()
        spin(lambda: bool(ready))
        settle()
        print(f"window unlocked on a demo casebook + a case of {images} screenshots "
              f"({size[0]}x{size[1]}); RSS {rss_mib():.0f} MiB")
        for label, case_id, template_id in export_plan(images, biggest, pack_case):
            before = rss_mib()
            reset_peak()
            start = time.perf_counter()
            previews = export_through_dialog(case_id, template_id)
            elapsed = time.perf_counter() - start
            settle()
            peak, after = window_peak_mib(), rss_mib()
            hand_back_memory()
            trimmed = rss_mib()
            gc.collect()
            hand_back_memory()
            print(f"{label:<40} {elapsed:6.2f} s  RSS before {before:.0f}, peak {peak:.0f}, "
                  f"after the dialog closed {after:.0f}, after a trim {trimmed:.0f}, after a "
                  f"full collection and a trim {rss_mib():.0f} MiB ({previews} previews)")
        window.lock()
        spin(lambda: window.casebook is None)
        settle()
        print(f"locked: RSS {rss_mib():.0f} MiB")
        window.close()
    worker.stop()
    collector.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="1280x720", help="image size, e.g. 1170x2532 (a phone)")
    parser.add_argument("--casebook", action="store_true",
                        help="export from a demo casebook through the export service")
    parser.add_argument("--qt", action="store_true",
                        help="with --casebook: load Qt and the app's screens first")
    parser.add_argument("--window", action="store_true",
                        help="export through the real window and export dialog (offscreen)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    if args.window:
        window_exports(args.images, (width, height))
        return
    if args.casebook:
        casebook_exports(args.images, (width, height), args.qt)
        return
    data = make_data(args.entries, args.images, (width, height))
    gc.collect()
    print(f"case: {args.entries} chronology entries, {args.images} images ({width}x{height}); "
          f"RSS before exporting {rss_mib():.0f} MiB")
    print(f"{'template':<16} {'median s':>9} {'pages':>6} {'MB':>6}")
    for template_id in ("case-file", "chronology", "evidence-log", "platform-pack"):
        options = ExportOptions(template_id, "Alex Morgan", datetime(2026, 3, 12, 16, 45),
                                named_person_ids=frozenset({3}))
        times = []
        rendered: list[bytes] = []
        memory = ""

        def render(o: ExportOptions = options, out: list[bytes] = rendered) -> None:
            out.append(render_case_report(data, o))

        for _ in range(args.runs):
            elapsed, memory = measured(render)
            times.append(elapsed)
            pdf = rendered.pop()
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            pages = write_pdf_atomically(pdf, Path(folder) / "out.pdf", password="a passphrase")
            write_time = time.perf_counter() - start
        size_mb = len(pdf) / 1e6
        del pdf
        print(f"{template_id:<16} {statistics.median(times):>9.2f} {pages:>6} "
              f"{size_mb:>6.1f}   (encrypt+write {write_time:.2f} s; last run: {memory})")


if __name__ == "__main__":
    main()
