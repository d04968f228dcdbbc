"""The unlock screen."""

from casebook.ui.unlock.unlock_panel import UnlockPanel

__all__ = ["UnlockPanel"]
