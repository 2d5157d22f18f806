"""Per-file result cache for incremental rebuilds.

A file's result (a packed document or a Rejection, see `pipeline.process_file`) depends only on
its bytes and on the code, data and libraries that process it, so it is stored under sha256(raw
bytes) inside a folder named by the `code_version` fingerprint. Changing any .py/.yaml of the
package, the schema or a shaping library starts a new folder (older ones are deleted), so a stale
result can never be reused.

The entries live in one SQLite database per folder (WAL mode: readers never wait; each pool task
writes its entries in one short transaction). One file per entry cost ~1 ms apiece to create on
this machine's disk, a third of a file's whole processing time. A damaged or locked database only
makes a slower build: every failure is a miss.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import pickle
import re
import shutil
import sqlite3
import threading
from importlib import metadata
from pathlib import Path

from .schema import FIELDS_FILE

PACKAGE_DIR = Path(__file__).parent
# Libraries whose versions change per-file results.
_RESULT_LIBRARIES = ("opencc", "cnloc", "charset-normalizer", "pyyaml")


@functools.cache
def code_version() -> str:
    h = hashlib.sha256()
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in {".py", ".yaml"} and p.is_file())
    for p in [*files, FIELDS_FILE]:
        h.update(p.relative_to(PACKAGE_DIR.parent.parent).as_posix().encode())
        h.update(p.read_bytes())
    for lib in _RESULT_LIBRARIES:
        h.update(f"{lib}=={metadata.version(lib)}".encode())
    return h.hexdigest()[:16]


log = logging.getLogger(__name__)
_VERSION_NAME = re.compile(r"[0-9a-f]{16}")  # code_version()


@dataclasses.dataclass(frozen=True, slots=True)
class ResultCache:
    """Picklable handle (pool workers get a copy); each process opens its own connection."""

    root: Path
    version: str

    @property
    def folder(self) -> Path:
        return self.root / self.version

    @property
    def database(self) -> Path:
        return self.folder / "results.sqlite"

    def get(self, sha: str) -> object | None:
        try:
            row = _connection(self.database).execute("SELECT result FROM results WHERE sha = ?", (sha,)).fetchone()
            return None if row is None else pickle.loads(row[0])
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return None

    def put(self, sha: str, result: object) -> None:
        """Queue an entry; `flush` writes the queue (one transaction, not one per file)."""
        _PENDING.setdefault(str(self.database), []).append(
            (sha, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))

    def flush(self) -> None:
        pending = _PENDING.pop(str(self.database), [])
        if not pending:
            return
        try:
            with _connection(self.database) as db:  # commits, or rolls back on error
                db.executemany("INSERT OR REPLACE INTO results (sha, result) VALUES (?, ?)", pending)
        except sqlite3.Error as exc:
            if str(self.database) not in _WARNED:  # once per process, not once per task
                _WARNED.add(str(self.database))
                log.warning("result cache %s not updated (%s); delete the folder to start it afresh",
                            self.database.parent, exc)

    def __len__(self) -> int:
        return _connection(self.database).execute("SELECT count(*) FROM results").fetchone()[0]

    def prune_other_versions(self) -> None:
        if not self.root.is_dir():
            return
        # Only other versions' folders: the cache root is shared (the division tables live beside
        # them), and deleting a sibling under a running build made its workers fail.
        for child in self.root.iterdir():
            if child.is_dir() and child.name != self.version and _VERSION_NAME.fullmatch(child.name):
                shutil.rmtree(child, ignore_errors=True)


# This process's connections and queued entries, by database path. A connection is never used
# across a fork (SQLite forbids it): a forked pool worker opens its own; nor across threads (Python's
# sqlite3 refuses it): a thread reading texts between builds (watch mode) opens its own.
_CONNECTIONS: dict[tuple[str, int], tuple[int, sqlite3.Connection]] = {}
_PENDING: dict[str, list[tuple[str, bytes]]] = {}
_WARNED: set[str] = set()


def _connection(database: Path) -> sqlite3.Connection:
    key = (str(database), threading.get_ident())
    held = _CONNECTIONS.get(key)
    if held is not None and held[0] == os.getpid():
        return held[1]
    database.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(key[0], timeout=60)
    db.execute("PRAGMA page_size=16384")  # for a new database: entries are ~30 KB (4 KB pages read 3x slower)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # consistent after a crash; a lost last entry is a miss
    # A rowid table, so the key index is small and each blob sits in its own pages (with the blobs
    # in the key's b-tree, WITHOUT ROWID, reading 10k entries took 0.9 s instead of 0.25 s).
    db.execute("CREATE TABLE IF NOT EXISTS results (sha TEXT PRIMARY KEY, result BLOB NOT NULL)")
    db.commit()
    _CONNECTIONS[key] = (os.getpid(), db)
    return db
