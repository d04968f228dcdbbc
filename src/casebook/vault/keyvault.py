"""Key slots: the casebook's data key, wrapped once per way in.

The database is encrypted with a random 256-bit data key. That key is never stored as it is:
each *slot* in the key file holds it encrypted (AES-256-GCM) under a key derived from one
secret - a user's passphrase (Argon2id), the printed recovery key, or a random secret kept in
the operating system's keyring. Adding, changing or removing a slot rewrites only the key file.

Key file (JSON, written atomically)::

    {"format": "casebook-keys", "version": 1, "vault_id": <random hex>,
     "key_check": <16-byte tag of the data key>, "slots": [...], "checksum": <sha256 hex>}

Each slot stores its KDF parameters and salt, ``check`` (a 16-byte value derived from the
slot secret, so a wrong secret can be told apart from a damaged slot), ``nonce`` and
``wrapped`` (the data key plus the GCM tag). The GCM associated data binds each slot to its
casebook, kind and id, so slots cannot be moved between files or users. ``key_check`` is an
HMAC of the data key; it lets us confirm a data key handed to us belongs to this casebook. The
checksum catches accidental damage (it is not a defence against deliberate tampering; the GCM
tag is). Nothing in the file is a secret in plain form: no data key, no passphrase, no names
(user ids only).

About wiping keys: Python cannot promise that a secret leaves memory. ``bytes`` objects are
immutable and the crypto libraries make their own copies. Callers who hold the data key for a
while should keep it in a ``bytearray`` (``bytearray(key)``), drop other references, and call
:func:`wipe` when locking; that zeroes our copy but not copies made elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import keyring
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casebook.domain.errors import (
    DamagedFileError,
    NewerVersionError,
    NotFoundError,
    ValidationError,
    WrongKeyError,
)
from casebook.vault import kdf as _kdf
from casebook.vault.attempts import AttemptCounter
from casebook.vault.files import atomic_write_bytes, read_small_file
from casebook.vault.kdf import KdfParams
from casebook.vault.recovery import new_recovery_key, parse_recovery_key
from casebook.vault.strength import check_passphrase, normalise

log = logging.getLogger(__name__)

FORMAT = "casebook-keys"
VERSION = 1
KEYRING_SERVICE = "Casebook"
DATA_KEY_LEN = 32
KEYRING_SECRET_LEN = 32  # 44 characters of base64: far below Windows' ~2.5 KB limit
MAX_KEY_FILE_BYTES = 1024 * 1024

_SALT_LEN = 16
_NONCE_LEN = 12
_CHECK_LEN = 16
_WRAPPED_LEN = DATA_KEY_LEN + 16  # key + GCM tag
_ARGON2 = "argon2id"
_HKDF = "hkdf-sha256"
_PASSPHRASE, _RECOVERY, _KEYRING = "passphrase", "recovery", "keyring"
_KDF_FOR_KIND = {_PASSPHRASE: _ARGON2, _RECOVERY: _HKDF, _KEYRING: _HKDF}

MSG_MISSING = (
    "The key file for this casebook is missing, so it cannot be opened. "
    "Restore the casebook folder from a backup."
)
MSG_DAMAGED = (
    "The key file for this casebook is damaged, so it cannot be opened. Nothing was changed. "
    "Restore the casebook folder from a backup."
)
MSG_NEWER = (
    "This casebook was set up by a newer version of Casebook. Please update Casebook to open it."
)
MSG_WRONG_PASSPHRASE = "That passphrase did not open this casebook. Check Caps Lock and try again."
MSG_WRONG_RECOVERY = "This recovery key does not open this casebook."


#: Data keys are handed out as ``bytes``; methods that take one also accept a ``bytearray``.
KeyBytes = bytes | bytearray | memoryview


def new_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return secrets.token_bytes(DATA_KEY_LEN)


def wipe(buffer: bytearray | memoryview) -> None:
    """Overwrite a mutable key buffer with zeros (best effort; see the module docstring)."""
    view = memoryview(buffer).cast("B")
    view[:] = bytes(len(view))


def key_file_for(database: Path) -> Path:
    """The conventional key-file path beside a database: ``<name>.keys``."""
    database = Path(database)
    return database.with_name(database.name + ".keys")


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
    """Wrapping key and check value from one slot's KDF output."""
    out = HKDF(
        algorithm=hashes.SHA256(),
        length=DATA_KEY_LEN + _CHECK_LEN,
        salt=None,
        info=b"casebook-keys/v1 slot",
    ).derive(material)
    return out[:DATA_KEY_LEN], out[DATA_KEY_LEN:]


def _aad(vault_id: str, kind: str, slot_id: str) -> bytes:
    return "\x00".join(("casebook-keys/v1", vault_id, kind, slot_id)).encode("utf-8")


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


# ---------------------------------------------------------------- slots and document


@dataclass(frozen=True, slots=True)
class _Slot:
    kind: str
    slot_id: str
    params: KdfParams | None  # Argon2 only
    salt: bytes
    check: bytes
    nonce: bytes
    wrapped: bytes

    def to_json(self) -> dict[str, Any]:
        kdf: dict[str, Any] = {"name": _KDF_FOR_KIND[self.kind], "salt": _b64(self.salt)}
        if self.params is not None:
            kdf.update(
                memory_kib=self.params.memory_kib,
                time_cost=self.params.time_cost,
                parallelism=self.params.parallelism,
            )
        return {
            "kind": self.kind,
            "id": self.slot_id,
            "kdf": kdf,
            "check": _b64(self.check),
            "nonce": _b64(self.nonce),
            "wrapped": _b64(self.wrapped),
        }

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
            if not argon2.is_sane():
                raise ValueError("KDF parameters out of range")
            params: KdfParams | None = argon2
        else:
            if slot_id != kind:
                raise ValueError("bad slot id")
            params = None
        return cls(
            kind=kind,
            slot_id=slot_id,
            params=params,
            salt=_unb64(kdf.get("salt"), (_SALT_LEN, 64)),
            check=_unb64(raw.get("check"), _CHECK_LEN),
            nonce=_unb64(raw.get("nonce"), _NONCE_LEN),
            wrapped=_unb64(raw.get("wrapped"), _WRAPPED_LEN),
        )


@dataclass(frozen=True, slots=True)
class _Document:
    vault_id: str
    key_check: bytes
    slots: tuple[_Slot, ...]

    def to_bytes(self) -> bytes:
        body: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "key_check": _b64(self.key_check),
            "slots": [slot.to_json() for slot in self.slots],
        }
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
            raw_slots = doc["slots"]
            if not isinstance(raw_slots, list):
                raise ValueError("slots is not a list")
            slots = tuple(_Slot.from_json(item) for item in raw_slots)
        except (KeyError, ValueError, TypeError, binascii.Error):
            raise DamagedFileError(MSG_DAMAGED) from None
        keys = [(s.kind, s.slot_id) for s in slots]
        if len(set(keys)) != len(keys) or not any(s.kind == _PASSPHRASE for s in slots):
            raise DamagedFileError(MSG_DAMAGED)
        return cls(vault_id=vault_id, key_check=key_check, slots=slots)

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
    material: bytes,
    salt: bytes,
    params: KdfParams | None,
    data_key: bytes,
) -> _Slot:
    wrap_key, check = _split(material)
    nonce = secrets.token_bytes(_NONCE_LEN)
    wrapped = AESGCM(wrap_key).encrypt(nonce, data_key, _aad(vault_id, kind, slot_id))
    return _Slot(kind, slot_id, params, salt, check, nonce, wrapped)


def _passphrase_slot(
    vault_id: str, user_id: str, passphrase: str, params: KdfParams, data_key: bytes
) -> _Slot:
    salt = secrets.token_bytes(_SALT_LEN)
    material = _kdf.argon2id(normalise(passphrase).encode("utf-8"), salt, params)
    return _make_slot(vault_id, _PASSPHRASE, user_id, material, salt, params, data_key)


def _secret_slot(vault_id: str, kind: str, secret: bytes, data_key: bytes) -> _Slot:
    salt = secrets.token_bytes(_SALT_LEN)
    return _make_slot(vault_id, kind, kind, _kdf.hkdf(secret, salt), salt, None, data_key)


# ---------------------------------------------------------------- the vault


class KeyVault:
    """The key file of one casebook. Every change is written to disk before it returns."""

    def __init__(
        self, path: Path, document: _Document, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self._doc = document
        self._attempts = AttemptCounter(self.path.with_name(self.path.name + ".attempts"), clock)

    # ---- creating and opening

    @classmethod
    def create(
        cls,
        path: Path,
        user_id: str,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
        clock: Callable[[], float] = time.time,
    ) -> tuple[KeyVault, bytes, str]:
        """Make a new key file with a fresh data key, one passphrase slot and a recovery key.

        Returns ``(vault, data_key, recovery_key_text)``; show the recovery key once.
        May take about a second (KDF calibration on first use, then one derivation).
        """
        path = Path(path)
        _check_user_id(user_id)
        if path.exists():
            raise ValidationError(
                "A casebook key file already exists in this place. Choose a new name or folder."
            )
        check_passphrase(passphrase)
        params = kdf if kdf is not None else _kdf.default_params()
        _kdf.check_new_params(params)
        data_key = new_data_key()
        vault_id = secrets.token_hex(16)
        recovery_secret, recovery_text = new_recovery_key()
        document = _Document(
            vault_id=vault_id,
            key_check=_key_check(data_key, vault_id),
            slots=(
                _passphrase_slot(vault_id, user_id, passphrase, params, data_key),
                _secret_slot(vault_id, _RECOVERY, recovery_secret, data_key),
            ),
        )
        atomic_write_bytes(path, document.to_bytes())
        vault = cls(path, document, clock)
        vault._attempts.record_success()  # clear any stale counter left at this path
        log.info("key file created (vault %s, user %s)", vault_id, user_id)
        return vault, data_key, recovery_text

    @classmethod
    def load(cls, path: Path, *, clock: Callable[[], float] = time.time) -> KeyVault:
        """Read a key file. Raises NotFoundError, DamagedFileError or NewerVersionError."""
        path = Path(path)
        try:
            raw = read_small_file(path, MAX_KEY_FILE_BYTES)
        except FileNotFoundError:
            raise NotFoundError(MSG_MISSING) from None
        except IsADirectoryError:
            raise DamagedFileError(MSG_DAMAGED) from None
        if raw is None:
            raise DamagedFileError(MSG_DAMAGED)
        return cls(path, _Document.parse(raw), clock)

    # ---- looking

    @property
    def vault_id(self) -> str:
        """Random id of this casebook's key file (also names its keyring entry)."""
        return self._doc.vault_id

    def user_ids(self) -> list[str]:
        """Ids of users with a passphrase slot, in file order."""
        return [s.slot_id for s in self._doc.slots if s.kind == _PASSPHRASE]

    def has_keyring_slot(self) -> bool:
        return self._doc.find(_KEYRING, _KEYRING) is not None

    def has_recovery_slot(self) -> bool:
        return self._doc.find(_RECOVERY, _RECOVERY) is not None

    def slot_params(self, user_id: str) -> KdfParams:
        """The Argon2 parameters stored in a user's slot."""
        slot = self._passphrase_slot_or_raise(user_id)
        assert slot.params is not None
        return slot.params

    def seconds_until_next_attempt(self) -> float:
        """0 when an unlock may be tried now; otherwise how long the pause still runs."""
        return self._attempts.seconds_to_wait()

    # ---- unlocking

    def _open(self, slot: _Slot, material: bytes) -> bytes | None:
        """The data key, or None if this secret is not the slot's. Raises if tampered."""
        wrap_key, check = _split(material)
        if not hmac.compare_digest(check, slot.check):
            return None
        try:
            key = AESGCM(wrap_key).decrypt(
                slot.nonce, slot.wrapped, _aad(self._doc.vault_id, slot.kind, slot.slot_id)
            )
        except InvalidTag:
            # The secret is right (the check matched) but the wrapped key fails: tampering.
            log.warning("key slot failed authentication (vault %s)", self._doc.vault_id)
            raise DamagedFileError(MSG_DAMAGED) from None
        if len(key) != DATA_KEY_LEN or not hmac.compare_digest(
            _key_check(key, self._doc.vault_id), self._doc.key_check
        ):
            raise DamagedFileError(MSG_DAMAGED)
        return key

    def _open_passphrase_slot(self, slot: _Slot, passphrase: str) -> bytes | None:
        assert slot.params is not None
        secret = normalise(passphrase).encode("utf-8")
        return self._open(slot, _kdf.argon2id(secret, slot.salt, slot.params))

    def _succeeded(self, how: str) -> None:
        self._attempts.record_success()
        log.info("unlocked with %s (vault %s)", how, self._doc.vault_id)

    def _failed(self, message: str) -> WrongKeyError:
        self._attempts.record_failure()
        log.info("unlock failed (vault %s)", self._doc.vault_id)
        return WrongKeyError(message)

    def unlock_with_passphrase(self, user_id: str, passphrase: str) -> bytes:
        """The data key, or WrongKeyError / TooManyAttemptsError (checked before any KDF)."""
        self._attempts.check()
        slot = self._doc.find(_PASSPHRASE, user_id) if isinstance(user_id, str) else None
        key = self._open_passphrase_slot(slot, passphrase) if slot is not None else None
        if key is None:
            raise self._failed(MSG_WRONG_PASSPHRASE)
        self._succeeded("passphrase")
        return key

    def unlock_any_passphrase(self, passphrase: str) -> tuple[str, bytes]:
        """Try the passphrase against every user's slot; return ``(user_id, data_key)``.

        Costs one Argon2 derivation per user tried (about 0.5 s each). Counts as one attempt.
        """
        self._attempts.check()
        for slot in self._doc.slots:
            if slot.kind != _PASSPHRASE:
                continue
            key = self._open_passphrase_slot(slot, passphrase)
            if key is not None:
                self._succeeded("passphrase")
                return slot.slot_id, key
        raise self._failed(MSG_WRONG_PASSPHRASE)

    def unlock_with_recovery_key(self, text: str) -> bytes:
        """The data key from the typed recovery key.

        A typing mistake (caught by the check group) raises ValidationError and is not counted
        as a failed attempt: it cannot be a guess at a real key. A well-formed key that is not
        this casebook's raises WrongKeyError.
        """
        self._attempts.check()
        secret = parse_recovery_key(text)
        slot = self._doc.find(_RECOVERY, _RECOVERY)
        key = self._open(slot, _kdf.hkdf(secret, slot.salt)) if slot is not None else None
        if key is None:
            raise self._failed(MSG_WRONG_RECOVERY)
        self._succeeded("recovery key")
        return key

    def _keyring_username(self) -> str:
        return f"vault-{self._doc.vault_id}"

    def unlock_with_keyring(self) -> bytes | None:
        """The data key via the OS keyring, or None: then ask for the passphrase.

        Any keyring trouble (no backend, locked, an error, nothing stored, a stale secret)
        gives None. Not subject to the attempt pause: the keyring secret cannot be guessed.
        Raises DamagedFileError only if the keyring secret is right but the slot was altered.
        """
        slot = self._doc.find(_KEYRING, _KEYRING)
        if slot is None:
            return None
        try:
            stored = keyring.get_password(KEYRING_SERVICE, self._keyring_username())
        except Exception:  # any backend failure means "ask for the passphrase"
            log.info("keyring unavailable (vault %s)", self._doc.vault_id)
            return None
        if not isinstance(stored, str):
            return None
        try:
            secret = base64.urlsafe_b64decode(stored.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            return None
        if len(secret) != KEYRING_SECRET_LEN:
            return None
        key = self._open(slot, _kdf.hkdf(secret, slot.salt))
        if key is None:
            log.info("keyring secret is stale (vault %s)", self._doc.vault_id)
            return None
        self._succeeded("keyring")
        return key

    # ---- changing slots (only the key file changes; the database is not re-encrypted)

    def _require_data_key(self, data_key: KeyBytes) -> bytes:
        key = _as_data_key(data_key)
        if not hmac.compare_digest(_key_check(key, self._doc.vault_id), self._doc.key_check):
            raise ValueError("this data key does not belong to this casebook")
        return key

    def _save(self, document: _Document) -> None:
        atomic_write_bytes(self.path, document.to_bytes())
        self._doc = document

    def _passphrase_slot_or_raise(self, user_id: str) -> _Slot:
        slot = self._doc.find(_PASSPHRASE, user_id)
        if slot is None:
            raise NotFoundError("This person does not have a passphrase for this casebook.")
        return slot

    def add_passphrase_slot(
        self,
        data_key: KeyBytes,
        user_id: str,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        """Give a user their own passphrase. ValidationError if weak or already present."""
        key = self._require_data_key(data_key)
        _check_user_id(user_id)
        if self._doc.find(_PASSPHRASE, user_id) is not None:
            raise ValidationError(
                "This person already has a passphrase for this casebook; change it instead."
            )
        check_passphrase(passphrase)
        params = kdf if kdf is not None else _kdf.default_params()
        _kdf.check_new_params(params)
        slot = _passphrase_slot(self._doc.vault_id, user_id, passphrase, params, key)
        self._save(self._doc.with_slot(slot))
        log.info("passphrase slot added (vault %s, user %s)", self._doc.vault_id, user_id)

    def change_passphrase(
        self,
        data_key: KeyBytes,
        user_id: str,
        new_passphrase: str,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        """Replace a user's passphrase (new salt, today's KDF cost). Other slots are untouched."""
        key = self._require_data_key(data_key)
        self._passphrase_slot_or_raise(user_id)
        check_passphrase(new_passphrase)
        params = kdf if kdf is not None else _kdf.default_params()
        _kdf.check_new_params(params)
        slot = _passphrase_slot(self._doc.vault_id, user_id, new_passphrase, params, key)
        self._save(self._doc.with_slot(slot))
        log.info("passphrase changed (vault %s, user %s)", self._doc.vault_id, user_id)

    def upgrade_passphrase_slot(
        self, user_id: str, passphrase: str, *, kdf: KdfParams | None = None
    ) -> bool:
        """Re-derive a user's slot with stronger KDF parameters if it is notably weaker.

        Call after a successful unlock, off the UI thread. Unlocks with the passphrase first (so
        it counts as an attempt like any other); returns True if the slot was rewritten. The
        passphrase strength rule is not re-applied: this keeps the user's passphrase.
        """
        target = kdf if kdf is not None else _kdf.default_params()
        _kdf.check_new_params(target)
        current = self.slot_params(user_id)
        weaker = (
            current.memory_kib < target.memory_kib or current.time_cost * 4 < target.time_cost * 3
        )
        if not weaker:
            return False
        key = self.unlock_with_passphrase(user_id, passphrase)
        slot = _passphrase_slot(self._doc.vault_id, user_id, passphrase, target, key)
        self._save(self._doc.with_slot(slot))
        log.info("passphrase slot upgraded (vault %s, user %s)", self._doc.vault_id, user_id)
        return True

    def revoke_slot(self, user_id: str) -> None:
        """Remove a user's passphrase slot. The last passphrase cannot be removed."""
        self._passphrase_slot_or_raise(user_id)
        if len(self.user_ids()) <= 1:
            raise ValidationError(
                "This is the only passphrase left for this casebook, so it cannot be removed. "
                "Add another person's passphrase first."
            )
        self._save(self._doc.without(_PASSPHRASE, user_id))
        log.info("passphrase slot revoked (vault %s, user %s)", self._doc.vault_id, user_id)

    def reissue_recovery_key(self, data_key: KeyBytes) -> str:
        """Make a new recovery key; the old one stops working. Returns the text to show once."""
        key = self._require_data_key(data_key)
        secret, text = new_recovery_key()
        self._save(self._doc.with_slot(_secret_slot(self._doc.vault_id, _RECOVERY, secret, key)))
        log.info("recovery key reissued (vault %s)", self._doc.vault_id)
        return text

    def remember_in_keyring(self, data_key: KeyBytes) -> bool:
        """Remember on this computer. False (and no file change) if the keyring fails.

        Only a short random secret goes into the keyring, never the data key; the key file
        gains a slot wrapping the data key under that secret.
        """
        key = self._require_data_key(data_key)
        username = self._keyring_username()
        secret = secrets.token_bytes(KEYRING_SECRET_LEN)
        text = base64.urlsafe_b64encode(secret).decode("ascii")
        try:
            keyring.set_password(KEYRING_SERVICE, username, text)
            stored_ok = keyring.get_password(KEYRING_SERVICE, username) == text
        except Exception:  # no backend, locked, refused: the caller simply says "not remembered"
            log.info("keyring refused the secret (vault %s)", self._doc.vault_id)
            return False
        if not stored_ok:
            self._delete_keyring_entry()
            return False
        try:
            self._save(self._doc.with_slot(_secret_slot(self._doc.vault_id, _KEYRING, secret, key)))
        except OSError:
            log.warning("could not write the key file (vault %s)", self._doc.vault_id)
            self._delete_keyring_entry()
            return False
        log.info("remembered in keyring (vault %s)", self._doc.vault_id)
        return True

    def _delete_keyring_entry(self) -> None:
        # Nothing stored, or no keyring: nothing more we can do.
        with contextlib.suppress(Exception):
            keyring.delete_password(KEYRING_SERVICE, self._keyring_username())

    def forget_keyring(self) -> None:
        """Stop remembering: drop the keyring slot from the file, then the keyring entry."""
        if self.has_keyring_slot():
            self._save(self._doc.without(_KEYRING, _KEYRING))
        self._delete_keyring_entry()
        log.info("keyring forgotten (vault %s)", self._doc.vault_id)
