"""The log file opens after the first window: what was logged before it is written first, in
order, nothing twice, and the file stays private (0600)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook import logfile


def _ours() -> list[logging.Handler]:
    """The root logger's handlers, less pytest's own capture handlers."""
    return [h for h in logging.getLogger().handlers
            if not type(h).__module__.startswith("_pytest")]


@pytest.fixture
def root_logger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The root logger with no handlers, logging to ``tmp_path/log``; put back afterwards."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers = []
    monkeypatch.setattr("casebook.paths.log_dir", lambda: tmp_path / "log")
    yield tmp_path / "log" / "casebook.log"
    for handler in root.handlers:
        handler.close()
    root.handlers, root.level = saved, level


def test_records_before_the_file_opens_are_written_first(root_logger: Path) -> None:
    logfile.start_logging(open_file=False)
    log = logging.getLogger("casebook.test")
    log.info("case %s opened", 12)
    log.debug("not at INFO")
    assert not root_logger.exists()  # nothing on disk before the window is up

    logfile.open_log_file()
    log.info("after the window")
    logfile.open_log_file()  # again (at exit): no second handler, nothing written twice
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = root_logger.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == ["case 12 opened", "after the window"]
    assert len(_ours()) == 1
    if sys.platform != "win32":
        assert os.stat(root_logger).st_mode & 0o777 == 0o600


def test_opening_at_once_is_the_default(root_logger: Path) -> None:
    logfile.start_logging()
    logging.getLogger("casebook.test").warning("straight to the file")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "straight to the file" in root_logger.read_text(encoding="utf-8")


def test_a_log_folder_that_cannot_be_made_falls_back_to_stderr(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root_logger: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr("casebook.paths.log_dir", lambda: blocker / "log")
    logfile.start_logging(open_file=False)
    logging.getLogger("casebook.test").info("held")
    logfile.open_log_file()  # no traceback: the records go to stderr instead
    handlers = _ours()
    assert len(handlers) == 1 and type(handlers[0]) is logging.StreamHandler
