"""The template data files: complete, consistent with the code, and in our own words."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from report_helpers import ALL_TEMPLATES

from casebook.domain import (
    AccountKind,
    AccountStatus,
    CaseStatus,
    CaseType,
    Jurisdiction,
    PersonKind,
    PersonRole,
    RiskLevel,
    StepKey,
    StepStatus,
)
from casebook.reports import TEMPLATES, wording_for
from casebook.reports.sections import CASE_SECTIONS, SUMMARY_SECTIONS
from casebook.reports.templates import load_definition, templates_dir

SOURCE = Path(__file__).resolve().parents[3] / "src" / "casebook" / "reports"


def test_the_seven_templates_are_registered_with_known_sections() -> None:
    assert set(TEMPLATES) >= set(ALL_TEMPLATES)  # others (checklist-review) may join
    for template_id in ALL_TEMPLATES:
        template = TEMPLATES[template_id]
        definition = load_definition(template_id)
        known = SUMMARY_SECTIONS if template.kind == "summary" else CASE_SECTIONS
        assert definition.sections and set(definition.sections) <= set(known), template_id
        assert definition.sections[0] == "cover" and definition.sections[-1] == "closing"


def test_every_wording_key_the_code_uses_exists() -> None:
    used: set[str] = set()
    for path in SOURCE.glob("*.py"):
        used |= set(re.findall(r"\bw(?:ording)?\(\s*\"([a-z0-9_-]+)\"", path.read_text()))
        used |= set(re.findall(r"\.raw\(\s*\"([a-z0-9_-]+)\"", path.read_text()))
    assert len(used) > 80
    for jurisdiction in Jurisdiction:
        wording = wording_for(jurisdiction)
        missing = sorted(key for key in used if not wording.has(key))
        assert not missing, (jurisdiction, missing)
        for kind in AccountKind:
            assert wording.has(f"standing_{kind.value}")
        for kind in PersonKind:
            assert wording.pseudonym_prefix(kind)


@pytest.mark.parametrize("group,values", [
    ("person_kind", PersonKind), ("person_role", PersonRole), ("account_kind", AccountKind),
    ("account_status", AccountStatus), ("case_type", CaseType), ("case_status", CaseStatus),
    ("risk", RiskLevel), ("step", StepKey), ("step_status", StepStatus),
])
def test_every_stored_value_has_words(group, values) -> None:
    raw = tomllib.loads((templates_dir() / "common.toml").read_text(encoding="utf-8"))
    assert {v.value for v in values} <= set(raw["labels"]["default"][group]), group


def test_dates_do_not_depend_on_the_process_locale() -> None:
    from datetime import datetime

    moment = datetime(2026, 3, 2, 8, 5)
    assert wording_for(Jurisdiction.SCOTLAND).datetime(moment) == "2 March 2026, 08:05"
    assert wording_for(Jurisdiction.US).datetime(moment) == "March 2, 2026, 8:05 AM"
    assert wording_for(Jurisdiction.US).date(moment, short=True) == "Mar 2, 2026"

