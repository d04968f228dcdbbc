"""The transfer package: one encrypted file holding a learner's file (PDF and JSON records)
and the evidence files that go with it.

Layout (all integers big-endian)::

    b"CBXFER\\x00\\x01"  magic (8 bytes)
    u32 header length, header (JSON: format version, Argon2id parameters and salt, nonce)
    the encrypted body, with the header as associated data

Format 2 (written now) encrypts the body in segments of 1 MiB, each sealed with AES-256-GCM
under the nonce ``prefix(7) || u32 counter || u8 last`` (the STREAM construction): a package
of any size is written and read a segment at a time, never whole in memory, and a segment
that is changed, moved, dropped or cut off fails its tag. The plaintext is a run of entries —
``u32 length, JSON {"name", "size"}, then size bytes`` — ending with a zero length:
``records.json``, ``file.pdf``, then one entry per evidence file in the order the records
list them. Format 1 (a ZIP of the PDF and records in one GCM message) is still read.

Nothing in the clear names anyone: the header holds only numbers and random bytes. The key
comes from the password with Argon2id; GCM's tag covers every segment *and* the header, so a
changed byte anywhere (or a downgraded cost) is caught before what it carries is used. A
package whose version is newer than this program's is refused with a message saying so.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casebook.errors import CasebookError, NewerVersionError, ValidationError
from casebook.vault import kdf

MAGIC = b"CBXFER\x00\x01"
FORMAT_VERSION = 2
MAX_HEADER = 4096
#: Format 1 was read whole; it was never written larger than this.
MAX_PACKAGE_V1 = 512 * 1024 * 1024
MAX_RECORDS = 64 * 1024 * 1024  # records.json and file.pdf are read into memory
SEGMENT = 1024 * 1024
TAG = 16

DAMAGED = ("The package is damaged or has been changed: it cannot be opened. Ask the sending "
           "school to send it again.")
CHANGED = ("The password is wrong, or the package was changed after it was made. Nothing was "
           "imported. Check the password with the sending school.")
NEWER = "That package was made by a newer version of Casebook. Install the newer version to open it."
NOT_A_FILE = "The package opened but its contents are not a learner's file. Nothing was imported."


class PackageError(CasebookError):
    """The package cannot be opened (wrong password, damaged, or not a package)."""


# ----- header ------------------------------------------------------------------------------
def _header(params: kdf.KdfParams, salt: bytes, nonce: bytes, version: int) -> bytes:
    fields: dict[str, Any] = {
        "format": "casebook-transfer", "version": version,
        "kdf": {"name": "argon2id", "memory_kib": params.memory_kib,
                "time_cost": params.time_cost, "parallelism": params.parallelism,
                "salt": base64.b64encode(salt).decode()},
        "cipher": "aes-256-gcm" if version == 1 else "aes-256-gcm-stream",
        "nonce": base64.b64encode(nonce).decode(),
    }
    if version >= 2:
        fields["segment"] = SEGMENT
    return json.dumps(fields, sort_keys=True).encode()


def _read_header(handle: BinaryIO) -> tuple[bytes, dict[str, Any], int]:
    start = handle.read(12)
    if not start.startswith(MAGIC[:6]):
        raise PackageError("That file is not a Casebook transfer package.")
    if start[:8] != MAGIC:
        raise NewerVersionError(NEWER)
    try:
        (length,) = struct.unpack(">I", start[8:12])
        if not 0 < length <= MAX_HEADER:
            raise ValueError(length)
        header_bytes = handle.read(length)
        header = json.loads(header_bytes)
        version = int(header["version"])
    except (ValueError, KeyError, TypeError, struct.error):
        raise PackageError(DAMAGED) from None
    if version > FORMAT_VERSION:
        raise NewerVersionError(NEWER)
    return header_bytes, header, version


def _key_and_nonce(header: dict[str, Any], password: str, nonce_len: int) -> tuple[bytes, bytes]:
    try:
        k = header["kdf"]
        params = kdf.KdfParams(int(k["memory_kib"]), int(k["time_cost"]), int(k["parallelism"]))
        salt = base64.b64decode(k["salt"])
        nonce = base64.b64decode(header["nonce"])
        if not params.is_sane() or len(salt) < 16 or len(nonce) != nonce_len:
            raise ValueError("parameters")
    except (ValueError, KeyError, TypeError):
        raise PackageError(DAMAGED) from None
    return kdf.argon2id(password.encode("utf-8"), salt, params), nonce


# ----- format 2: writing ---------------------------------------------------------------------
class PackageWriter:
    """Writes a format-2 package to ``out`` a segment at a time.

    ``add`` an entry (its size first, then its bytes from an iterable of chunks), then
    ``close``; a package without ``close`` has no last segment and will not open."""

    def __init__(self, out: BinaryIO, password: str,
                 params: kdf.KdfParams | None = None) -> None:
        params = params or kdf.default_params()
        salt, self._prefix = os.urandom(16), os.urandom(7)
        self._header = _header(params, salt, self._prefix, FORMAT_VERSION)
        self._aead = AESGCM(kdf.argon2id(password.encode("utf-8"), salt, params))
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        self.written = 0
        self._write(MAGIC + struct.pack(">I", len(self._header)) + self._header)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self.written += len(data)

    def _seal(self, plain: bytes, last: bool) -> None:
        nonce = self._prefix + struct.pack(">IB", self._counter, 1 if last else 0)
        self._counter += 1
        self._write(self._aead.encrypt(nonce, plain, self._header))

    def _put(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > SEGMENT:
            self._seal(bytes(self._buffer[:SEGMENT]), last=False)
            del self._buffer[:SEGMENT]

    def add(self, name: str, size: int, chunks: Iterable[bytes]) -> None:
        """One entry of exactly ``size`` bytes (``ValueError`` if the chunks do not add up)."""
        meta = json.dumps({"name": name, "size": size}).encode()
        self._put(struct.pack(">I", len(meta)) + meta)
        seen = 0
        for chunk in chunks:
            seen += len(chunk)
            if seen > size:
                raise ValueError("entry longer than its size")
            self._put(chunk)
        if seen != size:
            raise ValueError("entry shorter than its size")

    def add_bytes(self, name: str, data: bytes) -> None:
        self.add(name, len(data), [data])

    def close(self) -> None:
        self._put(struct.pack(">I", 0))
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()


def records_bytes(records: dict[str, Any]) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def seal(pdf: bytes, records: dict[str, Any], password: str,
         params: kdf.KdfParams | None = None, blobs: Iterable[bytes] = ()) -> bytes:
    """A whole package in memory (small packages and tests; the service streams)."""
    out = io.BytesIO()
    writer = PackageWriter(out, password, params)
    writer.add_bytes("records.json", records_bytes(records))
    writer.add_bytes("file.pdf", pdf)
    for number, blob in enumerate(blobs):
        writer.add_bytes(f"evidence/{number}", blob)
    writer.close()
    return out.getvalue()


# ----- format 2: reading ---------------------------------------------------------------------
class _Plaintext:
    """The decrypted body of a format-2 package, read forwards; every byte handed out has
    passed its segment's tag."""

    def __init__(self, handle: BinaryIO, aead: AESGCM, prefix: bytes, header: bytes) -> None:
        self._handle, self._aead, self._prefix, self._header = handle, aead, prefix, header
        self._counter = 0
        self._buffer = b""
        self._pos = 0
        self._ahead = self._read_segment()
        self.ended = False

    def _read_segment(self) -> bytes:
        try:
            return self._handle.read(SEGMENT + TAG)
        except OSError as error:
            raise ValidationError("Casebook could not read the rest of the package. If it is "
                                  "on a memory stick or network drive, copy it to this "
                                  "computer and try again; nothing was imported.") from error

    def _next(self) -> None:
        if self.ended:
            raise PackageError(DAMAGED)
        sealed, self._ahead = self._ahead, self._read_segment()
        last = not self._ahead
        if len(sealed) < TAG or (not last and len(sealed) != SEGMENT + TAG):
            raise PackageError(DAMAGED)
        nonce = self._prefix + struct.pack(">IB", self._counter, 1 if last else 0)
        self._counter += 1
        try:
            self._buffer = self._aead.decrypt(nonce, sealed, self._header)
        except InvalidTag:
            raise PackageError(CHANGED) from None
        self._pos = 0
        self.ended = last

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or ``PackageError`` if the body ends first."""
        parts = []
        while n > 0:
            if self._pos >= len(self._buffer):
                self._next()
            take = self._buffer[self._pos:self._pos + n]
            self._pos += len(take)
            n -= len(take)
            parts.append(take)
        return b"".join(parts)

    def at_end(self) -> bool:
        return self.ended and self._pos >= len(self._buffer)


class OpenedPackage:
    """An opened package: ``records`` and ``pdf`` at once, evidence files one at a time with
    :meth:`evidence` (in the order the records list them), then :meth:`finish`."""

    def __init__(self, version: int, records: dict[str, Any], pdf: bytes,
                 body: _Plaintext | None = None) -> None:
        self.version, self.records, self.pdf = version, records, pdf
        self._body = body
        self._blobs = 0

    def _entry(self, limit: int) -> tuple[str, int] | None:
        assert self._body is not None
        (length,) = struct.unpack(">I", self._body.read(4))
        if length == 0:
            return None
        if length > MAX_HEADER:
            raise PackageError(NOT_A_FILE)
        try:
            meta = json.loads(self._body.read(length))
            name, size = str(meta["name"]), int(meta["size"])
        except (ValueError, KeyError, TypeError):
            raise PackageError(NOT_A_FILE) from None
        if not 0 <= size <= limit:
            raise PackageError(NOT_A_FILE)
        return name, size

    def _small(self, name: str) -> bytes:
        entry = self._entry(MAX_RECORDS)
        if entry is None or entry[0] != name:
            raise PackageError(NOT_A_FILE)
        assert self._body is not None
        return self._body.read(entry[1])

    def evidence(self, size: int, chunk: int = SEGMENT) -> Iterator[bytes]:
        """The next evidence file's bytes, in chunks; it must be ``size`` bytes long."""
        if self._body is None:
            raise PackageError(NOT_A_FILE)
        entry = self._entry(size)
        if entry != (f"evidence/{self._blobs}", size):
            raise PackageError(NOT_A_FILE)
        self._blobs += 1
        left = size
        while left:
            data = self._body.read(min(chunk, left))
            left -= len(data)
            yield data

    def finish(self) -> None:
        """Check the package ends here and its last segment is intact (nothing cut off)."""
        if self._body is None:
            return
        if self._entry(0) is not None or not self._body.at_end():
            raise PackageError(NOT_A_FILE)


def open_package(handle: BinaryIO, password: str) -> OpenedPackage:
    """Open a package (format 1 or 2) from a binary file handle, or a plain-words error."""
    header_bytes, header, version = _read_header(handle)
    if version == 1:
        return _open_v1(handle, header_bytes, header, password)
    key, prefix = _key_and_nonce(header, password, 7)
    if header.get("segment") != SEGMENT:
        raise PackageError(DAMAGED)
    body = _Plaintext(handle, AESGCM(key), prefix, header_bytes)
    package = OpenedPackage(version, {}, b"", body)
    try:
        records = json.loads(package._small("records.json"))
    except ValueError:
        raise PackageError(NOT_A_FILE) from None
    package.records = _check_records(records)
    package.pdf = package._small("file.pdf")
    return package


def _open_v1(handle: BinaryIO, header_bytes: bytes, header: dict[str, Any],
             password: str) -> OpenedPackage:
    key, nonce = _key_and_nonce(header, password, 12)
    body = handle.read(MAX_PACKAGE_V1 + 1)
    if len(body) > MAX_PACKAGE_V1:
        raise PackageError("That file is too large to be a Casebook transfer package.")
    try:
        inner = AESGCM(key).decrypt(nonce, body, header_bytes)
    except InvalidTag:
        raise PackageError(CHANGED) from None
    try:
        with zipfile.ZipFile(io.BytesIO(inner)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_PACKAGE_V1:
                raise ValueError("too large unpacked")
            pdf = archive.read("file.pdf")
            records = json.loads(archive.read("records.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise PackageError(NOT_A_FILE) from None
    return OpenedPackage(1, _check_records(records), pdf)


def _check_records(records: Any) -> dict[str, Any]:
    if not isinstance(records, dict):
        raise PackageError(NOT_A_FILE)
    try:
        version = int(records.get("version", 0))
    except (TypeError, ValueError):
        raise PackageError(NOT_A_FILE) from None
    if version > FORMAT_VERSION:
        raise NewerVersionError(NEWER)
    if records.get("format") != "casebook-transfer-records":
        raise ValidationError("The package does not hold a learner's file.")
    return records
