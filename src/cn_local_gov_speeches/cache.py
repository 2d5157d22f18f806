"""Per-file result cache for incremental rebuilds.

A file's result (a packed document or a Rejection, see `pipeline.process_file`) depends only on
its bytes and on the code, data and libraries that process it, so it is stored under sha256(raw
bytes) inside a folder named by the `code_version` fingerprint. Changing any .py/.yaml of the
package, the schema or a shaping library starts a new folder (older ones are deleted), so a stale
result can never be reused.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import re
import shutil
import tempfile
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


_VERSION_NAME = re.compile(r"[0-9a-f]{16}")  # code_version()


@dataclasses.dataclass(frozen=True, slots=True)
class ResultCache:
    root: Path
    version: str

    @property
    def folder(self) -> Path:
        return self.root / self.version

    def _path(self, sha: str) -> Path:
        return self.folder / sha[:2] / f"{sha}.pkl"

    def get(self, sha: str) -> object | None:
        try:
            return pickle.loads(self._path(sha).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return None

    def put(self, sha: str, result: object) -> None:
        path = self._path(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a killed build never leaves a torn entry

    def prune_other_versions(self) -> None:
        if not self.root.is_dir():
            return
        # Only other versions' folders: the cache root is shared (the division tables live beside
        # them), and deleting a sibling under a running build made its workers fail.
        for child in self.root.iterdir():
            if child.is_dir() and child.name != self.version and _VERSION_NAME.fullmatch(child.name):
                shutil.rmtree(child, ignore_errors=True)
