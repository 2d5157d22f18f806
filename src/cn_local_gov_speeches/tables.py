"""Arrow tables of each config, built from the records through the one schema.

documents: every copy; canonical: one row per distinct speech; raw: the decoded input text.
Rows are sorted by (region_code, date, doc_id), nulls last, so row-group statistics let readers
skip groups when filtering on region or date, and the order never depends on input order.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from .config import GROUP_BOUNDARY_EVERY, GROUP_MAX_ROWS, GROUP_MIN_ROWS
from .record import TEXT_FIELDS, Document, shallow_asdict
from .schema import arrow_schema, fields_for

_FAR_FUTURE = dt.date.max
CONFIGS = ("documents", "raw", "canonical")  # in the order a group's tables are made


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


@functools.lru_cache(maxsize=1 << 17)  # a long-running process's rebuilds ask again for every row
def _boundary_hash(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=8).digest(), "big")


def row_groups(docs: Sequence[Document], min_rows: int | None = None, max_rows: int | None = None,
               every: int | None = None) -> list[list[Document]]:
    """The `documents` rows in published order, cut into content-defined groups (at least one).

    A group ends after a row whose doc_id hashes to a boundary (one in `every`), once it has
    `min_rows`. A group that reaches `max_rows` first is cut at its last backup boundary (one in
    `every` // 8, past `min_rows`), else at `max_rows` (TTTD, Eshghi and Tang 2005): the cut still
    depends on content, so an added row seldom shifts the next group. An added or changed row thus
    changes its own group, and a rebuild reuses every other group's Parquet file (`table_cache`).
    """
    min_rows = GROUP_MIN_ROWS if min_rows is None else min_rows  # (read here, so tests can set them)
    max_rows = GROUP_MAX_ROWS if max_rows is None else max_rows
    every = GROUP_BOUNDARY_EVERY if every is None else every
    backup_every = max(1, every // 8)
    groups: list[list[Document]] = []
    current: list[Document] = []
    backup = 0  # rows of `current` up to its last backup boundary (0: none yet)
    for d in rows_for("documents", docs):
        current.append(d)
        if len(current) < min_rows:
            continue
        h = _boundary_hash(d.doc_id)
        if h % backup_every == 0:
            backup = len(current)
        ends = h % every == 0
        if ends or len(current) >= max_rows:
            cut = len(current) if ends else backup or len(current)
            groups.append(current[:cut])
            current, backup = current[cut:], 0  # rows carried over hold no boundary of either kind
    if current or not groups:
        groups.append(current)
    return groups


def group_tables(rows: Sequence[Document], texts: TextColumns, configs: Collection[str] = CONFIGS
                 ) -> Iterator[tuple[str, pa.Table]]:
    """(config, table) of one row group for each of `configs`, in the order documents, raw, canonical.

    The `documents` and `raw` tables share one set of text columns (`texts(rows)`: the build's spill
    reads them straight into Arrow buffers); `canonical` is the same rows filtered, cut from the
    `documents` table. A group without canonical rows yields no canonical table.
    """
    columns = texts(rows)
    table = _table("documents", rows, columns)
    if "raw" in configs:
        raw = _table("raw", rows, columns)
    del columns
    if "documents" in configs:
        yield "documents", table
    if "raw" in configs:
        yield "raw", raw
        del raw
    if "canonical" in configs and any(d.is_canonical for d in rows):
        canonical_names = [f.name for f in fields_for("canonical")]
        yield "canonical", _contiguous(table.filter(table.column("is_canonical")).select(canonical_names))



def columns_of(config: str, rows: Sequence[Document], names: Collection[str]) -> pa.Table:
    """Some small columns of `config` for `rows` (no texts needed)."""
    schema = arrow_schema(config)
    chosen = [f for f in fields_for(config) if f.name in names]
    return pa.table({f.name: _column(rows, f.name, f.type) for f in chosen},
                    schema=pa.schema([schema.field(f.name) for f in chosen]))


def config_rows(config: str, group: Sequence[Document]) -> list[Document]:
    """A group's rows in `config` (canonical: its canonical rows only)."""
    return [d for d in group if d.is_canonical] if config == "canonical" else list(group)


def iter_all_tables(docs: Sequence[Document], texts: TextColumns) -> Iterator[tuple[str, pa.Table]]:
    """(config, table) for every config and row group; concatenated per config, equal to `build_table`.
    A config without rows still gets one (empty) table."""
    seen: set[str] = set()
    for rows in row_groups(docs):
        for config, table in group_tables(rows, texts):
            seen.add(config)
            yield config, table
    for config in CONFIGS:
        if config not in seen:
            yield config, arrow_schema(config).empty_table()


def _contiguous(table: pa.Table) -> pa.Table:
    """One chunk per column, as a freshly built table has: Parquet pages and `nbytes` then match."""
    return table.combine_chunks().cast(arrow_schema("canonical"))


@dataclass(frozen=True, slots=True)
class TableSummary:
    """What the card needs of a written table, so the table itself can be dropped."""

    schema: pa.Schema
    nbytes: int
    num_rows: int
