"""Open, create and lock a casebook: the vault gives the data key, storage opens the file.

A wrong passphrase or recovery key fails inside the vault, before the database file is even
opened, so it can never modify, recreate or migrate the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casebook import fileio
from casebook.domain import Jurisdiction, School, User, UserRole, require_text
from casebook.errors import DamagedFileError, LockedError, NotFoundError, ValidationError
from casebook.paths import CasebookPaths
from casebook.services import audit, mapping
from casebook.services.cases import CaseService
from casebook.services.checklist import ChecklistService
from casebook.services.dashboard import DashboardService
from casebook.services.evidence import EvidenceService
from casebook.services.exports import ExportService
from casebook.services.official_accounts import OfficialAccountsService
from casebook.services.settings import SettingsService
from casebook.services.store import Store, wall_clock
from casebook.services.tracker import TrackerService
from casebook.services.users import UserService
from casebook.storage import maintenance, migrate
from casebook.storage import tables as t
from casebook.storage.engine import open_engine
from casebook.storage.writer_lock import WriterLock
from casebook.vault import KeyVault

log = logging.getLogger(__name__)

#: Temporary files younger than this are left alone at open: another process may be writing
#: one right now (e.g. the attempts file while it waits at the unlock window).
LEFTOVER_AGE_SECONDS = 120


def tidy_folder(paths: CasebookPaths) -> None:
    """With the writer lock held: remove temporary files a crash left behind and make the
    data folder 0700 and its files 0600 (casebooks made before this, or under a lax umask)."""
    cutoff = time.time() - LEFTOVER_AGE_SECONDS
    for folder in (paths.root, paths.backups):
        if not folder.is_dir():
            continue
        fileio.private_dir(folder)
        for item in folder.iterdir():
            try:
                if not item.is_file():
                    continue
                if (item.name.endswith((fileio.TEMP_SUFFIX, ".partial-wal", ".partial-shm"))
                        and item.stat().st_mtime < cutoff):
                    item.unlink()
                    log.info("removed a leftover temporary file")
                    continue
                fileio.private_file(item)
            except OSError:
                continue


class Casebook:
    """An unlocked casebook. Call :meth:`lock` to close connections and drop the key."""

    def __init__(self, paths: CasebookPaths, vault: KeyVault, data_key: bytes, user: User,
                 clock: Callable[[], datetime] = wall_clock,
                 writer: WriterLock | None = None) -> None:
        self.paths = paths
        self.vault = vault
        self._key: bytes | None = data_key
        #: The single-writer lock, held from open until :meth:`lock`.
        self.writer = writer
        if writer is None:
            self.writer = WriterLock(paths.database)
            self.writer.acquire(user.name)
        self.store = Store(paths, None, user, clock)
        self.store.engine = open_engine(paths.database, data_key)
        self.cases = CaseService(self.store)
        self.evidence = EvidenceService(self.store)
        self.users = UserService(self.store, vault, self._require_key)
        self.settings = SettingsService(self.store)
        self.tracker = TrackerService(self.store)
        self.checklist = ChecklistService(self.store)
        self.official_accounts = OfficialAccountsService(self.store)
        self.dashboard = DashboardService(self.store)
        self.exports = ExportService(self.store, self.cases, self.evidence, self.tracker,
                                     self.school, official_accounts=self.official_accounts)

    # ----- creating -----------------------------------------------------------------------
    @classmethod
    def create(cls, data_dir: Path | str, *, school: str, jurisdiction: Jurisdiction | str,
               user_name: str, passphrase: str,
               clock: Callable[[], datetime] = wall_clock) -> tuple[Casebook, str]:
        """Make a new casebook. Returns it unlocked, with the recovery key to show once."""
        paths = CasebookPaths.at(data_dir)
        school = require_text(school, "the school or setting name", 200)
        user_name = require_text(user_name, "your name", 200)
        try:
            jurisdiction = Jurisdiction(jurisdiction)
        except ValueError:
            choices = ", ".join(j.value for j in Jurisdiction)
            raise ValidationError(f"Choose where the school is: {choices}.") from None
        if paths.database.exists() or paths.slots.exists():
            raise ValidationError(
                f"There is already a casebook in {paths.root}. Open it, or choose another folder."
            )
        try:
            fileio.private_dir(paths.root)
        except OSError as exc:
            raise fileio.explain_os_error(exc, paths.root, "the new casebook") from exc
        writer = WriterLock(paths.database)
        writer.acquire(user_name)
        try:
            vault, data_key, recovery = KeyVault.create(paths.slots, "1", passphrase)
        except OSError as exc:
            writer.release()
            raise fileio.explain_os_error(exc, paths.root, "the new casebook") from exc
        except BaseException:
            writer.release()
            raise
        try:
            engine = open_engine(paths.database, data_key, create=True)
            try:
                migrate.upgrade(engine)
                now = clock()
                with engine.begin() as conn, Session(bind=conn) as s:
                    s.add(t.UserRow(id=1, name=user_name, role=UserRole.DSL.value,
                                    created_at=now, active=True))
                    for key, value in (("school_name", school),
                                       ("jurisdiction", jurisdiction.value),
                                       ("created_at", now.isoformat()),
                                       ("vault_id", vault.vault_id)):
                        s.add(t.MetaRow(key=key, value=value))
                    s.flush()
                    audit.record(s, at=now, actor=user_name, action="casebook.create",
                                 target="casebook", detail=f"jurisdiction={jurisdiction.value}")
                    s.commit()
            finally:
                engine.dispose()
        except BaseException as exc:
            for leftover in (paths.database, paths.slots,
                             paths.database.with_name(paths.database.name + "-wal"),
                             paths.database.with_name(paths.database.name + "-shm"),
                             paths.slots.with_name(paths.slots.name + ".attempts")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            writer.release()
            if isinstance(exc, OSError):
                raise fileio.explain_os_error(exc, paths.root, "the new casebook") from exc
            raise
        user = User(id=1, name=user_name, role=UserRole.DSL, created_at=now)
        log.info("casebook created")
        try:
            return cls(paths, vault, data_key, user, clock, writer=writer), recovery
        except BaseException:
            writer.release()
            raise

    # ----- opening ------------------------------------------------------------------------
    @classmethod
    def _load_vault(cls, paths: CasebookPaths) -> KeyVault:
        if not paths.slots.exists() and not paths.database.exists():
            raise NotFoundError(f"There is no casebook in {paths.root}.")
        if not paths.database.exists():
            raise DamagedFileError(
                f"The casebook file is missing from {paths.root} (only its key file is there). "
                "Restore it from a backup."
            )
        return KeyVault.load(paths.slots)

    @classmethod
    def open_with_passphrase(cls, data_dir: Path | str, passphrase: str, *,
                             clock: Callable[[], datetime] = wall_clock,
                             wait: float = 0,
                             on_wait: Callable[[str], None] | None = None) -> Casebook:
        """``wait``: seconds to wait while it is open elsewhere (``on_wait`` hears who has it)."""
        paths = CasebookPaths.at(data_dir)
        vault = cls._load_vault(paths)
        user_id, key = vault.unlock_any_passphrase(passphrase)
        return cls._open(paths, vault, key, int(user_id), "passphrase", clock, wait, on_wait)

    @classmethod
    def open_with_recovery_key(cls, data_dir: Path | str, recovery_key: str, *,
                               clock: Callable[[], datetime] = wall_clock) -> Casebook:
        """Opens as the DSL (the first active DSL account), who should then set a new passphrase."""
        paths = CasebookPaths.at(data_dir)
        vault = cls._load_vault(paths)
        key = vault.unlock_with_recovery_key(recovery_key)
        return cls._open(paths, vault, key, None, "recovery-key", clock)

    @classmethod
    def open_with_keyring(cls, data_dir: Path | str, user_id: int = 1, *,
                          clock: Callable[[], datetime] = wall_clock) -> Casebook | None:
        """None when this computer does not remember the key (ask for the passphrase)."""
        paths = CasebookPaths.at(data_dir)
        vault = cls._load_vault(paths)
        key = vault.unlock_with_keyring()
        if key is None:
            return None
        return cls._open(paths, vault, key, user_id, "keyring", clock)

    @classmethod
    def _open(cls, paths: CasebookPaths, vault: KeyVault, key: bytes, user_id: int | None,
              how: str, clock: Callable[[], datetime], wait: float = 0,
              on_wait: Callable[[str], None] | None = None) -> Casebook:
        # The writer lock first: migrations, the leftover clean-up and every write happen
        # under it. Its owner is named once the account is known.
        writer = WriterLock(paths.database)
        writer.acquire("", wait=wait, on_wait=on_wait)
        try:
            tidy_folder(paths)
            book = cls._open_locked(paths, vault, key, user_id, how, clock, writer)
        except BaseException:
            writer.release()
            raise
        return book

    @classmethod
    def _open_locked(cls, paths: CasebookPaths, vault: KeyVault, key: bytes,
                     user_id: int | None, how: str, clock: Callable[[], datetime],
                     writer: WriterLock) -> Casebook:
        engine = open_engine(paths.database, key)
        try:
            stamp = clock().strftime("%Y%m%d-%H%M%S")

            def backup_first(current: str | None) -> None:
                # Unique even if an upgrade killed after its backup is tried again at once.
                target = maintenance.unused_name(
                    paths.backups / f"before-upgrade-{current}-{stamp}.db")
                engine.dispose()  # the checks and the backup read through their own connections
                # Never migrate (or back up as if good) a file that fails its integrity check.
                if not maintenance.check_integrity(paths.database, key).ok:
                    raise DamagedFileError(
                        "This casebook needs updating for this version of Casebook, but it "
                        "failed its integrity check, so it was neither updated nor backed up. "
                        "Nothing was changed. Restore it from a backup."
                    )
                maintenance.backup_to(paths.database, target, key)

            migrate.upgrade(engine, before=backup_first)
            with engine.connect() as conn, Session(bind=conn) as s:
                query = select(t.UserRow).where(t.UserRow.active.is_(True))
                if user_id is None:
                    query = query.where(t.UserRow.role == UserRole.DSL.value)
                else:
                    query = query.where(t.UserRow.id == user_id)
                row = s.scalars(query.order_by(t.UserRow.id)).first()
                if row is None:
                    raise NotFoundError("That account is no longer active in this casebook.")
                user = mapping.user(row)
        finally:
            engine.dispose()
        writer.set_user(user.name)
        book = cls(paths, vault, key, user, clock, writer=writer)
        try:
            book.store.log_event("casebook.unlock", "casebook", f"via={how}")
        except BaseException:
            if book.store.engine is not None:
                book.store.engine.dispose()
            raise
        log.info("casebook unlocked (user %s, via %s)", user.id, how)
        return book

    # ----- state --------------------------------------------------------------------------
    @property
    def user(self) -> User:
        return self.store.user

    @property
    def is_locked(self) -> bool:
        return self._key is None

    def _require_key(self) -> bytes:
        if self._key is None:
            raise LockedError("The casebook is locked. Unlock it to carry on.")
        return self._key

    def school(self) -> School:
        with self.store.read() as s:
            meta = {r.key: r.value for r in s.scalars(select(t.MetaRow))}
        return School(name=meta["school_name"], jurisdiction=Jurisdiction(meta["jurisdiction"]),
                      created_at=datetime.fromisoformat(meta["created_at"]))

    def lock(self) -> None:
        """Close every connection and drop the key. Safe to call twice."""
        if self._key is None:
            return
        with contextlib.suppress(Exception), self.store.write("casebook.lock", "casebook"):
            pass
        if self.store.engine is not None:
            self.store.engine.dispose()
        self.store.engine = None
        self._key = None
        if self.writer is not None:
            self.writer.release()
        log.info("casebook locked")

    # ----- maintenance --------------------------------------------------------------------
    def backup(self, target: Path | str | None = None) -> Path:
        key = self._require_key()
        if target is None:
            target = self.paths.backups / f"casebook-{self.store.now():%Y%m%d-%H%M%S}.db"
        path = maintenance.backup_to(self.paths.database, Path(target), key)
        # The key file travels with the backup: without it a backup on another drive could
        # not be opened if this laptop were lost. It holds only wrapped keys.
        try:
            maintenance.copy_file_atomically(self.paths.slots,
                                             path.with_name(path.name + ".keys"))
        except OSError as exc:
            with contextlib.suppress(OSError):
                path.unlink()  # a backup without its key file would not open elsewhere
            raise fileio.explain_os_error(exc, path.parent, "the backup") from exc
        self.store.log_event("casebook.backup", "casebook")
        self.settings.note_backup(self.store.now().isoformat())
        return path

    def verify(self) -> VerifyReport:
        key = self._require_key()
        integrity = maintenance.check_integrity(self.paths.database, key)
        with self.store.read() as s:
            chain = audit.verify_chain(s)
        hashes = self.evidence.verify_hashes()
        return VerifyReport(integrity, chain, hashes)

    def __enter__(self) -> Casebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()


def restore(data_dir: Path | str, backup: Path | str, passphrase: str) -> Path:
    """Replace the casebook with a verified backup.

    Takes the writer lock, so it refuses (CasebookInUseError, saying who has it open) while the
    casebook is open in the app or a command anywhere. The passphrase proves the right to do
    it and gives the key the backup must open with. Returns where the replaced file was kept
    (a new ``.before-restore-<date-time>`` file every time; none is ever overwritten).
    """
    paths = CasebookPaths.at(data_dir)
    vault = Casebook._load_vault(paths)
    with WriterLock(paths.database) as writer:
        writer.acquire(f"restore (process {os.getpid()})")
        _user_id, key = vault.unlock_any_passphrase(passphrase)
        tidy_folder(paths)
        kept = maintenance.restore_from(Path(backup), paths.database, key)
        engine = open_engine(paths.database, key)
        try:
            with Session(engine) as s, s.begin():
                audit.record(s, at=wall_clock(), actor=f"user:{_user_id}",
                             action="casebook.restore", target="casebook")
        finally:
            engine.dispose()
    return kept


class VerifyReport:
    def __init__(self, integrity: maintenance.IntegrityReport, chain: audit.ChainReport,
                 hashes: list) -> None:  # type: ignore[type-arg]
        self.integrity = integrity
        self.chain = chain
        self.hashes = hashes

    @property
    def bad_hashes(self) -> list:  # type: ignore[type-arg]
        return [h for h in self.hashes if not h.ok]

    @property
    def ok(self) -> bool:
        return self.integrity.ok and self.chain.ok and not self.bad_hashes
