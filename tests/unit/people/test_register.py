"""The people register: UPNs, adding and finding people, linking them to cases, a learner's
file across cases with other learners labelled, and the audit entry of every change."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from casebook.domain import PersonKind, PersonRole, normalise_upn, upn_check_letter
from casebook.errors import NotFoundError, ValidationError
from casebook.storage import tables as t

#: B801200005001 is the DfE guide's worked example; the rest are made with its check letter.
VALID_UPN = "B801200005001"


def make_upn(body: str) -> str:
    return upn_check_letter("?" + body) + body


def test_upn_check_letter_matches_the_dfe_example() -> None:
    assert upn_check_letter(VALID_UPN) == "B"
    assert normalise_upn(" b80120 0005001 ") == VALID_UPN
    assert normalise_upn("") is None


@pytest.mark.parametrize("bad, words", [
    ("A801200005001", "wrong check letter"),
    ("B80120000500", "13 characters"),
    ("B8012000050011", "13 characters"),
    ("B8012000X5001", "11 digits"),
    ("B80120000500S", "11 digits"),  # S is not a check-alphabet letter
])
def test_bad_upns_are_refused_in_plain_words(bad: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        normalise_upn(bad)


def test_temporary_upn_with_a_letter_at_the_end() -> None:
    upn = make_upn("80120000501A")
    assert normalise_upn(upn) == upn


def test_add_find_search_and_update(new_casebook) -> None:  # type: ignore[no-untyped-def]
    people = new_casebook.people
    zoe = people.add("learner", "Zoë", "Ødegård", preferred_name="Zo", upn=VALID_UPN,
                     date_of_birth=date(2014, 2, 3), year_group="Year 7",
                     registration_group="7B")
    assert people.find(VALID_UPN.lower()).id == zoe.id
    assert people.find(str(zoe.id)).upn == VALID_UPN
    assert [p.id for p in people.search("zo")] == [zoe.id]
    assert [p.id for p in people.search("7b")] == [zoe.id]
    assert people.search("nobody") == []
    assert zoe.review_date() == date(2039, 2, 3)
    with pytest.raises(ValidationError, match="already has the UPN"):
        people.add("learner", "Other", "Child", upn=VALID_UPN)
    with pytest.raises(ValidationError, match="Only learners"):
        people.add("staff", "Ann", "Teacher", upn=make_upn("801200005002"))
    with pytest.raises(NotFoundError, match="Nobody in the register"):
        people.find("999")
    left = people.mark_left(zoe.id, date(2026, 7, 20))
    assert not left.on_roll and left.left_on == date(2026, 7, 20)


def test_every_register_change_is_audited_without_names(new_casebook) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    case = book.cases.create("Fake account", "impersonation")
    zoe = book.people.add("learner", "Zoë", "Ødegård", upn=VALID_UPN)
    book.people.update(zoe.id, year_group="Year 8")
    book.people.link_to_case(case.id, zoe.id, "harmed")
    with book.store.read() as s:
        rows = list(s.scalars(select(t.AuditRow).order_by(t.AuditRow.seq)))
    actions = [r.action for r in rows]
    assert {"register.add", "register.update", "case.link"} <= set(actions)
    assert all("Zo" not in (r.detail + r.target) for r in rows)
    assert book.verify().chain.ok


def test_case_link_puts_the_person_on_the_case(new_casebook) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    case = book.cases.create("Fake account", "impersonation")
    zoe = book.people.add("learner", "Zoë", "Ødegård", upn=VALID_UPN,
                          date_of_birth=date(2014, 2, 3))
    link = book.people.link_to_case(case.id, zoe.id, PersonRole.HARMED)
    assert link.case_reference == case.reference
    people = book.cases.people(case.id)
    assert [(p.name, p.kind, p.role) for p in people] == [
        ("Zoë Ødegård", PersonKind.LEARNER, PersonRole.HARMED)]
    assert book.people.register_ids(case.id) == {people[0].id: zoe.id}
    with pytest.raises(ValidationError, match="already on this case"):
        book.people.link_to_case(case.id, zoe.id, "harmed")
    with pytest.raises(ValidationError, match="not a known role"):
        book.people.link_to_case(case.id, zoe.id, "bystander")
    book.people.link_to_case(case.id, zoe.id, "witness")  # a second role is fine
    assert len(book.people.links(zoe.id)) == 2


def test_learner_file_spans_cases_and_labels_other_learners(new_casebook, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook
    zoe = book.people.add("learner", "Zoë", "Ødegård", upn=VALID_UPN)
    sam = book.people.add("learner", "Samir", "Haddad")
    mum = book.people.add("parent", "Maria", "Haddad")
    teacher = book.people.add("staff", "Ann", "Teacher")
    first = book.cases.create("Baiting page", "baiting")
    second = book.cases.create("Fight video", "video")
    third = book.cases.create("Unrelated", "other")
    book.people.link_to_case(first.id, zoe.id, "harmed")
    book.people.link_to_case(first.id, sam.id, "suspected-creator")
    book.people.link_to_case(first.id, mum.id, "reporter")
    book.people.link_to_case(first.id, teacher.id, "witness")
    book.people.link_to_case(second.id, zoe.id, "witness")
    book.cases.add_entry(first.id, "Samir Haddad posted Zoë's photo; Maria Haddad rang Ann "
                         "Teacher.", occurred_at=datetime(2026, 3, 1, 9, 0))
    book.cases.add_entry(second.id, "Zoë saw the video.", occurred_at=datetime(2026, 2, 1, 9, 0))
    book.cases.add_entry(third.id, "Nothing to do with Zoë's file")
    book.cases.add_action(first.id, "Meet Samir's parents", "Ann Teacher", date(2026, 3, 9))
    book.cases.add_decision(first.id, "Report to the platform", "It breaks its rules")
    book.cases.set_status(second.id, "closed", "Resolved")

    file = book.people.learner_file(zoe.id)
    texts = [(e.case_reference, e.role, e.text) for e in file.entries]
    assert (second.reference, PersonRole.WITNESS, "Zoë saw the video.") in texts
    assert (first.reference, PersonRole.HARMED,
            "Learner A posted Zoë's photo; Parent or carer A rang Ann Teacher.") in texts
    assert all(ref != third.reference for ref, _r, _t in texts)
    assert all("Samir" not in text and "Haddad" not in text for *_x, text in texts)
    assert [e.occurred_at for e in file.entries] == sorted(e.occurred_at for e in file.entries)
    assert any(e.kind == "decision" for e in file.entries)
    assert [c[0] for c in file.open_cases] == [first.reference]
    assert file.open_actions == ((first.reference, "Meet Learner A's parents", date(2026, 3, 9)),)


def test_us_casebooks_label_other_children_as_students(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from casebook.services import Casebook

    book, _key = Casebook.create(tmp_path / "us", school="Maple Middle School",
                                 jurisdiction="us", user_name="Pat Counselor",
                                 passphrase="violet kettle harbour 42")
    try:
        ana = book.people.add("learner", "Ana", "Lopez")
        ben = book.people.add("learner", "Ben", "Carter")
        case = book.cases.create("Group chat", "harassment")
        book.people.link_to_case(case.id, ana.id, "harmed")
        book.people.link_to_case(case.id, ben.id, "suspected-creator")
        book.cases.add_entry(case.id, "Ben Carter posted about Ana.")
        texts = [e.text for e in book.people.learner_file(ana.id).entries]
        assert "Student A posted about Ana." in texts
    finally:
        book.lock()
