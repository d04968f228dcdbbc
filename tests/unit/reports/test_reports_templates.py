"""Each template's content as pdftotext reads it back, plus what every page must carry."""

from __future__ import annotations

import re

import pytest
from report_helpers import (
    ALL_TEMPLATES,
    ANAIS,
    CASE_TEMPLATES,
    REFERENCE,
    make_case_data,
    options,
    render_to,
    summary_data,
)

from casebook.domain import Jurisdiction
from casebook.errors import NotFoundError, ValidationError
from casebook.profiles import load_common_report_fields, platform_by_name
from casebook.reports import render_case_report, render_governors_summary, template_choices
from casebook.reports.templates import load_definition


@pytest.mark.parametrize("template_id", ALL_TEMPLATES)
def test_every_page_has_marking_page_numbers_and_generated_line(rendered, template_id) -> None:
    result = rendered[template_id]
    pages = result.pages
    total = result.page_count()
    assert len(pages) == total >= 1
    for number, page in enumerate(pages, start=1):
        # Marking at the top and at the bottom of every page.
        assert page.count("OFFICIAL-SENSITIVE") >= 2, f"page {number}"
        assert f"Page {number} of {total}" in page
        assert "Generated 12 March 2026, 16:45 by Alex Morgan" in page
        if template_id in CASE_TEMPLATES:
            assert f"Casebook reference {REFERENCE}" in page
    assert "Page 1 of" in pages[0]


def test_case_file_has_every_part_of_the_record(rendered) -> None:
    text = rendered["case-file"].flat
    for heading in ("Case file", "Case summary", "People involved", "Accounts",
                    "The five response steps", "1. Gather evidence", "2. Initial investigation",
                    "3. Internal sanctions and support", "4. Support for staff and learners",
                    "5. Report", "Decisions and reasons", "Actions", "Reports and referrals made",
                    "Chronology", "Evidence log", "About this document"):
        assert heading in text, heading
    # School, DSL, outcomes, decisions with reasons, actions, evidence hashes.
    assert "Oakfield Academy" in text
    assert "Alex Morgan, Designated safeguarding lead" in text
    assert "Refer to the LADO" in text
    assert "Reason: A post alleges Anaïs Dubois-Martin is under investigation" in text
    # Step answers in the words of the step guidance, per person and per account.
    assert "How it came to light Parent or carer" in text
    assert "Date parents and carers were informed 5 March 2026" in text
    assert "Learner A Support offered: Daily check-in with her tutor Who is providing it: " \
        "Tutor 9R Check in again on: 20 March 2026" in text
    assert "Instagram @oakfield.muggies Reported as: Bullying" in text
    assert "Report the Instagram account again with the crest evidence" in text
    assert "Overdue" in text and "Done 5 Mar 2026" in text
    assert "a3f1" * 16 in text
    assert "@oakfield.muggies" in text and "@oakfield_staffroom" in text
    assert "Amendment 2.1 to entry 2" in text


def test_lado_referral_covers_the_allegation(rendered) -> None:
    text = rendered["lado-referral"].flat
    for heading in ("Allegation referral to the LADO", "The member of staff concerned",
                    "What is alleged", "When and how it came to light",
                    "What has been done so far", "Who else has been told"):
        assert heading in text, heading
    assert "Name or label Anaïs Dubois-Martin" in text
    assert "LADO/26/118" in text and "1029384756" in text
    assert "Raised by Parent A (Parent or carer)" in text
    # The amended entry is quoted as amended.
    assert "(as amended)" in text and "library (not the toilets)" in text


def test_platform_pack_has_one_section_per_account_with_what_the_form_asks(rendered) -> None:
    result = rendered["platform-pack"]
    text = result.flat
    for number, platform in ((1, "Instagram"), (2, "TikTok"), (3, "X")):
        assert f"Account {number}: {platform}" in text
    # Each account section starts on its own page.
    starts = [i for i, page in enumerate(result.pages) if re.search(r"Account \d: ", page)]
    assert len(starts) == 3 and len(set(starts)) == 3
    assert "Baiting: collects photos, rumours or videos" in text
    assert "The school: Oakfield Academy" in text
    assert "The school owns its name, crest and logo" in text  # standing to report
    assert "@oakfieldacademy https://www.instagram.com/oakfieldacademy/ (Verified since 2024)" \
        in text
    assert "The school has no official account on this platform." in text  # TikTok
    for platform in ("Instagram", "TikTok", "X"):
        for asked in platform_by_name(platform).form_fields:
            assert " ".join(asked.split()) in text, asked
    for common in load_common_report_fields():
        assert " ".join(common.split()) in text


def test_helpline_pack_lists_platform_references_responses_and_urgency(rendered) -> None:
    text = rendered["helpline-pack"].flat
    for heading in ("Helpline escalation pack", "Why this is urgent",
                    "Reports already made to the platforms", "Other agencies told"):
        assert heading in text, heading
    assert "1029384756" in text and "TT-88412" in text
    assert "This account doesn't go against our Community Guidelines." in text
    assert "The school rates the risk in this case as high." in text
    assert "48-hour wait" in text
    assert "1 report(s) to the platforms were refused or had no reply." in text
    assert "Days since reported 9" in text  # TikTok, reported 3 March, pack made 12 March


def test_chronology_shows_every_entry_and_amendments(rendered) -> None:
    text = rendered["chronology"].flat
    for number in range(1, 9):
        assert f"Entry {number} · " in text
    # The original wording and the amendment, its reason, who and when.
    assert "was crying in the toilets" in text
    assert "upset in the library (not the toilets)" in text
    assert "Reason for the amendment: Place corrected after speaking to the tutor again." in text
    assert "recorded 3 Mar 2026 09:00 by Alex Morgan" in text
    assert "This entry was later amended" in text


def test_evidence_log_lists_items_with_hashes_and_how_to_check_them(rendered) -> None:
    text = rendered["evidence-log"].flat
    assert "How to check the evidence hashes" in text
    assert "Get-FileHash -Algorithm SHA256" in text and "sha256sum" in text
    for prefix in ("a3f1", "b4e2", "c5d3", "d6c4", "e7b5"):
        assert prefix * 16 in text
    assert "47.1 KB (48,213 bytes)" in text
    assert "Added by Alex Morgan" in text and "Source USB stick" in text
    assert "Description and web address only" in text  # the note item, no file
    assert text.count("No preview") == 1  # the damaged PNG; the PDF is not an image at all


def test_governors_summary_has_counts_and_charts_and_no_names(rendered) -> None:
    result = rendered["governors-summary"]
    text = result.flat
    for heading in ("Governors' termly online-safety summary", "Overview",
                    "New cases by month", "Cases by type", "Cases by status",
                    "Accounts by platform", "Platform reports by outcome"):
        assert heading in text, heading
    assert "Spring term 2026" in text
    assert "Cases in the period 14" in text
    assert "Baiting account 5" in text and "Instagram 8" in text and "Refused 4" in text
    assert "Jan 2026" in text and "Feb 2026" in text
    assert "Alex Morgan" in text  # the generator only


def test_us_profile_changes_marking_wording_and_dates(tmp_path) -> None:
    result = render_to(tmp_path, "case-file", jurisdiction=Jurisdiction.US)
    text = result.flat
    for page in result.pages:
        assert page.count("CONFIDENTIAL – STUDENT RECORD") >= 2
    assert "OFFICIAL-SENSITIVE" not in text
    assert "Student A" in text and "Learner A" not in text
    assert "Generated March 12, 2026, 4:45 PM by Alex Morgan" in text
    assert "4. Support for staff and students" in text
    lado = render_to(tmp_path, "lado-referral", jurisdiction=Jurisdiction.US).flat
    assert "Referral of an allegation against an employee" in lado
    assert "LADO (local authority designated officer)" not in lado


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_every_template_renders_in_every_jurisdiction(jurisdiction) -> None:
    data = make_case_data(jurisdiction)
    for template_id in ("case-file", "lado-referral", "platform-pack", "helpline-pack"):
        pdf = render_case_report(data, options(template_id, {ANAIS}))
        assert pdf.startswith(b"%PDF")
    titles = dict(template_choices(jurisdiction))
    assert set(titles) == set(CASE_TEMPLATES)
    for template_id in ALL_TEMPLATES:
        definition = load_definition(template_id)
        assert definition.title(jurisdiction)
        assert definition.intro(jurisdiction)
        assert definition.recipient_suggestions(jurisdiction)


def test_template_choices_are_in_menu_order() -> None:
    ids = [template_id for template_id, _ in template_choices(Jurisdiction.ENGLAND, kind=None)
           if template_id in ALL_TEMPLATES]
    assert ids == ["case-file", "lado-referral", "platform-pack", "helpline-pack", "chronology",
                   "evidence-log", "governors-summary"]


def test_unknown_or_mismatched_templates_are_calm_errors() -> None:


    with pytest.raises(NotFoundError):
        render_case_report(make_case_data(), options("no-such-template"))
    with pytest.raises(ValidationError):
        render_case_report(make_case_data(), options("governors-summary"))
    with pytest.raises(ValidationError):
        render_governors_summary(summary_data(), options("case-file"))
