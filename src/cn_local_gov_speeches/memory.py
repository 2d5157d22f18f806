"""Give freed heap memory back to the operating system between stages.

CPython and numpy free their objects, but glibc keeps the freed pages of its heap (the dedup
stage's arrays, the Python strings of a written row group) mapped, and Arrow's own allocator
(mimalloc) keeps the buffers of freed tables, so a long build's resident size would only ever grow.
`malloc_trim(0)` and the Arrow pool's `release_unused()` return them (the former only with glibc).

glibc also raises its mmap threshold each time a large block is freed (up to 32 MiB), so after the
first row group the texts' buffers (~25 MB a column) come from the heap, where they fragment it:
`map_large_blocks` pins the threshold, and such blocks are mapped and unmapped whole (−118 MB at
the peak of a 10k build).
"""

from __future__ import annotations

import ctypes
import functools

import pyarrow as pa

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
LARGE_BLOCK = 1 << 20  # blocks from this size are mapped on their own


@functools.cache
def _libc_function(symbol: str) -> object | None:
    """A C library function, looked up among the symbols the process has loaded (`CDLL(None)`):
    `ctypes.util.find_library("c")` ran `ldconfig -p` in a subprocess (a fork of a large process and
    an exec, 1.5 ms on an idle machine) once per process and symbol, eight times in a build."""
    try:
        return getattr(ctypes.CDLL(None), symbol)
    except (OSError, AttributeError):  # not glibc
        return None


def map_large_blocks() -> None:
    """Serve blocks of LARGE_BLOCK bytes and more by their own mappings from now on, in this
    process and those it forks later (glibc only; elsewhere nothing changes)."""
    fn = _libc_function("mallopt")
    if fn is not None:
        fn(_M_MMAP_THRESHOLD, LARGE_BLOCK)


def trim() -> None:
    pa.default_memory_pool().release_unused()
    fn = _libc_function("malloc_trim")
    if fn is not None:
        fn(0)
