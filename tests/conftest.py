"""Suite-wide test set-up.

- ``CASEBOOK_INSECURE_TEST_KDF=1`` is set at import time (before any casebook module runs), so
  new passphrase slots use a tiny Argon2 cost. It is set in ``os.environ`` so subprocesses
  started by tests inherit it.
- The OS keyring defaults to the "fail" backend, so no test can write into the keyring of the
  machine it runs on. Tests that need a keyring install their own backend.
- ``@pytest.mark.slow`` tests are deselected unless the ``-m`` expression names them
  (``pytest -m slow`` runs only them; ``-m "slow or not slow"`` runs everything).
"""

from __future__ import annotations

import os

os.environ.setdefault("CASEBOOK_INSECURE_TEST_KDF", "1")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from casebook.services import Casebook  # noqa: E402

#: Passphrase of the DSL (user id "1") in casebooks made by the fixtures.
DSL_PASSPHRASE = "violet kettle harbour 42"
DSL_NAME = "Alex Morgan"
SCHOOL_NAME = "Oakfield Primary School"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.option.markexpr or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]


@dataclass
class NewCasebook:
    """A casebook made for one test, with what it takes to open it again."""

    book: Casebook
    data_dir: Path
    passphrase: str
    recovery_key: str

    @property
    def database(self) -> Path:
        return self.book.paths.database

    @property
    def slots(self) -> Path:
        return self.book.paths.slots


@pytest.fixture
def dsl_passphrase() -> str:
    return DSL_PASSPHRASE


@pytest.fixture
def new_casebook_info(tmp_path: Path) -> Iterator[NewCasebook]:
    """A new, unlocked casebook in ``tmp_path/casebook`` (locked again at teardown)."""
    data_dir = tmp_path / "casebook"
    book, recovery = Casebook.create(
        data_dir, school=SCHOOL_NAME, jurisdiction="england", user_name=DSL_NAME,
        passphrase=DSL_PASSPHRASE,
    )
    info = NewCasebook(book, data_dir, DSL_PASSPHRASE, recovery)
    try:
        yield info
    finally:
        # A test may have locked it or swapped in a reopened casebook; lock whatever is there.
        info.book.lock()


@pytest.fixture
def new_casebook(new_casebook_info: NewCasebook) -> Casebook:
    """A new, unlocked casebook signed in as the DSL (locked at teardown)."""
    return new_casebook_info.book
