"""Make a realistic benchmark casebook (and optionally the same data in a plain SQLite file).

    python bench/generate.py --out bench/data                 # 10,000 cases (about 5 minutes)
    python bench/generate.py --out /tmp/b --cases 500 --plain # small, with a plain copy

Default size: 10,000 cases, 100,000 chronology entries, 2,000 evidence files of 20-200 KB
(random bytes, like photos: incompressible), plus people, accounts, decisions, actions,
platform reports, response steps and a hash-chained audit log. The data is made from a seed, so
the plain copy holds exactly the same rows and bytes.

The casebook is made with ``Casebook.create`` and the real (calibrated) Argon2 cost, so
``run.py`` can time a real unlock; its passphrase is in ``dataset.json`` (this is test data).
Rows are written with SQLAlchemy Core ``insert()`` and lists of dicts (executemany), which is
roughly ten times faster than ORM ``add_all`` (see ARCHITECTURE.md). The search-index triggers
fire for every row, as they would in use.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (  # noqa: E402
    BENCH_PASSPHRASE,
    Layout,
    keyed_engine,
    plain_engine,
    versions,
)

from casebook.domain import StepKey, format_reference  # noqa: E402
from casebook.services import Casebook, integrity  # noqa: E402
from casebook.services.audit import GENESIS_HASH, entry_hash  # noqa: E402
from casebook.storage import chain, migrate  # noqa: E402
from casebook.storage import tables as t  # noqa: E402
from casebook.storage import tables_people as tpe  # noqa: E402
from casebook.storage.engine import open_engine  # noqa: E402
from casebook.vault import KdfParams, KeyVault  # noqa: E402

BATCH = 2000
START = datetime(2021, 9, 1, 8, 0)
END = datetime(2026, 7, 15, 16, 0)
STAFF = ["Alex Morgan", "Sam Patel", "Jo Williams", "Priya Shah"]
PLATFORMS = ["Instagram", "TikTok", "Snapchat", "Facebook", "X", "YouTube", "WhatsApp",
             "Discord", "Threads", "BeReal"]
FIRST = ["Jamie", "Ava", "Noah", "Olivia", "Leo", "Amelia", "Oscar", "Isla", "Zoë", "Ethan",
         "Mia", "Harry", "Freya", "Theo", "Ruby", "Arlo", "Maya", "Kai", "Niamh", "Callum",
         "Aoife", "Rhys", "Seren", "Dylan", "Ffion", "Ibrahim", "Fatima", "Yusuf", "Aisha",
         "Chloé", "Björn", "Siobhán", "Mateo", "Lucía", "Oliwia", "Jakub"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Patel", "Khan", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Murphy", "O'Neill",
        "Kowalski", "Nowak", "Ahmed", "Hughes", "Edwards", "Green", "Hall", "Lewis", "Ødegård"]
WORDS: Any = """account accounts photo photos screenshot screenshots message messages comment comments
post posts story stories video videos group chat chats parent parents carer mother father
pupil pupils learner learners student students teacher staff head deputy tutor form year
class lesson break lunch playground bus gate phone phones laptop school website logo uniform
fake impersonating impersonation baiting rumour rumours harassment bullying threats threat
abusive nasty upsetting unkind humiliating shared sharing forwarded reposted reported report
reporting removed removal platform platforms helpline police referral safeguarding concern
concerns worried distressed upset anxious crying absent meeting meetings called phoned spoke
interview statement account followers following username handle profile created deleted
blocked muted restricted evidence link links url copied saved printed recorded noted
timeline incident incidents evening weekend morning afternoon yesterday today tomorrow
monday tuesday wednesday thursday friday saturday sunday first second third again still
advice support counsellor pastoral wellbeing plan plans review reviewed agreed decided
contact contacted emailed letter letters apology sanction sanctions detention exclusion
restorative conversation conversations witness witnesses friend friends older younger
sibling brother sister cousin neighbour community club team match training trip residential
camera filmed filming fight fights outside inside corridor toilets changing room field
gallery edited cropped caption captions emoji emojis poll polls vote votes ranking rating
muggies exposing exposed leaked names initials address addresses location tagged tag
community guidelines terms breach breaches rules escalated escalation outcome outcomes"""
WORDS = WORDS.split()
TITLES = ["Fake {p} account using the school logo", "{p} account posting pupils' photos",
          "Baiting page on {p} collecting rumours", "Harassment of a Year {y} pupil on {p}",
          "Comments about a member of staff on {p}", "Video of a fight shared on {p}",
          "Impersonation of a teacher on {p}", "Group chat on {p} targeting a pupil",
          "Ranking poll of pupils on {p}", "Edited photos of staff on {p}"]
CASE_TYPES = ["impersonation", "baiting", "harassment", "staff-allegation", "video", "other"]
RISKS = ["low", "medium", "medium", "high", "critical"]
ACCOUNT_KINDS = ["impersonating-school", "impersonating-staff", "baiting", "harassing"]
ACCOUNT_STATUSES = ["active", "reported", "removed", "refused", "unknown"]
PERSON_KINDS = ["learner", "learner", "learner", "staff", "parent", "other"]
PERSON_ROLES = ["harmed", "suspected-creator", "witness", "reporter"]
BODIES = ["platform", "helpline", "report-harmful-content", "police", "local-authority", "lado"]


class Generator:
    """Deterministic rows for one dataset (same seed -> same rows and evidence bytes)."""

    def __init__(self, cases: int, seed: int, entries: int, evidence: int) -> None:
        self.n_cases = cases
        self.n_entries = entries
        self.n_evidence = evidence
        self.seed = seed
        self.rng = random.Random(seed)
        self.events: list[tuple[datetime, str, str, str, str]] = []

    # ---- text ----------------------------------------------------------------------------
    def sentence(self, low: int = 8, high: int = 22) -> str:
        rng = self.rng
        words = rng.choices(WORDS, k=rng.randint(low, high))
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), rng.choice(FIRST))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(PLATFORMS))
        return " ".join(words).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def after(self, moment: datetime, max_days: float) -> datetime:
        out = moment + timedelta(seconds=self.rng.uniform(60, max_days * 86400))
        return min(out, END).replace(microsecond=0)

    def event(self, at: datetime, action: str, target: str, detail: str) -> None:
        self.events.append((at, self.rng.choice(STAFF), action, target, detail))

    # ---- rows ----------------------------------------------------------------------------
    def cases(self) -> list[dict[str, Any]]:
        rng = self.rng
        span = (END - START).total_seconds()
        opened = sorted(START + timedelta(seconds=rng.uniform(0, span))
                        for _ in range(self.n_cases))
        per_year: dict[int, int] = {}
        rows = []
        for case_id, at in enumerate(opened, start=1):
            at = at.replace(microsecond=0)
            per_year[at.year] = number = per_year.get(at.year, 0) + 1
            age_days = (END - at).days
            status = ("closed" if age_days > 60 and rng.random() < 0.9 else
                      rng.choice(["open", "open", "monitoring"]))
            platform = rng.choice(PLATFORMS)
            rows.append({
                "id": case_id, "reference": format_reference(at.year, number), "year": at.year,
                "number": number,
                "title": rng.choice(TITLES).format(p=platform, y=rng.randint(7, 13)),
                "case_type": rng.choice(CASE_TYPES), "summary": self.paragraph(rng.randint(1, 3)),
                "status": status,
                "closed_reason": self.sentence() if status == "closed" else None,
                "risk": rng.choice(RISKS), "opened_at": at,
                "closed_at": self.after(at, 60) if status == "closed" else None,
                "updated_at": self.after(at, 30), "created_by": rng.choice(STAFF),
            })
            self.event(at, "case.create", f"case:{case_id}", "type=" + rows[-1]["case_type"])
        return rows

    def steps(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for case in cases:
            done = 5 if case["status"] == "closed" else self.rng.randint(0, 4)
            for i, key in enumerate(StepKey):
                finished = i < done
                rows.append({
                    "case_id": case["id"], "step_key": key.value,
                    "status": "done" if finished else ("in-progress" if i == done else
                                                       "not-started"),
                    "completed_at": case["updated_at"] if finished else None,
                    "completed_by": case["created_by"] if finished else None,
                    "data_json": json.dumps({"notes": self.sentence(4, 10)}) if finished else "{}",
                    "updated_at": case["updated_at"],
                })
        return rows

    def spread(self, total: int, cases: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``total`` random picks of cases (some get many, some none), in case order."""
        picks = sorted(self.rng.randrange(len(cases)) for _ in range(total))
        for index in picks:
            yield cases[index]

    def chronology(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for entry_id, case in enumerate(self.spread(self.n_entries, cases), start=1):
            at = self.after(case["opened_at"], 40)
            rows.append({"id": entry_id, "case_id": case["id"], "occurred_at": at,
                         "recorded_at": at, "author": self.rng.choice(STAFF),
                         "text": self.paragraph(self.rng.randint(1, 3))})
            self.event(at, "chronology.add", f"case:{case['id']}", f"entry={entry_id}")
        return rows

    def people(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for person_id, case in enumerate(self.spread(len(cases) * 5 // 2, cases), start=1):
            kind = self.rng.choice(PERSON_KINDS)
            rows.append({"id": person_id, "case_id": case["id"], "name": self.name(),
                         "kind": kind, "role": self.rng.choice(PERSON_ROLES),
                         "date_of_birth": (date(2008, 9, 1) + timedelta(
                             days=self.rng.randint(0, 2500))) if kind == "learner" else None,
                         "year_group": f"Year {self.rng.randint(7, 13)}" if kind == "learner"
                         else None, "notes": self.sentence() if self.rng.random() < 0.3 else "",
                         "created_at": case["opened_at"]})
            self.event(case["opened_at"], "person.add", f"case:{case['id']}",
                       f"person={person_id}")
        return rows

    def register(self, learners: list[tuple[int, str, date | None, str | None]]
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Register learners made from the case people who are learners ((people id, name,
        date of birth, year group)): one in ten is on 2 to 6 cases, so a learner's file brings
        several cases together. Its own random stream: the other rows of a seed stay the same
        (and ``--add-register`` can add it to a dataset made before)."""
        rng = random.Random(self.seed + 1)
        pool = list(learners)
        rng.shuffle(pool)
        register: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        while pool:
            cases = rng.randint(2, 6) if rng.random() < 0.1 else 1
            group, pool = pool[:cases], pool[cases:]
            forename, _, surname = group[0][1].partition(" ")
            register_id = len(register) + 1
            register.append({"id": register_id, "kind": "learner", "upn": None,
                             "forename": forename, "surname": surname,
                             "date_of_birth": group[0][2], "year_group": group[0][3] or "",
                             "created_at": START, "updated_at": START})
            links += [{"case_person_id": person_id, "register_id": register_id}
                      for person_id, *_rest in group]
        return register, links

    def accounts(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for account_id, case in enumerate(self.spread(len(cases) * 4 // 5, cases), start=1):
            platform = self.rng.choice(PLATFORMS)
            handle = (f"{self.rng.choice(FIRST).lower()}_{self.rng.choice(WORDS)}"
                      f"{self.rng.randint(1, 999)}")
            rows.append({"id": account_id, "case_id": case["id"], "platform": platform,
                         "handle": "@" + handle,
                         "url": f"https://www.{platform.lower()}.com/{handle}",
                         "kind": self.rng.choice(ACCOUNT_KINDS),
                         "first_seen": case["opened_at"].date(),
                         "follower_count": self.rng.randint(0, 5000),
                         "status": self.rng.choice(ACCOUNT_STATUSES), "notes": "",
                         "created_at": case["opened_at"]})
            self.event(case["opened_at"], "account.add", f"case:{case['id']}",
                       f"account={account_id}")
        return rows

    def decisions(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for decision_id, case in enumerate(self.spread(len(cases), cases), start=1):
            at = self.after(case["opened_at"], 20)
            rows.append({"id": decision_id, "case_id": case["id"], "made_at": at,
                         "what": self.sentence(), "why": self.paragraph(2),
                         "who": self.rng.choice(STAFF), "recorded_by": self.rng.choice(STAFF)})
            self.event(at, "decision.add", f"case:{case['id']}", f"decision={decision_id}")
        return rows

    def actions(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for action_id, case in enumerate(self.spread(len(cases) * 2, cases), start=1):
            created = self.after(case["opened_at"], 10)
            due = (created + timedelta(days=self.rng.randint(1, 21))).date()
            done = case["status"] == "closed" or self.rng.random() < 0.6
            rows.append({"id": action_id, "case_id": case["id"], "description": self.sentence(),
                         "owner": self.rng.choice(STAFF), "due_date": due, "created_at": created,
                         "done_at": self.after(created, 20) if done else None})
            self.event(created, "action.add", f"case:{case['id']}", f"action={action_id}")
        return rows

    def reports(self, cases: list[dict[str, Any]],
                accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for report_id, account in enumerate(accounts[::2], start=1):
            at = self.after(account["created_at"], 5)
            status = self.rng.choice(["waiting", "removed", "refused", "no-response"])
            rows.append({"id": report_id, "case_id": account["case_id"],
                         "account_id": account["id"], "body": self.rng.choice(BODIES),
                         "recipient": account["platform"], "channel": "in-app report",
                         "made_at": at, "reference": f"R{self.rng.randint(10**6, 10**7)}",
                         "request": "removal", "status": status,
                         "response": self.sentence() if status != "waiting" else "",
                         "outcome_at": self.after(at, 14) if status != "waiting" else None})
            self.event(at, "report.add", f"case:{account['case_id']}", f"report={report_id}")
        return rows

    def evidence(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Evidence rows without hashes (filled in as the bytes are made); plus some notes."""
        rows = []
        total = self.n_evidence + self.n_evidence // 2
        files = set(self.rng.sample(range(1, total + 1), self.n_evidence))
        for evidence_id, case in enumerate(self.spread(total, cases), start=1):
            at = self.after(case["opened_at"], 15)
            is_file = evidence_id in files
            rows.append({"id": evidence_id, "case_id": case["id"],
                         "kind": "file" if is_file else "note",
                         "description": self.sentence(), "source": self.rng.choice(
                             ["Sent by a parent", "Pupil's phone", "Staff screenshot", ""]),
                         "filename": f"screenshot-{evidence_id}.jpg" if is_file else None,
                         "media_type": "image/jpeg" if is_file else None,
                         "size": self.rng.randint(20_000, 200_000) if is_file else None,
                         "url": None if is_file else f"https://www.instagram.com/p/{evidence_id}",
                         "added_at": at, "added_by": self.rng.choice(STAFF), "sha256": None})
            self.event(at, "evidence.add" if is_file else "evidence.note",
                       f"case:{case['id']}", f"evidence={evidence_id}")
        return rows

    def evidence_bytes(self, evidence_id: int, size: int) -> bytes:
        return random.Random(self.seed * 1_000_003 + evidence_id).randbytes(size)


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _insert(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for batch in _batches(rows):
            conn.execute(insert(table), batch)


def _insert_evidence(engine: Engine, gen: Generator, rows: list[dict[str, Any]]) -> int:
    """Evidence rows with their hashes, then their bytes (one chunk each: all under 1 MiB)."""
    stored = 0
    for batch in _batches(rows):
        items, chunks = [], []
        for row in batch:
            if row["kind"] == "file":
                data = gen.evidence_bytes(row["id"], row["size"])
                row = row | {"sha256": hashlib.sha256(data).hexdigest()}
                chunks.append({"evidence_id": row["id"], "seq": 0, "data": data})
                stored += len(data)
            items.append(row)
        with engine.begin() as conn:
            conn.execute(insert(t.EvidenceRow.__table__), items)
            for start in range(0, len(chunks), 200):
                conn.execute(insert(t.EvidenceChunkRow.__table__), chunks[start:start + 200])
    return stored


def _insert_audit(engine: Engine, events: list[tuple[datetime, str, str, str, str]]) -> None:
    with engine.connect() as conn:
        last = conn.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"))
        row = last.first()
    seq, prev = (row[0], row[1]) if row else (0, GENESIS_HASH)
    rows = []
    for at, actor, action, target, detail in sorted(events, key=lambda e: e[0]):
        seq += 1
        digest = entry_hash(prev, seq, at, actor, action, target, detail)
        rows.append({"seq": seq, "at": at, "actor": actor, "action": action, "target": target,
                     "detail": detail, "prev_hash": prev, "hash": digest})
        prev = digest
    _insert(engine, t.AuditRow.__table__, rows)


def fill(engine: Engine, gen: Generator, log: bool = True) -> dict[str, int]:
    """Write the whole dataset into a migrated database. Returns row counts."""
    say = print if log else (lambda *_a, **_k: None)
    counts: dict[str, int] = {}
    started = time.perf_counter()

    def put(name: str, table: Table, rows: list[dict[str, Any]]) -> None:
        begin = time.perf_counter()
        _insert(engine, table, rows)
        counts[name] = len(rows)
        say(f"  {name:<18} {len(rows):>8} rows  {time.perf_counter() - begin:6.1f} s")

    cases = gen.cases()
    put("cases", t.CaseRow.__table__, cases)
    put("case_steps", t.StepRow.__table__, gen.steps(cases))
    put("chronology", t.ChronologyRow.__table__, gen.chronology(cases))
    people = gen.people(cases)
    put("people", t.PersonRow.__table__, people)
    register, links = gen.register([(p["id"], p["name"], p["date_of_birth"], p["year_group"])
                                    for p in people if p["kind"] == "learner"])
    put("register_people", tpe.RegisterPersonRow.__table__, register)
    put("person_links", tpe.PersonLinkRow.__table__, links)
    accounts = gen.accounts(cases)
    put("social_accounts", t.AccountRow.__table__, accounts)
    put("decisions", t.DecisionRow.__table__, gen.decisions(cases))
    put("actions", t.ActionRow.__table__, gen.actions(cases))
    put("platform_reports", t.PlatformReportRow.__table__, gen.reports(cases, accounts))
    begin = time.perf_counter()
    evidence = gen.evidence(cases)
    stored = _insert_evidence(engine, gen, evidence)
    counts["evidence"] = len(evidence)
    counts["evidence_files"] = sum(1 for r in evidence if r["kind"] == "file")
    counts["evidence_bytes"] = stored
    say(f"  {'evidence':<18} {len(evidence):>8} rows  {time.perf_counter() - begin:6.1f} s "
        f"({counts['evidence_files']} files, {stored / 2**20:.0f} MiB)")
    begin = time.perf_counter()
    _insert_audit(engine, gen.events)
    counts["audit_log"] = len(gen.events)
    say(f"  {'audit_log':<18} {len(gen.events):>8} rows  {time.perf_counter() - begin:6.1f} s")
    begin = time.perf_counter()
    with engine.begin() as conn:  # rows written below the services: hash them as a migration does
        chain.record_baseline(conn.connection.dbapi_connection, "bench data written directly")
    say(f"  {'row hashes':<18} {'':>8}       {time.perf_counter() - begin:6.1f} s")
    # Outside a transaction: the engines BEGIN on first use, and a checkpoint inside one is
    # refused ("busy").
    raw = engine.raw_connection()
    try:
        # Batches of 2,000 rows leave the search index in about 20 segments that every search
        # merges; a casebook grown a record at a time (FTS5 merges as it goes) or updated by
        # migration 0016 (which optimises) has one or a few.
        raw.execute("INSERT INTO case_search(case_search) VALUES ('optimize')")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("PRAGMA optimize")
    finally:
        raw.close()
    say(f"  total {time.perf_counter() - started:.1f} s")
    return counts


def add_register(layout: Layout, seed: int) -> dict[str, int]:
    """Add the learner register to a dataset made before it (both files, same rows)."""
    manifest = layout.read_manifest()
    key = KeyVault.load(layout.slots).unlock_with_passphrase("1", manifest["passphrase"])
    page_size = manifest.get("cipher_page_size")
    engines = [keyed_engine(layout.database, key, page_size=page_size) if page_size
               else open_engine(layout.database, key)]
    if manifest.get("plain"):
        engines.append(plain_engine(layout.plain, driver="sqlcipher3"))
    counts: dict[str, int] = {}
    for engine in engines:
        try:
            tables = [tpe.RegisterPersonRow.__table__, tpe.FamilyLinkRow.__table__,
                      tpe.PersonLinkRow.__table__]
            t.Base.metadata.create_all(engine, tables=tables, checkfirst=True)
            with engine.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM register_people")).scalar():
                    continue  # added already
                learners = [tuple(r) for r in conn.execute(text(
                    "SELECT id, name, date_of_birth, year_group FROM people "
                    "WHERE kind = 'learner' ORDER BY id"))]
            learners = [(i, n, date.fromisoformat(d) if d else None, y)
                        for i, n, d, y in learners]
            register, links = Generator(0, seed, 0, 0).register(learners)
            _insert(engine, tpe.RegisterPersonRow.__table__, register)
            _insert(engine, tpe.PersonLinkRow.__table__, links)
            counts = {"register_people": len(register), "person_links": len(links)}
        finally:
            engine.dispose()
    return counts


def _start(engine: Engine) -> None:
    """Schema and the rows ``Casebook.create`` would write (for databases it does not make)."""
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(t.UserRow.__table__), [{"id": 1, "name": "Bench DSL", "role": "dsl",
                                                    "created_at": START, "active": True}])
        conn.execute(insert(t.MetaRow.__table__), [
            {"key": "school_name", "value": "Bench Academy"},
            {"key": "jurisdiction", "value": "england"},
            {"key": "created_at", "value": START.isoformat()}])


def make_plain(path: Path, gen: Generator) -> dict[str, int]:
    """The same data, unencrypted, with the same schema (migrations run on a plain engine)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = plain_engine(path, driver="sqlcipher3", create=True)  # same SQLite build
    try:
        _start(engine)
        return fill(engine, gen)
    finally:
        engine.dispose()


def make_encrypted(layout: Layout, gen: Generator,
                   page_size: int | None) -> tuple[dict[str, int], KdfParams]:
    """The casebook as the app makes it, or (with ``page_size``) keyed with another cipher page
    size, which only the bench engine can open."""
    if page_size is None:
        book, _recovery = Casebook.create(layout.casebook_dir, school="Bench Academy",
                                          jurisdiction="england", user_name="Bench DSL",
                                          passphrase=BENCH_PASSPHRASE)
        engine = book.store.engine
        assert engine is not None
        try:
            counts = fill(engine, gen)
            book.store.anchor(integrity.OPEN)  # the log grew below the services: re-anchor it
            return counts, book.vault.slot_params("1")
        finally:
            book.lock()
    layout.casebook_dir.mkdir(parents=True, exist_ok=True)
    vault, key, _recovery = KeyVault.create(layout.slots, "1", BENCH_PASSPHRASE)
    engine = keyed_engine(layout.database, key, page_size=page_size, create=True)
    try:
        _start(engine)
        return fill(engine, gen), vault.slot_params("1")
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the dataset")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--entries-per-case", type=float, default=10.0)
    parser.add_argument("--evidence-per-case", type=float, default=0.2)
    parser.add_argument("--plain", action="store_true",
                        help="also write the same data to an unencrypted SQLite file")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--force", action="store_true", help="replace an existing dataset")
    parser.add_argument("--cipher-page-size", type=int, choices=[4096, 8192, 16384, 32768, 65536],
                        help="key the casebook with this cipher page size instead of the app's "
                             "(only bench/run.py can open the result)")
    parser.add_argument("--add-register", action="store_true",
                        help="only add the learner register to the dataset in --out (one made "
                             "before the register existed)")
    args = parser.parse_args(argv)

    layout = Layout(args.out)
    if args.add_register:
        counts = add_register(layout, layout.read_manifest()["seed"])
        manifest = layout.read_manifest()
        manifest["counts"].update(counts)
        layout.manifest.write_text(json.dumps(manifest, indent=2), "utf-8")
        print(f"register added: {counts or 'already there'}")
        return 0
    if layout.root.exists() and any(layout.root.iterdir()):
        if not args.force:
            print(f"{layout.root} is not empty; use --force to replace it.", file=sys.stderr)
            return 2
        shutil.rmtree(layout.root)
    layout.root.mkdir(parents=True, exist_ok=True)
    if os.environ.get("CASEBOOK_INSECURE_TEST_KDF") == "1":
        print("note: CASEBOOK_INSECURE_TEST_KDF=1 is set, so the unlock timing will not use the "
              "real Argon2 cost", file=sys.stderr)

    def generator() -> Generator:
        return Generator(args.cases, args.seed, round(args.cases * args.entries_per_case),
                         round(args.cases * args.evidence_per_case))

    print(versions())
    print(f"encrypted casebook -> {layout.casebook_dir}"
          + (f" (cipher page {args.cipher_page_size})" if args.cipher_page_size else ""))
    began = time.perf_counter()
    counts, kdf = make_encrypted(layout, generator(), args.cipher_page_size)
    seconds = time.perf_counter() - began
    manifest: dict[str, Any] = {
        "seed": args.seed, "cases": args.cases, "counts": counts,
        "passphrase": BENCH_PASSPHRASE,
        "kdf": {"memory_kib": kdf.memory_kib, "time_cost": kdf.time_cost,
                "parallelism": kdf.parallelism},
        "encrypted_bytes": layout.database.stat().st_size, "generate_seconds": round(seconds, 1),
        "plain": None, "cipher_page_size": args.cipher_page_size,
    }
    if args.plain:
        print(f"plain copy -> {layout.plain}")
        make_plain(layout.plain, generator())
        manifest["plain"] = str(layout.plain.relative_to(layout.root))
        manifest["plain_bytes"] = layout.plain.stat().st_size
    layout.manifest.write_text(json.dumps(manifest, indent=2), "utf-8")
    print(f"done in {time.perf_counter() - began:.1f} s: encrypted "
          f"{manifest['encrypted_bytes'] / 2**20:.0f} MiB"
          + (f", plain {manifest['plain_bytes'] / 2**20:.0f} MiB" if args.plain else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
