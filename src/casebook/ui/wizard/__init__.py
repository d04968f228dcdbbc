"""The response wizard: one resumable page per response step."""

from casebook.ui.wizard.wizard import ResponseWizard, resume_index

__all__ = ["ResponseWizard", "resume_index"]
