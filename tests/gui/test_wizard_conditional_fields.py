"""Questions for the allegations referral appear only once the allegation question is ticked,
and what was typed is kept when the box is unticked again."""

from __future__ import annotations

import pytest

from casebook.domain import Jurisdiction, StepKey
from casebook.profiles import guidance_for
from casebook.ui.wizard.fields import FieldForm

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)


def test_staff_questions_follow_the_allegation_box(qtbot) -> None:  # type: ignore[no-untyped-def]
    specs = guidance_for(Jurisdiction.ENGLAND, StepKey.INVESTIGATION).fields
    form = FieldForm(specs, us=False)
    qtbot.addWidget(form)
    form.show()
    role = form.widget("staff_role")
    assert role.isHidden() and form.widget("harm_test").isHidden()
    assert not form.widget("possibly_criminal").isHidden()
    box = form.widget("staff_allegation")
    box.click()
    assert not role.isHidden() and not form.widget("previous_concerns").isHidden()
    qtbot.keyClicks(role, "Teacher of French")
    box.click()
    assert role.isHidden()
    assert form.values()["staff_role"] == "Teacher of French"
    # Stored answers show their questions when loaded.
    form.set_values({"staff_allegation": True, "staff_role": "Cover supervisor"})
    assert not role.isHidden() and role.text() == "Cover supervisor"
