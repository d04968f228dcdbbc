"""The preventative-policy checklist: yearly reviews of the school's standing self-review.

The checklist's content is data (``resources/checklists/*.toml``, read by
:func:`casebook.profiles.load_checklist`); this service keeps the school's answers to it.

- A *review* is one yearly cycle ("2026–27"). Only the newest review is open; starting a new
  one carries every item's answers forward and closes the old one, which is then kept exactly
  as it was (changes to it are refused).
- Each review item keeps a copy of its template text, so an item a later checklist file drops
  stays readable in the reviews that used it.
- When the checklist file's version changes, the open review picks up the items the new version
  adds (as not started); items it drops stay on the review, marked as no longer in the
  checklist, and no longer count towards progress or the action plan.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casebook.domain import Jurisdiction, UserRole, require_text
from casebook.errors import NotFoundError, ValidationError
from casebook.profiles import MATURITY_LEVELS, ChecklistTemplate, load_checklist
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.storage import tables_prevention as tp

if TYPE_CHECKING:  # the report engine (reportlab) is imported only when exporting
    from casebook.reports.checklist_review import ChecklistReviewData

log = logging.getLogger(__name__)

__all__ = [
    "NOT_STARTED", "IN_PROGRESS", "IN_PLACE", "NOT_APPLICABLE", "STATUSES", "STATUS_LABELS",
    "UNSET", "ChecklistReview", "ChecklistItem", "SectionProgress", "ReviewProgress",
    "ItemChange", "SectionChange", "ReviewComparison", "ActionPlanEntry", "ChecklistService",
    "school_year_label", "next_year_label",
]

NOT_STARTED: Final = "not-started"
IN_PROGRESS: Final = "in-progress"
IN_PLACE: Final = "in-place"
NOT_APPLICABLE: Final = "not-applicable"
STATUSES: tuple[str, ...] = (NOT_STARTED, IN_PROGRESS, IN_PLACE, NOT_APPLICABLE)
STATUS_LABELS: dict[str, str] = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    IN_PLACE: "In place",
    NOT_APPLICABLE: "Not applicable",
}
MAX_TEXT = 20_000


class _Unset:
    """Marks an argument that was not given (``None`` means "clear it")."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()

TemplateLoader = Callable[[Jurisdiction], ChecklistTemplate]


# --------------------------------------------------------------------------- labels


def school_year_label(day: date) -> str:
    """The school year ``day`` falls in, e.g. 2026-10-01 -> "2026–27" (years start in September)."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}–{(start + 1) % 100:02d}"


_YEAR_LABEL = re.compile(r"^\s*(\d{4})\s*[–—/-]\s*(\d{2}|\d{4})\s*$")


def next_year_label(label: str) -> str | None:
    """"2026–27" -> "2027–28"; None when ``label`` is not a school year."""
    match = _YEAR_LABEL.match(label or "")
    if match is None:
        return None
    start = int(match.group(1)) + 1
    return f"{start}–{(start + 1) % 100:02d}"


# --------------------------------------------------------------------------- plain values


@dataclass(frozen=True)
class ChecklistReview:
    id: int
    jurisdiction: Jurisdiction
    template_id: str
    template_version: int
    template_title: str
    year_label: str
    started_at: datetime
    started_by: str
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a review: the template text (as the review saw it) and the school's answers."""

    review_id: int
    item_id: str
    section_id: str
    section_title: str
    section_position: int
    position: int
    title: str
    description: str
    levels: tuple[str, ...]  # levels[0] describes level 1 (lowest) ... levels[4] level 5
    target_level: int
    in_template: bool
    status: str
    level: int | None
    owner: str
    evidence: str
    notes: str
    na_reason: str
    next_review: date | None
    updated_at: datetime
    updated_by: str

    @property
    def applicable(self) -> bool:
        return self.status != NOT_APPLICABLE

    @property
    def counts(self) -> bool:
        """Whether the item counts towards progress and the action plan."""
        return self.in_template and self.applicable

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def gap(self) -> int:
        """Levels still to climb to the target (an unrated item counts from zero)."""
        return max(0, self.target_level - (self.level or 0))

    def level_text(self, number: int) -> str:
        if not 1 <= number <= len(self.levels):
            return ""
        return self.levels[number - 1]

    def is_overdue(self, today: date) -> bool:
        return self.in_template and self.next_review is not None and self.next_review < today


@dataclass(frozen=True)
class SectionProgress:
    section_id: str
    title: str
    total: int  # items in the checklist (not-applicable included)
    applicable: int  # total minus not-applicable
    in_place: int
    in_progress: int
    not_started: int
    rated: int  # applicable items with a level
    average_level: float | None  # over rated applicable items
    share_in_place: float | None  # in_place / applicable, 0..1 (None when nothing applies)
    below_target: int  # applicable items whose level is under the target (or unrated)

    @property
    def percent_in_place(self) -> int:
        return 0 if self.share_in_place is None else round(self.share_in_place * 100)


@dataclass(frozen=True)
class ReviewProgress:
    review_id: int
    sections: tuple[SectionProgress, ...]
    overall: SectionProgress


@dataclass(frozen=True)
class ItemChange:
    item_id: str
    section_id: str
    section_title: str
    title: str
    level_a: int | None
    level_b: int | None
    status_a: str | None  # None: the item is not in that review
    status_b: str | None

    @property
    def change(self) -> int | None:
        if self.level_a is None or self.level_b is None:
            return None
        return self.level_b - self.level_a


@dataclass(frozen=True)
class SectionChange:
    section_id: str
    title: str
    average_a: float | None
    average_b: float | None
    share_a: float | None
    share_b: float | None

    @property
    def change(self) -> float | None:
        if self.average_a is None or self.average_b is None:
            return None
        return round(self.average_b - self.average_a, 2)


@dataclass(frozen=True)
class ReviewComparison:
    review_a: ChecklistReview
    review_b: ChecklistReview
    items: tuple[ItemChange, ...]
    sections: tuple[SectionChange, ...]


@dataclass(frozen=True)
class ActionPlanEntry:
    item: ChecklistItem
    gap: int
    reason: str


# --------------------------------------------------------------------------- conversions


def _review(row: tp.ChecklistReviewRow) -> ChecklistReview:
    return ChecklistReview(
        id=row.id, jurisdiction=Jurisdiction(row.jurisdiction), template_id=row.template_id,
        template_version=row.template_version, template_title=row.template_title,
        year_label=row.year_label, started_at=row.started_at, started_by=row.started_by,
        closed_at=row.closed_at,
    )


def _item(row: tp.ChecklistReviewItemRow) -> ChecklistItem:
    try:
        levels = tuple(str(x) for x in json.loads(row.levels_json or "[]"))
    except ValueError:
        levels = ()
    return ChecklistItem(
        review_id=row.review_id, item_id=row.item_id, section_id=row.section_id,
        section_title=row.section_title, section_position=row.section_position,
        position=row.position, title=row.title, description=row.description, levels=levels,
        target_level=row.target_level, in_template=row.in_template, status=row.status,
        level=row.level, owner=row.owner, evidence=row.evidence, notes=row.notes,
        na_reason=row.na_reason, next_review=row.next_review, updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _progress(section_id: str, title: str, items: Iterable[ChecklistItem]) -> SectionProgress:
    items = [i for i in items if i.in_template]
    applicable = [i for i in items if i.applicable]
    rated = [i.level for i in applicable if i.level is not None]
    in_place = sum(1 for i in applicable if i.status == IN_PLACE)
    return SectionProgress(
        section_id=section_id, title=title, total=len(items), applicable=len(applicable),
        in_place=in_place,
        in_progress=sum(1 for i in applicable if i.status == IN_PROGRESS),
        not_started=sum(1 for i in applicable if i.status == NOT_STARTED),
        rated=len(rated),
        average_level=round(sum(rated) / len(rated), 2) if rated else None,
        share_in_place=(in_place / len(applicable)) if applicable else None,
        below_target=sum(1 for i in applicable if i.gap > 0),
    )


def _sections(items: Iterable[ChecklistItem]) -> list[tuple[str, str, list[ChecklistItem]]]:
    """Items grouped by section, in section order."""
    groups: dict[str, tuple[int, str, list[ChecklistItem]]] = {}
    for item in items:
        entry = groups.setdefault(item.section_id, (item.section_position, item.section_title, []))
        entry[2].append(item)
    ordered = sorted(groups.items(), key=lambda kv: kv[1][0])
    return [(sid, title, members) for sid, (_pos, title, members) in ordered]


# --------------------------------------------------------------------------- the service


class ChecklistService:
    """Reviews of the preventative-policy checklist.

    ``loader`` returns the checklist template for a jurisdiction; by default the file named in
    the setting ``checklist_path`` (a local authority's own) or else the profile's default.
    """

    def __init__(self, store: Store, loader: TemplateLoader | None = None) -> None:
        self.store = store
        self._loader = loader

    # ----- template ----------------------------------------------------------------------
    def _meta(self, s: Session, key: str) -> str:
        return s.scalar(select(t.MetaRow.value).where(t.MetaRow.key == key)) or ""

    def jurisdiction(self) -> Jurisdiction:
        with self.store.read() as s:
            return Jurisdiction(self._meta(s, "jurisdiction"))

    def template(self) -> ChecklistTemplate:
        """The checklist template the school uses now."""
        with self.store.read() as s:
            jurisdiction = Jurisdiction(self._meta(s, "jurisdiction"))
            custom = self._meta(s, "checklist_path")
        if self._loader is not None:
            return self._loader(jurisdiction)
        return load_checklist(jurisdiction, Path(custom) if custom else None)

    # ----- reviews -----------------------------------------------------------------------
    def reviews(self) -> list[ChecklistReview]:
        """Every review, newest first."""
        with self.store.read() as s:
            rows = s.scalars(select(tp.ChecklistReviewRow)
                             .order_by(tp.ChecklistReviewRow.started_at.desc(),
                                       tp.ChecklistReviewRow.id.desc()))
            return [_review(r) for r in rows]

    def review(self, review_id: int) -> ChecklistReview:
        with self.store.read() as s:
            return _review(self._review_row(s, review_id))

    def _review_row(self, s: Session, review_id: int) -> tp.ChecklistReviewRow:
        row = s.get(tp.ChecklistReviewRow, review_id)
        if row is None:
            raise NotFoundError("That checklist review does not exist.")
        return row

    def _latest_row(self, s: Session) -> tp.ChecklistReviewRow | None:
        query = select(tp.ChecklistReviewRow).order_by(
            tp.ChecklistReviewRow.closed_at.is_not(None), tp.ChecklistReviewRow.started_at.desc(),
            tp.ChecklistReviewRow.id.desc())
        return s.scalars(query.limit(1)).first()

    def current_review(self) -> ChecklistReview:
        """The open review. On first use it is created from the school's checklist; when the
        checklist file's version has changed since, the review is brought up to date."""
        with self.store.read() as s:
            row = self._latest_row(s)
            current = _review(row) if row is not None else None
        can_write = self.store.user.role != UserRole.VIEWER
        if current is None:
            if not can_write:
                raise NotFoundError(
                    "No checklist review has been started yet. Ask the DSL to open the checklist."
                )
            template = self.template()
            return self._create_review(template, school_year_label(self.store.now().date()), None)
        if current.is_open and can_write:
            try:
                template = self.template()
            except ValidationError:
                # The review stays readable even when the checklist file cannot be read.
                log.warning("checklist template could not be read; review %s not synced",
                            current.id)
                return current
            if (template.id, template.version) != (current.template_id, current.template_version):
                self._sync(current.id, template)
                return self.review(current.id)
        return current

    def start_new_review(self, year_label: str) -> ChecklistReview:
        """Start the next yearly review, carrying every item's answers forward.

        The review it replaces is closed and kept exactly as it was.
        """
        year_label = require_text(year_label, "a name for the review (for example 2027–28)", 40)
        template = self.template()
        with self.store.read() as s:
            previous = self._latest_row(s)
            previous_id = previous.id if previous is not None else None
        return self._create_review(template, year_label, previous_id)

    def suggested_next_label(self) -> str:
        """A name for the next review: the school year after the newest one."""
        reviews = self.reviews()
        if reviews:
            nxt = next_year_label(reviews[0].year_label)
            if nxt is not None and all(r.year_label != nxt for r in reviews):
                return nxt
        label = school_year_label(self.store.now().date())
        if any(r.year_label == label for r in reviews):
            return next_year_label(label) or label
        return label

    def _create_review(self, template: ChecklistTemplate, year_label: str,
                       previous_id: int | None) -> ChecklistReview:
        now = self.store.now()
        with self.store.write("checklist.review.start") as work:
            s = work.session
            taken = {label.casefold() for label in s.scalars(select(tp.ChecklistReviewRow.year_label))}
            if year_label.casefold() in taken:
                raise ValidationError(
                    f"There is already a review called “{year_label}”. Choose another name."
                )
            carried: dict[str, tp.ChecklistReviewItemRow] = {}
            if previous_id is not None:
                previous = self._review_row(s, previous_id)
                carried = {r.item_id: r for r in s.scalars(
                    select(tp.ChecklistReviewItemRow)
                    .where(tp.ChecklistReviewItemRow.review_id == previous_id))}
                if previous.closed_at is None:
                    previous.closed_at = now
            jurisdiction = self._meta(s, "jurisdiction")
            review = tp.ChecklistReviewRow(
                jurisdiction=jurisdiction, template_id=template.id,
                template_version=template.version, template_title=template.title,
                year_label=year_label, started_at=now, started_by=self.store.actor,
            )
            s.add(review)
            s.flush()
            for spos, section in enumerate(template.sections):
                for pos, item in enumerate(section.items):
                    row = tp.ChecklistReviewItemRow(
                        review_id=review.id, item_id=item.id, in_template=True,
                        status=NOT_STARTED, level=None, owner="", evidence="", notes="",
                        na_reason="", next_review=None, updated_at=now,
                        updated_by=self.store.actor,
                    )
                    self._copy_text(row, template, spos, section, pos, item)
                    old = carried.get(item.id)
                    if old is not None:
                        row.status, row.level, row.owner = old.status, old.level, old.owner
                        row.evidence, row.notes, row.na_reason = old.evidence, old.notes, old.na_reason
                        row.next_review = old.next_review
                    s.add(row)
            work.target = f"checklist-review:{review.id}"
            work.detail = (f"template={template.id}@{template.version}"
                           + (f",from={previous_id}" if previous_id is not None else ""))
            return _review(review)

    @staticmethod
    def _copy_text(row: tp.ChecklistReviewItemRow, template: ChecklistTemplate, spos: int,
                   section: Any, pos: int, item: Any) -> None:
        row.section_id, row.section_title, row.section_position = section.id, section.title, spos
        row.position, row.title, row.description = pos, item.title, item.description
        row.levels_json = json.dumps(list(item.levels), ensure_ascii=False)
        row.target_level = item.target_level

    def _sync(self, review_id: int, template: ChecklistTemplate) -> None:
        """Bring the open review to ``template``: add its new items, retire the dropped ones."""
        now = self.store.now()
        with self.store.write("checklist.review.sync", f"checklist-review:{review_id}") as work:
            s = work.session
            review = self._review_row(s, review_id)
            rows = {r.item_id: r for r in s.scalars(
                select(tp.ChecklistReviewItemRow)
                .where(tp.ChecklistReviewItemRow.review_id == review_id))}
            wanted: set[str] = set()
            added = 0
            for spos, section in enumerate(template.sections):
                for pos, item in enumerate(section.items):
                    wanted.add(item.id)
                    row = rows.get(item.id)
                    if row is None:
                        row = tp.ChecklistReviewItemRow(
                            review_id=review_id, item_id=item.id, status=NOT_STARTED, level=None,
                            owner="", evidence="", notes="", na_reason="", next_review=None,
                            updated_at=now, updated_by=self.store.actor,
                        )
                        s.add(row)
                        added += 1
                    row.in_template = True
                    self._copy_text(row, template, spos, section, pos, item)
            dropped = 0
            for item_id, row in rows.items():
                if item_id not in wanted and row.in_template:
                    row.in_template = False
                    dropped += 1
            old = f"{review.template_id}@{review.template_version}"
            review.template_id, review.template_version = template.id, template.version
            review.template_title = template.title
            work.detail = (f"from={old},to={template.id}@{template.version},"
                           f"added={added},dropped={dropped}")

    # ----- items -------------------------------------------------------------------------
    def items(self, review_id: int) -> list[ChecklistItem]:
        """Every item of a review, in checklist order (section, then item)."""
        with self.store.read() as s:
            self._review_row(s, review_id)
            rows = s.scalars(select(tp.ChecklistReviewItemRow)
                             .where(tp.ChecklistReviewItemRow.review_id == review_id)
                             .order_by(tp.ChecklistReviewItemRow.section_position,
                                       tp.ChecklistReviewItemRow.in_template.desc(),
                                       tp.ChecklistReviewItemRow.position,
                                       tp.ChecklistReviewItemRow.id))
            return [_item(r) for r in rows]

    def item(self, review_id: int, item_id: str) -> ChecklistItem:
        with self.store.read() as s:
            return _item(self._item_row(s, review_id, item_id))

    def _item_row(self, s: Session, review_id: int, item_id: str) -> tp.ChecklistReviewItemRow:
        row = s.scalar(select(tp.ChecklistReviewItemRow)
                       .where(tp.ChecklistReviewItemRow.review_id == review_id,
                              tp.ChecklistReviewItemRow.item_id == item_id))
        if row is None:
            raise NotFoundError("That checklist item is not in this review.")
        return row

    def update_item(self, review_id: int, item_id: str, *, status: str = UNSET,
                    level: int | None = UNSET, owner: str = UNSET, evidence: str = UNSET,
                    notes: str = UNSET, na_reason: str = UNSET,
                    next_review: date | None = UNSET) -> ChecklistItem:
        """Record the school's answers for one item. Arguments left out stay as they are;
        ``level=None`` or ``next_review=None`` clears them."""
        if status is not UNSET and status not in STATUSES:
            choices = ", ".join(STATUS_LABELS[s].lower() for s in STATUSES)
            raise ValidationError(f"Choose a status: {choices}.")
        if level is not UNSET and level is not None and (
                isinstance(level, bool) or not isinstance(level, int)
                or not 1 <= level <= MATURITY_LEVELS):
            raise ValidationError(f"The maturity level must be a whole number from 1 to "
                                  f"{MATURITY_LEVELS}, or left blank.")
        if next_review is not UNSET and next_review is not None and not isinstance(next_review, date):
            raise ValidationError("The next review date is not a date.")
        texts = {"owner": (owner, 200), "evidence": (evidence, MAX_TEXT),
                 "notes": (notes, MAX_TEXT), "na_reason": (na_reason, 2000)}
        cleaned: dict[str, str] = {}
        for name, (value, limit) in texts.items():
            if value is UNSET:
                continue
            text = (value or "").strip()
            if len(text) > limit:
                what = {"owner": "owner's name", "evidence": "evidence",
                        "notes": "notes", "na_reason": "reason"}[name]
                raise ValidationError(f"The {what} is too long (at most {limit} characters).")
            cleaned[name] = text
        with self.store.write("checklist.item.update", f"checklist-review:{review_id}") as work:
            s = work.session
            review = self._review_row(s, review_id)
            if review.closed_at is not None:
                raise ValidationError(
                    f"The {review.year_label} review is closed and kept as it was. "
                    "Make changes in the current review."
                )
            row = self._item_row(s, review_id, item_id)
            if not row.in_template:
                raise ValidationError(
                    "This item is no longer in the checklist; it is kept for the record only."
                )
            changed = []
            if status is not UNSET and status != row.status:
                row.status = status
                changed.append("status")
            if level is not UNSET and level != row.level:
                row.level = level
                changed.append("level")
            if next_review is not UNSET and next_review != row.next_review:
                row.next_review = next_review
                changed.append("next_review")
            for name, value in cleaned.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed.append(name)
            if row.status == NOT_APPLICABLE and not row.na_reason:
                raise ValidationError(
                    "Say why this item does not apply to your school before marking it "
                    "not applicable."
                )
            row.updated_at, row.updated_by = self.store.now(), self.store.actor
            work.detail = f"item={item_id},changed={'+'.join(changed) or 'nothing'}"
            return _item(row)

    # ----- figures -----------------------------------------------------------------------
    def progress(self, review_id: int) -> ReviewProgress:
        """Per section: share of applicable items in place and the average level."""
        items = self.items(review_id)
        sections = tuple(_progress(sid, title, members) for sid, title, members in _sections(items))
        return ReviewProgress(review_id, sections, _progress("", "All sections", items))

    def compare(self, review_a: int, review_b: int) -> ReviewComparison:
        """Level changes from review ``a`` (usually the older) to review ``b``, per item and
        per section. Items only one review has appear with blanks on the other side."""
        ra, rb = self.review(review_a), self.review(review_b)
        items_a = {i.item_id: i for i in self.items(review_a)}
        items_b = {i.item_id: i for i in self.items(review_b)}
        order: list[ChecklistItem] = list(items_b.values()) + [
            i for key, i in items_a.items() if key not in items_b]
        changes = []
        for ref in order:
            a, b = items_a.get(ref.item_id), items_b.get(ref.item_id)
            changes.append(ItemChange(
                item_id=ref.item_id, section_id=ref.section_id, section_title=ref.section_title,
                title=ref.title,
                level_a=a.level if a is not None and a.applicable else None,
                level_b=b.level if b is not None and b.applicable else None,
                status_a=a.status if a is not None else None,
                status_b=b.status if b is not None else None,
            ))
        prog_a = {p.section_id: p for p in self.progress(review_a).sections}
        prog_b = {p.section_id: p for p in self.progress(review_b).sections}
        section_ids = list(prog_b) + [sid for sid in prog_a if sid not in prog_b]
        sections = []
        for sid in section_ids:
            pa, pb = prog_a.get(sid), prog_b.get(sid)
            title = (pb or pa).title  # type: ignore[union-attr]
            sections.append(SectionChange(
                section_id=sid, title=title,
                average_a=pa.average_level if pa else None,
                average_b=pb.average_level if pb else None,
                share_a=pa.share_in_place if pa else None,
                share_b=pb.share_in_place if pb else None,
            ))
        return ReviewComparison(ra, rb, tuple(changes), tuple(sections))

    def action_plan(self, review_id: int) -> list[ActionPlanEntry]:
        """Items below their target level or not yet in place, biggest gap first."""
        plan = []
        for item in self.items(review_id):
            if not item.counts:
                continue
            if item.gap == 0 and item.status == IN_PLACE:
                continue
            if item.level is None:
                reason = f"Not rated yet (target level {item.target_level})"
            elif item.gap > 0:
                reason = f"Level {item.level}, target {item.target_level}"
            else:
                reason = f"At target level {item.target_level}"
            if item.status != IN_PLACE:
                reason += f"; {item.status_label.lower()}"
            plan.append(ActionPlanEntry(item, item.gap, reason))
        plan.sort(key=lambda e: (-e.gap, e.item.section_position, e.item.position))
        return plan

    def overdue(self, review_id: int, today: date) -> list[ChecklistItem]:
        """Items whose next review date has passed."""
        return [i for i in self.items(review_id) if i.is_overdue(today)]

    def due(self, review_id: int, on_or_before: date) -> list[ChecklistItem]:
        """Items due for review on or before a date (overdue ones included)."""
        return [i for i in self.items(review_id)
                if i.in_template and i.next_review is not None and i.next_review <= on_or_before]

    def count_due(self, on_or_before: date) -> int:
        """Items of the open review due for review by a date, without creating a review."""
        with self.store.read() as s:
            row = self._latest_row(s)
            if row is None:
                return 0
            return int(s.scalar(
                select(func.count(tp.ChecklistReviewItemRow.id))
                .where(tp.ChecklistReviewItemRow.review_id == row.id,
                       tp.ChecklistReviewItemRow.in_template.is_(True),
                       tp.ChecklistReviewItemRow.next_review <= on_or_before)) or 0)

    # ----- export for governors ----------------------------------------------------------
    def previous_review(self, review_id: int) -> ChecklistReview | None:
        """The review started just before this one (None for the first)."""
        reviews = self.reviews()  # newest first
        ids = [r.id for r in reviews]
        if review_id not in ids:
            raise NotFoundError("That checklist review does not exist.")
        index = ids.index(review_id)
        return reviews[index + 1] if index + 1 < len(reviews) else None

    def report_data(self, review_id: int, compare_with: int | None = None,
                    today: date | None = None) -> ChecklistReviewData:
        """Plain data for the governors' PDF. ``compare_with`` defaults to the previous
        review (when there is one)."""
        from casebook.domain import School
        from casebook.reports.checklist_review import (
            ChecklistReportAction,
            ChecklistReportItem,
            ChecklistReportSection,
            ChecklistReviewData,
        )

        today = today or self.store.now().date()
        review = self.review(review_id)
        other = self.review(compare_with) if compare_with is not None else \
            self.previous_review(review_id)
        with self.store.read() as s:
            school = School(name=self._meta(s, "school_name"),
                            jurisdiction=Jurisdiction(self._meta(s, "jurisdiction")),
                            created_at=datetime.fromisoformat(self._meta(s, "created_at")))
        items = self.items(review_id)
        previous_items = {i.item_id: i for i in self.items(other.id)} if other else {}
        previous_progress = {p.section_id: p for p in self.progress(other.id).sections} \
            if other else {}
        progress = self.progress(review_id)
        report_items = []
        for i in items:
            if not i.in_template:
                continue
            before = previous_items.get(i.item_id)
            report_items.append(ChecklistReportItem(
                section_id=i.section_id, section_title=i.section_title, item_id=i.item_id,
                title=i.title, status=i.status_label, level=i.level, target_level=i.target_level,
                owner=i.owner, evidence=i.evidence, next_review=i.next_review,
                na_reason=i.na_reason, applicable=i.applicable, overdue=i.is_overdue(today),
                previous_level=before.level if before is not None and before.applicable else None,
            ))
        sections = tuple(ChecklistReportSection(
            section_id=p.section_id, title=p.title, applicable=p.applicable, in_place=p.in_place,
            average_level=p.average_level,
            previous_average=previous_progress[p.section_id].average_level
            if p.section_id in previous_progress else None,
        ) for p in progress.sections)
        actions = tuple(ChecklistReportAction(
            title=e.item.title, section_title=e.item.section_title, level=e.item.level,
            target_level=e.item.target_level, owner=e.item.owner, reason=e.reason,
        ) for e in self.action_plan(review_id))
        return ChecklistReviewData(
            school=school, year_label=review.year_label, checklist_title=review.template_title,
            checklist_version=review.template_version, started_at=review.started_at,
            closed_at=review.closed_at, today=today, sections=sections,
            items=tuple(report_items), actions=actions,
            previous_label=other.year_label if other else None,
        )

    def export_recipients(self) -> tuple[str, ...]:
        """Who the governors' PDF is usually for, in the school's wording (first = default)."""
        from casebook.reports.checklist_review import definition

        return tuple(definition().recipient_suggestions(self.jurisdiction()))

    def export_pdf(self, review_id: int, path: str | Path, *, recipient: str | None = None,
                   password: str | None = None, compare_with: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> int:
        """Write the governors' PDF of a review (recorded in the audit log); returns pages.

        ``recipient`` defaults to the template's first suggestion (the governing body, or the
        school board in the US)."""
        from casebook.reports.checklist_review import (
            TEMPLATE_ID,
            definition,
            export_checklist_review,
        )
        from casebook.reports.data import ExportOptions
        from casebook.reports.render import audit_anchor_line

        self.store.require_writer()  # every export is audited
        data = self.report_data(review_id, compare_with)
        from casebook.services.exports import refuse_known_names

        refuse_known_names(self.store, "\n".join(i.evidence for i in data.items),
                           "checklist evidence", data.school.name)
        if recipient is None:
            suggestions = definition().recipient_suggestions(data.school.jurisdiction)
            recipient = suggestions[0] if suggestions else ""
        options = ExportOptions(template_id=TEMPLATE_ID, generated_by=self.store.actor,
                                generated_at=self.store.now(), recipient=recipient.strip(),
                                password=password or None)
        with audit_anchor_line(self.store.printed_anchor()):
            pages = export_checklist_review(data, options, path, progress)
        with self.store.write("checklist.export", f"checklist-review:{review_id}",
                              f"template={TEMPLATE_ID}; pages={pages}; "
                              f"password={'yes' if password else 'no'}"):
            pass
        log.info("checklist review %s exported (%d pages)", review_id, pages)
        return pages
