"""The open casebook's handle shared by the services: engine, signed-in user, clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from casebook.domain import User, UserRole
from casebook.errors import LockedError, PermissionDeniedError
from casebook.paths import CasebookPaths
from casebook.services import audit, integrity
from casebook.storage import chain
from casebook.storage.engine import READ_ONLY


def wall_clock() -> datetime:
    """Local wall-clock time to the second: a school record reads in the school's own time."""
    return datetime.now().replace(microsecond=0)


@dataclass
class Work:
    session: Session
    target: str
    detail: str


#: What kind of record an audited action changes, by the action's first word. The UI reloads
#: the screens that show that kind; actions not listed (exports, keys, lock) change no screen.
CHANGE_KINDS: dict[str, str] = {
    "case": "case", "person": "case", "account": "case", "action": "case",
    "decision": "case", "step": "case", "chronology": "case", "correction": "case",
    "evidence": "evidence", "report": "tracker", "rung": "tracker",
    "checklist": "checklist", "official-account": "official-account",
    "setting": "setting", "user": "user",
    "register": "register", "retention": "register", "transfer": "register",
}


def change_kind(action: str) -> str | None:
    """The kind of record ``action`` changes ("case", "tracker"...), or None."""
    return CHANGE_KINDS.get(action.split(".", 1)[0])


@dataclass
class Store:
    paths: CasebookPaths
    engine: Engine | None
    user: User
    clock: Callable[[], datetime] = wall_clock
    #: Kinds changed by writes committed since the last :meth:`take_changes` (worker thread).
    changes: set[str] = field(default_factory=set)
    #: Opened for reading only (read-only commands, verify): nothing is written, not even
    #: the unlock/lock entries or the anchor.
    read_only: bool = False
    _anchor_checked: bool = field(default=False, init=False, repr=False)

    @property
    def actor(self) -> str:
        return self.user.name

    def now(self) -> datetime:
        return self.clock()

    def _engine(self) -> Engine:
        if self.engine is None:
            raise LockedError("The casebook is locked. Unlock it to carry on.")
        return self.engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only unit of work (begins DEFERRED; writes begin IMMEDIATE)."""
        engine = self._engine().execution_options(**{READ_ONLY: True})
        with Session(engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def unaudited(self) -> Iterator[Session]:
        """A transaction that changes no record (drafts, bookkeeping): any role, no audit entry
        of its own."""
        with Session(self._engine(), expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def write(self, action: str, target: str = "", detail: str = "") -> Iterator[Work]:
        """A unit of work that changes records; its audit entry commits with it (or not at all).

        The body may set ``work.target``/``work.detail`` once it knows them (e.g. a new id).
        Audit details hold ids and kinds of change, never case text.
        """
        self.require_writer()
        if self.read_only:
            raise PermissionDeniedError("The casebook is open read-only here; nothing was changed.")
        with self.unaudited() as session:
            self._before_write(session)
            work = Work(session, target, detail)
            yield work
            head = audit.record(session, at=self.now(), actor=self.actor, action=action,
                                target=work.target, detail=work.detail)
        integrity.write_anchor(self.paths.database, *head, state=integrity.OPEN, at=self.now())
        self._changed(action)

    def _changed(self, action: str) -> None:
        kind = change_kind(action)
        if kind is not None:
            self.changes.add(kind)

    def take_changes(self) -> frozenset[str]:
        """The kinds changed since the last call (then forgotten): one notice per job."""
        taken = frozenset(self.changes)
        self.changes.clear()
        return taken

    def log_event(self, action: str, target: str, detail: str = "") -> None:
        """Audit an event that changes no record (unlock, lock, backup) — allowed for every role."""
        if self.read_only:
            return
        with self.unaudited() as session:
            self._before_write(session)
            head = audit.record(session, at=self.now(), actor=self.actor, action=action,
                                target=target, detail=detail)
        integrity.write_anchor(self.paths.database, *head, state=integrity.OPEN, at=self.now())
        if action == "casebook.backup":
            self.changes.add("backup")

    def _before_write(self, session: Session) -> None:
        """Log what happened to the file while this Store was not writing, before the anchor
        file is overwritten and rows are re-hashed: once, a log that no longer matches its
        anchor (cut, rewritten, or extended after Casebook closed it); every time, rows changed
        outside Casebook."""
        if not self._anchor_checked:
            self._anchor_checked = True
            anchor = integrity.readable_anchor(self.paths.database)
            if anchor is not None:
                last, _ = audit.head(session)
                finding = integrity.anchor_mismatch(
                    anchor, last, audit.hash_at(session, anchor.seq),
                    chain.entries_beyond(audit.dbapi(session), anchor.seq))
                if finding:
                    audit.record(session, at=self.now(), actor=self.actor,
                                 action=chain.ANCHOR_MISMATCH, target="casebook", detail=finding)
        audit.record_outside_changes(session, at=self.now(), actor=self.actor)

    def printed_anchor(self) -> str:
        """The chain's head as printed on exports, e.g. "Audit 1234 · 9f3a 1b2c 44d0 e7a1"."""
        with self.read() as session:
            return integrity.Anchor(*audit.head(session)).text()

    def anchor(self, state: str) -> integrity.Anchor | None:
        """Write the chain's head to the anchor file beside the database (at lock: CLOSED)."""
        if self.read_only:
            return None
        with self.read() as session:
            seq, digest = audit.head(session)
        return integrity.write_anchor(self.paths.database, seq, digest, state=state,
                                      at=self.now())

    def require_writer(self) -> None:
        if self.user.role == UserRole.VIEWER:
            raise PermissionDeniedError(
                "Your account can view the casebook but not change it. Ask the DSL."
            )
