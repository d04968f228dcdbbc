"""Redaction is done in the data: a redacted name is nowhere in the PDF, metadata included."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pikepdf
import pypdf
import pytest
from report_helpers import (
    ALL_NAMES,
    ANAIS,
    GIORGOS,
    MARCUS,
    PEOPLE,
    PRIYA,
    SERGEY,
    ZOE,
    make_case_data,
    name_parts,
    options,
    pdf_text,
    render_to,
)

from casebook.domain import Jurisdiction, PersonKind
from casebook.reports import (
    default_named_person_ids,
    plan_redaction,
    render_case_report,
    wording_for,
)
from casebook.reports.redaction import Redactor, name_terms, redact_case
from casebook.reports.templates import load_definition


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold() \
        .replace("ø", "o")


def _pdf_strings(path: Path, password: str | None = None) -> list[str]:
    """Every string object in the file: document info, outlines, names, annotations..."""
    found: list[str] = []
    with pikepdf.open(path, password=password or "") as pdf:
        for obj in pdf.objects:
            stack = [obj]
            while stack:
                item = stack.pop()
                if isinstance(item, pikepdf.String):
                    found.append(str(item))
                elif isinstance(item, pikepdf.Array):
                    stack.extend(item)
                elif isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
                    stack.extend(item[key] for key in item.keys()  # noqa: SIM118
                                 if key not in ("/Parent", "/P", "/First", "/Last", "/Next",
                                                "/Prev"))
    return found


def _outline_titles(path: Path) -> list[str]:
    reader = pypdf.PdfReader(path)
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def _assert_absent(names: list[str], *texts: str) -> None:
    folded = [_fold(t) for t in texts]
    for name in names:
        for part in name_parts(name):
            for text in folded:
                assert _fold(part) not in text, f"{part!r} leaked"


# -- the rule itself ----------------------------------------------------------------------------


def test_name_terms_are_the_full_name_and_parts_of_three_letters_or_more() -> None:
    assert name_terms("Zoë Ødegård-Smith") == ["Zoë Ødegård-Smith", "Zoë", "Ødegård-Smith",
                                               "Ødegård", "Smith"]
    assert name_terms("Mrs Jo Li") == ["Mrs Jo Li"]  # titles and short parts are not terms
    assert name_terms("Сергей Иванов") == ["Сергей Иванов", "Сергей", "Иванов"]


def test_redactor_matches_whole_words_ignoring_case_and_accents() -> None:
    redactor = Redactor([(t, "Learner A") for t in name_terms("Zoë Ødegård")],
                        protected=["St Zoe's Academy"])
    assert redactor.text("ZOE said Zoë's phone was taken; odegard and Zoe Odegard too") == \
        "Learner A said Learner A's phone was taken; Learner A and Learner A too"
    assert redactor.text("zoe_x and x-zoë-y") == "Learner A_x and x-Learner A-y"
    # Whole words only, and the school's own name is left alone.
    assert redactor.text("Zoey and Zoetrope at St Zoe's Academy") == \
        "Zoey and Zoetrope at St Zoe's Academy"
    # Decomposed accents (as some keyboards type them) are caught too.
    assert redactor.text("Zoe\u0308 arrived") == "Learner A arrived"


def test_a_named_persons_full_name_survives_a_shared_surname() -> None:
    redactor = Redactor([(t, "Learner A") for t in name_terms("Tom Smith")],
                        protected=["Jane Smith"])
    assert redactor.text("Jane Smith phoned about Tom Smith; Smith was absent") == \
        "Jane Smith phoned about Learner A; Learner A was absent"


def test_a_part_shared_by_two_redacted_people_names_both_labels() -> None:
    redactor = Redactor([*((t, "Learner A") for t in name_terms("Tom Smith")),
                         *((t, "Learner B") for t in name_terms("Ben Smith"))])
    assert redactor.text("Smith left") == "Learner A or Learner B left"


def test_labels_are_stable_by_kind_and_order_and_follow_the_profile() -> None:
    wording = wording_for(Jurisdiction.ENGLAND)
    plan = plan_redaction(reversed(PEOPLE), {ANAIS}, wording)
    assert plan.named_ids == {ANAIS}
    assert plan.labels == {ZOE: "Learner A", SERGEY: "Learner B", PRIYA: "Learner C",
                           GIORGOS: "Parent A", MARCUS: "Person A"}
    us = plan_redaction(PEOPLE, set(), wording_for(Jurisdiction.US))
    assert us.labels[ZOE] == "Student A" and us.labels[ANAIS] == "Staff member A"


def test_redaction_reaches_every_free_text_field() -> None:
    data = make_case_data()
    redacted, plan, _ = redact_case(data, {ANAIS}, wording_for(Jurisdiction.ENGLAND))
    blob = repr(redacted)  # every field of every dataclass, step data included
    _assert_absent([p.name for p in PEOPLE if p.id != ANAIS], blob)
    assert "Anaïs Dubois-Martin" in blob
    zoe = next(p for p in redacted.people if p.id == ZOE)
    assert zoe.name == "Learner A" and zoe.date_of_birth is None
    assert redacted.evidence[1].filename == "Learner A-Learner A-post.png"
    # Identifiers the recipient needs are kept as they are.
    assert redacted.accounts[0].handle == "@oakfield.muggies"
    assert redacted.evidence[0].sha256 == data.evidence[0].sha256


# -- in the PDF ---------------------------------------------------------------------------------


def test_redacted_names_are_nowhere_in_the_exported_pdf(tmp_path) -> None:
    result = render_to(tmp_path, "case-file", named={ANAIS})
    redacted_names = [p.name for p in PEOPLE if p.id != ANAIS]
    strings = _pdf_strings(result.path)
    outlines = _outline_titles(result.path)
    with pikepdf.open(result.path) as pdf:
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        assert "/Metadata" not in pdf.Root
    _assert_absent(redacted_names, result.text, *strings, *outlines, *info.values())
    # The named member of staff and the labels are there instead.
    assert "Anaïs Dubois-Martin" in result.flat
    for label in ("Learner A", "Learner B", "Learner C", "Parent A", "Person A"):
        assert label in result.flat
    assert "Case summary" in outlines and "Chronology" in outlines


def test_recipient_and_note_are_redacted_too(tmp_path) -> None:
    pdf = render_case_report(make_case_data(), options(
        "helpline-pack", {ANAIS}, recipient="POSH, re Zoë Ødegård",
        note="Zoë Ødegård is frightened to come to school."))
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    text = " ".join(pdf_text(path).split())
    assert "POSH, re Learner A" in text
    assert "Learner A is frightened to come to school." in text
    _assert_absent(["Zoë Ødegård"], text)


@pytest.mark.parametrize("template_id", ["platform-pack", "helpline-pack"])
def test_packs_for_outside_bodies_never_name_learners_even_if_chosen(tmp_path,
                                                                     template_id) -> None:
    everyone = {p.id for p in PEOPLE}
    result = render_to(tmp_path, template_id, named=everyone)
    learners_and_parents = [p.name for p in PEOPLE
                            if p.kind in (PersonKind.LEARNER, PersonKind.PARENT)]
    _assert_absent(learners_and_parents, result.text, *_pdf_strings(result.path))
    # No other personal details of learners: dates of birth, year groups, notes.
    text = result.flat
    for detail in ("2011", "2010", "Year 9", "Year 10", "upset in form time",
                   "Admitted setting up the account"):
        assert detail not in text, detail
    # The staff member chosen to be named still is.
    assert "Anaïs Dubois-Martin" in text


def test_all_names_present_when_everyone_is_named(tmp_path) -> None:
    result = render_to(tmp_path, "case-file", named={p.id for p in PEOPLE})
    for name in ALL_NAMES:
        assert name in result.flat
    assert "Everyone in this case is named in this document." in result.flat


def test_default_named_people_per_template() -> None:
    data = make_case_data()

    def named(template_id: str) -> frozenset[int]:
        return default_named_person_ids(data, load_definition(template_id))

    assert named("case-file") == {p.id for p in PEOPLE}
    assert named("lado-referral") == {ANAIS}
    assert named("platform-pack") == {ANAIS}
    assert named("chronology") == frozenset()
