"""Private files on POSIX whatever the umask: the data folder and backups folder 0700; the
database, its -wal/-shm, key files, lock files, backups and their key copies, kept
``.before-restore`` files, evidence copies, exports and logs 0600. (On Windows the user
profile's ACL protects the data folder; see the README.)"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook import fileio
from casebook.services import Casebook, restore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")

PASSPHRASE = "violet kettle harbour 42"


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _open_files(folder: Path) -> dict[str, int]:
    return {p.name: _mode(p) for p in folder.iterdir() if p.is_file()}


def test_everything_in_the_data_folder_is_private(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "casebook"
    book, _ = Casebook.create(data, school="Oak", jurisdiction="england", user_name="Ann",
                              passphrase=PASSPHRASE)
    try:
        case = book.cases.create("Private", "other")
        item = book.evidence.add_bytes(case.id, b"\x89PNG\r\n\x1a\n" + os.urandom(5000),
                                       filename="a.png", safety_confirmed=True)
        assert (data / "casebook.db-wal").exists()
        backup = book.backup()
        copy = book.evidence.save_copy(item.id, tmp_path / "copy.png")
        assert _mode(copy) == 0o600
        assert _mode(data) == 0o700 and _mode(book.paths.backups) == 0o700
        modes = _open_files(data)
        assert {"casebook.db", "casebook.db-wal", "casebook.db-shm", "casebook.keys",
                "casebook.db.lock", "casebook.db.lock-owner"} <= set(modes)
        assert {n: m for n, m in modes.items() if m != 0o600} == {}
        assert {n: m for n, m in _open_files(book.paths.backups).items() if m != 0o600} == {}
        assert backup.with_name(backup.name + ".keys").exists()
    finally:
        book.lock()
    kept = restore(data, backup, PASSPHRASE)
    assert _mode(kept) == 0o600 and _mode(data / "casebook.db") == 0o600


def test_an_existing_lax_casebook_is_tightened_when_opened(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    info.book.backup()
    info.book.lock()
    os.chmod(info.data_dir, 0o755)
    for path in (*info.data_dir.iterdir(), *info.book.paths.backups.iterdir()):
        if path.is_file():
            os.chmod(path, 0o644)
    os.chmod(info.book.paths.backups, 0o755)
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase):
        assert _mode(info.data_dir) == 0o700 and _mode(info.book.paths.backups) == 0o700
        assert set(_open_files(info.data_dir).values()) == {0o600}
        assert set(_open_files(info.book.paths.backups).values()) == {0o600}


def test_logs_are_private_and_stay_private_when_they_rotate(tmp_path: Path, umask: int) -> None:
    folder = fileio.private_dir(tmp_path / "logs")
    handler = fileio.PrivateRotatingFileHandler(folder / "casebook.log", maxBytes=200,
                                                backupCount=2, encoding="utf-8")
    logger = logging.getLogger("casebook.test.private")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for n in range(30):
            logger.warning("event %d happened", n)
    finally:
        logger.removeHandler(handler)
        handler.close()
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["casebook.log", "casebook.log.1", "casebook.log.2"]
    assert _mode(folder) == 0o700
    assert set(_open_files(folder).values()) == {0o600}


def test_pdf_export_is_private(tmp_path: Path, umask: int) -> None:
    import io

    import pikepdf

    from casebook.reports.export import write_pdf_atomically

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    target = tmp_path / "report.pdf"
    write_pdf_atomically(buffer.getvalue(), target)
    assert _mode(target) == 0o600
