"""Public entry points: render a template to PDF bytes, then write it safely to disk.

Rendering never touches the disk. :func:`write_pdf_atomically` is the only writer: it strips
the document metadata to a generic title, encrypts with AES-256 (PDF 2.0 security handler,
revision 6) when a password is given, and replaces the target file only once the new one is
complete and flushed.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pikepdf

from casebook import fileio
from casebook.domain import ChronologyEntry, Jurisdiction
from casebook.errors import CasebookError, NotFoundError, ValidationError
from casebook.profiles import load_profile
from casebook.reports.data import (
    CaseReportData,
    ExportOptions,
    GovernorsSummaryData,
    ProgressCallback,
)
from casebook.reports.images import SCREENSHOT_PX, THUMBNAIL_PX, ImageCache, is_image_item
from casebook.reports.names import GENERIC_WORDS, fold, name_parts
from casebook.reports.preview import page_previews
from casebook.reports.redaction import RedactionPlan, redact_case
from casebook.reports.render import PageDecor, render_blocks
from casebook.reports.sections import RedactedCase, register_builtin_templates, screenshots_for
from casebook.reports.templates import (
    TEMPLATES,
    BuildContext,
    ReportTemplate,
    TemplateDef,
    Wording,
    wording_for,
)

__all__ = [
    "ExportResult",
    "render_case_report",
    "render_governors_summary",
    "render_document",
    "write_pdf_atomically",
    "export_case_report",
    "prepare_case_report",
    "save_prepared_report",
    "PreparedReport",
    "chosen_entries",
    "default_evidence_ids",
    "export_governors_summary",
    "get_template",
    "template_choices",
]

log = logging.getLogger(__name__)

register_builtin_templates()

#: Sections whose images are shown large (screenshots) rather than as thumbnails.
_SCREENSHOT_SECTIONS = frozenset({"account-sections", "other-screenshots"})
_IMAGE_SECTIONS = _SCREENSHOT_SECTIONS | {"evidence"}


def get_template(template_id: str, kind: str | None = None) -> ReportTemplate:
    try:
        template = TEMPLATES[template_id]
    except KeyError:
        raise NotFoundError(f"There is no report template called “{template_id}”.") from None
    if kind is not None and template.kind != kind:
        raise ValidationError(f"The “{template_id}” template cannot be made from this data.")
    return template


def template_choices(jurisdiction: Jurisdiction, kind: str | None = "case"
                     ) -> list[tuple[str, str]]:
    """``(id, title)`` of the templates of ``kind`` (all kinds for None), in menu order."""
    chosen = [t for t in TEMPLATES.values() if kind is None or t.kind == kind]
    chosen.sort(key=lambda t: (t.definition.order, t.id))
    return [(t.id, t.title(jurisdiction)) for t in chosen]


class _Progress:
    """Maps the phases of an export onto one 0..100 scale that only goes up."""

    TOTAL = 100

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._last = -1

    def report(self, done: float) -> None:
        value = max(0, min(self.TOTAL, int(done)))
        if self._callback is not None and value > self._last:
            self._last = value
            self._callback(value, self.TOTAL)

    def phase(self, start: float, end: float) -> ProgressCallback:
        def tick(done: int, total: int) -> None:
            self.report(start + (end - start) * done / max(total, 1))
        return tick


def _decor(wording: Wording, title: str, reference: str, options: ExportOptions,
           header_note: str = "") -> PageDecor:
    return PageDecor(
        marking=wording.marking,
        title=title,
        reference_line=wording("reference_line", reference=reference) if reference
        else header_note,
        generated_line=wording("generated_line", at=wording.datetime(options.generated_at),
                               by=options.generated_by),
        page_of=wording("page_of", page="{page}", pages="{pages}"),
        lang=load_profile(wording.jurisdiction).locale or "en-GB",
    )


def render_document(template_id: str, data: Any, options: ExportOptions, *,
                    jurisdiction: Jurisdiction, reference: str = "", header_note: str = "",
                    images: ImageCache | None = None,
                    progress: ProgressCallback | None = None) -> bytes:
    """Render any registered template from data its builder understands (no redaction here).

    This is the generic path (used for the governors' summary and meant for new templates
    such as the checklist review). Case reports go through :func:`render_case_report`, which
    redacts first. ``header_note`` is shown top right when there is no casebook reference
    (e.g. the period of a summary).
    """
    template = get_template(template_id)
    wording = wording_for(jurisdiction)
    ctx = BuildContext(options=options, wording=wording, definition=template.definition,
                       images=images or ImageCache(None, THUMBNAIL_PX), reference=reference)
    blocks = template.build(data, ctx)
    return render_blocks(blocks, _decor(wording, ctx.title, reference, options, header_note),
                         progress)


def render_case_report(data: CaseReportData, options: ExportOptions,
                       progress: ProgressCallback | None = None) -> bytes:
    """Redact ``data`` for ``options`` and render the chosen case template to PDF bytes.

    ``progress(done, total)`` runs on the calling (worker) thread; total is 100.
    """
    return _render_case(data, options, progress)[0]


def _render_case(data: CaseReportData, options: ExportOptions,
                 progress: ProgressCallback | None
                 ) -> tuple[bytes, RedactionPlan, dict[str, int]]:
    template = get_template(options.template_id, kind="case")
    definition = template.definition
    wording = wording_for(data.school.jurisdiction)
    tracker = _Progress(progress)
    tracker.report(0)

    redacted, plan, redactor = redact_case(data, options.named_person_ids, wording, definition)
    wanted = options.evidence_ids
    kept = tuple(e for e in redacted.evidence if wanted is None or e.id in wanted)
    redacted = replace(redacted, evidence=kept,
                       chronology=chosen_entries(redacted.chronology, options.entry_ids))
    safe_options = replace(options, recipient=redactor.required(options.recipient),
                           note=redactor.required(options.note),
                           generated_by=redactor.required(options.generated_by))

    max_px = SCREENSHOT_PX if _SCREENSHOT_SECTIONS & set(definition.sections) else THUMBNAIL_PX
    images = ImageCache(data.evidence_image, max_px)
    if _IMAGE_SECTIONS & set(definition.sections):
        pictures = [e for e in kept if is_image_item(e)]
        tick = tracker.phase(2, 45)
        for number, item in enumerate(pictures, start=1):
            images.get(item)
            tick(number, len(pictures))

    case = RedactedCase(redacted, plan, excluded_evidence=len(data.evidence) - len(kept))
    ctx = BuildContext(options=safe_options, wording=wording, definition=definition,
                       images=images, reference=data.case.reference)
    blocks = template.build(case, ctx)
    pdf = render_blocks(blocks, _decor(wording, ctx.title, data.case.reference, safe_options),
                        tracker.phase(50, 99))
    tracker.report(100)
    log.info("report rendered: template=%s case=%s bytes=%d", options.template_id,
             data.case.id, len(pdf))
    return pdf, plan, dict(redactor.counts)


def chosen_entries(entries: tuple[ChronologyEntry, ...], wanted: frozenset[int] | None
                   ) -> tuple[ChronologyEntry, ...]:
    """The entries chosen, each with the amendments that correct it (a correction is never
    shown without what it corrects, nor an original without its correction)."""
    if wanted is None:
        return entries
    by_id = {e.id: e for e in entries}

    def root(entry: ChronologyEntry) -> int:
        seen = set()
        while entry.amends_id is not None and entry.amends_id in by_id \
                and entry.id not in seen:
            seen.add(entry.id)
            entry = by_id[entry.amends_id]
        return entry.id

    chosen_roots = {root(e) for e in entries if e.id in wanted}
    return tuple(e for e in entries if root(e) in chosen_roots)


def default_evidence_ids(data: CaseReportData, definition: TemplateDef) -> frozenset[int] | None:
    """What a template includes unless the DSL chooses: everything (None), or for the platform
    pack only the screenshots of the accounts being reported (those that name the account's
    handle or address; when none does, every picture, but never other kinds of evidence)."""
    if definition.extra.get("default_evidence") != "account-screenshots":
        return None
    items = tuple(data.evidence)
    matched = frozenset(item.id for account in data.accounts
                        for item in screenshots_for(account, items))
    return matched or frozenset(item.id for item in items if is_image_item(item))


def render_governors_summary(data: GovernorsSummaryData, options: ExportOptions,
                             progress: ProgressCallback | None = None) -> bytes:
    """The governors' termly summary (counts and charts only) as PDF bytes."""
    template_id = options.template_id or "governors-summary"
    get_template(template_id, kind="summary")
    tracker = _Progress(progress)
    pdf = render_document(template_id, data, options, jurisdiction=data.school.jurisdiction,
                          reference="", header_note=data.period_label,
                          progress=tracker.phase(0, 99))
    tracker.report(100)
    return pdf


# --------------------------------------------------------------------------- writing


def _strip_metadata(pdf: pikepdf.Pdf) -> None:
    """Keep only a generic /Title in the document info; drop XMP and everything else."""
    title = None
    info = pdf.trailer.get("/Info")
    if info is not None and "/Title" in info:
        title = str(info["/Title"])
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    if "/Metadata" in pdf.Root:
        del pdf.Root["/Metadata"]
    for page in pdf.pages:
        if "/Metadata" in page.obj:
            del page.obj["/Metadata"]
        if "/PieceInfo" in page.obj:
            del page.obj["/PieceInfo"]
    if "/PieceInfo" in pdf.Root:
        del pdf.Root["/PieceInfo"]
    if title:
        pdf.trailer["/Info"] = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(title)))


def write_pdf_atomically(pdf_bytes: bytes, path: str | os.PathLike[str],
                         password: str | None = None) -> int:
    """Clean, optionally encrypt, and write ``pdf_bytes`` to ``path``; returns the page count.

    With a password the file is encrypted with AES-256 (R=6); the owner password is a random
    token that is thrown away, and the user password is not kept anywhere. The file goes through
    :mod:`casebook.fileio`'s atomic writer: the target is replaced only when the new file is
    fully written and synced (0600); on any failure it is left as it was and no temporary file
    remains.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CasebookError("That folder does not exist. Please choose another place to save "
                            "the report.")
    try:
        with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
            _strip_metadata(pdf)
            pages = len(pdf.pages)
            encryption: pikepdf.Encryption | bool = False
            if password:
                encryption = pikepdf.Encryption(owner=secrets.token_urlsafe(32), user=password,
                                                R=6, aes=True, metadata=True)
            with fileio.atomic_writer(target) as handle:
                pdf.save(handle, encryption=encryption, fix_metadata_version=False,
                         compress_streams=True,
                         object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return pages
    except OSError as error:
        cause = fileio.classify_os_error(error)
        log.warning("report not written: %s (%s)", type(error).__name__, cause)
        if cause in ("full", "unreachable"):
            raise fileio.explain_os_error(error, folder, "the report") from error
        raise CasebookError("Casebook could not save the report there. Check that the file is "
                            "not open in another program, that you can save files in that "
                            "folder and that there is space, then try again.") from error


# --------------------------------------------------------------------------- one-call exports


@dataclass(frozen=True)
class ExportResult:
    """What was exported, for the audit log (never the PDF, never the password)."""

    template_id: str
    title: str
    recipient: str
    path: Path
    pages: int
    encrypted: bool
    named_person_ids: frozenset[int]
    #: person id -> label ("Learner A") for everyone not named
    redacted_labels: Mapping[int, str]
    evidence_ids: frozenset[int] | None
    #: label -> how many names it replaced in the text (never the names themselves)
    replacements: Mapping[str, int] = field(default_factory=dict)
    entry_ids: frozenset[int] | None = None

    def audit_detail(self) -> str:
        """One line for the audit entry: ids only, no names."""
        named = ",".join(str(i) for i in sorted(self.named_person_ids)) or "none"
        redacted = ",".join(str(i) for i in sorted(self.redacted_labels)) or "none"
        detail = (f"template={self.template_id}; for={self.recipient or '-'}; named={named}; "
                  f"redacted={redacted}; pages={self.pages}; "
                  f"password={'yes' if self.encrypted else 'no'}")
        if self.evidence_ids is not None:
            detail += "; evidence=" + (",".join(str(i) for i in sorted(self.evidence_ids))
                                       or "none")
        if self.entry_ids is not None:
            detail += "; entries=" + (",".join(str(i) for i in sorted(self.entry_ids))
                                      or "none")
        return detail


@dataclass(frozen=True)
class PreparedReport:
    """A rendered case report held in memory, for the DSL to check before it is saved."""

    options: ExportOptions = field(repr=False)
    title: str
    pdf: bytes = field(repr=False)
    pages: int
    named_person_ids: frozenset[int]
    redacted_labels: Mapping[int, str]
    #: label -> how many names it replaced ("Learner A": 12); never the original text
    replacements: Mapping[str, int]
    #: PNG images of the first pages, when asked for (see ``preview.page_previews``)
    previews: tuple[bytes, ...] = field(default=(), repr=False)
    #: Labels of people whose surname (or another part of their name) a *named* person
    #: shares: naming that person gives part of the labelled one's name away.
    shared_name_labels: tuple[str, ...] = ()

    def replacement_lines(self) -> list[str]:
        """"Learner A: 12 mentions replaced" lines, in label order."""
        return [f"{label}: {count} mention{'' if count == 1 else 's'} replaced"
                for label, count in sorted(self.replacements.items())]


def prepare_case_report(data: CaseReportData, options: ExportOptions,
                        progress: ProgressCallback | None = None,
                        preview_pages: int = 0) -> PreparedReport:
    """Redact and render, without writing anything: the DSL sees what was replaced (and,
    with ``preview_pages``, small images of the first pages) before saving."""
    pdf, plan, counts = _render_case(data, options, progress)
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        pages = len(opened.pages)
    previews = page_previews(pdf, limit=preview_pages) if preview_pages > 0 else ()
    return PreparedReport(options=options, title=get_template(options.template_id)
                          .title(data.school.jurisdiction), pdf=pdf, pages=pages,
                          named_person_ids=plan.named_ids, redacted_labels=dict(plan.labels),
                          replacements=counts, previews=previews,
                          shared_name_labels=_shared_names(data, plan))


def _shared_names(data: CaseReportData, plan: RedactionPlan) -> tuple[str, ...]:
    """Labels of redacted people who share a part of their name with someone named."""
    def words(name: str) -> set[str]:
        return {fold(w) for w in name_parts(name) for w in [w, *w.replace("'", "-").split("-")]
                if sum(c.isalpha() for c in w) >= 3 and fold(w) not in GENERIC_WORDS}

    named = set().union(*(words(p.name) for p in data.people if p.id in plan.named_ids))
    return tuple(sorted(plan.labels[p.id] for p in data.people
                        if p.id in plan.labels and words(p.name) & named))


def save_prepared_report(prepared: PreparedReport, path: str | os.PathLike[str],
                         password: str | None = None) -> ExportResult:
    """Write a prepared report (encrypted when ``password``); the service audits the result."""
    password = password or prepared.options.password
    pages = write_pdf_atomically(prepared.pdf, path, password)
    options = prepared.options
    return ExportResult(
        template_id=options.template_id, title=prepared.title, recipient=options.recipient,
        path=Path(path), pages=pages, encrypted=bool(password),
        named_person_ids=prepared.named_person_ids, redacted_labels=prepared.redacted_labels,
        evidence_ids=options.evidence_ids, replacements=dict(prepared.replacements),
        entry_ids=options.entry_ids,
    )


def export_case_report(data: CaseReportData, options: ExportOptions,
                       path: str | os.PathLike[str],
                       progress: ProgressCallback | None = None) -> ExportResult:
    """Render, then write atomically. The service records the returned result in the audit."""
    return save_prepared_report(prepare_case_report(data, options, progress), path)


def export_governors_summary(data: GovernorsSummaryData, options: ExportOptions,
                             path: str | os.PathLike[str],
                             progress: ProgressCallback | None = None) -> ExportResult:
    pdf = render_governors_summary(data, options, progress)
    pages = write_pdf_atomically(pdf, path, options.password)
    template_id = options.template_id or "governors-summary"
    return ExportResult(
        template_id=template_id, title=get_template(template_id).title(data.school.jurisdiction),
        recipient=options.recipient, path=Path(path), pages=pages,
        encrypted=bool(options.password), named_person_ids=frozenset(), redacted_labels={},
        evidence_ids=None,
    )
