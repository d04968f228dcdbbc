"""The checklist review PDF for governors: what it says, and that an export is audited."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from prevention_helpers import SCHOOL, World
from sqlalchemy import select

from casebook.domain import User, UserRole
from casebook.errors import PermissionDeniedError
from casebook.services.checklist import IN_PLACE, IN_PROGRESS, NOT_APPLICABLE, ChecklistService
from casebook.storage import tables as t


def _text(path: Path, password: str | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-upw", password] if password else []) + [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _rated(world: World) -> tuple[ChecklistService, int, int]:
    checklist = world.checklist()
    first = checklist.current_review()
    checklist.update_item(first.id, "online-behaviour", status=IN_PROGRESS, level=2,
                          owner="Headteacher")
    checklist.update_item(first.id, "rshe", status=IN_PLACE, level=3, owner="PSHE lead")
    second = checklist.start_new_review("2027–28")
    checklist.update_item(second.id, "online-behaviour", status=IN_PLACE, level=4,
                          evidence="Policy v3, agreed by governors", next_review=date(2026, 9, 1))
    checklist.update_item(second.id, "parents", status=NOT_APPLICABLE,
                          na_reason="Residential special school: families are contacted weekly")
    return checklist, first.id, second.id


def test_report_data_compares_with_the_previous_review(world: World) -> None:
    checklist, first, second = _rated(world)
    data = checklist.report_data(second)
    assert data.school.name == SCHOOL and data.year_label == "2027–28"
    assert data.previous_label == "2026–27"
    policy = next(s for s in data.sections if s.section_id == "policy")
    assert (policy.average_level, policy.previous_average) == (4.0, 2.0)
    item = next(i for i in data.items if i.item_id == "online-behaviour")
    assert (item.level, item.previous_level, item.overdue) == (4, 2, True)
    assert [a.title for a in data.actions][0] == "Procedure for online incidents"
    assert checklist.report_data(first).previous_label is None


def test_export_writes_the_review_with_sections_actions_and_reasons(world: World,
                                                                     tmp_path: Path) -> None:
    checklist, _first, second = _rated(world)
    target = tmp_path / "review.pdf"
    pages = checklist.export_pdf(second, target)
    assert pages >= 2
    text = _text(target)
    assert "OFFICIAL-SENSITIVE" in text and SCHOOL in text
    assert " ".join(text.split()).count("Compared with 2026–27") == 1
    for words in ("Summary by section", "Policy and procedures", "Education", "Staff",
                  "Action plan", "Reviews that are overdue", "Governing body",
                  "up 2.0",
                  "Residential special school"):
        assert words in text, words
    with world.book.store.read() as s:
        audit = s.scalars(select(t.AuditRow).where(t.AuditRow.action == "checklist.export")).one()
    assert audit.detail.startswith("template=checklist-review; pages=")
    assert "password=no" in audit.detail


def test_export_with_a_password_is_encrypted(world: World, tmp_path: Path) -> None:
    checklist, _first, second = _rated(world)
    target = tmp_path / "locked.pdf"
    checklist.export_pdf(second, target, password="governors-2027", recipient="Link governor")
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(target)
    with pikepdf.open(target, password="governors-2027") as pdf:
        assert pdf.is_encrypted
    assert "Link governor" in _text(target, "governors-2027")
    with world.book.store.read() as s:
        details = list(s.scalars(select(t.AuditRow.detail)))
    assert any("password=yes" in d for d in details)
    assert not any("governors-2027" in d for d in details)


def test_a_viewer_cannot_export(world: World, tmp_path: Path) -> None:
    checklist, _first, second = _rated(world)
    viewer = User(id=2, name="Viewer", role=UserRole.VIEWER, created_at=world.clock.now)
    as_viewer = ChecklistService(replace(world.book.store, user=viewer), loader=world.template.load)
    with pytest.raises(PermissionDeniedError):
        as_viewer.export_pdf(second, tmp_path / "no.pdf")
    assert not (tmp_path / "no.pdf").exists()
