"""PDF reports: templates as data, redaction before rendering, AES-256 encryption on writing.

Typical use from a service (on the worker thread)::

    pdf = render_case_report(data, options, progress=on_progress)   # bytes, in memory
    write_pdf_atomically(pdf, chosen_path, options.password)        # the only disk write

or ``export_case_report(data, options, path, progress)`` which does both and returns an
:class:`ExportResult` for the audit log.
"""

from casebook.reports.data import (
    CaseReportData,
    ExportOptions,
    GovernorsSummaryData,
    ImageLoader,
    OfficialAccountRef,
    ProgressCallback,
)
from casebook.reports.export import (
    ExportResult,
    PreparedReport,
    chosen_entries,
    default_evidence_ids,
    export_case_report,
    export_governors_summary,
    get_template,
    prepare_case_report,
    render_case_report,
    render_document,
    render_governors_summary,
    save_prepared_report,
    template_choices,
    write_pdf_atomically,
)
from casebook.reports.redaction import (
    NameFinding,
    RedactionPlan,
    default_named_person_ids,
    find_known_names,
    plan_redaction,
)
from casebook.reports.templates import (
    TEMPLATES,
    BuildContext,
    ReportTemplate,
    TemplateDef,
    Wording,
    register_template,
    wording_for,
)

__all__ = [
    "CaseReportData", "ExportOptions", "GovernorsSummaryData", "ImageLoader",
    "OfficialAccountRef", "ProgressCallback", "ExportResult", "export_case_report",
    "export_governors_summary", "get_template", "render_case_report", "render_document",
    "render_governors_summary", "template_choices", "write_pdf_atomically", "RedactionPlan",
    "default_named_person_ids", "plan_redaction", "PreparedReport", "chosen_entries",
    "default_evidence_ids", "prepare_case_report", "save_prepared_report", "NameFinding",
    "find_known_names", "TEMPLATES", "BuildContext",
    "ReportTemplate", "TemplateDef", "Wording", "register_template", "wording_for",
]
