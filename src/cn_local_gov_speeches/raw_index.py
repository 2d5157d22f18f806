"""Which raw files are unchanged since the last build, told from their stat alone (as git's index).

A file whose size, modification and change times, inode and device are those recorded has the
recorded SHA-256, so its per-file result is taken from the cache without reading or hashing it.
Any write to a file changes its ctime, which no user can set back, so an edited file is always read
again. Files changed in the last seconds before a build are not recorded (git's "racy" entries): a
later write within the clock's granularity could leave their stat unchanged.

One pickle per raw folder, in the cache folder (outside the per-version folders: a file's hash does
not depend on the code). A damaged or missing index only makes a slower build.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import time
from pathlib import Path

log = logging.getLogger(__name__)

Stat = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
_RACY_NS = 3_000_000_000  # files changed this close to the listing are hashed again next time


def stat_key(st: os.stat_result) -> Stat:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def index_path(cache_dir: Path, raw_dir: Path) -> Path:
    name = hashlib.sha256(str(raw_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / "raw-index" / f"{name}.pickle"


def load(path: Path) -> dict[str, tuple[Stat, str]]:
    """rel path -> (stat, sha256) as recorded by the last build of that raw folder."""
    try:
        with path.open("rb") as f:
            index = pickle.load(f)
        return index if isinstance(index, dict) else {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return {}


def save(path: Path, entries: dict[str, tuple[Stat, str]], listed_ns: int) -> None:
    """Record the files' stat and hash, but not those changed within seconds of `listed_ns`
    (`time.time_ns()` when the files were listed)."""
    steady = {rel: (st, sha) for rel, (st, sha) in entries.items()
              if max(st[1], st[2]) < listed_ns - _RACY_NS}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        with tmp.open("wb") as f:
            pickle.dump(steady, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("raw-file index %s not updated (%s)", path, exc)


def now_ns() -> int:
    return time.time_ns()
