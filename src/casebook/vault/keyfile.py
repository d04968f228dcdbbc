"""The key file's format: slots, their boxes, and the document that holds them.

Nothing here reads or writes files or keeps state; :mod:`casebook.vault.keyvault` does, and
explains why slots hold key pairs and how a rekey is ordered.

Key file (JSON, written atomically)::

    {"format": "casebook-keys", "version": 2, "vault_id": <random hex>,
     "key_check": <16-byte tag of the data key>, "previous_key_check": <during a rekey>,
     "attempts": {"failures": n, "last_failure": t}, "slots": [...], "checksum": <sha256 hex>}

Each slot stores its KDF parameters and salt, ``check`` (a 16-byte value derived from the
slot secret, so a wrong secret can be told apart from a damaged slot), ``nonce`` and
``wrapped`` (format 2: the slot's private key; format 1: the data key), and in format 2
``public`` and ``sealed`` (and ``previous`` during a rekey). GCM associated data binds every
box to its casebook, kind and id, so slots cannot be moved between files or users.
``key_check`` is an HMAC of the data key; it confirms a key belongs to this casebook. The
checksum catches accidental damage (it is not a defence against deliberate tampering; the GCM
tags are). KDF settings read from a file are bounded before any derivation
(:func:`casebook.vault.kdf.bounds_problem`). Nothing in the file is a secret in plain form.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casebook.domain.errors import DamagedFileError, NewerVersionError
from casebook.vault import kdf as _kdf
from casebook.vault import sealing
from casebook.vault.attempts import Attempts
from casebook.vault.kdf import KdfParams
from casebook.vault.strength import normalise

FORMAT = "casebook-keys"
VERSION = 2
DATA_KEY_LEN = 32

_SALT_LEN = 16
_NONCE_LEN = 12
_CHECK_LEN = 16
_WRAPPED_LEN = DATA_KEY_LEN + 16  # key + GCM tag (a data key in format 1, a private key in 2)
_ARGON2 = "argon2id"
_HKDF = "hkdf-sha256"
_PASSPHRASE, _RECOVERY, _KEYRING = "passphrase", "recovery", "keyring"
_KDF_FOR_KIND = {_PASSPHRASE: _ARGON2, _RECOVERY: _HKDF, _KEYRING: _HKDF}

MSG_DAMAGED = (
    "The key file for this casebook is damaged, so it cannot be opened. Nothing was changed. "
    "Restore the casebook folder from a backup."
)
MSG_NEWER = (
    "This casebook was set up by a newer version of Casebook. Please update Casebook to open it."
)

#: Data keys are handed out as ``bytes``; methods that take one also accept a ``bytearray``.
KeyBytes = bytes | bytearray | memoryview


# ---------------------------------------------------------------- encoding helpers


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, length: int | tuple[int, int]) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    data = base64.b64decode(value.encode("ascii"), validate=True)
    low, high = (length, length) if isinstance(length, int) else length
    if not low <= len(data) <= high:
        raise ValueError("wrong length")
    return data


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _key_check(data_key: bytes, vault_id: str) -> bytes:
    label = b"casebook-keys/v1 key check " + vault_id.encode("ascii")
    return hmac.new(data_key, label, hashlib.sha256).digest()[:_CHECK_LEN]


def _split(material: bytes) -> tuple[bytes, bytes]:
    """Wrapping key (the KEK) and check value from one slot's KDF output."""
    out = HKDF(
        algorithm=hashes.SHA256(),
        length=DATA_KEY_LEN + _CHECK_LEN,
        salt=None,
        info=b"casebook-keys/v1 slot",
    ).derive(material)
    return out[:DATA_KEY_LEN], out[DATA_KEY_LEN:]


def _aad(vault_id: str, kind: str, slot_id: str, label: str = "casebook-keys/v1") -> bytes:
    return "\x00".join((label, vault_id, kind, slot_id)).encode("utf-8")


def _aad_private(vault_id: str, kind: str, slot_id: str) -> bytes:
    return _aad(vault_id, kind, slot_id, "casebook-keys/v2 private key")


def _aad_sealed(vault_id: str, kind: str, slot_id: str) -> bytes:
    return _aad(vault_id, kind, slot_id, "casebook-keys/v2 sealed data key")


def _check_user_id(user_id: str) -> None:
    if (
        not isinstance(user_id, str)
        or not 0 < len(user_id) <= 200
        or not user_id.isprintable()
        or user_id in (_RECOVERY, _KEYRING)
    ):
        raise ValueError("user id must be a short printable string")


def _as_data_key(data_key: KeyBytes) -> bytes:
    key = bytes(data_key)
    if len(key) != DATA_KEY_LEN:
        raise ValueError("data key must be 32 bytes")
    return key


def _sealed_to_json(box: sealing.Sealed) -> dict[str, str]:
    return {"ephemeral": _b64(box.ephemeral), "nonce": _b64(box.nonce),
            "ciphertext": _b64(box.ciphertext)}


def _sealed_from_json(raw: Any) -> sealing.Sealed:
    if not isinstance(raw, dict):
        raise ValueError("sealed box is not an object")
    return sealing.Sealed(
        ephemeral=_unb64(raw.get("ephemeral"), sealing.PUBLIC_LEN),
        nonce=_unb64(raw.get("nonce"), sealing.NONCE_LEN),
        ciphertext=_unb64(raw.get("ciphertext"), DATA_KEY_LEN + 16),
    )


# ---------------------------------------------------------------- slots and document


@dataclass(frozen=True, slots=True)
class _Slot:
    kind: str
    slot_id: str
    params: KdfParams | None  # Argon2 only
    salt: bytes
    check: bytes
    nonce: bytes
    wrapped: bytes  # format 2: the private key; format 1 (legacy): the data key
    public: bytes | None = None  # format 2 only
    sealed: sealing.Sealed | None = None  # the data key, sealed to ``public``
    previous: sealing.Sealed | None = None  # the old data key, during a rekey only

    @property
    def legacy(self) -> bool:
        """A format-1 slot: it cannot receive a new data key without its owner's secret."""
        return self.public is None

    def to_json(self) -> dict[str, Any]:
        kdf: dict[str, Any] = {"name": _KDF_FOR_KIND[self.kind], "salt": _b64(self.salt)}
        if self.params is not None:
            kdf.update(
                memory_kib=self.params.memory_kib,
                time_cost=self.params.time_cost,
                parallelism=self.params.parallelism,
            )
        out: dict[str, Any] = {
            "kind": self.kind,
            "id": self.slot_id,
            "kdf": kdf,
            "check": _b64(self.check),
            "nonce": _b64(self.nonce),
            "wrapped": _b64(self.wrapped),
        }
        if self.public is not None and self.sealed is not None:
            out["public"] = _b64(self.public)
            out["sealed"] = _sealed_to_json(self.sealed)
            if self.previous is not None:
                out["previous"] = _sealed_to_json(self.previous)
        return out

    @classmethod
    def from_json(cls, raw: Any) -> _Slot:
        if not isinstance(raw, dict) or not isinstance(raw.get("kdf"), dict):
            raise ValueError("slot is not an object")
        kind, slot_id, kdf = raw.get("kind"), raw.get("id"), raw["kdf"]
        if kind not in _KDF_FOR_KIND or kdf.get("name") != _KDF_FOR_KIND[kind]:
            raise ValueError("unknown slot kind or KDF")
        if kind == _PASSPHRASE:
            _check_user_id(slot_id)
            numbers = [kdf.get(k) for k in ("memory_kib", "time_cost", "parallelism")]
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
                raise ValueError("bad KDF parameters")
            argon2 = KdfParams(*numbers)
            # Upper bounds are checked before any derivation, with their own message
            # (kdf.bounds_problem); here only what Argon2 itself could never accept.
            if argon2.time_cost < 1 or argon2.parallelism < 1 or (
                argon2.memory_kib < 8 * argon2.parallelism
            ):
                raise ValueError("KDF parameters out of range")
            params: KdfParams | None = argon2
        else:
            if slot_id != kind:
                raise ValueError("bad slot id")
            params = None
        has_pair = "public" in raw or "sealed" in raw
        return cls(
            kind=kind,
            slot_id=slot_id,
            params=params,
            salt=_unb64(kdf.get("salt"), (_SALT_LEN, 64)),
            check=_unb64(raw.get("check"), _CHECK_LEN),
            nonce=_unb64(raw.get("nonce"), _NONCE_LEN),
            wrapped=_unb64(raw.get("wrapped"), _WRAPPED_LEN),
            public=_unb64(raw.get("public"), sealing.PUBLIC_LEN) if has_pair else None,
            sealed=_sealed_from_json(raw.get("sealed")) if has_pair else None,
            previous=(
                _sealed_from_json(raw["previous"]) if has_pair and "previous" in raw else None
            ),
        )


@dataclass(frozen=True, slots=True)
class _Document:
    vault_id: str
    key_check: bytes
    slots: tuple[_Slot, ...]
    previous_key_check: bytes | None = None  # set between begin_rekey and finish_rekey
    attempts: Attempts = field(default_factory=Attempts)
    read_version: int = VERSION

    def to_bytes(self) -> bytes:
        body: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "key_check": _b64(self.key_check),
            "attempts": self.attempts.to_json(),
            "slots": [slot.to_json() for slot in self.slots],
        }
        if self.previous_key_check is not None:
            body["previous_key_check"] = _b64(self.previous_key_check)
        body["checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
        return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()

    @classmethod
    def parse(cls, raw: bytes) -> _Document:
        """Parse and validate a key file; raise DamagedFileError / NewerVersionError."""
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DamagedFileError(MSG_DAMAGED) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise DamagedFileError(MSG_DAMAGED)
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise DamagedFileError(MSG_DAMAGED)
        if version > VERSION:
            raise NewerVersionError(MSG_NEWER)
        checksum = doc.pop("checksum", None)
        if not isinstance(checksum, str) or not hmac.compare_digest(
            checksum, hashlib.sha256(_canonical(doc)).hexdigest()
        ):
            raise DamagedFileError(MSG_DAMAGED)
        try:
            vault_id = doc["vault_id"]
            if not isinstance(vault_id, str) or len(vault_id) != 32:
                raise ValueError("bad vault id")
            bytes.fromhex(vault_id)
            key_check = _unb64(doc["key_check"], _CHECK_LEN)
            previous = doc.get("previous_key_check")
            previous_check = _unb64(previous, _CHECK_LEN) if previous is not None else None
            raw_slots = doc["slots"]
            if not isinstance(raw_slots, list):
                raise ValueError("slots is not a list")
            slots = tuple(_Slot.from_json(item) for item in raw_slots)
        except (KeyError, ValueError, TypeError, binascii.Error):
            raise DamagedFileError(MSG_DAMAGED) from None
        keys = [(s.kind, s.slot_id) for s in slots]
        if len(set(keys)) != len(keys) or not any(s.kind == _PASSPHRASE for s in slots):
            raise DamagedFileError(MSG_DAMAGED)
        # Format 1 kept the count in a side file (read by KeyVault.load); in format 2 a
        # missing or damaged record gives no fresh free attempts.
        attempts = Attempts.from_json(doc.get("attempts")) if version >= 2 else Attempts()
        return cls(vault_id=vault_id, key_check=key_check, slots=slots,
                   previous_key_check=previous_check, attempts=attempts, read_version=version)

    def find(self, kind: str, slot_id: str) -> _Slot | None:
        for slot in self.slots:
            if slot.kind == kind and slot.slot_id == slot_id:
                return slot
        return None

    def with_slot(self, new: _Slot) -> _Document:
        """Replace the slot with the same kind and id in place, or append it."""
        slots = list(self.slots)
        for i, slot in enumerate(slots):
            if (slot.kind, slot.slot_id) == (new.kind, new.slot_id):
                slots[i] = new
                break
        else:
            slots.append(new)
        return replace(self, slots=tuple(slots))

    def without(self, kind: str, slot_id: str) -> _Document:
        slots = tuple(s for s in self.slots if (s.kind, s.slot_id) != (kind, slot_id))
        return replace(self, slots=slots)


def _make_slot(
    vault_id: str,
    kind: str,
    slot_id: str,
    wrap_key: bytes,
    check: bytes,
    salt: bytes,
    params: KdfParams | None,
    data_key: bytes,
    previous_key: bytes | None = None,
) -> _Slot:
    """A format-2 slot: a fresh key pair, the private half wrapped under the KEK."""
    private, public = sealing.new_key_pair()
    nonce = secrets.token_bytes(_NONCE_LEN)
    wrapped = AESGCM(wrap_key).encrypt(nonce, private, _aad_private(vault_id, kind, slot_id))
    aad = _aad_sealed(vault_id, kind, slot_id)
    return _Slot(
        kind, slot_id, params, salt, check, nonce, wrapped, public,
        sealing.seal(public, data_key, aad),
        sealing.seal(public, previous_key, aad) if previous_key is not None else None,
    )


def _passphrase_slot(
    vault_id: str, user_id: str, passphrase: str, params: KdfParams, data_key: bytes,
    previous_key: bytes | None = None,
) -> _Slot:
    salt = secrets.token_bytes(_SALT_LEN)
    wrap_key, check = _split(_kdf.argon2id(normalise(passphrase).encode("utf-8"), salt, params))
    return _make_slot(vault_id, _PASSPHRASE, user_id, wrap_key, check, salt, params, data_key,
                      previous_key)


def _secret_slot(vault_id: str, kind: str, secret: bytes, data_key: bytes,
                 previous_key: bytes | None = None) -> _Slot:
    salt = secrets.token_bytes(_SALT_LEN)
    wrap_key, check = _split(_kdf.hkdf(secret, salt))
    return _make_slot(vault_id, kind, kind, wrap_key, check, salt, None, data_key, previous_key)


@dataclass(frozen=True, slots=True)
class _Opened:
    """What opening one slot gave: the data key, the old one during a rekey, the slot's KEK."""

    slot: _Slot
    key: bytes
    previous: bytes | None
    wrap_key: bytes
