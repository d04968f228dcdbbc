"""The one calm message for a failed job, with its log entry."""

from __future__ import annotations

import logging
import traceback

from casebook.errors import CasebookError

log = logging.getLogger("casebook.ui")

GENERIC_ERROR = (
    "Something unexpected went wrong, so that was not done. Anything already saved is safe. "
    "If it happens again, your IT support can find the details in the Casebook log."
)


def user_message(error: BaseException, doing: str = "") -> str:
    """What to show for an error: Casebook's own errors as they are, anything else calmly.

    Unknown errors go to the log as their type and stack only (never the message text, which
    could hold a name); file errors as their type and errno.
    """
    if isinstance(error, CasebookError):
        return str(error)
    where = f" while {doing}" if doing else ""
    if isinstance(error, OSError) and error.strerror:
        log.warning("file error%s: %s errno=%s", where, type(error).__name__, error.errno)
        return (f"Casebook could not use a file or folder: {error.strerror.lower()}. "
                "Check the folder exists and you can write to it, then try again.")
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected %s%s\n%s", type(error).__name__, where, stack)
    return GENERIC_ERROR
