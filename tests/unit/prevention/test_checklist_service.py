"""ChecklistService on a real encrypted casebook: reviews, answers, carry-forward, figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from prevention_helpers import PASSPHRASE, SECTIONS_V1, World

from casebook.domain import User, UserRole
from casebook.errors import PermissionDeniedError, ValidationError
from casebook.services import Casebook
from casebook.services.audit import verify_chain
from casebook.services.checklist import (
    IN_PLACE,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_STARTED,
    ChecklistService,
    next_year_label,
    school_year_label,
)


def test_first_use_creates_the_review_from_the_template(world: World) -> None:
    checklist = world.checklist()
    assert checklist.reviews() == []
    review = checklist.current_review()
    assert review.year_label == "2026–27"
    assert review.is_open and review.template_id == "test-checklist"
    items = checklist.items(review.id)
    assert [i.item_id for i in items] == [iid for _s, _t, entries in SECTIONS_V1
                                          for iid, _title, _target in entries]
    first = items[0]
    assert first.section_title == "Policy and procedures"
    assert first.title == "Online behaviour in school policies"
    assert first.target_level == 4
    assert first.level_text(3) == "In place and known to staff."
    assert {i.status for i in items} == {NOT_STARTED}
    # A second call returns the same review rather than making another.
    assert checklist.current_review().id == review.id
    assert len(checklist.reviews()) == 1


def test_answers_are_saved_encrypted_and_survive_reopening(world: World) -> None:
    checklist = world.checklist()
    review = checklist.current_review()
    checklist.update_item(review.id, "training", status=IN_PLACE, level=4, owner="Sam Patel",
                          evidence="Training log 2026", next_review=date(2027, 9, 1))
    world.book.lock()
    assert b"Sam Patel" not in world.book.paths.database.read_bytes()
    book = Casebook.open_with_passphrase(world.data_dir, PASSPHRASE, clock=world.clock)
    try:
        again = ChecklistService(book.store, loader=world.template.load)
        item = again.item(review.id, "training")
        assert (item.status, item.level, item.owner) == (IN_PLACE, 4, "Sam Patel")
        assert item.evidence == "Training log 2026" and item.next_review == date(2027, 9, 1)
        with book.store.read() as s:
            assert verify_chain(s).ok
    finally:
        book.lock()


def test_not_applicable_needs_a_reason(world: World) -> None:
    checklist = world.checklist()
    review = checklist.current_review()
    with pytest.raises(ValidationError, match="does not apply"):
        checklist.update_item(review.id, "parents", status=NOT_APPLICABLE)
    with pytest.raises(ValidationError, match="does not apply"):
        checklist.update_item(review.id, "parents", status=NOT_APPLICABLE, na_reason="   ")
    assert checklist.item(review.id, "parents").status == NOT_STARTED  # nothing half-saved
    item = checklist.update_item(review.id, "parents", status=NOT_APPLICABLE,
                                 na_reason="Sixth-form college: no parents' evenings")
    assert item.status == NOT_APPLICABLE and item.na_reason.startswith("Sixth-form")


@pytest.mark.parametrize("level", [0, 6, -1, True, 2.5, "3"])
def test_level_must_be_one_to_five(world: World, level: object) -> None:
    checklist = world.checklist()
    review = checklist.current_review()
    with pytest.raises(ValidationError, match="from 1 to 5"):
        checklist.update_item(review.id, "rshe", level=level)  # type: ignore[arg-type]


def test_other_bad_input_is_refused_with_a_plain_message(world: World) -> None:
    checklist = world.checklist()
    review = checklist.current_review()
    with pytest.raises(ValidationError, match="Choose a status"):
        checklist.update_item(review.id, "rshe", status="done")
    with pytest.raises(ValidationError, match="too long"):
        checklist.update_item(review.id, "rshe", owner="x" * 201)
    # Level can be cleared with None; leaving an argument out keeps the value.
    checklist.update_item(review.id, "rshe", level=3, owner="Jo")
    assert checklist.update_item(review.id, "rshe", level=None).owner == "Jo"
    assert checklist.item(review.id, "rshe").level is None


def test_new_review_carries_answers_forward_and_keeps_the_old_one_unchanged(world: World) -> None:
    checklist = world.checklist()
    old = checklist.current_review()
    checklist.update_item(old.id, "online-behaviour", status=IN_PLACE, level=3, owner="Head",
                          evidence="Policy v2", notes="Agreed by governors",
                          next_review=date(2027, 7, 1))
    checklist.update_item(old.id, "parents", status=NOT_APPLICABLE, na_reason="Not relevant")
    checklist.update_item(old.id, "training", status=IN_PROGRESS, level=2, owner="DSL")
    before = checklist.items(old.id)

    world.clock.advance(days=340)
    new = checklist.start_new_review("2027–28")
    assert new.id != old.id and new.is_open
    assert checklist.review(old.id).closed_at == world.clock.now
    assert checklist.current_review().id == new.id
    assert [r.year_label for r in checklist.reviews()] == ["2027–28", "2026–27"]

    carried = {i.item_id: i for i in checklist.items(new.id)}
    ob = carried["online-behaviour"]
    assert (ob.status, ob.level, ob.owner, ob.evidence, ob.notes, ob.next_review) == (
        IN_PLACE, 3, "Head", "Policy v2", "Agreed by governors", date(2027, 7, 1))
    assert carried["parents"].status == NOT_APPLICABLE
    assert carried["parents"].na_reason == "Not relevant"
    assert (carried["training"].status, carried["training"].level) == (IN_PROGRESS, 2)

    # Changing the new review leaves the old one exactly as it was...
    checklist.update_item(new.id, "online-behaviour", level=5, owner="New head")
    checklist.update_item(new.id, "training", status=IN_PLACE, level=4)
    assert checklist.items(old.id) == before
    # ...and the old one can no longer be changed.
    with pytest.raises(ValidationError, match="closed"):
        checklist.update_item(old.id, "training", level=5)
    assert checklist.items(old.id) == before


def test_year_labels_are_unique_and_suggested(world: World) -> None:
    checklist = world.checklist()
    checklist.current_review()
    assert checklist.suggested_next_label() == "2027–28"
    with pytest.raises(ValidationError, match="already a review"):
        checklist.start_new_review("2026–27")
    with pytest.raises(ValidationError, match="name for the review"):
        checklist.start_new_review("  ")
    assert school_year_label(date(2026, 8, 31)) == "2025–26"
    assert school_year_label(date(2026, 9, 1)) == "2026–27"
    assert next_year_label("2099-00") == "2100–01"
    assert next_year_label("Spring review") is None


def test_compare_shows_level_changes_per_item_and_section(world: World) -> None:
    checklist = world.checklist()
    a = checklist.current_review()
    checklist.update_item(a.id, "online-behaviour", level=2)
    checklist.update_item(a.id, "incident-procedure", level=2)
    checklist.update_item(a.id, "rshe", level=3)
    checklist.update_item(a.id, "training", level=1)
    b = checklist.start_new_review("2027–28")
    checklist.update_item(b.id, "online-behaviour", level=4)
    checklist.update_item(b.id, "incident-procedure", level=3)
    checklist.update_item(b.id, "rshe", level=2)
    checklist.update_item(b.id, "privacy", level=3)

    comparison = checklist.compare(a.id, b.id)
    assert (comparison.review_a.id, comparison.review_b.id) == (a.id, b.id)
    by_item = {c.item_id: c for c in comparison.items}
    assert by_item["online-behaviour"].change == 2
    assert by_item["incident-procedure"].change == 1
    assert by_item["rshe"].change == -1
    assert by_item["training"].change == 0
    assert by_item["privacy"].change is None  # not rated last year
    assert (by_item["privacy"].level_a, by_item["privacy"].level_b) == (None, 3)
    by_section = {c.section_id: c for c in comparison.sections}
    assert (by_section["policy"].average_a, by_section["policy"].average_b) == (2.0, 3.5)
    assert by_section["policy"].change == 1.5
    assert by_section["education"].change == -1.0
    assert (by_section["staff"].average_a, by_section["staff"].average_b) == (1.0, 2.0)


def test_progress_counts_in_place_excluding_not_applicable(world: World) -> None:
    checklist = world.checklist()
    review = checklist.current_review()
    checklist.update_item(review.id, "rshe", status=IN_PLACE, level=4)
    checklist.update_item(review.id, "parents", status=NOT_APPLICABLE, na_reason="Boarding only",
                          level=1)
    checklist.update_item(review.id, "training", status=IN_PLACE, level=3)
    checklist.update_item(review.id, "privacy", status=IN_PROGRESS, level=2)
    progress = checklist.progress(review.id)
    sections = {p.section_id: p for p in progress.sections}
    education = sections["education"]
    assert (education.total, education.applicable, education.in_place) == (2, 1, 1)
    assert education.share_in_place == 1.0 and education.average_level == 4.0
    staff = sections["staff"]
    assert staff.share_in_place == 0.5 and staff.average_level == 2.5
    policy = sections["policy"]
    assert policy.share_in_place == 0.0 and policy.average_level is None
    assert progress.overall.applicable == 5 and progress.overall.in_place == 2
    assert progress.overall.average_level == 3.0
    assert [p.section_id for p in progress.sections] == ["policy", "education", "staff"]


def test_action_plan_lists_items_below_target_by_gap(world: World) -> None:
    checklist = world.checklist()
    review = checklist.current_review()
    # target 4 each in policy; 3 in education; training 4, privacy 3
    checklist.update_item(review.id, "online-behaviour", status=IN_PLACE, level=4)  # at target
    checklist.update_item(review.id, "incident-procedure", status=IN_PROGRESS, level=1)  # gap 3
    checklist.update_item(review.id, "rshe", status=IN_PLACE, level=2)  # gap 1
    checklist.update_item(review.id, "parents", status=NOT_APPLICABLE, na_reason="n/a")
    checklist.update_item(review.id, "training", status=IN_PROGRESS, level=4)  # at target, not in place
    # privacy unrated: gap 3 (target 3, counted from zero)
    plan = checklist.action_plan(review.id)
    assert [e.item.item_id for e in plan] == ["incident-procedure", "privacy", "rshe", "training"]
    assert [e.gap for e in plan] == [3, 3, 1, 0]
    assert plan[0].reason.startswith("Level 1, target 4")
    assert plan[1].reason.startswith("Not rated yet")
    assert "in progress" in plan[3].reason


def test_overdue_and_due_items(world: World) -> None:
    checklist = world.checklist()
    review = checklist.current_review()
    checklist.update_item(review.id, "rshe", next_review=date(2026, 10, 1))
    checklist.update_item(review.id, "training", next_review=date(2026, 10, 5))
    checklist.update_item(review.id, "privacy", next_review=date(2027, 1, 1))
    today = date(2026, 10, 5)
    assert [i.item_id for i in checklist.overdue(review.id, today)] == ["rshe"]
    assert [i.item_id for i in checklist.due(review.id, today)] == ["rshe", "training"]
    assert checklist.count_due(today) == 2
    assert checklist.overdue(review.id, date(2027, 1, 2))[-1].item_id == "privacy"


def test_template_version_change_adds_new_items_and_keeps_dropped_ones_readable(
        world: World) -> None:
    checklist = world.checklist()
    old = checklist.current_review()
    checklist.update_item(old.id, "privacy", status=IN_PLACE, level=3, owner="IT lead")
    checklist.update_item(old.id, "rshe", level=2)

    # Version 2 drops "privacy" and adds "official-accounts" to the staff section.
    v2 = [sec if sec[0] != "staff" else
          ("staff", "Staff and official accounts", [("training", "Staff training", 4),
                                                     ("official-accounts",
                                                      "Official accounts listed and verified", 3)])
          for sec in SECTIONS_V1]
    world.template.write(version=2, sections=v2)
    current = checklist.current_review()
    assert current.id == old.id and current.template_version == 2
    items = {i.item_id: i for i in checklist.items(old.id)}
    assert items["official-accounts"].status == NOT_STARTED
    assert items["official-accounts"].section_title == "Staff and official accounts"
    assert items["privacy"].in_template is False and items["privacy"].level == 3  # still readable
    assert items["rshe"].level == 2
    assert "privacy" not in {e.item.item_id for e in checklist.action_plan(old.id)}
    staff = next(p for p in checklist.progress(old.id).sections if p.section_id == "staff")
    assert staff.total == 2  # training + official-accounts; the dropped item no longer counts
    with pytest.raises(ValidationError, match="no longer in the checklist"):
        checklist.update_item(old.id, "privacy", level=4)

    # The next review only carries what the checklist still has.
    new = checklist.start_new_review("2027–28")
    new_items = {i.item_id: i for i in checklist.items(new.id)}
    assert "privacy" not in new_items
    assert new_items["rshe"].level == 2
    assert new_items["official-accounts"].status == NOT_STARTED
    old_items = {i.item_id: i for i in checklist.items(old.id)}
    assert old_items["privacy"].title == "Staff privacy settings"
    assert old_items["privacy"].owner == "IT lead"


def test_a_closed_review_keeps_its_text_when_the_template_changes(world: World) -> None:
    checklist = world.checklist()
    first = checklist.current_review()
    checklist.start_new_review("2027–28")
    renamed = [(sid, title.upper(), items) for sid, title, items in SECTIONS_V1]
    world.template.write(version=3, sections=renamed)
    checklist.current_review()  # syncs the open review only
    assert checklist.items(first.id)[0].section_title == "Policy and procedures"
    assert checklist.items(checklist.current_review().id)[0].section_title == "POLICY AND PROCEDURES"
    assert checklist.review(first.id).template_version == 1


def test_a_viewer_cannot_change_the_checklist(world: World) -> None:
    checklist = world.checklist()
    review = checklist.current_review()
    viewer = User(id=2, name="Viewer Val", role=UserRole.VIEWER, created_at=world.clock.now)
    as_viewer = ChecklistService(replace(world.book.store, user=viewer), loader=world.template.load)
    assert as_viewer.current_review().id == review.id
    with pytest.raises(PermissionDeniedError):
        as_viewer.update_item(review.id, "rshe", level=3)
    with pytest.raises(PermissionDeniedError):
        as_viewer.start_new_review("2027–28")
