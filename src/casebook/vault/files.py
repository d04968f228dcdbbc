"""Atomic, durable replacement of small files (the key-slot and attempts files).

The writing itself is :mod:`casebook.fileio`'s, the one atomic writer every file goes through.
"""

from __future__ import annotations

from pathlib import Path

from casebook import fileio


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file (0600)."""
    fileio.atomic_write_bytes(path, data)


def read_small_file(path: Path, limit: int) -> bytes | None:
    """Read at most ``limit`` bytes; ``None`` if the file is larger (not one of ours)."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data
