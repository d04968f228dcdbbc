"""Builders: redacted case data (or summary counts) -> layout blocks, section by section.

Each template's TOML lists its sections by id; :data:`CASE_SECTIONS` and
:data:`SUMMARY_SECTIONS` map those ids to functions here. The generic helpers at the top
(``cover_blocks``, ``closing_blocks``, ``counts_blocks``) are meant for reuse by new templates.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from casebook.domain import (
    STEP_ORDER,
    AccountKind,
    AccountStatus,
    CaseType,
    ChronologyEntry,
    EvidenceItem,
    Person,
    PersonKind,
    PersonRole,
    PlatformReport,
    RiskLevel,
    SocialAccount,
    StepKey,
)
from casebook.profiles import (
    FieldSpec,
    guidance_for,
    load_common_report_fields,
    load_profile,
    platform_by_name,
)
from casebook.reports import blocks as b
from casebook.reports.data import CaseReportData, GovernorsSummaryData, OfficialAccountRef
from casebook.reports.images import is_image_item
from casebook.reports.redaction import RedactionPlan, staff_concerned
from casebook.reports.templates import BuildContext, Wording, register_template

__all__ = [
    "RedactedCase", "CASE_SECTIONS", "SUMMARY_SECTIONS", "cover_blocks", "closing_blocks",
    "counts_blocks", "build_case", "build_summary", "register_builtin_templates",
]


@dataclass(frozen=True)
class RedactedCase:
    """What a case builder receives: data already redacted, and the plan that did it."""

    data: CaseReportData
    plan: RedactionPlan
    #: Evidence items left out by the DSL's choice (counted, never shown).
    excluded_evidence: int = 0


# --------------------------------------------------------------------------- generic helpers


def cover_blocks(ctx: BuildContext, rows: Sequence[tuple[str, str]], subtitle: str = "",
                 after: Sequence[b.Block] = ()) -> list[b.Block]:
    """Title, marking notice, key facts, the template's introduction, then ``after``."""
    w = ctx.wording
    out: list[b.Block] = [b.Title(ctx.title, subtitle), b.Notice(w("marking_note")),
                          b.KeyValues(tuple((k, v) for k, v in rows if v))]
    intro = ctx.definition.intro(ctx.jurisdiction)
    if intro:
        out.append(b.Text(intro, "intro"))
    out.extend(after)
    return out


def closing_blocks(ctx: BuildContext, text: str) -> list[b.Block]:
    return [b.Heading(ctx.wording("h_closing")), b.Text(text, "muted")]


#: Most bars (or slices) in one chart; more would not fit the page.
MAX_CHART_ITEMS = 12


def small_count(n: float, wording: Wording, suppress_below: int) -> str:
    """A count in words: "fewer than 3" for 1 and 2 when small counts are hidden."""
    if suppress_below > 1 and 0 < n < suppress_below:
        return wording("fewer_than", n=suppress_below)
    return f"{n:g}"


def counts_blocks(heading: str, counts: Mapping[str, int] | Sequence[tuple[str, int]],
                  wording: Wording, label: Callable[[str], str] = str, chart: str = "bar",
                  category: str = "", suppress_below: int = 0) -> list[b.Block]:
    """A heading, a chart and a table of counts. ``chart``: "bar", "column", "pie" or "".

    Categories are sorted largest first, except for a "column" chart (a time series), which
    keeps the given order. ``category`` heads the first table column. Counts from 1 to
    ``suppress_below - 1`` read "fewer than N" and are left out of the chart (a time series
    draws them as 0), so a small group cannot be picked out.
    """
    items = list(counts.items()) if isinstance(counts, Mapping) else list(counts)
    out: list[b.Block] = [b.Heading(heading)]
    if not items or not any(n for _, n in items):
        out.append(b.Text(wording("none_recorded"), "muted"))
        return out
    hidden = {key for key, n in items if suppress_below > 1 and 0 < n < suppress_below}
    if chart != "column":
        items.sort(key=lambda pair: (pair[0] in hidden, -pair[1], label(pair[0])))
    rows = tuple((label(key), small_count(n, wording, suppress_below)) for key, n in items)
    if hidden:
        out.append(b.Text(wording("small_counts_note", n=suppress_below), "muted"))
        if chart == "column":
            items = [(key, 0 if key in hidden else n) for key, n in items]
        else:
            items = [(key, n) for key, n in items if key not in hidden]
        if not any(n for _, n in items):
            chart = ""
    labelled = tuple((label(key), float(n)) for key, n in items)
    columns = (category or wording("col_category"), wording("col_count"))
    if len(labelled) > MAX_CHART_ITEMS and chart in ("bar", "pie", "column"):
        # A long list: the chart takes the full width (for categories: the largest, the rest
        # folded into one bar) and the full table follows, free to run over pages.
        if chart == "column":
            out.append(b.BarChart(labelled, horizontal=False))
        else:
            keep = labelled[:MAX_CHART_ITEMS - 1]
            rest = sum(n for _, n in labelled[MAX_CHART_ITEMS - 1:])
            other = wording("chart_others", count=len(labelled) - len(keep))
            out.append(b.BarChart((*keep, (other, rest)), horizontal=True))
        out.append(b.Table(columns, rows, widths=(4, 1)))
        return out
    if chart == "pie":
        out.append(b.Figure(b.PieChart(labelled), columns, rows))
    elif chart in ("bar", "column"):
        out.append(b.Figure(b.BarChart(labelled, horizontal=chart == "bar"), columns, rows))
    else:
        out.append(b.Table(columns, rows, widths=(4, 1)))
    return out


def _humanise(key: str) -> str:
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(key)).replace("_", " ").replace("-", " ")
    words = " ".join(words.split())
    return words[:1].upper() + words[1:]


def _value(value: object, w: Wording) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return w("yes") if value else w("no")
    if isinstance(value, datetime):
        return w.datetime(value)
    if isinstance(value, date):
        return w.date(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{_humanise(k)}: {_value(v, w)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(_value(v, w) for v in value)
    return str(value)


def _size(size: int | None, w: Wording) -> str:
    if size is None:
        return ""
    exact = w("bytes", n=f"{size:,}")
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit} ({exact})"
    return exact


def _handle(account: SocialAccount) -> str:
    return account.handle if account.handle.startswith("@") or not account.handle else \
        f"@{account.handle}"


def _same_platform(a: str, b_: str) -> bool:
    return platform_by_name(a).id == platform_by_name(b_).id if a and b_ else False


# --------------------------------------------------------------------------- case sections


def _case_cover(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    data, w = rc.data, ctx.wording
    case = data.case
    available = {
        "school": (w("cover_school"), data.school.name),
        "reference": (w("cover_reference"), case.reference),
        "case": (w("cover_case"), case.title),
        "type": (w("cover_type"), w.label("case_type", case.case_type)),
        "status": (w("cover_status"), w.label("case_status", case.status)),
        "risk": (w("cover_risk"), w.label("risk", case.risk)),
        "opened": (w("cover_opened"), w.datetime(case.opened_at)),
        "closed": (w("cover_closed"), w.datetime(case.closed_at)),
        "closed_reason": (w("cover_closed_reason"), case.closed_reason or ""),
        "prepared_for": (w("cover_prepared_for"), ctx.options.recipient),
        "prepared_by": (w("cover_prepared_by"),
                        f"{data.dsl_name}, {w('dsl_title')}" if data.dsl_name else ""),
        "generated": (w("cover_generated"),
                      w("generated_value", at=w.datetime(ctx.options.generated_at),
                        by=ctx.options.generated_by)),
    }
    wanted = ctx.definition.extra.get("cover", list(available))
    rows = [available[key] for key in wanted]
    return cover_blocks(ctx, rows, subtitle=data.school.name,
                        after=[b.Text(_redaction_statement(rc, w), "muted")])


def _redaction_statement(rc: RedactedCase, w: Wording) -> str:
    plan = rc.plan
    if not plan.labels:
        return w("redaction_all_named")
    if plan.forced_kinds:
        statement = w("redaction_statement_platform", example=f"{w('pseudonym_learner')} A")
        others = sorted(label for pid, label in plan.labels.items()
                        if pid not in plan.forced_ids)
        if others:
            statement += " " + w("redaction_statement", example=others[0])
        return statement
    return w("redaction_statement", example=plan.example_label)


def _summary(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    return [b.Heading(ctx.wording("h_summary")),
            b.Text(rc.data.case.summary or ctx.wording("none_recorded"))]


def _people_table(people: Iterable[Person], w: Wording) -> b.Table:
    return b.Table(
        (w("col_name"), w("col_kind"), w("col_role"), w("col_year_group"), w("col_dob"),
         w("col_notes")),
        tuple((p.name, w.label("person_kind", p.kind), w.label("person_role", p.role),
               p.year_group or "", w.date(p.date_of_birth, short=True), p.notes)
              for p in sorted(people, key=lambda p: (p.kind.value, p.id))),
        widths=(3, 2, 2.6, 1.4, 1.8, 4.2), empty_text=w("none_recorded"),
    )


def _people(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    return [b.Heading(ctx.wording("h_people")), _people_table(rc.data.people, ctx.wording)]


def _accounts_table(accounts: Sequence[SocialAccount], w: Wording) -> b.Table:
    rows = []
    for a in accounts:
        handle = _handle(a) + (f"\n{a.url}" if a.url else "")
        what = w.label("account_kind", a.kind) + (f"\n{a.notes}" if a.notes else "")
        followers = f"{a.follower_count:,}" if a.follower_count is not None else ""
        rows.append((a.platform, handle, what, w.date(a.first_seen, short=True), followers,
                     w.label("account_status", a.status)))
    return b.Table(
        (w("col_platform"), w("col_handle"), w("col_account_kind"), w("col_first_seen"),
         w("col_followers"), w("col_account_status")),
        tuple(rows), widths=(1.6, 3.7, 3.5, 1.7, 1.7, 2), empty_text=w("none_recorded"),
    )


def _accounts(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    return [b.Heading(ctx.wording("h_accounts")), _accounts_table(rc.data.accounts, ctx.wording)]


def _field_value(spec: FieldSpec | None, value: object, w: Wording) -> str:
    """A stored answer in words: choices by their label, ISO dates as dates."""
    if spec is not None and spec.kind == "choice" and isinstance(value, str):
        return next((c.label for c in spec.choices if c.value == value), value)
    if spec is not None and spec.kind == "date" and isinstance(value, str) and value:
        try:
            return w.date(date.fromisoformat(value))
        except ValueError:
            return value
    return _value(value, w)


def _item_title(key: str, spec: FieldSpec, data: CaseReportData) -> str:
    """Who or what a per-person / per-account answer is about."""
    try:
        item_id = int(key)
    except ValueError:
        return key
    if spec.per == "person":
        return next((p.name for p in data.people if p.id == item_id), key)
    return next((f"{a.platform} {_handle(a)}" for a in data.accounts if a.id == item_id), key)


#: Step data the wizard keeps for itself (ids of records it derived) or shows as a table.
_REFERRALS_KEY = "referral_rows"


def _step_rows(key: StepKey, data: CaseReportData, w: Wording) -> list[tuple[str, str]]:
    """A step's answers as label/value rows, in the order of the step's guidance.

    Only answers with a field definition are printed (never the wizard's own bookkeeping,
    such as ``_logged``), and referrals only when one was made.
    """
    answers = data.case.step(key).data
    specs = {spec.id: spec for spec in guidance_for(w.jurisdiction, key).fields}
    rows: list[tuple[str, str]] = []
    per_item: dict[str, list[str]] = {}
    for field_id, spec in specs.items():
        if field_id not in answers:
            continue
        value = answers[field_id]
        if spec.per and isinstance(value, Mapping):
            for item, answer in value.items():
                text = _field_value(spec, answer, w)
                if text:
                    per_item.setdefault(_item_title(str(item), spec, data), []).append(
                        f"{spec.label}: {text}")
            continue
        if isinstance(value, Mapping | list | tuple):
            continue  # a structured answer without a way to print it: not guessed at
        text = _field_value(spec, value, w)
        if text:
            rows.append((spec.label, text))
    referrals = _referral_lines(answers.get(_REFERRALS_KEY), w)
    if referrals:
        rows.append((w("field_referrals_made"), "\n".join(referrals)))
    return [*((title, "\n".join(lines)) for title, lines in per_item.items()), *rows]


def _referral_lines(rows: object, w: Wording) -> list[str]:
    """"Police: 4 Mar 2026, reference 123" for each referral the DSL recorded as made."""
    if not isinstance(rows, Mapping):
        return []
    names = {a.id: a.name for a in load_profile(w.jurisdiction).agencies}
    lines = []
    for agency_id, answer in rows.items():
        if not isinstance(answer, Mapping) or not answer.get("made"):
            continue
        details = []
        day = answer.get("date")
        if isinstance(day, str) and day:
            with contextlib.suppress(ValueError):
                details.append(w.date(date.fromisoformat(day)))
        reference = answer.get("reference")
        if isinstance(reference, str) and reference.strip():
            details.append(w("referral_reference", reference=reference.strip()))
        name = names.get(str(agency_id), _humanise(str(agency_id)))
        lines.append(f"{name}: {', '.join(details)}" if details else name)
    return lines


def _steps(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    out: list[b.Block] = [b.Heading(w("h_steps"))]
    for key in STEP_ORDER:
        step = rc.data.case.step(key)
        out.append(b.Heading(w.label("step", key), level=2))
        rows = [(w("field_status"), w.label("step_status", step.status))]
        if step.completed_at or step.completed_by:
            done = w.datetime(step.completed_at)
            if step.completed_by:
                done = f"{done} ({step.completed_by})" if done else step.completed_by
            rows.append((w("field_completed"), done))
        rows.extend(_step_rows(key, rc.data, w))
        out.append(b.KeyValues(tuple(rows), label_width_mm=62))
    return out


def _decision_records(rc: RedactedCase, w: Wording) -> list[b.Block]:
    return [
        b.Record(title=w.datetime(d.made_at),
                 fields=((w("field_decided_by"), d.who), (w("field_recorded_by"), d.recorded_by)),
                 paragraphs=((w("field_decision"), d.what), (w("field_reason"), d.why)))
        for d in sorted(rc.data.decisions, key=lambda d: (d.made_at, d.id))
    ]


def _decisions(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    records = _decision_records(rc, w)
    return [b.Heading(w("h_decisions")), *(records or [b.Text(w("none_recorded"), "muted")])]


def _actions_table(rc: RedactedCase, ctx: BuildContext) -> b.Table:
    w = ctx.wording
    today = ctx.options.generated_at.date()
    rows = []
    for a in sorted(rc.data.actions, key=lambda a: (a.due_date or date.max, a.id)):
        if a.done_at is not None:
            state = f"{w('col_done')} {w.date(a.done_at, short=True)}"
        elif a.is_overdue(today):
            state = w("col_overdue")
        else:
            state = w("col_open")
        rows.append((a.description, a.owner, w.date(a.due_date, short=True), state))
    return b.Table((w("col_action"), w("col_owner"), w("col_due"), w("field_status")),
                   tuple(rows), widths=(6, 2.4, 1.8, 2), empty_text=w("none_recorded"))


def _actions(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    return [b.Heading(ctx.wording("h_actions")), _actions_table(rc, ctx)]


def _account_by_id(data: CaseReportData) -> dict[int, SocialAccount]:
    return {a.id: a for a in data.accounts}


def _report_record(report: PlatformReport, data: CaseReportData, w: Wording,
                   today: date | None = None) -> b.Record:
    account = _account_by_id(data).get(report.account_id) if report.account_id else None
    fields = [
        (w("field_account"), f"{account.platform} {_handle(account)}" if account else ""),
        (w("field_channel"), report.channel),
        (w("field_reference"), report.reference),
        (w("field_status"), w.label("report_status", report.status)),
        (w("field_outcome_at"), w.datetime(report.outcome_at)),
    ]
    if today is not None and report.outcome_at is None:
        fields.append((w("field_days_waiting"), str(max((today - report.made_at.date()).days, 0))))
    body = w.label("report_body", report.body)
    return b.Record(
        title=f"{w.datetime(report.made_at)} · {report.recipient}",
        subtitle=body if body != report.recipient else "",
        fields=tuple((k, v) for k, v in fields if v),
        paragraphs=tuple((k, v) for k, v in ((w("field_request"), report.request),
                                             (w("field_response"), report.response)) if v),
        mono=frozenset({w("field_reference")}),
    )


def _reports(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    reports = sorted(rc.data.platform_reports, key=lambda r: (r.made_at, r.id))
    return [b.Heading(w("h_reports")),
            *([_report_record(r, rc.data, w) for r in reports]
              or [b.Text(w("none_recorded"), "muted")])]


def _chronology_threads(entries: Sequence[ChronologyEntry]
                        ) -> list[tuple[ChronologyEntry, list[ChronologyEntry], bool]]:
    """Originals in date order, each with its amendments (and amendments of those)."""
    by_id = {e.id: e for e in entries}
    children: dict[int, list[ChronologyEntry]] = {}
    roots: list[tuple[ChronologyEntry, bool]] = []
    for entry in entries:
        if entry.amends_id is not None and entry.amends_id in by_id:
            children.setdefault(entry.amends_id, []).append(entry)
        else:
            roots.append((entry, entry.amends_id is not None))
    roots.sort(key=lambda pair: (pair[0].occurred_at, pair[0].recorded_at, pair[0].id))
    threads = []
    for root, orphan in roots:
        chain: list[ChronologyEntry] = []
        queue = sorted(children.get(root.id, []), key=lambda e: (e.recorded_at, e.id))
        seen = {root.id}
        while queue:
            entry = queue.pop(0)
            if entry.id in seen:
                continue
            seen.add(entry.id)
            chain.append(entry)
            queue.extend(sorted(children.get(entry.id, []), key=lambda e: (e.recorded_at, e.id)))
        threads.append((root, chain, orphan))
    return threads


def _chronology(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    out: list[b.Block] = [b.Heading(w("h_chronology"))]
    threads = _chronology_threads(rc.data.chronology)
    if not threads:
        out.append(b.Text(w("none_recorded"), "muted"))
    for number, (root, chain, orphan) in enumerate(threads, start=1):
        recorded = w("chron_recorded", at=w.datetime(root.recorded_at, short=True),
                     by=root.author)
        title = w("chron_orphan") if orphan else w("chron_entry", n=number)
        paragraphs = [("", root.text)]
        if chain:
            paragraphs.insert(0, ("", w("chron_amended_note")))
        if orphan and root.amendment_reason:
            paragraphs.append((w("chron_amendment_reason"), root.amendment_reason))
        out.append(b.Record(title=f"{title} · {w.datetime(root.occurred_at)}", subtitle=recorded,
                            paragraphs=tuple(paragraphs),
                            tone="superseded" if chain else "normal"))
        for k, amendment in enumerate(chain, start=1):
            out.append(b.Record(
                title=w("chron_amendment", n=f"{number}.{k}", of=number),
                subtitle=w("chron_recorded", at=w.datetime(amendment.recorded_at, short=True),
                           by=amendment.author),
                paragraphs=tuple(p for p in (("", amendment.text),
                                             (w("chron_amendment_reason"),
                                              amendment.amendment_reason or "")) if p[1]),
                tone="amendment",
            ))
    return out


def _evidence_record(number: int, item: EvidenceItem, ctx: BuildContext) -> b.Record:
    w = ctx.wording
    fields = (
        (w("field_evidence_type"), w.label("evidence_kind", item.kind)),
        (w("field_media_type"), item.media_type or ""),
        (w("field_filename"), item.filename or ""),
        (w("field_size"), _size(item.size, w)),
        (w("field_sha256"), item.sha256 or ""),
        (w("field_captured"), w.datetime(item.captured_at)),
        (w("field_added"), w.datetime(item.added_at)),
        (w("field_added_by"), item.added_by),
        (w("field_source"), item.source),
        (w("field_url"), item.url or ""),
    )
    picture = ctx.images.get(item) if is_image_item(item) else None
    note = w("field_thumbnail_missing") if is_image_item(item) and picture is None else ""
    first_line = item.description.split("\n", 1)[0]
    whole = first_line == item.description and len(first_line) <= 90
    return b.Record(
        title=f"{number}.", subtitle=first_line if whole else first_line[:80] + "…",
        fields=tuple((k, v) for k, v in fields if v),
        paragraphs=() if whole else ((w("field_description"), item.description),),
        picture=picture, picture_note=note, mono=frozenset({w("field_sha256")}),
    )


def _sorted_evidence(data: CaseReportData) -> list[EvidenceItem]:
    return sorted(data.evidence, key=lambda e: (e.added_at, e.id))


def _evidence(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    out: list[b.Block] = [b.Heading(w("h_evidence"))]
    if rc.excluded_evidence:
        out.append(b.Text(w("field_excluded_evidence", count=rc.excluded_evidence), "muted"))
    items = _sorted_evidence(rc.data)
    if not items:
        out.append(b.Text(w("none_recorded"), "muted"))
    out.extend(_evidence_record(n, item, ctx) for n, item in enumerate(items, start=1))
    return out


def _hash_statement(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    return [b.Heading(w("h_hash_statement")), b.Text(w("hash_statement")),
            b.Bullets(tuple(w.raw("hash_commands"))), b.Text(w("hash_compare"))]


def _case_closing(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    return closing_blocks(ctx, w("closing_text", at=w.datetime(ctx.options.generated_at),
                                 by=ctx.options.generated_by, reference=rc.data.case.reference,
                                 template=ctx.title))


# -- allegation referral -------------------------------------------------------------------


#: Investigation answers an allegations referral form asks for (shown even when not recorded,
#: so the officer sees what is not yet known).
STAFF_FORM_FIELDS = ("staff_role", "staff_employment", "staff_start_date", "staff_other_work",
                     "staff_status", "staff_told")
ALLEGATION_FORM_FIELDS = ("incident_date", "harm_test", "allegation_parents_told",
                          "previous_concerns")


def _form_rows(data: CaseReportData, w: Wording, ids: Sequence[str]) -> list[tuple[str, str]]:
    """Answers of the investigation step by their field definitions; "Not recorded" if none."""
    answers = data.case.step(StepKey.INVESTIGATION).data
    specs = {spec.id: spec for spec in guidance_for(w.jurisdiction, StepKey.INVESTIGATION).fields}
    rows = []
    for field_id in ids:
        spec = specs.get(field_id)
        if spec is None:
            continue
        text = _field_value(spec, answers.get(field_id), w) if field_id in answers else ""
        rows.append((spec.label, text or w("not_recorded")))
    return rows


def _referrer(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    """Who refers and from which school: what every referral form starts with."""
    w = ctx.wording
    data = rc.data
    details = data.school_details
    missing = w("not_recorded")
    rows = (
        (w("field_referrer"), data.dsl_name or missing),
        (w("field_referrer_role"), w("dsl_title")),
        (w("field_phone"), details.get("phone") or missing),
        (w("field_email"), details.get("email") or missing),
        (w("cover_school"), data.school.name),
        (w("field_school_address"), details.get("address") or missing),
        (w("field_school_urn"), details.get("urn") or missing),
        (w("field_headteacher"), details.get("headteacher") or missing),
    )
    return [b.Heading(w("h_referrer")), b.KeyValues(rows, label_width_mm=62)]


def _reporter(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    """The platform pack's reporter: how to reach them and where the school can be checked."""
    w = ctx.wording
    data = rc.data
    details = data.school_details
    website = details.get("website", "")
    rows = [
        (w("field_referrer"), f"{data.dsl_name}, {w('dsl_title')}" if data.dsl_name else ""),
        (w("cover_school"), data.school.name),
        (w("field_phone"), details.get("phone", "")),
        (w("field_email"), details.get("email", "")),
        (w("field_school_website"), f"{website}\n{w('field_school_website_note')}"
         if website else ""),
    ]
    return [b.Heading(w("h_reporter")),
            b.KeyValues(tuple((k, v) for k, v in rows if v), label_width_mm=40)]


def _staff_concerned(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    out: list[b.Block] = [b.Heading(w("h_staff_concerned"))]
    staff = staff_concerned(rc.data.people)
    if not staff:
        out.append(b.Text(w("none_recorded"), "muted"))
    for person in staff:
        out.append(b.KeyValues(tuple((k, v) for k, v in (
            (w("col_name"), person.name),
            (w("col_role"), w.label("person_role", person.role)),
            (w("col_dob"), w.date(person.date_of_birth)),
            (w("col_notes"), person.notes),
        ) if v)))
    if ctx.definition.extra.get("form_fields"):
        out.append(b.KeyValues(tuple(_form_rows(rc.data, w, STAFF_FORM_FIELDS)),
                               label_width_mm=62))
    return out


def _allegation(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    case = rc.data.case
    out: list[b.Block] = [b.Heading(w("h_allegation")), b.Text(case.summary or w("none_recorded"))]
    form = ctx.definition.extra.get("form_fields", False)
    rows = tuple(_form_rows(rc.data, w, ALLEGATION_FORM_FIELDS)) if form else ()
    shown = set(STAFF_FORM_FIELDS + ALLEGATION_FORM_FIELDS) if form else set()
    labels = {spec.label for spec in guidance_for(w.jurisdiction, StepKey.INVESTIGATION).fields
              if spec.id in shown}
    rows += tuple(row for row in _step_rows(StepKey.INVESTIGATION, rc.data, w)
                  if row[0] not in labels)
    if rows:
        out.append(b.KeyValues(rows, label_width_mm=62))
    if rc.data.accounts:
        out.append(_accounts_table(rc.data.accounts, w))
    return out


def _effective_text(root: ChronologyEntry, chain: list[ChronologyEntry]) -> str:
    return chain[-1].text if chain else root.text


def _came_to_light(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    data = rc.data
    reporters = [p for p in data.people if p.role == PersonRole.REPORTER]
    seen = [a.first_seen for a in data.accounts if a.first_seen]
    rows = (
        (w("cover_opened"), f"{w.datetime(data.case.opened_at)} ({data.case.created_by})"),
        (w("col_first_seen"), w.date(min(seen)) if seen else ""),
        (w("field_raised_by"), "; ".join(f"{p.name} ({w.label('person_kind', p.kind)})"
                                         for p in reporters)),
    )
    out: list[b.Block] = [b.Heading(w("h_came_to_light")),
                          b.KeyValues(tuple((k, v) for k, v in rows if v))]
    for number, (root, chain, _orphan) in enumerate(_chronology_threads(data.chronology)[:3],
                                                    start=1):
        amended = f" ({w('chron_as_amended')})" if chain else ""
        out.append(b.Record(title=f"{w('chron_entry', n=number)} · {w.datetime(root.occurred_at)}"
                                  f"{amended}",
                            subtitle=w("chron_recorded", at=w.datetime(root.recorded_at, True),
                                       by=root.author),
                            paragraphs=(("", _effective_text(root, chain)),)))
    return out


def _done_so_far(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    case = rc.data.case
    steps = b.Table(
        (w("h_steps"), w("field_status"), w("field_completed")),
        tuple((w.label("step", key), w.label("step_status", case.step(key).status),
               w.datetime(case.step(key).completed_at, short=True)) for key in STEP_ORDER),
        widths=(5, 2.5, 2.5),
    )
    out: list[b.Block] = [b.Heading(w("h_done_so_far")), steps,
                          b.Heading(w("h_decisions"), level=2)]
    out.extend(_decision_records(rc, w) or [b.Text(w("none_recorded"), "muted")])
    out.extend([b.Heading(w("h_actions"), level=2), _actions_table(rc, ctx)])
    return out


def _reports_table(reports: Sequence[PlatformReport], w: Wording) -> b.Table:
    return b.Table(
        (w("col_date"), w("col_to"), w("field_channel"), w("field_reference"), w("field_status")),
        tuple((w.datetime(r.made_at, short=True),
               f"{r.recipient} ({w.label('report_body', r.body)})", r.channel, r.reference,
               w.label("report_status", r.status))
              for r in sorted(reports, key=lambda r: (r.made_at, r.id))),
        widths=(2.2, 3.5, 2.2, 2.4, 1.9), empty_text=w("none_recorded"), mono_columns=frozenset({3}),
    )


def _told(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    return [b.Heading(w("h_told")), _reports_table(rc.data.platform_reports, w)]


# -- platform pack ---------------------------------------------------------------------------


def _official_table(accounts: Sequence[OfficialAccountRef], w: Wording) -> b.Table:
    return b.Table(
        (w("col_platform"), w("col_handle"), w("col_url"), w("col_verified")),
        tuple((o.platform, o.handle, o.url or "", o.verified) for o in accounts),
        widths=(2, 2.5, 4, 3.5), empty_text=w("no_official_accounts"),
    )


def _official_accounts(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    return [b.Heading(w("h_official_accounts")), _official_table(rc.data.official_accounts, w)]


def _common_asks(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    return [b.Heading(ctx.wording("field_common_asks")), b.Bullets(load_common_report_fields())]


def _who_impersonated(account: SocialAccount, data: CaseReportData, w: Wording) -> str:
    harmed = [p for p in data.people if p.role == PersonRole.HARMED]
    if account.kind == AccountKind.IMPERSONATING_SCHOOL:
        return w("impersonated_school", school=data.school.name)
    if account.kind == AccountKind.IMPERSONATING_STAFF:
        staff = [p.name for p in harmed if p.kind == PersonKind.STAFF]
        return ", ".join(staff) if staff else w("impersonated_staff_unknown")
    if account.kind == AccountKind.IMPERSONATING_LEARNER:
        learners = [p.name for p in harmed if p.kind == PersonKind.LEARNER]
        return w("impersonated_learner", people=", ".join(learners)) if learners \
            else w("impersonated_learner_unknown")
    if harmed:
        return w("targets_people", people=", ".join(p.name for p in harmed))
    return w("targets_unknown")


def screenshots_for(account: SocialAccount, items: Sequence[EvidenceItem]) -> list[EvidenceItem]:
    handle = account.handle.lstrip("@").casefold()
    url = (account.url or "").rstrip("/").casefold()
    matched = []
    for item in items:
        if not is_image_item(item):
            continue
        text = " ".join((item.description, item.filename or "", item.url or "")).casefold()
        if (url and (item.url or "").rstrip("/").casefold() == url) or \
                (len(handle) >= 3 and re.search(rf"(?<![\w.]){re.escape(handle)}(?![\w])", text)):
            matched.append(item)
    return matched


def _screenshot_blocks(items: Sequence[EvidenceItem], ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    out: list[b.Block] = []
    for item in items:
        picture = ctx.images.get(item)
        first_line = item.description.split("\n", 1)[0]
        caption = (w("screenshot_caption_captured", description=first_line,
                     at=w.datetime(item.captured_at)) if item.captured_at is not None
                   else w("screenshot_caption", description=first_line,
                          at=w.datetime(item.added_at)))
        if picture is None:
            out.append(b.Text(f"{caption} — {w('field_thumbnail_missing')}", "muted"))
        else:
            out.append(b.Picture(picture, max_width_mm=150, max_height_mm=105, caption=caption))
    return out


def _account_sections(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    data = rc.data
    out: list[b.Block] = []
    evidence = _sorted_evidence(data)
    for number, account in enumerate(data.accounts, start=1):
        platform = platform_by_name(account.platform)
        official = [o for o in data.official_accounts if _same_platform(o.platform,
                                                                        account.platform)]
        official_text = "\n".join(
            " ".join(x for x in (o.handle, o.url or "", f"({o.verified})" if o.verified else "")
                     if x) for o in official) or w("no_official_account")
        rows = (
            (w("col_platform"), account.platform),
            (w("col_handle"), _handle(account)),
            (w("field_platform_account_id"), account.platform_account_id or ""),
            (w("col_url"), account.url or ""),
            (w("col_account_kind"), w.label("account_kind", account.kind)),
            (w("col_first_seen"), w.date(account.first_seen)),
            (w("col_followers"), f"{account.follower_count:,}"
             if account.follower_count is not None else ""),
            (w("col_account_status"), w.label("account_status", account.status)),
            (w("field_impersonated"), _who_impersonated(account, data, w)),
            (w("field_standing"), w(f"standing_{account.kind.value}")),
            (w("field_official"), official_text),
            (w("col_notes"), account.notes),
        )
        out.extend([
            b.PageBreak(),
            b.Heading(w("h_account", n=number, platform=account.platform or platform.name)),
            b.KeyValues(tuple((k, v) for k, v in rows if v)),
            b.Heading(w("field_form_route"), level=2, outline=False),
            b.Text(platform.report_route),
            b.Text(platform.who_may_report, label=f"{w('field_who_may_report')}:"),
        ])
        if platform.notes:
            out.append(b.Text(platform.notes, label=f"{w('field_platform_notes')}:"))
        out.extend([b.Heading(w("field_form_asks"), level=2, outline=False),
                    b.Bullets(platform.form_fields)])
        reports = [r for r in data.platform_reports if r.account_id == account.id]
        out.append(b.Heading(w("field_previous_reports"), level=2, outline=False))
        out.append(_reports_table(reports, w))
        out.append(b.Heading(w("field_screenshots"), level=2, outline=False))
        shots = screenshots_for(account, evidence)
        out.extend(_screenshot_blocks(shots, ctx) or [b.Text(w("field_no_screenshots"), "muted")])
    return out


def _other_screenshots(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    evidence = _sorted_evidence(rc.data)
    used = {item.id for account in rc.data.accounts
            for item in screenshots_for(account, evidence)}
    images = [item for item in evidence if is_image_item(item) and item.id not in used]
    others = [item for item in evidence if not is_image_item(item)]
    out: list[b.Block] = []
    if images:
        out.extend([b.PageBreak(), b.Heading(w("h_other_screenshots")),
                    *_screenshot_blocks(images, ctx)])
    if others:
        out.extend([b.Heading(w("h_other_evidence")), b.Table(
            (w("field_description"), w("field_url"), w("field_added")),
            tuple((i.description, i.url or i.filename or "", w.datetime(i.added_at, short=True))
                  for i in others),
            widths=(5, 4, 2))])
    return out


# -- helpline pack ---------------------------------------------------------------------------


def _urgency(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    data = rc.data
    today = ctx.options.generated_at
    reasons = [w("urgency_risk", risk=w.label("risk", data.case.risk).lower())]
    if data.case.case_type == CaseType.STAFF_ALLEGATION:
        reasons.append(w("urgency_staff_allegation"))
    platform_reports = sorted((r for r in data.platform_reports if r.body == "platform"),
                              key=lambda r: r.made_at)
    if platform_reports:
        first = platform_reports[0].made_at
        days = (today.date() - first.date()).days
        reasons.append(w("urgency_first_report", date=w.date(first), days=max(days, 0)))
        if (today - first).total_seconds() >= 48 * 3600:
            reasons.append(w("urgency_wait_passed"))
    refused = sum(1 for r in platform_reports if r.status in ("refused", "no-response"))
    if refused:
        reasons.append(w("urgency_refused", count=refused))
    active = sum(1 for a in data.accounts if a.status in (AccountStatus.ACTIVE,
                                                          AccountStatus.REPORTED,
                                                          AccountStatus.REFUSED))
    if active:
        reasons.append(w("urgency_active", count=active))
    out: list[b.Block] = [b.Heading(w("h_urgency"))]
    if data.case.risk in (RiskLevel.HIGH, RiskLevel.CRITICAL):
        out.append(b.Notice(reasons[0]))
        reasons = reasons[1:]
    out.append(b.Bullets(tuple(reasons)))
    if ctx.options.note:
        out.append(b.Text(ctx.options.note, label=w("urgency_note")))
    return out


def _platform_reports(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    today = ctx.options.generated_at.date()
    reports = sorted((r for r in rc.data.platform_reports if r.body == "platform"),
                     key=lambda r: (r.made_at, r.id))
    return [b.Heading(w("h_platform_reports")),
            *([_report_record(r, rc.data, w, today) for r in reports]
              or [b.Notice(w("no_platform_reports"))])]


def _other_reports(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    reports = [r for r in rc.data.platform_reports if r.body != "platform"]
    return [b.Heading(w("h_other_reports")), _reports_table(reports, w)]


CaseSection = Callable[[RedactedCase, BuildContext], list[b.Block]]

#: Section id (as used in a template's TOML) -> builder.
CASE_SECTIONS: dict[str, CaseSection] = {
    "cover": _case_cover,
    "summary": _summary,
    "people": _people,
    "accounts": _accounts,
    "steps": _steps,
    "decisions": _decisions,
    "actions": _actions,
    "reports": _reports,
    "chronology": _chronology,
    "evidence": _evidence,
    "hash-statement": _hash_statement,
    "closing": _case_closing,
    "staff-concerned": _staff_concerned,
    "allegation": _allegation,
    "came-to-light": _came_to_light,
    "done-so-far": _done_so_far,
    "told": _told,
    "official-accounts": _official_accounts,
    "common-asks": _common_asks,
    "account-sections": _account_sections,
    "other-screenshots": _other_screenshots,
    "urgency": _urgency,
    "referrer": _referrer,
    "reporter": _reporter,
    "platform-reports": _platform_reports,
    "other-reports": _other_reports,
}


def build_case(rc: RedactedCase, ctx: BuildContext) -> list[b.Block]:
    out: list[b.Block] = []
    for section in ctx.definition.sections:
        try:
            builder = CASE_SECTIONS[section]
        except KeyError:
            raise ValueError(f"template {ctx.definition.id}: unknown section {section!r}") from None
        out.extend(builder(rc, ctx))
    return out


# --------------------------------------------------------------------------- governors' summary


def _summary_cover(data: GovernorsSummaryData, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    rows = (
        (w("cover_school"), data.school.name),
        (w("cover_period"), data.period_label),
        (w("cover_prepared_for"), ctx.options.recipient),
        (w("cover_generated"), w("generated_value", at=w.datetime(ctx.options.generated_at),
                                 by=ctx.options.generated_by)),
    )
    return cover_blocks(ctx, rows, subtitle=data.school.name,
                        after=[b.Text(w("summary_counts_note"), "muted")])


def _totals(data: GovernorsSummaryData, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    hide = data.small_count_threshold
    rows = [(w("summary_total"), small_count(data.total_cases, w, hide))]
    rows.extend((w.label("case_status", k), small_count(n, w, hide))
                for k, n in data.counts_by_status.items())
    out: list[b.Block] = [b.Heading(w("h_totals")), b.KeyValues(tuple(rows))]
    if data.total_cases == 0:
        out.append(b.Text(w("summary_none"), "muted"))
    return out


def _by_month(data: GovernorsSummaryData, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    return counts_blocks(w("h_by_month"), data.cases_per_month, w, label=w.month_label,
                         chart="column", category=w("col_month"),
                         suppress_below=data.small_count_threshold)


def _by(group: str, attr: str, heading: str, chart: str = "bar"
        ) -> Callable[[GovernorsSummaryData, BuildContext], list[b.Block]]:
    def build(data: GovernorsSummaryData, ctx: BuildContext) -> list[b.Block]:
        w = ctx.wording
        label = (lambda key: w.label(group, key)) if group else str
        return counts_blocks(w(heading), getattr(data, attr), w, label=label, chart=chart,
                             suppress_below=data.small_count_threshold)
    return build


def _commentary(data: GovernorsSummaryData, ctx: BuildContext) -> list[b.Block]:
    if not data.commentary.strip():
        return []
    return [b.Heading(ctx.wording("summary_commentary")), b.Text(data.commentary)]


def _summary_closing(data: GovernorsSummaryData, ctx: BuildContext) -> list[b.Block]:
    w = ctx.wording
    return closing_blocks(ctx, w("closing_summary_text", at=w.datetime(ctx.options.generated_at),
                                 by=ctx.options.generated_by))


SummarySection = Callable[[GovernorsSummaryData, BuildContext], list[b.Block]]

SUMMARY_SECTIONS: dict[str, SummarySection] = {
    "cover": _summary_cover,
    "totals": _totals,
    "by-month": _by_month,
    "by-type": _by("case_type", "counts_by_type", "h_by_type"),
    "by-status": _by("case_status", "counts_by_status", "h_by_status", chart="pie"),
    "by-platform": _by("", "counts_by_platform", "h_by_platform"),
    "by-outcome": _by("outcome", "counts_by_outcome", "h_by_outcome"),
    "commentary": _commentary,
    "closing": _summary_closing,
}


def build_summary(data: GovernorsSummaryData, ctx: BuildContext) -> list[b.Block]:
    out: list[b.Block] = []
    for section in ctx.definition.sections:
        try:
            builder = SUMMARY_SECTIONS[section]
        except KeyError:
            raise ValueError(f"template {ctx.definition.id}: unknown section {section!r}") from None
        out.extend(builder(data, ctx))
    return out


CASE_TEMPLATE_IDS = ("case-file", "lado-referral", "platform-pack", "helpline-pack",
                     "chronology", "evidence-log")


def register_builtin_templates() -> None:
    for template_id in CASE_TEMPLATE_IDS:
        register_template(template_id, "case", build_case)
    register_template("governors-summary", "summary", build_summary)
