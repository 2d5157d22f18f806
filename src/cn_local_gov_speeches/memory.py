"""Give freed heap memory back to the operating system between stages.

CPython and numpy free their objects, but glibc keeps the freed pages of its heap (the dedup
stage's arrays, the Python strings of a written row group) mapped, and Arrow's own allocator
(mimalloc) keeps the buffers of freed tables, so a long build's resident size would only ever grow.
`malloc_trim(0)` and the Arrow pool's `release_unused()` return them (the former only with glibc).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import pyarrow as pa


@functools.cache
def _malloc_trim() -> object | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def trim() -> None:
    pa.default_memory_pool().release_unused()
    fn = _malloc_trim()
    if fn is not None:
        fn(0)
