"""Dedup's content-keyed work, kept between builds: an incremental rebuild redoes only what is new.

Each kept value is a pure function of texts and the dedup config, so reusing it never changes the
output:
- the stock set, of the sampled texts (the set of their text_sha256);
- a document's sketch, of (its text_sha256, the stock set);
- a candidate pair's exact overlap scores, of the two texts' text_sha256.

They are .npy files in one folder inside the per-file cache's version folder (a code change starts
afresh). A build writes what it used to a new sibling folder and swaps it in at the end, so the
kept state is one corpus's worth and a killed build leaves the previous state whole. The files are
written in a thread of the cache's own while dedup goes on (~0.05 s of a 10k rebuild).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

Scores = tuple[float, float, float]  # (share of a in b, share of b in a, Jaccard), as dedup.overlap
_SKETCH_ARRAYS = ("sizes", "sketch_sizes", "signatures", "samples", "tau", "fallback")
_COMPLETE = "complete"  # written last: a folder without it is ignored


def sha_keys(shas: Sequence[str]) -> np.ndarray:
    """text_sha256 hex strings as 32-byte keys (numpy compares and sorts them as bytes)."""
    return np.array([bytes.fromhex(s) for s in shas], dtype="S32")


def _rows_as_bytes(keys: np.ndarray) -> list[bytes]:
    """Each key as bytes (a numpy "S" element would lose its trailing zero bytes)."""
    width = keys.dtype.itemsize * (keys.shape[1] if keys.ndim == 2 else 1)
    blob = np.ascontiguousarray(keys).tobytes()
    return [blob[i : i + width] for i in range(0, len(blob), width)]


def _pair_key(a: str, b: str) -> tuple[bytes, bool]:
    """A pair's key, the same for (a, b) and (b, a); and whether its scores are kept as (b, a)'s."""
    return (bytes.fromhex(a + b), False) if a <= b else (bytes.fromhex(b + a), True)


def _swap(scores: Scores) -> Scores:
    return scores[1], scores[0], scores[2]


class DedupCache:
    """The previous build's stock set, sketches and pair scores (read), and this build's (written)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sample: frozenset[str] = frozenset()  # the previous stock sample's text_sha256s
        self.stock: np.ndarray | None = None
        self._sketch_stock: np.ndarray | None = None  # the stock set the kept sketches were made with
        self._sketch_keys = np.empty(0, dtype="S32")  # sorted
        self._sketch_rows = np.empty(0, dtype=np.int64)  # row of each sorted key in the arrays
        self._sketches: dict[str, np.ndarray] = {}
        self._pairs: dict[bytes, Scores] = {}
        if (folder / _COMPLETE).exists():
            self._load(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        self._next = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="dedup-cache")
        self._writes: list[concurrent.futures.Future] = []

    def _save(self, name: str, array: np.ndarray) -> None:
        """`array` (not changed afterwards) to `name` in this build's folder, in the cache's thread."""
        self._writes.append(self._writer.submit(np.save, self._next / name, array))

    def _wait(self) -> None:
        """Until every write is done; raises the first one's error."""
        writes, self._writes = self._writes, []
        for write in writes:
            write.result()

    def _load(self, folder: Path) -> None:
        # Each part is optional (a run may have had no sample or no candidate pairs); a damaged
        # file only makes a slower build.
        with contextlib.suppress(OSError, ValueError):
            self.stock = np.load(folder / "stock.npy")
            self.sample = frozenset(k.hex() for k in _rows_as_bytes(np.load(folder / "sample.npy")))
        with contextlib.suppress(OSError, ValueError):
            self._sketch_stock = np.load(folder / "sketch_stock.npy")
            self._sketch_keys = np.load(folder / "sketch_keys.npy")
            self._sketch_rows = np.load(folder / "sketch_rows.npy")
            # Memory-mapped: only the rows a build takes are read.
            self._sketches = {n: np.load(folder / f"sketch_{n}.npy", mmap_mode="r") for n in _SKETCH_ARRAYS}
        with contextlib.suppress(OSError, ValueError):
            keys, scores = np.load(folder / "pair_keys.npy"), np.load(folder / "pair_scores.npy")
            self._pairs = dict(zip(_rows_as_bytes(keys), map(tuple, scores.tolist()), strict=True))

    # Stock set -------------------------------------------------------------------------------
    def put_stock(self, sample: Sequence[str], stock: np.ndarray) -> None:
        """Keep the stock set found on the sampled texts `sample` (text_sha256s)."""
        self._save("stock.npy", stock)
        self._save("sample.npy", sha_keys(sorted(sample)))  # bytes read back by _rows_as_bytes

    # Sketches --------------------------------------------------------------------------------
    def sketch_keys_for(self, stock: np.ndarray) -> np.ndarray:
        """Sorted keys of the kept sketches made with `stock` (empty if they were made with another)."""
        if self._sketch_stock is None or not self._sketches or not np.array_equal(self._sketch_stock, stock):
            return np.empty(0, dtype="S32")
        return self._sketch_keys

    def fill_sketches(self, table: object, shas: Sequence[str], stock: np.ndarray) -> None:
        """Fill the unfilled rows of a `dedup.SketchTable` (row i: text `shas[i]`) that are kept."""
        keys = self.sketch_keys_for(stock)
        missing = np.flatnonzero(~table.filled)
        if keys.size == 0 or missing.size == 0:
            return
        wanted = sha_keys([shas[i] for i in missing])
        pos = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        hit = keys[pos] == wanted
        source = self._sketch_rows[pos[hit]]
        order = np.argsort(source, kind="stable")  # read the mapped arrays front to back
        rows, source = missing[hit][order], source[order]
        for name in _SKETCH_ARRAYS:
            getattr(table, name)[rows] = self._sketches[name][source]
        table.filled[rows] = True

    def put_sketches(self, table: object, shas: Sequence[str], stock: np.ndarray) -> None:
        """Keep a complete table's sketches (row i: text `shas[i]`; the table's arrays are not changed
        afterwards), written meanwhile."""
        self._save("sketch_stock.npy", stock)
        keys = sha_keys(shas)
        order = np.argsort(keys, kind="stable")
        self._save("sketch_keys.npy", keys[order])
        self._save("sketch_rows.npy", order.astype(np.int64))
        for name in _SKETCH_ARRAYS:
            self._save(f"sketch_{name}.npy", getattr(table, name))

    # Pair scores -----------------------------------------------------------------------------
    def scores(self, a: str, b: str) -> Scores | None:
        """Kept scores of texts a and b (in that order), or None."""
        key, swapped = _pair_key(a, b)
        kept = self._pairs.get(key)
        return _swap(kept) if kept is not None and swapped else kept

    def put_scores(self, pairs: Sequence[tuple[str, str, Scores]]) -> None:
        keys, values = [], []
        for a, b, s in pairs:
            key, swapped = _pair_key(a, b)
            keys.append(key)
            values.append(_swap(s) if swapped else s)
        self._save("pair_keys.npy", np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 64))
        self._save("pair_scores.npy", np.array(values, dtype=np.float64).reshape(-1, 3))

    # Swap ------------------------------------------------------------------------------------
    def commit(self) -> None:
        """Make this build's kept work the state the next build reads (once it is all written)."""
        self._wait()
        (self._next / _COMPLETE).touch()
        old = self.folder.with_name(f"{self._next.name}-old")
        try:
            if self.folder.exists():
                os.replace(self.folder, old)
            os.replace(self._next, self.folder)
        except OSError:  # another build swapped at the same moment: its state is as good
            pass
        self.discard()
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # a failed write leaves nothing worth keeping
            self._wait()
        self._writer.shutdown()
        shutil.rmtree(self._next, ignore_errors=True)
