"""Incremental rebuild: add one file to a built corpus and rebuild with the warm per-file cache.

    .venv/bin/python benchmarks/incremental.py [--size 10000] [--workers 2]

Three builds of our pipeline on the benchmark corpus of `--size` files (made by run.py's generator,
reused when present): (1) a clean build that fills a fresh cache, (2) the same corpus plus one new
file (a speech of another seed) rebuilt with that cache, (3) a clean `--no-cache` build of the same
files as (2). Prints the seconds of each with per-stage timings and the ratio (2)/(1), checks that
(2) and (3) wrote identical files (SHA256SUMS), and saves benchmarks/results/incremental-<size>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from make_corpus import make_corpus  # benchmarks/ is on sys.path when this script runs
from run import OUT, RESULTS, corpus, measure


def _build(raw: Path, dist: Path, work: Path, name: str, workers: int, *flags: str) -> dict:
    timings = work / f"{name}.timings.json"
    cmd = [sys.executable, "build_dataset.py", "build", "--raw", str(raw), "--dist", str(dist),
           "--workers", str(workers), "--timings", str(timings), *flags]
    result = measure(cmd, work / name, timeout_s=3600)
    if result["status"] != "ok":
        raise SystemExit(f"{name}: {result['status']}; see {work / name}.stderr")
    result["stages_s"] = json.loads(timings.read_text())["stages"]
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=10000)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    source, _ = corpus(args.size, 0, args.workers)
    work = OUT / "runs" / f"incremental-n{args.size}"
    shutil.rmtree(work, ignore_errors=True)
    raw, cache = work / "raw", work / "cache"
    raw.mkdir(parents=True)
    for f in sorted(source.iterdir()):  # hard links: the same bytes, no copy of the corpus
        os.link(f, raw / f.name)
    # Linking changed every file's ctime just now: files at rest, as a user's are, are ones that
    # have not changed within the last second (the raw-file index does not trust newer ones).
    time.sleep(1.5)

    full = _build(raw, work / "dist-full", work, "full", args.workers, "--cache-dir", str(cache))
    with tempfile.TemporaryDirectory() as tmp:
        make_corpus(1, Path(tmp), seed=1)
        (new,) = Path(tmp).iterdir()
        shutil.copyfile(new, raw / f"added-{new.name}")
    incremental = _build(raw, work / "dist-inc", work, "incremental", args.workers, "--cache-dir", str(cache))
    clean = _build(raw, work / "dist-clean", work, "clean", args.workers, "--no-cache")
    sums = [(work / d / "cn-local-gov-speeches" / "SHA256SUMS").read_text() for d in ("dist-inc", "dist-clean")]
    result = {
        "size": args.size,
        "workers": args.workers,
        "full_build": full,
        "incremental_build": incremental,
        "clean_build_same_inputs": clean,
        "incremental_over_full": round(incremental["wall_s"] / full["wall_s"], 3),
        "identical_to_clean_build": sums[0] == sums[1],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"incremental-{args.size}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.size} files: full build {full['wall_s']} s {full['stages_s']}\n"
          f"+1 file, warm cache: {incremental['wall_s']} s {incremental['stages_s']} "
          f"= {result['incremental_over_full']:.1%} of the full build\n"
          f"clean build of the same {args.size + 1} files: {clean['wall_s']} s; "
          f"identical output: {result['identical_to_clean_build']}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if result["identical_to_clean_build"] else 1


if __name__ == "__main__":
    sys.exit(main())
