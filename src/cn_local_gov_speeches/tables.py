"""Arrow tables of each config, built from the records through the one schema.

documents: every copy; canonical: one row per distinct speech; raw: the decoded input text.
Rows are sorted by (region_code, date, doc_id), nulls last, so row-group statistics let readers
skip groups when filtering on region or date, and the order never depends on input order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from .record import Document
from .schema import arrow_schema, fields_for

_FAR_FUTURE = dt.date.max


def sort_key(doc: Document) -> tuple:
    return (doc.region_code is None, doc.region_code or "", doc.date is None, doc.date or _FAR_FUTURE,
            doc.doc_id)


def _column_value(doc: Document, name: str) -> object:
    value = getattr(doc, name)
    if name == "redaction_markers":
        return [dataclasses.asdict(m) for m in value]
    if isinstance(value, tuple):
        return list(value)
    return value


def rows_for(config: str, docs: Sequence[Document]) -> list[Document]:
    chosen = [d for d in docs if d.is_canonical] if config == "canonical" else list(docs)
    return sorted(chosen, key=sort_key)


def n_rows(config: str, docs: Sequence[Document]) -> int:
    return sum(d.is_canonical for d in docs) if config == "canonical" else len(docs)


def _table(config: str, rows: Sequence[Document]) -> pa.Table:
    columns = {f.name: [_column_value(d, f.name) for d in rows] for f in fields_for(config)}
    return pa.table(columns, schema=arrow_schema(config))


def build_table(config: str, docs: Sequence[Document]) -> pa.Table:
    """The whole config as one table, from documents that carry their texts."""
    return _table(config, rows_for(config, docs))


def iter_tables(config: str, docs: Sequence[Document], restore: Callable[[Document], Document],
                batch_rows: int) -> Iterator[pa.Table]:
    """The config's rows in published order, `batch_rows` at a time (always at least one table).

    `docs` carry only their small columns; `restore` puts the texts back for one batch at a time,
    so a build holds one batch of texts, whatever the corpus size.
    """
    rows = rows_for(config, docs)
    for start in range(0, max(1, len(rows)), batch_rows):
        yield _table(config, [restore(d) for d in rows[start : start + batch_rows]])


@dataclass(frozen=True, slots=True)
class TableSummary:
    """What the card needs of a written table, so the table itself can be dropped."""

    schema: pa.Schema
    nbytes: int
    num_rows: int
