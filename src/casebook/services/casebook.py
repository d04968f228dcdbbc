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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casebook import fileio
from casebook.domain import Jurisdiction, School, User, UserRole, require_text
from casebook.errors import (
    CasebookError,
    DamagedFileError,
    LockedError,
    NotFoundError,
    ValidationError,
    WrongKeyError,
)
from casebook.paths import CasebookPaths
from casebook.services import audit, integrity, mapping, purging
from casebook.services.cases import CaseService
from casebook.services.checklist import ChecklistService
from casebook.services.dashboard import DashboardService
from casebook.services.evidence import EvidenceService
from casebook.services.exports import ExportService
from casebook.services.learner_import import LearnerImport
from casebook.services.official_accounts import OfficialAccountsService
from casebook.services.people import PeopleService
from casebook.services.retention import RetentionService
from casebook.services.settings import SettingsService
from casebook.services.store import Store, wall_clock
from casebook.services.subject_access import SubjectAccessService
from casebook.services.tracker import TrackerService
from casebook.services.transfer import TransferService
from casebook.services.users import UserService
from casebook.storage import maintenance, migrate, rekey
from casebook.storage import tables as t
from casebook.storage.engine import open_engine
from casebook.storage.verify import OnProgress, open_read_only_engine
from casebook.storage.writer_lock import WriterLock
from casebook.vault import KeyVault, new_data_key
from casebook.vault.recovery import new_recovery_key

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

#: Said whenever access is removed or the recovery key replaced (app and casebook-admin).
BACKUPS_NOTE = ("Backups made before today still open with the old passphrases; "
                "keep them in the safe.")


def _no_step(_name: str) -> None:
    """Where a rekey has got to; tests replace this to stop the process at each step."""


rekey_step: Callable[[str], None] = _no_step


class Casebook:
    """An unlocked casebook. Call :meth:`lock` to close connections and drop the key."""

    def __init__(self, paths: CasebookPaths, vault: KeyVault, data_key: bytes, user: User,
                 clock: Callable[[], datetime] = wall_clock,
                 writer: WriterLock | None = None, *, read_only: bool = False) -> None:
        self.paths = paths
        self.vault = vault
        self._key: bytes | None = data_key
        #: The single-writer lock, held from open until :meth:`lock` (none when read-only).
        self.writer = writer
        if writer is None and not read_only:
            self.writer = WriterLock(paths.database)
            self.writer.acquire(user.name)
        self.store = Store(paths, None, user, clock, read_only=read_only)
        self.store.engine = (open_read_only_engine(paths.database, data_key) if read_only
                             else open_engine(paths.database, data_key))
        self.cases = CaseService(self.store)
        self.evidence = EvidenceService(self.store)
        self.users = UserService(self.store, vault, self._require_key, self.rekey)
        self.settings = SettingsService(self.store)
        self.tracker = TrackerService(self.store)
        self.checklist = ChecklistService(self.store)
        self.official_accounts = OfficialAccountsService(self.store)
        self.dashboard = DashboardService(self.store)
        self.people = PeopleService(self.store)
        self.learner_import = LearnerImport(self.store)
        self.retention = RetentionService(self.store)
        self.transfers = TransferService(self.store, self.people)
        self.subject_access = SubjectAccessService(self.store, self.people)
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
                    head = audit.record(s, at=now, actor=user_name, action="casebook.create",
                                        target="casebook", detail=f"jurisdiction={jurisdiction.value}")
                    s.commit()
                integrity.write_anchor(paths.database, *head, state=integrity.OPEN, at=now)
            finally:
                engine.dispose()
        except BaseException as exc:
            for leftover in (paths.database, paths.slots,
                             paths.database.with_name(paths.database.name + "-wal"),
                             paths.database.with_name(paths.database.name + "-shm"),
                             paths.slots.with_name(paths.slots.name + ".attempts"),
                             paths.slots.with_name(paths.slots.name + ".lock")):
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
                             on_wait: Callable[[str], None] | None = None,
                             on_upgrade: Callable[[], None] | None = None) -> Casebook:
        """``wait``: seconds to wait while it is open elsewhere (``on_wait`` hears who has it).
        ``on_upgrade`` is called (on this thread) before an older casebook is checked, backed up
        and updated, which can take minutes for a large one."""
        paths = CasebookPaths.at(data_dir)
        vault = cls._load_vault(paths)
        user_id, key = vault.unlock_any_passphrase(passphrase)
        return cls._open(paths, vault, key, int(user_id), "passphrase", clock, wait, on_wait,
                         on_upgrade)

    @classmethod
    def open_with_recovery_key(cls, data_dir: Path | str, recovery_key: str, *,
                               clock: Callable[[], datetime] = wall_clock,
                               on_upgrade: Callable[[], None] | None = None) -> Casebook:
        """Opens as the DSL (the first active DSL account), who should then set a new passphrase."""
        paths = CasebookPaths.at(data_dir)
        vault = cls._load_vault(paths)
        key = vault.unlock_with_recovery_key(recovery_key)
        return cls._open(paths, vault, key, None, "recovery-key", clock,
                         on_upgrade=on_upgrade)

    @classmethod
    def open_with_keyring(cls, data_dir: Path | str, user_id: int = 1, *,
                          clock: Callable[[], datetime] = wall_clock,
                          on_upgrade: Callable[[], None] | None = None) -> Casebook | None:
        """None when this computer does not remember the key (ask for the passphrase)."""
        paths = CasebookPaths.at(data_dir)
        vault = cls._load_vault(paths)
        key = vault.unlock_with_keyring()
        if key is None:
            return None
        return cls._open(paths, vault, key, user_id, "keyring", clock, on_upgrade=on_upgrade)

    @classmethod
    def open_read_only(cls, data_dir: Path | str, passphrase: str, *,
                       clock: Callable[[], datetime] = wall_clock) -> Casebook:
        """For commands that only read (case list, case show, users): a connection that cannot
        write, no migration, and no unlock or lock entry in the audit log."""
        paths = CasebookPaths.at(data_dir)
        vault = cls._load_vault(paths)
        user_id, key = vault.unlock_any_passphrase(passphrase)
        book = cls(paths, vault, key, User(id=int(user_id), name="", role=UserRole.VIEWER,
                                           created_at=clock()), clock, read_only=True)
        try:
            if migrate.needs_upgrade(book.store.engine):  # type: ignore[arg-type]
                raise ValidationError("This casebook was made by an older version: open it in "
                                      "Casebook (or run a command that changes it) first.")
            with book.store.read() as s:
                row = s.get(t.UserRow, int(user_id))
                if row is None or not row.active:
                    raise NotFoundError("That account is no longer active in this casebook.")
                book.store.user = mapping.user(row)
        except BaseException:
            book.lock()
            raise
        return book

    @classmethod
    def _open(cls, paths: CasebookPaths, vault: KeyVault, key: bytes, user_id: int | None,
              how: str, clock: Callable[[], datetime], wait: float = 0,
              on_wait: Callable[[str], None] | None = None,
              on_upgrade: Callable[[], None] | None = None) -> Casebook:
        # The writer lock first: migrations, the leftover clean-up and every write happen
        # under it. Its owner is named once the account is known.
        writer = WriterLock(paths.database)
        writer.acquire("", wait=wait, on_wait=on_wait)
        try:
            tidy_folder(paths)
            book = cls._open_locked(paths, vault, key, user_id, how, clock, writer, on_upgrade)
        except BaseException:
            writer.release()
            raise
        return book

    @classmethod
    def _open_locked(cls, paths: CasebookPaths, vault: KeyVault, key: bytes,
                     user_id: int | None, how: str, clock: Callable[[], datetime],
                     writer: WriterLock,
                     on_upgrade: Callable[[], None] | None = None) -> Casebook:
        key, finished_rekey = cls._settle_rekey(paths, vault, key)
        engine = open_engine(paths.database, key)
        try:
            stamp = clock().strftime("%Y%m%d-%H%M%S")

            def backup_first(current: str | None) -> None:
                if on_upgrade is not None:
                    on_upgrade()
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
                # Like every backup, it keeps the key file of its day: after a later rekey
                # only that one opens it.
                maintenance.copy_file_atomically(paths.slots,
                                                 target.with_name(target.name + ".keys"))

            if migrate.upgrade(engine, before=backup_first):
                integrity.record_upgrade(engine)
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
            if finished_rekey:
                book.store.log_event("casebook.rekey", "casebook",
                                     "finished after an interruption")
            book._finish_interrupted_revokes()
        except BaseException:
            if book.store.engine is not None:
                book.store.engine.dispose()
            raise
        log.info("casebook unlocked (user %s, via %s)", user.id, how)
        return book

    @staticmethod
    def _settle_rekey(paths: CasebookPaths, vault: KeyVault, key: bytes) -> tuple[bytes, bool]:
        """Finish a rekey that was interrupted (see casebook.vault.keyvault): roll forward.

        Returns the key the file opens with now, and whether there was anything to finish.
        """
        rekey.remove_leftovers(paths.database)
        if not vault.rekey_pending():
            return key, False
        previous = vault.previous_key()
        if not rekey.opens_with(paths.database, key):
            if previous is None or not rekey.opens_with(paths.database, previous):
                return key, False  # the normal open reports what is wrong with the file
            rekey.rekey_file(paths.database, previous, key)
        vault.finish_rekey()
        log.info("interrupted rekey finished")
        return key, True

    def _finish_interrupted_revokes(self) -> None:
        """A passphrase slot of a removed account is a revoke that stopped before the rekey."""
        with self.store.read() as s:
            inactive = {str(i) for i in s.scalars(
                select(t.UserRow.id).where(t.UserRow.active.is_(False)))}
        for slot_id in self.vault.user_ids():
            if slot_id in inactive:
                try:
                    self.rekey(remove_user=slot_id)
                except CasebookError:
                    log.warning("could not finish removing a slot (user %s)", slot_id)

    # ----- changing the data key ----------------------------------------------------------
    def rekey(self, *, remove_user: str | None = None, new_recovery: bool = False,
              check_only: bool = False) -> str | None:
        """Re-encrypt the casebook under a new data key; every remaining slot gets it.

        ``remove_user`` (a slot id) loses access; ``new_recovery`` replaces the recovery key,
        whose text is returned (show it once). Raises ValidationError, before changing
        anything, if an old-format slot would be locked out. Crash-safe: see
        :mod:`casebook.vault.keyvault` and :mod:`casebook.storage.rekey`.
        """
        key = self._require_key()
        blockers = self.vault.rekey_blockers(removing=remove_user,
                                             replacing_recovery=new_recovery)
        if blockers:
            raise ValidationError(self._blocker_message(blockers))
        if check_only:
            return None
        secret, text = new_recovery_key() if new_recovery else (None, None)
        new_key = new_data_key()
        before = self.vault.snapshot()
        rekey_step("start")
        self.vault.begin_rekey(key, new_key, remove_user=remove_user, recovery_secret=secret)
        rekey_step("key-file-begun")
        if self.store.engine is not None:
            self.store.engine.dispose()
        self.store.engine = None
        try:
            rekey.rekey_file(self.paths.database, key, new_key, step=rekey_step)
        except BaseException:
            if rekey.opens_with(self.paths.database, key):  # not switched: undo step 1
                self.store.engine = open_engine(self.paths.database, key)
                try:
                    self.vault.cancel_rekey(before)
                except (CasebookError, OSError):
                    # The key file keeps both keys; the next unlock finishes the change.
                    log.warning("could not undo the key-file change; it finishes at next unlock")
                raise
            log.warning("rekey reported an error after the switch; carrying on")
        # Switched: from here on the change stands, whatever else fails.
        self._key = new_key
        self.store.engine = open_engine(self.paths.database, new_key)
        try:
            self.vault.finish_rekey()
            rekey_step("key-file-finished")
            if remove_user is not None:
                self.vault.forget_keyring()  # its slot went in begin_rekey; clear the entry
        except (CasebookError, OSError):
            log.warning("could not tidy the key file after a rekey; the next unlock does it")
        self.store.log_event("casebook.rekey", "casebook",
                             "recovery key replaced" if new_recovery else "access removed")
        log.info("casebook rekeyed")
        return text

    def _blocker_message(self, blockers: list[tuple[str, str]]) -> str:
        with self.store.read() as s:
            names = {str(r.id): r.name for r in s.scalars(select(t.UserRow))}
        people = [names.get(slot_id, f"account {slot_id}")
                  for kind, slot_id in blockers if kind == "passphrase"]
        parts = []
        if people:
            who = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
            parts.append(f"{who} must sign in once with their passphrase first, so Casebook can "
                         "move their access to the new key")
        if any(kind == "recovery" for kind, _ in blockers):
            parts.append("the recovery key must be replaced at the same time (choose to issue "
                         "a new recovery key), or someone must open the casebook with it once")
        return "This cannot be done yet: " + "; and ".join(parts) + "."

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
        with contextlib.suppress(Exception):
            self.store.anchor(integrity.CLOSED)
        if self.store.engine is not None:
            self.store.engine.dispose()
        self.store.engine = None
        if self.writer is not None:
            self.writer.release()
        # Last: once is_locked says so, the file is free for the next opener (a UI polling
        # is_locked from another thread must not find the writer lock still held).
        self._key = None
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
        integrity.anchor_backup(path, key, self.store.now())  # the backup's own anchor copy
        self.store.log_event("casebook.backup", "casebook")
        self.settings.note_backup(self.store.now().isoformat())
        return path

    def verify(self, on_progress: OnProgress | None = None) -> VerifyReport:
        """Read-only: pages, audit chain, audited rows, evidence hashes and the anchors.
        ``on_progress`` hears each step as it goes (on the calling thread)."""
        return integrity.verify_casebook(self.paths.database, self._require_key(),
                                         self.paths.backups, on_progress=on_progress)

    def audit_anchor(self) -> integrity.Anchor:
        """The chain's head now, as printed on exports and backups."""
        with self.store.read() as s:
            return integrity.Anchor(*audit.head(s))

    def __enter__(self) -> Casebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()


@dataclass(frozen=True)
class RestoreResult:
    kept: Path  # where the replaced casebook was kept
    purged_again: int = 0  # purged records the backup still held, removed again
    ledger_unreadable: bool = False  # the replaced file's purge ledger could not be read

    def purge_note(self) -> str:
        """What the user is told about purges after a restore ("" when there is nothing)."""
        if self.ledger_unreadable:
            return ("The casebook it replaced could not be read, so Casebook could not check "
                    "for records purged since this backup was made. Look at the retention "
                    "review queue and purge again anything that should not be there.")
        if self.purged_again:
            n = self.purged_again
            return (f"{n} purged record{'s were' if n != 1 else ' was'} removed again: the "
                    "backup was made before they were purged.")
        return ""


def restore(data_dir: Path | str, backup: Path | str, passphrase: str) -> Path:
    """Replace the casebook with a verified backup (see :func:`restore_casebook`); returns
    where the replaced file was kept."""
    return restore_casebook(data_dir, backup, passphrase).kept


def restore_casebook(data_dir: Path | str, backup: Path | str, passphrase: str
                     ) -> RestoreResult:
    """Replace the casebook with a verified backup.

    Takes the writer lock, so it refuses (CasebookInUseError, saying who has it open) while the
    casebook is open in the app or a command anywhere. The passphrase proves the right to do
    it and gives today's key. A backup made before a revoke or a new recovery key is
    re-encrypted under today's key first (it must then open with this passphrase through its
    own key file), and accounts whose access was removed since stay removed. Every purge in
    the replaced casebook's ledger is applied again to the restored copy before it replaces
    anything, so purged records stay gone. The replaced file is kept (a new
    ``.before-restore-<date-time>`` file every time; none is ever overwritten).
    """
    paths = CasebookPaths.at(data_dir)
    vault = Casebook._load_vault(paths)
    with WriterLock(paths.database) as writer:
        writer.acquire(f"restore (process {os.getpid()})")
        _user_id, key = vault.unlock_any_passphrase(passphrase)
        tidy_folder(paths)
        backup = Path(backup)
        try:
            converted = _under_todays_key(paths, vault, backup, passphrase, key)
        except OSError as exc:
            raise fileio.explain_os_error(exc, paths.root, "the restore") from exc
        replaced = integrity.readable_anchor(paths.database)
        ledger = purging.read_ledger(paths.database, key)
        purged_again = [0]

        def purge_again(staged: Path) -> None:
            purged_again[0] = purging.reapply_to_file(staged, key, ledger or [],
                                                      f"user:{_user_id}", wall_clock())

        try:
            kept = maintenance.restore_from(converted or backup, paths.database, key,
                                            prepare=purge_again)
        finally:
            if converted is not None:
                for leftover in (converted, *(converted.with_name(converted.name + s)
                                              for s in ("-wal", "-shm", "-journal"))):
                    with contextlib.suppress(FileNotFoundError):
                        leftover.unlink()
        engine = open_engine(paths.database, key)
        try:
            with Session(engine) as s, s.begin():
                head = audit.record(s, at=wall_clock(), actor=f"user:{_user_id}",
                                    action="casebook.restore", target="casebook",
                                    detail=",".join(
                                        ([f"replaced={replaced.seq}:{replaced.hash}"]
                                         if replaced else [])
                                        + [f"purged_again={purged_again[0]}"]))
                slots = set(vault.user_ids())
                for row in s.scalars(select(t.UserRow).where(t.UserRow.active.is_(True))):
                    if str(row.id) not in slots:  # removed after the backup was made
                        row.active = False
                        head = audit.record(s, at=wall_clock(), actor=f"user:{_user_id}",
                                            action="user.revoke", target=f"user:{row.id}",
                                            detail="access removed after this backup was made")
        finally:
            engine.dispose()
        integrity.write_anchor(paths.database, *head, state=integrity.CLOSED, at=wall_clock())
    return RestoreResult(kept, purged_again[0], ledger is None)


MSG_OLD_BACKUP_PASSPHRASE = (
    "This backup was made before the casebook's key last changed, and this passphrase did "
    "not open it then. Restore it with a passphrase that was in use when it was made."
)


def _under_todays_key(paths: CasebookPaths, vault: KeyVault, backup: Path, passphrase: str,
                      key: bytes) -> Path | None:
    """A copy of ``backup`` re-encrypted under today's key, if it was made under an older one.

    A backup made before a revoke or a new recovery key is under the data key of its day; the
    key file copied beside it (``<backup>.keys``) opens it with that day's passphrases. The
    copy is made in the casebook folder; the backup itself is never opened or changed.
    Returns None when the backup is already under today's key (or has no key file beside it).
    """
    backup_keys = backup.with_name(backup.name + ".keys")
    if not backup_keys.is_file():
        return None
    try:
        old_vault = KeyVault.load(backup_keys)  # reading only
    except CasebookError:
        return None  # restore_from reports what is wrong with the backup itself
    if old_vault.vault_id != vault.vault_id or old_vault.same_data_key_as(vault):
        return None
    # Unlock a copy, so no lock or attempt count is written beside the backup (it may be on
    # read-only media). Disk faults here reach restore(), which names them.
    check = paths.root / ".restore-check.keys"
    maintenance.copy_file_atomically(backup_keys, check)
    try:
        _uid, old_key = KeyVault.load(check).unlock_any_passphrase(passphrase)
    except WrongKeyError:
        raise ValidationError(MSG_OLD_BACKUP_PASSPHRASE) from None
    finally:
        for leftover in (check, check.with_name(check.name + ".lock")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    converted = paths.root / "casebook.db.restore-converted"
    maintenance.copy_file_atomically(backup, converted)
    try:
        rekey.rekey_file(converted, old_key, key)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            converted.unlink()
        raise
    log.info("backup from before a key change converted for restore")
    return converted


VerifyReport = integrity.VerifyReport
