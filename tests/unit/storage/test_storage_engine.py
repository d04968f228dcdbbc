"""The keyed engine: how connections are keyed and tuned, and what a wrong key or file does."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from storage_helpers import flip_byte, new_database, new_key, sha256_file, sidecars

from casebook.errors import DamagedFileError
from casebook.storage import maintenance
from casebook.storage.engine import (
    CIPHER_PAGE_SIZE,
    SQLITE_PLAIN_HEADER,
    connect_keyed,
    key_pragma,
    open_engine,
)


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, bytes]:
    """A migrated database with a few rows, all connections closed."""
    path, key = tmp_path / "casebook.db", new_key()
    engine = new_database(path, key)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('school_name', 'Oak School')"))
        for n in range(200):
            conn.execute(text(
                "INSERT INTO cases (reference, year, number, title, case_type, summary, status, "
                "risk, opened_at, updated_at, created_by) VALUES (:ref, 2026, :n, :title, "
                "'other', :summary, 'open', 'low', '2026-01-01', '2026-01-01', 'Alex')"),
                {"ref": f"CB-2026-{n:04d}", "n": n, "title": f"Case {n}",
                 "summary": "words " * 50})
    engine.dispose()
    assert sidecars(path) == set()
    return path, key


def test_key_pragma_takes_exactly_32_bytes() -> None:
    assert key_pragma(bytes(32)) == "PRAGMA key = \"x'" + "00" * 32 + "'\""
    for bad in (b"", bytes(31), bytes(33)):
        with pytest.raises(ValueError):
            key_pragma(bad)


def test_connections_are_tuned(database: tuple[Path, bytes]) -> None:
    path, key = database
    engine = open_engine(path, key)
    try:
        with engine.connect() as conn:
            def pragma(name: str) -> object:
                return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("secure_delete") == 1
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 30000
    finally:
        engine.dispose()
    assert path.read_bytes()[:16] != SQLITE_PLAIN_HEADER


def test_wrong_key_is_refused_before_anything_is_written(database: tuple[Path, bytes]) -> None:
    path, _ = database
    digest = sha256_file(path)
    with pytest.raises(DamagedFileError, match="could not be opened with its key"):
        connect_keyed(path, new_key())
    engine = open_engine(path, new_key())
    try:
        with pytest.raises(DamagedFileError), engine.connect():
            pass
    finally:
        engine.dispose()
    assert sha256_file(path) == digest
    assert sidecars(path) == set()


def test_missing_path_is_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "casebook.db"
    with pytest.raises(DamagedFileError, match="no casebook"):
        open_engine(missing, new_key())
    with pytest.raises(DamagedFileError, match="no casebook"):
        connect_keyed(missing, new_key())
    with pytest.raises(DamagedFileError, match="folder"):
        connect_keyed(tmp_path, new_key())
    assert not missing.exists() and not missing.parent.exists()


def test_foreign_keys_are_enforced(database: tuple[Path, bytes]) -> None:
    path, key = database
    conn = connect_keyed(path, key)
    try:
        with pytest.raises(Exception, match="FOREIGN KEY"):
            conn.execute("INSERT INTO chronology (case_id, occurred_at, recorded_at, author, text)"
                         " VALUES (99999, '2026-01-01', '2026-01-01', 'A', 'orphan')")
    finally:
        conn.close()


def test_driver_errors_reach_callers_as_sqlalchemy_errors(database: tuple[Path, bytes]) -> None:
    """Services and the UI catch ``sqlalchemy.exc`` types. The engine is built on the pysqlite
    dialect with a sqlcipher3 ``creator``, so unless the dialect is told the DB-API module is
    sqlcipher3 its errors are not recognised and escape unwrapped."""
    path, key = database
    engine = open_engine(path, key)
    try:
        with pytest.raises(DBAPIError), engine.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table"))
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE chronology SET text = 'x'"))
            conn.execute(text("INSERT INTO meta (key, value) VALUES ('school_name', 'dup')"))
    finally:
        engine.dispose()


def test_integrity_check_passes_on_a_sound_file(database: tuple[Path, bytes]) -> None:
    path, key = database
    report = maintenance.check_integrity(path, key)
    assert report.ok and report.cipher_problems == [] and report.sqlite_problems == []
    assert report.rows_read >= 201


def test_integrity_check_finds_a_flipped_byte_in_a_page(database: tuple[Path, bytes]) -> None:
    path, key = database
    page = CIPHER_PAGE_SIZE
    pages = path.stat().st_size // page
    assert pages > 8
    flip_byte(path, (pages - 1) * page + 1000)  # inside the encrypted body of the last page
    report = maintenance.check_integrity(path, key)
    assert not report.ok
    assert report.cipher_problems, "cipher_integrity_check must report the damaged page"
    assert any(str(pages) in problem for problem in report.cipher_problems)


def test_integrity_check_reports_damage_near_the_start(database: tuple[Path, bytes]) -> None:
    path, key = database
    flip_byte(path, CIPHER_PAGE_SIZE + 1000)  # page 2: schema or data, either way reported
    report = maintenance.check_integrity(path, key)
    assert not report.ok and report.cipher_problems
