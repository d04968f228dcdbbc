"""A whole casebook life on a path that starts with // (how a network share reaches SQLite on
POSIX; on Windows \\\\server\\share goes through the same URI code, see test_storage_uri.py):
create, back up, export, restore."""

from __future__ import annotations

from pathlib import Path

from casebook.services import Casebook, CaseFilter
from casebook.services.casebook import restore

PASSPHRASE = "share drive passphrase 9"


def test_casebook_backup_export_and_restore_on_a_double_slash_path(tmp_path: Path) -> None:
    share = Path("/" + str(tmp_path / "share"))
    book, _ = Casebook.create(share / "Casebook", school="Oak", jurisdiction="england",
                              user_name="Dee", passphrase=PASSPHRASE)
    try:
        case = book.cases.create("Fake account", "impersonation")
        backup = book.backup(share / "backups" / "one.db")
        (share / "exports").mkdir()
        result = book.exports.export_case(case.id, "case-file", share / "exports" / "case.pdf")
        book.cases.create("After the backup", "other")
    finally:
        book.lock()
    assert Path(result.path).read_bytes().startswith(b"%PDF")
    assert (tmp_path / "share" / "exports" / "case.pdf").is_file()
    assert (tmp_path / "share" / "backups" / "one.db.keys").is_file()
    restore(share / "Casebook", backup, PASSPHRASE)
    again = Casebook.open_with_passphrase(share / "Casebook", PASSPHRASE)
    try:
        assert again.cases.count(CaseFilter()) == 1
        assert again.verify().ok
    finally:
        again.lock()
