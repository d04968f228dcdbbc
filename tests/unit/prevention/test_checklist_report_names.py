"""Checklist evidence is printed as typed, so an export that would name someone the casebook
knows is refused, quoting the words to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from prevention_helpers import World

from casebook.errors import ValidationError
from casebook.services.checklist import IN_PLACE


def test_checklist_evidence_naming_a_known_learner_is_refused(world: World,
                                                              tmp_path: Path) -> None:
    case = world.book.cases.create("Baiting account", "baiting")
    world.book.cases.add_person(case.id, "Jayden Okoro", "learner", "harmed")
    checklist = world.checklist()
    review = checklist.current_review()
    checklist.update_item(review.id, "online-behaviour", status=IN_PLACE, level=4,
                          evidence="Policy v3; see the jaydenokoro incident log")
    target = tmp_path / "review.pdf"
    with pytest.raises(ValidationError, match="jaydenokoro"):
        checklist.export_pdf(review.id, target)
    assert not target.exists()
    checklist.update_item(review.id, "online-behaviour", evidence="Policy v3, agreed")
    assert checklist.export_pdf(review.id, target) >= 1
