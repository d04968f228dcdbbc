"""What an allegations referral form and a platform's report form ask for is in the PDF."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from report_helpers import ANAIS, make_case_data, options, pdf_text

from casebook.domain import AccountKind, Jurisdiction, StepKey
from casebook.profiles import guidance_for
from casebook.reports import render_case_report

DETAILS = {"address": "1 Oak Lane, Testtown TE1 1ST", "urn": "123456",
           "headteacher": "Dr R. Head", "phone": "01632 960000",
           "email": "dsl@oakfield.example", "website": "https://oakfield.example"}


def _data(jurisdiction: Jurisdiction = Jurisdiction.ENGLAND, **answers: object):
    data = make_case_data(jurisdiction)
    steps = tuple(replace(s, data={**s.data, **answers}) if s.key == StepKey.INVESTIGATION
                  else s for s in data.case.steps)
    return replace(data, case=replace(data.case, steps=steps), school_details=DETAILS)


def _text(tmp_path, data, template_id: str, named: set[int]) -> str:
    path = tmp_path / f"{template_id}.pdf"
    path.write_bytes(render_case_report(data, options(template_id, named)))
    return " ".join(pdf_text(path).split())


def test_lado_referral_carries_the_forms_questions(tmp_path) -> None:
    data = _data(staff_role="Teacher of French", staff_employment="supply",
                 staff_start_date="2024-09-02", staff_status="leave", staff_told="advised-not",
                 incident_date="2026-02-20", harm_test="unsuitable",
                 allegation_parents_told=True)
    text = _text(tmp_path, data, "lado-referral", {ANAIS})
    for expected in ("Referrer and school", "Referrer Alex Morgan", "01632 960000",
                     "dsl@oakfield.example", "1 Oak Lane, Testtown TE1 1ST", "123456",
                     "Headteacher Dr R. Head",
                     "The member of staff's role or job title Teacher of French",
                     "How they work for the school Supply or agency",
                     "Date they started working at the school 2 September 2024",
                     "Their current status On leave",
                     "No: advised not to tell them yet",
                     "When it is alleged to have happened 20 February 2026",
                     "may be unsuitable to work with children",
                     "have been told Yes"):
        assert expected in text, expected
    # Not answered yet: said so, not left out.
    assert "Other work with children, if known Not recorded" in text
    assert "including low-level concerns Not recorded" in text


@pytest.mark.parametrize(("jurisdiction", "urn", "head"), [
    (Jurisdiction.SCOTLAND, "SEED number", "Head teacher"),
    (Jurisdiction.NORTHERN_IRELAND, "DE reference number", "Principal"),
    (Jurisdiction.WALES, "School number (LA and establishment)", "Headteacher"),
    (Jurisdiction.US, "School ID (state or district number)", "Principal"),
])
def test_each_nation_names_its_school_number_and_head(tmp_path, jurisdiction, urn, head) -> None:
    text = _text(tmp_path, _data(jurisdiction), "lado-referral", {ANAIS})
    assert f"{urn} 123456" in text and f"{head} Dr R. Head" in text


def test_platform_pack_gives_the_reporter_and_an_impersonated_learner(tmp_path) -> None:
    data = _data()
    account = replace(data.accounts[0], kind=AccountKind.IMPERSONATING_LEARNER)
    data = replace(data, accounts=(account, *data.accounts[1:]))
    text = _text(tmp_path, data, "platform-pack", {ANAIS})
    assert "Who is reporting" in text and "01632 960000" in text
    assert "https://oakfield.example" in text
    assert "Pretends to be a learner" in text
    assert "A learner of the school: Learner A" in text
    assert "Zoë" not in text and "Ødegård" not in text


def test_staff_questions_are_asked_only_after_the_allegation_question() -> None:
    fields = {f.id: f for f in guidance_for(Jurisdiction.ENGLAND, StepKey.INVESTIGATION).fields}
    for field_id in ("staff_role", "staff_employment", "staff_status", "harm_test",
                     "previous_concerns"):
        assert fields[field_id].shown_when == "staff_allegation"
    us = {f.id: f for f in guidance_for(Jurisdiction.US, StepKey.INVESTIGATION).fields}
    assert "district HR" in us["allegations_decision"].label
    assert us["allegation_parents_told"].label == ("The parents and guardians of the students "
                                                   "concerned have been told")


def test_platform_pack_gives_the_accounts_id_and_when_each_screenshot_was_captured(
        tmp_path) -> None:
    data = _data()
    account = replace(data.accounts[0], platform_account_id="1789234567")
    shot = replace(data.evidence[0], captured_at=datetime(2026, 3, 1, 21, 14))
    data = replace(data, accounts=(account, *data.accounts[1:]),
                   evidence=(shot, *data.evidence[1:]))
    text = _text(tmp_path, data, "platform-pack", {ANAIS})
    assert "Account's numeric id 1789234567" in text
    assert "(captured 1 March 2026, 21:14)" in text
    assert "when it was captured is not recorded" in text  # the other screenshot
