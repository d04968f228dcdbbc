"""The case People tab picks people from the register: a name already there is linked (no
second register entry), a new name is added to the register, and the names are suggested."""

from __future__ import annotations

from datetime import date

from case_helpers import open_case_view, wait_idle


def test_people_tab_links_register_entries(qtbot, worker, unlocked_casebook, case_id) -> None:  # type: ignore[no-untyped-def]
    book = unlocked_casebook
    zoe = book.people.add("learner", "Zoë", "Ødegård", date_of_birth=date(2014, 2, 3))
    view = open_case_view(qtbot, worker, book, case_id)
    view.select_tab("People")
    people = view.people
    wait_idle(qtbot, worker)
    assert "Zoë Ødegård" in people._names.stringList()
    for name, kind in (("Zoë Ødegård", "learner"), ("New Witness", "learner")):
        people.name_edit.setText(name)
        people.kind_combo.setCurrentIndex(people.kind_combo.findData(kind))
        people.role_combo.setCurrentIndex(people.role_combo.findData("witness"))
        rows = people.table.rowCount()
        people.add_button.click()
        qtbot.waitUntil(lambda r=rows: people.table.rowCount() == r + 1, timeout=10_000)
    assert [link.case_id for link in book.people.links(zoe.id)] == [case_id]
    learners = book.people.search(kind="learner")
    assert sorted(p.full_name for p in learners) == ["New Witness", "Zoë Ødegård"]
