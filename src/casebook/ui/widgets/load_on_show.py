"""A screen that reads its data on the DB worker the first time it is shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class LoadOnShowView(QWidget):
    """Base for the school-wide screens (checklist, tracker, official accounts).

    Subclasses keep what they last loaded in ``self._bundle`` (None until the first load),
    implement ``refresh()`` and own a ``self.message`` label for calm error text.
    """

    failed = Signal(str)  # a calm, user-ready message

    _bundle: Any = None

    def refresh(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().showEvent(event)
        if self._bundle is None:
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(str(error))  # type: ignore[attr-defined]
        self.failed.emit(str(error))
