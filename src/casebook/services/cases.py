"""Cases and everything recorded on them: steps, people, accounts, chronology, decisions, actions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import and_, case, false, func, literal_column, select, text
from sqlalchemy.orm import Session

from casebook.domain import (
    AccountKind,
    AccountStatus,
    Action,
    Case,
    CaseStatus,
    CaseSummary,
    CaseType,
    ChronologyEntry,
    Decision,
    Person,
    PersonKind,
    PersonRole,
    RiskLevel,
    SocialAccount,
    StepKey,
    StepStatus,
    format_reference,
    normalise_url,
    require_text,
)
from casebook.domain.counts import CaseCounts, CaseListPage
from casebook.errors import NotFoundError, ValidationError
from casebook.services import mapping, system_entries
from casebook.services.corrections import (
    FIELDS,
    KIND_WORDS,
    Correction,
    clean_changes,
    correction,
    step_answer_changes,
    to_json,
)
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.storage.search import fold

SORTABLE = {
    "reference": (t.CaseRow.year, t.CaseRow.number),
    "title": (t.CaseRow.title,),
    "type": (t.CaseRow.case_type,),
    "status": (t.CaseRow.status,),
    "risk": (case(*((t.CaseRow.risk == r.value, i) for i, r in enumerate(RiskLevel)),
                  else_=len(RiskLevel)),),  # by severity, not alphabetically
    "opened": (t.CaseRow.opened_at,),
    "updated": (t.CaseRow.updated_at,),
}
MAX_TEXT = 20_000
#: Sorts with an index to walk (cases.opened_at, cases.updated_at).
INDEXED_SORTS = frozenset({"opened", "updated"})
#: The temporary table a reload's search results go into (one per connection).
HITS_TABLE = "case_hits"
HITS = f"temp.{HITS_TABLE}"


@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows. Empty tuples mean "any"."""

    statuses: tuple[CaseStatus, ...] = ()
    types: tuple[CaseType, ...] = ()
    risks: tuple[RiskLevel, ...] = ()
    opened_from: date | None = None
    opened_to: date | None = None
    text: str = ""  # full-text search over everything recorded on the case
    ids: tuple[int, ...] | None = None  # only these cases (a list opened from the dashboard)
    sort: str = "opened"
    descending: bool = True


def fts_query(text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must match, the last one as a
    prefix (so results appear while typing). Quotes and operators are treated as plain text."""
    words = re.findall(r"\w+", fold(text), flags=re.UNICODE)
    if not words:
        return None
    parts = ['"' + w.replace('"', '""') + '"' for w in words]
    parts[-1] += "*"
    return " AND ".join(parts)


def _enum(value: object, enum_type: type, what: str):  # type: ignore[no-untyped-def]
    try:
        return enum_type(value)
    except ValueError:
        choices = ", ".join(e.value for e in enum_type)
        raise ValidationError(f"“{value}” is not a known {what}. Choose one of: {choices}.") from None


class CaseService:
    def __init__(self, store: Store) -> None:
        self.store = store

    # ----- cases -------------------------------------------------------------------------
    def create(self, title: str, case_type: CaseType | str, summary: str = "",
               risk: RiskLevel | str = RiskLevel.MEDIUM) -> Case:
        title = require_text(title, "a title for the case", 300)
        case_type = _enum(case_type, CaseType, "case type")
        risk = _enum(risk, RiskLevel, "risk level")
        summary = (summary or "").strip()
        if len(summary) > MAX_TEXT:
            raise ValidationError(f"The summary is too long (at most {MAX_TEXT} characters).")
        now = self.store.now()
        with self.store.write("case.create") as work:
            s = work.session
            number = (s.scalar(select(func.max(t.CaseRow.number)).where(t.CaseRow.year == now.year))
                      or 0) + 1
            row = t.CaseRow(
                reference=format_reference(now.year, number), year=now.year, number=number,
                title=title, case_type=case_type.value, summary=summary,
                status=CaseStatus.OPEN.value, risk=risk.value, opened_at=now, updated_at=now,
                created_by=self.store.actor,
            )
            s.add(row)
            s.flush()
            for key in StepKey:
                s.add(t.StepRow(case_id=row.id, step_key=key.value,
                                status=StepStatus.NOT_STARTED.value, data_json="{}",
                                updated_at=now))
            system_entries.record(s, self.store, row.id, "Case opened.")
            work.target = f"case:{row.id}"
            work.detail = f"type={case_type.value}"
            case_id = row.id
        return self.get(case_id)

    def get(self, case_id: int) -> Case:
        with self.store.read() as s:
            return self._get(s, case_id)

    def _get(self, s: Session, case_id: int) -> Case:
        row = s.get(t.CaseRow, case_id)
        if row is None:
            raise NotFoundError("That case no longer exists.")
        steps = list(s.scalars(select(t.StepRow).where(t.StepRow.case_id == case_id)))
        return mapping.case(row, steps)

    def get_by_reference(self, reference: str) -> Case:
        ref = (reference or "").strip().upper()
        with self.store.read() as s:
            case_id = s.scalar(select(t.CaseRow.id).where(t.CaseRow.reference == ref))
            if case_id is None:
                raise NotFoundError(f"There is no case with the reference {ref or '(blank)'}.")
            return self._get(s, case_id)

    def update_details(self, case_id: int, *, title: str | None = None,
                       summary: str | None = None, risk: RiskLevel | str | None = None,
                       case_type: CaseType | str | None = None) -> Case:
        with self.store.write("case.update", f"case:{case_id}") as work:
            row = self._row(work.session, case_id)
            changed = []
            if title is not None:
                row.title = require_text(title, "a title for the case", 300)
                changed.append("title")
            if summary is not None:
                if len(summary) > MAX_TEXT:
                    raise ValidationError(f"The summary is too long (at most {MAX_TEXT} characters).")
                row.summary = summary.strip()
                changed.append("summary")
            if risk is not None:
                row.risk = _enum(risk, RiskLevel, "risk level").value
                changed.append("risk")
            if case_type is not None:
                row.case_type = _enum(case_type, CaseType, "case type").value
                changed.append("type")
            row.updated_at = self.store.now()
            work.detail = "changed=" + ",".join(changed)
        return self.get(case_id)

    def set_status(self, case_id: int, status: CaseStatus | str, reason: str = "") -> Case:
        status = _enum(status, CaseStatus, "case status")
        if status == CaseStatus.CLOSED:
            reason = require_text(reason, "the reason for closing the case", 2000)
        now = self.store.now()
        with self.store.write("case.status", f"case:{case_id}", f"status={status.value}") as work:
            row = self._row(work.session, case_id)
            row.status = status.value
            row.closed_at = now if status == CaseStatus.CLOSED else None
            row.closed_reason = reason if status == CaseStatus.CLOSED else None
            row.updated_at = now
            work.session.add(t.ChronologyRow(
                case_id=case_id, occurred_at=now, recorded_at=now, author=self.store.actor,
                text=f"Case status set to {status.value}." + (f" Reason: {reason}" if reason else ""),
            ))
        return self.get(case_id)

    def _row(self, s: Session, case_id: int) -> t.CaseRow:
        row = s.get(t.CaseRow, case_id)
        if row is None:
            raise NotFoundError("That case no longer exists.")
        return row

    def _touch(self, s: Session, case_id: int) -> None:
        self._row(s, case_id).updated_at = self.store.now()

    # ----- listing and search ------------------------------------------------------------
    def _summary_query(self, today: date):  # type: ignore[no-untyped-def]
        overdue = (
            select(func.count(t.ActionRow.id))
            .where(t.ActionRow.case_id == t.CaseRow.id, t.ActionRow.done_at.is_(None),
                   t.ActionRow.due_date < today)
            .correlate(t.CaseRow).scalar_subquery()
        )
        done = (
            select(func.count(t.StepRow.id))
            .where(t.StepRow.case_id == t.CaseRow.id,
                   t.StepRow.status.in_([StepStatus.DONE.value, StepStatus.NOT_NEEDED.value]))
            .correlate(t.CaseRow).scalar_subquery()
        )
        return select(
            t.CaseRow.id, t.CaseRow.reference, t.CaseRow.title, t.CaseRow.case_type,
            t.CaseRow.status, t.CaseRow.risk, t.CaseRow.opened_at, t.CaseRow.updated_at,
            overdue.label("overdue"), done.label("done"),
        )

    def _apply_filter(self, query, flt: CaseFilter,  # type: ignore[no-untyped-def]
                      hits: bool = False, walk: bool = False):
        """``query`` narrowed to the cases ``flt`` shows.

        ``hits``: the search's matches are in :data:`HITS` already (:meth:`_fill_hits`), so the
        index is not searched again. ``walk``: the query walks an index in order (the sort's, or
        the status index for the counts) and probes the matches as it goes, instead of looking
        up every matching case and sorting them all (35,000 of them for "instagram" at 50,000
        cases); "+" stops SQLite from driving the query by the matches.
        """
        conds = []
        if flt.statuses:
            conds.append(t.CaseRow.status.in_([s.value for s in flt.statuses]))
        if flt.types:
            conds.append(t.CaseRow.case_type.in_([s.value for s in flt.types]))
        if flt.risks:
            conds.append(t.CaseRow.risk.in_([s.value for s in flt.risks]))
        if flt.opened_from:
            conds.append(t.CaseRow.opened_at >= datetime.combine(flt.opened_from, datetime.min.time()))
        if flt.opened_to:
            conds.append(t.CaseRow.opened_at <= datetime.combine(flt.opened_to, datetime.max.time()))
        if flt.ids is not None:
            conds.append(t.CaseRow.id.in_(flt.ids))
        match = fts_query(flt.text)
        if flt.text.strip() and match is None:
            conds.append(false())  # punctuation only: nothing can match
        elif match is not None and hits:
            key = literal_column("+cases.id") if walk else t.CaseRow.id
            conds.append(key.in_(select(literal_column("id")).select_from(text(HITS))))
        elif match is not None:
            # The case id is the top of the index rowid (migration 0005): no content reads.
            found = (select(literal_column("case_search.rowid >> 32"))
                     .select_from(text("case_search"))
                     .where(text("case_search MATCH :match").bindparams(match=match)))
            conds.append(t.CaseRow.id.in_(found))
        if conds:
            query = query.where(and_(*conds))
        return query

    def list_page(self, flt: CaseFilter = CaseFilter(), offset: int = 0,
                  limit: int = 200) -> list[CaseSummary]:
        with self.store.read() as s:
            return self._page(s, flt, offset, limit, self._fill_hits(s, flt))

    def _fill_hits(self, s: Session, flt: CaseFilter) -> bool:
        """Search the index once for the page and all the counts: the matching case ids go into
        a temporary table of this connection, in memory (SQLCipher is built with
        ``SQLITE_TEMP_STORE=2``). The read transaction's rollback takes the table away again.
        False when ``flt`` searches for nothing, or on a read-only casebook (``query_only``
        refuses temporary tables too): the index is then searched in a subquery."""
        match = fts_query(flt.text)
        if match is None or self.store.read_only:
            return False
        s.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {HITS_TABLE} (id INTEGER PRIMARY KEY)"))
        s.execute(text(f"DELETE FROM {HITS}"))  # in case a caller's transaction filled it
        s.execute(text(f"INSERT OR IGNORE INTO {HITS} (id) "
                       "SELECT rowid >> 32 FROM case_search WHERE case_search MATCH :match"),
                  {"match": match})
        return True

    def _page(self, s: Session, flt: CaseFilter, offset: int, limit: int,
              hits: bool = False) -> list[CaseSummary]:
        today = self.store.now().date()
        columns = SORTABLE.get(flt.sort)
        if columns is None:
            raise ValidationError(f"Cannot sort by “{flt.sort}”.")
        order = [c.desc() if flt.descending else c.asc() for c in columns]
        order.append(t.CaseRow.id.desc() if flt.descending else t.CaseRow.id.asc())
        # Pick the page first, then count actions and steps for just those cases.
        walk = flt.sort in INDEXED_SORTS
        page = (self._apply_filter(select(t.CaseRow.id), flt, hits, walk).order_by(*order)
                .offset(max(0, offset)).limit(max(0, limit)))
        ids = list(s.scalars(page))
        rows = {r.id: r for r in s.execute(
            self._summary_query(today).where(t.CaseRow.id.in_(ids)))}
        return [
            CaseSummary(id=r.id, reference=r.reference, title=r.title,
                        case_type=CaseType(r.case_type), status=CaseStatus(r.status),
                        risk=RiskLevel(r.risk), opened_at=r.opened_at,
                        updated_at=r.updated_at, overdue_actions=r.overdue, steps_done=r.done)
            for r in (rows[i] for i in ids if i in rows)
        ]

    def counts(self, flt: CaseFilter = CaseFilter(), s: Session | None = None,
               hits: bool = False) -> CaseCounts:
        """All the list's counts: one GROUP BY status (the full-text match runs once, not once
        per status) and the casebook's total. With no filter but the words and the statuses,
        only the cases that are not closed are looked up (:meth:`_counts_by_status`)."""
        if s is None:
            with self.store.read() as session:
                return self.counts(flt, session)
        wanted = flt.statuses or tuple(CaseStatus)
        only_text = not (flt.types or flt.risks or flt.opened_from or flt.opened_to
                         or flt.ids is not None)
        if only_text and (hits or not flt.text.strip()):
            total = int(s.execute(select(func.count()).select_from(t.CaseRow)).scalar_one())
            by_status = self._counts_by_status(s, total, hits)
        else:
            grouped = self._apply_filter(
                select(t.CaseRow.status, func.count(t.CaseRow.id)), replace(flt, statuses=()),
                hits, walk=True,
            ).group_by(t.CaseRow.status)
            found = {CaseStatus(status): int(n) for status, n in s.execute(grouped)}
            by_status = {status: found.get(status, 0) for status in CaseStatus}
            total = int(s.execute(select(func.count()).select_from(t.CaseRow)).scalar_one())
        return CaseCounts(sum(by_status[status] for status in set(wanted)), total, by_status)

    @staticmethod
    def _counts_by_status(s: Session, total: int, hits: bool) -> dict[CaseStatus, int]:
        """Every case (or every match in :data:`HITS`) per status, looking up only the cases
        that are not closed: most cases of a casebook a few years old are closed (43,390 of
        50,000 in the bench's), and walking all of them to probe the matches took 8-10 ms of a
        search at 50,000 cases, the open and monitoring ones about 1 ms. The closed ones are the
        rest: SQLite counts a whole table from its pages, and every id in :data:`HITS` is a
        case's (the index's rows come and go with the records of existing cases, migration
        0005's triggers)."""
        others = [status for status in CaseStatus if status != CaseStatus.CLOSED]
        query = select(t.CaseRow.status, func.count(t.CaseRow.id)).where(
            t.CaseRow.status.in_([status.value for status in others]))
        matched = total
        if hits:
            query = query.where(literal_column("+cases.id").in_(
                select(literal_column("id")).select_from(text(HITS))))
            matched = int(s.execute(text(f"SELECT count(*) FROM {HITS}")).scalar_one())
        found = {CaseStatus(status): int(n)
                 for status, n in s.execute(query.group_by(t.CaseRow.status))}
        by_status = {status: found.get(status, 0) for status in others}
        by_status[CaseStatus.CLOSED] = matched - sum(by_status.values())
        return {status: by_status[status] for status in CaseStatus}

    def first_page(self, flt: CaseFilter = CaseFilter(), limit: int = 100) -> CaseListPage:
        """What the case list runs on every reload: the first page and all its counts, with
        one search of the index for both."""
        with self.store.read() as s:
            hits = self._fill_hits(s, flt)
            rows = self._page(s, flt, 0, limit, hits)
            return CaseListPage(self.counts(flt, s, hits), rows)

    def count(self, flt: CaseFilter = CaseFilter()) -> int:
        query = self._apply_filter(select(func.count(t.CaseRow.id)), flt)
        with self.store.read() as s:
            return int(s.execute(query).scalar_one())

    def search(self, text: str, limit: int = 200) -> list[CaseSummary]:
        return self.list_page(CaseFilter(text=text), limit=limit)

    # ----- steps ------------------------------------------------------------------------
    def save_step(self, case_id: int, key: StepKey | str, data: dict | None = None,
                  status: StepStatus | str | None = None) -> Case:
        """Save a step's answers (autosave) and optionally its status. Marking it done dates
        and attributes it on the case."""
        key = _enum(key, StepKey, "response step")
        new_status = _enum(status, StepStatus, "step status") if status is not None else None
        now = self.store.now()
        detail = f"step={key.value}" + (f",status={new_status.value}" if new_status else "")
        with self.store.write("step.save", f"case:{case_id}", detail) as work:
            s = work.session
            row = s.scalar(select(t.StepRow).where(t.StepRow.case_id == case_id,
                                                   t.StepRow.step_key == key.value))
            if row is None:
                raise NotFoundError("That case no longer exists.")
            if data is not None:
                try:
                    row.data_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
                except TypeError as exc:
                    raise ValidationError("Some answers could not be saved as text.") from exc
            if new_status is not None and new_status.value != row.status:
                row.status = new_status.value
                if new_status in (StepStatus.DONE, StepStatus.NOT_NEEDED):
                    row.completed_at, row.completed_by = now, self.store.actor
                    done = "done" if new_status == StepStatus.DONE else "not needed"
                    system_entries.record(
                        s, self.store, case_id,
                        f"Response step “{self._step_title(s, key)}” marked {done}.")
                else:
                    row.completed_at, row.completed_by = None, None
            row.updated_at = now
            self._touch(s, case_id)
        return self.get(case_id)

    @staticmethod
    def _step_title(s: Session, key: StepKey) -> str:
        """The step's name as the school's guidance words it (falls back to the key)."""
        from casebook.profiles import guidance_for

        jurisdiction = s.scalar(select(t.MetaRow.value).where(t.MetaRow.key == "jurisdiction"))
        try:
            return guidance_for(jurisdiction or "england", key).title
        except Exception:  # guidance data unreadable: the record must still be written
            return key.value.replace("-", " ")

    # ----- people -----------------------------------------------------------------------
    def add_person(self, case_id: int, name: str, kind: PersonKind | str,
                   role: PersonRole | str, *, date_of_birth: date | None = None,
                   year_group: str | None = None, notes: str = "") -> Person:
        name = require_text(name, "the person's name", 200)
        kind = _enum(kind, PersonKind, "kind of person")
        role = _enum(role, PersonRole, "role")
        if date_of_birth and date_of_birth > self.store.now().date():
            raise ValidationError("The date of birth is in the future.")
        with self.store.write("person.add", f"case:{case_id}") as work:
            self._touch(work.session, case_id)
            row = t.PersonRow(case_id=case_id, name=name, kind=kind.value, role=role.value,
                              date_of_birth=date_of_birth, year_group=(year_group or None),
                              notes=notes.strip(), created_at=self.store.now())
            work.session.add(row)
            work.session.flush()
            work.detail = f"person={row.id},kind={kind.value},role={role.value}"
            return mapping.person(row)

    def people(self, case_id: int, include_removed: bool = False) -> list[Person]:
        """The people on the case; those removed by a correction only when asked for."""
        with self.store.read() as s:
            query = select(t.PersonRow).where(t.PersonRow.case_id == case_id)
            if not include_removed:
                query = query.where(t.PersonRow.removed_at.is_(None))
            return [mapping.person(r) for r in s.scalars(query.order_by(t.PersonRow.id))]

    # ----- social-media accounts ---------------------------------------------------------
    def add_account(self, case_id: int, platform: str, handle: str, kind: AccountKind | str, *,
                    url: str | None = None, first_seen: date | None = None,
                    follower_count: int | None = None, notes: str = "",
                    platform_account_id: str | None = None) -> SocialAccount:
        platform = require_text(platform, "the platform (for example Instagram)", 60)
        platform_account_id = _platform_id(platform_account_id)
        handle = require_text(handle, "the account's handle or name", 200)
        kind = _enum(kind, AccountKind, "kind of account")
        url = normalise_url(url)
        if follower_count is not None and follower_count < 0:
            raise ValidationError("The follower count cannot be negative.")
        if first_seen and first_seen > self.store.now().date():
            raise ValidationError("The date first seen is in the future.")
        with self.store.write("account.add", f"case:{case_id}") as work:
            self._touch(work.session, case_id)
            row = t.AccountRow(case_id=case_id, platform=platform, handle=handle, url=url,
                               kind=kind.value, first_seen=first_seen,
                               follower_count=follower_count, status=AccountStatus.ACTIVE.value,
                               notes=notes.strip(), created_at=self.store.now(),
                               platform_account_id=platform_account_id)
            work.session.add(row)
            work.session.flush()
            # Named by platform only: the handle may later be corrected, and the chronology
            # (append-only) must not keep a typo that exports would print.
            system_entries.record(work.session, self.store, case_id,
                                  f"Account added on {platform} (see Accounts).")
            work.detail = f"account={row.id}"
            return mapping.account(row)

    def set_account_status(self, account_id: int, status: AccountStatus | str) -> SocialAccount:
        status = _enum(status, AccountStatus, "account status")
        with self.store.write("account.status", f"account:{account_id}",
                              f"status={status.value}") as work:
            row = work.session.get(t.AccountRow, account_id)
            if row is None:
                raise NotFoundError("That account is no longer on the case.")
            row.status = status.value
            self._touch(work.session, row.case_id)
            return mapping.account(row)

    def set_account_platform_id(self, account_id: int, value: str | None) -> SocialAccount:
        """The platform's own numeric id of the account (report forms ask for it)."""
        value = _platform_id(value)
        with self.store.write("account.platform_id", f"account:{account_id}") as work:
            row = work.session.get(t.AccountRow, account_id)
            if row is None:
                raise NotFoundError("That account is no longer on the case.")
            row.platform_account_id = value
            self._touch(work.session, row.case_id)
            return mapping.account(row)

    def accounts(self, case_id: int, include_removed: bool = False) -> list[SocialAccount]:
        """The accounts on the case; those removed by a correction only when asked for."""
        with self.store.read() as s:
            query = select(t.AccountRow).where(t.AccountRow.case_id == case_id)
            if not include_removed:
                query = query.where(t.AccountRow.removed_at.is_(None))
            return [mapping.account(r) for r in s.scalars(query.order_by(t.AccountRow.id))]

    # ----- chronology -------------------------------------------------------------------
    def add_entry(self, case_id: int, text: str,
                  occurred_at: datetime | None = None) -> ChronologyEntry:
        text = require_text(text, "what happened", MAX_TEXT)
        now = self.store.now()
        if occurred_at and occurred_at > now.replace(second=59) and (occurred_at - now).days >= 1:
            raise ValidationError("The date of this entry is in the future.")
        with self.store.write("chronology.add", f"case:{case_id}") as work:
            self._touch(work.session, case_id)
            row = t.ChronologyRow(case_id=case_id, occurred_at=occurred_at or now,
                                  recorded_at=now, author=self.store.actor, text=text)
            work.session.add(row)
            work.session.flush()
            work.detail = f"entry={row.id}"
            return mapping.chronology(row, None)

    def amend_entry(self, entry_id: int, new_text: str, reason: str) -> ChronologyEntry:
        """Correct an entry: the original stays, the amendment points at it."""
        new_text = require_text(new_text, "the corrected text", MAX_TEXT)
        reason = require_text(reason, "why the entry is being amended", 2000)
        now = self.store.now()
        with self.store.write("chronology.amend", f"entry:{entry_id}") as work:
            s = work.session
            original = s.get(t.ChronologyRow, entry_id)
            if original is None:
                raise NotFoundError("That chronology entry does not exist.")
            if s.scalar(select(t.ChronologyRow.id).where(t.ChronologyRow.amends_id == entry_id)):
                raise ValidationError(
                    "This entry has already been amended. Amend the latest version instead."
                )
            row = t.ChronologyRow(case_id=original.case_id, occurred_at=original.occurred_at,
                                  recorded_at=now, author=self.store.actor, text=new_text,
                                  amends_id=entry_id, amendment_reason=reason)
            s.add(row)
            self._touch(s, original.case_id)
            s.flush()
            work.detail = f"amendment={row.id}"
            return mapping.chronology(row, None)

    def chronology(self, case_id: int) -> list[ChronologyEntry]:
        """Every entry, originals and amendments, in the order things happened."""
        with self.store.read() as s:
            rows = list(s.scalars(select(t.ChronologyRow)
                                  .where(t.ChronologyRow.case_id == case_id)
                                  .order_by(t.ChronologyRow.occurred_at, t.ChronologyRow.id)))
            amended_by = {r.amends_id: r.id for r in rows if r.amends_id is not None}
            return [mapping.chronology(r, amended_by.get(r.id)) for r in rows]

    # ----- decisions --------------------------------------------------------------------
    def add_decision(self, case_id: int, what: str, why: str, who: str | None = None,
                     made_at: datetime | None = None) -> Decision:
        what = require_text(what, "what was decided", MAX_TEXT)
        why = require_text(why, "the reason for the decision", MAX_TEXT)
        who = require_text(who or self.store.actor, "who made the decision", 200)
        now = self.store.now()
        with self.store.write("decision.add", f"case:{case_id}") as work:
            self._touch(work.session, case_id)
            row = t.DecisionRow(case_id=case_id, made_at=made_at or now, what=what, why=why,
                                who=who, recorded_by=self.store.actor)
            work.session.add(row)
            work.session.flush()
            system_entries.record(work.session, self.store, case_id,
                                  "Decision recorded (see Decisions).")
            work.detail = f"decision={row.id}"
            return mapping.decision(row)

    def decisions(self, case_id: int) -> list[Decision]:
        with self.store.read() as s:
            rows = s.scalars(select(t.DecisionRow).where(t.DecisionRow.case_id == case_id)
                             .order_by(t.DecisionRow.made_at, t.DecisionRow.id))
            return [mapping.decision(r) for r in rows]

    # ----- actions ----------------------------------------------------------------------
    def add_action(self, case_id: int, description: str, owner: str,
                   due_date: date | None = None) -> Action:
        description = require_text(description, "what needs doing", 2000)
        owner = require_text(owner, "who will do it", 200)
        with self.store.write("action.add", f"case:{case_id}") as work:
            self._touch(work.session, case_id)
            row = t.ActionRow(case_id=case_id, description=description, owner=owner,
                              due_date=due_date, created_at=self.store.now())
            work.session.add(row)
            work.session.flush()
            work.detail = f"action={row.id}"
            return mapping.action(row)

    def set_action_done(self, action_id: int, done: bool = True) -> Action:
        with self.store.write("action.done" if done else "action.reopen",
                              f"action:{action_id}") as work:
            row = work.session.get(t.ActionRow, action_id)
            if row is None:
                raise NotFoundError("That action no longer exists.")
            row.done_at = self.store.now() if done else None
            self._touch(work.session, row.case_id)
            return mapping.action(row)

    def actions(self, case_id: int) -> list[Action]:
        with self.store.read() as s:
            rows = s.scalars(select(t.ActionRow).where(t.ActionRow.case_id == case_id)
                             .order_by(t.ActionRow.done_at.is_not(None), t.ActionRow.due_date,
                                       t.ActionRow.id))
            return [mapping.action(r) for r in rows]

    def case_ids_for_actions(self, action_ids: list[int]) -> list[int]:
        """The cases these actions belong to (each once, in the order first seen)."""
        with self.store.read() as s:
            by_action = {action_id: case_id for action_id, case_id in s.execute(
                select(t.ActionRow.id, t.ActionRow.case_id).where(t.ActionRow.id.in_(action_ids)))}
        return list(dict.fromkeys(by_action[a] for a in action_ids if a in by_action))

    def overdue_actions(self, limit: int = 500) -> list[Action]:
        today = self.store.now().date()
        with self.store.read() as s:
            rows = s.scalars(select(t.ActionRow)
                             .where(t.ActionRow.done_at.is_(None), t.ActionRow.due_date < today)
                             .order_by(t.ActionRow.due_date).limit(limit))
            return [mapping.action(r) for r in rows]

    # ----- corrections ------------------------------------------------------------------
    _MAPPERS = {"person": mapping.person, "account": mapping.account,
                "action": mapping.action, "decision": mapping.decision}

    def correct(self, kind: str, record_id: int, reason: str, **changes: object) -> object:
        """Correct a person, account, action or decision; returns the corrected record.

        The record takes the new values (so exports print them); a correction row keeps the
        old ones with the reason, and the chronology says what was corrected.
        """
        if kind not in FIELDS:
            raise ValidationError("Only people, accounts, actions and decisions are corrected "
                                  "here.")
        reason = require_text(reason, "why this is being corrected", 2000)
        new = clean_changes(kind, changes)
        table, _fields = FIELDS[kind]
        with self.store.write(f"correction.{kind}", f"{kind}:{record_id}") as work:
            s = work.session
            row = s.get(table, record_id)
            if row is None or getattr(row, "removed_at", None) is not None:
                raise NotFoundError(f"That {KIND_WORDS[kind]} is no longer on the case.")
            before = {name: getattr(row, name) for name in new}
            changed = {name: value for name, value in new.items() if before[name] != value}
            if not changed:
                raise ValidationError("Nothing was changed, so there is nothing to correct.")
            for name, value in changed.items():
                setattr(row, name, value)
            old = {name: before[name] for name in changed}
            self._record_correction(s, row.case_id, kind, record_id, old, changed, reason)
            work.detail = f"fields={','.join(sorted(changed))}"
            s.flush()
            return self._MAPPERS[kind](row)

    def correct_person(self, person_id: int, reason: str, **changes: object) -> Person:
        return self.correct("person", person_id, reason, **changes)  # type: ignore[return-value]

    def correct_account(self, account_id: int, reason: str,
                        **changes: object) -> SocialAccount:
        return self.correct("account", account_id, reason, **changes)  # type: ignore[return-value]

    def correct_action(self, action_id: int, reason: str, **changes: object) -> Action:
        return self.correct("action", action_id, reason, **changes)  # type: ignore[return-value]

    def correct_decision(self, decision_id: int, reason: str, **changes: object) -> Decision:
        return self.correct("decision", decision_id, reason, **changes)  # type: ignore[return-value]

    def correct_step(self, case_id: int, key: StepKey | str, reason: str,
                     answers: dict[str, object]) -> Case:
        """Correct answers of a response step (the answers not named are kept).

        A per-person or per-account answer is named by its field with a mapping of item ids
        (``{"support_offered": {"12": "Weekly check-ins"}}``): only the items named change.
        Dates may be given as dates (kept as ISO text, as the wizard keeps them).
        """
        key = _enum(key, StepKey, "response step")
        reason = require_text(reason, "why this is being corrected", 2000)
        with self.store.write("correction.step", f"case:{case_id}") as work:
            s = work.session
            row = s.scalar(select(t.StepRow).where(t.StepRow.case_id == case_id,
                                                   t.StepRow.step_key == key.value))
            if row is None:
                raise NotFoundError("That case no longer exists.")
            data = json.loads(row.data_json or "{}")
            old, changed = step_answer_changes(data, answers)
            if not changed:
                raise ValidationError("Nothing was changed, so there is nothing to correct.")
            for name, value in changed.items():
                if isinstance(value, dict) and isinstance(old.get(name), dict):
                    merged = data.get(name) if isinstance(data.get(name), dict) else {}
                    data[name] = {**merged, **value}
                else:
                    data[name] = value
            try:
                row.data_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
            except TypeError as exc:
                raise ValidationError("Some answers could not be saved as text.") from exc
            row.updated_at = self.store.now()
            self._record_correction(s, case_id, "step", row.id, old, changed, reason,
                                    what=f"answers to “{self._step_title(s, key)}”:")
            work.detail = f"step={key.value},answers={len(changed)}"
        return self.get(case_id)

    def remove(self, kind: str, record_id: int, reason: str) -> None:
        """Remove a person or account added by mistake: a correction with a reason. The row is
        kept (marked removed) and the original stays readable in the corrections."""
        if kind not in ("person", "account"):
            raise ValidationError("Only a person or an account can be removed from a case.")
        reason = require_text(reason, "why it is being removed", 2000)
        table, fields = FIELDS[kind]
        with self.store.write(f"correction.remove-{kind}", f"{kind}:{record_id}") as work:
            s = work.session
            row = s.get(table, record_id)
            if row is None or row.removed_at is not None:
                raise NotFoundError(f"That {kind} is no longer on the case.")
            row.removed_at = self.store.now()
            before = {name: getattr(row, name) for name in fields}
            self._record_correction(s, row.case_id, kind, record_id, before, {}, reason,
                                    removal=True)

    def remove_person(self, person_id: int, reason: str) -> None:
        self.remove("person", person_id, reason)

    def remove_account(self, account_id: int, reason: str) -> None:
        self.remove("account", account_id, reason)

    def corrections(self, case_id: int) -> list[Correction]:
        """Every correction on the case, oldest first (the originals live here)."""
        with self.store.read() as s:
            rows = s.scalars(select(t.CorrectionRow).where(t.CorrectionRow.case_id == case_id)
                             .order_by(t.CorrectionRow.id))
            return [correction(r) for r in rows]

    def _record_correction(self, s: Session, case_id: int, kind: str, record_id: int,
                           before: dict[str, object], after: dict[str, object], reason: str,
                           *, removal: bool = False, what: str = "") -> None:
        now = self.store.now()
        s.add(t.CorrectionRow(case_id=case_id, record_kind=kind, record_id=record_id,
                              removal=removal, before_json=to_json(before),
                              after_json=to_json(after), reason=reason, made_at=now,
                              made_by=self.store.actor))
        # The chronology says what was corrected, not the values: the originals stay in the
        # corrections (shown in the app), never in an export a redaction might not catch.
        what = what or f"the {KIND_WORDS[kind]}'s"
        if removal:
            text = (f"Removed a {KIND_WORDS[kind]} added by mistake (the original is kept in "
                    f"the corrections). Reason: {reason}")
        else:
            fields = [name.replace("_", " ") for name in sorted(after)]
            listed = fields[0] if len(fields) == 1 else \
                ", ".join(fields[:-1]) + " and " + fields[-1]
            text = f"Corrected {what} {listed}. Reason: {reason}"
        self.system_entry(s, case_id, text)
        self._touch(s, case_id)

    def system_entry(self, s: Session, case_id: int, text: str) -> None:
        """A chronology entry Casebook writes itself, marked as such (in ``s``'s write)."""
        system_entries.record(s, self.store, case_id, text)


def _platform_id(value: str | None) -> str | None:
    """A platform's account id: digits (some platforms add letters, dots or dashes)."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 100 or not all(c.isalnum() or c in "._-" for c in value):
        raise ValidationError("The account's id is the number (or code) the platform shows for "
                              "it, without spaces, for example 1789234567.")
    return value
