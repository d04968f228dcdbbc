"""Small widgets shared by the case view, the response wizard and the evidence screens.

The names below load on first use (PEP 562): importing one submodule, such as the main
window's ``scrolling_tabs``, does not import the date fields and step markers with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casebook.lazy import lazy_names

if TYPE_CHECKING:  # also what PyInstaller's analysis reads to bundle them
    from casebook.ui.widgets.date_field import DateField, DateTimeField, parse_date
    from casebook.ui.widgets.step_progress import StepProgress

_WHERE = {"DateField": "date_field", "DateTimeField": "date_field", "parse_date": "date_field",
          "StepProgress": "step_progress"}

__all__ = ["DateField", "DateTimeField", "StepProgress", "parse_date"]


__getattr__ = lazy_names(__name__, _WHERE)
