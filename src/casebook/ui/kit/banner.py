"""The one message bar every screen uses: errors, confirmations, reminders.

Hidden when empty. ``kind`` picks the icon and tint: "info", "done", "wrong" (the user can fix
it), "wait", "damaged" or "error". Text is plain (never rich text from the user).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from casebook.ui.kit import palette

#: The style's standard icon for each kind, by name: naming QStyle here would build its many
#: enums (about 6 ms) before the first window is drawn, where no banner shows.
_ICONS = {
    "info": "SP_MessageBoxInformation",
    "done": "SP_DialogApplyButton",
    "wrong": "SP_MessageBoxWarning",
    "wait": "SP_MessageBoxWarning",
    "damaged": "SP_MessageBoxCritical",
    "error": "SP_MessageBoxCritical",
}
_TINTS = {"info": "info", "done": "done", "wrong": "attention", "wait": "attention"}


class Banner(QFrame):
    """A calm message line with an icon and a dismiss button."""

    def __init__(self, parent: QWidget | None = None, *, dismissable: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.kind = ""
        self.plain_text = ""
        self._dismissable = dismissable
        self._built = False  # the icon, text and button are made for the first message
        self.hide()

    def _build(self) -> None:
        """Most screens never show a message, and the unlock window's two banners are made
        before it is first drawn: their parts (and the ``Qt`` enums they need) wait until a
        message is shown."""
        from PySide6.QtCore import Qt

        self._built = True
        self._icon = QLabel(self)
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setAccessibleName("Message")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 4, 6)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Dismiss message")
        self.close_button.setToolTip("Dismiss message")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.clear)
        self.close_button.setVisible(self._dismissable)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

    def show_message(self, kind: str, text: str, heading: str = "") -> None:
        from html import escape

        from PySide6.QtWidgets import QStyle

        if not self._built:
            self._build()
        self.kind = kind
        icon = getattr(QStyle.StandardPixmap, _ICONS.get(kind, _ICONS["info"]))
        self._icon.setPixmap(self.style().standardIcon(icon).pixmap(20, 20))
        tint = palette.colour(_TINTS.get(kind, "warning"), self)
        self.setStyleSheet(
            f"#banner {{ border: 1px solid {tint.name()}; border-radius: 6px;"
            f" background: rgba({tint.red()}, {tint.green()}, {tint.blue()}, 28); }}")
        html = (f"<b>{escape(heading)}</b><br>" if heading else "") + escape(text)
        self.label.setText(html)
        self.plain_text = f"{heading} {text}".strip()
        self.label.setAccessibleName(self.plain_text)
        self.setAccessibleDescription(self.plain_text)
        self.show()

    def show_error(self, text: str) -> None:
        self.show_message("error", text)

    def show_info(self, text: str) -> None:
        self.show_message("info", text)

    def show_done(self, text: str) -> None:
        self.show_message("done", text)

    def text(self) -> str:
        return self.plain_text

    def clear(self) -> None:
        self.kind = ""
        self.plain_text = ""
        if self._built:
            self.label.clear()
        self.hide()
