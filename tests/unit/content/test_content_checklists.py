"""The default preventative-policy checklists and a local authority's own checklist file."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook import profiles
from casebook.domain.enums import Jurisdiction
from casebook.errors import ValidationError


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_every_jurisdiction_resolves_to_a_versioned_checklist(jurisdiction: Jurisdiction) -> None:
    checklist = profiles.load_checklist(jurisdiction)
    assert jurisdiction in checklist.jurisdictions
    assert checklist.id and checklist.title and checklist.publisher
    assert checklist.version >= 1
    assert 5 <= len(checklist.sections) <= 6
    for section in checklist.sections:
        assert 3 <= len(section.items) <= 6, section.id
    ids = [item.id for item in checklist.items]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_every_item_has_five_levels_lowest_first_and_a_target(jurisdiction: Jurisdiction) -> None:
    for item in profiles.load_checklist(jurisdiction).items:
        assert len(item.levels) == profiles.MATURITY_LEVELS == 5
        assert all(level.strip() for level in item.levels)
        # 1 is the lowest rung and 5 the highest: a higher number is better.
        assert item.level(1).startswith("Nothing in place"), item.id
        assert item.level(5).startswith("Embedded"), item.id
        assert 1 <= item.target_level <= 5
        assert item.title and item.description
    with pytest.raises(ValueError):
        profiles.load_checklist(jurisdiction).items[0].level(6)


def test_default_target_level_is_three_with_stricter_items() -> None:
    checklist = profiles.load_checklist("england")
    assert checklist.item("policy.online-behaviour").target_level == 3
    assert checklist.item("accounts.two-factor").target_level == 4


def _text(item: profiles.ChecklistItemTemplate) -> str:
    return " ".join([item.title, item.description, *item.levels]).lower()


@pytest.mark.parametrize("jurisdiction", [Jurisdiction.ENGLAND, Jurisdiction.US])
def test_checklist_covers_every_preventative_topic(jurisdiction: Jurisdiction) -> None:
    checklist = profiles.load_checklist(jurisdiction)
    sections = {section.id for section in checklist.sections}
    assert sections == {"policy", "expectations", "curriculum", "staff", "accounts", "response"}

    def has(item_id: str, *words: str) -> None:
        text = _text(checklist.item(item_id))
        for word in words:
            assert word in text, (item_id, word)

    # Policies: online behaviour and a procedure for incidents.
    has("policy.online-behaviour", "online")
    has("policy.incident-procedure", "procedure", "fake")
    # Expectations on mobile technology and social media, for staff, parents and young people.
    has("expectations.young-people", "phones", "social media")
    has("expectations.devices-on-site", "devices", "filming")
    has("expectations.parents", "parents")
    has("expectations.staff", "social media")
    # Curriculum, including the permanence of a digital footprint.
    has("curriculum.online-safety", "online safety")
    has("curriculum.relationships", "healthy relationship", "respect", "positive")
    has("curriculum.digital-footprint", "digital footprint", "for ever")
    # Staff training, conduct, being targeted, privacy settings checked regularly.
    has("staff.training", "trained")
    has("staff.behaviour-policy", "code of conduct" if jurisdiction is Jurisdiction.US
        else "staff behaviour policy")
    has("staff.targeted", "report", "support")
    has("staff.privacy-settings", "privacy settings", "regularly")
    # Official accounts: listed, verified, escalation contact, log-ins, two-factor.
    has("accounts.register", "list")
    has("accounts.verification", "verification")
    has("accounts.escalation-contact", "escalat", "contact")
    has("accounts.logins", "log-in")
    has("accounts.two-factor", "two-factor")
    # Incident response: who does what, the five steps, contacts to hand.
    has("response.roles", "who leads", "fake account")
    has("response.five-steps", "gather evidence", "report")
    has("response.contacts", "contact")


def test_uk_checklist_uses_each_nations_wording() -> None:
    england = profiles.load_checklist("england")
    scotland = profiles.load_checklist("scotland")
    assert england.id == scotland.id  # one file, worded per nation
    assert "POSH" in _text(england.item("response.contacts")).upper()
    assert "RSHE" in england.sections[2].title
    assert "RSHP" in scotland.sections[2].title
    assert "pupils" in scotland.item("curriculum.reporting").title.lower()
    us = profiles.load_checklist("us")
    assert "ncmec" in _text(us.item("response.contacts"))


# --------------------------------------------------------------------------- local authority files

GOOD = """\
id = "la-checklist"
version = 2
title = "Borough online safety checklist"
publisher = "Example Borough Council"
jurisdictions = ["england", "wales"]

[[sections]]
id = "policy"
title = "Policy"

[[sections.items]]
id = "policy.one"
title = "Online behaviour in the {behaviour_policy}"
description = "What {learners} are told."
target_level = 2
[sections.items.levels]
1 = "Nothing in place."
2 = "Started."
3 = "In place."
4 = "Working well."
5 = "Embedded and evidenced."
"""


def _write(tmp_path: Path, text: str, name: str = "borough.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_local_authority_file_loads_and_is_reread_each_time(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    checklist = profiles.load_checklist("england", path)
    assert checklist.publisher == "Example Borough Council"
    assert checklist.version == 2 and checklist.source == "borough.toml"
    item = checklist.item("policy.one")
    assert item.title == "Online behaviour in the behaviour policy"
    assert item.description == "What learners are told."
    assert item.target_level == 2 and item.level(5) == "Embedded and evidenced."
    _write(tmp_path, GOOD.replace("version = 2", "version = 3"))
    assert profiles.load_checklist("england", path).version == 3
    # The default is unaffected.
    assert profiles.load_checklist("england").publisher == "Casebook"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('3 = "In place."\n', "", "level 3"),
        ('5 = "Embedded and evidenced."\n', '5 = "Embedded and evidenced."\n6 = "Beyond."\n',
         "level(s) 6"),
        ('version = 2', 'version = "two"', "version"),
        ('title = "Policy"\n', "", "title"),
        ('target_level = 2', "target_level = 9", "target_level"),
        ('jurisdictions = ["england", "wales"]', 'jurisdictions = ["scotland"]', "not england"),
        ('jurisdictions = ["england", "wales"]', 'jurisdictions = ["mars"]', "mars"),
        ('id = "policy.one"', 'id = "Policy One!"', "Policy One!"),
        ('{behaviour_policy}', "{behavior_code}", "{behavior_code}"),
        ('title = "Borough', 'title = Borough', "not valid TOML"),
        ('[[sections.items]]', '[[sections.things]]', "item"),
    ],
)
def test_a_malformed_local_authority_file_names_the_file_and_the_problem(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ValidationError) as caught:
        profiles.load_checklist("england", path)
    message = str(caught.value)
    assert "borough.toml" in message
    assert problem in message
    assert "\n" not in message  # one calm line


def test_duplicate_item_ids_are_rejected(tmp_path: Path) -> None:
    start = GOOD.index("[[sections.items]]")
    path = _write(tmp_path, GOOD + "\n" + GOOD[start:])
    with pytest.raises(ValidationError, match=r"borough\.toml.*repeats the item id “policy\.one”"):
        profiles.load_checklist("england", path)


def test_a_missing_local_authority_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"gone\.toml.*cannot be found"):
        profiles.load_checklist("england", tmp_path / "gone.toml")


def test_a_profile_pointing_at_a_missing_checklist_is_reported(resource_copy: Path) -> None:
    (resource_copy / "checklists" / "default-us.toml").unlink()
    with pytest.raises(ValidationError, match=r"default-us\.toml"):
        profiles.load_checklist("us")
