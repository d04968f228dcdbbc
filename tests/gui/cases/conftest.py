"""Fixtures for the case view, wizard and evidence GUI tests (helpers: ``case_helpers.py``).

The shared ``tests/gui/conftest.py`` gives ``casebook_dir`` and isolates settings, keyring and
prompts. Here ``unlocked_casebook`` and ``worker`` are overridden (same names) so a test can pick
the jurisdiction (``@pytest.mark.parametrize("jurisdiction", ["us"])``) and so the worker stops
before the casebook locks; ``prompt_seam`` also fails a test that queued answers it never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# Re-exported so that an old-style ``from conftest import PASSPHRASE`` gets the shared values
# whichever conftest pytest loaded last; this folder's casebooks use CASE_PASSPHRASE.
from gui_defaults import PASSPHRASE, SCHOOL, USER_NAME  # noqa: E402, F401
from PySide6.QtWidgets import QApplication

from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.worker import DbWorker

CASE_PASSPHRASE = "a long enough test passphrase 1234"


@pytest.fixture
def jurisdiction() -> str:
    return "england"


@pytest.fixture
def dsl_passphrase() -> str:
    """The passphrase of this folder's casebooks (a test that restores a backup types it)."""
    return CASE_PASSPHRASE


@pytest.fixture
def unlocked_casebook(casebook_dir: Path, jurisdiction: str,
                      monkeypatch: pytest.MonkeyPatch) -> Iterator[Casebook]:
    monkeypatch.setenv("CASEBOOK_INSECURE_TEST_KDF", "1")
    book, _recovery = Casebook.create(casebook_dir, school="Test School",
                                      jurisdiction=jurisdiction, user_name="Sam Patel",
                                      passphrase=CASE_PASSPHRASE)
    yield book
    book.lock()


@pytest.fixture(autouse=True)
def prompt_seam() -> Iterator[None]:
    prompts.set_testing(True)
    prompts.answers.clear()
    prompts.shown.clear()
    yield
    leftover = list(prompts.answers)
    prompts.answers.clear()
    assert not leftover, f"answers queued but never asked for: {leftover}"


@pytest.fixture
def worker(qapp: QApplication, unlocked_casebook: Casebook) -> Iterator[DbWorker]:
    """Depends on the casebook so it stops (finishing its jobs) before the casebook locks."""
    db = DbWorker()
    yield db
    db.stop()
    QApplication.processEvents()


@pytest.fixture
def case_id(unlocked_casebook: Casebook) -> int:
    case = unlocked_casebook.cases.create("Fake account using the school logo", "impersonation",
                                          "An account pretending to be the school.")
    return case.id
