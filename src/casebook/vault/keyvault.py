"""Key slots: the casebook's data key, reachable once per way in, and rekeyed on revoke.

The database is encrypted with a random 256-bit data key. That key is never stored as it is.
Each *slot* in the key file belongs to one way in - a user's passphrase (Argon2id), the
printed recovery key (HKDF), or a random secret kept in the operating system's keyring (HKDF) -
and the key derived from that secret (the slot's KEK) opens the slot.

Why slots hold key pairs (format 2)
-----------------------------------
Revoking someone must change the data key (``PRAGMA rekey``): otherwise the key they once
unwrapped, or an old copy of the key file, still opens the live database. After a rekey every
*remaining* slot needs the new key - but the person revoking knows only their own passphrase,
and anything we could "escrow" under the old data key would be readable by the revoked person
too. So each slot has its own X25519 key pair:

- the private key is stored wrapped (AES-256-GCM) under the slot's KEK;
- the public key is stored in clear;
- the data key is *sealed to the public key* (:mod:`casebook.vault.sealing`: ephemeral
  X25519, HKDF-SHA256, AES-256-GCM).

A rekey seals the new data key to every remaining public key - no passphrase needed - and the
revoked slot is simply left out. A revoked person's private key (from an old key file) opens
only the old sealed data key, which no longer opens the live database. Backups keep the key
file copied beside them, so they still open with the passphrases of the day they were made.

Crash safety of a rekey (the order, with :mod:`casebook.storage.rekey`):

1. ``begin_rekey`` writes the key file (atomically) with the revoked slot removed and every
   remaining slot holding *two* sealed keys: the new one (``sealed``) and the old one
   (``previous``, with ``previous_key_check``). From now on the live key file opens the
   database whichever key it is under, for remaining slots only.
2. The database is copied, the copy rekeyed and checked, then renamed over the live file (one
   atomic rename: the file is under the old key or the new, never half).
3. ``finish_rekey`` drops the ``previous`` boxes.

A crash anywhere leaves a key file that opens the database. An unlock that finds step 1's
state tries the new key, then the old one, and the opener finishes the rekey (roll forward).
An old-format slot (format 1: the data key wrapped directly under the KEK, no key pair) cannot
be given a new data key without its owner: it is upgraded the next time its owner unlocks with
it, and a rekey is refused while a remaining one is still old-format (except a remembered key on
this computer, which is dropped; it is re-made by ticking the box again).

The file format itself is described in :mod:`casebook.vault.keyfile`.

About wiping keys: Python cannot promise that a secret leaves memory. ``bytes`` objects are
immutable and the crypto libraries make their own copies. Callers who hold the data key for a
while should keep it in a ``bytearray`` (``bytearray(key)``), drop other references, and call
:func:`wipe` when locking; that zeroes our copy but not copies made elsewhere.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import filelock
import keyring
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casebook.domain.errors import (
    CasebookError,
    DamagedFileError,
    NotFoundError,
    TooManyAttemptsError,
    ValidationError,
    WrongKeyError,
)
from casebook.vault import kdf as _kdf
from casebook.vault import sealing
from casebook.vault.attempts import Attempts, legacy_path, read_legacy, wait_message
from casebook.vault.files import atomic_write_bytes, read_small_file
from casebook.vault.kdf import KdfParams
from casebook.vault.keyfile import (
    _KEYRING,
    _PASSPHRASE,
    _RECOVERY,
    DATA_KEY_LEN,
    MSG_DAMAGED,
    KeyBytes,
    _aad,
    _aad_private,
    _aad_sealed,
    _as_data_key,
    _check_user_id,
    _Document,
    _key_check,
    _make_slot,
    _Opened,
    _passphrase_slot,
    _secret_slot,
    _Slot,
    _split,
)
from casebook.vault.recovery import new_recovery_key, parse_recovery_key
from casebook.vault.strength import check_passphrase, normalise

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Casebook"
KEYRING_SECRET_LEN = 32  # 44 characters of base64: far below Windows' ~2.5 KB limit
MAX_KEY_FILE_BYTES = 1024 * 1024
#: How long an unlock waits for another one (another window, a script) to finish.
LOCK_WAIT_SECONDS = 120.0

MSG_MISSING = (
    "The key file for this casebook is missing, so it cannot be opened. "
    "Restore the casebook folder from a backup."
)
MSG_WRONG_PASSPHRASE = "That passphrase did not open this casebook. Check Caps Lock and try again."
MSG_WRONG_RECOVERY = "This recovery key does not open this casebook."
MSG_LOCK_BLOCKED = (
    "Casebook cannot check sign-ins for this casebook because {name} beside it is not a normal "
    "file. Ask your IT support to remove it, then try again."
)
MSG_LOCK_BUSY = (
    "Another sign-in to this casebook is still being checked. Try again in a moment."
)


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


# ---------------------------------------------------------------- the vault


class KeyVault:
    """The key file of one casebook. Every change is written to disk before it returns.

    Changes and unlock attempts run under an OS file lock (``<key file>.lock``) and re-read the
    file first, so two windows or a script working at once never undo each other's changes.
    """

    def __init__(
        self, path: Path, document: _Document, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self._doc = document
        self._clock = clock
        self._previous_key: bytes | None = None

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
        vault = cls(path, document, clock)
        vault._write(document)
        log.info("key file created (vault %s, user %s)", vault_id, user_id)
        return vault, data_key, recovery_text

    @staticmethod
    def _read(path: Path) -> _Document:
        try:
            raw = read_small_file(path, MAX_KEY_FILE_BYTES)
        except FileNotFoundError:
            raise NotFoundError(MSG_MISSING) from None
        except IsADirectoryError:
            raise DamagedFileError(MSG_DAMAGED) from None
        if raw is None:
            raise DamagedFileError(MSG_DAMAGED)
        document = _Document.parse(raw)
        if document.read_version < 2:
            document = replace(document, attempts=read_legacy(legacy_path(path)))
        return document

    @classmethod
    def load(cls, path: Path, *, clock: Callable[[], float] = time.time) -> KeyVault:
        """Read a key file. Raises NotFoundError, DamagedFileError or NewerVersionError."""
        path = Path(path)
        return cls(path, cls._read(path), clock)

    # ---- the lock and writing

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the key file's OS lock and work on a fresh read of the file."""
        lock = filelock.FileLock(str(self.lock_path), timeout=LOCK_WAIT_SECONDS, mode=0o600,
                                 thread_local=False)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise CasebookError(MSG_LOCK_BUSY) from None
        except OSError:
            log.warning("key-file lock cannot be taken (vault %s)", self._doc.vault_id)
            raise DamagedFileError(MSG_LOCK_BLOCKED.format(name=self.lock_path.name)) from None
        try:
            self._doc = self._read(self.path)
            yield
        finally:
            lock.release()

    def _write(self, document: _Document) -> None:
        atomic_write_bytes(self.path, document.to_bytes())
        self._doc = document
        with contextlib.suppress(OSError):  # format 1's side file, now folded in
            legacy_path(self.path).unlink(missing_ok=True)

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
        with contextlib.suppress(CasebookError):
            self._doc = self._read(self.path)
        return self._doc.attempts.seconds_to_wait(self._clock())

    def failed_attempts(self) -> int:
        """Consecutive failed unlocks recorded in the key file."""
        return self._doc.attempts.failures

    def same_data_key_as(self, other: KeyVault) -> bool:
        """True if both key files give the same data key (compared by key check, no secret)."""
        return hmac.compare_digest(self._doc.key_check, other._doc.key_check)

    def legacy_slots(self) -> list[tuple[str, str]]:
        """``(kind, id)`` of slots still in format 1 (upgraded when their owner next unlocks)."""
        return [(s.kind, s.slot_id) for s in self._doc.slots if s.legacy]

    def rekey_pending(self) -> bool:
        """True between :meth:`begin_rekey` and :meth:`finish_rekey` (say, after a crash)."""
        return self._doc.previous_key_check is not None

    def previous_key(self) -> bytes | None:
        """During an unfinished rekey: the old data key, as opened by the last unlock."""
        return self._previous_key if self.rekey_pending() else None

    # ---- unlocking

    def _open(self, slot: _Slot, material: bytes) -> _Opened | None:
        """Open a slot with its secret's KDF output; None if it is not this slot's secret.

        Raises DamagedFileError if the secret is right but the slot fails authentication.
        """
        wrap_key, check = _split(material)
        if not hmac.compare_digest(check, slot.check):
            return None
        doc = self._doc
        previous: bytes | None = None
        try:
            if slot.legacy:
                key = AESGCM(wrap_key).decrypt(
                    slot.nonce, slot.wrapped, _aad(doc.vault_id, slot.kind, slot.slot_id)
                )
            else:
                assert slot.sealed is not None
                private = AESGCM(wrap_key).decrypt(
                    slot.nonce, slot.wrapped, _aad_private(doc.vault_id, slot.kind, slot.slot_id)
                )
                aad = _aad_sealed(doc.vault_id, slot.kind, slot.slot_id)
                key = sealing.unseal(private, slot.sealed, aad)
                if slot.previous is not None and doc.previous_key_check is not None:
                    previous = sealing.unseal(private, slot.previous, aad)
        except (InvalidTag, sealing.SealError):
            # The secret is right (the check matched) but a box fails: tampering.
            log.warning("key slot failed authentication (vault %s)", doc.vault_id)
            raise DamagedFileError(MSG_DAMAGED) from None
        if len(key) != DATA_KEY_LEN or not hmac.compare_digest(
            _key_check(key, doc.vault_id), doc.key_check
        ):
            raise DamagedFileError(MSG_DAMAGED)
        if previous is not None and (
            doc.previous_key_check is None
            or not hmac.compare_digest(_key_check(previous, doc.vault_id),
                                       doc.previous_key_check)
        ):
            raise DamagedFileError(MSG_DAMAGED)
        return _Opened(slot, key, previous, wrap_key)

    def _open_passphrase_slot(self, slot: _Slot, passphrase: str) -> _Opened | None:
        assert slot.params is not None
        secret = normalise(passphrase).encode("utf-8")
        return self._open(slot, _kdf.argon2id(secret, slot.salt, slot.params))

    def _check_bounds(self, slots: list[_Slot]) -> None:
        """Refuse absurd stored KDF settings before deriving anything."""
        for slot in slots:
            if slot.params is not None:
                problem = _kdf.bounds_problem(slot.params)
                if problem is not None:
                    log.warning("key slot asks for too much (vault %s)", self._doc.vault_id)
                    raise DamagedFileError(problem)

    def _attempt(
        self, how: str, wrong: str, try_slots: Callable[[], _Opened | None], *,
        throttled: bool = True,
    ) -> _Opened | None:
        """One unlock attempt under the lock: pause check, derivation, record the outcome.

        ``wrong=""`` means a failure is not an attempt (the keyring) and returns None.
        """
        with self._locked():
            now = self._clock()
            if throttled:
                wait = self._doc.attempts.seconds_to_wait(now)
                if wait > 0:
                    raise TooManyAttemptsError(wait_message(wait), wait)
            opened = try_slots()
            if opened is None:
                if not throttled:
                    return None
                self._record(replace(self._doc, attempts=self._doc.attempts.after_failure(now)))
                log.info("unlock failed (vault %s)", self._doc.vault_id)
                raise WrongKeyError(wrong)
            document = self._doc
            if document.attempts != Attempts():
                document = replace(document, attempts=Attempts())
            if opened.slot.legacy:
                document = document.with_slot(self._upgraded(opened))
                log.info("key slot upgraded to format 2 (vault %s)", document.vault_id)
            if document is not self._doc:
                self._record(document)
            self._previous_key = opened.previous
            log.info("unlocked with %s (vault %s)", how, self._doc.vault_id)
            return opened

    def _record(self, document: _Document) -> None:
        """Write attempt state or an upgrade; a read-only folder must not stop an unlock."""
        try:
            self._write(document)
        except OSError:
            log.warning("could not update the key file (vault %s)", document.vault_id)

    def _upgraded(self, opened: _Opened) -> _Slot:
        slot = opened.slot
        return _make_slot(self._doc.vault_id, slot.kind, slot.slot_id, opened.wrap_key,
                          slot.check, slot.salt, slot.params, opened.key, opened.previous)

    def unlock_with_passphrase(self, user_id: str, passphrase: str) -> bytes:
        """The data key, or WrongKeyError / TooManyAttemptsError (checked before any KDF)."""

        def try_slots() -> _Opened | None:
            slot = self._doc.find(_PASSPHRASE, user_id) if isinstance(user_id, str) else None
            if slot is None:
                return None
            self._check_bounds([slot])
            return self._open_passphrase_slot(slot, passphrase)

        opened = self._attempt("passphrase", MSG_WRONG_PASSPHRASE, try_slots)
        assert opened is not None
        return opened.key

    def unlock_any_passphrase(self, passphrase: str) -> tuple[str, bytes]:
        """Try the passphrase against every user's slot; return ``(user_id, data_key)``.

        Costs one Argon2 derivation per user tried (about 0.5 s each). Counts as one attempt.
        """

        def try_slots() -> _Opened | None:
            slots = [s for s in self._doc.slots if s.kind == _PASSPHRASE]
            self._check_bounds(slots)
            for slot in slots:
                opened = self._open_passphrase_slot(slot, passphrase)
                if opened is not None:
                    return opened
            return None

        opened = self._attempt("passphrase", MSG_WRONG_PASSPHRASE, try_slots)
        assert opened is not None
        return opened.slot.slot_id, opened.key

    def unlock_with_recovery_key(self, text: str) -> bytes:
        """The data key from the typed recovery key.

        A typing mistake (caught by the check group) raises ValidationError and is not counted
        as a failed attempt: it cannot be a guess at a real key. A well-formed key that is not
        this casebook's raises WrongKeyError.
        """
        secret = parse_recovery_key(text)

        def try_slots() -> _Opened | None:
            slot = self._doc.find(_RECOVERY, _RECOVERY)
            return self._open(slot, _kdf.hkdf(secret, slot.salt)) if slot is not None else None

        opened = self._attempt("recovery key", MSG_WRONG_RECOVERY, try_slots)
        assert opened is not None
        return opened.key

    def _keyring_username(self) -> str:
        return f"vault-{self._doc.vault_id}"

    def _keyring_secret(self) -> bytes | None:
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
        return secret if len(secret) == KEYRING_SECRET_LEN else None

    def unlock_with_keyring(self) -> bytes | None:
        """The data key via the OS keyring, or None: then ask for the passphrase.

        Any keyring trouble (no backend, locked, an error, nothing stored, a stale secret)
        gives None. Not subject to the attempt pause: the keyring secret cannot be guessed.
        Raises DamagedFileError only if the keyring secret is right but the slot was altered.
        """
        if self._doc.find(_KEYRING, _KEYRING) is None:
            return None
        secret = self._keyring_secret()
        if secret is None:
            return None

        def try_slots() -> _Opened | None:
            slot = self._doc.find(_KEYRING, _KEYRING)
            if slot is None:
                return None
            opened = self._open(slot, _kdf.hkdf(secret, slot.salt))
            if opened is None:
                log.info("keyring secret is stale (vault %s)", self._doc.vault_id)
            return opened

        opened = self._attempt("keyring", "", try_slots, throttled=False)
        return opened.key if opened is not None else None

    # ---- changing slots (only the key file changes; the database is not re-encrypted)

    def _require_data_key(self, data_key: KeyBytes) -> bytes:
        key = _as_data_key(data_key)
        if not hmac.compare_digest(_key_check(key, self._doc.vault_id), self._doc.key_check):
            raise ValueError("this data key does not belong to this casebook")
        return key

    def _passphrase_slot_or_raise(self, user_id: str) -> _Slot:
        slot = self._doc.find(_PASSPHRASE, user_id)
        if slot is None:
            raise NotFoundError("This person does not have a passphrase for this casebook.")
        return slot

    def _pending_previous(self) -> bytes | None:
        """A slot made during an unfinished rekey must open the old key too."""
        return self._previous_key if self.rekey_pending() else None

    def add_passphrase_slot(
        self,
        data_key: KeyBytes,
        user_id: str,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        """Give a user their own passphrase. ValidationError if weak or already present."""
        _check_user_id(user_id)
        check_passphrase(passphrase)
        params = kdf if kdf is not None else _kdf.default_params()
        _kdf.check_new_params(params)
        with self._locked():
            key = self._require_data_key(data_key)
            if self._doc.find(_PASSPHRASE, user_id) is not None:
                raise ValidationError(
                    "This person already has a passphrase for this casebook; change it instead."
                )
            slot = _passphrase_slot(self._doc.vault_id, user_id, passphrase, params, key,
                                    self._pending_previous())
            self._write(self._doc.with_slot(slot))
        log.info("passphrase slot added (vault %s, user %s)", self._doc.vault_id, user_id)

    def change_passphrase(
        self,
        data_key: KeyBytes,
        user_id: str,
        new_passphrase: str,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        """Replace a user's passphrase (new salt, new key pair, today's KDF cost)."""
        check_passphrase(new_passphrase)
        params = kdf if kdf is not None else _kdf.default_params()
        _kdf.check_new_params(params)
        with self._locked():
            key = self._require_data_key(data_key)
            self._passphrase_slot_or_raise(user_id)
            slot = _passphrase_slot(self._doc.vault_id, user_id, new_passphrase, params, key,
                                    self._pending_previous())
            self._write(self._doc.with_slot(slot))
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
        with self._locked():
            self._require_data_key(key)
            slot = _passphrase_slot(self._doc.vault_id, user_id, passphrase, target, key,
                                    self._pending_previous())
            self._write(self._doc.with_slot(slot))
        log.info("passphrase slot upgraded (vault %s, user %s)", self._doc.vault_id, user_id)
        return True

    # ---- rekeying (revoke, new recovery key): see the module docstring for the order

    def rekey_blockers(self, *, removing: str | None = None,
                       replacing_recovery: bool = False) -> list[tuple[str, str]]:
        """Old-format slots that would be locked out by a rekey: ``(kind, id)`` pairs.

        A remembered key on this computer is never a blocker (it is dropped and re-made).
        Reads the file afresh: its owner may have signed in (and upgraded it) elsewhere.
        """
        with contextlib.suppress(CasebookError, OSError):
            self._doc = self._read(self.path)
        out = []
        for kind, slot_id in self.legacy_slots():
            if kind == _PASSPHRASE and slot_id == removing:
                continue
            if kind == _KEYRING or (kind == _RECOVERY and replacing_recovery):
                continue
            out.append((kind, slot_id))
        return out

    def begin_rekey(
        self,
        data_key: KeyBytes,
        new_key: KeyBytes,
        *,
        remove_user: str | None = None,
        recovery_secret: bytes | None = None,
    ) -> None:
        """Step 1 of a rekey: remaining slots get the new key *and* keep the old one.

        ``remove_user`` loses their slot (and the remembered key on this computer is dropped);
        ``recovery_secret`` (from
        :func:`casebook.vault.recovery.new_recovery_key`) replaces the recovery slot. Raises
        ValidationError if an old-format slot would be locked out (see :meth:`rekey_blockers`).
        """
        old = _as_data_key(data_key)
        new = _as_data_key(new_key)
        if remove_user is not None:
            _check_user_id(remove_user)
        with self._locked():
            doc = self._doc
            if doc.previous_key_check is not None:
                raise ValueError("a rekey is already in progress; finish it first")
            self._require_data_key(old)
            if remove_user is not None:
                self._passphrase_slot_or_raise(remove_user)
                if len(self.user_ids()) <= 1:
                    raise ValidationError(
                        "This is the only passphrase left for this casebook, so it cannot be "
                        "removed. Add another person's passphrase first."
                    )
            if self.rekey_blockers(removing=remove_user,
                                   replacing_recovery=recovery_secret is not None):
                raise ValidationError(
                    "Some people have not signed in since Casebook was updated, so their "
                    "access cannot be moved to the new key yet."
                )
            slots: list[_Slot] = []
            for slot in doc.slots:
                if slot.kind == _PASSPHRASE and slot.slot_id == remove_user:
                    continue
                if slot.kind == _RECOVERY and recovery_secret is not None:
                    slots.append(_secret_slot(doc.vault_id, _RECOVERY, recovery_secret, new, old))
                    continue
                if slot.kind == _KEYRING and (slot.legacy or remove_user is not None):
                    # An old-format one cannot be moved. And after a revoke, a secret that
                    # anyone signed in to this computer account could read must not open the
                    # new key: the remembered key is dropped (forget_keyring clears the
                    # keyring entry); it is re-made by ticking the box again.
                    continue
                assert slot.public is not None
                aad = _aad_sealed(doc.vault_id, slot.kind, slot.slot_id)
                slots.append(replace(slot, sealed=sealing.seal(slot.public, new, aad),
                                     previous=sealing.seal(slot.public, old, aad)))
            if recovery_secret is not None and doc.find(_RECOVERY, _RECOVERY) is None:
                slots.append(_secret_slot(doc.vault_id, _RECOVERY, recovery_secret, new, old))
            self._write(replace(
                doc, slots=tuple(slots), key_check=_key_check(new, doc.vault_id),
                previous_key_check=_key_check(old, doc.vault_id),
            ))
            self._previous_key = old
        log.info("rekey begun (vault %s)", self._doc.vault_id)

    def finish_rekey(self) -> None:
        """Step 3: drop the old key's boxes. Call once the database opens with the new key."""
        with self._locked():
            doc = self._doc
            if doc.previous_key_check is None:
                return
            slots = tuple(replace(s, previous=None) for s in doc.slots)
            self._write(replace(doc, slots=slots, previous_key_check=None))
            self._previous_key = None
        log.info("rekey finished (vault %s)", self._doc.vault_id)

    def cancel_rekey(self, before: KeyVault) -> None:
        """Undo step 1 when the database was *not* switched: put back ``before``'s slots.

        ``before`` is a :meth:`snapshot` taken before :meth:`begin_rekey`.
        """
        with self._locked():
            self._write(replace(before._doc, attempts=self._doc.attempts))
            self._previous_key = None
        log.info("rekey cancelled (vault %s)", self._doc.vault_id)

    def snapshot(self) -> KeyVault:
        """An in-memory copy of this key file as it is now (for :meth:`cancel_rekey`)."""
        return KeyVault(self.path, self._doc, self._clock)

    # ---- this computer

    def remember_in_keyring(self, data_key: KeyBytes) -> bool:
        """Remember on this computer. False (and no file change) if the keyring fails.

        Only a short random secret goes into the keyring, never the data key; the key file
        gains a slot whose private key is wrapped under that secret.
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
            with self._locked():
                key = self._require_data_key(key)
                slot = _secret_slot(self._doc.vault_id, _KEYRING, secret, key,
                                    self._pending_previous())
                self._write(self._doc.with_slot(slot))
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
            with self._locked():
                if self.has_keyring_slot():
                    self._write(self._doc.without(_KEYRING, _KEYRING))
        self._delete_keyring_entry()
        log.info("keyring forgotten (vault %s)", self._doc.vault_id)
