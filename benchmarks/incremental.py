"""Incremental rebuild: add one file to a built corpus and rebuild with the warm per-file cache.

    .venv/bin/python benchmarks/incremental.py [--size 10000] [--workers 2]

Builds of our pipeline on the benchmark corpus of `--size` files (made by run.py's generator, reused
when present): (1) a clean build that fills a fresh cache, (2) the same corpus plus one new file (a
speech of another seed) rebuilt with that cache by a new process, (3) a clean `--no-cache` build of
the same files as (2); then (4) `build --watch` on the same folder: once its first build is done,
`--watch-files` (5) new files are added one at a time and each rebuild is timed (its own timings,
and from the file's arrival to the rebuild's end, which adds the polling delay; the median is
reported), and (5) a clean build of those files. Prints the seconds of each with per-stage timings
and the ratios (2)/(1) and (4)/(1), checks that (2) equals (3) and (4) equals (5) (SHA256SUMS), and
saves benchmarks/results/incremental-<size>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_corpus import make_corpus  # benchmarks/ is on sys.path when this script runs
from run import OUT, RESULTS, ROOT, corpus, machine, measure


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
    p.add_argument("--watch-files", type=int, default=5, help="files added one at a time in watch mode")
    args = p.parse_args(argv)
    source, _ = corpus(args.size, 0, args.workers)
    host = machine()  # before the runs: the source tree may change under us
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
    watched = _watch(raw, work, cache, args.workers, args.watch_files)
    watch_clean = _build(raw, work / "dist-watch-clean", work, "watch-clean", args.workers, "--no-cache")
    watch_sums = [(work / d / "cn-local-gov-speeches" / "SHA256SUMS").read_text()
                  for d in ("dist-watch", "dist-watch-clean")]
    result = {
        "size": args.size,
        "workers": args.workers,
        "machine": host,
        "full_build": full,
        "incremental_build": incremental,
        "clean_build_same_inputs": clean,
        "incremental_over_full": round(incremental["wall_s"] / full["wall_s"], 3),
        "identical_to_clean_build": sums[0] == sums[1],
        "watch_rebuild": watched,
        "watch_rebuild_over_full": round(watched["rebuild_s"] / full["wall_s"], 3),
        # The same over the median of the three full builds of ~10k files here (the machine drifts).
        "watch_rebuild_over_median_full": round(watched["rebuild_s"] / statistics.median(
            b["wall_s"] for b in (full, clean, watch_clean)), 3),
        "watch_clean_build_same_inputs": watch_clean,
        "watch_identical_to_clean_build": watch_sums[0] == watch_sums[1],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"incremental-{args.size}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.size} files: full build {full['wall_s']} s {full['stages_s']}\n"
          f"+1 file, warm cache: {incremental['wall_s']} s {incremental['stages_s']} "
          f"= {result['incremental_over_full']:.1%} of the full build\n"
          f"clean build of the same {args.size + 1} files: {clean['wall_s']} s; "
          f"identical output: {result['identical_to_clean_build']}\n"
          f"watch mode, {len(watched['rebuilds'])} more files one at a time: rebuilds "
          f"{', '.join(str(r['rebuild_s']) for r in watched['rebuilds'])} s; median {watched['rebuild_s']} s "
          f"{watched['stages_s']} = {result['watch_rebuild_over_full']:.1%} of the full build, "
          f"{result['watch_rebuild_over_median_full']:.1%} of the median of the three full builds "
          f"({watched['added_to_done_s']} s from the file's arrival, polling included); "
          f"identical to a clean build: {result['watch_identical_to_clean_build']}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if result["identical_to_clean_build"] and result["watch_identical_to_clean_build"] else 1


def _watch(raw: Path, work: Path, cache: Path, workers: int, files: int) -> dict:
    """Start `build --watch`; once its first build is done, add `files` files one at a time, each
    once the last rebuild is done, and time each rebuild; stop it. `rebuild_s` is the median."""
    timings = work / "watch.timings.json"
    cmd = [sys.executable, "build_dataset.py", "build", "--watch", "--raw", str(raw), "--dist",
           str(work / "dist-watch"), "--workers", str(workers), "--cache-dir", str(cache), "--timings", str(timings)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rebuilds = []
    try:
        _wait_for(proc, "watching")
        first = json.loads(timings.read_text())
        for k in range(files):
            with tempfile.TemporaryDirectory() as tmp:
                make_corpus(1, Path(tmp), seed=2 + k)
                (new,) = Path(tmp).iterdir()
                added = time.monotonic()
                shutil.copyfile(new, raw / f"added-watch-{k}-{new.name}")
            _wait_for(proc, "watching")
            done = time.monotonic()
            rebuilt = json.loads(timings.read_text())
            rebuilds.append({"rebuild_s": rebuilt["total"], "stages_s": rebuilt["stages"],
                             "added_to_done_s": round(done - added, 2)})
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    median = sorted(rebuilds, key=lambda r: r["rebuild_s"])[(len(rebuilds) - 1) // 2]
    return {"first_build_s": first["total"], **median, "rebuilds": rebuilds}


def _wait_for(proc: subprocess.Popen, marker: str) -> None:
    for line in proc.stderr:
        if marker in line:
            return
        if line.startswith(("Traceback", "error", "validation FAILED")):
            raise SystemExit(f"watch: {line.strip()}")
    raise SystemExit(f"watch mode exited ({proc.wait()}) before printing {marker!r}")


if __name__ == "__main__":
    sys.exit(main())
