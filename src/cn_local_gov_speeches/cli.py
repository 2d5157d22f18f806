"""Command line: `build` (default), `explain FILE`, `diff OLD NEW`, `generate`. `build_dataset.py` calls `main()`.

Kept light to import (the standard library, `config` and `engine`): a build starts the validation
checkers' server before it imports its stages, so the server's import of Great Expectations (~1.2 s
of CPU) runs on the other core meanwhile; and every process forked from that server runs
`build_dataset.py` again (multiprocessing's main-module fixup), which then imports only this.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

from .config import CHECKER_PRELOAD, DATASET_NAME, DEFAULT_MAX_BYTES, GC_THRESHOLDS, PROJECT_ROOT, project_info
from .engine import ENGINES, start_preloaded_server

COMMANDS = ("build", "explain", "generate", "diff")
DESCRIPTION = ("Build the cn-local-gov-speeches dataset (dist/<name>) from the raw texts in raw/; or explain what "
               "cleaning removes from one file and what metadata it reads there, compare two releases, "
               "regenerate the derived files.")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build_dataset.py", description=DESCRIPTION)
    sub = p.add_subparsers(dest="command")
    b = sub.add_parser("build", help="build dist/<name> from raw/ (the default command)")
    b.add_argument("--raw", type=Path, default=PROJECT_ROOT / "raw", help="folder of raw texts (default: raw/)")
    b.add_argument("--dist", type=Path, default=PROJECT_ROOT / "dist", help="output folder (default: dist/)")
    b.add_argument("--name", default=DATASET_NAME, help="dataset folder name under --dist")
    b.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes for the per-file stages (output is identical for any count)")
    b.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="larger raw files are quarantined")
    b.add_argument("--engine", choices=ENGINES, default="local",
                   help="run per-file stages in a local process pool or on Ray Data (RAY_ADDRESS for a cluster)")
    b.add_argument("--cache-dir", type=Path, default=PROJECT_ROOT / ".build-cache",
                   help="per-file result cache for incremental rebuilds (default: .build-cache/)")
    b.add_argument("--no-cache", action="store_true", help="process every file afresh")
    b.add_argument("--timings", type=Path, metavar="FILE", help="write per-stage seconds as JSON to FILE")
    b.add_argument("--strict", action="store_true", help="refuse to publish (exit 3) when any input is quarantined")
    b.add_argument("--watch", action="store_true",
                   help="stay running and rebuild whenever a file in raw/ is added, changed or removed "
                        "(Ctrl-C stops); a rebuild reuses this process's loaded libraries and caches")
    b.add_argument("--explain", type=Path, metavar="FILE",
                   help="print what cleaning removes from FILE and why, and the metadata read from it "
                        "with its evidence, then exit")
    e = sub.add_parser("explain", help="print what cleaning removes from a raw file and why, and the metadata "
                                       "read from it with its evidence")
    e.add_argument("file", type=Path)
    d = sub.add_parser("diff", help="report per document what changed between two releases")
    d.add_argument("old", type=Path, help="old dataset folder, e.g. a checkout of an earlier tag's dist/<name>")
    d.add_argument("new", type=Path, help="new dataset folder")
    sub.add_parser("generate", help="regenerate validation/*.expectations.json and schema/hf_features.generated.yaml "
                                       "from schema/fields.yaml, dedup's datasketch parameters "
                                       "(src/cn_local_gov_speeches/dedup_params.generated.json) and "
                                       "mlcroissant's metadata (src/cn_local_gov_speeches/croissant.generated.json)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    gc.set_threshold(*GC_THRESHOLDS)  # before any worker is forked: they inherit it
    if args.command == "build" and not args.explain and args.workers > 1 and args.raw.is_dir():
        start_preloaded_server(CHECKER_PRELOAD)  # first: see the module docstring
    if args.command == "diff":
        from .diff import diff_releases, format_diff

        print(format_diff(diff_releases(args.old, args.new)))
        return 0
    if args.command == "generate":
        from . import card, croissant, dedup, publish, validate

        validate.write_suites()
        card.write_features()
        dedup.write_params()
        croissant.write_template(project_info(), publish.bibtex(project_info()))
        return 0
    from .build import build, explain, watch

    if args.command == "explain":
        return explain(args.file)
    return watch(args) if args.watch else build(args)
