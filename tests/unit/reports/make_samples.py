"""Render every template with the test fixtures and save page images for visual review.

Not part of the test suite. Run from the repository root:

    .venv/bin/python tests/unit/reports/make_samples.py [--all-pages] [--out DIR]

Writes ``docs/report-samples/<template>.png`` (first page, 60 dpi). With ``--all-pages`` every
page of every template is also written as ``<template>-<n>.png`` into a scratch folder (not
the docs folder) so a reviewer can look at each one. PDFs are written to a temporary folder and
never into the repository.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_helpers import ANAIS, PRIYA, make_case_data, options, summary_data  # noqa: E402

from casebook.domain import Jurisdiction  # noqa: E402
from casebook.reports import (  # noqa: E402
    render_case_report,
    render_governors_summary,
    write_pdf_atomically,
)

REPO = Path(__file__).resolve().parents[3]
#: Made-up contact details, so the referral's "Referrer and school" block is filled in.
SCHOOL_DETAILS = {"address": "1 Oak Lane, Testtown TE1 1ST", "urn": "123456",
                  "headteacher": "Dr R. Head", "phone": "01632 960000",
                  "email": "dsl@oakfield.example", "website": "https://oakfield.example"}
CASE_TEMPLATES = ("case-file", "lado-referral", "platform-pack", "helpline-pack", "chronology",
                  "evidence-log")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--all-pages", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "report-samples")
    parser.add_argument("--pages-dir", type=Path, default=Path(tempfile.gettempdir()) /
                        "casebook-report-pages")
    parser.add_argument("--jurisdiction", default="england")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    jurisdiction = Jurisdiction(args.jurisdiction)
    suffix = "" if jurisdiction == Jurisdiction.ENGLAND else f"-{jurisdiction.value}"
    with tempfile.TemporaryDirectory() as scratch:
        for template_id in (*CASE_TEMPLATES, "governors-summary"):
            pdf_path = Path(scratch) / f"{template_id}.pdf"
            if template_id == "governors-summary":
                pdf = render_governors_summary(summary_data(jurisdiction),
                                               options(template_id, recipient="Governing body"))
            else:
                named = {ANAIS, PRIYA} if template_id != "lado-referral" else {ANAIS}
                data = replace(make_case_data(jurisdiction), school_details=SCHOOL_DETAILS)
                pdf = render_case_report(data, options(template_id, named))
            pages = write_pdf_atomically(pdf, pdf_path)
            stem = args.out / f"{template_id}{suffix}"
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1",
                            "-singlefile", str(pdf_path), str(stem)], check=True)
            print(f"{template_id}: {pages} page(s) -> {stem}.png")
            if args.all_pages:
                args.pages_dir.mkdir(parents=True, exist_ok=True)
                subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path),
                                str(args.pages_dir / f"{template_id}{suffix}")], check=True)


if __name__ == "__main__":
    main()
