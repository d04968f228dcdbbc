"""The platform report tracker screen."""

from casebook.ui.tracker.view import TrackerView

__all__ = ["TrackerView"]
