"""Killing Casebook at every step of a rekey (removing someone's access) loses nothing.

A child process opens the casebook as the DSL, adds a chronology entry (printing ``ACK`` once
it has committed), then removes Sam's access - and kills itself with SIGKILL at one named step
of the rekey (``casebook.services.casebook.rekey_step``). After each kill the parent checks:

- the casebook opens with every remaining passphrase and with the recovery key;
- every acknowledged record is there and ``verify()`` passes;
- Sam's passphrase opens nothing, and neither does the data key he once held (what a copy of
  the old key file gives him): the first unlock after the kill finishes the rekey.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from casebook.errors import DamagedFileError, NotFoundError, WrongKeyError
from casebook.services import Casebook
from casebook.storage import rekey
from casebook.storage import tables as t
from casebook.storage.engine import connect_keyed
from casebook.vault import KeyVault

DSL = "violet kettle harbour 42"
SAM = "lantern pebble orchard 7"
VIC = "copper meadow falcon 19"

#: Every step the rekey reports, in order; "none" lets it finish.
STEPS = ["start", "key-file-begun", "checkpointed", "copied", "rekeyed", "checked",
         "sidecars-removed", "switched", "key-file-finished", "none"]

CHILD = r"""
import os, signal, sys
from casebook.services import casebook as module

data_dir, kill_at = sys.argv[1:3]

def step(name):
    if name == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

module.rekey_step = step
book = module.Casebook.open_with_passphrase(data_dir, "violet kettle harbour 42")
entry = book.cases.add_entry(1, "Written just before removing Sam's access")
print(f"ACK entry {entry.id}", flush=True)
result = book.users.revoke(2)
print("DONE", result.note, flush=True)
book.lock()
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, bytes]:
    """A casebook with the DSL, Sam (id 2) and Vic (id 3), some records, locked."""
    data_dir = tmp_path_factory.mktemp("rekey-kill") / "casebook"
    book, recovery = Casebook.create(data_dir, school="Oakfield Primary School",
                                     jurisdiction="england", user_name="Alex Morgan",
                                     passphrase=DSL)
    with book:
        assert book.users.add("Sam Patel", "deputy", SAM).id == 2
        assert book.users.add("Vic Jones", "viewer", VIC).id == 3
        case = book.cases.create("Fake account of a teacher", "impersonation")
        for n in range(20):
            book.cases.add_entry(case.id, f"Entry {n}")
        book.evidence.add_bytes(case.id, b"\x89PNG" + bytes(200_000), filename="shot.png",
                                safety_confirmed=True)
    sams_key = KeyVault.load(data_dir / "casebook.keys").unlock_with_passphrase("2", SAM)
    return data_dir, recovery, sams_key


def _entries(book: Casebook) -> set[int]:
    """The chronology entries people wrote (Casebook's own "Case opened." and so on aside)."""
    with book.store.read() as s:
        return set(s.scalars(select(t.ChronologyRow.id).where(t.ChronologyRow.system.is_(False))))


@pytest.mark.parametrize("kill_at", STEPS)
def test_a_rekey_killed_at_any_step_leaves_a_casebook_that_opens(
    template: tuple[Path, str, bytes], tmp_path: Path, kill_at: str
) -> None:
    source, recovery, sams_key = template
    data_dir = tmp_path / "casebook"
    shutil.copytree(source, data_dir)
    kept_by_sam = tmp_path / "sams-copy.keys"
    shutil.copyfile(data_dir / "casebook.keys", kept_by_sam)

    child = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), kill_at],
                           capture_output=True, text=True, timeout=300)
    acked = [int(line.split()[2]) for line in child.stdout.splitlines()
             if line.startswith("ACK entry")]
    if kill_at == "none":
        assert child.returncode == 0, child.stderr
        assert "Backups made before today still open" in child.stdout
    else:
        assert child.returncode == -signal.SIGKILL, (kill_at, child.stderr)
    assert len(acked) == 1, child.stderr

    # A remaining user opens it first: this finishes whatever the rekey had not.
    with Casebook.open_with_passphrase(data_dir, VIC) as book:
        assert set(acked) <= _entries(book)
        assert len(_entries(book)) == 21
        assert {u.id: u.active for u in book.users.list()} == {1: True, 2: False, 3: True}
        report = book.verify()
        assert report.ok, (kill_at, report.integrity.cipher_problems, report.chain)
    vault = KeyVault.load(data_dir / "casebook.keys")
    assert vault.user_ids() == ["1", "3"] and not vault.rekey_pending()
    assert not rekey.staging_path(data_dir / "casebook.db").exists()
    with Casebook.open_with_passphrase(data_dir, DSL) as book:
        assert book.user.id == 1
    with Casebook.open_with_recovery_key(data_dir, recovery) as book:
        assert book.user.id == 1
    with pytest.raises((WrongKeyError, NotFoundError)):
        Casebook.open_with_passphrase(data_dir, SAM)
    with pytest.raises(WrongKeyError):
        KeyVault.load(data_dir / "casebook.keys").unlock_any_passphrase(SAM)
    # What Sam kept - his copy of the old key file, the key it gives - opens nothing live.
    assert KeyVault.load(kept_by_sam).unlock_with_passphrase("2", SAM) == sams_key
    with pytest.raises(DamagedFileError):
        connect_keyed(data_dir / "casebook.db", sams_key)
    assert sorted(p.name for p in data_dir.iterdir() if p.is_file() and "keys" in p.name
                  and not p.name.endswith(".lock")) == ["casebook.keys"]


CHILD_RECOVERY = r"""
import os, signal, sys
from casebook.services import casebook as module

data_dir, kill_at = sys.argv[1:3]
made = module.new_recovery_key

def announce():
    secret, text = made()
    print(f"NEW {text}", flush=True)  # the parent learns the key before the rekey uses it
    return secret, text

def step(name):
    if name == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

module.new_recovery_key = announce
module.rekey_step = step
book = module.Casebook.open_with_passphrase(data_dir, "violet kettle harbour 42")
book.users.reissue_recovery_key()
print("DONE", flush=True)
book.lock()
"""


@pytest.mark.parametrize("kill_at", STEPS)
def test_a_new_recovery_key_killed_at_any_step_leaves_a_casebook_that_opens(
    template: tuple[Path, str, bytes], tmp_path: Path, kill_at: str
) -> None:
    source, old_recovery, old_key = template
    data_dir = tmp_path / "casebook"
    shutil.copytree(source, data_dir)

    child = subprocess.run([sys.executable, "-c", CHILD_RECOVERY, str(data_dir), kill_at],
                           capture_output=True, text=True, timeout=300)
    new_recovery = [line.split()[1] for line in child.stdout.splitlines()
                    if line.startswith("NEW ")][0]
    assert child.returncode == (0 if kill_at == "none" else -signal.SIGKILL), child.stderr

    for passphrase in (VIC, SAM, DSL):  # everyone keeps access; the first unlock finishes it
        with Casebook.open_with_passphrase(data_dir, passphrase) as book:
            assert len(_entries(book)) == 20
    assert not KeyVault.load(data_dir / "casebook.keys").rekey_pending()
    changed = kill_at != "start"  # killed before the key file changed: nothing changed
    current, stale = (new_recovery, old_recovery) if changed else (old_recovery, new_recovery)
    with Casebook.open_with_recovery_key(data_dir, current) as book:
        assert book.verify().ok
    with pytest.raises(WrongKeyError):
        Casebook.open_with_recovery_key(data_dir, stale)
    if changed:
        with pytest.raises(DamagedFileError):
            connect_keyed(data_dir / "casebook.db", old_key)
