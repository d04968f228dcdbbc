"""Write transactions begin IMMEDIATE, so a second writer waits (busy_timeout) instead of
failing with "database is locked"; and when a wait does run out, the user gets one calm line.

Two real processes write through the services at the same time, each below the single-writer
lock (as a second connection in the app, or a tool, would): no write may fail. Rounds:
``CASEBOOK_CONCURRENT_WRITES`` per process (default 150, so 300 in all); the ``slow`` variant
runs 1000 per process.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import event, select, text

from casebook.errors import CasebookError
from casebook.services.cases import CaseService
from casebook.services.store import Store
from casebook.storage import tables as t
from casebook.storage.engine import BusyError, open_engine
from casebook.vault import KeyVault

WRITER = r"""
import sys
from casebook.domain import User, UserRole
from casebook.paths import CasebookPaths
from casebook.services.cases import CaseService
from casebook.services.store import Store
from casebook.storage.engine import open_engine
from casebook.vault import KeyVault
from datetime import datetime

data_dir, passphrase, case_id, count, tag = sys.argv[1:6]
paths = CasebookPaths.at(data_dir)
key = KeyVault.load(paths.slots).unlock_with_passphrase("1", passphrase)
store = Store(paths, open_engine(paths.database, key),
              User(id=1, name="Alex Morgan", role=UserRole.DSL, created_at=datetime.now()))
cases = CaseService(store)
print("READY", flush=True)
sys.stdin.readline()  # both start together
failures = 0
for n in range(int(count)):
    try:
        cases.add_entry(int(case_id), f"{tag} entry {n}")
    except Exception as exc:
        failures += 1
        print(f"FAIL {type(exc).__name__}: {exc}", flush=True)
print(f"DONE {failures}", flush=True)
"""


def _run_two_writers(info, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    case = info.book.cases.create("Shared", "other")
    info.book.lock()  # release the writer lock: the two processes write below it
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(info.data_dir), info.passphrase,
                               str(case.id), str(count), tag],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for tag in ("A", "B")]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "READY"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    engine = open_engine(info.database, key)
    try:
        with engine.connect() as conn:
            stored = conn.execute(select(t.ChronologyRow.text)
                                  .where(t.ChronologyRow.case_id == case.id)).scalars().all()
    finally:
        engine.dispose()
    for tag in ("A", "B"):
        assert {s for s in stored if s.startswith(f"{tag} ")} == \
            {f"{tag} entry {n}" for n in range(count)}
    return outputs


def test_two_processes_writing_at_once_never_fail(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    count = int(os.environ.get("CASEBOOK_CONCURRENT_WRITES", "150"))
    outputs = _run_two_writers(new_casebook_info, count)
    assert all(out.strip().endswith("DONE 0") for out in outputs), outputs


@pytest.mark.slow
def test_two_processes_writing_at_once_never_fail_many(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    outputs = _run_two_writers(new_casebook_info, 1000)
    assert all(out.strip().endswith("DONE 0") for out in outputs), outputs


def test_a_wait_that_runs_out_is_one_calm_line(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    info = new_casebook_info
    case = info.book.cases.create("Busy", "other")
    info.book.lock()
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    other = open_engine(info.database, key)
    store = Store(info.book.paths, open_engine(info.database, key), info.book.user)

    @event.listens_for(store.engine, "connect")
    def _short_wait(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA busy_timeout = 50")  # instead of 30 s, to keep the test short

    try:
        with other.connect() as holding:
            holding.execute(text("INSERT INTO drafts (key, text, updated_at) "
                                 "VALUES ('x', 'y', '2026-01-01')"))  # holds the write lock
            with pytest.raises(BusyError) as caught:
                CaseService(store).add_entry(case.id, "waits, then gives up")
            holding.rollback()
    finally:
        store.engine.dispose()  # type: ignore[union-attr]
        other.dispose()
    assert isinstance(caught.value, CasebookError)
    assert "busy" in str(caught.value) and "Nothing was lost" in str(caught.value)
    assert "locked" not in str(caught.value)


def test_reads_do_not_take_the_write_lock(new_casebook_info) -> None:  # type: ignore[no-untyped-def]
    """A read-only unit of work begins DEFERRED, so it runs while another process writes."""
    info = new_casebook_info
    info.book.cases.create("Readable", "other")
    key = KeyVault.load(info.slots).unlock_with_passphrase("1", info.passphrase)
    other = open_engine(info.database, key)
    try:
        with other.connect() as holding:
            holding.execute(text("INSERT INTO drafts (key, text, updated_at) "
                                 "VALUES ('x', 'y', '2026-01-01')"))
            assert [c.title for c in info.book.cases.list_page()] == ["Readable"]
            holding.rollback()
    finally:
        other.dispose()

