"""Import learners from a school MIS export (SIMS, Arbor, Bromcom CSV).

The file is read as a stream (never whole into memory) in two passes: one to find the
encoding (UTF-8 with or without a byte-order mark, else Windows-1252), one to read rows.
Matching is idempotent: by UPN first, then by legal forename + surname + date of birth, so
running the same file twice adds nothing. A file that cannot be read as a whole (missing
columns, too big, not a CSV) changes nothing; a row that cannot be used is counted as
rejected with its line number and reason, and the rest go in, all in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from casebook.domain import PersonKind, normalise_upn
from casebook.errors import ValidationError
from casebook.services.store import Store
from casebook.storage import tables_people as tpe

#: A large secondary school has about 2,000 learners and a trust's export a few times that;
#: past these the file is refused before anything is read into the casebook.
MAX_ROWS = 20_000
MAX_BYTES = 25 * 1024 * 1024

#: Normalised header (lower case, letters and digits only) -> field. SIMS, Arbor and Bromcom
#: spell the same columns differently.
HEADERS = {
    "upn": "upn", "uniquepupilnumber": "upn", "pupilupn": "upn", "studentupn": "upn",
    "legalforename": "forename", "forename": "forename", "firstname": "forename",
    "legalfirstname": "forename", "givenname": "forename",
    "legalsurname": "surname", "surname": "surname", "lastname": "surname",
    "legallastname": "surname", "familyname": "surname",
    "preferredforename": "preferred_name", "preferredname": "preferred_name",
    "preferredfirstname": "preferred_name", "knownas": "preferred_name",
    "dob": "date_of_birth", "dateofbirth": "date_of_birth", "birthdate": "date_of_birth",
    "year": "year_group", "yeargroup": "year_group", "ncyear": "year_group",
    "nationalcurriculumyear": "year_group", "yearofcohort": "year_group",
    "reg": "registration_group", "form": "registration_group",
    "registrationgroup": "registration_group", "reggroup": "registration_group",
    "formgroup": "registration_group", "tutorgroup": "registration_group",
}
REQUIRED = {"forename": "Legal Forename (or Forename, First name)",
            "surname": "Legal Surname (or Surname, Last name)",
            "date_of_birth": "DOB (or Date of Birth)"}
_COMPARED = ("forename", "surname", "preferred_name", "upn", "date_of_birth", "year_group",
             "registration_group")


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    encoding: str = ""
    written: bool = False
    left: int = 0  # on roll before, not in this (whole-school) file: marked as left

    def summary(self) -> str:
        left = f", {self.left} marked as left" if self.left else ""
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.rejected)} rejected{left}")


def parse_date(text: str) -> date:
    """dd/mm/yyyy (also with - or .) or ISO yyyy-mm-dd; a ValueError for anything else."""
    value = text.strip()
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?", value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    raise ValueError(value)


def _year_group(text: str) -> str:
    value = " ".join(text.split())
    if re.fullmatch(r"\d{1,2}", value):
        return f"Year {int(value)}"
    match = re.fullmatch(r"(?i)y(?:ear|r)?\s*(\d{1,2})", value)
    return f"Year {int(match.group(1))}" if match else value


def detect_encoding(path: Path, chunk: int = 1 << 16) -> str:
    """``utf-8-sig`` when the whole file decodes as UTF-8 (BOM or not), else ``cp1252``."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while block := handle.read(chunk):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _get(row: Any, name: str) -> Any:
    """A field of a register row, or of a new row not yet inserted (a dict)."""
    return row.get(name) if isinstance(row, dict) else getattr(row, name)


class _DryRun(Exception):
    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


class LearnerImport:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _rows(self, path: Path, encoding: str) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, {field: text}) per data row; raises ValidationError for the file."""
        try:
            yield from self._read(path, encoding)
        except UnicodeDecodeError:
            raise ValidationError("The file has characters that are neither UTF-8 nor "
                                  "Windows-1252 text. Nothing was imported. Save it again from "
                                  "the MIS as CSV UTF-8.") from None

    def _read(self, path: Path, encoding: str) -> Iterator[tuple[int, dict[str, str]]]:
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
            sample = text.read(8192)
            text.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel  # type: ignore[assignment]
            reader = csv.reader(text, dialect)
            try:
                header = next(reader)
            except StopIteration:
                raise ValidationError("The file is empty: nothing was imported.") from None
            except csv.Error as exc:
                raise ValidationError(f"The file is not a readable CSV ({exc}).") from None
            columns: dict[int, str] = {}
            for index, name in enumerate(header):
                key = HEADERS.get(re.sub(r"[^a-z0-9]", "", name.lower()))
                if key and key not in columns.values():
                    columns[index] = key
            missing = [label for key, label in REQUIRED.items() if key not in columns.values()]
            if missing:
                raise ValidationError("The file has no column for " + "; ".join(missing)
                                      + ". Nothing was imported. Export it again from the "
                                      "MIS with those columns.")
            count = 0
            try:
                for values in reader:
                    if not any(v.strip() for v in values):
                        continue
                    count += 1
                    if count > MAX_ROWS:
                        raise ValidationError(
                            f"The file has more than {MAX_ROWS:,} learners: nothing was "
                            "imported. Split it (for example by year group) and import each.")
                    yield reader.line_num, {key: (values[i].strip() if i < len(values) else "")
                                            for i, key in columns.items()}
            except csv.Error as exc:
                raise ValidationError(f"Line {reader.line_num} of the file cannot be read "
                                      f"as CSV ({exc}). Nothing was imported.") from None

    def run(self, path: Path | str, *, dry_run: bool = False,
            mark_missing_left: bool = False) -> ImportResult:
        """Import (or with ``dry_run`` only check) a CSV of learners. With
        ``mark_missing_left`` the file is taken as the whole roll: learners on roll who are not
        in it are marked as left today (refused while any line is rejected, so a learner whose
        line could not be read is never marked as left by mistake)."""
        try:
            return self._run(Path(path), dry_run, mark_missing_left)
        except _DryRun as done:
            return done.result
        except (PermissionError, IsADirectoryError) as error:
            # Windows: Excel keeps an open CSV locked.
            raise ValidationError("Casebook could not read the file. If it is open in Excel or "
                                  "another program, close it and try again. Nothing was "
                                  "imported.") from error

    def _run(self, path: Path, dry_run: bool, mark_missing_left: bool = False) -> ImportResult:
        if not path.is_file():
            raise ValidationError(f"There is no file at {path}.")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError(f"The file is {size / 1048576:.0f} MB; Casebook imports at most "
                                  f"{MAX_BYTES // 1048576} MB ({MAX_ROWS:,} learners). Nothing "
                                  "was imported.")
        result = ImportResult(encoding=detect_encoding(path))
        today = self.store.now().date()
        now = self.store.now()
        with self.store.write("register.import") as work:
            s = work.session
            by_upn: dict[str, Any] = {}
            by_name: dict[tuple[str, str, date | None], Any] = {}
            existing = list(s.scalars(select(tpe.RegisterPersonRow).where(
                tpe.RegisterPersonRow.kind == PersonKind.LEARNER.value)))
            for row in existing:
                if row.upn:
                    by_upn[row.upn] = row
                by_name[(row.forename.casefold(), row.surname.casefold(), row.date_of_birth)] = row
            all_upns = set(by_upn) | set(s.scalars(select(tpe.RegisterPersonRow.upn).where(
                tpe.RegisterPersonRow.upn.is_not(None))))
            seen_upns: dict[str, int] = {}
            seen: set[int] = set()  # id() of register rows (or new rows) already matched
            new_rows: list[dict] = []  # inserted at the end with one Core executemany
            for line, values in self._rows(path, result.encoding):
                try:
                    fields = self._fields(values, today)
                except ValidationError as exc:
                    result.rejected.append((line, str(exc)))
                    continue
                upn = fields["upn"]
                if upn and upn in seen_upns:
                    result.rejected.append((line, f"the UPN {upn} is also on line "
                                                  f"{seen_upns[upn]}"))
                    continue
                key = (fields["forename"].casefold(), fields["surname"].casefold(),
                       fields["date_of_birth"])
                match: Any = by_upn.get(upn) if upn else None
                if match is None:
                    match = by_name.get(key)
                    if match is not None and _get(match, "upn") and upn \
                            and _get(match, "upn") != upn:
                        match = None  # same name and birthday, different child
                if match is None and upn and upn in all_upns:
                    result.rejected.append((line, f"the UPN {upn} belongs to someone in the "
                                                  "register who is not a learner"))
                    continue
                if match is not None and id(match) in seen:
                    result.rejected.append((line, "this learner is already on an earlier line"))
                    continue
                if upn:
                    seen_upns[upn] = line
                if match is None:
                    row = {"kind": PersonKind.LEARNER.value, "job_title": "", "notes": "",
                           "received_from": "", "on_roll": True, "left_on": None,
                           "created_at": now, "updated_at": now, **fields}
                    new_rows.append(row)
                    seen.add(id(row))
                    by_name[key] = row
                    if upn:
                        by_upn[upn] = row
                        all_upns.add(upn)
                    result.added += 1
                    continue
                seen.add(id(match))
                changes = {k: v for k, v in fields.items()
                           if k in _COMPARED and v not in ("", None) and getattr(match, k) != v}
                if not match.on_roll:
                    changes["on_roll"] = True
                    changes["left_on"] = None
                if changes:
                    for k, v in changes.items():
                        setattr(match, k, v)
                    match.updated_at = now
                    result.updated += 1
                else:
                    result.unchanged += 1
            if new_rows:
                s.flush()
                s.execute(insert(tpe.RegisterPersonRow.__table__), new_rows)
            if mark_missing_left:
                if result.rejected:
                    raise ValidationError(
                        f"{len(result.rejected)} line(s) could not be used, so nobody was "
                        "marked as left and nothing was imported. Correct those lines (or "
                        "import without marking leavers) and try again.")
                for row in existing:
                    if row.on_roll and id(row) not in seen:
                        row.on_roll, row.left_on, row.updated_at = False, today, now
                        result.left += 1
            work.detail = (f"added={result.added},updated={result.updated},"
                           f"unchanged={result.unchanged},rejected={len(result.rejected)},"
                           f"left={result.left}")
            if dry_run:
                raise _DryRun(result)  # roll everything back, audit entry included
        result.written = True
        return result

    @staticmethod
    def _fields(values: dict[str, str], today: date) -> dict:
        forename = " ".join(values.get("forename", "").split())
        surname = " ".join(values.get("surname", "").split())
        if not forename or not surname:
            raise ValidationError("the legal forename or surname is blank")
        if len(forename) > 100 or len(surname) > 100:
            raise ValidationError("a name is longer than 100 characters")
        raw_dob = values.get("date_of_birth", "")
        if not raw_dob:
            raise ValidationError("the date of birth is blank")
        try:
            dob = parse_date(raw_dob)
        except ValueError:
            raise ValidationError(f"“{raw_dob[:20]}” is not a real date (use dd/mm/yyyy or "
                                  "yyyy-mm-dd)") from None
        if dob > today or dob.year < today.year - 30:
            raise ValidationError(f"the date of birth {raw_dob} cannot be right for a learner")
        try:
            upn = normalise_upn(values.get("upn", ""))
        except ValidationError as exc:
            raise ValidationError(str(exc).rstrip(".").replace("The UPN", "the UPN")) from None
        return {
            "forename": forename, "surname": surname, "date_of_birth": dob, "upn": upn,
            "preferred_name": " ".join(values.get("preferred_name", "").split())[:100],
            "year_group": _year_group(values.get("year_group", ""))[:40],
            "registration_group": " ".join(values.get("registration_group", "").split())[:40],
        }


