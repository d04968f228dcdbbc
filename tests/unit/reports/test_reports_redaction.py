"""Redaction is done in the data: a redacted name is nowhere in the PDF, metadata included."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
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

from casebook.domain import AccountKind, Jurisdiction, PersonKind
from casebook.reports import (
    default_named_person_ids,
    plan_redaction,
    render_case_report,
    wording_for,
)
from casebook.reports.names import NameSubject
from casebook.reports.redaction import Redactor, find_known_names, name_terms, redact_case
from casebook.reports.templates import load_definition


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold() \
        .replace("ø", "o")


def _pdf_strings(path: Path, password: str | None = None) -> list[str]:
    """Every string object in the file: document info, outlines, names, annotations...

    The trailer's /ID is left out: it is 16 random bytes, which now and then fold to a short
    name part (e.g. "zoe" from "õ" and "é") and made this check fail by chance.
    """
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
                                                "/Prev", "/ID"))
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


def _learner(name: str, label: str | None, ref: int = 0) -> NameSubject:
    return NameSubject(name, label, adult=False, ref=ref or name)


def _adult(name: str, label: str | None, ref: int = 0) -> NameSubject:
    return NameSubject(name, label, adult=True, ref=ref or name)


def test_redactor_matches_names_ignoring_case_and_accents() -> None:
    redactor = Redactor([_learner("Zoë Ødegård", "Learner A")], protected=["St Zoe's Academy"])
    assert redactor.text("ZOE said Zoë's phone was taken; odegard and Zoe Odegard too") == \
        "Learner A said Learner A's phone was taken; Learner A and Learner A too"
    assert redactor.text("zoe_x and x-zoë-y") == "Learner A_x and x-Learner A-y"
    # Whole names only, and the school's own name is left alone.
    assert redactor.text("Zoey and Zoetrope at St Zoe's Academy") == \
        "Zoey and Zoetrope at St Zoe's Academy"
    # Decomposed accents (as some keyboards type them) are caught too.
    assert redactor.text("Zoe\u0308 arrived") == "Learner A arrived"


AMELIA = _learner("Amelia Thornbury", "Learner A", 1)
JAYDEN = _learner("Jayden Okoro", "Learner B", 2)
KAREN = _adult("Karen Thornbury", "Parent A", 3)
SARAH = _adult("Sarah Jones", "Staff member A", 4)


@pytest.mark.parametrize(("text", "expected"), [
    ("AmeliaThornbury2.png", "Learner A.png"),  # CamelCase and digits in a file name
    ("born Amelia2013", "born Learner A"),
    ("Jaydens friends", "Learner B's friends"),  # possessive without an apostrophe
    ("jaydenokoro@gmail.com", "Learner B@gmail.com"),  # e-mail local part
    ("instagram.com/amelia.thornbury08/", "instagram.com/Learner A/"),  # dots in a URL
    ("jayden_okoro_official", "Learner B_official"),
    ("A. Thornbury", "Learner A"),  # initial + surname
    ("K Thornbury rang", "Parent A rang"),  # the initial picks the person
    ("Mr Jones said", "Staff member A said"),  # title + surname: never "Mr Staff member A"
    ("Mrs Thornbury rang", "Parent A rang"),  # a title is not a learner's
    ("Sarah Jones Sarah Jones", "Staff member A"),  # one person, one label
    ("Sarah A. Jones", "Staff member A"),
    ("Okoro, Jayden", "Learner B"),
    ("Amelia-Rose cried", "Amelia-Rose cried"),  # a different child
    ("Benefit for Christian", "Benefit for Christian"),  # no names inside other words
    ("Amelia said that later Thornbury left", "Learner A said that later Learner A left"),
    ("the Thornbury family", "the [name removed] family"),  # whose? not guessed
])
def test_redactor_finds_names_however_they_are_typed(text: str, expected: str) -> None:
    redactor = Redactor([AMELIA, JAYDEN, KAREN, SARAH], ["Oakfield Academy"])
    assert redactor.text(text) == expected


def test_redactor_counts_what_it_replaced_by_label() -> None:
    redactor = Redactor([AMELIA, JAYDEN, KAREN, SARAH])
    redactor.text("Amelia and Jayden; AmeliaThornbury.png")
    assert redactor.counts == {"Learner A": 2, "Learner B": 1}


def test_a_named_persons_full_name_survives_a_shared_surname() -> None:
    redactor = Redactor([_learner("Tom Smith", "Learner A"), _adult("Jane Smith", None)])
    assert redactor.text("Jane Smith phoned about Tom Smith; Smith was absent") == \
        "Jane Smith phoned about Learner A; Learner A was absent"
    # A title means the adult, who is named here.
    assert redactor.text("Mrs Smith phoned") == "Mrs Smith phoned"


def test_a_part_shared_by_two_redacted_people_is_resolved_per_person() -> None:
    redactor = Redactor([_learner("Tom Smith", "Learner A"), _learner("Ben Smith", "Learner B")])
    assert redactor.text("Ben Smith said Smith left") == "Learner B said Learner B left"
    assert redactor.text("Tom Smith came; Smith left") == "Learner A came; Learner A left"
    assert redactor.text("Smith left") == "[name removed] left"


def test_known_names_in_free_text_are_found_for_the_dsl() -> None:
    people = [p for p in PEOPLE]
    findings = find_known_names("Thanks to Priya for helping and to zoe_odegard's tutor.",
                                people, ["Oakfield Academy"])
    assert {(f.person_id, f.found) for f in findings} == {(PRIYA, "Priya"),
                                                          (ZOE, "zoe_odegard")}
    assert find_known_names("Counts went down this term.", people) == []


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
    assert redacted.evidence[1].filename == "Learner A-post.png"
    # Identifiers without a name are kept as they are.
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


def test_web_addresses_handles_and_file_names_are_redacted_in_the_pdf(tmp_path) -> None:
    base = make_case_data()
    account = replace(base.accounts[0], handle="@zoe.odegard08",
                      url="https://www.instagram.com/zoe.odegard08/",
                      kind=AccountKind.BAITING)
    shot = replace(base.evidence[0], filename="ZoeOdegard2.png",
                   url="https://www.instagram.com/zoe.odegard08/",
                   description="Profile of zoe.odegard08 (Zoes friends list)")
    data = replace(base, accounts=(account, *base.accounts[1:]),
                   evidence=(shot, *base.evidence[1:]))
    for template_id in ("platform-pack", "evidence-log", "case-file"):
        path = tmp_path / f"{template_id}.pdf"
        path.write_bytes(render_case_report(data, options(template_id, {ANAIS})))
        text = pdf_text(path)
        _assert_absent(["Zoë Ødegård"], text, *_pdf_strings(path))
        assert "Learner A" in text


def test_a_description_standing_for_a_person_does_not_swallow_ordinary_words() -> None:
    redactor = Redactor([_learner("Unknown Year 9 group", "Learner B"),
                         _learner("Riley Sampleton", "Learner A")])
    assert redactor.text("Photos of Year 9 posted by the Unknown Year 9 group; Riley upset") \
        == "Photos of Year 9 posted by the Learner B; Learner A upset"


def test_the_fast_ascii_tokens_are_the_same_as_looking_at_each_character() -> None:
    """Plain ASCII text takes a regex path (a learner's file redacts thousands of entries); it
    must cut the same words, camel-case names and digit runs as the general path."""
    import random
    import string

    from casebook.reports import names

    rng = random.Random(20261129)
    alphabet = string.ascii_letters + string.digits + " .,'-_\n\t" + "McDonald O'Brien"
    texts = ["", "McDonald", "ABc", "aB1c", "Amelia-Rose O’Brien", "x2y", "iPhone 15 Pro"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
              for _ in range(3000)]
    for text in texts:
        if text.isascii():
            assert names._ascii_tokens(text) == names._tokens_by_char(text), text
