"""Arrow tables of each config, built from the records through the one schema.

documents: every copy; canonical: one row per distinct speech; raw: the decoded input text.
Rows are sorted by (region_code, date, doc_id), nulls last, so row-group statistics let readers
skip groups when filtering on region or date, and the order never depends on input order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
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


def build_table(config: str, docs: Sequence[Document]) -> pa.Table:
    schema = arrow_schema(config)
    rows = rows_for(config, docs)
    columns = {f.name: [_column_value(d, f.name) for d in rows] for f in fields_for(config)}
    return pa.table(columns, schema=schema)


@dataclass(frozen=True, slots=True)
class TableSummary:
    """What the card needs of a written table, so the table itself can be dropped."""

    schema: pa.Schema
    nbytes: int
    num_rows: int
