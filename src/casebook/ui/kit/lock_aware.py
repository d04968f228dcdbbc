"""What the main window calls on its views and dialogs when the casebook locks or reopens.

Locking saves unsaved text first (:meth:`CaseTab.save_drafts`), then drops everything shown
(:meth:`CaseTab.clear`), then closes dialogs (:meth:`ClosesForLock.close_for_lock`). A case's
tab is a :class:`CaseTab`, so the main window calls these directly instead of probing for them.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


@runtime_checkable
class KeepsDrafts(Protocol):
    """A view with typed text to keep: the case views and the school-wide screens."""

    def save_drafts(self) -> None: ...


@runtime_checkable
class ClosesForLock(Protocol):
    """A dialog that drops what it shows before the lock closes it (no questions asked)."""

    def close_for_lock(self) -> None: ...


class CaseTab(QWidget):
    """Base of what a case's tab in the main window shows: the case view (or a placeholder).

    The defaults suit a view with no drafts and no inner tabs; the case view overrides them.
    """

    #: Something on the case was saved (the main window renames the tab, the list reloads).
    changed = Signal()

    def save_drafts(self) -> None:
        """Write unsaved typed text to the encrypted drafts (queued on the worker)."""
        return None

    def clear(self) -> None:
        """Drop every record shown and every answer still on its way (the view is not used
        again)."""
        return None

    def current_tab(self) -> str:
        """The inner tab in use, reopened after unlocking ("" for none)."""
        return ""

    def show_tab_when_loaded(self, name: str) -> None:
        """Show the inner tab ``name`` once the case has loaded (after unlocking)."""
        return None


__all__ = ["CaseTab", "ClosesForLock", "KeepsDrafts"]
