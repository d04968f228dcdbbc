"""The preventative-policy checklist screen."""

from casebook.ui.checklist.view import ChecklistView

__all__ = ["ChecklistView"]
