"""Sealing a data key to a slot's public key (X25519 + HKDF-SHA256 + AES-256-GCM).

Anyone holding the slot's *public* key can seal to it; only the slot's *private* key opens the
result. That is what lets a rekey hand the new data key to every remaining slot without any of
their passphrases (see :mod:`casebook.vault.keyvault`).

A sealed box is ``(ephemeral public key, nonce, ciphertext)``. The box key is
``HKDF-SHA256(X25519(ephemeral, slot), salt = ephemeral public || slot public)``; the
associated data binds the box to its casebook and slot.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PUBLIC_LEN = 32
PRIVATE_LEN = 32
NONCE_LEN = 12
_INFO = b"casebook-keys/v2 sealed data key"


class SealError(Exception):
    """A sealed box did not open with this private key (tampered, or not for this slot)."""


@dataclass(frozen=True, slots=True)
class Sealed:
    ephemeral: bytes  # 32-byte X25519 public key
    nonce: bytes
    ciphertext: bytes  # 32-byte data key + 16-byte GCM tag


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh ``(private, public)`` X25519 pair as raw bytes."""
    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def public_of(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def _box_key(shared: bytes, ephemeral: bytes, public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + public, info=_INFO
    ).derive(shared)


def seal(public: bytes, secret: bytes, aad: bytes) -> Sealed:
    """Encrypt ``secret`` so only the holder of ``public``'s private key can read it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    nonce = secrets.token_bytes(NONCE_LEN)
    box = AESGCM(_box_key(shared, ephemeral_public, public))
    return Sealed(ephemeral_public, nonce, box.encrypt(nonce, secret, aad))


def unseal(private: bytes, sealed: Sealed, aad: bytes) -> bytes:
    """Open a sealed box; raise :class:`SealError` if it was not sealed to this key."""
    key = X25519PrivateKey.from_private_bytes(private)
    public = key.public_key().public_bytes_raw()
    try:
        shared = key.exchange(X25519PublicKey.from_public_bytes(sealed.ephemeral))
        box = AESGCM(_box_key(shared, sealed.ephemeral, public))
        return box.decrypt(sealed.nonce, sealed.ciphertext, aad)
    except Exception as exc:  # InvalidTag, or a low-order ephemeral key (ValueError)
        raise SealError("sealed box did not open") from exc
