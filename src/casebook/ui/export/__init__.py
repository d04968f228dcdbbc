"""Export… dialogs: a case to a PDF report, and the governors' termly summary."""

from casebook.ui.export.case_dialog import ExportDialog
from casebook.ui.export.governors_dialog import GovernorsExportDialog

__all__ = ["ExportDialog", "GovernorsExportDialog"]
