"""Sending a learner's child protection file to their next school, and receiving one.

The sender writes one encrypted package (see :mod:`transfer_package`), logs the transfer with
a deadline of 5 school days, and waits for the receipt code the receiving Casebook prints when
it imports the package. The code is derived from a secret inside the package, so only someone
who opened it can produce it; the sender keeps only its hash. After receipt the sender keeps
what settings say (``transfer_keep``: "chronology" by default — the records for
``transfer_keep_days``, 365, with evidence files removed at once; "all"; or "nothing") and the
rest is purged; what was kept then appears in the retention review when its time is up.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import logging
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from casebook.domain import (
    CaseStatus,
    CaseType,
    EvidenceKind,
    PersonKind,
    PersonRole,
    StepKey,
    StepStatus,
    format_reference,
    require_text,
)
from casebook.errors import CasebookError, NotFoundError, ValidationError
from casebook.services import transfer_package
from casebook.services.evidence import (
    MAX_EVIDENCE_BYTES,
    human_size,
    read_chunks,
    sniff_media_type,
    store_chunks,
)
from casebook.services.people import PeopleService
from casebook.services.purging import (
    merge_search_index,
    note_purge,
    purge_cases,
    purge_evidence,
    reclaim_space,
    snapshot,
)
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.storage import tables_people as tpe

log = logging.getLogger(__name__)

SCHOOL_DAYS = 5
DEFAULTS = {"transfer_keep": "chronology", "transfer_keep_days": "365", "school_closed_days": "",
            "school_terms": ""}
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class SentTransfer:
    reference: str
    path: Path
    password: str  # shown once, to share separately (by phone); never stored
    due_on: date
    cases: int
    files: int = 0  # evidence files in the package
    file_bytes: int = 0
    notes: int = 0  # evidence notes (a description and web address, no file)
    package_bytes: int = 0


@dataclass(frozen=True)
class EvidenceChoice:
    """One evidence item on a learner's cases, for the DSL to send with the file or not."""

    id: int
    case_reference: str
    role: PersonRole  # the learner's part in that case (harmed first when they had several)
    kind: str  # "file" or "note"
    name: str  # the file name, or the note's description (shown only here, to the DSL)
    size: int
    others: bool  # other learners are on that case: the file may name or show them
    default: bool  # sent unless the DSL says otherwise: files of cases where they were harmed


@dataclass(frozen=True)
class ReceivedTransfer:
    reference: str
    receipt_code: str
    person_id: int
    cases: int
    from_school: str
    already: bool = False
    files: int = 0
    notes: int = 0


@dataclass(frozen=True)
class TransferInfo:
    reference: str
    direction: str  # "out" or "in"
    school: str
    created_at: datetime
    due_on: date | None
    state: str  # awaiting receipt / overdue / received / records purged / received from
    register_id: int | None
    chased_at: datetime | None = None


def parse_closed_days(value: str) -> list[tuple[date, date]]:
    """Lines of ``YYYY-MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD`` (holidays, INSET days)."""
    ranges = []
    for raw in re.split(r"[\n,;]+", value or ""):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("..")]
        try:
            start = date.fromisoformat(parts[0])
            end = date.fromisoformat(parts[-1])
        except ValueError:
            raise ValidationError(f"“{line}” is not a date or a range of dates "
                                  "(YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD).") from None
        if end < start:
            raise ValidationError(f"“{line}” ends before it starts.")
        ranges.append((start, end))
    return ranges


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"  # the month as a word: never 5/10 against 10/5


def parse_terms(value: str) -> list[tuple[date, date]]:
    """The school's terms, one ``YYYY-MM-DD..YYYY-MM-DD`` a line (first and last day), in date
    order; a term that ends before it starts or overlaps another is refused."""
    terms = sorted(parse_closed_days(value))
    for (a1, b1), (a2, b2) in zip(terms, terms[1:], strict=False):
        if a2 <= b1:
            raise ValidationError(f"The term {_day(a1)} to {_day(b1)} overlaps the term "
                                  f"{_day(a2)} to {_day(b2)}.")
    return terms


def holidays(terms: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """The days that are not in term: before the first term and between terms. After the last
    term entered every weekday counts (the next term's dates are not known)."""
    if not terms:
        return []
    gaps = [(date.min, terms[0][0] - timedelta(days=1))]
    gaps += [(b1 + timedelta(days=1), a2 - timedelta(days=1))
             for (_a1, b1), (a2, _b2) in zip(terms, terms[1:], strict=False)
             if a2 - b1 > timedelta(days=1)]
    return gaps


def add_school_days(start: date, days: int, closed: list[tuple[date, date]] = ()) -> date:  # type: ignore[assignment]
    """The date ``days`` school days after ``start`` (weekdays outside the closed ranges)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() >= 5 or any(a <= current <= b for a, b in closed):
            continue
        left -= 1
    return current


def _closed(closed_days: str, terms: str) -> list[tuple[date, date]]:
    return parse_closed_days(closed_days) + holidays(parse_terms(terms))


def receipt_code(secret: bytes, reference: str) -> str:
    digest = hmac.new(secret, b"receipt:" + reference.encode(), hashlib.sha256).digest()
    letters = "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:10])
    return f"{letters[:5]}-{letters[5:]}"


#: A FAT32 memory stick holds no file of 4 GiB or more (Windows reports it as a full disk).
FAT32_LIMIT = 4 * 1024 * 1024 * 1024 - 1
_TOO_BIG_FOR_DRIVE = ("The package is 4 GB or more, larger than one file can be on that drive "
                      "(memory sticks formatted as FAT32 stop at 4 GB), so it was not saved. "
                      "Save it to a drive formatted as exFAT or NTFS or to a network folder, or "
                      "untick some evidence files.")
_DAMAGED_EVIDENCE = ("An evidence file does not match the fingerprint taken when it was "
                     "stored, so the package cannot be trusted and nothing was imported. Ask the "
                     "sending school to check their casebook (Settings → Backups → Check the "
                     "casebook for damage) and send it again.")


def _select(choices: list[EvidenceChoice], evidence: str | Iterable[int] | None
            ) -> list[EvidenceChoice]:
    """The items the DSL chose: None for the default, "all", "none", or ids ("3,7" or ints)."""
    if evidence is None:
        return [c for c in choices if c.default]
    if isinstance(evidence, str):
        word = evidence.strip().lower()
        if word in ("all", "none"):
            return list(choices) if word == "all" else []
        try:
            evidence = [int(part) for part in re.split(r"[\s,]+", word) if part]
        except ValueError:
            raise ValidationError("Say which evidence goes as all, none, or the evidence "
                                  "numbers separated by commas (e.g. 12,15).") from None
    wanted = set(evidence)
    known = {c.id for c in choices}
    missing = sorted(wanted - known)
    if missing:
        raise ValidationError(f"Evidence {', '.join(map(str, missing))} is not on any of this "
                              "learner's cases; nothing was written.")
    return [c for c in choices if c.id in wanted]


def _checked(chunks: Iterable[bytes], evidence_id: int, sha256: str) -> Iterator[bytes]:
    """The chunks, refusing at the end if they do not hash to what was recorded on storing."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    if not hmac.compare_digest(digest.hexdigest(), sha256):
        log.warning("evidence %d does not match its stored hash", evidence_id)
        raise ValidationError(_DAMAGED_EVIDENCE)


def _free(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None  # some network shares do not say: let the write find out


def _check_space(out: Path, size: int) -> None:
    folder = out.parent if str(out.parent) else Path(".")
    free = _free(folder)
    need = size + 1024 * 1024
    if free is not None and free < need:
        raise ValidationError(f"The package needs about {human_size(need)} and {folder} has "
                              f"{human_size(free)} free. Choose a place with more room; "
                              "nothing was written.")


def _check_room(folder: Path, package_size: int) -> None:
    """Room for the evidence twice over (the write-ahead log, then the casebook file)."""
    free = _free(folder)
    need = 2 * package_size + 16 * 1024 * 1024
    if free is not None and free < need:
        raise ValidationError(f"Importing this package needs about {human_size(need)} free on "
                              f"the drive that holds the casebook; it has {human_size(free)}. "
                              "Free some space, then try again. Nothing was imported.")


def _normal_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def _hash_code(code: str) -> str:
    return hashlib.sha256(_normal_code(code).encode()).hexdigest()


def write_atomically(path: Path, data: bytes, what: str = "the file", *,
                     exclusive: bool = True) -> None:
    """Through the one atomic writer (0600, fsynced, never half a file); a disk fault is one
    calm line naming its cause."""
    from casebook import fileio

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(f"The folder {folder} does not exist.")
    try:
        fileio.atomic_write_bytes(path, data, exclusive=exclusive)
    except FileExistsError:
        raise ValidationError(f"{path} already exists; choose a new file name.") from None
    except OSError as error:
        log.warning("file not written: %s", type(error).__name__)
        raise fileio.explain_os_error(error, folder, what) from error


class TransferService:
    def __init__(self, store: Store, people: PeopleService) -> None:
        self.store = store
        self.people = people

    def _setting(self, key: str) -> str:
        with self.store.read() as s:
            value = s.scalar(select(t.MetaRow.value).where(t.MetaRow.key == key))
        return value if value is not None else DEFAULTS.get(key, "")

    def _school_name(self) -> str:
        return self._setting("school_name")

    def settings(self) -> dict[str, str]:
        return {key: self._setting(key) for key in DEFAULTS}

    def closed_days(self) -> list[tuple[date, date]]:
        """Days that are not school days besides weekends: holidays between the terms
        entered, and the closed days (INSET days, bank holidays)."""
        return _closed(self._setting("school_closed_days"), self._setting("school_terms"))

    def _due(self, start: date) -> date:
        """5 school days from the move (the day the learner left, when the register has it,
        else the day of the export); holidays and closed days are skipped, so a move over the
        summer is due in the first 5 days of the new term."""
        return add_school_days(start, SCHOOL_DAYS, self.closed_days())

    def configure(self, *, keep: str | None = None, keep_days: int | None = None,
                  closed_days: str | None = None, terms: str | None = None) -> dict[str, str]:
        """Change the transfer settings (validated: nothing is saved if any is wrong) and
        return them all. New term or closed dates move the deadline of every transfer still
        awaiting receipt."""
        if keep is not None and keep not in ("chronology", "all", "nothing"):
            raise ValidationError("Keep after receipt must be chronology, all or nothing.")
        if keep_days is not None and not 0 <= keep_days <= 3650:
            raise ValidationError("Keep for between 0 and 3650 days.")
        current = self.settings()
        closed = _closed(current["school_closed_days"] if closed_days is None else closed_days,
                         current["school_terms"] if terms is None else terms)
        with self.store.write("setting.change", "setting:transfer") as work:
            for key, value in (("transfer_keep", keep), ("school_closed_days", closed_days),
                               ("school_terms", terms),
                               ("transfer_keep_days", None if keep_days is None
                                else str(keep_days))):
                if value is None:
                    continue
                row = work.session.get(t.MetaRow, key)
                if row is None:
                    work.session.add(t.MetaRow(key=key, value=value))
                else:
                    row.value = value
            if closed_days is not None or terms is not None:
                work.detail = f"deadlines_moved={self._move_deadlines(work.session, closed)}"
        return self.settings()

    def _move_deadlines(self, s, closed: list[tuple[date, date]]) -> int:  # type: ignore[no-untyped-def]
        moved = 0
        for row in s.scalars(select(tpe.TransferRow).where(
                tpe.TransferRow.direction == "out", tpe.TransferRow.received_at.is_(None))):
            learner = s.get(tpe.RegisterPersonRow, row.register_id) if row.register_id else None
            start = (learner.left_on if learner is not None else None) or row.created_at.date()
            due = add_school_days(start, SCHOOL_DAYS, closed)
            if due != row.due_on:
                row.due_on, moved = due, moved + 1
        return moved

    # ----- sending ---------------------------------------------------------------------
    def export(self, person_id: int, to_school: str, out: Path | str,
               password: str | None = None, evidence: str | Iterable[int] | None = None
               ) -> SentTransfer:
        """Write the package and log the transfer. Without a password one is made (show it
        once and share it separately from the file).

        ``evidence`` says which evidence items go with the file: None for the default (every
        item of the cases where the learner was harmed or targeted), "all", "none", or the
        items' ids (from :meth:`evidence_choices`)."""
        from casebook.vault.strength import check_passphrase

        to_school = require_text(to_school, "the receiving school's name", 200)
        out = Path(out)
        if out.exists():
            raise ValidationError(f"{out} already exists; choose a new file name.")
        if password:
            check_passphrase(password)
        else:
            password = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5))
                                for _ in range(5))
        now = self.store.now()
        learner_file = self.people.learner_file(person_id)
        due = self._due(learner_file.learner.left_on or now.date())
        with self.store.write("transfer.export", f"register:{person_id}") as work:
            s = work.session
            chosen = _select(self._choices(s, person_id), evidence)
            number = (s.scalar(select(func.count(tpe.TransferRow.id))
                               .where(tpe.TransferRow.direction == "out")) or 0) + 1
            reference = f"T-{now.year}-{number:04d}-{secrets.token_hex(2).upper()}"
            secret = secrets.token_bytes(16)
            pdf, _pages = self.people.file_pdf(
                person_id, recipient=f"DSL, {to_school}",
                note=f"Transfer {reference} to {to_school}")
            records, files = self._records(s, learner_file, reference, to_school, secret, now,
                                           chosen)
            file_bytes = sum(size for _id, size, _sha in files)
            notes = len(chosen) - len(files)
            _check_space(out, len(pdf) + file_bytes)
            s.add(tpe.TransferRow(reference=reference, direction="out", register_id=person_id,
                                  school=to_school, created_at=now, created_by=self.store.actor,
                                  due_on=due, receipt_hash=_hash_code(receipt_code(secret,
                                                                                   reference)),
                                  cases=len(records["cases"])))
            work.detail = (f"transfer={reference},cases={len(records['cases'])},"
                           f"files={len(files)},notes={notes},bytes={file_bytes}")
            written = self._write_package(s, out, password, records, pdf, files)
        log.info("transfer package written (%d bytes, %d evidence files)", written, len(files))
        return SentTransfer(reference, out, password, due, len(records["cases"]), len(files),
                            file_bytes, notes, written)

    def _write_package(self, s, out: Path, password: str, records: dict, pdf: bytes,  # type: ignore[no-untyped-def]
                       files: list[tuple[int, int, str]]) -> int:
        """Stream the package to ``out`` through the atomic writer (never half a file); each
        evidence file is read from the store a chunk at a time and checked against the hash
        taken when it was stored."""
        from casebook import fileio

        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            raise ValidationError(f"The folder {folder} does not exist.")
        try:
            with fileio.atomic_writer(out, exclusive=True) as handle:
                writer = transfer_package.PackageWriter(handle, password)
                writer.add_bytes("records.json", transfer_package.records_bytes(records))
                writer.add_bytes("file.pdf", pdf)
                for number, (evidence_id, size, sha256) in enumerate(files):
                    writer.add(f"evidence/{number}", size,
                               _checked(read_chunks(s, evidence_id), evidence_id, sha256))
                writer.close()
                return writer.written
        except FileExistsError:
            raise ValidationError(f"{out} already exists; choose a new file name.") from None
        except ValueError:  # a stored file no longer the size it was recorded as
            raise ValidationError(_DAMAGED_EVIDENCE) from None
        except OSError as error:
            log.warning("package not written: %s errno=%s", type(error).__name__, error.errno)
            if error.errno == errno.EFBIG or (
                    error.errno in (errno.ENOSPC, errno.EIO, errno.EINVAL)
                    and len(pdf) + sum(f[1] for f in files) >= FAT32_LIMIT):
                raise ValidationError(_TOO_BIG_FOR_DRIVE) from error
            raise fileio.explain_os_error(error, folder, "the transfer package") from error

    # ----- which evidence goes ----------------------------------------------------------
    def evidence_choices(self, person_id: int) -> list[EvidenceChoice]:
        """Every evidence item on the learner's cases, marked with what goes by default."""
        with self.store.read() as s:
            return self._choices(s, person_id)

    def _choices(self, s, person_id: int) -> list[EvidenceChoice]:  # type: ignore[no-untyped-def]
        links = self.people._links(s, person_id)
        roles: dict[int, PersonRole] = {}
        for link in links:
            if roles.get(link.case_id) != PersonRole.HARMED:
                roles[link.case_id] = link.role
        if not roles:
            return []
        shared = set(s.scalars(select(t.PersonRow.case_id).where(
            t.PersonRow.case_id.in_(roles), t.PersonRow.kind == PersonKind.LEARNER.value,
            t.PersonRow.removed_at.is_(None),
            t.PersonRow.id.not_in([link.id for link in links]))))
        refs = dict(s.execute(select(t.CaseRow.id, t.CaseRow.reference)
                              .where(t.CaseRow.id.in_(roles))).all())
        order = {case_id: n for n, case_id in enumerate(roles)}
        rows = sorted(s.scalars(select(t.EvidenceRow).where(t.EvidenceRow.case_id.in_(roles))),
                      key=lambda r: (order[r.case_id], r.added_at, r.id))
        return [EvidenceChoice(
            r.id, refs[r.case_id], roles[r.case_id], r.kind,
            (r.filename or "") if r.kind == EvidenceKind.FILE.value else r.description,
            r.size or 0, r.case_id in shared, roles[r.case_id] == PersonRole.HARMED)
            for r in rows]

    @staticmethod
    def _add_evidence(s, by_ref: dict[str, dict], redactor,  # type: ignore[no-untyped-def]
                      chosen: list[EvidenceChoice]) -> list[tuple[int, int, str]]:
        """Put the chosen items in the records (names of other learners labelled, as in the
        file); returns (id, size, sha256) of the files, in the order they follow."""
        for item in by_ref.values():
            item["evidence"] = []
        files: list[tuple[int, int, str]] = []
        for choice in chosen:
            row = s.get(t.EvidenceRow, choice.id)
            entry = {"kind": row.kind, "description": redactor.text(row.description or ""),
                     "url": row.url, "source": redactor.text(row.source or ""),
                     "added_at": row.added_at.isoformat(),
                     "captured_at": row.captured_at.isoformat() if row.captured_at else None}
            if row.kind == EvidenceKind.FILE.value:
                entry.update(filename=redactor.text(row.filename or "file"),
                             media_type=row.media_type, size=row.size or 0, sha256=row.sha256,
                             blob=len(files))
                files.append((row.id, row.size or 0, row.sha256 or ""))
            by_ref[choice.case_reference]["evidence"].append(entry)
        return files

    def _records(self, s, learner_file, reference, to_school, secret, now, chosen  # type: ignore[no-untyped-def]
                 ) -> tuple[dict, list[tuple[int, int, str]]]:
        """The records that go in the package, and the evidence files that follow them."""
        who = learner_file.learner
        by_case: dict[str, dict] = {}
        links = self.people._links(s, who.id)
        for link in links:
            case = s.get(t.CaseRow, link.case_id)
            by_case.setdefault(case.reference, {
                "reference": case.reference, "title": case.title, "type": case.case_type,
                "status": case.status, "opened_at": case.opened_at.isoformat(),
                "role": link.role.value, "entries": []})
        redactor = self.people._redactor(s, who, [link.case_id for link in links])
        for ref, item in by_case.items():
            item["title"] = redactor.text(item["title"])
            item["open_actions"] = [{"description": d, "due": due.isoformat() if due else None}
                                    for r, d, due in learner_file.open_actions if r == ref]
        for e in learner_file.entries:
            by_case[e.case_reference]["entries"].append({
                "occurred_at": e.occurred_at.isoformat(), "author": e.author, "text": e.text,
                "kind": e.kind})
        files = self._add_evidence(s, by_case, redactor, chosen)
        return {
            "format": "casebook-transfer-records", "version": transfer_package.FORMAT_VERSION,
            "reference": reference, "from_school": self._school_name(), "to_school": to_school,
            "sent_at": now.isoformat(), "receipt_secret": base64.b64encode(secret).decode(),
            "learner": {
                "upn": who.upn, "forename": who.forename, "surname": who.surname,
                "preferred_name": who.preferred_name,
                "date_of_birth": who.date_of_birth.isoformat() if who.date_of_birth else None,
                "year_group": who.year_group, "registration_group": who.registration_group,
            },
            "family": [{"relation": r, "name": n} for r, n in learner_file.family],
            "cases": list(by_case.values()),
        }, files

    def export_cover(self, reference: str, out: Path | str) -> Path:
        """The printable cover and receipt slip of a transfer sent from here (names the
        learner: print it, never send it with the package)."""
        from casebook.reports.data import ExportOptions
        from casebook.reports.export import write_pdf_atomically
        from casebook.reports.learner_file import TransferCoverData, render_transfer_cover

        ref = (reference or "").strip().upper()
        with self.store.read() as s:
            row = s.scalar(select(tpe.TransferRow).where(tpe.TransferRow.reference == ref,
                                                         tpe.TransferRow.direction == "out"))
            if row is None:
                raise NotFoundError(f"There is no transfer {ref or '(blank)'} sent from here.")
            if row.register_id is None:
                raise ValidationError("That learner's records have been purged.")
            who = self.people.get(row.register_id)
            data = TransferCoverData(self.people._school(), row.reference, row.school,
                                     who.full_name, who.upn or "",
                                     f"{who.date_of_birth:%d/%m/%Y}" if who.date_of_birth
                                     else "—", f"{row.created_at:%d/%m/%Y}",
                                     f"{row.due_on:%d/%m/%Y}" if row.due_on else "—", row.cases)
        pdf = render_transfer_cover(data, ExportOptions("transfer-cover", self.store.actor,
                                                        self.store.now()))
        write_pdf_atomically(pdf, Path(out))
        self.store.log_event("transfer.cover", f"transfer:{ref}")
        return Path(out)

    def record_receipt(self, reference: str, code: str) -> TransferInfo:
        ref = (reference or "").strip().upper()
        with self.store.write("transfer.receipt", f"transfer:{ref}") as work:
            s = work.session
            row = s.scalar(select(tpe.TransferRow).where(tpe.TransferRow.reference == ref,
                                                         tpe.TransferRow.direction == "out"))
            if row is None:
                raise NotFoundError(f"There is no transfer {ref or '(blank)'} sent from here.")
            if not hmac.compare_digest(row.receipt_hash, _hash_code(code)):
                raise ValidationError("That receipt code does not match this transfer. Check "
                                      "it with the receiving school; nothing was recorded.")
            if row.received_at is None:
                row.received_at = self.store.now()
                keep_days = int(self._setting("transfer_keep_days") or 365)
                row.keep_until = row.received_at.date() + timedelta(days=keep_days)
            policy = self._setting("transfer_keep")
            purged = 0
            if row.register_id is not None and policy in ("chronology", "nothing"):
                purged = self._tidy(s, row, evidence_only=policy == "chronology")
            work.detail = f"policy={policy},purged_rows={purged}"
            info = self._info(row, self.store.now().date())
        reclaim_space(self.store)
        return info

    def _sole_cases(self, s, register_id: int) -> list[int]:  # type: ignore[no-untyped-def]
        """This learner's cases that no other learner in the register appears in."""
        mine = set(s.scalars(select(t.PersonRow.case_id).join(
            tpe.PersonLinkRow, tpe.PersonLinkRow.case_person_id == t.PersonRow.id)
            .where(tpe.PersonLinkRow.register_id == register_id)))
        shared = set(s.scalars(select(t.PersonRow.case_id).join(
            tpe.PersonLinkRow, tpe.PersonLinkRow.case_person_id == t.PersonRow.id)
            .where(t.PersonRow.case_id.in_(mine), tpe.PersonLinkRow.register_id != register_id,
                   t.PersonRow.kind == PersonKind.LEARNER.value)))
        held = set(s.scalars(select(tpe.LegalHoldRow.case_id).where(
            tpe.LegalHoldRow.lifted_at.is_(None))))
        return sorted(mine - shared - held)

    def _tidy(self, s, row: tpe.TransferRow, *, evidence_only: bool) -> int:  # type: ignore[no-untyped-def]
        cases = self._sole_cases(s, row.register_id)
        if not cases:
            return 0
        if evidence_only:
            items = list(s.scalars(select(t.EvidenceRow.id)
                                   .where(t.EvidenceRow.case_id.in_(cases))))
            targets = snapshot(s, evidence=items)
            n = purge_evidence(s, items)
            note_purge(s, at=self.store.now(), item=row.reference, scope="evidence",
                       targets=targets, rows=n, evidence=len(items))
            merge_search_index(s)
            return n
        targets = snapshot(s, cases=cases)
        n, evidence = purge_cases(s, cases)
        note_purge(s, at=self.store.now(), item=row.reference, scope="records",
                   targets=targets, rows=n, evidence=evidence)
        row.purged_at = self.store.now()
        merge_search_index(s)
        return n

    def chase(self, reference: str) -> TransferInfo:
        ref = (reference or "").strip().upper()
        with self.store.write("transfer.chase", f"transfer:{ref}") as work:
            row = work.session.scalar(select(tpe.TransferRow)
                                      .where(tpe.TransferRow.reference == ref))
            if row is None or row.direction != "out":
                raise NotFoundError(f"There is no transfer {ref or '(blank)'} sent from here.")
            row.chased_at = self.store.now()
            return self._info(row, self.store.now().date())

    # ----- listing ---------------------------------------------------------------------
    @staticmethod
    def _info(row: tpe.TransferRow, today: date) -> TransferInfo:
        if row.direction == "in":
            state = "received from"
        elif row.purged_at is not None:
            state = "received, records purged"
        elif row.received_at is not None:
            state = "received"
        elif row.due_on is not None and row.due_on < today:
            state = "overdue"
        else:
            state = "awaiting receipt"
        return TransferInfo(row.reference, row.direction, row.school, row.created_at,
                            row.due_on, state, row.register_id, row.chased_at)

    def list(self) -> list[TransferInfo]:
        today = self.store.now().date()
        with self.store.read() as s:
            rows = s.scalars(select(tpe.TransferRow).order_by(tpe.TransferRow.created_at.desc(),
                                                              tpe.TransferRow.id.desc()))
            return [self._info(r, today) for r in rows]

    def reminders(self) -> list[TransferInfo]:
        """Files sent and not yet confirmed: overdue first, then due within two days."""
        today = self.store.now().date()
        waiting = [i for i in self.list() if i.state in ("overdue", "awaiting receipt")]
        soon = [i for i in waiting if i.state == "overdue"
                or (i.due_on is not None and i.due_on <= today + timedelta(days=2))]
        return sorted(soon, key=lambda i: (i.due_on or today))

    # ----- receiving -------------------------------------------------------------------
    def import_package(self, path: Path | str, password: str) -> ReceivedTransfer:
        """Create the learner, their cases and the evidence that came with them, all in one
        transaction: a wrong password, a changed byte or an evidence file that does not match
        its hash imports nothing."""
        path = Path(path)
        if not path.is_file():
            raise ValidationError(f"There is no file at {path}.")
        try:
            with path.open("rb") as handle:
                package = transfer_package.open_package(handle, password)
                return self._receive(package, path.stat().st_size)
        except OSError as error:
            raise ValidationError("Casebook could not read that file. If it is open in another "
                                  "program, close it and try again.") from error

    def _receive(self, package: transfer_package.OpenedPackage, size: int) -> ReceivedTransfer:
        records = package.records
        try:
            reference = str(records["reference"])
            secret = base64.b64decode(records["receipt_secret"])
            from_school = str(records["from_school"])[:200]
            learner = records["learner"]
            cases = list(records["cases"])
        except (KeyError, TypeError, ValueError):
            raise ValidationError("The package's records are incomplete; nothing was "
                                  "imported.") from None
        code = receipt_code(secret, reference)
        now = self.store.now()
        with self.store.write("transfer.import") as work:
            s = work.session
            existing = s.scalar(select(tpe.TransferRow).where(
                tpe.TransferRow.reference == reference))
            if existing is not None:
                work.target = f"transfer:{reference}"
                work.detail = "again=yes"
                return ReceivedTransfer(reference, code, existing.register_id or 0,
                                        existing.cases, from_school, already=True)
            _check_room(self.store.paths.database.parent, size)
            files = notes = 0
            try:
                person = self._receive_learner(s, learner, from_school, reference, now)
                for item in cases:
                    got = self._receive_case(s, item, person, from_school, reference, now,
                                             package, files)
                    files, notes = files + got[0], notes + got[1]
                package.finish()
            except CasebookError:
                raise
            except (KeyError, TypeError, ValueError, AttributeError):
                raise ValidationError("The package's records are incomplete or damaged; "
                                      "nothing was imported.") from None
            s.add(tpe.TransferRow(reference=reference, direction="in", register_id=person.id,
                                  school=from_school, created_at=now,
                                  created_by=self.store.actor, due_on=None, receipt_hash="",
                                  received_at=now, cases=len(cases)))
            work.target = f"register:{person.id}"
            work.detail = (f"transfer={reference},cases={len(cases)},files={files},"
                           f"notes={notes},format={package.version}")
            person_id = person.id
        return ReceivedTransfer(reference, code, person_id, len(cases), from_school,
                                files=files, notes=notes)

    def _receive_learner(self, s, learner: dict, from_school: str, reference: str,  # type: ignore[no-untyped-def]
                         now: datetime) -> tpe.RegisterPersonRow:
        from casebook.domain import normalise_upn

        upn = normalise_upn(learner.get("upn") or "")
        dob = date.fromisoformat(learner["date_of_birth"]) if learner.get("date_of_birth") \
            else None
        forename = require_text(learner.get("forename"), "the learner's forename", 100)
        surname = str(learner.get("surname") or "")[:100]
        row = None
        if upn:
            row = s.scalar(select(tpe.RegisterPersonRow).where(tpe.RegisterPersonRow.upn == upn))
        if row is None and dob is not None:
            row = s.scalar(select(tpe.RegisterPersonRow).where(
                tpe.RegisterPersonRow.kind == PersonKind.LEARNER.value,
                func.lower(tpe.RegisterPersonRow.forename) == forename.lower(),
                func.lower(tpe.RegisterPersonRow.surname) == surname.lower(),
                tpe.RegisterPersonRow.date_of_birth == dob))
        received = f"{from_school} (transfer {reference})"[:200]
        if row is None:
            row = tpe.RegisterPersonRow(
                kind=PersonKind.LEARNER.value, upn=upn, forename=forename, surname=surname,
                preferred_name=str(learner.get("preferred_name") or "")[:100],
                date_of_birth=dob, year_group=str(learner.get("year_group") or "")[:40],
                registration_group="", on_roll=True, job_title="", notes="",
                received_from=received, created_at=now, updated_at=now)
            s.add(row)
        else:
            row.received_from, row.updated_at = received, now
        s.flush()
        return row

    def _receive_case(self, s, item: dict, person: tpe.RegisterPersonRow, from_school: str,  # type: ignore[no-untyped-def]
                      reference: str, now: datetime, package: transfer_package.OpenedPackage,
                      blob: int) -> tuple[int, int]:
        try:
            case_type = CaseType(item.get("type")).value
        except ValueError:
            case_type = CaseType.OTHER.value
        try:
            role = PersonRole(item.get("role")).value
        except ValueError:
            role = PersonRole.HARMED.value
        number = (s.scalar(select(func.max(t.CaseRow.number)).where(t.CaseRow.year == now.year))
                  or 0) + 1
        title = f"{item.get('title') or 'Case'} (received from {from_school})"[:300]
        case = t.CaseRow(reference=format_reference(now.year, number), year=now.year,
                         number=number, title=title, case_type=case_type,
                         summary=f"Received from {from_school} under transfer {reference}; "
                                 f"their reference {item.get('reference', '')}.",
                         status=CaseStatus.MONITORING.value, risk="medium", opened_at=now,
                         updated_at=now, created_by=self.store.actor)
        s.add(case)
        s.flush()
        for key in StepKey:
            s.add(t.StepRow(case_id=case.id, step_key=key.value,
                            status=StepStatus.NOT_STARTED.value, data_json="{}", updated_at=now))
        for entry in item.get("entries", []):
            s.add(t.ChronologyRow(
                case_id=case.id, occurred_at=datetime.fromisoformat(entry["occurred_at"]),
                recorded_at=now, author=f"{entry.get('author', '')} ({from_school})"[:200],
                text=str(entry.get("text", ""))[:20_000] or "(no text)"))
        for action in item.get("open_actions", []):
            s.add(t.ActionRow(case_id=case.id, description=str(action["description"])[:2000],
                              owner=f"Was with {from_school}"[:200],
                              due_date=date.fromisoformat(action["due"]) if action.get("due")
                              else None, created_at=now))
        files, notes = self._receive_evidence(s, case.id, item, from_school, now, package, blob)
        extra = f", with {files} evidence file(s)" if files else ""
        extra += f" and {notes} evidence note(s)" if notes and files else (
            f", with {notes} evidence note(s)" if notes else "")
        s.add(t.ChronologyRow(case_id=case.id, occurred_at=now, recorded_at=now,
                              author=self.store.actor,
                              text=f"Received from {from_school} under transfer "
                                   f"{reference}{extra}."))
        name = " ".join(p for p in (person.forename, person.surname) if p)
        row = t.PersonRow(case_id=case.id, name=name[:200], kind=PersonKind.LEARNER.value,
                          role=role, date_of_birth=person.date_of_birth,
                          year_group=person.year_group or None, notes="", created_at=now)
        s.add(row)
        s.flush()
        s.add(tpe.PersonLinkRow(case_person_id=row.id, register_id=person.id, outcome=""))
        return files, notes

    def _receive_evidence(self, s, case_id: int, item: dict, from_school: str,  # type: ignore[no-untyped-def]
                          now: datetime, package: transfer_package.OpenedPackage,
                          blob: int) -> tuple[int, int]:
        """Store the case's evidence in this casebook's evidence store, each file streamed
        from the package and checked against the hash the sender recorded."""
        files = notes = 0
        for ev in item.get("evidence", []):
            kind = EvidenceKind(ev["kind"]).value
            source = str(ev.get("source") or "")
            row = t.EvidenceRow(
                case_id=case_id, kind=kind, description=str(ev.get("description") or "")[:5000],
                url=str(ev["url"])[:2000] if ev.get("url") else None,
                source=f"Received from {from_school}" + (f"; {source}" if source else ""),
                added_at=now, added_by=self.store.actor,
                captured_at=datetime.fromisoformat(ev["captured_at"]) if ev.get("captured_at")
                else None)
            s.add(row)
            s.flush()
            if kind != EvidenceKind.FILE.value:
                notes += 1
                continue
            size, expected = int(ev["size"]), str(ev["sha256"])
            if int(ev["blob"]) != blob + files:
                raise ValueError("evidence out of order")
            row.filename = Path(str(ev.get("filename") or "file")).name[:260] or "file"
            stored, sha256, head = store_chunks(
                s, row.id, package.evidence(size), MAX_EVIDENCE_BYTES,
                lambda: ValidationError(_DAMAGED_EVIDENCE))
            if stored != size or not hmac.compare_digest(sha256, expected):
                raise ValidationError(_DAMAGED_EVIDENCE)
            row.size, row.sha256 = size, sha256
            row.media_type = str(ev.get("media_type") or "")[:100] or sniff_media_type(
                head, row.filename)
            files += 1
        return files, notes
