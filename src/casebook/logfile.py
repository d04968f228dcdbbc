"""The app's log file: ids and events only (never names or case text), opened after the first
window is painted.

Opening it imports ``logging.handlers`` and the private-file helpers (about 15 ms on a
2-core machine): the few records logged before that are held in memory and written first, so
nothing is lost; :func:`open_log_file` also runs at exit if the window never came up.
"""

from __future__ import annotations

import atexit
import logging

_MAX_EARLY = 1000


class _EarlyRecords(logging.Handler):
    """Holds the records logged before the log file is open."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < _MAX_EARLY:
            self.records.append(record)


def start_logging(*, open_file: bool = True) -> None:
    """INFO and above from every logger; the file now, or held until :func:`open_log_file`."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    if open_file:
        open_log_file()
        return
    root.addHandler(_EarlyRecords())
    atexit.register(open_log_file)


def open_log_file() -> None:
    """Open the rotating log file (0600 in a 0700 folder) and write what was held. Idempotent."""
    root = logging.getLogger()
    early = [h for h in root.handlers if isinstance(h, _EarlyRecords)]
    if not early and any(getattr(h, "casebook_log", False) for h in root.handlers):
        return
    from casebook.fileio import PrivateRotatingFileHandler, private_dir
    from casebook.paths import log_dir

    try:
        folder = private_dir(log_dir())  # 0700, and every log file 0600, whatever the umask
        handler: logging.Handler = PrivateRotatingFileHandler(folder / "casebook.log",
                                                              maxBytes=1_000_000,
                                                              backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.casebook_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    for holder in early:
        root.removeHandler(holder)
        for record in holder.records:
            if record.levelno >= handler.level:
                handler.handle(record)
