"""Validate stage: Great Expectations 1.x expectations generated from the schema.

`suite_spec(config)` is a pure, JSON-able list derived from `schema/fields.yaml`; it is written to
`validation/<config>.expectations.json` (committed; a test checks it does not drift) and turned
into a GX suite at run time. Great Expectations is imported only in this module, through
`gx_loader` (which defers the parts of it no suite here runs).
"""

from __future__ import annotations

import collections
import gc
import json
import logging
import math
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import memory, scratch, session
from .config import CHECKER_PRELOAD
from .engine import preloaded_pool
from .record import ROW_PARTS, part_of
from .schema import PROJECT_ROOT, fields_for

VALIDATION_DIR = PROJECT_ROOT / "validation"
VALIDATED_CONFIGS = ("documents", "canonical", "raw")
_LIST_TYPES = {"list<string>", "list<marker>"}


def suite_spec(config: str) -> list[dict]:
    """Expectations (type + kwargs) for one config, in schema order."""
    out: list[dict] = []
    for f in fields_for(config):
        out.append({"type": "expect_column_to_exist", "kwargs": {"column": f.name}})
        if not f.nullable:
            out.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": f.name}})
        if f.values:
            out.append({"type": "expect_column_values_to_be_in_set",
                        "kwargs": {"column": f.name, "value_set": list(f.values)}})
        if f.pattern:
            out.append({"type": "expect_column_values_to_match_regex",
                        "kwargs": {"column": f.name, "regex": f.pattern}})
        if f.unique:
            out.append({"type": "expect_column_values_to_be_unique", "kwargs": {"column": f.name}})
        if (f.min is not None or f.max is not None) and f.type not in _LIST_TYPES:
            out.append({"type": "expect_column_values_to_be_between",
                        "kwargs": {"column": f.name, "min_value": f.min, "max_value": f.max}})
    if config == "canonical":
        out.append({"type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "is_canonical", "value_set": [True]}})
    keys = [(e["type"], e["kwargs"]["column"]) for e in out]
    assert len(keys) == len(set(keys)), "results are matched by (type, column): keep it unique"
    return out


def suite_file(config: str) -> Path:
    return VALIDATION_DIR / f"{config}.expectations.json"


def render_suite(config: str) -> str:
    return json.dumps({"name": config, "expectations": suite_spec(config)}, ensure_ascii=False, indent=2) + "\n"


def write_suites() -> None:
    VALIDATION_DIR.mkdir(exist_ok=True)
    for config in VALIDATED_CONFIGS:
        suite_file(config).write_text(render_suite(config), encoding="utf-8")


@dataclass(frozen=True, slots=True)
class ValidationReport:
    success: bool
    results: list[dict]  # one per expectation, in suite order

    def failures(self) -> list[dict]:
        return [r for r in self.results if not r["success"]]

    def describe_failures(self) -> str:
        lines = []
        for r in self.failures():
            lines.append(f"  [{r['config']}] {r['type']} on {r['column']}: {r['unexpected_count']} rows "
                         f"(doc_ids {', '.join(map(str, r['doc_ids'][:10]))}; values {r['unexpected_values'][:5]})")
        return "\n".join(lines)


def _jsonable(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


# Expectations that need the whole column at once; the others hold row by row, so they are
# checked batch by batch as the tables are written.
_WHOLE_COLUMN = frozenset({"expect_column_values_to_be_unique"})
# Expectations on the table's columns, not its rows: every batch of a config has the same schema
# (checked), so they run once, in the validation of its first batch (they were 39 of a batch's 79
# GX expectations).
_SCHEMA_LEVEL = frozenset({"expect_column_to_exist"})
# Expectations that look only at whether a value is null, not at the value.
_NULLNESS_ONLY = frozenset({"expect_column_values_to_not_be_null"})


# A row-level expectation looks at one column and holds row by row, so its outcome for a row
# depends on that column's value alone. A row's expectations therefore come in two parts (`ROW_PARTS`),
# checked and noted (`table_cache`) apart: those on the columns the per-file stages set, which a
# rebuild checks for its new rows while dedup runs (`SuiteRunner.precheck`), and those on the
# columns dedup assigns.


def part_spec(config: str, part: str) -> list[dict]:
    """The row-level expectations of `config` on the columns of `part`, in suite order."""
    return [e for e in suite_spec(config)
            if e["type"] not in _WHOLE_COLUMN | _SCHEMA_LEVEL and part_of(e["kwargs"]["column"]) == part]


def part_specs() -> dict[str, dict[str, list[dict]]]:
    """Per config, each part that has expectations: its expectations."""
    return {c: {p: spec for p in ROW_PARTS if (spec := part_spec(c, p))} for c in VALIDATED_CONFIGS}


# `SuiteRunner.check_whole`'s one table of every config's whole columns: "<config>/<column>".
_JOIN = "/"
_JOINED = "whole columns"


def _joined(config: str, column: str) -> str:
    return f"{config}{_JOIN}{column}"


def _joined_spec(config: str, spec: list[dict]) -> list[dict]:
    """`spec`'s expectations on their `<config>/<column>` columns of a joined table."""
    return [{"type": e["type"], "kwargs": {**e["kwargs"], "column": _joined(config, e["kwargs"]["column"])}}
            for e in spec]


def _id_column(column: str | None) -> str:
    """The column naming the rows of a result on `column` (a joined column's config's doc_id)."""
    return _joined(column.split(_JOIN, 1)[0], "doc_id") if column and _JOIN in column else "doc_id"


class _Checker:
    """One Great Expectations context; checks a table against part of a suite."""

    def __init__(self) -> None:
        from .gx_loader import ProgressBarsConfig, gx, pandas_execution_engine, remember_configurations

        # GX fingerprints every dataframe batch smaller than this (an MD5 of pandas' hash of every
        # cell, computed twice per validation) for a batch marker nothing here reads: 80 % of a
        # check's time. Zero turns the marker off; the expectations are unaffected.
        pandas_execution_engine.HASH_THRESHOLD = 0
        remember_configurations()  # each expectation's configuration made once per check, not ~50 times

        # GX logs at INFO on some of its own loggers (e.g. "Created temporary directory" per run).
        for name in ("great_expectations", "great_expectations.data_context.types.base"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._gx = gx
        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        # One data source, asset and batch definition for every check: adding and deleting them per
        # check re-serialized the context's whole configuration to YAML four times (~30 % of a
        # small check). Each check's dataframe is dropped from the engine's caches after it.
        self._source = ctx.data_sources.add_pandas("checks")
        self._batches = self._source.add_dataframe_asset("batch").add_batch_definition_whole_dataframe("all")
        # What exists once GX has loaded (its classes, this process's modules) leaves the full
        # collection each batch runs (see `check`), which otherwise costs ~0.25 s apiece.
        gc.collect()
        gc.freeze()

    def check(self, config: str, table: pa.Table, spec: list[dict]) -> list[dict]:
        """One partial result per expectation: key, success, count, values and doc_ids of bad rows."""
        from .gx_loader import forget_configurations

        gx = self._gx
        df = table.to_pandas(types_mapper=pd.ArrowDtype)  # Arrow-backed: no Python string per cell
        batch = self._batches.get_batch(batch_parameters={"dataframe": df})
        suite = gx.ExpectationSuite(name=config, expectations=[_expectation(gx, e) for e in spec])
        # Pass/fail first (3x faster); the unexpected rows are listed only for a batch that fails.
        res = batch.validate(suite, result_format="BOOLEAN_ONLY")
        if not res.success:
            res = batch.validate(suite, result_format="COMPLETE")
        out = []
        for r in res.results:
            index = r.result.get("unexpected_index_list") or []
            ids = _id_column(r.expectation_config.kwargs.get("column"))
            out.append({
                # Results do not come back in suite order; (type, column) is unique within a suite.
                "key": (r.expectation_config.type, r.expectation_config.kwargs.get("column")),
                "success": bool(r.success),
                "unexpected_count": int(r.result.get("unexpected_count") or 0),
                "unexpected_values": [_jsonable(v) for v in (r.result.get("unexpected_list") or [])[:20]],
                "doc_ids": [df[ids].iloc[i] for i in index if isinstance(i, int)] if ids in df else [],
            })
        del batch, df, res
        forget_configurations()
        # The engine keeps every batch it loaded (which would keep the whole corpus in memory), and
        # GX's batch, engine and data source refer to each other, so the frame is freed only by the
        # cycle collector, whose full passes are rare: without both a checker kept every batch
        # (~50 MB each; 1.1 GB at 100k documents).
        engine = self._source.get_execution_engine()
        engine.batch_manager.batch_data_cache.clear()
        engine.batch_manager.reset_batch_cache()
        gc.collect()
        return out


_WORKER_CHECKER: _Checker | None = None


def _worker_checker() -> _Checker:
    """This checker process's one checker, made on first use."""
    global _WORKER_CHECKER
    if _WORKER_CHECKER is None:
        _WORKER_CHECKER = _Checker()
    return _WORKER_CHECKER


def _warm_up() -> None:
    """Make this process's checker (returns nothing: a checker is not sent back to the parent)."""
    _worker_checker()


def _check_in_worker(config: str, path: str, spec: list[dict]) -> list[dict]:
    """Check a batch handed over as an Arrow IPC file (read, then deleted; memory trimmed after)."""
    try:
        # Read, not memory-mapped: a mapping lives as long as anything in GX or pandas still
        # references the frame, and a checker sees a hundred batches at 100k documents.
        with pa.OSFile(path) as source:
            table = pa.ipc.open_file(source).read_all()
        return _worker_checker().check(config, table, spec)
    finally:
        os.unlink(path)
        memory.trim()


# Row groups checked in one GX validation: GX's fixed work per expectation outweighs its work per
# row once the texts travel as their null pattern (`_nulls_of_texts`): a `documents` validation
# took ~0.2 s of CPU for 650 to 30,000 rows, 0.39 s for 100,000. So groups (~650 rows each, see
# `tables.row_groups`) travel 48 at a time; the last validation of a build, which nothing else
# overlaps, costs about as much whatever its size.
GROUPS_PER_CHECK = 48
# Validations queued per checker: with one, the caller (writing Parquet) often waited for them.
PENDING_PER_CHECKER = 2


@dataclass(slots=True)
class _Handover:
    """An Arrow IPC file being filled with tables for one checker validation."""

    path: str
    sink: pa.OSFile
    writer: pa.ipc.RecordBatchFileWriter
    spec: list[dict]
    schema: pa.Schema
    n_tables: int = 0


# A long-running process (`session.KEEP`) keeps its checker processes, and its in-process checker,
# from one build to the next: each would otherwise start and make its GX context again.
_KEPT_POOLS: dict[int, ProcessPoolExecutor] = {}


class SuiteRunner:
    """Runs the generated suites with the real Great Expectations, one batch of rows at a time.

    `add(config, table)` checks the row-level expectations on a batch and keeps only the (small)
    columns of whole-column expectations; `report()` checks those on the whole column and merges
    everything into one result per expectation, in suite order. With `workers` > 1 the batches are
    checked in a process pool while the caller goes on (PENDING_PER_CHECKER queued per worker;
    GROUPS_PER_CHECK batches travel together as an Arrow IPC file written as they come, so the
    caller keeps no copy); results are merged per config in row order, so the report does not
    depend on the worker count.
    """

    def __init__(self, workers: int = 1) -> None:
        # Forked from a fresh server process, not from this one: a checker needs GX and one batch,
        # not a copy of the parent's memory; the server imports GX once for all checkers.
        self._pool = _KEPT_POOLS.get(workers) if session.KEEP else None
        self._kept = self._pool is not None
        if self._pool is None:
            self._pool = preloaded_pool(workers, CHECKER_PRELOAD)
            if session.KEEP and self._pool is not None:
                _KEPT_POOLS[workers] = self._pool
                self._kept = True
        self._checker = None if self._pool else (_worker_checker() if session.KEEP else _Checker())
        if self._pool is not None:
            # Each checker makes its GX context now, not at its first batch (the server has already
            # imported GX): a runner made while the files are processed has them ready for the tables.
            for _ in range(workers):
                self._pool.submit(_warm_up)
        self._max_pending = PENDING_PER_CHECKER * workers
        self._n_handed = 0
        self._handover = scratch.folder("validate") if self._pool else None
        self._pending: collections.deque[tuple[str, Future]] = collections.deque()
        self._open: dict[str, _Handover] = {}  # per config: the handover file being filled
        self._merged: dict[str, dict[tuple[str, str], dict]] = {}
        self._whole: dict[str, dict[str, list[pa.ChunkedArray]]] = {}
        self._whole_given: set[str] = set()  # configs whose whole columns came to `check_whole`
        self._early: list[Future] = []  # `check_whole`'s check in the pool
        self._schemas: dict[str, pa.Schema] = {}  # each config's first batch's

    def __enter__(self) -> SuiteRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        for open_ in self._open.values():  # left open by a build that stopped before report()
            open_.sink.close()
        self._open.clear()
        if self._pool is not None:
            if not self._kept:
                self._pool.shutdown(cancel_futures=True)
            self._handover.cleanup()

    def _start(self, config: str) -> None:
        """One (so far passing) result per expectation of the config's suite, in suite order."""
        merged = self._merged.setdefault(config, {})
        for e in suite_spec(config):
            merged.setdefault((e["type"], e["kwargs"]["column"]), _empty_result(config, e))

    def check_whole(self, columns: dict[str, pa.Table]) -> None:
        """Check the whole-column expectations now, on `columns[config]` (the `whole_columns` of every
        row of the config, in published order), instead of on the batches' columns at `report()`:
        they need no texts, so the checkers run them while the batches are still being made.

        All configs go in one GX validation (a validation's fixed cost is most of it): their columns
        side by side as `<config>/<column>`, the shorter ones padded with nulls, which map
        expectations such as uniqueness leave out; the results are merged back per config."""
        joined: dict[str, pa.Array] = {}
        spec: list[dict] = []
        n = max((t.num_rows for t in columns.values()), default=0)
        for config, table in columns.items():
            self._start(config)
            self._whole_given.add(config)
            for name in table.column_names:
                column = table.column(name).combine_chunks()
                joined[_joined(config, name)] = pa.concat_arrays([column, pa.nulls(n - len(column), column.type)])
            spec += _joined_spec(config, [e for e in suite_spec(config) if e["type"] in _WHOLE_COLUMN])
        if not spec:
            return
        table = pa.table(joined)
        if self._pool is None:
            self._merge_joined(self._checker.check(_JOINED, table, spec))
            return
        self._early.append(self._send(_JOINED, table, spec))

    def add(self, config: str, table: pa.Table, schema_checked: bool = False, part: str | None = None) -> None:
        """Check a batch's row-level expectations (only those of `part`, if given); its schema-level
        ones too when it is the config's first batch, unless `schema_checked` (an earlier run under
        the same code passed them)."""
        spec = suite_spec(config)
        self._start(config)
        with_schema = self._with_schema(config, table, schema_checked)
        self._schemas.setdefault(config, table.schema)
        skip = _WHOLE_COLUMN if with_schema else _WHOLE_COLUMN | _SCHEMA_LEVEL
        run = [e for e in spec if e["type"] not in skip
               and (part is None or e["type"] in _SCHEMA_LEVEL or part_of(e["kwargs"]["column"]) == part)]
        checked = table
        if not with_schema:  # no schema-level checks: only the columns the rest look at
            checked = _looked_at(table, run)
        self._submit(config, _nulls_of_texts(checked, run), run)
        self._keep_whole(config, table)

    def add_together(self, batches: dict[str, tuple[pa.Table, str]], schemas_checked: dict[str, bool]) -> bool:
        """`add` of several configs' batches of as many rows, each config's (table, part) checked on
        that part only, in one GX validation (for a few rows its fixed cost is nearly all of it):
        their columns side by side as `<config>/<column>`, as in `precheck_many`, the results merged
        into each config's. False, and nothing done, when there are fewer than two, their lengths
        differ, or one needs its schema checked (`add` then, one by one)."""
        if len(batches) < 2 or len({table.num_rows for table, _ in batches.values()}) != 1 or any(
                self._with_schema(config, table, schemas_checked[config]) for config, (table, _) in batches.items()):
            return False
        for config, (table, _) in batches.items():
            self._start(config)
            self._schemas.setdefault(config, table.schema)
            self._keep_whole(config, table)
        table, spec = _side_by_side({config: (t, part_spec(config, part)) for config, (t, part) in batches.items()})
        if self._pool is None:
            self._merge_joined(self._checker.check(_JOINED, table, spec))
            return True
        for config in batches:  # the configs' results are merged in the order they were handed over
            if config in self._open:
                self._hand_over(config)
        self._pend(_JOINED, self._send(_JOINED, table, spec))
        return True

    def _with_schema(self, config: str, table: pa.Table, schema_checked: bool) -> bool:
        """Whether a batch of `config` goes with the schema-level checks (see `add`)."""
        if config not in self._schemas:
            return not schema_checked
        if not table.schema.equals(self._schemas[config], check_metadata=True):
            raise ValueError(f"validate: a {config} batch's schema differs from its first batch's")
        # The schema-level checks of the config's first batch go on travelling with the batches
        # after it while its handover is open: one GX validation for them all, not one for the
        # first batch alone (their outcome depends on the schema, which the batches share).
        open_ = self._open.get(config)
        return open_ is not None and any(e["type"] in _SCHEMA_LEVEL for e in open_.spec)

    def _keep_whole(self, config: str, table: pa.Table) -> None:
        """Keep a batch's whole columns for `report`, unless `check_whole` was given them."""
        if config not in self._whole_given:
            whole = self._whole.setdefault(config, {})
            for name in self.whole_columns(config):
                if name in table.column_names:
                    whole.setdefault(name, []).append(table.column(name))

    def precheck(self, config: str, table: pa.Table, part: str) -> Callable[[], bool]:
        """Check `part` of `config`'s row-level expectations on `table` now, apart from the report
        (in a checker, if there are any). Returns a call that tells, waiting if need be, whether
        every row passed: a row that did need not be checked again (`table_cache`); one that did
        not is checked again with the others, so its failure is reported in full."""
        spec = part_spec(config, part)
        if not spec:
            return lambda: True
        results = self._check_now(config, _nulls_of_texts(_looked_at(table, spec), spec), spec)
        return lambda: all(r["success"] for r in results())

    def precheck_many(self, tables: dict[str, pa.Table], part: str) -> dict[str, Callable[[], bool]]:
        """`precheck` of several configs' tables of the same rows: one GX validation for them all
        (for a few rows its fixed cost is nearly all of it), their columns side by side as
        `<config>/<column>` like `check_whole`'s; each config's call tells whether its rows passed.
        Tables of unequal lengths are checked one by one."""
        specs = {config: part_spec(config, part) for config in tables}
        together = [config for config in tables if specs[config]]
        if len(together) < 2 or len({tables[config].num_rows for config in together}) != 1:
            return {config: self.precheck(config, table, part) for config, table in tables.items()}
        joined = _side_by_side({config: (tables[config], specs[config]) for config in together})
        results = self._check_now(_JOINED, *joined)

        def passed(config: str) -> Callable[[], bool]:
            return lambda: all(r["success"] for r in results() if r["key"][1].split(_JOIN, 1)[0] == config)

        return {config: passed(config) if config in together else (lambda: True) for config in tables}

    def _check_now(self, config: str, table: pa.Table, spec: list[dict]) -> Callable[[], list[dict]]:
        """Check `table` at once, apart from the batches: here, or handed to a checker. Returns a
        call that gives the results (waiting for the checker if need be)."""
        if self._pool is None:
            done = self._checker.check(config, table, spec)
            return lambda: done
        return self._send(config, table, spec).result

    def flush(self) -> None:
        """Send the batches gathered so far to the checkers now, not once GROUPS_PER_CHECK are in."""
        for config in list(self._open):
            self._hand_over(config)

    @staticmethod
    def whole_columns(config: str) -> list[str]:
        """The columns the whole-column expectations (and their reports' doc_ids) need of every batch."""
        spec = suite_spec(config)
        names = {e["kwargs"]["column"] for e in spec if e["type"] in _WHOLE_COLUMN} | {"doc_id"}
        return [f.name for f in fields_for(config) if f.name in names]

    def report(self) -> ValidationReport:
        for config, columns in self._whole.items():
            spec = [e for e in suite_spec(config) if e["type"] in _WHOLE_COLUMN]
            if spec and columns:
                table = pa.table({name: pa.chunked_array(chunks) for name, chunks in columns.items()})
                self._submit(config, table, spec)
        for config in list(self._open):
            self._hand_over(config)
        while self._pending:
            self._collect()
        for future in self._early:
            self._merge_joined(future.result())
        self._early.clear()
        results = []
        order = {c: i for i, c in enumerate(VALIDATED_CONFIGS)}
        for config in sorted(self._merged, key=lambda c: order.get(c, len(order))):
            for r in self._merged[config].values():
                r["doc_ids"] = sorted(r["doc_ids"])[:100]
                results.append(r)
        return ValidationReport(all(r["success"] for r in results), results)

    def _submit(self, config: str, table: pa.Table, spec: list[dict]) -> None:
        """Check `table` against `spec`: here, or appended to the config's open handover file, which
        goes to a checker once it holds GROUPS_PER_CHECK tables checked against the same spec."""
        if not spec:
            return
        if self._pool is None:
            self._merge(config, self._checker.check(config, table, spec))
            return
        open_ = self._open.get(config)
        if open_ is not None and (open_.spec != spec or not open_.schema.equals(table.schema)):
            self._hand_over(config)
            open_ = None
        if open_ is None:
            path = self._handover_path()
            sink = pa.OSFile(path, "wb")
            open_ = self._open[config] = _Handover(path, sink, pa.ipc.new_file(sink, table.schema), spec,
                                                   table.schema)
        open_.writer.write_table(table)
        open_.n_tables += 1
        if open_.n_tables >= GROUPS_PER_CHECK:
            self._hand_over(config)

    def _send(self, config: str, table: pa.Table, spec: list[dict]) -> Future:
        """Hand `table` to a checker at once, as an Arrow IPC file of its own."""
        path = self._handover_path()
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        return self._pool.submit(_check_in_worker, config, path, spec)

    def _handover_path(self) -> str:
        self._n_handed += 1
        return os.path.join(self._handover.name, f"batch-{self._n_handed}.arrow")

    def _hand_over(self, config: str) -> None:
        """Close the config's open handover file and queue it for a checker."""
        open_ = self._open.pop(config)
        open_.writer.close()
        open_.sink.close()
        self._pend(config, self._pool.submit(_check_in_worker, config, open_.path, open_.spec))

    def _pend(self, config: str, future: Future) -> None:
        self._pending.append((config, future))
        while len(self._pending) > self._max_pending:  # bound the batches held in flight
            self._collect()

    def _collect(self) -> None:
        config, future = self._pending.popleft()
        if config == _JOINED:
            self._merge_joined(future.result())
        else:
            self._merge(config, future.result())

    def _merge_joined(self, partials: list[dict]) -> None:
        """Merge the results of a validation of joined columns into each config's."""
        for p in partials:
            kind, column = p["key"]
            config, name = column.split(_JOIN, 1)
            self._merge(config, [{**p, "key": (kind, name)}])

    def _merge(self, config: str, partials: list[dict]) -> None:
        merged = self._merged[config]
        for p in partials:
            out = merged[p["key"]]
            out["success"] = out["success"] and p["success"]
            out["unexpected_count"] += p["unexpected_count"]
            out["unexpected_values"] = (out["unexpected_values"] + p["unexpected_values"])[:20]
            out["doc_ids"] += p["doc_ids"]


def _side_by_side(checks: dict[str, tuple[pa.Table, list[dict]]]) -> tuple[pa.Table, list[dict]]:
    """Several configs' tables of as many rows, each with its expectations, as one table and one
    spec: each table's looked-at columns (texts as their null pattern) as `<config>/<column>`."""
    joined: dict[str, pa.ChunkedArray] = {}
    spec: list[dict] = []
    for config, (table, run) in checks.items():
        checked = _nulls_of_texts(_looked_at(table, run), run)
        for name in checked.column_names:
            joined[_joined(config, name)] = checked.column(name)
        spec += _joined_spec(config, run)
    return pa.table(joined), spec


def _looked_at(table: pa.Table, run: list[dict]) -> pa.Table:
    """`table`'s columns that the expectations of `run` look at, and doc_id (it names a bad row)."""
    wanted = {e["kwargs"]["column"] for e in run} | {"doc_id"}
    return table.select([c for c in table.column_names if c in wanted])


def _nulls_of_texts(table: pa.Table, run: list[dict]) -> pa.Table:
    """`table` with each string column that `run` checks only for nulls or presence (the texts)
    replaced by its null pattern: "" where a value is, null where none is. Those checks' results
    are the same, and the texts (most of a batch's bytes) are neither copied to a checker nor taken
    row by row by GX: ~40 % of a `documents` check's time."""
    looks = collections.defaultdict(set)
    for e in run:
        looks[e["kwargs"]["column"]].add(e["type"])
    for i, name in enumerate(table.column_names):
        column = table.column(i)
        if name != "doc_id" and looks[name] <= _NULLNESS_ONLY | _SCHEMA_LEVEL and \
                (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            present, absent = pa.scalar("", column.type), pa.scalar(None, column.type)
            table = table.set_column(i, table.field(i), pc.if_else(pc.is_valid(column), present, absent))
    return table


def _empty_result(config: str, e: dict) -> dict:
    return {"config": config, "type": e["type"], "column": e["kwargs"]["column"], "success": True,
            "unexpected_count": 0, "unexpected_values": [], "doc_ids": []}


def validate_tables(tables: dict[str, pa.Table]) -> ValidationReport:
    """Run the generated suite on each config's whole table."""
    with SuiteRunner() as runner:
        for config, table in tables.items():
            runner.add(config, table)
        return runner.report()


def _expectation(gx: object, spec: dict) -> object:
    """GX expectation class from its snake_case type name (expect_column_... -> ExpectColumn...)."""
    cls_name = "".join(part.capitalize() for part in spec["type"].split("_"))
    return getattr(gx.expectations, cls_name)(**spec["kwargs"])
