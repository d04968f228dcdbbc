"""The people register: add and find people, link them to cases in a role, family links, and
a learner's file across every case they appear in."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casebook.domain import (
    CaseLink,
    CaseStatus,
    FamilyLink,
    FamilyMember,
    FamilyRelation,
    FamilyRemoval,
    LearnerFile,
    LearnerFileEntry,
    PersonKind,
    PersonRole,
    RegisterEntry,
    normalise_upn,
    require_text,
)
from casebook.errors import NotFoundError, ValidationError
from casebook.reports.names import NameSubject
from casebook.reports.redaction import Redactor
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.storage import tables_people as tpe

_FIELDS = ("forename", "surname", "preferred_name", "upn", "date_of_birth", "year_group",
           "registration_group", "job_title", "notes", "on_roll", "left_on")
_LABEL_PREFIX = {PersonKind.LEARNER: "Learner", PersonKind.PARENT: "Parent or carer"}


def entry(row: tpe.RegisterPersonRow) -> RegisterEntry:
    return RegisterEntry(
        id=row.id, kind=PersonKind(row.kind), forename=row.forename, surname=row.surname,
        preferred_name=row.preferred_name, upn=row.upn, date_of_birth=row.date_of_birth,
        year_group=row.year_group, registration_group=row.registration_group,
        on_roll=row.on_roll, left_on=row.left_on, job_title=row.job_title, notes=row.notes,
        received_from=row.received_from, created_at=row.created_at,
    )


def _enum(value: object, enum_type: type, what: str):  # type: ignore[no-untyped-def]
    try:
        return enum_type(value)
    except ValueError:
        choices = ", ".join(e.value for e in enum_type)
        raise ValidationError(f"“{value}” is not a known {what}. Choose one of: {choices}.") from None


def _label(index: int) -> str:
    """A, B, ... Z, AA, AB, ..."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class PeopleService:
    def __init__(self, store: Store) -> None:
        self.store = store

    # ----- the register ----------------------------------------------------------------
    def _clean(self, s: Session, kind: PersonKind, fields: dict, person_id: int | None = None
               ) -> dict:
        out = dict(fields)
        for key in ("forename", "surname", "preferred_name", "year_group",
                    "registration_group", "job_title", "notes"):
            if key in out:
                out[key] = " ".join(str(out[key] or "").split()) if key != "notes" \
                    else str(out[key] or "").strip()
        if "upn" in out:
            out["upn"] = normalise_upn(out["upn"])
            if out["upn"] and kind != PersonKind.LEARNER:
                raise ValidationError("Only learners have a UPN.")
            if out["upn"]:
                clash = s.scalar(select(tpe.RegisterPersonRow.id)
                                 .where(tpe.RegisterPersonRow.upn == out["upn"]))
                if clash is not None and clash != person_id:
                    raise ValidationError(f"Another person in the register already has the UPN "
                                          f"{out['upn']} (register id {clash}).")
        dob = out.get("date_of_birth")
        if dob is not None and dob > self.store.now().date():
            raise ValidationError("The date of birth is in the future.")
        for key, limit in (("forename", 100), ("surname", 100), ("preferred_name", 100),
                           ("year_group", 40), ("registration_group", 40), ("job_title", 100)):
            if len(out.get(key) or "") > limit:
                raise ValidationError(f"The {key.replace('_', ' ')} is too long "
                                      f"(at most {limit} characters).")
        return out

    def add(self, kind: PersonKind | str, forename: str, surname: str = "", *,
            received_from: str = "", **fields: object) -> RegisterEntry:
        """Add someone to the register. Fields: preferred_name, upn, date_of_birth, year_group,
        registration_group, job_title, notes."""
        kind = _enum(kind, PersonKind, "kind of person")
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise ValidationError(f"Unknown details: {', '.join(sorted(unknown))}.")
        forename = require_text(forename, "a first name (or the name used)", 100)
        now = self.store.now()
        with self.store.write("register.add", detail=f"kind={kind.value}") as work:
            clean = self._clean(work.session, kind, {"forename": forename, "surname": surname,
                                                     **fields})
            row = tpe.RegisterPersonRow(kind=kind.value, created_at=now, updated_at=now,
                                        received_from=received_from[:200], **{
                                            "preferred_name": "", "year_group": "",
                                            "registration_group": "", "job_title": "",
                                            "notes": "", "on_roll": True, **clean})
            work.session.add(row)
            work.session.flush()
            work.target = f"register:{row.id}"
            return entry(row)

    def update(self, person_id: int, **fields: object) -> RegisterEntry:
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise ValidationError(f"Unknown details: {', '.join(sorted(unknown))}.")
        with self.store.write("register.update", f"register:{person_id}") as work:
            row = self._row(work.session, person_id)
            clean = self._clean(work.session, PersonKind(row.kind), fields, person_id)
            if "forename" in clean and not clean["forename"]:
                raise ValidationError("Please enter a first name (or the name used).")
            changed = [k for k, v in clean.items() if getattr(row, k) != v]
            for key in changed:
                setattr(row, key, clean[key])
            row.updated_at = self.store.now()
            work.detail = "changed=" + ",".join(changed)
            return entry(row)

    def mark_left(self, person_id: int, left_on: date | None = None) -> RegisterEntry:
        return self.update(person_id, on_roll=False,
                           left_on=left_on or self.store.now().date())

    @staticmethod
    def _row(s: Session, person_id: int) -> tpe.RegisterPersonRow:
        row = s.get(tpe.RegisterPersonRow, person_id)
        if row is None:
            raise NotFoundError("That person is not in the register.")
        return row

    def get(self, person_id: int) -> RegisterEntry:
        with self.store.read() as s:
            return entry(self._row(s, person_id))

    def find(self, ref: str) -> RegisterEntry:
        """A register entry by UPN or register id (what the CLI's LEARNER argument is)."""
        text = (ref or "").strip()
        with self.store.read() as s:
            if re.fullmatch(r"\d{1,12}", text):
                row = s.get(tpe.RegisterPersonRow, int(text))
            else:
                compact = re.sub(r"\s+", "", text).upper()
                row = s.scalar(select(tpe.RegisterPersonRow)
                               .where(tpe.RegisterPersonRow.upn == compact))
            if row is None:
                raise NotFoundError(f"Nobody in the register has the UPN or id "
                                    f"“{text or '(blank)'}”.")
            return entry(row)

    def search(self, text: str = "", kind: PersonKind | str | None = None,
               limit: int = 200) -> list[RegisterEntry]:
        """People whose names, UPN, year or registration group start with each word typed."""
        query = select(tpe.RegisterPersonRow)
        if kind is not None:
            query = query.where(tpe.RegisterPersonRow.kind == _enum(kind, PersonKind,
                                                                    "kind of person").value)
        r = tpe.RegisterPersonRow
        for word in (text or "").split():
            like = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(or_(
                r.forename.ilike(like, escape="\\"), r.surname.ilike(like, escape="\\"),
                r.preferred_name.ilike(like, escape="\\"), r.upn.ilike(like, escape="\\"),
                r.year_group.ilike(like, escape="\\"),
                r.registration_group.ilike(like, escape="\\"),
                r.forename.ilike("% " + like, escape="\\"),
                r.surname.ilike("%-" + like, escape="\\"),
            ))
        query = query.order_by(func.lower(r.surname), func.lower(r.forename), r.id).limit(limit)
        with self.store.read() as s:
            return [entry(row) for row in s.scalars(query)]

    # ----- family links ----------------------------------------------------------------
    def link_family(self, person_id: int, related_id: int,
                    relation: FamilyRelation | str) -> FamilyLink:
        """``person`` is the sibling, or the parent or carer, of ``related``."""
        relation = _enum(relation, FamilyRelation, "family link")
        if person_id == related_id:
            raise ValidationError("A person cannot be linked to themselves.")
        with self.store.write("register.family", f"register:{related_id}",
                              f"person={person_id},relation={relation.value}") as work:
            s = work.session
            self._row(s, person_id)
            self._row(s, related_id)
            link = tpe.FamilyLinkRow
            pairs = [(person_id, related_id)]
            if relation == FamilyRelation.SIBLING:  # either way round is the same link
                pairs.append((related_id, person_id))
            existing = s.scalar(select(link).where(
                link.relation == relation.value,
                or_(*((link.person_id == a) & (link.related_id == b) for a, b in pairs))))
            if existing is None and relation == FamilyRelation.PARENT_OR_CARER and s.scalar(
                    select(link.id).where(link.person_id == related_id,
                                          link.related_id == person_id)) is not None:
                raise ValidationError("Those two are already linked the other way round "
                                      "(the child as parent or carer). Remove that link first.")
            if existing is None:
                existing = link(person_id=person_id, related_id=related_id,
                                relation=relation.value)
                s.add(existing)
                s.flush()
            work.detail += f",link={existing.id}"
            return FamilyLink(existing.id, existing.person_id, existing.related_id, relation)

    def add_parent(self, person_id: int, forename: str, surname: str = "") -> FamilyLink:
        """Add a parent or carer to the register and link them to this person, in one write
        (so a refusal leaves neither)."""
        forename = require_text(forename, "the parent or carer's first name", 100)
        now = self.store.now()
        with self.store.write("register.family", f"register:{person_id}",
                              "relation=parent-or-carer,new=yes") as work:
            s = work.session
            self._row(s, person_id)
            clean = self._clean(s, PersonKind.PARENT, {"forename": forename,
                                                       "surname": surname})
            parent = tpe.RegisterPersonRow(
                kind=PersonKind.PARENT.value, created_at=now, updated_at=now, received_from="",
                preferred_name="", year_group="", registration_group="", job_title="",
                notes="", on_roll=True, **clean)
            s.add(parent)
            s.flush()
            link = tpe.FamilyLinkRow(person_id=parent.id, related_id=person_id,
                                     relation=FamilyRelation.PARENT_OR_CARER.value)
            s.add(link)
            s.flush()
            work.detail += f",person={parent.id},link={link.id}"
            return FamilyLink(link.id, parent.id, person_id, FamilyRelation.PARENT_OR_CARER)

    @staticmethod
    def _family_words(relation: str, is_person: bool) -> str:
        if relation == FamilyRelation.SIBLING.value:
            return "Sibling"
        return "Parent or carer of" if is_person else "Parent or carer"

    def family_members(self, person_id: int) -> list[FamilyMember]:
        """Everyone linked to this person, with the link's id (for removing it)."""
        out: list[FamilyMember] = []
        with self.store.read() as s:
            links = s.scalars(select(tpe.FamilyLinkRow).where(or_(
                tpe.FamilyLinkRow.person_id == person_id,
                tpe.FamilyLinkRow.related_id == person_id)).order_by(tpe.FamilyLinkRow.id))
            for link in links:
                mine = link.person_id == person_id
                other_id = link.related_id if mine else link.person_id
                out.append(FamilyMember(link.id, self._family_words(link.relation, mine),
                                        entry(self._row(s, other_id))))
        return out

    def family(self, person_id: int) -> list[tuple[str, RegisterEntry]]:
        """(how they are related, who) for everyone linked to this person."""
        return [(m.words, m.other) for m in self.family_members(person_id)]

    def remove_family_link(self, link_id: int, reason: str) -> FamilyRemoval:
        """Remove a family link added by mistake: a correction, with a reason. The link as it
        was, the reason, who and when are kept (append-only); the audit entry has ids only."""
        reason = require_text(reason, "why the link is being removed", 2000)
        with self.store.write("register.family.remove", f"family-link:{link_id}") as work:
            s = work.session
            link = s.get(tpe.FamilyLinkRow, link_id)
            if link is None:
                raise NotFoundError("That family link is no longer there (it may have been "
                                    "removed already).")
            row = tpe.FamilyLinkRemovalRow(
                link_id=link.id, person_id=link.person_id, related_id=link.related_id,
                relation=link.relation, reason=reason, removed_at=self.store.now(),
                removed_by=self.store.actor)
            s.add(row)
            s.delete(link)
            s.flush()
            work.detail = (f"person={link.person_id},related={link.related_id},"
                           f"relation={link.relation},removal={row.id}")
            other = self._row(s, link.related_id)
            return FamilyRemoval(link.id, self._family_words(link.relation, True),
                                 entry(other).full_name, reason, row.removed_at,
                                 row.removed_by)

    def family_removals(self, person_id: int) -> list[FamilyRemoval]:
        """Family links of this person removed as corrections, oldest first."""
        r = tpe.FamilyLinkRemovalRow
        out: list[FamilyRemoval] = []
        with self.store.read() as s:
            rows = s.scalars(select(r).where(or_(r.person_id == person_id,
                                                  r.related_id == person_id)).order_by(r.id))
            for row in rows:
                mine = row.person_id == person_id
                other = s.get(tpe.RegisterPersonRow, row.related_id if mine else row.person_id)
                out.append(FamilyRemoval(row.link_id, self._family_words(row.relation, mine),
                                         entry(other).full_name if other else "",
                                         row.reason, row.removed_at, row.removed_by))
        return out

    # ----- cases -----------------------------------------------------------------------
    def link_to_case(self, case_id: int, person_id: int, role: PersonRole | str,
                     notes: str = "", outcome: str = "") -> CaseLink:
        """Put a register entry on a case in a role (the case's People tab shows it)."""
        role = _enum(role, PersonRole, "role")
        now = self.store.now()
        with self.store.write("case.link", f"case:{case_id}") as work:
            s = work.session
            case = s.get(t.CaseRow, case_id)
            if case is None:
                raise NotFoundError("That case no longer exists.")
            person = self._row(s, person_id)
            already = s.scalar(
                select(t.PersonRow.id).join(tpe.PersonLinkRow,
                                            tpe.PersonLinkRow.case_person_id == t.PersonRow.id)
                .where(t.PersonRow.case_id == case_id, t.PersonRow.role == role.value,
                       t.PersonRow.removed_at.is_(None),
                       tpe.PersonLinkRow.register_id == person_id))
            if already is not None:
                raise ValidationError("That person is already on this case in that role.")
            name = entry(person).display_name if person.kind == PersonKind.LEARNER.value \
                else entry(person).full_name
            row = t.PersonRow(case_id=case_id, name=name[:200], kind=person.kind,
                              role=role.value, date_of_birth=person.date_of_birth,
                              year_group=person.year_group or None, notes=notes.strip(),
                              created_at=now)
            s.add(row)
            s.flush()
            s.add(tpe.PersonLinkRow(case_person_id=row.id, register_id=person_id,
                                    outcome=outcome[:30]))
            case.updated_at = now
            work.detail = f"person={row.id},register={person_id},role={role.value}"
            return CaseLink(row.id, case_id, case.reference, person_id, role, outcome[:30])

    def add_to_case(self, case_id: int, name: str, kind: PersonKind | str,
                    role: PersonRole | str, *, date_of_birth: date | None = None,
                    year_group: str | None = None, notes: str = "") -> CaseLink:
        """The case People tab: pick the register entry with this name (and date of birth,
        when both are known) or add one to the register, then link it to the case."""
        name = require_text(name, "the person's name", 200)
        kind = _enum(kind, PersonKind, "kind of person")
        wanted = " ".join(name.split()).casefold()
        match = None
        for person in self.search(name, kind=kind, limit=50):
            names = {person.full_name.casefold(), person.display_name.casefold()}
            if wanted in names and (date_of_birth is None or person.date_of_birth is None
                                    or person.date_of_birth == date_of_birth):
                match = person
                break
        if match is None:
            parts = name.split()
            forename, surname = (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 \
                else (name, "")
            match = self.add(kind, forename, surname, date_of_birth=date_of_birth,
                             year_group=year_group or "")
        return self.link_to_case(case_id, match.id, role, notes=notes)

    def names(self) -> list[str]:
        """Everyone's name as shown, for the People tab's suggestions (plain columns only:
        20,000 names read in a few tens of milliseconds)."""
        r = tpe.RegisterPersonRow
        with self.store.read() as s:
            rows = s.execute(select(r.forename, r.surname, r.preferred_name)
                             .order_by(func.lower(r.surname), func.lower(r.forename))).all()
        out = []
        for forename, surname, preferred in rows:
            full = " ".join(p for p in (forename, surname) if p)
            out.append(f"{preferred} {surname} ({full})" if preferred and preferred != forename
                       else full)
        return out

    def set_outcome(self, case_person_id: int, outcome: str) -> None:
        """The outcome of an allegation about a member of staff (e.g. malicious)."""
        from casebook.domain import ALLEGATION_OUTCOMES

        outcome = (outcome or "").strip().lower()
        if outcome and outcome not in ALLEGATION_OUTCOMES:
            raise ValidationError("Choose an outcome: " + ", ".join(ALLEGATION_OUTCOMES) + ".")
        with self.store.write("case.link.outcome", f"person:{case_person_id}",
                              f"outcome={outcome}") as work:
            link = work.session.get(tpe.PersonLinkRow, case_person_id)
            if link is None:
                raise NotFoundError("That person is not linked to the register.")
            person = work.session.get(t.PersonRow, case_person_id)
            if person is None or person.role != PersonRole.ALLEGATION_SUBJECT.value \
                    or person.kind != PersonKind.STAFF.value:
                raise ValidationError("An outcome can only be recorded for a member of staff "
                                      "who is the subject of an allegation.")
            link.outcome = outcome
            if person.case_id is not None:
                case = work.session.get(t.CaseRow, person.case_id)
                if case is not None:
                    case.updated_at = self.store.now()

    def register_ids(self, case_id: int) -> dict[int, int]:
        """case person row id -> register id, for a case's people that are in the register."""
        with self.store.read() as s:
            return dict(s.execute(
                select(tpe.PersonLinkRow.case_person_id, tpe.PersonLinkRow.register_id)
                .join(t.PersonRow, t.PersonRow.id == tpe.PersonLinkRow.case_person_id)
                .where(t.PersonRow.case_id == case_id,
                       t.PersonRow.removed_at.is_(None))).all())

    def links(self, person_id: int) -> list[CaseLink]:
        with self.store.read() as s:
            return self._links(s, person_id)

    @staticmethod
    def _links(s: Session, person_id: int) -> list[CaseLink]:
        rows = s.execute(
            select(t.PersonRow.id, t.PersonRow.case_id, t.CaseRow.reference, t.PersonRow.role,
                   tpe.PersonLinkRow.outcome)
            .join(tpe.PersonLinkRow, tpe.PersonLinkRow.case_person_id == t.PersonRow.id)
            .join(t.CaseRow, t.CaseRow.id == t.PersonRow.case_id)
            .where(tpe.PersonLinkRow.register_id == person_id,
                   t.PersonRow.removed_at.is_(None))  # removed by a correction: not there
            .order_by(t.CaseRow.opened_at, t.PersonRow.id))
        return [CaseLink(r[0], r[1], r[2], person_id, PersonRole(r[3]), r[4]) for r in rows]

    # ----- a learner's file ------------------------------------------------------------
    def learner_file(self, person_id: int) -> LearnerFile:
        """One chronology across all the person's cases, each entry marked with its case and
        the person's role there; other learners (and their parents) on those cases appear as
        "Learner A", "Parent or carer A" wherever their names occur."""
        with self.store.read() as s:
            subject = entry(self._row(s, person_id))
            links = self._links(s, person_id)
            roles: dict[int, list[PersonRole]] = {}
            for link in links:
                roles.setdefault(link.case_id, []).append(link.role)
            case_ids = list(roles)
            redactor = self._redactor(s, subject, case_ids)
            refs = {c.id: c for c in s.scalars(select(t.CaseRow)
                                                .where(t.CaseRow.id.in_(case_ids)))}
            entries: list[LearnerFileEntry] = []

            def add(when, case_id, author, text, kind):  # type: ignore[no-untyped-def]
                for role in roles[case_id][:1]:
                    entries.append(LearnerFileEntry(when, refs[case_id].reference, role,
                                                    author, redactor.text(text) or "", kind))

            for row in s.scalars(select(t.ChronologyRow)
                                 .where(t.ChronologyRow.case_id.in_(case_ids))):
                text = row.text if row.amends_id is None else \
                    f"{row.text} (amendment: {row.amendment_reason})"
                add(row.occurred_at, row.case_id, row.author, text, "entry")
            for row in s.scalars(select(t.DecisionRow)
                                 .where(t.DecisionRow.case_id.in_(case_ids))):
                add(row.made_at, row.case_id, row.recorded_by,
                    f"Decision: {row.what} Reason: {row.why}", "decision")
            entries.sort(key=lambda e: (e.occurred_at, e.case_reference))
            open_cases = tuple(
                (refs[c].reference, redactor.text(refs[c].title) or "", roles[c][0])
                for c in case_ids if refs[c].status != CaseStatus.CLOSED.value)
            actions = tuple(
                (refs[a.case_id].reference, redactor.text(a.description) or "", a.due_date)
                for a in s.scalars(select(t.ActionRow)
                                   .where(t.ActionRow.case_id.in_(case_ids),
                                          t.ActionRow.done_at.is_(None))
                                   .order_by(t.ActionRow.due_date, t.ActionRow.id)))
        family = tuple((words, other.full_name) for words, other in self.family(person_id))
        return LearnerFile(subject, tuple(entries), open_cases, actions, family)

    def file_pdf(self, person_id: int, *, recipient: str = "", note: str = "",
                 password: str | None = None) -> tuple[bytes, int]:
        """The "child protection file" PDF in memory (for a transfer package), and its pages."""
        import io

        import pikepdf

        from casebook.reports.data import ExportOptions
        from casebook.reports.learner_file import LearnerReportData, render_learner_file

        data = LearnerReportData(self._school(), self.learner_file(person_id), note)
        options = ExportOptions("child-protection-file", self.store.actor, self.store.now(),
                                recipient=recipient, password=password)
        pdf = render_learner_file(data, options)
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            pages = len(doc.pages)
        return pdf, pages

    def export_file(self, person_id: int, path, *, recipient: str = "",  # type: ignore[no-untyped-def]
                    password: str | None = None,
                    template_id: str = "child-protection-file",
                    withhold_family: bool = False) -> int:
        """Write the person's file as PDF (AES-256 with a password): the "child protection
        file", or with ``template_id="subject-access"`` the subject access copy."""
        from casebook.reports.data import ExportOptions
        from casebook.reports.learner_file import LearnerReportData, export_learner_file

        file = self.learner_file(person_id)
        if withhold_family:  # subject access: relatives are third parties too
            from dataclasses import replace

            file = replace(file, family=tuple((words, "(name withheld)")
                                              for words, _name in file.family))
        data = LearnerReportData(self._school(), file)
        options = ExportOptions(template_id, self.store.actor, self.store.now(),
                                recipient=recipient, password=password)
        pages = export_learner_file(data, options, path)
        self.store.log_event("learner.export", f"register:{person_id}",
                             f"template={template_id},pages={pages},"
                             f"encrypted={'yes' if password else 'no'}")
        return pages

    def _school(self):  # type: ignore[no-untyped-def]
        from casebook.domain import Jurisdiction, School

        with self.store.read() as s:
            meta = {r.key: r.value for r in s.scalars(select(t.MetaRow))}
        return School(meta.get("school_name", ""), Jurisdiction(meta.get("jurisdiction",
                                                                         "england")),
                      self.store.now())

    def _redactor(self, s: Session, subject: RegisterEntry, case_ids: list[int]) -> Redactor:
        return self._redaction(s, subject, case_ids)[0]

    def labels_used(self, person_id: int) -> list[tuple[str, str, str]]:
        """(case reference, label, kind) for every other person shown under a label in this
        person's file — the subject access log of what was withheld."""
        with self.store.read() as s:
            subject = entry(self._row(s, person_id))
            links = self._links(s, person_id)
            case_ids = sorted({link.case_id for link in links})
            return self._redaction(s, subject, case_ids)[1]

    def _redaction(self, s: Session, subject: RegisterEntry, case_ids: list[int]
                   ) -> tuple[Redactor, list[tuple[str, str, str]]]:
        used: list[tuple[str, str, str]] = []
        refs = dict(s.execute(select(t.CaseRow.id, t.CaseRow.reference)
                              .where(t.CaseRow.id.in_(case_ids))).all())
        others = s.execute(
            select(t.PersonRow.name, t.PersonRow.kind, tpe.PersonLinkRow.register_id,
                   t.PersonRow.case_id)
            .outerjoin(tpe.PersonLinkRow, tpe.PersonLinkRow.case_person_id == t.PersonRow.id)
            .where(t.PersonRow.case_id.in_(case_ids))
            .order_by(t.PersonRow.case_id, t.PersonRow.id)).all()
        labels: dict[object, str] = {}
        counts: dict[str, int] = {}
        us = s.scalar(select(t.MetaRow.value).where(t.MetaRow.key == "jurisdiction")) == "us"
        prefixes = {PersonKind.LEARNER: "Student", PersonKind.PARENT: "Parent"} if us \
            else _LABEL_PREFIX
        subjects: list[NameSubject] = []
        for name, kind, register_id, case_id in others:
            if register_id == subject.id or kind not in _LABEL_PREFIX:
                continue
            key = register_id or name.casefold()
            if key not in labels:
                prefix = prefixes[PersonKind(kind)]
                labels[key] = f"{prefix} {_label(counts.get(prefix, 0))}"
                counts[prefix] = counts.get(prefix, 0) + 1
            subjects.append(NameSubject(name, labels[key],
                                        adult=PersonKind(kind) != PersonKind.LEARNER, ref=key))
            used.append((refs.get(case_id, ""), labels[key], kind))
        protected = [subject.full_name, subject.display_name, subject.forename, subject.surname,
                     subject.preferred_name]
        # The file's own subject is kept as written, however their name is typed.
        subjects.append(NameSubject(subject.full_name, None, ref=("subject", subject.id)))
        return Redactor(subjects, protected=[p for p in protected if p]), used
