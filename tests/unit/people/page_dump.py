"""Decrypt every page of a SQLCipher 4 file with its raw key (AES-256-CBC, the IV kept in each
page's reserved tail), so a test can search what is really on disk — free pages included."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from casebook.storage.engine import CIPHER_PAGE_SIZE

RESERVE = 80  # 16-byte IV + 64-byte HMAC-SHA512


def decrypted_pages(path: Path, key: bytes, page_size: int = CIPHER_PAGE_SIZE) -> bytes:
    data = path.read_bytes()
    out = bytearray()
    for index in range(0, len(data) - page_size + 1, page_size):
        # page 1 begins with the plain salt
        out += _decrypt_page(data[index:index + page_size], key, index == 0, page_size)
    return bytes(out)


def _decrypt_page(page: bytes, key: bytes, first: bool, page_size: int) -> bytes:
    start = 16 if first else 0
    iv = page[page_size - RESERVE:page_size - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start:page_size - RESERVE]) + decryptor.finalize()


def decrypted_wal(database: Path, key: bytes, page_size: int = CIPHER_PAGE_SIZE) -> bytes:
    """Every frame of the write-ahead log beside ``database``, decrypted (empty if none)."""
    wal = database.with_name(database.name + "-wal")
    if not wal.exists():
        return b""
    data = wal.read_bytes()
    out = bytearray()
    offset = 32  # WAL header
    while offset + 24 + page_size <= len(data):
        page_number = int.from_bytes(data[offset:offset + 4], "big")
        page = data[offset + 24:offset + 24 + page_size]
        out += _decrypt_page(page, key, page_number == 1, page_size)
        offset += 24 + page_size
    return bytes(out)


def everything(database: Path, key: bytes) -> bytes:
    """The decrypted pages of the database file and of its WAL."""
    return decrypted_pages(database, key) + decrypted_wal(database, key)
