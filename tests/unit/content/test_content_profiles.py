"""Jurisdiction profiles, agencies, platforms and wording terms."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from casebook import profiles
from casebook.domain.enums import Jurisdiction
from casebook.errors import NotFoundError, ValidationError

UK = [Jurisdiction.ENGLAND, Jurisdiction.WALES, Jurisdiction.SCOTLAND, Jurisdiction.NORTHERN_IRELAND]


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_every_jurisdiction_loads_with_terms_agencies_and_rules(jurisdiction: Jurisdiction) -> None:
    profile = profiles.load_profile(jurisdiction)
    assert profile.jurisdiction is jurisdiction
    assert profile.name
    for key in profiles.REQUIRED_TERMS:
        assert profile.terms[key].strip(), key
    ids = [agency.id for agency in profile.agencies]
    assert len(ids) == len(set(ids))
    # Every profile offers the three routes the response steps rely on.
    assert {"police", "allegations", "social-care"} <= set(ids)
    for agency in profile.agencies:
        assert agency.body in profiles.AGENCY_BODIES
        assert agency.purpose and agency.when_to_use
        assert agency.last_checked == date(2026, 11, 23), agency.id
    assert profile.retention.child_protection_years_after_birth == 25
    assert profile.retention.staff_allegation_years == 10
    assert profile.transfer.school_days == 5
    assert "5 school days" in profile.transfer.text


def test_profiles_are_cached_and_accept_enum_or_string() -> None:
    assert profiles.load_profile("england") is profiles.load_profile(Jurisdiction.ENGLAND)


def test_unknown_jurisdiction_is_a_calm_validation_error() -> None:
    with pytest.raises(ValidationError, match="atlantis"):
        profiles.load_profile("atlantis")


def test_terms_are_read_only_so_the_cached_profile_cannot_be_corrupted() -> None:
    profile = profiles.load_profile("us")
    with pytest.raises(TypeError):
        profile.terms["learner"] = "pupil"  # type: ignore[index]


def test_markings() -> None:
    for jurisdiction in UK:
        assert profiles.load_profile(jurisdiction).marking == "OFFICIAL-SENSITIVE"
    us_marking = profiles.load_profile("us").marking
    assert "CONFIDENTIAL" in us_marking and "STUDENT" in us_marking


def test_wording_terms_per_jurisdiction() -> None:
    england = profiles.load_profile("england")
    us = profiles.load_profile("us")
    assert profiles.term(england, "learner") == "learner"
    assert profiles.term(england, "allegations_short") == "LADO"
    assert "LADO" in profiles.term(profiles.load_profile("wales"), "allegations_route")
    assert profiles.term(england, "local_authority") == "local authority"
    assert profiles.term(england, "year_group") == "year group"
    assert profiles.term(us, "learner") == "student"
    assert profiles.term(us, "Learners") == "Students"  # capitalised form
    assert profiles.term(us, "local_authority") == "district"
    assert profiles.term(us, "year_group") == "grade"
    assert profiles.term(us, "school_police_officer") == "the school resource officer"
    # Scotland and Northern Ireland have no LADO: their route is named for what it is.
    for name in ("scotland", "northern-ireland"):
        assert "LADO" not in profiles.term(profiles.load_profile(name), "allegations_route")
    with pytest.raises(KeyError):
        profiles.term(england, "no_such_term")


def test_fill_terms_for_ui_strings() -> None:
    us = profiles.load_profile("us")
    assert profiles.fill_terms(us, "{Learners} in {year_group} 9") == "Students in grade 9"
    with pytest.raises(KeyError):
        profiles.fill_terms(us, "{not_a_term}")


def _agency_text(agency: profiles.Agency) -> str:
    return " ".join([agency.name, agency.purpose, agency.when_to_use, agency.not_for]).lower()


@pytest.mark.parametrize("jurisdiction", UK)
def test_uk_agencies(jurisdiction: Jurisdiction) -> None:
    profile = profiles.load_profile(jurisdiction)
    posh = profile.agency("posh")
    assert posh.body == "helpline"
    assert "48 hours" in posh.when_to_use and "platform first" in posh.when_to_use
    assert "weekday" in posh.hours.lower()
    rhc = profile.agency("report-harmful-content")
    assert "13" in rhc.when_to_use and "platform" in rhc.when_to_use
    assert "reply" in rhc.when_to_use  # it wants the platform's response
    assert {"ceop", "report-remove", "iwf", "childline"} <= {a.id for a in profile.agencies}
    assert "999" in profile.agency("police").phone and "101" in profile.agency("police").phone


@pytest.mark.parametrize("jurisdiction", UK)
def test_ceop_is_marked_not_for_bullying_or_fake_accounts(jurisdiction: Jurisdiction) -> None:
    ceop = profiles.load_profile(jurisdiction).agency("ceop")
    assert ceop.body == "exploitation"
    assert "sexual abuse" in ceop.purpose and "grooming" in ceop.purpose
    warning = ceop.not_for.lower()
    assert warning.startswith("not for")
    assert "bullying" in warning and "fake" in warning and "hacked" in warning


def test_allegation_routes_are_named_for_each_nation() -> None:
    assert "LADO" in profiles.load_profile("england").agency("allegations").name
    assert "LADO" in profiles.load_profile("wales").agency("allegations").name
    scotland = profiles.load_profile("scotland").agency("allegations")
    assert "inter-agency referral discussion" in scotland.when_to_use
    northern_ireland = profiles.load_profile("northern-ireland").agency("allegations")
    assert "Child Protection Support Service" in northern_ireland.name
    assert "Gateway" in northern_ireland.when_to_use and "PSNI" in northern_ireland.when_to_use


def test_us_agencies() -> None:
    us = profiles.load_profile("us")
    ids = {agency.id for agency in us.agencies}
    assert {"ncmec", "take-it-down", "fbi", "district-line", "school-resource-officer"} <= ids
    assert us.agency("police").phone == "911"
    assert "sextortion" in _agency_text(us.agency("fbi"))
    assert "own device" in us.agency("take-it-down").purpose
    # No UK-only services leak into the US profile.
    assert not ids & {"posh", "ceop", "report-harmful-content", "iwf", "report-remove"}
    with pytest.raises(NotFoundError):
        us.agency("ceop")


def test_retention_dates() -> None:
    retention = profiles.load_profile("england").retention
    assert retention.child_protection_review_date(date(2012, 3, 1)) == date(2037, 3, 1)
    assert retention.child_protection_review_date(date(2012, 2, 29)) == date(2037, 2, 28)
    allegation = date(2026, 1, 10)
    # Younger member of staff: retirement age comes later than ten years.
    assert retention.staff_allegation_review_date(allegation, date(1990, 5, 4)) == date(2057, 5, 4)
    # Near retirement: ten years from the allegation is later.
    assert retention.staff_allegation_review_date(allegation, date(1962, 5, 4)) == date(2036, 1, 10)
    assert retention.staff_allegation_review_date(allegation) == date(2036, 1, 10)
    assert retention.remove_malicious_allegations
    assert any("inquiry" in note for note in retention.notes)


# --------------------------------------------------------------------------- platforms


def test_platforms_cover_the_main_ones_with_structured_form_fields() -> None:
    platforms = profiles.load_platforms()
    assert [p.id for p in platforms] == ["meta", "tiktok", "x", "youtube", "snapchat", "other"]
    for platform in platforms:
        assert platform.report_route and platform.who_may_report
        assert len(platform.form_fields) >= 3
    meta = profiles.platform_by_name("Instagram")
    assert any("photo id" in f.lower() for f in meta.form_fields)
    assert "parent" in meta.who_may_report
    tiktok = profiles.platform_by_name("TikTok")
    assert any("signature" in f.lower() for f in tiktok.form_fields)
    assert any("country" in f.lower() for f in tiktok.form_fields)
    x = profiles.platform_by_name("x")
    assert x.who_may_report.startswith("Only")
    assert "trademark" in x.report_route
    snapchat = profiles.platform_by_name("snapchat")
    assert "police" in snapchat.notes
    common = profiles.load_common_report_fields()
    assert any("ticket" in f for f in common) and any("official account" in f for f in common)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Instagram", "meta"), ("FACEBOOK", "meta"), ("Twitter", "x"), (" X ", "x"),
     ("x (twitter)", "x"), ("tik tok", "tiktok"), ("YouTube", "youtube"), ("Snap", "snapchat"),
     ("Mastodon", "other"), ("", "other")],
)
def test_platform_by_name_is_forgiving_and_falls_back_to_other(typed: str, expected: str) -> None:
    assert profiles.platform_by_name(typed).id == expected


# --------------------------------------------------------------------------- wording


_LEARNER = re.compile(r"\blearners?\b", re.IGNORECASE)
_US_WORDS = re.compile(r"\b(students?|districts?)\b", re.IGNORECASE)


def test_us_wording_says_student_and_never_learner(texts_for) -> None:
    texts = texts_for(Jurisdiction.US)
    offending = [(where, text) for where, text in texts if _LEARNER.search(text)]
    assert offending == []
    assert any(re.search(r"\bstudents?\b", text) for _, text in texts)


def test_england_wording_never_says_student_or_district(texts_for) -> None:
    texts = texts_for(Jurisdiction.ENGLAND)
    offending = [(where, text) for where, text in texts if _US_WORDS.search(text)]
    assert offending == []
    assert any(_LEARNER.search(text) for _, text in texts)


# --------------------------------------------------------------------------- edited data files


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_profile_missing_a_term_is_rejected_naming_file_and_term(resource_copy: Path) -> None:
    _edit(resource_copy / "profiles" / "england.toml", 'dsl_short = "DSL"\n', "")
    with pytest.raises(ValidationError) as caught:
        profiles.load_profile("england")
    assert "england.toml" in str(caught.value) and "dsl_short" in str(caught.value)


def test_a_local_correction_to_a_shared_agency_wins(resource_copy: Path) -> None:
    path = resource_copy / "profiles" / "wales.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[agencies]]\nid = "posh"\nname = "POSH (local note)"\nbody = "helpline"\n'
        'purpose = "Local wording."\nwhen_to_use = "As agreed locally."\n',
        encoding="utf-8",
    )
    wales = profiles.load_profile("wales")
    assert wales.agency("posh").name == "POSH (local note)"
    assert [a.id for a in wales.agencies].count("posh") == 1
    assert profiles.load_profile("england").agency("posh").name.startswith("Professionals")


def test_an_agency_with_an_unknown_body_is_rejected(resource_copy: Path) -> None:
    _edit(resource_copy / "profiles" / "uk-common.toml", 'body = "support"', 'body = "friends"')
    with pytest.raises(ValidationError, match=r"uk-common\.toml.*friends"):
        profiles.load_profile("scotland")


def test_platforms_file_without_other_is_rejected(resource_copy: Path) -> None:
    _edit(resource_copy / "profiles" / "platforms.toml", 'id = "other"', 'id = "misc"')
    with pytest.raises(ValidationError, match=r"platforms\.toml.*other"):
        profiles.load_platforms()


def test_content_loader_does_not_pull_in_qt_or_the_database() -> None:
    code = (
        "import sys, casebook.profiles as p\n"
        "p.load_profile('england'); p.load_checklist('us'); p.load_step_guidance('wales')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'shiboken6')]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
