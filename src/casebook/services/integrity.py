"""The anchor kept outside the database, and ``verify``'s verdict.

The anchor is the audit chain's last sequence number and hash. Casebook writes it atomically
beside the database (``casebook.db.anchor``) after every audited write and when it closes the
file, beside every backup (``<backup>.anchor``), prints it in every export's footer and in the
backup command's output ("Audit 1234 · 9f3a 1b2c 44d0 e7a1"). Someone holding the data key can
rewrite the database consistently, but not the copies of the anchor held elsewhere: ``verify``
then says whether the log was cut, deleted or rewritten.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from casebook.fileio import atomic_write_bytes
from casebook.storage.chain import GENESIS_HASH, UNANCHORED_PER_COMMIT
from casebook.storage.verify import AnchorCheck, FileReport, OnProgress, verify_file
from casebook.vault.files import read_small_file

log = logging.getLogger(__name__)

FORMAT = "casebook-anchor/1"
OPEN, CLOSED, BACKUP = "open", "closed", "backup"
#: Hex digits of the hash shown on exports and backups (64 bits: not forgeable by search).
PRINTED_HEX = 16


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    state: str = CLOSED
    at: str = ""
    #: For a backup: the seq of the last restore in its log, i.e. which history it is of.
    restore: str = ""

    def text(self) -> str:
        """The line printed on exports and backups, e.g. ``Audit 1234 · 9f3a 1b2c 44d0 e7a1``."""
        digits = self.hash[:PRINTED_HEX]
        return f"Audit {self.seq} · " + " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def anchor_path(database: Path) -> Path:
    return database.with_name(database.name + ".anchor")


def write_anchor(database: Path, seq: int, digest: str, *, state: str, at: datetime,
                 quiet: bool = True, restore: str = "") -> Anchor:
    """Replace the anchor beside ``database``. After a committed write a failure here must not
    undo the write: it is logged (``quiet``), and ``verify`` reports the stale anchor."""
    anchor = Anchor(seq, digest, state, at.isoformat(timespec="seconds"), restore)
    doc = {"format": FORMAT, "seq": seq, "hash": digest, "state": state, "at": anchor.at}
    if restore:
        doc["restore"] = restore
    data = json.dumps(doc, sort_keys=True).encode("utf-8")
    try:
        atomic_write_bytes(anchor_path(database), data)
    except OSError:
        if not quiet:
            raise
        log.warning("the audit anchor could not be written (seq %s)", seq)
        # A stale anchor would later read as a cut or extended log; none reads as "missing".
        with contextlib.suppress(OSError):
            anchor_path(database).unlink()
    return anchor


class AnchorUnreadable(Exception):
    pass


def read_anchor(path: Path) -> Anchor | None:
    """The anchor at ``path``; None if there is none; AnchorUnreadable if it is not one."""
    try:
        data = read_small_file(path, 4096)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorUnreadable(exc.strerror or str(exc)) from None
    try:
        if data is None:
            raise ValueError("too large")
        doc = json.loads(data.decode("utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError("not an anchor")
        seq, digest = int(doc["seq"]), str(doc["hash"])
        if seq < 0 or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ValueError("bad values")
        return Anchor(seq, digest, str(doc.get("state", "")), str(doc.get("at", "")),
                      str(doc.get("restore", "")))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise AnchorUnreadable("it is not an anchor file") from None


_PRINTED = re.compile(r"^\s*(?:audit\s*)?(\d+)\s*[·:,;/\-\s]\s*([0-9a-f][0-9a-f\s]*)$", re.I)


def parse_printed(text: str) -> tuple[int, str]:
    """``Audit 1234 · 9f3a 1b2c 44d0 e7a1`` (or ``1234:9f3a1b2c…``) -> (1234, "9f3a1b2c…")."""
    match = _PRINTED.match(text.replace("…", ""))
    digits = re.sub(r"\s", "", match.group(2)).lower() if match else ""
    if not match or len(digits) < 8:
        raise ValueError(
            f"“{text}” is not an audit anchor: give it as printed, e.g. "
            "“Audit 1234 · 9f3a 1b2c 44d0 e7a1”"
        )
    return int(match.group(1)), digits


@dataclass(frozen=True)
class BadEvidence:
    evidence_id: int
    readable: bool
    ok: bool = False


@dataclass
class VerifyReport:
    """Everything ``verify`` found. ``problems`` name what is wrong; ``notes`` are not faults."""

    file: FileReport
    anchor: Anchor | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    # --- kept from the first verify, for its callers ---------------------------------------
    @property
    def integrity(self) -> FileReport:
        return self.file

    @property
    def chain(self):  # type: ignore[no-untyped-def]
        return self.file.chain

    @property
    def bad_hashes(self) -> list[BadEvidence]:
        return ([BadEvidence(i, True) for i in self.file.evidence_bad]
                + [BadEvidence(i, False) for i in self.file.evidence_unreadable])

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_casebook(database: Path, data_key: bytes, backups: Path | None = None,
                    printed: list[tuple[str, int, str]] | None = None,
                    on_progress: OnProgress | None = None) -> VerifyReport:
    """Verify a casebook without writing to it: the file, the live anchor, every backup's
    anchor in ``backups``, and anchors the user copied from exports (``printed``).
    ``on_progress`` hears each step (``storage.verify.Progress``) as it goes."""
    problems: list[str] = []
    notes: list[str] = []
    try:
        anchor = read_anchor(anchor_path(database))
    except AnchorUnreadable as exc:
        anchor = None
        problems.append(f"The anchor file {anchor_path(database).name} cannot be read ({exc}), "
                        "so a cut or rewritten audit log cannot be ruled out.")
    checks: list[tuple[str, AnchorCheck, str]] = []  # (kind, check, backup's restore)
    if anchor is not None:
        checks.append(("live", AnchorCheck("the anchor file", anchor.seq, anchor.hash), anchor.at))
    for backup_anchor in _backup_anchors(backups, notes):
        checks.append(("backup", *backup_anchor))
    for label, seq, prefix in printed or []:
        checks.append(("printed", AnchorCheck(label, seq, prefix), ""))
    report = verify_file(database, data_key, [c for _, c, _ in checks], on_progress)
    result = VerifyReport(report, anchor, problems, notes)
    _judge_file(result)
    _judge_anchor(result, had_file=anchor_path(database).exists())
    for kind, check, when in checks:
        if kind != "live":
            _judge_copy(result, kind, check, when)
    return result


def _backup_anchors(backups: Path | None, notes: list[str]) -> list[tuple[AnchorCheck, str]]:
    out: list[tuple[AnchorCheck, str]] = []
    if backups is None or not backups.is_dir():
        return out
    for path in sorted(backups.glob("*.anchor")):
        try:
            found = read_anchor(path)
        except AnchorUnreadable:
            notes.append(f"The backup anchor {path.name} cannot be read; it was not compared.")
            continue
        if found is not None:
            out.append((AnchorCheck(f"the backup {path.name[:-len('.anchor')]}", found.seq,
                                    found.hash), found.restore))
    return out


def _rows(keys: list[str], limit: int = 12) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _judge_file(result: VerifyReport) -> None:
    f, problems = result.file, result.problems
    if f.cipher_problems:
        problems.append(f"Encryption check: {len(f.cipher_problems)} damaged page(s).")
    if f.sqlite_problems:
        problems.append(f"Database check: {len(f.sqlite_problems)} problem(s).")
    if not f.chain.ok:
        problems.append(f"Audit log: broken at entry {f.chain.first_broken_seq}: {f.chain.problem}.")
    for seq, detail in f.anchor_mismatches:
        problems.append(f"When Casebook opened the file (entry {seq}) its audit log did not "
                        f"match the anchor: {detail}.")
    if f.outside_changes:
        problems.append("Records were changed outside Casebook (found before entries "
                        f"{_rows([str(s) for s in f.outside_changes])}).")
    if f.changed_rows:
        problems.append(f"Records changed since their last audited write: {_rows(f.changed_rows)}.")
    if f.unaudited_rows:
        problems.append(f"Records with no audit entry: {_rows(f.unaudited_rows)}.")
    if f.missing_rows:
        problems.append(f"Audited records that are gone: {_rows(f.missing_rows)}.")
    if f.baselines:
        result.notes.append("Record hashes were recorded by an upgrade at entry "
                            f"{_rows([str(s) for s in f.baselines])}.")
    if f.missing_triggers:
        problems.append(f"Change tracking was switched off: {_rows(f.missing_triggers)}.")
    if f.evidence_bad:
        problems.append("Evidence that does not match its recorded SHA-256: "
                        f"{_rows(['#' + str(i) for i in f.evidence_bad])}.")
    if f.evidence_unreadable:
        problems.append("Evidence files that could not be read (damaged pages): "
                        f"{_rows(['#' + str(i) for i in f.evidence_unreadable])}.")


def _judge_anchor(result: VerifyReport, had_file: bool) -> None:
    f, anchor = result.file, result.anchor
    if not f.log_complete:
        result.notes.append("The audit log could not be read to its end, so it was not compared "
                            "with the anchors.")
        return
    if anchor is None:
        if not had_file and f.rows_tracked:
            result.problems.append(
                "The anchor file is missing, so a cut or deleted audit log cannot be ruled out.")
        return
    last = f.last_seq if f.chain.entries else 0
    when = f" (written {anchor.at})" if anchor.at else ""
    if anchor.seq > 0 and f.chain.entries == 0:
        result.problems.append(
            f"The audit log has been deleted: it is empty, but the anchor{when} says it had "
            f"{anchor.seq} entries.")
    elif last < anchor.seq:
        result.problems.append(
            f"The audit log has been cut short: it ends at entry {last}, but the anchor{when} "
            f"says it reached entry {anchor.seq}. Entries {last + 1}–{anchor.seq} are gone "
            "(deleted, or lost with the -wal file).")
    elif anchor.seq > 0 and f.hashes_at.get(anchor.seq) != anchor.hash:
        result.problems.append(
            f"The audit log has been rewritten: entry {anchor.seq} no longer matches the "
            f"anchor{when}.")
    elif last > anchor.seq and f.beyond(anchor.seq):
        extra = f.beyond(anchor.seq)
        span = f"entry {last}" if extra == 1 else f"entries {anchor.seq + 1}–{last}"
        they = "it was" if extra == 1 else "they were"
        if anchor.state == CLOSED or extra > UNANCHORED_PER_COMMIT:
            result.problems.append(
                f"The audit log has {span} beyond its anchor{when}: "
                + (f"{they} added after Casebook closed the file, so not by Casebook."
                   if anchor.state == CLOSED else f"{they} not written by Casebook."))
        else:
            result.notes.append(f"The audit log has {span} not yet anchored: Casebook is open, "
                                "or stopped between saving and anchoring.")
    if anchor.hash == GENESIS_HASH and anchor.seq == 0 and last > 0:
        result.notes.append("The anchor was written before the first audit entry.")


def _judge_copy(result: VerifyReport, kind: str, check: AnchorCheck, restore: str) -> None:
    f = result.file
    if not f.log_complete:
        return
    found = f.hashes_at.get(check.seq)
    matches = found is not None and found.startswith(check.hash_prefix)
    if not matches and kind == "backup" and restore != f.last_restore:
        result.notes.append(f"{check.label} is of the history before the last restore; "
                            "not compared.")
        return
    if found is None:
        result.problems.append(
            f"The audit log has been cut short: {check.label} shows entry {check.seq}, "
            f"but the log ends at entry {f.last_seq if f.chain.entries else 0}.")
    elif not found.startswith(check.hash_prefix):
        result.problems.append(
            f"The audit log has been rewritten: entry {check.seq} does not match {check.label}.")


def anchor_mismatch(anchor: Anchor, last_seq: int, hash_at_anchor: str | None,
                    extra: int) -> str:
    """Why the log (ending at ``last_seq``, with ``extra`` entries after the anchor that are
    not upgrade baselines) does not match ``anchor``; "" when it does. For the audit entry
    Casebook writes when it opens such a file (ids and numbers only)."""
    where = f"anchor={anchor.seq}:{anchor.hash[:PRINTED_HEX]},{anchor.state or '?'}"
    if last_seq < anchor.seq:
        return f"{where}; the log ends at {last_seq} (cut short or deleted)"
    if anchor.seq > 0 and hash_at_anchor != anchor.hash:
        return f"{where}; entry {anchor.seq} differs (rewritten)"
    if extra and (anchor.state == CLOSED or extra > UNANCHORED_PER_COMMIT):
        return f"{where}; {extra} entries after it (not written by Casebook)"
    return ""


def record_upgrade(engine: Engine) -> None:
    """After a schema upgrade: hash the rows the migrations rewrote (see storage.chain)."""
    from casebook.storage import chain

    with engine.begin() as conn:
        chain.record_pending_baseline(conn.connection.dbapi_connection,
                                      "hashes recorded for rows changed by the upgrade")


def readable_anchor(database: Path) -> Anchor | None:
    """The anchor beside ``database``, or None if there is none or it cannot be read."""
    try:
        return read_anchor(anchor_path(database))
    except AnchorUnreadable:
        return None


def anchor_backup(backup: Path, data_key: bytes, at: datetime) -> Anchor:
    """Write ``<backup>.anchor`` from the head of the backup's own chain (read-only)."""
    from casebook.storage import chain
    from casebook.storage.verify import open_read_only

    with open_read_only(backup, data_key) as conn:
        seq, digest = chain.head(conn)
        restore = chain.last_restore(conn)
    return write_anchor(backup, seq, digest, state=BACKUP, at=at, quiet=False, restore=restore)
