"""Path -> SQLite URI: network shares, mapped drives, odd characters, and clear refusals.

``Path.as_uri()`` turns ``\\\\server\\share\\x.db`` into ``file://server/share/x.db``, which SQLite
refuses ("invalid uri authority"): backups to the school's network drive failed with an
unexpected error. Windows paths are checked with PureWindowsPath; the POSIX tests open real
encrypted databases through the URI.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from sqlalchemy import text
from storage_helpers import new_database, new_key

from casebook.errors import CasebookError
from casebook.storage import maintenance
from casebook.storage.engine import UnusablePathError, connect_keyed, open_engine, sqlite_uri


@pytest.mark.parametrize(("path", "uri"), [
    (r"\\server\share\casebook.db", "file:////server/share/casebook.db?mode=rw"),
    (r"\\server\share\Safeguarding\Backups\b.db",
     "file:////server/share/Safeguarding/Backups/b.db?mode=rw"),
    ("//server/share/x.db", "file:////server/share/x.db?mode=rw"),
    (r"\\?\UNC\server\share\x.db", "file:////server/share/x.db?mode=rw"),
    (r"Z:\x.db", "file:///Z:/x.db?mode=rw"),
    (r"Z:\DSL Backups\casebook 100%.db", "file:///Z:/DSL%20Backups/casebook%20100%25.db?mode=rw"),
    (r"\\?\C:\Users\dsl\casebook.db", "file:///C:/Users/dsl/casebook.db?mode=rw"),
    (r"C:\Users\Ann O'Neil\AppData\Local\Casebook\casebook.db",
     "file:///C:/Users/Ann%20O%27Neil/AppData/Local/Casebook/casebook.db?mode=rw"),
    (r"C:\odd\what?#now.db", "file:///C:/odd/what%3F%23now.db?mode=rw"),
])
def test_windows_paths(path: str, uri: str) -> None:
    assert sqlite_uri(PureWindowsPath(path), "rw") == uri


def test_a_share_never_becomes_the_uri_authority() -> None:
    uri = sqlite_uri(PureWindowsPath(r"\\fileserver01\staff$\dsl\casebook.db"), "rwc")
    assert uri.startswith("file:////fileserver01/staff%24/dsl/")
    assert uri.endswith("?mode=rwc")
    assert not PureWindowsPath(r"\\fileserver01\staff$\dsl\casebook.db").as_uri().startswith(
        "file:////")  # the stdlib form SQLite refuses


@pytest.mark.parametrize(("path", "message"), [
    ("casebook.db", "not a full path"),
    (r"\casebook.db", "not a full path"),  # no drive: which one?
    (r"\\.\PhysicalDrive0\x.db", "device path"),
    (r"\\server", "not a full path"),
])
def test_windows_paths_that_cannot_be_used_say_why(path: str, message: str) -> None:
    with pytest.raises(UnusablePathError, match=message) as caught:
        sqlite_uri(PureWindowsPath(path), "rw")
    assert isinstance(caught.value, CasebookError)  # shown to the user as it is
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("path", "uri"), [
    ("/home/dsl/casebook.db", "file:///home/dsl/casebook.db?mode=rw"),
    ("//server/export/casebook.db", "file:////server/export/casebook.db?mode=rw"),
    ("/media/usb stick/100%?#.db", "file:///media/usb%20stick/100%25%3F%23.db?mode=rw"),
])
def test_posix_paths(path: str, uri: str) -> None:
    assert sqlite_uri(PurePosixPath(path), "rw") == uri


def test_nul_and_relative_posix_paths_are_refused() -> None:
    with pytest.raises(UnusablePathError):
        sqlite_uri(PurePosixPath("relative/x.db"), "rw")
    with pytest.raises(UnusablePathError, match="character"):
        sqlite_uri(PurePosixPath("/srv/a\x00b.db"), "rw")


def test_a_casebook_on_a_double_slash_path_opens_backs_up_and_restores(tmp_path: Path) -> None:
    """On POSIX ``//x`` is a valid path: it must reach SQLite as a path, not as a server."""
    folder = tmp_path / "share name %?#"
    folder.mkdir()
    database = Path("/" + str(folder)) / "casebook.db"
    assert str(database).startswith("//")
    key = new_key()
    engine = new_database(database, key)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('school_name', 'Oak')"))
    engine.dispose()
    backup = Path("/" + str(folder)) / "backups" / "b.db"
    maintenance.backup_to(database, backup, key)
    assert maintenance.check_integrity(backup, key).ok
    with open_engine(database, key).begin() as conn:
        conn.execute(text("UPDATE meta SET value = 'Changed' WHERE key = 'school_name'"))
    kept = maintenance.restore_from(backup, database, key)
    assert kept.exists()
    conn = connect_keyed(database, key)
    try:
        assert conn.execute("SELECT value FROM meta WHERE key = 'school_name'").fetchone()[0] == (
            "Oak")
    finally:
        conn.close()
    assert (folder / "casebook.db").is_file()  # the same file, not one in another folder
