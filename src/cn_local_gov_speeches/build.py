"""One build, and watch mode's rebuilds: the stages wired together, raw/ to dist/<name>.

`pipeline.run` takes the inputs to deduplicated documents; `validate_and_write` makes each
config's row groups, has the checkers validate them and writes the Parquet files meanwhile; then
`publish` writes the card, citation and metadata and swaps the folder in. `cli.main` calls
`build` or `watch` once it has started the checkers' server.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import functools
import gc
import importlib
import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import annotate, clean, decode, memory, scratch
from .config import (
    CHECKER_PRELOAD,
    GROUP_MAX_ROWS,
    BuildConfig,
    ProjectInfo,
    project_info,
)
from .engine import start_preloaded_server
from .pipeline import BuildResult, Listing, clean_document, process_text, run
from .profiles import load_profiles
from .progress import progress
from .schema import arrow_schema
from .spill import DocumentSpill

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import pyarrow as pa

    from . import table_cache, tables, validate
    from .record import Document

# Threads writing the Parquet files, while the main thread makes the next row group's tables.
_WRITER_THREADS = 2
# Imported only once the per-file workers are running (see `_LateStages`): the stages after the
# per-file ones.
_LATE_MODULES = (f"{__package__}.publish", f"{__package__}.tables", f"{__package__}.validate")


def explain(path: Path) -> int:
    doc = decode.decode_bytes(path.read_bytes(), path.name)
    if not hasattr(doc, "raw_text"):
        print(f"{path}: quarantined at {doc.stage}: {doc.reason}: {doc.detail}")
        return 1
    cleaning = clean_document(doc)
    print(f"{path}: decoded as {doc.encoding}" + ("; a web page, read as its shown text" if cleaning.page else ""))
    print(clean.explain(cleaning.cleaned))
    annotated = process_text(doc, cleaning)
    if not hasattr(annotated, "raw_text"):
        print(f"{path}: quarantined at {annotated.stage}: {annotated.reason}: {annotated.detail}")
        return 1
    print(annotate.explain(annotated))
    return 0


@dataclass
class Written:
    """What `validate_and_write` yields once every table is made, while the last files are still
    being written and the checkers may still be checking: the configs' totals; the validation report
    (`report`: waits for the checkers); `sums` (SHA-256 of every Parquet file, by path) once the
    files are written."""

    summaries: dict[str, tables.TableSummary]
    runner: validate.SuiteRunner
    sums: dict[Path, str]

    @functools.cached_property
    def report(self) -> validate.ValidationReport:
        return self.runner.report()


@contextlib.contextmanager
def validate_and_write(
    result: BuildResult, spill: DocumentSpill, folder: Path, info: ProjectInfo, runner: validate.SuiteRunner,
    kept: table_cache.TableCache | None = None,
) -> Iterator[Written]:
    """Every config, one content-defined row group at a time: a group kept by an earlier build is
    linked from `kept`; any other has its texts restored, is validated with `runner` (in its
    processes while the next group is restored) and written to `folder`. Yields once every table is
    made and handed to the checkers, while the last ones are written and checked: the caller writes
    the metadata meanwhile (~0.1 s at 10k rows, as long as a rebuild's writes; `Written.report`
    waits for the checkers); on leaving, the writes are awaited and `sums` filled."""
    from . import publish, tables, validate

    groups = tables.row_groups(result.documents)
    canonical_groups = [k for k, rows in enumerate(groups) if any(d.is_canonical for d in rows)]
    index = {"documents": list(range(len(groups))), "raw": list(range(len(groups))),
             "canonical": [None] * len(groups)}
    for i, k in enumerate(canonical_groups):
        index["canonical"][k] = i
    files = publish.GroupFiles(folder, info, {c: len(groups) if c != "canonical" else len(canonical_groups)
                                              for c in tables.CONFIGS})
    known: dict[Path, str] = {}
    # The whole-column checks first, on every row (published order: the groups in turn): the
    # checkers run them while the groups are made, and a reused group then needs no check at all.
    ordered = [d for rows in groups for d in rows]
    runner.check_whole({c: tables.columns_of(c, tables.config_rows(c, ordered), runner.whole_columns(c))
                        for c in tables.CONFIGS})
    total = sum(tables.n_rows(c, result.documents) for c in tables.CONFIGS)
    with progress("validate+write", total=total, unit="row") as bar, \
            concurrent.futures.ThreadPoolExecutor(_WRITER_THREADS, thread_name_prefix="parquet") as writer:
        plan = []  # per group: (its rows, configs whose file is made afresh, their keys and fresh rows)
        for k, rows in enumerate(groups):
            todo, keys, fresh = [], {}, {}
            for config in tables.CONFIGS:
                if index[config][k] is None:
                    continue
                config_rows = tables.config_rows(config, rows)
                keys[config] = kept.key(config, config_rows) if kept is not None else None
                path = files.path(config, index[config][k])
                hit = kept.take(keys[config], path) if kept is not None else None
                if hit is None:
                    todo.append(config)
                    fresh[config] = kept.unvalidated(config, config_rows) if kept is not None else None
                    continue
                files.count(config, hit.num_rows, hit.nbytes)
                known[path] = hit.sha256
                bar.advance(hit.nbytes, hit.num_rows)
            plan.append((rows, todo, keys, fresh))
        checked = _validate_fresh_rows_first(plan, runner, spill, kept)
        # Each group's files are written in threads (Parquet's compression runs without the GIL)
        # while the next group's tables are made here; a group's writes are awaited once the next
        # made group's tables are, so at most two groups' texts are held at a time. A group whose
        # files are all reused makes nothing and awaits nothing: a rebuild's one remade group is
        # still being written while the metadata is (see `Written`).
        previous: list[concurrent.futures.Future] = []
        for k, (rows, todo, keys, fresh) in enumerate(plan):
            if not todo:
                continue
            in_flight: list[concurrent.futures.Future] = []
            for config, table in tables.group_tables(rows, spill.text_columns, todo):
                if not checked:
                    _validate_fresh(runner, config, table, kept, fresh[config])
                files.count(config, table.num_rows, int(table.nbytes))
                in_flight.append(writer.submit(files.write_file, config, index[config][k], table))
                in_flight[-1].add_done_callback(_remember(kept, keys[config], table.num_rows, int(table.nbytes)))
                bar.advance(int(table.nbytes), table.num_rows)
                del table
            if previous:  # an earlier group's tables are written: hand their pages back
                for future in previous:
                    future.result()
                memory.trim()
            previous = in_flight
        if not canonical_groups:  # every config gets a file, so each one loads
            files.write("canonical", 0, arrow_schema("canonical").empty_table())
        out = Written({c: files.summary(c) for c in validate.VALIDATED_CONFIGS}, runner, known)
        try:
            yield out
        finally:
            for future in previous:
                future.result()
        known.update(files.sums)


def _validate_fresh_rows_first(plan: list, runner: validate.SuiteRunner, spill: DocumentSpill,
                               kept: table_cache.TableCache | None) -> bool:
    """When the rows no passed build had are few (a rebuild after a small change), send them to the
    checkers now, in tables of their own, so Great Expectations runs while the groups holding them
    are made and written. False (nothing checked) when there is no cache, or they are too many to
    hold at once or most of the remade rows (then making their tables twice would cost more): then
    each group is checked as it is made."""
    from . import tables

    if kept is None:
        return False
    picked: list = []
    configs: set[str] = set()
    remade = 0
    for rows, todo, _, fresh in plan:
        if not todo:
            continue
        canonical = [i for i, d in enumerate(rows) if d.is_canonical]
        at = {i for c in ("documents", "raw") for part in (fresh.get(c) or {}).values() for i in part}
        at |= {canonical[j] for part in (fresh.get("canonical") or {}).values() for j in part}
        picked.extend(rows[i] for i in sorted(at))
        configs.update(todo)
        remade += len(rows)
        if len(picked) > GROUP_MAX_ROWS:
            return False
    if 2 * len(picked) > remade:
        return False
    made = dict(tables.group_tables(picked, spill.text_columns, configs)) if picked else {}
    fresh = {config: kept.unvalidated(config, tables.config_rows(config, picked)) for config in made}
    if not _validate_together(runner, made, fresh, kept):
        for config, table in made.items():
            _validate_fresh(runner, config, table, kept, fresh[config])
    runner.flush()
    return True


def _validate_together(runner: validate.SuiteRunner, made: dict[str, pa.Table], fresh: dict[str, dict[str, list[int]]],
                       kept: table_cache.TableCache) -> bool:
    """The configs' fresh rows in one GX validation (`SuiteRunner.add_together`) when each config's
    are fresh in one part only, and as many: a rebuild's new rows, whose per-file part was checked
    during dedup. False (nothing done) otherwise."""
    batches: dict[str, tuple[pa.Table, str]] = {}
    for config, table in made.items():
        parts = [(part, rows) for part, rows in fresh[config].items() if rows]
        if len(parts) > 1:
            return False
        for part, rows in parts:
            batches[config] = (table if len(rows) == table.num_rows else table.take(rows), part)
    return runner.add_together(batches, {config: kept.schema_validated(config) for config in batches})


def _validate_fresh(runner: validate.SuiteRunner, config: str, table: pa.Table,
                    kept: table_cache.TableCache | None, fresh: dict[str, list[int]] | None) -> None:
    """Check each part of the rows of `table` at `fresh[part]` (every row and part when None): the
    others passed in an earlier build. A config's schema is checked with its first batch, if with none
    under the same code before: so a first build checks each config in one go."""
    known_schema = kept is not None and kept.schema_validated(config)
    if fresh is None or all(len(rows) == table.num_rows for rows in fresh.values()):
        runner.add(config, table, known_schema)
        return
    for part, rows in fresh.items():
        if rows:
            runner.add(config, table if len(rows) == table.num_rows else table.take(rows), known_schema, part)


def _remember(kept: table_cache.TableCache | None, key: str | None, num_rows: int, nbytes: int
              ) -> Callable[[concurrent.futures.Future], None]:
    """When a file written in the writer thread is done: note it for `kept`."""
    def done(future: concurrent.futures.Future) -> None:
        if kept is not None and future.exception() is None:
            kept.remember(key, future.result(), num_rows, nbytes)
    return done


class _LateStages:
    """Gets the stages after dedup ready in a thread while the per-file workers run: imports their
    modules (Arrow/Parquet writers, card, GX glue with pandas: ~0.35 s of CPU; pyarrow would load
    pandas anyway, at its first conversion of a Python or numpy sequence), starts the
    validation checkers (their server imports Great Expectations: ~1.2 s of CPU) and opens the kept tables.

    Started once the per-file pool has forked its workers, never before: a child forked mid-import
    could inherit a held import lock. `runner()` waits for the thread and returns the checkers.
    """

    def __init__(self, workers: int, open_kept: Callable[[], table_cache.TableCache | None]) -> None:
        self._workers = workers
        self._open_kept = open_kept
        self._thread: threading.Thread | None = None
        self._runner: validate.SuiteRunner | None = None
        self.kept: table_cache.TableCache | None = None  # once `runner()` returned
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._ready = False
        self._queued: list[Callable[[validate.SuiteRunner, table_cache.TableCache | None], None]] = []

    def start_checker_server(self, n_inputs: int) -> None:
        """Start the checkers' server now, unless it runs already (`cli.main` starts it before this
        module is imported; `build` called from Python starts it here): it imports Great Expectations
        while the files are processed. In its own process at any corpus size: in this one, the import
        (~1.2 s of CPU) would take the GIL from the main thread's work (the sample's sketches took
        ~10x as long meanwhile)."""
        if self._workers > 1:
            start_preloaded_server(CHECKER_PRELOAD)

    def start(self, n_inputs: int) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="late-stages", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            for name in _LATE_MODULES:
                importlib.import_module(name)
            from . import validate

            self._runner = validate.SuiteRunner(self._workers)
            self.kept = self._open_kept()
            with self._lock:
                self._ready = True
                queued, self._queued = self._queued, []
            for fn in queued:
                fn(self._runner, self.kept)
        except BaseException as exc:  # handed to the main thread by runner()
            self._error = exc

    def when_ready(self, fn: Callable[[validate.SuiteRunner, table_cache.TableCache | None], None]) -> None:
        """Call `fn(runner, kept)` once the checkers and kept tables are ready: now, or in the thread."""
        with self._lock:
            if self._thread is not None and not self._ready:
                self._queued.append(fn)
                return
        fn(self.runner(), self.kept)

    def runner(self) -> validate.SuiteRunner:
        if self._thread is None:  # no input reached the pool: start nothing in the background
            self._run()
        else:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._runner

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._runner is not None:
            self._runner.__exit__(None, None, None)


def _table_cache(cfg: BuildConfig, info: ProjectInfo) -> table_cache.TableCache | None:
    """The kept row groups of earlier builds, beside the per-file results (same version folder)."""
    if cfg.cache_dir is None:
        return None
    from . import publish, table_cache, validate
    from .cache import code_version

    salt = table_cache.cache_salt(code_version(), publish.library_versions(), f"{info.name} {info.version}",
                                  publish.layout_settings())
    return table_cache.TableCache(cfg.cache_dir / code_version() / "tables", salt, validate.part_specs())


def _precheck_new_rows(late: _LateStages, spill: DocumentSpill) -> Callable[[Sequence[Document], set[str]], None]:
    """`run`'s `on_processed`: when the files processed afresh are few (a rebuild after a small change),
    their rows' per-file part goes to the checkers at once, so Great Expectations checks it while
    dedup runs (dedup may still change it: see `table_cache.TableCache.note_checked`)."""
    def on_processed(docs: Sequence[Document], new: set[str]) -> None:
        if not new or len(new) > GROUP_MAX_ROWS:
            return
        rows = [d for d in docs if d.doc_id in new]
        texts = spill.text_columns(rows)  # here: dedup reads the spill in this thread
        late.when_ready(lambda runner, kept: _precheck(runner, kept, rows, texts))
    return on_processed


def _precheck(runner: validate.SuiteRunner, kept: table_cache.TableCache | None, rows: Sequence[Document],
              texts: dict[str, pa.Array]) -> None:
    """Check the per-file part of the `rows` (documents before dedup) that no passed build had, for
    the configs whose rows are known before dedup and whose schema a passed build checked."""
    from . import tables

    configs = [c for c in ("documents", "raw") if kept is not None and kept.schema_validated(c)]
    fresh_tables, fresh_keys = {}, {}
    for config, table in tables.group_tables(rows, lambda _: texts, configs) if configs else ():
        fresh, fresh_keys[config] = kept.pending(config, rows, "file")
        if fresh:
            fresh_tables[config] = table.take(fresh)
    # documents and raw hold the same new rows: one validation checks both.
    for config, passed in runner.precheck_many(fresh_tables, "file").items():
        kept.note_checked(fresh_keys[config], passed)


def _snapshot(listing: Listing) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Every entry under raw/ with its stat: any added, removed or changed file changes it."""
    from . import raw_index

    return tuple((inp.rel, () if st is None else raw_index.stat_key(st))
                 for inp, st in zip(listing.inputs, listing.infos, strict=True))


def _folder_stamps(raw: Path) -> tuple[tuple[str, int, int], ...]:
    """Each folder under raw/ with its mtime and ctime: adding, removing or renaming a file changes
    its folder's. A look costs one stat per folder, not one per file (~0.15 s at 10k files)."""
    out = []
    for dirpath, dirnames, _ in os.walk(raw):
        dirnames.sort()
        try:
            st = os.stat(dirpath)
        except OSError:
            continue
        out.append((dirpath, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(out)


def _settle_memory() -> None:
    """Between builds of a long-running process: collect the last build's cyclic garbage, then
    freeze what survives (the loaded libraries, the kept documents and indexes), so the next
    build's garbage collections do not scan it again (they cost ~0.4 s of a 10k rebuild)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def watch(args: argparse.Namespace, poll_s: float = 0.5, settle_s: float = 0.2, full_look_s: float = 5.0) -> int:
    """Build, then rebuild whenever raw/ changes, until interrupted. Every `poll_s` the folders'
    times are looked at (a file added, removed or renamed), and every `full_look_s` every file's stat
    (a file edited in place). A change is acted on once two looks `settle_s` apart agree, so a file
    being copied in is read whole. A change made during a build starts another."""
    with _stop_signals():
        return _watch(args, poll_s, settle_s, full_look_s)


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """SIGINT and SIGTERM stop a watch through its cleanup (KeyboardInterrupt), even when SIGINT was
    ignored at start (a script's `cmd &`: Python then installs no handler, and the watch ran until
    killed). Only the main thread may set handlers; elsewhere (tests) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {sig: signal.signal(sig, signal.default_int_handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _watch(args: argparse.Namespace, poll_s: float, settle_s: float, full_look_s: float) -> int:
    from . import pipeline, raw_index, session, sketching

    session.keep()
    # One spill for the whole session: the texts read once stay there. Between builds a thread
    # reads in the texts not read yet (those of files unchanged since the last session).
    spill = DocumentSpill()
    stop, filler = threading.Event(), None

    def between_builds() -> threading.Thread:
        pipeline.warm_up()  # a file processed in this process (one new file) finds all loaded
        sketching.warm_up()  # ... and the stock set's index built
        _settle_memory()
        raw_index.write_pending()
        stop.clear()

        def fill() -> None:  # the texts the next build may need, then the sample's shingle hashes
            spill.fill_lazy(stop)
            sketching.fill_sample_hashes(stop)

        thread = threading.Thread(target=fill, name="spill-fill", daemon=True)
        thread.start()
        return thread

    try:
        # Each build takes raw/ as the last look listed it (the change seen, settled): not listed again.
        listing = pipeline.list_raw(args.raw)
        seen, stamps, looked = _snapshot(listing), _folder_stamps(args.raw), time.monotonic()
        build(args, spill, listing)
        filler = between_builds()
        print(f"watching {args.raw} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        while True:
            time.sleep(poll_s)
            now_stamps = _folder_stamps(args.raw)
            if now_stamps == stamps and time.monotonic() - looked < full_look_s:
                continue
            stamps, looked = now_stamps, time.monotonic()
            listing = pipeline.list_raw(args.raw)
            now = _snapshot(listing)
            if now == seen:
                continue
            while True:  # settle
                time.sleep(settle_s)
                listing = pipeline.list_raw(args.raw)
                now, before = _snapshot(listing), now
                if now == before:
                    break
            seen, stamps = now, _folder_stamps(args.raw)  # what this build starts from
            print(f"{args.raw} changed: rebuilding", file=sys.stderr, flush=True)
            stop.set()
            filler.join()
            raw_index.wait()
            build(args, spill, listing)
            filler = between_builds()
            print(f"watching {args.raw} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        if filler is not None:
            filler.join()
        raw_index.wait()
        spill.close()
        gc.unfreeze()
        session.keep(False)


@contextlib.contextmanager
def _in_background(fn: Callable[[], object]) -> Iterator[None]:
    """Run `fn` in a thread while the block runs; wait for it at the end of the block."""
    thread = threading.Thread(target=fn, name=getattr(fn, "__name__", "background"), daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def build(args: argparse.Namespace, spill: DocumentSpill | None = None, listing: Listing | None = None) -> int:
    """One build; `spill`: a text spill kept across builds (watch mode), else one for this build;
    `listing`: raw/ as the watcher last listed it, else listed now."""
    if args.explain:
        return explain(args.explain)
    if not args.raw.is_dir():
        print(f"error: raw folder {args.raw} does not exist", file=sys.stderr)
        return 2
    try:  # a broken site profile stops the build here, not as an internal error on every file
        load_profiles()
    except ValueError as exc:
        print(f"error: site profiles: {exc}; dist/ left unchanged", file=sys.stderr)
        return 2
    cfg = BuildConfig(raw_dir=args.raw, dist_dir=args.dist, name=args.name, max_bytes=args.max_bytes,
                      workers=max(1, args.workers), strict=args.strict, engine=args.engine,
                      cache_dir=None if args.no_cache else args.cache_dir)
    info = project_info()
    start = time.monotonic()
    for path in scratch.remove_stale():
        print(f"removed {path}: left by a build that was killed", file=sys.stderr)
    timings: dict[str, float] = {}
    late = _LateStages(cfg.workers, lambda: _table_cache(cfg, info))
    with contextlib.ExitStack() as stack:
        own_spill = spill is None
        if own_spill:
            spill = stack.enter_context(DocumentSpill())
        stack.callback(late.close)
        result = run(cfg, timings, spill, after_start=late.start, on_listed=late.start_checker_server,
                     on_processed=_precheck_new_rows(late, spill), listing=listing)
        if not result.inputs:  # a mistyped --raw or an unmounted drive: not a reason to publish an empty dataset
            print(f"error: raw folder {args.raw} holds no files; dist/ left unchanged", file=sys.stderr)
            return 2
        runner, kept = late.runner(), late.kept
        from . import publish

        t = time.monotonic()
        with publish.staging(cfg) as tmp:
            with validate_and_write(result, spill, tmp, info, runner, kept) as written:
                timings["validate_write"] = time.monotonic() - t  # tables made; the last being checked and written
                if own_spill:  # every text is in the tables now: delete the spill (~2 s at 100k) meanwhile
                    stack.enter_context(_in_background(spill.close))
                for r in result.rejections:
                    print(f"quarantined: {r.source_file}: {r.reason} ({r.stage}): {r.detail}", file=sys.stderr)
                t = time.monotonic()
                # The card, citation and Croissant need no validation result: written while the
                # checkers finish (into the staging folder, removed if validation fails).
                publish.write_metadata(tmp, result, written.summaries, info)
                if not written.report.success:
                    print("validation FAILED; dist/ left unchanged. Failing expectations:\n"
                          + written.report.describe_failures(), file=sys.stderr)
                    return 1
                if cfg.strict and result.rejections:
                    print(f"--strict: {len(result.rejections)} inputs quarantined; dist/ left unchanged",
                          file=sys.stderr)
                    return 3
                publish.write_reports(tmp, result, written.report, cfg, info)
                if kept is not None:
                    kept.note_validated()
            if kept is not None:
                kept.commit(written.sums)
            publish.write_sums(tmp, written.sums)
            target = publish.swap_in(tmp, cfg)
    timings["publish"] = time.monotonic() - t
    timings["total"] = time.monotonic() - start
    if args.timings:
        args.timings.write_text(json.dumps({"stages": {k: round(v, 3) for k, v in timings.items() if k != "total"},
                                            "total": round(timings["total"], 3)}, indent=2) + "\n")
    groups = len({d.duplicate_group for d in result.documents})
    print(f"{len(result.inputs)} inputs -> {len(result.documents)} rows + {len(result.rejections)} quarantined; "
          f"{groups} distinct speeches; validation passed; wrote {target} (version {info.version}) "
          f"in {time.monotonic() - start:.1f}s", flush=True)
    return 0
