"""Small widgets shared by the case view, the response wizard and the evidence screens."""

from casebook.ui.widgets.date_field import DateField, DateTimeField, parse_date
from casebook.ui.widgets.step_progress import StepProgress

__all__ = ["DateField", "DateTimeField", "StepProgress", "parse_date"]
