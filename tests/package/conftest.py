"""Smoke tests of a built bundle: run by `make package-check`, which sets CASEBOOK_BUNDLE.

`make test` does not collect them (there is no bundle to test until `make package` ran).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BUNDLE_ENV = "CASEBOOK_BUNDLE"

if not os.environ.get(BUNDLE_ENV):
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def bundle() -> Path:
    path = Path(os.environ[BUNDLE_ENV]).resolve()
    assert (path / "casebook-admin").is_file() or (path / "casebook-admin.exe").is_file(), (
        f"no bundle at {path}: run `make package` first")
    return path
