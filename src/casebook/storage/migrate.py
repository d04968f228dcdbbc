"""Schema migrations, run from code on the keyed connection when a casebook opens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import casebook.migrations
from casebook.errors import NewerVersionError

log = logging.getLogger(__name__)


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(casebook.migrations.__file__).parent))
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    """The shipped migration scripts, loaded once per process: they do not change while it
    runs, and loading them (about 15 modules) was 15-40 ms of every unlock. The check itself
    (the file's revision against these) still runs on every open."""
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def needs_upgrade(engine: Engine) -> bool:
    """True when the schema is older than this app. Refuses a schema from a newer app."""
    current = current_revision(engine)
    script = _scripts()
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:  # alembic raises several types for an unknown revision
            raise NewerVersionError(
                "This casebook was saved by a newer version of Casebook. It has not been "
                "changed. Please install the newer version to open it."
            ) from exc
    return current != script.get_current_head()


def upgrade(engine: Engine, target: str = "head",
            before: Callable[[str | None], None] | None = None) -> bool:
    """Bring the schema to ``target``; ``before(current)`` runs first (the app backs up there).

    Returns True when anything was migrated.
    """
    if target == "head" and not needs_upgrade(engine):
        return False
    current = current_revision(engine)
    if before is not None and current is not None:
        before(current)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
    log.info("schema migrated from %s to %s", current, target)
    return True


def downgrade(engine: Engine, target: str) -> None:
    """Only for tests and support staff: step the schema back to ``target``."""
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)
