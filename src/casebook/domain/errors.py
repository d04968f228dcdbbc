"""Errors a user may see. Each carries a plain, calm message fit to show as-is."""

from __future__ import annotations


class CasebookError(Exception):
    """Base class: ``str(error)`` is a one-line message for the user."""


class ValidationError(CasebookError):
    """Input that cannot be saved as given (the message says what to change)."""


class NotFoundError(CasebookError):
    """A record that does not exist (or no longer exists)."""


class WrongKeyError(CasebookError):
    """The passphrase, recovery key or remembered key did not open the casebook."""


class DamagedFileError(CasebookError):
    """A file is not a casebook, or is damaged. Nothing was changed."""


class TooManyAttemptsError(CasebookError):
    """Unlocking is paused after failed attempts; ``wait_seconds`` says for how long."""

    def __init__(self, message: str, wait_seconds: float) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class NewerVersionError(CasebookError):
    """The casebook was written by a newer version of Casebook; it is left untouched."""


class LockedError(CasebookError):
    """The casebook is locked; unlock it first."""


class PermissionDeniedError(CasebookError):
    """The signed-in user's role does not allow this."""


class EvidenceRefusedError(CasebookError):
    """Evidence that must not be stored (too large, or failed the safety gate)."""


class CasebookInUseError(CasebookError):
    """Another app or command has the casebook open for writing; ``owner`` says who, if known
    (a ``casebook.storage.writer_lock.LockOwner``)."""

    def __init__(self, message: str, owner: object | None = None) -> None:
        super().__init__(message)
        self.owner = owner
