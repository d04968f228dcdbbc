"""Killing a restore or a schema upgrade at every step loses nothing and leaves a casebook that
opens.

A child process runs the restore (or opens an older casebook, which backs it up and upgrades
it) and SIGKILLs itself at step N: for a restore, before the N-th write, fsync or rename that
goes through casebook.fileio; for an upgrade, before the N-th SQL statement. The parent then
opens the casebook (the OS has dropped the dead child's writer lock) and checks it holds either
everything it had or exactly the backup, and that a killed upgrade is simply done again.

``CASEBOOK_KILL_STEPS`` caps the steps tried for the upgrade (default 8, spread over all of
them); the ``slow`` variant tries every statement.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.services import Casebook
from casebook.storage import migrate
from casebook.storage.engine import open_engine
from casebook.vault import KeyVault

PASSPHRASE = "violet kettle harbour 42"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

CHILD = r"""
import os, signal, sys
from casebook import fileio

mode, data_dir, passphrase, backup, kill_at = sys.argv[1:6]
kill_at = int(kill_at)
count = [0]

def step():
    count[0] += 1
    if count[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

class KillAt(fileio.FileOps):
    def write(self, fd, data):
        step()
        return super().write(fd, data)
    def fsync(self, fd):
        step()
        super().fsync(fd)
    def replace(self, source, target):
        step()
        super().replace(source, target)

if mode == "restore":
    fileio.ops = KillAt()
    from casebook.services import restore
    restore(data_dir, backup, passphrase)
else:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from casebook.services import Casebook

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(*_args):
        step()

    Casebook.open_with_passphrase(data_dir, passphrase).lock()
print(f"DONE {count[0]}", flush=True)
"""


def _child(mode: str, data_dir: Path, backup: Path | None, kill_at: int) -> tuple[bool, int]:
    """Run the child; (killed, steps it counted if it finished)."""
    result = subprocess.run([sys.executable, "-c", CHILD, mode, str(data_dir), PASSPHRASE,
                             str(backup or ""), str(kill_at)],
                            capture_output=True, text=True, timeout=300)
    if result.returncode == -signal.SIGKILL:
        return True, 0
    assert result.returncode == 0, result.stderr[-2000:]
    return False, int(result.stdout.split()[-1])


def _titles(data_dir: Path) -> set[str]:
    with Casebook.open_with_passphrase(data_dir, PASSPHRASE) as book:
        assert book.verify().integrity.ok
        return {c.title for c in book.cases.list_page()}


def test_restore_killed_at_every_step(tmp_path: Path) -> None:
    data_dir = tmp_path / "casebook"
    book, _ = Casebook.create(data_dir, school="Oak", jurisdiction="england",
                              user_name="Alex Morgan", passphrase=PASSPHRASE)
    with book:
        book.cases.create("In the backup", "other")
        backup = book.backup()
        book.cases.create("Only in the live casebook", "other")
    everything = {"In the backup", "Only in the live casebook"}
    killed_at = []
    n = 1
    while True:
        killed, steps = _child("restore", data_dir, backup, n)
        titles = _titles(data_dir)
        if not killed:
            assert titles == {"In the backup"}
            break
        killed_at.append(n)
        assert titles in (everything, {"In the backup"}), (n, titles)
        if titles != everything:  # the swap was done before the kill: put the record back
            with Casebook.open_with_passphrase(data_dir, PASSPHRASE) as again:
                again.cases.create("Only in the live casebook", "other")
        n += 1
    assert killed_at == list(range(1, steps + 1))  # a kill before each step, then a clean run
    kept = sorted(p.name for p in data_dir.iterdir() if ".before-restore-" in p.name
                  and not p.name.endswith(".partial"))
    assert kept  # every completed swap kept the file it replaced


def _older_casebook(tmp_path: Path) -> tuple[Path, str]:
    data_dir = tmp_path / "casebook"
    book, _ = Casebook.create(data_dir, school="Oak", jurisdiction="england",
                              user_name="Alex Morgan", passphrase=PASSPHRASE)
    with book:
        for n in range(5):
            book.cases.add_entry(book.cases.create(f"Written before {n}", "other").id,
                                 "an entry")
    key = KeyVault.load(data_dir / "casebook.keys").unlock_with_passphrase("1", PASSPHRASE)
    engine = open_engine(data_dir / "casebook.db", key)
    try:
        migrate.downgrade(engine, "-1")
        older = migrate.current_revision(engine)
    finally:
        engine.dispose()
    assert older is not None
    return data_dir, older


def _upgrade_killed_at(tmp_path: Path, points: int | None) -> None:
    data_dir, older = _older_casebook(tmp_path / "count")
    killed, total = _child("migrate", data_dir, None, 0)  # count the statements of one open
    assert not killed and total > 10
    chosen = list(range(1, total + 1))
    if points is not None and points < total:
        chosen = sorted({1 + (i * (total - 1)) // (points - 1) for i in range(points)})
    for kill_at in chosen:
        data_dir, older = _older_casebook(tmp_path / f"kill-{kill_at}")
        killed, _ = _child("migrate", data_dir, None, kill_at)
        assert killed, kill_at
        key = KeyVault.load(data_dir / "casebook.keys").unlock_with_passphrase("1", PASSPHRASE)
        engine = open_engine(data_dir / "casebook.db", key)
        try:
            assert migrate.current_revision(engine) in (older, migrate.head_revision())
        finally:
            engine.dispose()
        titles = _titles(data_dir)  # opens (and finishes the upgrade if it was cut short)
        assert titles == {f"Written before {n}" for n in range(5)}, kill_at


def test_upgrade_killed_at_spread_steps(tmp_path: Path) -> None:
    _upgrade_killed_at(tmp_path, int(os.environ.get("CASEBOOK_KILL_STEPS", "8")))


@pytest.mark.slow
def test_upgrade_killed_at_every_statement(tmp_path: Path) -> None:
    _upgrade_killed_at(tmp_path, None)
