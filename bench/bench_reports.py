"""Benchmark: render a large case (500 chronology entries, 50 images) to PDF.

    .venv/bin/python bench/bench_reports.py [--entries 500] [--images 50] [--runs 3]

Prints the median of the runs for each template, plus the time to clean and encrypt the file,
and the process's memory (resident set) after each template once garbage is collected, and its
peak: what the app keeps after an export. ``--size 1170x2532`` makes the images phone
screenshots. The data is made up in memory; nothing is read from a casebook.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="1280x720", help="image size, e.g. 1170x2532 (a phone)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    data = make_data(args.entries, args.images, (width, height))
    gc.collect()
    print(f"case: {args.entries} chronology entries, {args.images} images ({width}x{height}); "
          f"RSS before exporting {rss_mib():.0f} MiB")
    print(f"{'template':<16} {'median s':>9} {'pages':>6} {'MB':>6}")
    for template_id in ("case-file", "chronology", "evidence-log", "platform-pack"):
        options = ExportOptions(template_id, "Alex Morgan", datetime(2026, 3, 12, 16, 45),
                                named_person_ids=frozenset({3}))
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            pdf = render_case_report(data, options)
            times.append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            pages = write_pdf_atomically(pdf, Path(folder) / "out.pdf", password="a passphrase")
            write_time = time.perf_counter() - start
        size_mb = len(pdf) / 1e6
        del pdf
        gc.collect()
        print(f"{template_id:<16} {statistics.median(times):>9.2f} {pages:>6} "
              f"{size_mb:>6.1f}   (encrypt+write {write_time:.2f} s; RSS after "
              f"{rss_mib():.0f} MiB, peak {peak_rss_mib():.0f} MiB)")


if __name__ == "__main__":
    main()
