"""End to end: a real build, loaded with the real `datasets`, queried with the real polars."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import datasets
import polars as pl
import pyarrow.parquet as pq

from conftest import NAME, ROOT, build


def _load(folder: Path, config: str | None = None) -> datasets.Dataset:
    ds = datasets.load_dataset(str(folder), config, cache_dir=tempfile.mkdtemp(), download_mode="force_redownload")
    return ds["train"]


def test_documents_config_has_one_row_per_good_input(seeds_build: Path) -> None:
    docs = _load(seeds_build)
    n_raw = len(list((ROOT / "raw").iterdir()))
    assert docs.num_rows == n_raw
    assert len(set(docs["doc_id"])) == n_raw
    assert docs.features["date"].dtype == "date32"


def test_canonical_config_has_one_row_per_group(seeds_build: Path) -> None:
    docs = _load(seeds_build)
    canonical = _load(seeds_build, "canonical")
    assert canonical.num_rows == len(set(docs["duplicate_group"]))
    assert all(canonical["is_canonical"])


def test_raw_config_keeps_decoded_text(seeds_build: Path) -> None:
    raw = _load(seeds_build, "raw")
    assert set(raw.column_names) == {"doc_id", "source_file", "raw_text"}
    assert all(len(t) > 0 for t in raw["raw_text"])


def test_bad_inputs_are_quarantined_with_reasons(seeds_build: Path) -> None:
    lines = [json.loads(x) for x in (seeds_build / "quarantine.jsonl").read_text().splitlines()]
    by_file = {x["file"]: x for x in lines}
    assert set(by_file) == {"zz_random.bin", "zz_empty.txt"}
    assert by_file["zz_empty.txt"]["reason"] == "empty"
    assert by_file["zz_random.bin"]["reason"] in {"binary", "undecodable"}
    assert all(x["detail"] and x["sha256"] for x in lines)
    report = json.loads((seeds_build / "build_report.json").read_text())
    c = report["counts"]
    assert c["inputs"] == c["rows"] + c["quarantined"]


def test_polars_pushdown_on_region_script_date(seeds_build: Path) -> None:
    glob = str(seeds_build / "data" / "documents" / "*.parquet")
    lf = pl.scan_parquet(glob).filter(
        (pl.col("script") == "Hans") & pl.col("region_code").is_not_null() & (pl.col("date") > pl.date(2000, 1, 1))
    )
    plan = lf.explain()
    assert "SELECTION" in plan or "selection" in plan.lower()
    lf.collect()
    meta = pq.ParquetFile(next((seeds_build / "data" / "documents").glob("*.parquet"))).metadata
    rg = meta.row_group(0)
    names = [rg.column(i).path_in_schema for i in range(rg.num_columns)]
    for col in ("region_code", "script", "date"):
        assert rg.column(names.index(col)).is_stats_set, col


def test_validation_result_written_and_passed(seeds_build: Path) -> None:
    result = json.loads((seeds_build / "validation_result.json").read_text())
    assert result["success"] is True
    assert {r["config"] for r in result["results"]} == {"documents", "canonical", "raw"}


def test_card_has_yaml_configs_and_sections(seeds_build: Path) -> None:
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(seeds_build / "README.md")
    data = card.data.to_dict()
    assert {c["config_name"] for c in data["configs"]} == {"documents", "canonical", "raw"}
    assert data["language"] == ["zh"] and data["license"] and data["pretty_name"] and data["version"]
    for section in ("## Summary", "## Fields", "## Sources", "## Cleaning", "## Known limitations", "## Citation"):
        assert section in card.text


def test_sha256sums_cover_every_file_with_its_digest(seeds_build: Path) -> None:
    # The Parquet files' digests are taken as they are written (in the writer threads), the others' at the end.
    listed = dict(reversed(line.split("  ", 1)) for line in (seeds_build / "SHA256SUMS").read_text().splitlines())
    files = {p.relative_to(seeds_build).as_posix() for p in seeds_build.rglob("*") if p.is_file()}
    assert set(listed) == files - {"SHA256SUMS"}
    for rel, digest in listed.items():
        assert hashlib.sha256((seeds_build / rel).read_bytes()).hexdigest() == digest, rel


def test_second_build_is_byte_identical(clean_build: Path, tmp_path: Path) -> None:
    assert build(ROOT / "raw", tmp_path / "dist") == 0
    assert (tmp_path / "dist" / NAME / "SHA256SUMS").read_text() == (clean_build / "SHA256SUMS").read_text()


def test_committed_dist_equals_fresh_build(clean_build: Path) -> None:
    committed = ROOT / "dist" / NAME / "SHA256SUMS"
    assert committed.exists(), "dist/ is not committed: run `python build_dataset.py`"
    assert committed.read_text() == (clean_build / "SHA256SUMS").read_text(), (
        "committed dist/ differs from a fresh build: run `python build_dataset.py` and commit dist/"
    )
