"""The dashboard screen (first screen after unlocking) and the painted widgets it uses."""

from casebook.ui.dashboard.view import DashboardView

__all__ = ["DashboardView"]
