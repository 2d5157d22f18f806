"""The build's document spill: large text columns on disk, everything else in memory.

The per-file stages return whole Documents; the runner keeps only their small columns in memory
(`record.without_texts`) and appends the three large ones (`text`, `text_simplified`, `raw_text`)
to one append-only file here. Dedup reads simplified texts back on demand, and the tables are
filled batch by batch from it, so peak memory follows the batch size, not the corpus size.

A record is uncompressed (zlib level 1 made reading it back 3x slower: the spill is read ~4 times
per document and lives in the page cache): a 4-byte length, `text_simplified` as UTF-8, then a
pickle of (`text` or None when it equals the simplified text, `raw_text`). Dedup reads each
simplified text once or twice and so reads only its bytes; its pool workers read them from the file
themselves (`SpillSlice`) instead of receiving them through a pipe.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .record import Document


class DocumentSpill:
    """Append-only store of the large text columns, keyed by doc_id; a context manager that deletes it."""

    def __init__(self, folder: Path | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="cn-speeches-spill-", dir=folder)
        self.path = Path(self._dir.name) / "texts.bin"
        self._file = open(self.path, "w+b")  # closed in close()
        self._where: dict[str, tuple[int, int, int]] = {}  # doc_id -> (offset, size, simplified size)
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
        simplified = doc.text_simplified.encode("utf-8", "surrogatepass")
        text = None if doc.text == doc.text_simplified else doc.text
        return (len(simplified).to_bytes(_HEADER, "little") + simplified
                + pickle.dumps((text, doc.raw_text), pickle.HIGHEST_PROTOCOL))

    def put(self, doc: Document, packed: bytes | None = None) -> None:
        blob = self.pack(doc) if packed is None else packed
        self._file.seek(0, os.SEEK_END)
        offset = self._file.tell()
        self._file.write(blob)
        self._where[doc.doc_id] = (offset, len(blob), int.from_bytes(blob[:_HEADER], "little"))
        self.nbytes += len(blob)

    def text_simplified(self, doc_id: str) -> str:
        offset, _, n = self._where[doc_id]
        self._file.seek(offset + _HEADER)
        return self._file.read(n).decode("utf-8", "surrogatepass")

    def simplified_slice(self, doc_ids: Sequence[str]) -> SpillSlice:
        """The simplified texts of `doc_ids`, to be read by another process."""
        self._file.flush()
        return SpillSlice(str(self.path), tuple((self._where[d][0] + _HEADER, self._where[d][2]) for d in doc_ids))

    def simplified_texts(self) -> SimplifiedTexts:
        return SimplifiedTexts(self)

    def restore(self, doc: Document) -> Document:
        """`doc` (small columns, possibly updated since) with its large text columns put back."""
        offset, size, _ = self._where[doc.doc_id]
        self._file.seek(offset)
        return with_texts(doc, unpack(self._file.read(size)))


_HEADER = 4  # bytes of the simplified text's length


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
    """Where some simplified texts lie in a spill file: small to pickle, iterated in another process."""

    path: str
    spans: tuple[tuple[int, int], ...]  # (offset, size) of each text's UTF-8 bytes

    def __iter__(self) -> Iterator[str]:
        with open(self.path, "rb") as f:
            for offset, size in self.spans:
                f.seek(offset)
                yield f.read(size).decode("utf-8", "surrogatepass")


def simplified_of(blob: bytes) -> str:
    """The simplified text of a record made by `DocumentSpill.pack` (its other texts stay pickled)."""
    n = int.from_bytes(blob[:_HEADER], "little")
    return blob[_HEADER : _HEADER + n].decode("utf-8", "surrogatepass")


def unpack(blob: bytes) -> tuple[str, str, str]:
    """(text, text_simplified, raw_text) of a record made by `DocumentSpill.pack`."""
    n = int.from_bytes(blob[:_HEADER], "little")
    simplified = simplified_of(blob)
    text, raw = pickle.loads(memoryview(blob)[_HEADER + n :])
    return simplified if text is None else text, simplified, raw


def with_texts(doc: Document, texts: tuple[str, str, str]) -> Document:
    text, simplified, raw = texts
    return dataclasses.replace(doc, text=text, text_simplified=simplified, raw_text=raw)
