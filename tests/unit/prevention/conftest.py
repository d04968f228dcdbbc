"""Fixtures for the prevention services (checklist, official accounts, tracker, dashboard)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("CASEBOOK_INSECURE_TEST_KDF", "1")

from prevention_helpers import World, make_world  # noqa: E402


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A new encrypted casebook (England) with a clock at 5 October 2026, 09:00."""
    w = make_world(tmp_path)
    try:
        yield w
    finally:
        w.book.lock()
