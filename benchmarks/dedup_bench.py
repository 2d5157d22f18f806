"""Cost of the dedup stage on synthetic corpora: docs/s, peak RSS, candidate pairs checked.

    .venv/bin/python benchmarks/dedup_bench.py --docs 10000 [--docs 100000]

The corpus comes from benchmarks/dedup_synth.py (seeded): official speeches of 1500-6000
characters, 0-3 copies each (truncated, masked, chrome, s2t script, re-wrapped), 30 % of the
speeches on a shared template skeleton. Figures are printed, plus pairwise precision/recall against
the generator's ground truth. Peak RSS is the whole process (it includes the corpus texts, printed
separately as the RSS before the dedup call). Recorded results are in docs/dedup.md.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dedup_synth import make_corpus

from cn_local_gov_speeches.dedup import DEFAULT_CONFIG, DedupItem, run_dedup

_DOCS_PER_SPEECH = 2.5  # 1 original + mean 1.5 copies (copies_per_speech = (0, 3))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pairwise_scores(truth: dict[str, str], groups: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against ground truth (no all-pairs loop)."""
    both = Counter((truth[d], groups[d]) for d in truth)
    pred = Counter(groups.values())
    true = Counter(truth.values())

    def pairs(c: Counter) -> int:
        return sum(v * (v - 1) // 2 for v in c.values())

    tp, p, t = pairs(both), pairs(pred), pairs(true)
    return (tp / p if p else 1.0), (tp / t if t else 1.0)


def bench(n_docs: int, seed: int) -> None:
    t0 = time.perf_counter()
    docs = make_corpus(seed, max(1, round(n_docs / _DOCS_PER_SPEECH)))
    items = [
        DedupItem(
            d.doc_id,
            d.text_simplified,
            hashlib.sha256(d.text.encode()).hexdigest(),
            d.source_kind,
            d.redaction_level,
            d.is_truncated,
            len(d.text),
        )
        for d in docs
    ]
    truth = {d.doc_id: d.truth for d in docs}
    n_chars = sum(len(d.text_simplified) for d in docs)
    del docs
    t_gen = time.perf_counter() - t0
    rss_before = _current_rss_mb()
    t1 = time.perf_counter()
    c1 = time.process_time()
    result = run_dedup(items, DEFAULT_CONFIG)
    elapsed = time.perf_counter() - t1
    cpu = time.process_time() - c1
    groups = {k: v.duplicate_group for k, v in result.assignments.items()}
    precision, recall = pairwise_scores(truth, groups)
    s = result.stats
    print(f"docs                 {s.n_items} ({n_chars / 1e6:.1f} M chars; generated in {t_gen:.0f} s)")
    print(f"dedup time           {elapsed:.1f} s wall, {cpu:.1f} s CPU  ->  {s.n_items / elapsed:.0f} docs/s")
    print(f"RSS before dedup     {rss_before:.0f} MB   peak RSS {_rss_mb():.0f} MB")
    print(f"candidates checked   {s.n_candidates} ({s.n_candidates / max(s.n_items, 1):.2f} per doc)")
    print(f"verified pairs       {s.n_verified_pairs}; groups {s.n_groups}; duplicates {s.n_duplicates}")
    print(
        f"stock shingles       {s.n_stock_shingles}; sketch fallbacks {s.n_sketch_fallback}; split off {s.n_split_off}"
    )
    print(f"pairwise precision   {precision:.4f}   recall {recall:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--seed", type=int, default=20240308)
    args = parser.parse_args()
    for n in args.docs or [10_000]:
        bench(n, args.seed)


if __name__ == "__main__":
    main()
