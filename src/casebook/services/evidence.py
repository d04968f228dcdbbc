"""Evidence: files stored inside the encrypted database in chunks, hashed as they arrive.

Files are streamed (never whole in memory), the SHA-256 is computed while storing, and the item
and its chunks commit in one transaction, so a crash leaves either the whole item or nothing.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from casebook import fileio
from casebook.domain import EvidenceItem, EvidenceKind, normalise_url, require_text
from casebook.errors import EvidenceRefusedError, NotFoundError, ValidationError
from casebook.services import mapping, system_entries
from casebook.services.store import Store
from casebook.storage import tables as t

CHUNK_SIZE = 1024 * 1024
MAX_EVIDENCE_BYTES = 512 * 1024 * 1024

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def sniff_media_type(head: bytes, filename: str) -> str:
    for magic, media in _SIGNATURES:
        if head.startswith(magic):
            return media
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def store_chunks(session: Session, evidence_id: int, chunks: Iterable[bytes], max_bytes: int,
                 too_large: Callable[[], Exception],
                 progress: Callable[[int], object] | None = None) -> tuple[int, str, bytes]:
    """Insert a file's chunks for ``evidence_id`` in the caller's transaction, hashing as they
    go; returns (size, SHA-256, the first bytes for sniffing its type)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    conn = session.connection()
    for seq, chunk in enumerate(chunks):
        if seq == 0:
            head = chunk[:32]
        size += len(chunk)
        if size > max_bytes:
            raise too_large()
        digest.update(chunk)
        conn.execute(insert(t.EvidenceChunkRow),
                     {"evidence_id": evidence_id, "seq": seq, "data": chunk})
        if progress:
            progress(size)
    return size, digest.hexdigest(), head


def read_chunks(session: Session, evidence_id: int) -> Iterator[bytes]:
    """A stored file's chunks in order, read in the caller's session."""
    seq = 0
    while True:
        data = session.scalar(select(t.EvidenceChunkRow.data).where(
            t.EvidenceChunkRow.evidence_id == evidence_id, t.EvidenceChunkRow.seq == seq))
        if data is None:
            return
        yield data
        seq += 1


@dataclass(frozen=True)
class HashCheck:
    evidence_id: int
    ok: bool
    expected: str
    actual: str


class EvidenceService:
    def __init__(self, store: Store, max_bytes: int = MAX_EVIDENCE_BYTES) -> None:
        self.store = store
        self.max_bytes = max_bytes

    def _too_large(self, name: str) -> EvidenceRefusedError:
        return EvidenceRefusedError(
            f"“{name}” is larger than {human_size(self.max_bytes)}, the most Casebook can keep. "
            "Record a description and where it is kept instead."
        )

    def add_file(self, case_id: int, path: Path | str, *, source: str = "",
                 description: str = "", safety_confirmed: bool,
                 progress: Callable[[int, int], None] | None = None) -> EvidenceItem:
        """Store a file as evidence.

        ``safety_confirmed`` is the user's confirmation that the file holds no nude or sexual
        image of anyone under 18. Without it nothing is read or stored.
        """
        path = Path(path)
        if not safety_confirmed:
            raise EvidenceRefusedError(
                "Nothing was stored. Files that may show a nude or sexual image of a child must "
                "never be kept: record a description and the web address instead."
            )
        if not path.is_file():
            raise ValidationError(f"There is no file at {path}.")
        total = path.stat().st_size
        if total > self.max_bytes:
            raise self._too_large(path.name)
        with path.open("rb") as handle:
            return self.add_stream(case_id, handle, filename=path.name, source=source,
                                   description=description, expected_size=total,
                                   progress=progress)

    def add_bytes(self, case_id: int, data: bytes, *, filename: str, source: str = "",
                  description: str = "", safety_confirmed: bool) -> EvidenceItem:
        """For a pasted screenshot (already in memory as the clipboard image)."""
        if not safety_confirmed:
            raise EvidenceRefusedError("Nothing was stored: the safety question was not answered.")
        import io

        return self.add_stream(case_id, io.BytesIO(data), filename=filename, source=source,
                               description=description, expected_size=len(data))

    def add_stream(self, case_id: int, handle: BinaryIO, *, filename: str, source: str = "",
                   description: str = "", expected_size: int = 0,
                   progress: Callable[[int, int], None] | None = None) -> EvidenceItem:
        filename = require_text(Path(filename).name, "a file name", 260)
        now = self.store.now()
        with self.store.write("evidence.add", f"case:{case_id}") as work:
            s = work.session
            if s.get(t.CaseRow, case_id) is None:
                raise NotFoundError("That case no longer exists.")
            row = t.EvidenceRow(case_id=case_id, kind=EvidenceKind.FILE.value,
                                description=description.strip(), filename=filename,
                                source=source.strip(), added_at=now, added_by=self.store.actor)
            s.add(row)
            s.flush()

            def too_large() -> EvidenceRefusedError:
                return self._too_large(filename)

            size, row.sha256, head = store_chunks(
                s, row.id, iter(lambda: handle.read(CHUNK_SIZE), b""), self.max_bytes,
                too_large, lambda done: progress(done, expected_size) if progress else None)
            if size == 0:
                raise ValidationError(f"“{filename}” is empty, so there is nothing to keep.")
            row.size = size
            row.media_type = sniff_media_type(head, filename)
            s.get(t.CaseRow, case_id).updated_at = now
            system_entries.record(s, self.store, case_id, f"Evidence added: file “{filename}”.")
            s.flush()
            work.detail = f"evidence={row.id},sha256={row.sha256},size={size}"
            return mapping.evidence(row)

    def add_note(self, case_id: int, description: str, url: str | None = None,
                 source: str = "") -> EvidenceItem:
        """Record evidence without storing a file (used after the safety gate)."""
        description = require_text(description, "a description of what was seen", 5000)
        url = normalise_url(url)
        now = self.store.now()
        with self.store.write("evidence.note", f"case:{case_id}") as work:
            s = work.session
            if s.get(t.CaseRow, case_id) is None:
                raise NotFoundError("That case no longer exists.")
            row = t.EvidenceRow(case_id=case_id, kind=EvidenceKind.NOTE.value,
                                description=description, url=url, source=source.strip(),
                                added_at=now, added_by=self.store.actor)
            s.add(row)
            s.get(t.CaseRow, case_id).updated_at = now
            system_entries.record(s, self.store, case_id,
                                  f"Evidence added: note “{system_entries.quote(description)}”.")
            s.flush()
            work.detail = f"evidence={row.id}"
            return mapping.evidence(row)

    def set_captured_at(self, evidence_id: int, captured_at: datetime | None) -> EvidenceItem:
        """When the screenshot or capture was taken (report forms ask; ``added_at`` is only
        when it was stored). None clears it."""
        if captured_at is not None and captured_at > self.store.now() + timedelta(days=1):
            raise ValidationError("The date the screenshot was taken is in the future.")
        with self.store.write("evidence.captured_at", f"evidence:{evidence_id}") as work:
            row = work.session.get(t.EvidenceRow, evidence_id)
            if row is None:
                raise NotFoundError("That evidence item is no longer on the case.")
            row.captured_at = captured_at
            return mapping.evidence(row)

    def items(self, case_id: int) -> list[EvidenceItem]:
        with self.store.read() as s:
            rows = s.scalars(select(t.EvidenceRow).where(t.EvidenceRow.case_id == case_id)
                             .order_by(t.EvidenceRow.added_at, t.EvidenceRow.id))
            return [mapping.evidence(r) for r in rows]

    def get(self, evidence_id: int) -> EvidenceItem:
        with self.store.read() as s:
            row = s.get(t.EvidenceRow, evidence_id)
            if row is None:
                raise NotFoundError("That evidence item does not exist.")
            return mapping.evidence(row)

    def chunks(self, evidence_id: int) -> Iterator[bytes]:
        """Stream the stored file back, one chunk at a time."""
        with self.store.read() as s:
            yield from read_chunks(s, evidence_id)

    def read_bytes(self, evidence_id: int, limit: int = 32 * 1024 * 1024) -> bytes | None:
        """The whole file if it is at most ``limit`` bytes (for previews and thumbnails)."""
        item = self.get(evidence_id)
        if item.kind != EvidenceKind.FILE or item.size is None or item.size > limit:
            return None
        return b"".join(self.chunks(evidence_id))

    def save_copy(self, evidence_id: int, target: Path | str) -> Path:
        """Write a copy of a stored file where the user asked (an export they chose).

        Through the atomic writer: synced, 0600, and on any failure no part-written (decrypted)
        file is left beside the target and an existing file there is untouched.
        """
        target = Path(target)
        try:
            with fileio.atomic_writer(target) as out:
                for chunk in self.chunks(evidence_id):
                    out.write(chunk)
        except OSError as exc:
            raise fileio.explain_os_error(exc, target.parent, "the copy") from exc
        with self.store.write("evidence.export", f"evidence:{evidence_id}"):
            pass
        return target

    def verify_hashes(self) -> list[HashCheck]:
        """Re-hash every stored file and compare with the hash recorded when it arrived."""
        with self.store.read() as s:
            items = list(s.execute(select(t.EvidenceRow.id, t.EvidenceRow.sha256)
                                   .where(t.EvidenceRow.kind == EvidenceKind.FILE.value)
                                   .order_by(t.EvidenceRow.id)))
        results = []
        for evidence_id, expected in items:
            digest = hashlib.sha256()
            for chunk in self.chunks(evidence_id):
                digest.update(chunk)
            actual = digest.hexdigest()
            results.append(HashCheck(evidence_id, actual == expected, expected or "", actual))
        return results
