"""Handing memory back to the operating system after a big job (a PDF export).

CPython returns its own small-object arenas once they are empty, but larger blocks (image
pixels, PDF buffers, any bytes object over 512 bytes) come from the C library's ``malloc``.
glibc keeps freed blocks in its heaps for reuse, and once a large block has been freed it raises
its mmap threshold (up to 32 MiB), so later picture-sized blocks come from the heap as well and
stay with the process after they are freed. ``malloc_trim(0)`` gives every free page of every
heap back: after exporting the biggest demo case and a 50-screenshot platform pack the process
drops back close to where it was before the export (numbers in bench/README.md).

Windows: there is nothing to call. The process heap hands blocks above its VirtualAlloc
threshold (about 1 MiB on 64-bit Windows) straight back when they are freed, and decommits free
pages of its segments beyond a small threshold on its own; CPython's arenas are VirtualFree'd
when empty. So :func:`hand_back_memory` does nothing there (and on macOS); that path is not
measured on this project's Linux bench.

No garbage collection happens here: the app collects on the GUI thread only
(``ui/kit/collector.py``) and exports run on the database thread.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import time
from collections.abc import Callable
from functools import cache

__all__ = ["hand_back_memory", "hand_backs"]

log = logging.getLogger(__name__)

_count = 0


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (Windows, macOS, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the running program's C library
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def hand_back_memory() -> bool:
    """Give the C heap's free pages back to the OS; False where there is no such call.

    Safe on any thread and cheap when little is free (a few ms after a 50-picture export).
    """
    global _count
    _count += 1
    trim = _malloc_trim()
    if trim is None:
        return False
    start = time.perf_counter()
    trim(0)
    log.debug("memory handed back in %.1f ms", (time.perf_counter() - start) * 1000)
    return True


def hand_backs() -> int:
    """How many times :func:`hand_back_memory` has run in this process (for tests)."""
    return _count
