"""The checklist review for governors: one yearly review of the preventative-policy checklist.

Built on the report engine's public pieces: layout blocks, ``cover_blocks``/``closing_blocks``,
``Wording`` and ``render_blocks``; written with ``write_pdf_atomically``. The data is plain
(:class:`ChecklistReviewData`), gathered by ``casebook.services.checklist``; nothing here reads
the database, and the review holds no names of children (owners are staff roles or names the
school chose to record).

The words of the template come from ``resources/templates/checklist-review.toml`` when that file
exists (then the template is also registered in ``TEMPLATES`` as ``checklist-review``, kind
``checklist``); otherwise from :data:`DEFAULT_DEFINITION` below.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from casebook.domain import School
from casebook.profiles import load_profile
from casebook.reports import blocks as b
from casebook.reports.data import ExportOptions, ProgressCallback
from casebook.reports.export import write_pdf_atomically
from casebook.reports.images import THUMBNAIL_PX, ImageCache
from casebook.reports.render import PageDecor, render_blocks
from casebook.reports.sections import closing_blocks, cover_blocks
from casebook.reports.templates import (
    BuildContext,
    TemplateDef,
    load_definition,
    register_template,
    templates_dir,
    wording_for,
)

__all__ = [
    "TEMPLATE_ID", "DEFAULT_DEFINITION", "ChecklistReportItem", "ChecklistReportSection",
    "ChecklistReportAction", "ChecklistReviewData", "build", "definition",
    "render_checklist_review", "export_checklist_review",
]

TEMPLATE_ID = "checklist-review"

#: Used when ``resources/templates/checklist-review.toml`` is not there.
DEFAULT_DEFINITION = TemplateDef(
    id=TEMPLATE_ID,
    kind="checklist",
    order=8,
    sections=("cover", "summary", "action-plan", "overdue", "sections", "not-applicable",
              "closing"),
    titles={"default": "Online safety: preventative checklist review",
            "us": "Online safety: preventative checklist review"},
    intros={
        "default": "This is the school's yearly self-review of the steps it takes to prevent "
                   "online-safety incidents, prepared for the governing body. Each item is rated "
                   "on five levels, from 1 (nothing in place yet) to 5 (embedded and reviewed "
                   "every year), against the level the school is aiming for. It names no "
                   "children.",
        "us": "This is the school's yearly self-review of the steps it takes to prevent "
              "online-safety incidents, prepared for the school board. Each item is rated on "
              "five levels, from 1 (nothing in place yet) to 5 (embedded and reviewed every "
              "year), against the level the school is aiming for. It names no students.",
    },
    recipients={"default": ("Governing body", "Safeguarding link governor"),
                "us": ("School board", "District leadership")},
)


@dataclass(frozen=True)
class ChecklistReportItem:
    section_id: str
    section_title: str
    item_id: str
    title: str
    status: str  # words, e.g. "In place"
    level: int | None
    target_level: int
    owner: str = ""
    evidence: str = ""
    next_review: date | None = None
    na_reason: str = ""
    applicable: bool = True
    overdue: bool = False
    previous_level: int | None = None


@dataclass(frozen=True)
class ChecklistReportSection:
    section_id: str
    title: str
    applicable: int
    in_place: int
    average_level: float | None
    previous_average: float | None = None

    @property
    def percent_in_place(self) -> int | None:
        return round(100 * self.in_place / self.applicable) if self.applicable else None


@dataclass(frozen=True)
class ChecklistReportAction:
    title: str
    section_title: str
    level: int | None
    target_level: int
    owner: str
    reason: str


@dataclass(frozen=True)
class ChecklistReviewData:
    """One review, ready to print. ``previous_label`` names the review levels are compared
    with (items then carry ``previous_level``)."""

    school: School
    year_label: str
    checklist_title: str
    checklist_version: int
    started_at: datetime
    closed_at: datetime | None
    today: date
    sections: tuple[ChecklistReportSection, ...]
    items: tuple[ChecklistReportItem, ...]
    actions: tuple[ChecklistReportAction, ...]
    previous_label: str | None = None


def definition() -> TemplateDef:
    """The template's words: the data file when there is one, else the built-in default."""
    try:
        return load_definition(TEMPLATE_ID)
    except FileNotFoundError:
        return DEFAULT_DEFINITION


def _level(value: int | float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _change(now: float | int | None, before: float | int | None) -> str:
    if now is None or before is None:
        return "–"
    diff = round(float(now) - float(before), 1)
    if diff == 0:
        return "no change"
    text = f"{diff:+.1f}" if isinstance(now, float) or isinstance(before, float) else f"{int(diff):+d}"
    return ("up " if diff > 0 else "down ") + text.lstrip("+-")


def _d(ctx: BuildContext, value: date | None) -> str:
    return ctx.wording.date(value) if value else "–"


# --------------------------------------------------------------------------- sections


def _cover(data: ChecklistReviewData, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    state = "Open (this year's review)" if data.closed_at is None else \
        f"Closed on {w.date(data.closed_at)}"
    rows = (
        ("School", data.school.name),
        ("Review", data.year_label),
        ("Checklist", f"{data.checklist_title} (version {data.checklist_version})"),
        ("Started", w.date(data.started_at)),
        ("State", state),
        ("Compared with", data.previous_label or ""),
        ("Prepared for", ctx.options.recipient),
        ("Generated", w("generated_line", at=w.datetime(ctx.options.generated_at),
                        by=ctx.options.generated_by)),
    )
    return cover_blocks(ctx, rows, subtitle=data.school.name)


def _summary(data: ChecklistReviewData, ctx: BuildContext) -> list[b.Block]:
    compare = data.previous_label is not None
    columns = ["Section", "Items in place", "Average level"]
    if compare:
        columns += [f"Average in {data.previous_label}", "Change"]
    rows = []
    for s in data.sections:
        share = "–" if s.percent_in_place is None else \
            f"{s.in_place} of {s.applicable} ({s.percent_in_place}%)"
        row = [s.title, share, _level(s.average_level)]
        if compare:
            row += [_level(s.previous_average), _change(s.average_level, s.previous_average)]
        rows.append(tuple(row))
    rated = [i.level for i in data.items if i.applicable and i.level is not None]
    applicable = [i for i in data.items if i.applicable]
    in_place = sum(1 for i in applicable if i.status.casefold() == "in place")
    overall = (f"{in_place} of {len(applicable)} items that apply are in place. "
               + (f"The average level is {sum(rated) / len(rated):.1f} out of 5."
                  if rated else "No item has been given a level yet."))
    out: list[b.Block] = [b.Heading("Summary by section"), b.Text(overall)]
    out.append(b.Table(tuple(columns), tuple(rows),
                       widths=(4, 2, 1.4, 1.6, 1.2) if compare else (4, 2, 1.4)))
    chart_items = tuple((s.title, float(s.percent_in_place or 0)) for s in data.sections)
    out.append(b.Figure(
        b.BarChart(chart_items, title="Share of items in place, by section (%)",
                   horizontal=True, value_label="%"),
        ("Section", "% in place"),
        tuple((s.title, "–" if s.percent_in_place is None else f"{s.percent_in_place}%")
              for s in data.sections)))
    return out


def _action_plan(data: ChecklistReviewData, ctx: BuildContext) -> list[b.Block]:
    out: list[b.Block] = [b.Heading("Action plan"),
                          b.Text("Items below the level the school is aiming for, or not yet "
                                 "in place, biggest gap first.", "muted")]
    rows = tuple((a.title, a.section_title, _level(a.level), str(a.target_level),
                  a.owner or "–", a.reason) for a in data.actions)
    out.append(b.Table(("Item", "Section", "Level", "Target", "Owner", "Why it is listed"),
                       rows, widths=(3.6, 2.4, 1.1, 1.3, 1.8, 3.2),
                       empty_text="Every item that applies is in place at its target level."))
    return out


def _overdue(data: ChecklistReviewData, ctx: BuildContext) -> list[b.Block]:
    late = [i for i in data.items if i.overdue]
    if not late:
        return []
    rows = tuple((i.title, i.section_title, _d(ctx, i.next_review), i.owner or "–") for i in late)
    return [b.Heading("Reviews that are overdue"),
            b.Table(("Item", "Section", "Review was due", "Owner"), rows, widths=(4, 3, 2, 2))]


def _sections(data: ChecklistReviewData, ctx: BuildContext) -> list[b.Block]:
    compare = data.previous_label is not None
    out: list[b.Block] = []
    for section in data.sections:
        items = [i for i in data.items if i.section_id == section.section_id]
        out.append(b.Heading(section.title))
        columns = ["Item", "Status", "Level", "Target"]
        if compare:
            columns.append(f"In {data.previous_label}")
        columns += ["Owner", "Next review", "Evidence"]
        rows = []
        for i in items:
            row = [i.title, i.status, _level(i.level) if i.applicable else "n/a",
                   str(i.target_level)]
            if compare:
                row.append(_level(i.previous_level))
            row += [i.owner or "–",
                    _d(ctx, i.next_review) + (" (overdue)" if i.overdue else ""),
                    i.evidence or "–"]
            rows.append(tuple(row))
        widths = (3.2, 1.5, 1.1, 1.3, 1.4, 1.9, 1.8, 2.4) if compare else \
            (3.4, 1.6, 1.1, 1.3, 2.0, 1.9, 2.6)
        out.append(b.Table(tuple(columns), tuple(rows), widths=widths))
        rated = tuple((i.title, float(i.level)) for i in items
                      if i.applicable and i.level is not None)
        if rated:
            out.append(b.BarChart(rated, title=f"Levels in “{section.title}” (1 to 5)",
                                  horizontal=True, value_label="Level"))
    return out


def _not_applicable(data: ChecklistReviewData, ctx: BuildContext) -> list[b.Block]:
    items = [i for i in data.items if not i.applicable]
    if not items:
        return []
    return [b.Heading("Items that do not apply to the school"),
            b.Table(("Item", "Section", "Why it does not apply"),
                    tuple((i.title, i.section_title, i.na_reason or "–") for i in items),
                    widths=(3, 2.5, 4))]


def _closing(data: ChecklistReviewData, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    return closing_blocks(ctx, (
        f"Produced by Casebook from the school's checklist review {data.year_label} on "
        f"{w.datetime(ctx.options.generated_at)} by {ctx.options.generated_by}. Levels run "
        "from 1 (nothing in place yet) to 5 (embedded and reviewed every year); the review is "
        "the school's own judgement."))


SECTIONS = {
    "cover": _cover,
    "summary": _summary,
    "action-plan": _action_plan,
    "overdue": _overdue,
    "sections": _sections,
    "not-applicable": _not_applicable,
    "closing": _closing,
}


def build(data: ChecklistReviewData, ctx: BuildContext) -> Sequence[b.Block]:
    out: list[b.Block] = []
    for section in ctx.definition.sections:
        try:
            builder = SECTIONS[section]
        except KeyError:
            raise ValueError(f"template {ctx.definition.id}: unknown section {section!r}") from None
        out.extend(builder(data, ctx))
    return out


if (templates_dir() / f"{TEMPLATE_ID}.toml").exists():  # pragma: no branch - data dependent
    register_template(TEMPLATE_ID, kind="checklist", build=build)


# --------------------------------------------------------------------------- rendering


def render_checklist_review(data: ChecklistReviewData, options: ExportOptions,
                            progress: ProgressCallback | None = None) -> bytes:
    """The review as PDF bytes (nothing written to disk)."""
    wording = wording_for(data.school.jurisdiction)
    ctx = BuildContext(options=options, wording=wording, definition=definition(),
                       images=ImageCache(None, THUMBNAIL_PX))
    decor = PageDecor(
        marking=wording.marking,
        title=ctx.title,
        reference_line=f"Checklist review {data.year_label}",
        generated_line=wording("generated_line", at=wording.datetime(options.generated_at),
                               by=options.generated_by),
        page_of=wording("page_of", page="{page}", pages="{pages}"),
        lang=load_profile(data.school.jurisdiction).locale or "en-GB",
    )
    return render_blocks(build(data, ctx), decor, progress)


def export_checklist_review(data: ChecklistReviewData, options: ExportOptions,
                            path: str | os.PathLike[str],
                            progress: ProgressCallback | None = None) -> int:
    """Render and write the PDF atomically (encrypted when ``options.password``); returns
    the number of pages."""
    pdf = render_checklist_review(data, options, progress)
    return write_pdf_atomically(pdf, Path(path), options.password)
