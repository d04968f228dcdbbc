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
from casebook.services import audit
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
        with self.unaudited() as session:
            work = Work(session, target, detail)
            yield work
            audit.record(session, at=self.now(), actor=self.actor, action=action,
                         target=work.target, detail=work.detail)
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
        with self.unaudited() as session:
            audit.record(session, at=self.now(), actor=self.actor, action=action, target=target,
                         detail=detail)
        if action == "casebook.backup":
            self.changes.add("backup")

    def require_writer(self) -> None:
        if self.user.role == UserRole.VIEWER:
            raise PermissionDeniedError(
                "Your account can view the casebook but not change it. Ask the DSL."
            )
