"""The "child protection file" report: one learner's file across cases, for their record and
for transfer to their next school.

Redaction happens before this point, in ``PeopleService.learner_file`` (other learners and
their parents appear as "Learner A", "Parent or carer A"). The page header carries the
template's title, never the learner's name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from casebook.domain import ROLE_LABELS, LearnerFile, School
from casebook.reports import blocks as b
from casebook.reports.data import ExportOptions, ProgressCallback
from casebook.reports.export import write_pdf_atomically
from casebook.reports.images import THUMBNAIL_PX, ImageCache
from casebook.reports.render import PageDecor, render_blocks
from casebook.reports.sections import closing_blocks, cover_blocks
from casebook.reports.templates import BuildContext, load_definition, register_template, wording_for

TEMPLATE_ID = "child-protection-file"

__all__ = ["TEMPLATE_ID", "LearnerReportData", "build", "render_learner_file",
           "export_learner_file", "TransferCoverData", "render_transfer_cover"]


@dataclass(frozen=True)
class LearnerReportData:
    school: School
    file: LearnerFile
    note: str = ""  # e.g. "Sent to Elm Academy, transfer T-2026-0003"


def _d(value) -> str:  # type: ignore[no-untyped-def]
    return f"{value:%d/%m/%Y}" if value else "—"


def _cover(data: LearnerReportData, ctx: BuildContext) -> list[b.Block]:
    who = data.file.learner
    return cover_blocks(ctx, (("School", data.school.name),
                              ("For", ctx.options.recipient), ("Note", data.note)),
                        subtitle=who.display_name)


def _core(data: LearnerReportData, ctx: BuildContext) -> list[b.Block]:
    who = data.file.learner
    rows = [("Legal name", who.full_name), ("Preferred name", who.preferred_name),
            ("UPN", who.upn or ""), ("Date of birth", _d(who.date_of_birth)),
            ("Year group", who.year_group), ("Registration group", who.registration_group),
            ("On roll", "Yes" if who.on_roll else f"Left {_d(who.left_on)}"),
            ("Received from", who.received_from)]
    rows += [(words, name) for words, name in data.file.family]
    return [b.Heading("Core details"),
            b.KeyValues(tuple((k, v) for k, v in rows if v), mono=frozenset({"UPN"}))]


def _open(data: LearnerReportData, ctx: BuildContext) -> list[b.Block]:
    f = data.file
    return [
        b.Heading("Open cases"),
        b.Table(("Case", "Title", "Part in it"),
                tuple((ref, title, ROLE_LABELS[role]) for ref, title, role in f.open_cases),
                widths=(2.2, 6, 3), empty_text="None open."),
        b.Heading("Open actions"),
        b.Table(("Case", "Action", "Due"),
                tuple((ref, text, _d(due)) for ref, text, due in f.open_actions),
                widths=(2.2, 7, 2), empty_text="None open."),
    ]


def _chronology(data: LearnerReportData, ctx: BuildContext) -> list[b.Block]:
    rows = tuple((f"{e.occurred_at:%d/%m/%Y %H:%M}", e.case_reference, ROLE_LABELS[e.role],
                  f"{e.text} ({e.author})") for e in data.file.entries)
    return [b.Heading("Chronology across cases"),
            b.Table(("When", "Case", "Part in it", "What happened"), rows,
                    widths=(2.2, 2.2, 2.2, 7), empty_text="Nothing recorded yet.")]


def _closing(data: LearnerReportData, ctx: BuildContext) -> list[b.Block]:
    return closing_blocks(ctx, "Made by Casebook from the school's encrypted records. Entries "
                          "are never overwritten: corrections appear as amendments.")


_SECTIONS = {"cover": _cover, "core": _core, "open": _open, "chronology": _chronology,
             "closing": _closing}


def build(data: LearnerReportData, ctx: BuildContext) -> Sequence[b.Block]:
    out: list[b.Block] = []
    for section in ctx.definition.sections:
        out.extend(_SECTIONS[section](data, ctx))
    return out


register_template(TEMPLATE_ID, kind="learner", build=build)
register_template("subject-access", kind="learner", build=build)


def render_learner_file(data: LearnerReportData, options: ExportOptions,
                        progress: ProgressCallback | None = None) -> bytes:
    wording = wording_for(data.school.jurisdiction)
    ctx = BuildContext(options=options, wording=wording,
                       definition=load_definition(options.template_id or TEMPLATE_ID),
                       images=ImageCache(None, THUMBNAIL_PX))
    decor = PageDecor(
        marking=wording.marking, title=ctx.title, reference_line=data.note[:80],
        generated_line=wording("generated_line", at=wording.datetime(options.generated_at),
                               by=options.generated_by),
        page_of=wording("page_of", page="{page}", pages="{pages}"),
    )
    return render_blocks(build(data, ctx), decor, progress)


def export_learner_file(data: LearnerReportData, options: ExportOptions,
                        path: str | os.PathLike[str]) -> int:
    """Render and write atomically (AES-256 when ``options.password``); returns pages."""
    return write_pdf_atomically(render_learner_file(data, options), Path(path), options.password)


@dataclass(frozen=True)
class TransferCoverData:
    """What the printable cover and receipt slip of a transfer show."""

    school: School
    reference: str
    to_school: str
    learner_name: str
    upn: str
    date_of_birth: str
    sent_on: str
    due_on: str
    cases: int


def render_transfer_cover(data: TransferCoverData, options: ExportOptions) -> bytes:
    """A printable cover for the receiving DSL and a receipt slip to sign and return. It names
    the learner, so it is printed or sent separately — never with the package file."""
    wording = wording_for(data.school.jurisdiction)
    blocks: list[b.Block] = [
        b.Title("Child protection file: transfer", data.reference),
        b.Notice("Print this page. Do not send it with the package file, and give the package "
                 "password by phone, not in writing."),
        b.KeyValues((("From", data.school.name), ("To", f"Designated safeguarding lead, "
                                                        f"{data.to_school}"),
                     ("Learner", data.learner_name), ("UPN", data.upn or "—"),
                     ("Date of birth", data.date_of_birth), ("Sent", data.sent_on),
                     ("Receipt wanted by", data.due_on),
                     ("In the package", f"The child protection file (PDF) and its records "
                                        f"(JSON): {data.cases} case(s)")),
                    mono=frozenset({"UPN"})),
        b.Heading("For the receiving DSL"),
        b.Bullets(("Import the package in Casebook (Learners → Transfers → Import a "
                   "transfer…, or casebook-admin transfer import FILE).",
                   "Casebook then shows a receipt code. Give it to the sending school, and "
                   "sign and return the slip below.",
                   "Make your SENCO aware before the learner arrives, as your school's policy "
                   "says.")),
        b.Spacer(10),
        b.Heading("Receipt slip"),
        b.KeyValues((("Transfer", data.reference), ("Learner", data.learner_name),
                     ("Files", "Child protection file (PDF), records (JSON)"),
                     ("Received on", "____________________"),
                     ("Receipt code", "____________________"),
                     ("Name and role", "________________________________________"),
                     ("Signed", "________________________________________"))),
    ]
    decor = PageDecor(
        marking=wording.marking, title="Transfer cover and receipt slip",
        reference_line=data.reference,
        generated_line=wording("generated_line", at=wording.datetime(options.generated_at),
                               by=options.generated_by),
        page_of=wording("page_of", page="{page}", pages="{pages}"),
    )
    return render_blocks(blocks, decor)
