"""The build's document spill: large text columns on disk, everything else in memory.

The per-file stages return whole Documents; the runner keeps only their small columns in memory
(`record.without_texts`) and appends the three large ones (`text`, `text_simplified`, `raw_text`)
to one append-only file here. Dedup reads simplified texts back on demand, and the tables are
filled batch by batch from it, so peak memory follows the batch size, not the corpus size.

Records are zlib-compressed pickles of a tuple; `text_simplified` is stored only when it differs
from `text` (simplified input, the common case, stores it once).
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import tempfile
import zlib
from pathlib import Path
from types import TracebackType

from .record import Document

_LEVEL = 1  # fast: the spill is read back within the build, size matters less than time


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

    def put(self, doc: Document) -> None:
        simplified = None if doc.text_simplified == doc.text else doc.text_simplified
        blob = zlib.compress(pickle.dumps((doc.text, simplified, doc.raw_text), pickle.HIGHEST_PROTOCOL), _LEVEL)
        self._file.seek(0, os.SEEK_END)
        offset = self._file.tell()
        self._file.write(blob)
        self._where[doc.doc_id] = (offset, len(blob))
        self.nbytes += len(blob)

    def _texts(self, doc_id: str) -> tuple[str, str, str]:
        offset, size = self._where[doc_id]
        self._file.seek(offset)
        text, simplified, raw = pickle.loads(zlib.decompress(self._file.read(size)))
        return text, text if simplified is None else simplified, raw

    def text_simplified(self, doc_id: str) -> str:
        return self._texts(doc_id)[1]

    def restore(self, doc: Document) -> Document:
        """`doc` (small columns, possibly updated since) with its large text columns put back."""
        text, simplified, raw = self._texts(doc.doc_id)
        return dataclasses.replace(doc, text=text, text_simplified=simplified, raw_text=raw)
