"""Evidence screens: the list of a case's evidence and the safety gate every file passes."""

from casebook.ui.evidence.evidence_widget import EvidenceWidget
from casebook.ui.evidence.safety_gate import RoutePanel, SafetyGateDialog, UnsafeNoteDialog

__all__ = ["EvidenceWidget", "RoutePanel", "SafetyGateDialog", "UnsafeNoteDialog"]
