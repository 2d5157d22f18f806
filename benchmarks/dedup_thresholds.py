"""Precision/recall curve behind the dedup thresholds (DedupConfig in src/.../dedup.py).

    .venv/bin/python benchmarks/dedup_thresholds.py [--speeches 400] [--seed 11]

Corpus: benchmarks/dedup_synth.py, seeded — official speeches with 0-3 copies each (truncated to
30-90 %, masked, chrome, s2t script, re-wrapped; random combinations), 30 % of the speeches on a
shared template skeleton, plus 50 template pairs (different speeches on one skeleton with stock
phrases). Printed:

1. the exact score distribution over *all* pairs (all-pairs is fine here, for measurement only):
   the lowest containment of a true copy pair and the highest of a different-speech pair;
2. pairwise precision/recall of a containment rule and of a Jaccard rule at each threshold, over
   all pairs (the decision rule alone, no LSH);
3. pairwise precision/recall of the full stage (`run_dedup`: LSH candidates + verification +
   canonical split) at each containment threshold — what the default was chosen from.

Results recorded in docs/dedup.md.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dedup_bench import pairwise_scores
from dedup_synth import SynthDoc, make_corpus, make_template_pair

from cn_local_gov_speeches.dedup import (
    DEFAULT_CONFIG,
    DedupConfig,
    DedupItem,
    overlap,
    run_dedup,
    shingle_hashes,
)

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def to_item(d: SynthDoc) -> DedupItem:
    sha = hashlib.sha256(d.text.encode()).hexdigest()
    return DedupItem(d.doc_id, d.text_simplified, sha, d.source_kind, d.redaction_level, d.is_truncated, len(d.text))


def corpus(seed: int, n_speeches: int, n_template_pairs: int) -> list[SynthDoc]:
    docs = make_corpus(seed, n_speeches)
    for k in range(n_template_pairs):
        docs.extend(make_template_pair(seed * 1000 + k))
    return sorted(docs, key=lambda d: d.doc_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeches", type=int, default=400)
    parser.add_argument("--template-pairs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    docs = corpus(args.seed, args.speeches, args.template_pairs)
    truth = {d.doc_id: d.truth for d in docs}
    n = len(docs)
    sets = [shingle_hashes(d.text_simplified) for d in docs]
    same, cont, jac = [], [], []
    for i in range(n):
        for j in range(i + 1, n):
            a, b, jj = overlap(sets[i], sets[j])
            same.append(docs[i].truth == docs[j].truth)
            cont.append(max(a, b))
            jac.append(jj)
    same_a, cont_a, jac_a = np.array(same), np.array(cont), np.array(jac)
    n_copies = sum(1 for d in docs if d.transforms)
    print(f"corpus: {n} docs ({n_copies} copies), {len(same)} pairs, {int(same_a.sum())} true copy pairs")
    print(
        f"true copy pairs:      containment min {cont_a[same_a].min():.3f}  "
        f"p1 {np.percentile(cont_a[same_a], 1):.3f}; Jaccard min {jac_a[same_a].min():.3f}"
    )
    print(
        f"different speeches:   containment max {cont_a[~same_a].max():.3f}  "
        f"p99.9 {np.percentile(cont_a[~same_a], 99.9):.3f}; Jaccard max {jac_a[~same_a].max():.3f}"
    )
    print()
    print("threshold | containment rule P / R | Jaccard rule P / R | full stage P / R (candidates)")
    items = [to_item(d) for d in docs]
    for t in THRESHOLDS:
        row = [f"{t:9.2f}"]
        for score in (cont_a, jac_a):
            pred = score >= t
            tp = int((pred & same_a).sum())
            p = tp / int(pred.sum()) if pred.any() else 1.0
            r = tp / int(same_a.sum())
            row.append(f"{p:.4f} / {r:.4f}")
        cfg = DedupConfig(containment_threshold=t, lsh_threshold=min(DEFAULT_CONFIG.lsh_threshold, t))
        result = run_dedup(items, cfg)
        p, r = pairwise_scores(truth, {k: v.duplicate_group for k, v in result.assignments.items()})
        row.append(f"{p:.4f} / {r:.4f} ({result.stats.n_candidates})")
        print(" | ".join(row))
    print(
        f"\ndefault: containment_threshold={DEFAULT_CONFIG.containment_threshold}, "
        f"lsh_threshold={DEFAULT_CONFIG.lsh_threshold}, k={DEFAULT_CONFIG.shingle_k}, "
        f"num_perm={DEFAULT_CONFIG.num_perm}, min_shingles={DEFAULT_CONFIG.min_shingles}"
    )


if __name__ == "__main__":
    main()
