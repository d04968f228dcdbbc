"""Setting a widget's enum property by its Qt name (casebook.ui.kit.by_name)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from casebook.ui.kit.by_name import set_by_name


def test_a_key_and_combined_flags_are_set(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    set_by_name(label, "alignment", "AlignTop|AlignRight")
    assert label.alignment() == Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight
    set_by_name(label, "textFormat", "PlainText")
    assert label.textFormat() == Qt.TextFormat.PlainText


@pytest.mark.parametrize(("prop", "value"), [("alignment", "AlignSideways"),
                                             ("alignmnet", "AlignTop")])
def test_a_misspelt_key_or_property_is_an_error_not_a_default(qtbot, prop: str,
                                                             value: str) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    with pytest.raises(ValueError, match=prop):
        set_by_name(label, prop, value)
    assert label.alignment() == Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
