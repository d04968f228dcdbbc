"""Killing Casebook at any moment loses nothing it has acknowledged and damages nothing.

A child process opens the casebook and keeps adding records (chronology entries, now and then an
evidence file or a new case), printing ``ACK ...`` only after each commit has returned. The
parent reads a random number of those lines, kills the child with SIGKILL wherever it happens to
be, then reopens the casebook and checks that every acknowledged record is there and that
``Casebook.verify()`` passes (cipher_integrity_check, integrity_check, audit chain, evidence
hashes). No sleeps: the kill lands wherever the child has got to when the parent reads its line.

Rounds: ``CASEBOOK_CRASH_ROUNDS`` (default 8); the ``slow`` variant runs 100.
Seed: ``CASEBOOK_CRASH_SEED`` to replay a failure (the seed is in every failure message).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from casebook.services import Casebook
from casebook.storage import tables as t

PASSPHRASE = "violet kettle harbour 42"

CHILD = r"""
import os, random, sys
from casebook.services import Casebook

data_dir, passphrase, case_id, seed, round_no = sys.argv[1:6]
case_id, rng = int(case_id), random.Random(int(seed))
book = Casebook.open_with_passphrase(data_dir, passphrase)
print("READY", flush=True)
n = 0
while True:
    n += 1
    if n % 11 == 0:
        case = book.cases.create(f"Round {round_no} case {n}", "other")
        print(f"ACK case {case.id} {case.reference}", flush=True)
    elif n % 5 == 0:
        data = os.urandom(rng.choice((300, 40_000, 1_500_000)))
        item = book.evidence.add_bytes(case_id, data, filename=f"r{round_no}-{n}.bin",
                                       safety_confirmed=True)
        print(f"ACK evidence {item.id} {item.sha256}", flush=True)
    else:
        entry = book.cases.add_entry(case_id, f"Round {round_no} entry {n}")
        print(f"ACK entry {entry.id}", flush=True)
"""


@dataclass
class Acked:
    entries: set[int] = field(default_factory=set)
    evidence: dict[int, str] = field(default_factory=dict)
    cases: dict[int, str] = field(default_factory=dict)

    def take(self, line: str) -> None:
        parts = line.split()
        if len(parts) < 3 or parts[0] != "ACK":
            return
        kind, ident = parts[1], int(parts[2])
        if kind == "entry":
            self.entries.add(ident)
        elif kind == "evidence":
            self.evidence[ident] = parts[3]
        elif kind == "case":
            self.cases[ident] = parts[3]


def _kill_round(data_dir: Path, case_id: int, rng: random.Random, round_no: int,
                acked: Acked, log: Path) -> int:
    """Run one child, kill it after a random number of acknowledgements; returns that number."""
    env = dict(os.environ, CASEBOOK_INSECURE_TEST_KDF="1")
    target = rng.randint(1, 30)
    with log.open("ab") as err:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), PASSPHRASE, str(case_id),
             str(rng.randrange(2**31)), str(round_no)],
            stdout=subprocess.PIPE, stderr=err, env=env, text=True, bufsize=1,
        )
    assert child.stdout is not None
    seen = 0
    try:
        while seen < target:
            line = child.stdout.readline()
            if not line:
                raise AssertionError(f"child stopped by itself: {log.read_text()[-2000:]}")
            if line.startswith("ACK"):
                acked.take(line)
                seen += 1
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        # Lines already in the pipe were printed after their commit returned: also acknowledged.
        for line in child.stdout:
            acked.take(line)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return seen


def _check(data_dir: Path, acked: Acked, context: str) -> None:
    with Casebook.open_with_passphrase(data_dir, PASSPHRASE) as book:
        with book.store.read() as s:
            entries = set(s.scalars(select(t.ChronologyRow.id)))
            evidence = {r[0]: r[1] for r in s.execute(select(t.EvidenceRow.id, t.EvidenceRow.sha256))}
            cases = {r[0]: r[1] for r in s.execute(select(t.CaseRow.id, t.CaseRow.reference))}
        assert acked.entries <= entries, f"{context}: lost entries {acked.entries - entries}"
        for ident, sha in acked.evidence.items():
            assert evidence.get(ident) == sha, f"{context}: evidence {ident} lost or changed"
        for ident, ref in acked.cases.items():
            assert cases.get(ident) == ref, f"{context}: case {ident} lost"
        assert None not in evidence.values(), f"{context}: a half-stored evidence item"
        report = book.verify()
        assert report.integrity.ok, (context, report.integrity)
        assert report.chain.ok, (context, report.chain)
        assert not report.bad_hashes, (context, report.bad_hashes)


def _run(tmp_path: Path, rounds: int) -> None:
    seed = int(os.environ.get("CASEBOOK_CRASH_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    data_dir = tmp_path / "casebook"
    book, _ = Casebook.create(data_dir, school="Oak School", jurisdiction="england",
                              user_name="Alex Morgan", passphrase=PASSPHRASE)
    with book:
        case_id = book.cases.create("Crash test", "other").id
    acked = Acked()
    total = 0
    for round_no in range(1, rounds + 1):
        total += _kill_round(data_dir, case_id, rng, round_no, acked, tmp_path / "child.log")
        _check(data_dir, acked, f"seed {seed}, round {round_no}")
    assert total >= rounds and acked.entries


def test_killed_while_writing_loses_nothing_acknowledged(tmp_path: Path) -> None:
    _run(tmp_path, int(os.environ.get("CASEBOOK_CRASH_ROUNDS", "8")))


@pytest.mark.slow
def test_killed_while_writing_many_times(tmp_path: Path) -> None:
    _run(tmp_path, 100)
