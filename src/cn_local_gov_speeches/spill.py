"""The build's document spill: large text columns on disk, everything else in memory.

The per-file stages return whole Documents; the runner keeps only their small columns in memory
(`record.without_texts`) and appends the three large ones (`text`, `text_simplified`, `raw_text`)
to one append-only file here. Dedup reads simplified texts back on demand, and the tables are
filled batch by batch from it, so peak memory follows the batch size, not the corpus size.

Records are pickles of a tuple, uncompressed (zlib level 1 made reading them back 3x slower: the
spill is read ~4 times per document and lives in the page cache); `text_simplified` is stored only
when it differs from `text` (simplified input, the common case, stores it once).
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import tempfile
from pathlib import Path
from types import TracebackType

from .record import Document


class DocumentSpill:
    """Append-only store of the large text columns, keyed by doc_id; a context manager that deletes it."""

    def __init__(self, folder: Path | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="cn-speeches-spill-", dir=folder)
        self.path = Path(self._dir.name) / "texts.bin"
        self._file = open(self.path, "w+b")  # closed in close()
        self._where: dict[str, tuple[int, int]] = {}
        self.nbytes = 0

    def __enter__(self) -> DocumentSpill:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()
        self._dir.cleanup()

    def __len__(self) -> int:
        return len(self._where)

    @staticmethod
    def pack(doc: Document) -> bytes:
        """The spill record of `doc`'s texts; made where the document is made (a pool worker)."""
        simplified = None if doc.text_simplified == doc.text else doc.text_simplified
        return pickle.dumps((doc.text, simplified, doc.raw_text), pickle.HIGHEST_PROTOCOL)

    def put(self, doc: Document, packed: bytes | None = None) -> None:
        blob = self.pack(doc) if packed is None else packed
        self._file.seek(0, os.SEEK_END)
        offset = self._file.tell()
        self._file.write(blob)
        self._where[doc.doc_id] = (offset, len(blob))
        self.nbytes += len(blob)

    def _texts(self, doc_id: str) -> tuple[str, str, str]:
        offset, size = self._where[doc_id]
        self._file.seek(offset)
        return unpack(self._file.read(size))

    def text_simplified(self, doc_id: str) -> str:
        return self._texts(doc_id)[1]

    def restore(self, doc: Document) -> Document:
        """`doc` (small columns, possibly updated since) with its large text columns put back."""
        return with_texts(doc, self._texts(doc.doc_id))


def unpack(blob: bytes) -> tuple[str, str, str]:
    """(text, text_simplified, raw_text) of a record made by `DocumentSpill.pack`."""
    text, simplified, raw = pickle.loads(blob)
    return text, text if simplified is None else simplified, raw


def with_texts(doc: Document, texts: tuple[str, str, str]) -> Document:
    text, simplified, raw = texts
    return dataclasses.replace(doc, text=text, text_simplified=simplified, raw_text=raw)
