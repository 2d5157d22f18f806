"""The one typed record that flows through the pipeline.

Its fields are exactly the schema's columns, in schema order (a test checks this); stages return
`evolve(doc, ...)` (a fast `dataclasses.replace`) and never add free-form metadata.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from dataclasses import dataclass, field
from enum import StrEnum


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def shallow_asdict(obj: object) -> dict[str, object]:
    """A dataclass's fields as a dict, values as they are (`dataclasses.asdict` copies them deeply,
    ~3 s over 100k documents' dedup assignments)."""
    return {name: getattr(obj, name) for name in _field_names(type(obj))}


@dataclass(frozen=True, slots=True)
class Marker:
    """One kind of mask found in a text: e.g. kind="place", marker="X区", count=3."""

    kind: str
    marker: str
    count: int


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    source_file: str
    source_sha256: str
    encoding: str
    title: str | None = None
    text: str = ""
    text_simplified: str = ""
    text_sha256: str = ""
    n_chars: int = 0
    n_han: int = 0
    script: str = "Hans"
    region_province: str | None = None
    region_prefecture: str | None = None
    region_county: str | None = None
    region_code: str | None = None
    region_level: str | None = None
    region_status: str = "absent"
    region_evidence: str | None = None
    date: dt.date | None = None
    date_precision: str | None = None
    date_status: str = "absent"
    date_evidence: str | None = None
    published_date: dt.date | None = None
    published_date_evidence: str | None = None
    source_site: str | None = None
    source_kind: str = "unknown"
    source_evidence: str | None = None
    redaction_level: str = "none"
    redaction_markers: tuple[Marker, ...] = ()
    is_truncated: bool = False
    hidden_chars: int | None = None
    removed_chars: int = 0
    furniture: str | None = None
    normalization: tuple[str, ...] = ()
    duplicate_group: str = ""
    duplicate_of: str | None = None
    containment: float | None = None
    jaccard: float | None = None
    is_canonical: bool = True
    raw_text: str = field(default="", repr=False)

    def __reduce__(self) -> tuple[type[Document], tuple]:
        # Pickled as its values in field order: a build unpickles every document its workers send,
        # and the raw-file index holds them all. Dataclasses' own pickling of a frozen slots class
        # looks up the fields per document and took twice as long to load (~0.01 ms a document).
        return Document, _document_values(self)


_document_values = operator.attrgetter(*_field_names(Document))
_DOCUMENT_FIELD_INDEX = {name: i for i, name in enumerate(_field_names(Document))}


def evolve(doc: Document, **changes: object) -> Document:
    """`dataclasses.replace(doc, **changes)` for a Document: its values taken in one call and the
    constructor given them in order. `replace` reads and checks every field in Python; a document
    went through it three times in the per-file stages (~7 % of their CPU)."""
    values = list(_document_values(doc))
    for name, value in changes.items():
        values[_DOCUMENT_FIELD_INDEX[name]] = value  # KeyError for a field Document does not have
    return Document(*values)

# The large columns: kept in the build's spill (spill.py), not in memory, between the per-file
# stages and the tables.
TEXT_FIELDS = ("text", "text_simplified", "raw_text")
# The columns the dedup stage assigns (`dedup.DedupAssignment`); the others come from the per-file
# stages (a copy may still inherit its region or date from its canonical in dedup).
DEDUP_FIELDS = ("duplicate_group", "duplicate_of", "containment", "jaccard", "is_canonical")
# A row's columns in two parts: those the per-file stages set, and those dedup assigns. Validation
# checks and notes a row's parts apart (`validate.part_spec`, `table_cache`).
ROW_PARTS = ("file", "dedup")


def part_of(column: str) -> str:
    return "dedup" if column in DEDUP_FIELDS else "file"


_NO_TEXTS = dict.fromkeys(TEXT_FIELDS, "")


def without_texts(doc: Document) -> Document:
    """`doc` with its large text columns emptied (a stand-in until `DocumentSpill.restore`)."""
    return evolve(doc, **_NO_TEXTS)


class RejectReason(StrEnum):
    """Why an input file went to the quarantine report instead of the dataset."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    NOT_CHINESE = "not_chinese"
    NO_TEXT_AFTER_CLEANING = "no_text_after_cleaning"
    DUPLICATE_INPUT = "duplicate_input"
    NOT_A_REGULAR_FILE = "not_a_regular_file"
    UNREADABLE = "unreadable"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that did not become a row, with the stage and a one-line reason."""

    source_file: str
    source_sha256: str | None
    stage: str
    reason: RejectReason
    detail: str
