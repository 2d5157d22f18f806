"""The build's document spill: large text columns on disk, everything else in memory.

The per-file stages return whole Documents; the runner keeps only their small columns in memory
(`record.without_texts`) and the three large ones (`text`, `text_simplified`, `raw_text`) go to
append-only segment files here: each pool worker appends the records it makes to its own segment.
Dedup reads simplified texts back on demand, and the tables are filled batch by batch from them,
so peak memory follows the batch size, not the corpus size.

A record is uncompressed (zlib level 1 made reading it back 3x slower: the spill is read ~4 times
per document and lives in the page cache) UTF-8: a 4-byte length and `text_simplified`, a 4-byte
length and `text` (no bytes, and a length of 0xFFFFFFFF, when it equals the simplified text), then
`raw_text` to the end. The tables' text columns are filled from these bytes without decoding them.
Dedup reads each
simplified text once or twice and so reads only its bytes; its pool workers read them from the file
themselves (`SpillSlice`) instead of receiving them through a pipe.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from . import scratch
from .record import TEXT_FIELDS, Document, evolve


class DocumentSpill:
    """Append-only store of the large text columns, keyed by doc_id; a context manager that deletes it.

    Records lie in segment files of one folder: the parent's own (`put` of bytes), and one per pool
    worker, which appends the records it makes itself (`write_record`) and sends back only a
    `SpillRef`; so the texts do not travel through a pipe to the parent and out again.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._dir = scratch.folder("spill", folder)
        self.folder = Path(self._dir.name)
        self.path = self.folder / "texts.bin"  # the parent's segment
        self._file = open(self.path, "w+b")  # closed in close()
        self._segments: list[str] = [str(self.path)]
        self._segment_of: dict[str, int] = {str(self.path): 0}
        self._readers: dict[int, BinaryIO] = {0: self._file}
        # doc_id -> (segment, offset, size, simplified size)
        self._where: dict[str, tuple[int, int, int, int]] = {}
        # doc_id -> where its record can be had when first needed (unchanged files of an incremental build)
        self._lazy: dict[str, LazyRecord] = {}
        self.nbytes = 0

    def __enter__(self) -> DocumentSpill:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for f in self._readers.values():
            f.close()
        own = _SEGMENTS.pop(str(self.folder), None)  # this process wrote records as a "worker" (one-process runs)
        if own is not None:
            own.close()
        self._dir.cleanup()

    def __len__(self) -> int:
        return len(self._where) + len(self._lazy)

    @staticmethod
    def pack(doc: Document) -> bytes:
        """The spill record of `doc`'s texts; made where the document is made (a pool worker).

        Strict UTF-8: a record is valid UTF-8 by construction, so the tables take its bytes as they
        are. (Decoding never yields a lone surrogate; were one there, encoding raises here, in the
        worker, and the file is quarantined as an internal error instead of failing the tables.)
        """
        simplified = doc.text_simplified.encode("utf-8")
        same = doc.text == doc.text_simplified
        text = b"" if same else doc.text.encode("utf-8")
        n_text = _SAME if same else len(text)
        return b"".join((len(simplified).to_bytes(_HEADER, "little"), simplified,
                         n_text.to_bytes(_HEADER, "little"), text, doc.raw_text.encode("utf-8")))

    def put(self, doc: Document, packed: bytes | SpillRef | LazyRecord | None = None) -> None:
        """Keep `doc`'s texts: its record (made here when not given), where a worker wrote it, or
        where it can be had (read, and written here, only if the texts are asked for)."""
        if isinstance(packed, LazyRecord):
            if doc.doc_id not in self._where:  # (a spill kept across builds may have it already)
                self._lazy[doc.doc_id] = packed
            return
        if isinstance(packed, SpillRef):
            segment = self._segment_of.get(packed.path)
            if segment is None:
                segment = self._segment_of[packed.path] = len(self._segments)
                self._segments.append(packed.path)
            self._where[doc.doc_id] = (segment, packed.offset, packed.size, packed.n_simplified)
            self.nbytes += packed.size
            return
        blob = self.pack(doc) if packed is None else packed
        self._file.seek(0, os.SEEK_END)
        offset = self._file.tell()
        self._file.write(blob)
        self._where[doc.doc_id] = (0, offset, len(blob), int.from_bytes(blob[:_HEADER], "little"))
        self.nbytes += len(blob)

    def _fault(self, doc_ids: Iterable[str]) -> None:
        """Write the lazy records among `doc_ids` here, so every reader finds them as any other."""
        for doc_id in doc_ids:
            lazy = self._lazy.pop(doc_id, None)
            if lazy is not None:
                self.put(_Named(doc_id), lazy.read())

    def fill_lazy(self, stop: threading.Event) -> None:
        """Read the lazy records in, until none is left or `stop` is set (a long-running process
        does this between builds, so a later build finds every text here)."""
        while self._lazy and not stop.is_set():
            self._fault((next(iter(self._lazy)),))
        self._file.flush()

    def _read(self, segment: int, offset: int, size: int) -> bytes:
        f = self._reader(segment)
        f.seek(offset)
        return f.read(size)

    def text_simplified(self, doc_id: str) -> str:
        if self._lazy:
            self._fault((doc_id,))
        segment, offset, _, n = self._where[doc_id]
        return self._read(segment, offset + _HEADER, n).decode("utf-8")

    def simplified_slice(self, doc_ids: Sequence[str]) -> SpillSlice:
        """The simplified texts of `doc_ids`, to be read by another process."""
        if self._lazy:
            self._fault(doc_ids)
        self._file.flush()
        spans = tuple((w[0], w[1] + _HEADER, w[3]) for w in map(self._where.__getitem__, doc_ids))
        return SpillSlice(tuple(self._segments), spans)

    def simplified_texts(self) -> SimplifiedTexts:
        return SimplifiedTexts(self)

    def restore(self, doc: Document) -> Document:
        """`doc` (small columns, possibly updated since) with its large text columns put back."""
        if self._lazy:
            self._fault((doc.doc_id,))
        segment, offset, size, _ = self._where[doc.doc_id]
        return with_texts(doc, unpack(self._read(segment, offset, size)))

    def text_columns(self, rows: Sequence[Document]) -> dict[str, pa.Array]:
        """The text columns of `rows` as Arrow arrays, filled from the records' UTF-8 bytes directly
        (no Python string per text: a 2,000-row group's texts as strings took ~75 MB).

        The records are read side by side into one buffer (`readinto`: no copy of its own), and the
        buffer is cut into the records' five pieces (length, simplified text, length, text, raw text)
        as one Arrow array; each column is then one `take` of its pieces, copied in C++ (appending
        each text to a bytearray in Python took ~4x as long: ~0.1 ms per row, 1.2 s at 10k)."""
        if self._lazy:
            self._fault(d.doc_id for d in rows)
        where = [self._where[d.doc_id] for d in rows]
        data = bytearray(sum(w[2] for w in where))
        view = memoryview(data)
        ends = [0]  # of the pieces, five per record
        text_at: list[int] = []  # the piece holding each record's `text` (its simplified one when the same)
        at = 0
        for i, (segment, offset, size, _) in enumerate(where):
            f = self._reader(segment)
            f.seek(offset)
            got = f.readinto(view[at : at + size])
            if got != size:
                raise OSError(f"spill: read {got} of {size} bytes of a record in {self._segments[segment]}")
            text, simplified, raw = _spans(view[at : at + size])
            # The pieces' ends: simplified's start and end, text's start (after its length), raw's start.
            ends += (at + simplified[0], at + simplified[1], at + simplified[1] + _HEADER, at + raw[0], at + size)
            text_at.append(5 * i + (1 if text == simplified else 3))
            at += size
        pieces = pa.Array.from_buffers(pa.binary(), 5 * len(where),
                                       [None, pa.py_buffer(np.asarray(ends, dtype=np.int32)), pa.py_buffer(data)])
        pieces.validate()  # offsets (< 2 GiB a group); the bytes are valid UTF-8 already (`pack` encodes strictly)
        first = np.arange(len(where), dtype=np.int64) * 5
        at_of = {"text": np.asarray(text_at, dtype=np.int64), "text_simplified": first + 1, "raw_text": first + 4}
        return {name: pieces.take(at_of[name]).view(pa.string()) for name in TEXT_FIELDS}

    def _reader(self, segment: int) -> BinaryIO:
        f = self._readers.get(segment)
        if f is None:
            f = self._readers[segment] = open(self._segments[segment], "rb")  # closed in close()
        return f


_HEADER = 4  # bytes of a text's length
_SAME = 0xFFFFFFFF  # the text's length field when it equals the simplified text (stored once)


@dataclass(frozen=True, slots=True)
class SpillRef:
    """Where a pool worker wrote a record: its segment file, offset, size, simplified text's size."""

    path: str
    offset: int
    size: int
    n_simplified: int


class LazyRecord:
    """A record not read yet: `read()` gives its bytes (see `pipeline.CachedRecord`)."""

    __slots__ = ()

    def read(self) -> bytes:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Named:
    """What `DocumentSpill.put` needs of a document whose record it is given."""

    doc_id: str


# This process's own segment per spill folder (a pool worker writes one file per build).
_SEGMENTS: dict[str, BinaryIO] = {}


def write_record(folder: str, packed: bytes) -> SpillRef:
    """Append a record to this process's segment of the spill in `folder` (see `flush_records`)."""
    f = _SEGMENTS.get(folder)
    if f is None:
        f = _SEGMENTS[folder] = open(os.path.join(folder, f"w-{os.getpid()}.bin"), "wb")
    offset = f.tell()
    f.write(packed)
    return SpillRef(f.name, offset, len(packed), int.from_bytes(packed[:_HEADER], "little"))


def flush_records() -> None:
    """Make this process's records readable by others (a worker calls it before returning refs)."""
    for f in _SEGMENTS.values():
        f.flush()


@dataclass(frozen=True, slots=True)
class SimplifiedTexts:
    """The spill's simplified texts as dedup reads them: one by id here, or a batch elsewhere."""

    spill: DocumentSpill

    def __call__(self, doc_id: str) -> str:
        return self.spill.text_simplified(doc_id)

    def batch(self, doc_ids: Sequence[str]) -> SpillSlice:
        return self.spill.simplified_slice(doc_ids)


@dataclass(frozen=True, slots=True)
class SpillSlice:
    """Where some simplified texts lie in the spill's segments: small to pickle, read in another process."""

    paths: tuple[str, ...]
    spans: tuple[tuple[int, int, int], ...]  # (segment, offset, size) of each text's UTF-8 bytes

    def __iter__(self) -> Iterator[str]:
        files: dict[int, BinaryIO] = {}
        try:
            for segment, offset, size in self.spans:
                f = files.get(segment)
                if f is None:
                    f = files[segment] = open(self.paths[segment], "rb")  # closed below
                f.seek(offset)
                yield f.read(size).decode("utf-8")
        finally:
            for f in files.values():
                f.close()


def simplified_of(blob: bytes) -> str:
    """The simplified text of a record made by `DocumentSpill.pack` (the other texts are not decoded)."""
    n = int.from_bytes(blob[:_HEADER], "little")
    return blob[_HEADER : _HEADER + n].decode("utf-8")


def _spans(blob: bytes | memoryview) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(start, end) of `text`, `text_simplified` and `raw_text` in a record (TEXT_FIELDS order)."""
    n = int.from_bytes(blob[:_HEADER], "little")
    simplified = (_HEADER, _HEADER + n)
    n_text = int.from_bytes(blob[simplified[1] : simplified[1] + _HEADER], "little")
    start = simplified[1] + _HEADER  # of `text`, or of `raw_text` when `text` is the simplified one
    if n_text == _SAME:
        return simplified, simplified, (start, len(blob))
    return (start, start + n_text), simplified, (start + n_text, len(blob))


def unpack(blob: bytes) -> tuple[str, str, str]:
    """(text, text_simplified, raw_text) of a record made by `DocumentSpill.pack`."""
    view = memoryview(blob)
    return tuple(str(view[lo:hi], "utf-8") for lo, hi in _spans(view))  # type: ignore[return-value]


def with_texts(doc: Document, texts: tuple[str, str, str]) -> Document:
    text, simplified, raw = texts
    return evolve(doc, text=text, text_simplified=simplified, raw_text=raw)
