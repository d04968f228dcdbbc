"""Use cases of Casebook. No Qt here: the UI and the CLI both build on these."""

from casebook.services.casebook import (
    Casebook,
    RestoreResult,
    VerifyReport,
    restore,
    restore_casebook,
)
from casebook.services.cases import CaseFilter, CaseService
from casebook.services.evidence import EvidenceService
from casebook.storage.writer_lock import CasebookInUseError

__all__ = ["Casebook", "CasebookInUseError", "CaseFilter", "CaseService", "EvidenceService",
           "VerifyReport", "restore", "RestoreResult", "restore_casebook"]
