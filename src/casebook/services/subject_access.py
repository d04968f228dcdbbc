"""Subject access: everything held about one person, every other person redacted, and a log
of what was withheld and why (kept by the school, not sent to the requester).

The export is the person's file across cases as a PDF (other learners and their parents or
carers under labels, as in the child protection file) and, beside it, ``<name>.withheld.csv``:
one line per thing withheld with the reason. Evidence files are never released by this route:
screenshots and videos nearly always show other people, so they are listed in the log for a
person-by-person review instead.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from casebook.services.people import PeopleService
from casebook.services.store import Store
from casebook.services.transfer import write_atomically
from casebook.storage import tables as t

REASON_THIRD_PARTY = ("Third-party information: another person's identity, replaced by a "
                      "label")
REASON_FAMILY = ("Third-party information: a relative's identity; the relationship is shown, "
                 "the name is not")
REASON_EVIDENCE = ("Evidence files may show other people: not released without a "
                   "person-by-person review")


@dataclass(frozen=True)
class SubjectAccessResult:
    pdf: Path
    log: Path
    pages: int
    withheld: int


class SubjectAccessService:
    def __init__(self, store: Store, people: PeopleService) -> None:
        self.store = store
        self.people = people

    def withheld(self, person_id: int) -> list[tuple[str, str, str]]:
        """(case reference, what was withheld, why)."""
        rows = [(ref, f"Name of a {kind} shown as {label}", REASON_THIRD_PARTY)
                for ref, label, kind in self.people.labels_used(person_id)]
        rows += [("", f"Name of a family member ({words.lower()})", REASON_FAMILY)
                 for words, _other in self.people.family(person_id)]
        links = self.people.links(person_id)
        with self.store.read() as s:
            for case_id, ref in sorted({(link.case_id, link.case_reference) for link in links}):
                count = s.scalar(select(func.count(t.EvidenceRow.id))
                                 .where(t.EvidenceRow.case_id == case_id)) or 0
                if count:
                    rows.append((ref, f"{count} evidence item(s)", REASON_EVIDENCE))
        return rows

    def export(self, person_id: int, out: Path | str, password: str | None = None
               ) -> SubjectAccessResult:
        out = Path(out)
        log_path = out.with_name(out.stem + ".withheld.csv")
        withheld = self.withheld(person_id)
        pages = self.people.export_file(person_id, out, password=password,
                                        template_id="subject-access", withhold_family=True)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["Case", "Withheld", "Why"])
        writer.writerows(withheld)
        write_atomically(log_path, buffer.getvalue().encode("utf-8-sig"), "the withheld log",
                         exclusive=False)
        self.store.log_event("subject-access.export", f"register:{person_id}",
                             f"pages={pages},withheld={len(withheld)}")
        return SubjectAccessResult(out, log_path, pages, len(withheld))
