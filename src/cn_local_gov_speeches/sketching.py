"""Dedup's sketches, made while the per-file stage runs instead of after it.

A document's MinHash sketch leaves out *stock* shingles, which are found on a sample of the corpus
(`dedup.stock_shingles`). The build samples raw files by a hash of their path, so it knows the
sample before reading anything: those files are processed first, their simplified texts feed a
`dedup.StockCounter` as they arrive, and once the last one is in, the stock set is written to a
file. From then on each pool worker sketches the documents it makes (it has their text at hand)
and sends the sketch back with the result. The sample's own documents, and the few processed
while the stock set was being computed, are sketched by dedup as before. A sketch is a pure
function of (text, stock set, config), so who computes it never changes the output.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType

import numpy as np

from . import dedup
from .spill import simplified_of

# Stock sets this worker process has loaded, by file path (each build writes one file).
_LOADED: dict[str, np.ndarray] = {}


def worker_sketch(stock_path: str | None, packed: bytes,
                  config: dedup.DedupConfig = dedup.DEFAULT_CONFIG) -> dedup.Sketch | None:
    """The sketch of a packed document, or None while the build has not published the stock set."""
    if stock_path is None:
        return None
    stock = _LOADED.get(stock_path)
    if stock is None:
        if not os.path.exists(stock_path):  # one stat per document until the file appears
            return None
        stock = _LOADED[stock_path] = np.load(stock_path)
    return dedup.sketch(simplified_of(packed), stock, config)


class EarlySketches:
    """The build's side: sample, stock set, and the sketch table (row k = input file k)."""

    def __init__(self, keys: list[str], config: dedup.DedupConfig = dedup.DEFAULT_CONFIG) -> None:
        self.config = config
        step = dedup.stock_sample_step(len(keys), config)
        self.in_sample = [dedup.in_stock_sample(key, step) for key in keys]
        # Sample first (stable, so otherwise input order): their results arrive first.
        self.order = sorted(range(len(keys)), key=lambda k: not self.in_sample[k])
        self._waiting = sum(self.in_sample)  # sampled inputs whose result has not arrived yet
        self._counter = dedup.StockCounter(config)
        self.table = dedup.SketchTable(len(keys), config)
        self._dir = tempfile.TemporaryDirectory(prefix="cn-speeches-stock-")
        self.stock_path = str(Path(self._dir.name) / "stock.npy")
        self.stock: np.ndarray | None = None
        if self._waiting == 0:
            self._publish()

    def __enter__(self) -> EarlySketches:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._dir.cleanup()

    def arrived(self, k: int, text_sha256: str | None = None, packed: bytes | None = None,
                sketch: dedup.Sketch | None = None) -> None:
        """Input k's result is in: a document (its sha, packed texts, sketch if made) or a rejection."""
        if sketch is not None:
            self.table.set(k, sketch)
        if not self.in_sample[k]:
            return
        if packed is not None and text_sha256 is not None:
            self._counter.add(text_sha256, simplified_of(packed))
        self._waiting -= 1
        if self._waiting == 0:
            self._publish()

    def _publish(self) -> None:
        self.stock = self._counter.finish()
        tmp = self.stock_path + ".tmp.npy"
        np.save(tmp, self.stock)
        os.replace(tmp, self.stock_path)  # workers see the whole file or none

    def for_dedup(self, rows: list[int]) -> tuple[np.ndarray, dedup.SketchTable]:
        """(stock set, sketch table of `rows` in that order); this object's table is released."""
        if self.stock is None:
            raise RuntimeError("internal error: the stock sample is incomplete")
        table = self.table.take(np.asarray(rows, dtype=np.int64))
        self.table = dedup.SketchTable(0, self.config)
        return self.stock, table
