"""Which raw files are unchanged since the last build, told from their stat alone (as git's index).

A file whose size, modification and change times, inode and device are those recorded has the
recorded per-file result (a document without its texts, or a rejection), so the build takes it
without reading the file, hashing it or looking it up in the result cache; the texts are read
from the result cache only if a later stage needs them.
Any write to a file changes its ctime, which no user can set back, so an edited file is always read
again. Files changed in the last second before a build are not recorded (git's "racy" entries): a
later write within the clock's granularity could leave their stat unchanged.

One pickle per raw folder, in the per-file cache's version folder (a code change starts afresh). A
damaged or missing index only makes a slower build.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from pathlib import Path

from . import session

log = logging.getLogger(__name__)

Stat = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
Entry = tuple[Stat, object]  # (stat, the file's per-file result: a Document without texts or a Rejection)
# A file changed within one timestamp tick of its recorded stat could change again without changing
# it. Linux stamps files with a clock of a few ms; 1 s also covers file systems with 1 s resolution.
_RACY_NS = 1_000_000_000


def stat_key(st: os.stat_result) -> Stat:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def index_path(version_folder: Path, raw_dir: Path) -> Path:
    name = hashlib.sha256(str(raw_dir.resolve()).encode()).hexdigest()[:16]
    return version_folder / f"raw-index-{name}.pickle"


# The last index a long-running process saved, by path: (the file's stat once written, the entries).
# Its next build takes them from here instead of unpickling the file.
_MEMO: dict[str, tuple[Stat | None, dict[str, Entry]]] = {}
_WRITERS: list[threading.Thread] = []
# A long-running process (`session.KEEP`) leaves index files to `write_pending`, which writes them
# in a thread once a build is done, instead of pickling ~10k documents while the build goes on.
_PENDING: dict[str, dict[str, Entry]] = {}


def write_pending() -> None:
    """Write the indexes saved since the last call, in a thread."""
    wait()  # one writer at a time
    pending = list(_PENDING.items())
    _PENDING.clear()
    if pending:
        _WRITERS.append(threading.Thread(target=lambda: [_write(Path(p), e) for p, e in pending], name="raw-index"))
        _WRITERS[-1].start()


def wait() -> None:
    """Until every index write started by `write_pending` is done."""
    while _WRITERS:
        _WRITERS.pop().join()


def load(path: Path) -> dict[str, Entry]:
    """rel path -> (stat, per-file result) as recorded by the last build of that raw folder."""
    memo = _MEMO.get(str(path))
    try:
        if memo is not None and memo[0] in (None, stat_key(path.stat())):  # None: being written by us
            return memo[1]
        with path.open("rb") as f:
            index = pickle.load(f)
        return index if isinstance(index, dict) else {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return {}


def save(path: Path, entries: dict[str, Entry], listed_ns: int) -> None:
    """Record the files' stat and result, but not those changed within a second of `listed_ns`
    (`time.time_ns()` when the files were listed)."""
    before = listed_ns - _RACY_NS
    steady = {rel: entry for rel, entry in entries.items() if entry[0][1] < before and entry[0][2] < before}
    if session.KEEP:
        _MEMO[str(path)] = (None, steady)
        _PENDING[str(path)] = steady
    else:
        _write(path, steady)


def _write(path: Path, steady: dict[str, Entry]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        with tmp.open("wb") as f:
            pickle.dump(steady, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        if _MEMO.get(str(path), (None, None))[1] is steady:
            _MEMO[str(path)] = (stat_key(path.stat()), steady)
    except OSError as exc:
        _MEMO.pop(str(path), None)
        log.warning("raw-file index %s not updated (%s)", path, exc)

