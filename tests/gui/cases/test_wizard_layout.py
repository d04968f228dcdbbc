"""Issue 11 item 4: in the response wizard the required fields come first, "Please fill in…"
takes you to the first missing one and updates as fields are filled, and no page is thousands
of pixels tall; plus no two controls of a page share an Alt+letter (item 7)."""

from __future__ import annotations

import pytest
from case_helpers import open_case_view
from mnemonics import clashes
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.watch_stalls  # no GUI stall (tests/gui/stall_watch.py)

#: The tallest page may be this tall at 100% text (they were 1,000 to 2,100 px).
MAX_PAGE_HEIGHT = 1_400


def _wizard(qtbot, worker, casebook, case_id):  # type: ignore[no-untyped-def]
    casebook.cases.add_account(case_id, "Instagram", "@fake_crest", "baiting")
    view = open_case_view(qtbot, worker, casebook, case_id)
    wizard = view.open_wizard()
    qtbot.waitUntil(lambda: bool(wizard.pages), timeout=10_000)
    wizard.resize(1140, 700)
    return wizard


def test_required_first_and_pages_not_too_tall(qtbot, worker, unlocked_casebook,
                                               case_id) -> None:
    wizard = _wizard(qtbot, worker, unlocked_casebook, case_id)
    for index, page in enumerate(wizard.pages):
        wizard._show_page(index)
        QApplication.processEvents()
        height = page.content.minimumSizeHint().height()
        assert height <= MAX_PAGE_HEIGHT, f"step {page.number} is {height} px tall"
        if page.parts is not None:  # the step's answers come before the case's lists
            assert page.answers.y() < page.parts.y()
        required = [spec.required for spec in page.form.single]
        assert required == sorted(required, reverse=True), f"step {page.number}"
        assert clashes(wizard) == [], f"step {page.number}"
    wizard.discard()


def test_please_fill_in_jumps_to_the_field_and_updates_live(qtbot, worker, unlocked_casebook,
                                                            case_id) -> None:
    wizard = _wizard(qtbot, worker, unlocked_casebook, case_id)
    wizard._show_page(0)
    page = wizard.pages[0]
    page.scroll.verticalScrollBar().setValue(page.scroll.verticalScrollBar().maximum())
    wizard.done_button.click()
    assert wizard.showing_problems and wizard.jump_button.isVisible()
    first_text = wizard.banner.text()
    assert first_text.startswith("Please fill in:")
    missing = page.form.missing_required()
    assert len(missing) >= 2

    target = page.form.first_problem()
    assert target is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is (target.focusProxy() or target))
    top = target.mapTo(page.scroll.viewport(), QPoint(0, 0)).y()
    assert 0 <= top < page.scroll.viewport().height()  # scrolled into view

    # Filling the first one updates the message at once (no second click).
    qtbot.keyClicks(QApplication.focusWidget(), "A parent, by phone")
    assert missing[0] not in wizard.banner.text()
    assert wizard.banner.text() != first_text
    # The button now goes to the next missing field.
    second = wizard.go_to_first_problem()
    assert second is not None and second is not target
    while (widget := page.form.first_problem()) is not None:
        page.form.set_value(_field_id(page, widget), "x" if not _is_date(widget) else "today")
        page.form.changed.emit()
    assert "Everything this step needs is filled in" in wizard.banner.text()
    assert not wizard.jump_button.isVisible() and not wizard.showing_problems
    wizard.discard()


def _field_id(page, widget) -> str:  # type: ignore[no-untyped-def]
    return next(fid for (fid, item), w in page.form.widgets.items() if w is widget and not item)


def _is_date(widget) -> bool:  # type: ignore[no-untyped-def]
    from casebook.ui.widgets.date_field import DateField

    return isinstance(widget, DateField)


def test_escape_in_the_wizard_still_saves(qtbot, worker, unlocked_casebook, case_id) -> None:
    wizard = _wizard(qtbot, worker, unlocked_casebook, case_id)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=10_000)
