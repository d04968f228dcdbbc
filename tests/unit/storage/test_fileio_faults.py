"""The one atomic writer, under a failing device (as KeePassXC's FailDevice): whatever step
fails — after N bytes, at fsync, at the rename — the old file is intact and no temporary file
is left. Then the same for every writer that uses it (key file, backup key copy, evidence
copy, PDF export, the kept copy at restore)."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook import fileio
from casebook.errors import CasebookError
from casebook.reports.export import write_pdf_atomically
from casebook.storage import maintenance

OLD = b"the previous version, which must survive" * 100
NEW = os.urandom(300_000)


class FailDevice(fileio.FileOps):
    """Real OS calls, except one step fails: ``write`` after ``limit`` bytes, ``fsync`` or
    ``replace``. ``errno`` picks the fault (disk full by default)."""

    def __init__(self, step: str, limit: int = 0, code: int = errno.ENOSPC) -> None:
        self.step, self.limit, self.code = step, limit, code
        self.written = 0
        self.failed = False

    def _fail(self) -> None:
        self.failed = True
        raise OSError(self.code, os.strerror(self.code))

    def write(self, fd: int, data: memoryview) -> int:
        if self.step == "write":
            room = self.limit - self.written
            if room <= 0:
                self._fail()
            data = data[:room]
        done = super().write(fd, data)
        self.written += done
        return done

    def fsync(self, fd: int) -> None:
        if self.step == "fsync":
            self._fail()
        super().fsync(fd)

    def replace(self, source: str, target: str) -> None:
        if self.step == "replace":
            self._fail()
        super().replace(source, target)


FAULTS = [("write", 0), ("write", 1), ("write", 4095), ("write", 65_536),
          ("write", len(NEW) - 1), ("fsync", 0), ("replace", 0)]
#: For small files (a key file is ~1 KB): fail within the first bytes, at fsync, at rename.
SMALL_FAULTS = [("write", 0), ("write", 1), ("write", 100), ("fsync", 0), ("replace", 0)]


@pytest.fixture
def device(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[FailDevice]:
    step, limit = request.param
    dev = FailDevice(step, limit)
    monkeypatch.setattr(fileio, "ops", dev)
    yield dev


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("device", FAULTS, indirect=True, ids=lambda f: f"{f[0]}-{f[1]}")
def test_every_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path,
                                                             device: FailDevice) -> None:
    target = tmp_path / "file.bin"
    target.write_bytes(OLD)
    with pytest.raises(OSError):
        fileio.atomic_write_bytes(target, NEW)
    assert device.failed
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["file.bin"]


@pytest.mark.parametrize("device", FAULTS, indirect=True, ids=lambda f: f"{f[0]}-{f[1]}")
def test_a_failed_first_write_leaves_nothing(tmp_path: Path, device: FailDevice) -> None:
    with pytest.raises(OSError):
        fileio.atomic_write_bytes(tmp_path / "new.bin", NEW)
    assert _names(tmp_path) == []


def test_a_failure_inside_the_body_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"
    target.write_bytes(OLD)
    with pytest.raises(RuntimeError), fileio.atomic_writer(target) as out:
        out.write(NEW[:1000])
        raise RuntimeError("the source stopped half-way")
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["file.bin"]


def test_success_replaces_syncs_then_renames(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    class Recording(fileio.FileOps):
        def fsync(self, fd: int) -> None:
            calls.append("fsync")
            super().fsync(fd)

        def replace(self, source: str, target: str) -> None:
            calls.append("replace")
            assert Path(source).parent == Path(target).parent  # same folder: rename is atomic
            super().replace(source, target)

    monkeypatch.setattr(fileio, "ops", Recording())
    target = tmp_path / "file.bin"
    target.write_bytes(OLD)
    fileio.atomic_write_bytes(target, NEW)
    assert calls == ["fsync", "replace"]
    assert target.read_bytes() == NEW
    assert _names(tmp_path) == ["file.bin"]


def test_exclusive_never_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "kept"
    target.write_bytes(OLD)
    with pytest.raises(FileExistsError):
        fileio.atomic_write_bytes(target, NEW, exclusive=True)
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["kept"]


# ----- each writer that goes through it ---------------------------------------------------
@pytest.mark.parametrize("device", SMALL_FAULTS, indirect=True, ids=lambda f: f"{f[0]}-{f[1]}")
def test_key_file_survives(new_casebook_info, device: FailDevice) -> None:  # type: ignore[no-untyped-def]
    book = new_casebook_info.book
    before = new_casebook_info.slots.read_bytes()
    with pytest.raises(OSError):
        book.vault.add_passphrase_slot(book._require_key(), "9", "another long passphrase 9")
    assert new_casebook_info.slots.read_bytes() == before
    assert not [n for n in _names(new_casebook_info.data_dir) if n.endswith(".partial")]


@pytest.mark.parametrize("device", FAULTS, indirect=True, ids=lambda f: f"{f[0]}-{f[1]}")
def test_evidence_copy_leaves_no_decrypted_partial(new_casebook, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   device: FailDevice) -> None:
    case = new_casebook.cases.create("Copy", "other")
    item = new_casebook.evidence.add_bytes(case.id, NEW, filename="shot.png",
                                           safety_confirmed=True)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "shot.png"
    target.write_bytes(OLD)
    with pytest.raises(fileio.StorageFaultError, match="is full, so the copy was not saved"):
        new_casebook.evidence.save_copy(item.id, target)
    assert target.read_bytes() == OLD
    assert _names(out_dir) == ["shot.png"]


def test_evidence_copy_is_synced_and_private(new_casebook, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    synced: list[int] = []

    class Recording(fileio.FileOps):
        def fsync(self, fd: int) -> None:
            synced.append(fd)
            super().fsync(fd)

    monkeypatch.setattr(fileio, "ops", Recording())
    case = new_casebook.cases.create("Copy", "other")
    item = new_casebook.evidence.add_bytes(case.id, NEW, filename="a.bin", safety_confirmed=True)
    target = new_casebook.evidence.save_copy(item.id, tmp_path / "a.bin")
    assert target.read_bytes() == NEW and synced
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("device", FAULTS[:1] + FAULTS[-2:], indirect=True,
                         ids=lambda f: f"{f[0]}-{f[1]}")
def test_pdf_export_survives(tmp_path: Path, device: FailDevice) -> None:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf_bytes_io = __import__("io").BytesIO()
    pdf.save(pdf_bytes_io)
    target = tmp_path / "report.pdf"
    target.write_bytes(OLD)
    with pytest.raises(CasebookError):
        write_pdf_atomically(pdf_bytes_io.getvalue(), target)
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["report.pdf"]


@pytest.mark.parametrize("device", SMALL_FAULTS, indirect=True, ids=lambda f: f"{f[0]}-{f[1]}")
def test_backup_key_copy_failure_leaves_no_half_backup(new_casebook_info, device: FailDevice,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    book = new_casebook_info.book
    book.cases.create("Kept", "other")
    target = tmp_path / "usb" / "backup.db"
    with pytest.raises(fileio.StorageFaultError, match="is full, so the backup was not saved"):
        book.backup(target)
    # A backup without its key file would not open elsewhere: neither is left.
    assert _names(target.parent) == []


def test_copy_helper_is_the_one_used_for_backup_keys(tmp_path: Path) -> None:
    source = tmp_path / "a"
    source.write_bytes(NEW)
    maintenance.copy_file_atomically(source, tmp_path / "b")
    assert (tmp_path / "b").read_bytes() == NEW
    if os.name == "posix":
        assert (tmp_path / "b").stat().st_mode & 0o777 == 0o600


class FailNth(fileio.FileOps):
    """Counts every write, fsync and rename; fails the ``n``-th (ENOSPC). ``n=None`` counts."""

    def __init__(self, n: int | None) -> None:
        self.n, self.calls = n, 0

    def _step(self) -> None:
        self.calls += 1
        if self.calls == self.n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def write(self, fd: int, data: memoryview) -> int:
        self._step()
        return super().write(fd, data)

    def fsync(self, fd: int) -> None:
        self._step()
        super().fsync(fd)

    def replace(self, source: str, target: str) -> None:
        self._step()
        super().replace(source, target)


def test_restore_failing_at_every_step_leaves_a_whole_casebook(new_casebook_info,  # type: ignore[no-untyped-def]
                                                               monkeypatch) -> None:
    """Fail each file operation of a restore in turn: the casebook always opens, holding either
    everything it had or exactly the backup, and no earlier kept copy is touched."""
    from casebook.services import Casebook, restore

    info = new_casebook_info
    info.book.cases.create("In the backup", "other")
    backup = info.book.backup()
    info.book.cases.create("Only in the live casebook", "other")
    info.book.lock()
    earlier = info.data_dir / "casebook.db.before-restore-20260101-000000"
    earlier.write_bytes(OLD)
    before = {"In the backup", "Only in the live casebook"}

    counter = FailNth(None)
    monkeypatch.setattr(fileio, "ops", counter)
    kept = restore(info.data_dir, backup, info.passphrase)  # a clean run, to count the steps
    steps = counter.calls
    assert steps >= 4
    kept.unlink()
    with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
        book.cases.create("Only in the live casebook", "other")
    failures = 0
    for n in range(1, steps + 1):
        monkeypatch.setattr(fileio, "ops", FailNth(n))
        try:
            kept = restore(info.data_dir, backup, info.passphrase)
            failed = False
        except fileio.StorageFaultError as exc:
            assert "is full, so the restore was not saved" in str(exc)
            failed = True
        monkeypatch.setattr(fileio, "ops", fileio.FileOps())
        with Casebook.open_with_passphrase(info.data_dir, info.passphrase) as book:
            titles = {c.title for c in book.cases.list_page()}
            if titles != before:
                assert titles == {"In the backup"} and not failed, (n, titles)
                book.cases.create("Only in the live casebook", "other")  # back as it was
        failures += failed
        assert earlier.read_bytes() == OLD
        assert not [p for p in info.data_dir.iterdir() if p.name.endswith(".partial")], n
    # Every step failed the restore except the three of the lock's owner note (who has it
    # open), whose failure only leaves "someone" in place of the name, and the three of the
    # audit anchor written after the restore (logged; the stale anchor is removed).
    assert failures == steps - 6


class RefusedRename(fileio.FileOps):
    """A rename refused ``times`` times (as Windows refuses one while another process reads
    the target), then allowed."""

    def __init__(self, times: int) -> None:
        self.times, self.refused = times, 0

    def replace(self, source: str, target: str) -> None:
        if self.refused < self.times:
            self.refused += 1
            raise PermissionError(errno.EACCES, "in use by another process")
        super().replace(source, target)


def test_a_briefly_refused_rename_is_retried(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fileio, "REPLACE_RETRIES", (0, 0, 0))
    monkeypatch.setattr(fileio, "ops", RefusedRename(2))
    target = tmp_path / "casebook.keys"
    target.write_bytes(OLD)
    fileio.atomic_write_bytes(target, NEW)
    assert target.read_bytes() == NEW and _names(tmp_path) == ["casebook.keys"]


def test_a_rename_refused_for_good_keeps_the_old_file_and_says_why(tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   monkeypatch) -> None:
    monkeypatch.setattr(fileio, "REPLACE_RETRIES", (0, 0, 0))
    monkeypatch.setattr(fileio, "ops", RefusedRename(99))
    target = tmp_path / "copy.png"
    target.write_bytes(OLD)
    with pytest.raises(PermissionError) as caught:
        fileio.atomic_write_bytes(target, NEW)
    assert target.read_bytes() == OLD and _names(tmp_path) == ["copy.png"]
    message = str(fileio.explain_os_error(caught.value, tmp_path, "the copy"))
    assert "open in another program" in message and "damaged" not in message


def test_rekey_failing_at_every_file_step_keeps_a_casebook_that_opens(new_casebook_info,  # type: ignore[no-untyped-def]
                                                                      monkeypatch) -> None:
    """A new recovery key re-encrypts the casebook (a copy, then a rename over it). Fail each
    write, fsync and rename of that in turn (disk full): the casebook still opens with the
    passphrase and holds its records."""
    from casebook.services import Casebook

    info = new_casebook_info
    info.book.cases.create("Must survive", "other")
    counter = FailNth(None)
    monkeypatch.setattr(fileio, "ops", counter)
    info.book.rekey(new_recovery=True)  # a clean run, to count the steps
    monkeypatch.setattr(fileio, "ops", fileio.FileOps())
    steps = counter.calls
    assert steps >= 5
    book = info.book
    failures = 0
    for n in range(1, steps + 1):
        monkeypatch.setattr(fileio, "ops", FailNth(n))
        try:
            book.rekey(new_recovery=True)
        except (OSError, CasebookError) as exc:
            failures += 1
            assert "Traceback" not in str(exc)
        monkeypatch.setattr(fileio, "ops", fileio.FileOps())
        book.lock()
        book = Casebook.open_with_passphrase(info.data_dir, info.passphrase)
        info.book = book
        assert [c.title for c in book.cases.list_page()] == ["Must survive"], n
        assert book.verify().integrity.ok, n
    assert failures >= steps // 2
