"""Region precision/recall of a build on a synthetic corpus, against the generator's manifest.

    .venv/bin/python benchmarks/metadata_eval.py --dist DIST/cn-local-gov-speeches --manifest CORPUS/manifest.jsonl

The manifest names each file's county (after any re-targeting). A filled `region_county` is right
when it equals that name; rows whose county the file masks count as "should be empty" unless a copy
inherits from its canonical. Prints counts per status and the wrong rows.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import polars as pl


def evaluate(dist: Path, manifest: Path) -> dict:
    truth = {m["file"]: m for m in map(json.loads, manifest.read_text(encoding="utf-8").splitlines())}
    rows = pl.read_parquet(dist / "data" / "documents" / "*.parquet").select(
        "source_file", "region_county", "region_code", "region_status").to_dicts()
    counts: Counter[str] = Counter()
    wrong = []
    for r in rows:
        m = truth[r["source_file"]]
        if r["region_code"] is None:
            counts[f"empty/{r['region_status']}"] += 1
        elif r["region_county"] == m["county"]:
            counts[f"right/{r['region_status']}"] += 1
        else:
            counts[f"wrong/{r['region_status']}"] += 1
            wrong.append({"file": r["source_file"], "truth": m["county"], "got": r["region_county"],
                          "status": r["region_status"], "ops": m["ops"]})
    filled = sum(v for k, v in counts.items() if not k.startswith("empty"))
    right = sum(v for k, v in counts.items() if k.startswith("right"))
    return {"rows": len(rows), "filled": filled, "precision": right / filled if filled else None,
            "recall": right / len(rows), "counts": dict(sorted(counts.items())), "wrong": wrong}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dist", type=Path, required=True)
    p.add_argument("--manifest", type=Path, required=True)
    args = p.parse_args()
    result = evaluate(args.dist, args.manifest)
    for w in result.pop("wrong")[:20]:
        print("wrong:", w)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
