"""Corrections (issue 11, item 1): a typo in a name or handle can be put right without losing
the original; removing a person or account added by mistake is a correction with a reason;
exports print the corrected value; every correction is audited and in the chronology."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlcipher3
from service_helpers import Clock
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from casebook.domain import StepKey
from casebook.errors import NotFoundError, PermissionDeniedError, ValidationError
from casebook.services import Casebook


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 9, 0, 0))


@pytest.fixture
def book(tmp_path: Path, clock: Clock, dsl_passphrase: str):  # type: ignore[no-untyped-def]
    made, _ = Casebook.create(tmp_path / "cb", school="Oak School", jurisdiction="england",
                              user_name="Alex Morgan", passphrase=dsl_passphrase, clock=clock)
    with made:
        yield made


def _audit(book: Casebook) -> list[tuple[str, str, str]]:
    with book.store.read() as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT action, target, detail FROM audit_log ORDER BY seq"))]


def test_correcting_a_person_keeps_the_original_and_is_audited(book, clock) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Fake account", "impersonation")
    person = book.cases.add_person(case.id, "Jo Smiht", "learner", "harmed", year_group="Year 8")
    clock.advance(hours=1)

    fixed = book.cases.correct_person(person.id, "Typing mistake in the surname",
                                      name="Jo Smith", year_group="Year 9")
    assert (fixed.name, fixed.year_group) == ("Jo Smith", "Year 9")
    assert [p.name for p in book.cases.people(case.id)] == ["Jo Smith"]

    [correction] = book.cases.corrections(case.id)
    assert correction.record_kind == "person" and correction.record_id == person.id
    assert correction.before == {"name": "Jo Smiht", "year_group": "Year 8"}
    assert correction.after == {"name": "Jo Smith", "year_group": "Year 9"}
    assert correction.reason == "Typing mistake in the surname"
    assert (correction.made_by, correction.made_at) == ("Alex Morgan", clock.now)

    action, target, detail = _audit(book)[-1]
    assert (action, target, detail) == ("correction.person", f"person:{person.id}",
                                        "fields=name,year_group")
    assert "Smith" not in detail  # the audit log holds ids and field names only

    entry = book.cases.chronology(case.id)[-1]
    assert entry.system
    assert entry.text == ("Corrected the person's name and year group. "
                          "Reason: Typing mistake in the surname")
    assert "Smiht" not in entry.text  # the original lives in the corrections, not in exports


def test_accounts_actions_decisions_and_step_answers_can_be_corrected(book) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Baiting account", "baiting")
    account = book.cases.add_account(case.id, "Instagram", "@oakfeild_bait", "baiting",
                                     url="instagram.com/oakfeild_bait")
    action = book.cases.add_action(case.id, "Report to Instagram", "DSL", date(2026, 11, 3))
    decision = book.cases.add_decision(case.id, "Tell parents", "The learner asked us to")
    book.cases.save_step(case.id, StepKey.INVESTIGATION, {"summary": "Low risk"})

    fixed = book.cases.correct_account(account.id, "Handle misread", handle="@oakfield_bait",
                                       url="instagram.com/oakfield_bait")
    assert fixed.handle == "@oakfield_bait" and fixed.url == "https://instagram.com/oakfield_bait"
    assert book.cases.correct_action(action.id, "Wrong owner", owner="Deputy DSL").owner == \
        "Deputy DSL"
    assert book.cases.correct_decision(decision.id, "Reason was wrong",
                                       why="Policy requires it").why == "Policy requires it"
    book.cases.correct_step(case.id, StepKey.INVESTIGATION, "Risk reassessed",
                            {"summary": "Medium risk"})
    step = next(s for s in book.cases.get(case.id).steps if s.key == StepKey.INVESTIGATION)
    assert step.data["summary"] == "Medium risk"
    kinds = [(c.record_kind, c.before) for c in book.cases.corrections(case.id)]
    assert kinds == [("account", {"handle": "@oakfeild_bait",
                                  "url": "https://instagram.com/oakfeild_bait"}),
                     ("action", {"owner": "DSL"}),
                     ("decision", {"why": "The learner asked us to"}),
                     ("step", {"summary": "Low risk"})]


def test_bad_corrections_are_refused_and_change_nothing(book) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Fake account", "impersonation")
    person = book.cases.add_person(case.id, "Jo Smith", "learner", "harmed")
    with pytest.raises(ValidationError, match="why"):
        book.cases.correct_person(person.id, "  ", name="Jo Smyth")
    with pytest.raises(ValidationError, match="Nothing was changed"):
        book.cases.correct_person(person.id, "No change", name="Jo Smith")
    with pytest.raises(ValidationError, match="name"):
        book.cases.correct_person(person.id, "Blank it", name="")
    with pytest.raises(ValidationError, match="no handle"):
        book.cases.correct_person(person.id, "Wrong field", handle="@x")
    with pytest.raises(ValidationError, match="not a known role"):
        book.cases.correct_person(person.id, "Bad role", role="villain")
    with pytest.raises(NotFoundError):
        book.cases.correct_person(person.id + 99, "Missing", name="X")
    assert book.cases.corrections(case.id) == []
    assert book.cases.people(case.id)[0].name == "Jo Smith"


def test_removing_a_person_or_account_is_a_correction_never_a_delete(book) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Fake account", "impersonation")
    keep = book.cases.add_person(case.id, "Sam Lee", "learner", "harmed")
    wrong = book.cases.add_person(case.id, "Wrong Person", "learner", "witness")
    account = book.cases.add_account(case.id, "TikTok", "@not_this_one", "harassing")
    with pytest.raises(ValidationError, match="why"):
        book.cases.remove_person(wrong.id, "")

    book.cases.remove_person(wrong.id, "Added to the wrong case")
    book.cases.remove_account(account.id, "Duplicate of another account")
    assert [p.id for p in book.cases.people(case.id)] == [keep.id]
    assert book.cases.accounts(case.id) == []
    assert {p.id for p in book.cases.people(case.id, include_removed=True)} == {keep.id, wrong.id}
    with pytest.raises(NotFoundError):
        book.cases.remove_person(wrong.id, "Again")
    with pytest.raises(NotFoundError):
        book.cases.correct_person(wrong.id, "Too late", name="Other")

    removals = book.cases.corrections(case.id)
    assert [(c.record_kind, c.removal, c.before.get("name") or c.before.get("handle"))
            for c in removals] == [("person", True, "Wrong Person"),
                                   ("account", True, "@not_this_one")]
    assert [a for a, _t, _d in _audit(book)][-2:] == ["correction.remove-person",
                                                      "correction.remove-account"]
    texts = [e.text for e in book.cases.chronology(case.id) if e.system]
    assert any(t.startswith("Removed a person added by mistake") and "wrong case" in t
               for t in texts)
    assert not any("Wrong Person" in t for t in texts)


def test_the_database_keeps_corrections_append_only(book) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Fake account", "impersonation")
    person = book.cases.add_person(case.id, "Jo Smiht", "learner", "harmed")
    book.cases.correct_person(person.id, "Typo", name="Jo Smith")
    for statement in ("UPDATE corrections SET before_json = '{}'", "DELETE FROM corrections",
                      f"DELETE FROM people WHERE id = {person.id} AND 0"):
        try:
            with book.store.unaudited() as s:
                s.execute(text(statement))
        except (DBAPIError, sqlcipher3.DatabaseError) as exc:
            assert "append-only" in str(exc)
        else:
            assert statement.endswith("AND 0"), f"{statement} was allowed"
    assert book.cases.corrections(case.id)[0].before == {"name": "Jo Smiht"}


def test_a_viewer_cannot_correct(book, tmp_path) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Fake account", "impersonation")
    person = book.cases.add_person(case.id, "Jo Smiht", "learner", "harmed")
    from dataclasses import replace

    from casebook.domain import UserRole

    book.store.user = replace(book.store.user, role=UserRole.VIEWER)
    with pytest.raises(PermissionDeniedError):
        book.cases.correct_person(person.id, "Typo", name="Jo Smith")
    with pytest.raises(PermissionDeniedError):
        book.cases.remove_person(person.id, "Mistake")


def test_exports_print_the_corrected_value_and_leave_removed_people_out(book, tmp_path) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Fake account", "impersonation")
    person = book.cases.add_person(case.id, "Jo Smiht", "learner", "harmed")
    wrong = book.cases.add_person(case.id, "Wrongly Added", "staff", "reporter")
    account = book.cases.add_account(case.id, "Instagram", "@oakfeild_fake", "impersonating-school")
    book.cases.correct_person(person.id, "Typo", name="Jo Smith")
    book.cases.correct_account(account.id, "Typo", handle="@oakfield_fake")
    book.cases.remove_person(wrong.id, "Not involved")

    out = tmp_path / "case.pdf"
    book.exports.export_case(case.id, "case-file", out, named_person_ids={person.id})
    words = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "Jo Smith" in words and "@oakfield_fake" in words
    assert "Wrongly Added" not in words and "Smiht" not in words
    assert "@oakfeild_fake" not in words
    flat = " ".join(words.split())
    assert "Corrected the account's handle. Reason: Typo" in flat
    assert "Account added on Instagram (see Accounts)." in flat


def test_step_answers_per_person_dates_and_yes_no_are_corrected_and_exported(book, tmp_path) -> None:  # type: ignore[no-untyped-def]
    case = book.cases.create("Fake account", "impersonation")
    jo = book.cases.add_person(case.id, "Jo Smith", "learner", "harmed")
    book.cases.save_step(case.id, StepKey.SUPPORT, {
        "support_by": {str(jo.id): "Form tutr"}, "follow_up_on": {str(jo.id): "2026-11-05"}})
    book.cases.save_step(case.id, StepKey.GATHER_EVIDENCE, {"captures_dated": True})

    book.cases.correct_step(case.id, StepKey.SUPPORT, "Typo and a new date",
                            {"support_by": {str(jo.id): "Head of year"},
                             "follow_up_on": {str(jo.id): date(2026, 11, 12)}})
    book.cases.correct_step(case.id, "gather-evidence", "Not dated after all",
                            {"captures_dated": False})
    with pytest.raises(ValidationError, match="Nothing was changed"):
        book.cases.correct_step(case.id, StepKey.SUPPORT, "Same again",
                                {"follow_up_on": {str(jo.id): "2026-11-12"}})
    with pytest.raises(ValidationError, match="could not be saved"):
        book.cases.correct_step(case.id, StepKey.SUPPORT, "Odd value",
                                {"support_by": {str(jo.id): object()}})

    support = book.cases.get(case.id).step(StepKey.SUPPORT)
    assert support.data == {"support_by": {str(jo.id): "Head of year"},
                            "follow_up_on": {str(jo.id): "2026-11-12"}}
    steps = [c for c in book.cases.corrections(case.id) if c.record_kind == "step"]
    assert [c.before for c in steps] == [
        {"support_by": {str(jo.id): "Form tutr"}, "follow_up_on": {str(jo.id): "2026-11-05"}},
        {"captures_dated": True}]
    assert steps[0].record_id == support.id
    assert [a for a in _audit(book) if a[0] == "correction.step"] == [
        ("correction.step", f"case:{case.id}", "step=support,answers=2"),
        ("correction.step", f"case:{case.id}", "step=gather-evidence,answers=1")]

    out = tmp_path / "case.pdf"
    book.exports.export_case(case.id, "case-file", out, named_person_ids={jo.id})
    words = " ".join(subprocess.run(["pdftotext", "-layout", str(out), "-"],
                                    capture_output=True, text=True, check=True).stdout.split())
    assert "Head of year" in words and "Form tutr" not in words
    assert "Check in again on: 12 November 2026" in words and "5 November 2026" not in words
    assert "Corrected answers to" in words and "Reason: Not dated after all" in words
