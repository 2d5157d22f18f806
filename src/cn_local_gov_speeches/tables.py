"""Arrow tables of each config, built from the records through the one schema.

documents: every copy; canonical: one row per distinct speech; raw: the decoded input text.
Rows are sorted by (region_code, date, doc_id), nulls last, so row-group statistics let readers
skip groups when filtering on region or date, and the order never depends on input order.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from .record import TEXT_FIELDS, Document, shallow_asdict
from .schema import arrow_schema, fields_for

_FAR_FUTURE = dt.date.max


def sort_key(doc: Document) -> tuple:
    return (doc.region_code is None, doc.region_code or "", doc.date is None, doc.date or _FAR_FUTURE,
            doc.doc_id)


def _column(rows: Sequence[Document], name: str, type_: str) -> list:
    """One column's values (Arrow takes tuples for lists; markers become dicts)."""
    values = list(map(operator.attrgetter(name), rows))
    if type_ == "list<marker>":
        return [[shallow_asdict(m) for m in ms] for ms in values]
    return values


def rows_for(config: str, docs: Sequence[Document]) -> list[Document]:
    chosen = [d for d in docs if d.is_canonical] if config == "canonical" else list(docs)
    return sorted(chosen, key=sort_key)


def n_rows(config: str, docs: Sequence[Document]) -> int:
    return sum(d.is_canonical for d in docs) if config == "canonical" else len(docs)


def _table(config: str, rows: Sequence[Document], texts: dict[str, pa.Array] | None = None) -> pa.Table:
    """`texts`: text columns made elsewhere (else read from the rows)."""
    columns = {f.name: texts[f.name] if texts is not None and f.name in texts else _column(rows, f.name, f.type)
               for f in fields_for(config)}
    return pa.table(columns, schema=arrow_schema(config))


def build_table(config: str, docs: Sequence[Document]) -> pa.Table:
    """The whole config as one table, from documents that carry their texts."""
    return _table(config, rows_for(config, docs))


TextColumns = Callable[[Sequence[Document]], dict[str, pa.Array]]  # rows -> their text columns


def texts_in_memory(rows: Sequence[Document]) -> dict[str, pa.Array]:
    """The text columns of documents that carry their texts."""
    return {name: pa.array([getattr(d, name) for d in rows], pa.string()) for name in TEXT_FIELDS}


def iter_all_tables(docs: Sequence[Document], texts: TextColumns, batch_rows: int) -> Iterator[tuple[str, pa.Table]]:
    """(config, table) for every config in one pass over the documents in published order.

    `texts(rows)` gives each group's text columns (the build's spill reads them straight into Arrow
    buffers, so no group's texts exist as Python strings): its `documents` and `raw` rows share
    them, and `canonical` (the same rows in the same order, filtered) is cut from the `documents`
    tables and re-batched to `batch_rows`. Concatenated per config, equal to `build_table`.
    """
    canonical_names = [f.name for f in fields_for("canonical")]
    pending: list[pa.Table] = []
    pending_rows = 0
    for table_rows in _chunks(rows_for("documents", docs), batch_rows):
        columns = texts(table_rows)
        table, raw = _table("documents", table_rows, columns), _table("raw", table_rows, columns)
        del columns
        canonical = table.filter(table.column("is_canonical")).select(canonical_names)
        yield "documents", table
        yield "raw", raw
        del table, raw  # before a canonical group is made: at most one group's texts plus its copy
        pending.append(canonical)
        pending_rows += canonical.num_rows
        while pending_rows >= batch_rows:
            merged = pa.concat_tables(pending)
            yield "canonical", _contiguous(merged.slice(0, batch_rows))
            pending, pending_rows = [merged.slice(batch_rows)], pending_rows - batch_rows
    if pending_rows or not any(d.is_canonical for d in docs):  # the rest; an empty config still gets a table
        yield "canonical", _contiguous(pa.concat_tables(pending))


def _contiguous(table: pa.Table) -> pa.Table:
    """One chunk per column, as a freshly built table has: Parquet pages and `nbytes` then match."""
    return table.combine_chunks().cast(arrow_schema("canonical"))


def _chunks(rows: list[Document], size: int) -> Iterator[list[Document]]:
    for start in range(0, max(1, len(rows)), size):
        yield rows[start : start + size]


@dataclass(frozen=True, slots=True)
class TableSummary:
    """What the card needs of a written table, so the table itself can be dropped."""

    schema: pa.Schema
    nbytes: int
    num_rows: int
