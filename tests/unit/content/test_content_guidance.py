"""Guidance for the five response steps and the evidence safety gate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casebook import profiles
from casebook.domain.enums import STEP_ORDER, Jurisdiction, StepKey
from casebook.errors import ValidationError

_BRACE = re.compile(r"[{}]")


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_every_step_has_guidance_and_a_done_statement(jurisdiction: Jurisdiction) -> None:
    guidance = profiles.load_step_guidance(jurisdiction)
    assert tuple(step.key for step in guidance) == STEP_ORDER
    for step in guidance:
        assert step.title
        assert 3 <= len(step.points) <= 6, step.key
        assert all(point.strip() for point in step.points)
        assert step.done_means.startswith("Done means ")
        assert step.fields, step.key
        ids = [spec.id for spec in step.fields]
        assert len(ids) == len(set(ids))
        for spec in step.fields:
            assert spec.kind in profiles.FIELD_KINDS
            assert spec.per in profiles.FIELD_PER
            assert spec.label
            if spec.kind == "choice":
                assert len(spec.choices) >= 2 and all(c.label for c in spec.choices)
            else:
                assert spec.choices == ()


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_no_placeholder_is_left_unfilled(jurisdiction: Jurisdiction, texts_for) -> None:
    leftovers = [(where, text) for where, text in texts_for(jurisdiction) if _BRACE.search(text)]
    assert leftovers == []


def test_placeholders_are_filled_with_each_profiles_terms() -> None:
    england = profiles.guidance_for("england", StepKey.INVESTIGATION)
    us = profiles.guidance_for("us", "investigation")
    assert any("LADO" in point for point in england.points)
    assert any("staff-misconduct" in point for point in us.points)
    assert profiles.guidance_for("us", "support").title == "Support for staff and students"
    assert profiles.guidance_for("scotland", "support").title == "Support for staff and pupils"
    assert profiles.guidance_for("england", "support").title == "Support for staff and learners"
    labels = [spec.label for spec in profiles.guidance_for("us", "sanctions").fields]
    assert "Parents and guardians informed" in labels  # {Parents} capitalised


def test_steps_carry_the_fields_their_wizard_pages_need() -> None:
    def ids(key: str, jurisdiction: str = "england") -> set[str]:
        return {spec.id for spec in profiles.guidance_for(jurisdiction, key).fields}

    assert {"reported_by", "reported_on", "first_seen"} <= ids("gather-evidence")
    assert {"creators", "affected", "spread", "possibly_criminal", "police_decision",
            "staff_allegation", "allegations_decision"} <= ids("investigation")
    assert {"sanctions", "parents_informed", "parents_informed_on", "parents_informed_how",
            "restorative"} <= ids("sanctions")
    support = profiles.guidance_for("england", "support")
    assert support.field("support_offered").per == "person"
    assert support.field("follow_up_on").kind == "date"
    report = profiles.guidance_for("england", "report")
    per_account = {spec.id for spec in report.fields if spec.per == "account"}
    assert {"report_type", "reported_on", "reference", "outcome", "follow_up_on"} <= per_account
    assert "48 hours" in report.field("follow_up_on").help
    outcomes = {choice.value for choice in report.field("outcome").choices}
    assert outcomes == {"waiting", "removed", "refused", "no-response", "escalated"}
    assert any("48 hours" in point for point in report.points)


def test_us_report_step_points_to_us_routes_and_keeps_shared_fields() -> None:
    report = profiles.guidance_for("us", "report")
    text = " ".join(report.points)
    assert "NCMEC" in text and "POSH" not in text and "Report Harmful Content" not in text
    ids = [spec.id for spec in report.fields]
    # Shared per-account fields survive the override; UK-only fields are dropped.
    assert ids[:5] == ["report_type", "reported_on", "reference", "outcome", "follow_up_on"]
    assert "ncmec_reference" in ids and "district_informed" in ids
    assert not {"helpline_contacted", "helpline_reference", "report_harmful_content"} & set(ids)
    # The England report step is untouched by the US file.
    england_ids = {spec.id for spec in profiles.guidance_for("england", "report").fields}
    assert "helpline_contacted" in england_ids and "ncmec_reference" not in england_ids


QUESTION = "Does this file contain, or might it contain, a nude or sexual image of anyone under 18?"


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_safety_gate_asks_the_question_and_says_never_to_handle_the_file(
    jurisdiction: Jurisdiction,
) -> None:
    gate = profiles.load_safety_gate(jurisdiction)
    assert gate.question == QUESTION
    text = " ".join(gate.instructions).lower()
    for verb in ("open", "copy", "forward", "save"):
        assert verb in text
    assert "description" in text and "web address" in text
    assert gate.refusal
    assert "police" in {agency.id for agency in gate.agencies}


@pytest.mark.parametrize("jurisdiction", [j for j in Jurisdiction if j is not Jurisdiction.US])
def test_uk_safety_gate_routes_to_police_ceop_and_report_remove(jurisdiction: Jurisdiction) -> None:
    gate = profiles.load_safety_gate(jurisdiction)
    assert {a.id for a in gate.agencies} >= {"police", "ceop", "report-remove", "iwf"}
    text = " ".join(gate.instructions)
    assert "Report Remove" in text and "CEOP" in text and "999" in text


def test_us_safety_gate_routes_to_ncmec_and_take_it_down() -> None:
    gate = profiles.load_safety_gate("us")
    assert {a.id for a in gate.agencies} >= {"police", "ncmec", "take-it-down"}
    text = " ".join(gate.instructions)
    assert "NCMEC" in text and "Take It Down" in text and "911" in text
    assert "CEOP" not in text


# --------------------------------------------------------------------------- edited data files


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_placeholder_in_guidance_is_rejected(resource_copy: Path) -> None:
    _edit(resource_copy / "guidance" / "steps.toml", "{learners} not to like", "{pupilz} not to like")
    with pytest.raises(ValidationError, match=r"steps\.toml.*gather-evidence.*\{pupilz\}"):
        profiles.load_step_guidance("england")


def test_a_field_of_unknown_kind_is_rejected(resource_copy: Path) -> None:
    _edit(resource_copy / "guidance" / "steps.toml", 'kind = "multiline"', 'kind = "essay"')
    with pytest.raises(ValidationError, match="essay"):
        profiles.load_step_guidance("wales")


def test_dropping_a_field_that_does_not_exist_is_rejected(resource_copy: Path) -> None:
    _edit(resource_copy / "guidance" / "steps-us.toml", '"report_harmful_content"]',
          '"report_harmful_content", "no_such_field"]')
    with pytest.raises(ValidationError, match=r"steps-us\.toml.*no_such_field"):
        profiles.load_step_guidance("us")


def test_safety_gate_naming_an_agency_the_profile_lacks_is_rejected(resource_copy: Path) -> None:
    _edit(resource_copy / "guidance" / "steps-us.toml", '"fbi"]', '"fbi", "ceop"]')
    with pytest.raises(ValidationError, match="ceop"):
        profiles.load_safety_gate("us")
