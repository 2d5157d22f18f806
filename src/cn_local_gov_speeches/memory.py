"""Give freed heap memory back to the operating system between stages.

CPython and numpy free their objects, but glibc keeps the freed pages of its heap (the dedup
stage's arrays and the tables of a written row group) mapped, so a long build's resident size would
only ever grow. `malloc_trim(0)` returns them. Elsewhere (no glibc) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim() -> object | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def trim() -> None:
    fn = _malloc_trim()
    if fn is not None:
        fn(0)
