"""Dedup's sketches, made while the per-file stage runs instead of after it.

A document's MinHash sketch leaves out *stock* shingles, which are found on a sample of the corpus
(`dedup.stock_shingles`). The build samples raw files by a hash of their path, so it knows the
sample before reading anything: those files are processed first, their simplified texts feed a
`dedup.StockCounter` as they arrive, and once the last one is in, the stock set is written to a
file. From then on each pool worker sketches the documents it makes (it has their text at hand)
and sends the sketch back with the result. The sample's own documents, and the few processed
while the stock set was being computed, are sketched by dedup as before. A sketch is a pure
function of (text, stock set, config), so who computes it never changes the output.

With the build's dedup cache (`dedup_cache.py`), an unchanged sample reuses the kept stock set
without counting, and workers skip the texts whose sketch is kept with that stock set (their keys
are written beside the stock file); dedup takes those sketches from the cache. Workers also skip
the shingle hashes of sampled texts that were in the kept sample (the keys are written before the
pool starts): they are made here, from the spilled record, only if the sample turns out changed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

import numpy as np

from . import dedup, scratch, session
from .dedup_cache import DedupCache, sha_keys
from .spill import LazyRecord, SpillRef, simplified_of

# (stock set, sorted keys of the texts whose sketches the dedup cache keeps) this worker process has
# loaded, by the stock file's path (each build writes one).
_LOADED: dict[str, tuple[np.ndarray, np.ndarray]] = {}
_KNOWN = "known.npy"  # beside the stock file, written before it
_PERMUTATIONS = "permutations.npy"  # the MinHash parameters, beside the stock file, written before it
_KEPT_SAMPLE = "kept-sample.npy"  # the kept stock sample's sorted text keys, written before the pool starts
_KEPT_SAMPLES: dict[str, np.ndarray] = {}  # by path, as loaded in this worker process


def worker_sketch(stock_path: str | None, packed: bytes, text_sha256: str,
                  config: dedup.DedupConfig = dedup.DEFAULT_CONFIG) -> dedup.Sketch | None:
    """The sketch of a packed document; None while the build has not published the stock set, or
    when the dedup cache already keeps this text's sketch (dedup takes it from there)."""
    if stock_path is None:
        return None
    loaded = _LOADED.get(stock_path)
    if loaded is None:
        if not os.path.exists(stock_path):  # one stat per document until the file appears
            return None
        known = Path(stock_path).with_name(_KNOWN)
        dedup.use_permutations(config, np.load(Path(stock_path).with_name(_PERMUTATIONS)))
        stock = np.load(stock_path)
        # A long-running process sees a new file per build, mostly of the same stock set: keep the
        # array it had, whose lookup index (`dedup._stock_index`, ~0.1 s to build) is kept with it.
        stock = next((old for old, _ in _LOADED.values() if np.array_equal(old, stock)), stock)
        _LOADED.clear()  # one build's files at a time
        loaded = _LOADED[stock_path] = (stock, np.load(known) if known.exists() else np.empty(0, dtype="S32"))
    stock, known = loaded
    if is_known(known, text_sha256):
        return None
    return dedup.sketch(simplified_of(packed), stock, config)


def needs_hashes(kept_sample_path: str | None, text_sha256: str) -> bool:
    """Should a worker send a sampled text's shingle hashes? Not when the text was in the kept
    sample: while the sample is unchanged nobody needs them (see `EarlySketches.arrived`)."""
    if kept_sample_path is None:
        return True
    kept = _KEPT_SAMPLES.get(kept_sample_path)
    if kept is None:
        _KEPT_SAMPLES.clear()
        kept = _KEPT_SAMPLES[kept_sample_path] = np.load(kept_sample_path)
    return not is_known(kept, text_sha256)


def _record(packed: bytes | SpillRef | LazyRecord) -> bytes:
    if isinstance(packed, LazyRecord):
        return packed.read()
    if isinstance(packed, SpillRef):
        with open(packed.path, "rb") as f:
            f.seek(packed.offset)
            return f.read(packed.size)
    return packed


def is_known(known: np.ndarray, text_sha256: str) -> bool:
    """Is `text_sha256` among the sorted keys `known`?"""
    if not known.size:
        return False
    key = sha_keys([text_sha256])
    return bool(known[min(int(np.searchsorted(known, key)[0]), known.size - 1)] == key[0])


class _LazyHashes:
    """A sampled text's shingle hashes, made from its record on first use."""

    __slots__ = ("_k", "_packed", "made")

    def __init__(self, packed: bytes | SpillRef | LazyRecord, k: int) -> None:
        self._packed, self._k = packed, k
        self.made: np.ndarray | None = None

    def get(self) -> np.ndarray:
        if self.made is None:
            self.made = dedup.shingle_hashes(simplified_of(_record(self._packed)), self._k)
        return self.made


def _hashes(value: np.ndarray | _LazyHashes) -> np.ndarray:
    return value.get() if isinstance(value, _LazyHashes) else value


# A long-running process (`session.KEEP`) keeps the shingle hashes of its last build's sampled texts,
# by text_sha256 (at most `stock_sample_size` texts: ~20 MB at 10k documents), and makes those it did
# not need between builds (`fill_sample_hashes`): when a new file falls into the sample, the next
# build counts the stock set again without reading and hashing ~1,000 texts (~1 s at 10k).
_SAMPLE_HASHES: dict[str, np.ndarray] = {}
_SAMPLE_PENDING: list[tuple[str, _LazyHashes]] = []  # sampled texts whose hashes were not made


_LAST_STOCK: list[np.ndarray] = []  # a long-running process's last stock set (see `warm_up`)


def warm_up() -> None:
    """Build the lookup index of the last build's stock set (~0.05 s at 10k), so the next build's
    first sketch made in this process (a new file, processed here) does not wait for it."""
    for stock in _LAST_STOCK:
        dedup.prepare_stock(stock)


def fill_sample_hashes(stop: threading.Event) -> None:
    """Make the hashes of the last build's sampled texts that it did not need, until done or `stop`
    is set (a watcher calls this between builds)."""
    while _SAMPLE_PENDING and not stop.is_set():
        sha, lazy = _SAMPLE_PENDING.pop()
        _SAMPLE_HASHES[sha] = lazy.get()


def _keep_sample_hashes(sample: list[tuple[int, str, np.ndarray | _LazyHashes]]) -> None:
    """This build's sampled texts' hashes, those made and those left to make, for the next build."""
    made = {sha: h.made if isinstance(h, _LazyHashes) else h for _, sha, h in sample}
    _SAMPLE_HASHES.clear()
    _SAMPLE_HASHES.update((sha, h) for sha, h in made.items() if h is not None)
    _SAMPLE_PENDING[:] = [(sha, h) for _, sha, h in sample if made[sha] is None]


class EarlySketches:
    """The build's side: sample, stock set, and the sketch table (row k = input file k)."""

    def __init__(self, keys: list[str], config: dedup.DedupConfig = dedup.DEFAULT_CONFIG,
                 kept: DedupCache | None = None) -> None:
        self.config = config
        self._kept = kept
        self._sample_shas: set[str] = set()
        # Sampled texts not counted yet (text_sha256 -> shingle hashes): while every one so far is
        # in the kept sample, the kept stock set may be reused and counting them can wait.
        self._deferred: dict[str, np.ndarray] | None = {} if kept is not None and kept.sample else None
        # (input, text_sha256, shingle hashes) of the sample: sketched as soon as the stock set is known.
        self._sample_hashes: list[tuple[int, str, np.ndarray]] = []
        step = dedup.stock_sample_step(len(keys), config)
        self.in_sample = [dedup.in_stock_sample(key, step) for key in keys]
        # Sample first (stable, so otherwise input order): their results arrive first.
        self.order = sorted(range(len(keys)), key=lambda k: not self.in_sample[k])
        self._waiting = sum(self.in_sample)  # sampled inputs whose result has not arrived yet
        self._counter = dedup.StockCounter(config)
        self.table = dedup.SketchTable(len(keys), config)
        self._dir = scratch.folder("stock")
        self.stock_path = str(Path(self._dir.name) / "stock.npy")
        self.stock: np.ndarray | None = None
        self.kept_sample_path: str | None = None  # for `needs_hashes` in the workers
        if self._deferred is not None:
            self.kept_sample_path = str(Path(self._dir.name) / _KEPT_SAMPLE)
            np.save(self.kept_sample_path, np.sort(sha_keys(sorted(kept.sample))))
        if self._waiting == 0:
            self._publish()

    def __enter__(self) -> EarlySketches:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._dir.cleanup()

    def arrived(self, k: int, text_sha256: str | None = None, packed: object = None,
                sketch: dedup.Sketch | None = None, hashes: np.ndarray | None = None) -> None:
        """Input k's result is in: a document (its sha, its record or where a worker wrote it, its
        sketch if made, and for a sampled one its shingle hashes) or a rejection. Without the hashes
        they are made from the record when needed: only if the kept stock set cannot be reused or the
        text's sketch is not kept."""
        if sketch is not None:
            self.table.set(k, sketch)
        if not self.in_sample[k]:
            return
        if packed is not None and text_sha256 is not None:
            if hashes is None and session.KEEP:
                hashes = _SAMPLE_HASHES.get(text_sha256)
            if hashes is None:
                hashes = _LazyHashes(packed, self.config.shingle_k)
                if self._deferred is None or text_sha256 not in self._kept.sample:
                    hashes = hashes.get()
            self._sample_shas.add(text_sha256)
            self._sample_hashes.append((k, text_sha256, hashes))
            if self._deferred is not None and text_sha256 in self._kept.sample:
                self._deferred.setdefault(text_sha256, hashes)
            else:
                self._count_deferred()
                self._counter.add_hashes(text_sha256, hashes)
        self._waiting -= 1
        if self._waiting == 0:
            self._publish()

    def _count_deferred(self) -> None:
        for sha, hashes in (self._deferred or {}).items():
            self._counter.add_hashes(sha, _hashes(hashes))
        self._deferred = None

    def _publish(self) -> None:
        if self._deferred is not None and len(self._deferred) == len(self._kept.sample):
            self.stock = self._kept.stock  # the same sampled texts as the kept stock set's
        else:
            self._count_deferred()
            self.stock = self._counter.finish()
        known = np.empty(0, dtype="S32")
        if self._kept is not None:
            self._kept.put_stock(sorted(self._sample_shas), self.stock)
            known = self._kept.sketch_keys_for(self.stock)
            if known.size:
                np.save(Path(self.stock_path).with_name(_KNOWN), known)
        np.save(Path(self.stock_path).with_name(_PERMUTATIONS), dedup.signer_permutations(self.config))
        tmp = self.stock_path + ".tmp.npy"
        np.save(tmp, self.stock)
        os.replace(tmp, self.stock_path)  # workers see the whole file or none (and the known keys)
        # The sample's own sketches, from the hashes already made (the texts are not read again).
        for k, sha, hashes in self._sample_hashes:
            if not is_known(known, sha):
                self.table.set(k, dedup.sketch_of_hashes(_hashes(hashes), self.stock, self.config))
        if session.KEEP:
            _keep_sample_hashes(self._sample_hashes)
            _LAST_STOCK[:] = [self.stock]
        self._sample_hashes = []

    def for_dedup(self, rows: list[int]) -> tuple[np.ndarray, dedup.SketchTable]:
        """(stock set, sketch table of `rows` in that order); this object's table is released."""
        if self.stock is None:
            raise RuntimeError("internal error: the stock sample is incomplete")
        table = self.table.take(np.asarray(rows, dtype=np.int64))
        self.table = dedup.SketchTable(0, self.config)
        return self.stock, table
