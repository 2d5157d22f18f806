"""Published row groups kept between builds: a rebuild reuses a group's Parquet file and its
validation instead of making, validating and writing the group again.

A group's file is a pure function of its key: the config, every value of its rows (the small
columns, and the raw file's SHA-256, which with the code decides the texts), the code version and
the versions of the libraries that shape the bytes. So a kept file is byte for byte the one a clean
build would write. Entries are kept only once their build's validation passed, so a hit is also a
passed validation of every row-level expectation (the whole-column ones run on every build).

Each entry is a hard link to the published file (no copy) and a JSON note of its row count, Arrow
size and SHA-256, in `tables/` inside the per-file cache's version folder (a code change starts
afresh). A file is hashed before it is reused, so one changed in place in dist/ is not reused; the
hash goes to SHA256SUMS. Each build keeps only the entries it used or wrote.

Every row-level expectation holds row by row, so the rows themselves are kept too: a passed build
notes each of its rows in `validated-rows.bin` (under the same salt), and a group made afresh is
validated only on the rows no passed build had. A row is noted in its two parts (`record.ROW_PARTS`):
the digest of its per-file columns under its config's expectations on them, and the same for the
columns dedup assigns. An added file then costs the checkers its own row's per-file part (checked
while dedup runs, see `pending` and `note_checked`), and the dedup part of its row and of the rows
whose duplicate assignment it changed; not its whole group. Documents and canonical check their
per-file columns alike, so a row checked in one needs no check of that part in the other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import session
from .record import DEDUP_FIELDS, ROW_PARTS, TEXT_FIELDS, Document

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeptGroup:
    """What the build needs of a reused file, without opening it."""

    num_rows: int
    nbytes: int  # the Arrow table's size (the card's dataset_info)
    sha256: str


def file_sha256(path: Path) -> str:
    """Streamed: a Parquet file can be larger than the memory budget."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# A long-running process (`session.KEEP`) hashes a kept file once while its inode, size and mtime
# stay (linking it into the next dist/ changes its ctime, so ctime cannot be part of the key).
_HASHED: dict[tuple[int, int, int, int], str] = {}


def _stat_key(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _note_sha256(key: tuple[int, int, int, int], sha: str) -> str:
    """Remember a kept file's SHA-256 by its `_stat_key`."""
    if len(_HASHED) > 100_000:
        _HASHED.clear()
    _HASHED[key] = sha
    return sha


def _kept_sha256(path: Path) -> str:
    """The SHA-256 of a kept file (the same inode as the dist/ file linked to it)."""
    if not session.KEEP:
        return file_sha256(path)
    key = _stat_key(path)
    return _HASHED.get(key) or _note_sha256(key, file_sha256(path))


# doc_id -> (the document, its parts' digests), kept by a long-running process (`session.KEEP`): the
# object itself is kept, so the same object in a later build (unchanged documents are reused, see
# `pipeline._assigned`) is not hashed again.
_DIGESTS: dict[str, tuple[Document, tuple[bytes, bytes]]] = {}
# (salt, config, first doc_id) -> (the group's rows, its key, its row keys), kept by a long-running
# process: a group of the same row objects (unchanged documents are reused) has the same key.
_GROUP_KEYS: dict[tuple[bytes, str, str], tuple[list[Document], str, list[bytes]]] = {}
# (salt, the validated row keys) of a long-running process's last passed build: not read again.
_VALIDATED: list[tuple[bytes, frozenset[bytes]]] = []
_VALIDATED_FILE = "validated-rows.bin"
_TAG = 4  # bytes of a row key naming the expectations it passed
_ROW_KEY = _TAG + 16  # ... and of the digest of the values they looked at


_FILE_FIELDS = tuple(f for f in Document.__slots__ if f not in TEXT_FIELDS and f not in DEDUP_FIELDS)


def _part_digests(doc: Document) -> tuple[bytes, bytes]:
    """The digests of a row's parts, in `ROW_PARTS` order: of its per-file columns (with the raw
    file's SHA-256, which with the code decides the texts) and of its dedup columns."""
    file = (doc.source_sha256, *(getattr(doc, f) for f in _FILE_FIELDS))
    dedup = tuple(getattr(doc, f) for f in DEDUP_FIELDS)
    return (hashlib.sha256(pickle.dumps(file, protocol=5)).digest(),
            hashlib.sha256(pickle.dumps(dedup, protocol=5)).digest())


class TableCache:
    def __init__(self, folder: Path, salt: str, parts: dict[str, dict[str, list[dict]]]) -> None:
        """`parts`: per config, the expectations of each part of a row that has any
        (`validate.part_specs`); a row key's tag is their hash."""
        self.folder = folder
        self._salt = salt.encode()
        # Per config, (part, its position in a row's digests, its tag) for each part with expectations.
        self._tags = {config: [(part, ROW_PARTS.index(part), _spec_tag(spec)) for part, spec in specs.items()]
                      for config, specs in parts.items()}
        self._digests: dict[str, tuple[Document, tuple[bytes, bytes]]] = {}  # this build's, when no process-wide one
        self._used: set[str] = set()
        self._written: dict[str, tuple[Path, int, int]] = {}  # key -> (published file, rows, Arrow bytes)
        self._row_salt = hashlib.sha256(self._salt).digest()  # heads validated-rows.bin
        self._seen: set[bytes] = set()  # this build's row keys (every row of every config)
        self._validated: frozenset[bytes] | None = None  # earlier passed builds', read on first use
        self._checking: list[tuple[list[bytes], Callable[[], bool]]] = []  # see `note_checked`
        self._checked: set[bytes] = set()  # ... the keys whose check passed

    def _row_digests(self, doc: Document) -> tuple[bytes, bytes]:
        known = _DIGESTS if session.KEEP else self._digests
        last = known.get(doc.doc_id)
        if last is not None and last[0] is doc:
            return last[1]
        digests = _part_digests(doc)
        known[doc.doc_id] = (doc, digests)
        return digests

    def key(self, config: str, rows: Sequence[Document]) -> str:
        memo = (self._salt, config, rows[0].doc_id) if session.KEEP and rows else None
        last = _GROUP_KEYS.get(memo) if memo else None
        if last is not None and len(last[0]) == len(rows) and all(a is b for a, b in zip(last[0], rows, strict=True)):
            key, row_keys = last[1], last[2]
        else:
            h = hashlib.sha256(self._salt + b"\0" + config.encode() + b"\0")
            digests = [self._row_digests(d) for d in rows]
            for file, dedup in digests:
                h.update(file)
                h.update(dedup)
            key = h.hexdigest()
            row_keys = [_row_key(tag, d[i]) for _, i, tag in self._tags[config] for d in digests]
            if memo:
                if len(_GROUP_KEYS) > 100_000:
                    _GROUP_KEYS.clear()
                _GROUP_KEYS[memo] = (list(rows), key, row_keys)
        self._seen.update(row_keys)
        self._seen.add(_schema_key(config))
        return key

    def unvalidated(self, config: str, rows: Sequence[Document]) -> dict[str, list[int]]:
        """Per part with expectations, the positions of the `rows` whose part no earlier passed build
        validated (all of them, if none did) and no `note_checked` check passed."""
        known, checked = self._known_valid(), self._passed_checks()
        digests = [self._row_digests(d) for d in rows]
        out = {}
        for part, i, tag in self._tags[config]:
            keys = [_row_key(tag, d[i]) for d in digests]
            out[part] = [k for k, key in enumerate(keys) if key not in known and key not in checked]
        return out

    def pending(self, config: str, rows: Sequence[Document], part: str) -> tuple[list[int], list[bytes]]:
        """The positions and keys of the `rows` whose `part` no earlier passed build validated. For
        rows not yet final (before dedup): their digests are not kept."""
        known = self._known_valid()
        for name, i, tag in self._tags[config]:
            if name == part:
                keys = [_row_key(tag, _part_digests(d)[i]) for d in rows]
                fresh = [k for k, key in enumerate(keys) if key not in known]
                return fresh, [keys[k] for k in fresh]
        return [], []

    def note_checked(self, keys: list[bytes], passed: Callable[[], bool]) -> None:
        """`keys` (from `pending`) are being checked: once `passed()`, rows with those keys need no
        check in this build. Asked only when `unvalidated` is called."""
        self._checking.append((keys, passed))

    def _passed_checks(self) -> set[bytes]:
        while self._checking:
            keys, passed = self._checking.pop()
            if passed():
                self._checked.update(keys)
        return self._checked

    def schema_validated(self, config: str) -> bool:
        """Whether an earlier passed build checked `config`'s schema-level expectations (the same salt
        means the same code, hence the same schema)."""
        return _schema_key(config) in self._known_valid()

    def _known_valid(self) -> frozenset[bytes]:
        if self._validated is None:
            if session.KEEP and _VALIDATED and _VALIDATED[0][0] == self._row_salt:
                self._validated = _VALIDATED[0][1]
            else:
                self._validated = _read_row_keys(self.folder / _VALIDATED_FILE, self._row_salt)
        return self._validated

    def take(self, key: str, dest: Path) -> KeptGroup | None:
        """Put the kept file for `key` at `dest` (a hard link, else a copy); None when there is none
        or it changed since it was kept (then nothing is left at `dest`)."""
        note, kept = self.folder / f"{key}.json", self.folder / f"{key}.parquet"
        try:
            entry = KeptGroup(**json.loads(note.read_text()))
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(kept, dest)
            except OSError:  # another file system, or links not allowed: copy
                shutil.copyfile(kept, dest)
            if _kept_sha256(kept) != entry.sha256:
                log.warning("kept table %s changed since it was written; making it afresh", kept)
                dest.unlink()
                return None
        except (OSError, ValueError, TypeError):
            dest.unlink(missing_ok=True)
            return None
        self._used.add(key)
        return entry

    def remember(self, key: str, published: Path, num_rows: int, nbytes: int) -> None:
        """A file this build wrote; kept by `commit` (call it only once validation has passed)."""
        self._written[key] = (published, num_rows, nbytes)

    def commit(self, known: dict[Path, str] | None = None) -> None:
        """Keep this build's new files; drop entries it did not use (`known`: the files' SHA-256 by
        path, taken as they were written; a file not in it is hashed here)."""
        known = known or {}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for key, (published, num_rows, nbytes) in self._written.items():
                sha = known.get(published) or file_sha256(published)
                tmp = self.folder / f".{key}.parquet.tmp-{os.getpid()}"
                tmp.unlink(missing_ok=True)
                try:
                    os.link(published, tmp)
                except OSError:
                    shutil.copyfile(published, tmp)
                os.replace(tmp, self.folder / f"{key}.parquet")
                if session.KEEP:  # hashed just now: the process's next build need not read it again
                    _note_sha256(_stat_key(self.folder / f"{key}.parquet"), sha)
                note = {"num_rows": num_rows, "nbytes": nbytes, "sha256": sha}
                tmp_note = self.folder / f".{key}.json.tmp-{os.getpid()}"
                tmp_note.write_text(json.dumps(note))
                os.replace(tmp_note, self.folder / f"{key}.json")  # last: a note means a whole file
            keep = self._used | set(self._written)
            for p in self.folder.iterdir():
                if p.name != _VALIDATED_FILE and (p.name.split(".")[0] not in keep or p.name.startswith(".")):
                    p.unlink(missing_ok=True)
        except OSError as exc:  # the cache only saves time: the build goes on without it
            log.warning("kept tables in %s not updated (%s)", self.folder, exc)

    def note_validated(self) -> None:
        """Note this build's rows as validated (call it once validation has passed): exactly its rows,
        so the note stays the size of one corpus and a row edited away is dropped. It needs no written
        file: a build calls it while its last files are still being written, before `commit`."""
        seen = frozenset(self._seen)
        if session.KEEP:
            _VALIDATED[:] = [(self._row_salt, seen)]
        if seen == self._validated:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{_VALIDATED_FILE}.tmp-{os.getpid()}"
            tmp.write_bytes(self._row_salt + b"".join(sorted(seen)))
            os.replace(tmp, self.folder / _VALIDATED_FILE)
        except OSError as exc:  # only time is lost: the next build checks these rows again
            log.warning("validated rows in %s not noted (%s)", self.folder, exc)


def _spec_tag(spec: list[dict]) -> bytes:
    """The tag of a part's row keys: its expectations' hash (a changed suite checks the rows again)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).digest()[:_TAG]


def _row_key(tag: bytes, digest: bytes) -> bytes:
    """A row part's key in validated-rows.bin: its expectations' tag and the head of its digest."""
    return tag + digest[: _ROW_KEY - _TAG]


def _schema_key(config: str) -> bytes:
    """The key noting that `config`'s schema-level checks passed (no row digest is all zeros)."""
    return hashlib.sha256(config.encode()).digest()[:_TAG] + bytes(_ROW_KEY - _TAG)


def _read_row_keys(path: Path, salt: bytes) -> frozenset[bytes]:
    """The row keys a passed build noted under `salt`; none when the file is missing, from another
    salt or damaged (then every row is validated)."""
    try:
        data = path.read_bytes()
    except OSError:
        return frozenset()
    body = memoryview(data)[len(salt):]
    if data[: len(salt)] != salt or len(body) % _ROW_KEY:
        return frozenset()
    return frozenset(bytes(body[i : i + _ROW_KEY]) for i in range(0, len(body), _ROW_KEY))


def cache_salt(code_version: str, libraries: dict[str, str], corpus: str, settings: dict[str, object]) -> str:
    """What besides its rows decides a group file's bytes."""
    return json.dumps({"code": code_version, "libraries": libraries, "corpus": corpus, "settings": settings},
                      sort_keys=True)
