"""verify opens read-only through the same URIs as the app (UNC shares, mapped drives) and
copes with odd folder names."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from casebook.services import Casebook, integrity
from casebook.storage.engine import sqlite_uri
from casebook.vault import KeyVault


@pytest.mark.parametrize(("path", "uri"), [
    (r"\\OAK-NAS\dsl\Case book\casebook.db", "file:////OAK-NAS/dsl/Case%20book/casebook.db"),
    (r"Z:\Casebook\casebook.db", "file:///Z:/Casebook/casebook.db"),
])
def test_windows_paths_give_read_only_uris_sqlite_accepts(path: str, uri: str) -> None:
    assert sqlite_uri(PureWindowsPath(path), "ro") == uri + "?mode=ro"


def test_verify_in_a_folder_with_spaces_hash_and_question_mark(tmp_path: Path) -> None:
    data = tmp_path / "DSL files #2? (copy)"
    book, _ = Casebook.create(data, school="Oak", jurisdiction="england", user_name="Ann",
                              passphrase="violet kettle harbour 42")
    book.cases.create("Case", "other")
    book.lock()
    key = KeyVault.load(data / "casebook.keys").unlock_with_passphrase(
        "1", "violet kettle harbour 42")
    report = integrity.verify_casebook(data / "casebook.db", key, data / "backups")
    assert report.ok, report.problems
    assert report.file.rows_checked >= 3
