"""The transfer package: one encrypted file holding a learner's file as PDF and as JSON.

Layout (all integers big-endian)::

    b"CBXFER\\x00\\x01"  magic (8 bytes)
    u32 header length, header (JSON: format version, Argon2id parameters and salt, nonce)
    AES-256-GCM ciphertext of a ZIP (file.pdf, records.json), the header as associated data

Nothing in the clear names anyone: the header holds only numbers and random bytes. The key
comes from the password with Argon2id; GCM's tag covers the ciphertext *and* the header, so a
changed byte anywhere (or a downgraded cost) is caught before anything is read. A package
whose version is newer than this program's is refused with a message saying so.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import zipfile
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casebook.errors import CasebookError, NewerVersionError, ValidationError
from casebook.vault import kdf

MAGIC = b"CBXFER\x00\x01"
FORMAT_VERSION = 1
MAX_HEADER = 4096
MAX_PACKAGE = 512 * 1024 * 1024


class PackageError(CasebookError):
    """The package cannot be opened (wrong password, damaged, or not a package)."""


def seal(pdf: bytes, records: dict[str, Any], password: str,
         params: kdf.KdfParams | None = None) -> bytes:
    params = params or kdf.default_params()
    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps({
        "format": "casebook-transfer", "version": FORMAT_VERSION,
        "kdf": {"name": "argon2id", "memory_kib": params.memory_kib,
                "time_cost": params.time_cost, "parallelism": params.parallelism,
                "salt": base64.b64encode(salt).decode()},
        "cipher": "aes-256-gcm", "nonce": base64.b64encode(nonce).decode(),
    }, sort_keys=True).encode()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("file.pdf", pdf)
        archive.writestr("records.json", json.dumps(records, ensure_ascii=False, indent=1))
    key = kdf.argon2id(password.encode("utf-8"), salt, params)
    body = AESGCM(key).encrypt(nonce, inner.getvalue(), header)
    return MAGIC + struct.pack(">I", len(header)) + header + body


def open_package(data: bytes, password: str) -> tuple[bytes, dict[str, Any]]:
    """(pdf, records) from a package, or a plain-words error."""
    if len(data) > MAX_PACKAGE:
        raise PackageError("That file is too large to be a Casebook transfer package.")
    if not data.startswith(MAGIC[:6]):
        raise PackageError("That file is not a Casebook transfer package.")
    if data[:8] != MAGIC:
        raise NewerVersionError("That package was made by a newer version of Casebook. "
                                "Install the newer version to open it.")
    try:
        (length,) = struct.unpack(">I", data[8:12])
        if not 0 < length <= MAX_HEADER:
            raise ValueError(length)
        header_bytes = data[12:12 + length]
        header = json.loads(header_bytes)
        version = int(header["version"])
    except (ValueError, KeyError, TypeError, struct.error):
        raise PackageError("The package is damaged or has been changed: it cannot be "
                           "opened. Ask the sending school to send it again.") from None
    if version > FORMAT_VERSION:
        raise NewerVersionError("That package was made by a newer version of Casebook. "
                                "Install the newer version to open it.")
    try:
        k = header["kdf"]
        params = kdf.KdfParams(int(k["memory_kib"]), int(k["time_cost"]), int(k["parallelism"]))
        salt = base64.b64decode(k["salt"])
        nonce = base64.b64decode(header["nonce"])
        if not params.is_sane() or len(salt) < 16 or len(nonce) != 12:
            raise ValueError("parameters")
    except (ValueError, KeyError, TypeError):
        raise PackageError("The package is damaged or has been changed: it cannot be "
                           "opened. Ask the sending school to send it again.") from None
    key = kdf.argon2id(password.encode("utf-8"), salt, params)
    try:
        inner = AESGCM(key).decrypt(nonce, data[12 + length:], header_bytes)
    except InvalidTag:
        raise PackageError("The password is wrong, or the package was changed after it was "
                           "made. Nothing was imported. Check the password with the sending "
                           "school.") from None
    try:
        with zipfile.ZipFile(io.BytesIO(inner)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_PACKAGE:
                raise ValueError("too large unpacked")
            pdf = archive.read("file.pdf")
            records = json.loads(archive.read("records.json"))
        if not isinstance(records, dict):
            raise ValueError("records")
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise PackageError("The package opened but its contents are not a learner's file. "
                           "Nothing was imported.") from None
    if int(records.get("version", 0)) > FORMAT_VERSION:
        raise NewerVersionError("That package was made by a newer version of Casebook. "
                                "Install the newer version to open it.")
    if records.get("format") != "casebook-transfer-records":
        raise ValidationError("The package does not hold a learner's file.")
    return pdf, records
