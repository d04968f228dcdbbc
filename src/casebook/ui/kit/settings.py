"""Per-user UI preferences (window geometry, column widths; never case data)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "Casebook"
APPLICATION = "Casebook"
#: Which user's key the OS keyring holds on this computer ("remember on this computer").
KEYRING_USER_SETTING = "keyring/user_id"


def app_settings() -> QSettings:
    """An INI file in the user's config folder on every platform.

    Tests point it at a temporary folder with ``QSettings.setPath``.
    """
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION,
                     APPLICATION)
