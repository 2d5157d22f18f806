"""Sketches made during the per-file stage: same groups as sketches made by dedup, whoever makes them."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from test_dedup import corpus, result, to_item  # noqa: F401  (module fixtures reused)

from cn_local_gov_speeches import dedup
from cn_local_gov_speeches.config import BuildConfig
from cn_local_gov_speeches.dedup import DEFAULT_CONFIG, SketchTable, run_dedup, sketch, stock_shingles
from cn_local_gov_speeches.pipeline import run
from cn_local_gov_speeches.record import Document
from cn_local_gov_speeches.sketching import EarlySketches, worker_sketch
from cn_local_gov_speeches.spill import DocumentSpill

from synth import speech


def test_prefilled_sketches_give_the_same_result(corpus, result) -> None:  # noqa: F811
    # The build hands dedup a table where some rows are filled (by pool workers) and some are not.
    items = sorted((to_item(d) for d in corpus), key=lambda it: it.doc_id)
    stock = stock_shingles(items)
    table = SketchTable(len(items))
    for i in range(0, len(items), 3):
        table.set(i, sketch(items[i].text_simplified, stock, DEFAULT_CONFIG))
    assert run_dedup(items, sketched=(stock, table)) == result


def test_a_table_of_the_wrong_size_is_refused(corpus) -> None:  # noqa: F811
    items = [to_item(d) for d in corpus]
    with pytest.raises(ValueError, match="sketches for"):
        run_dedup(items, sketched=(np.empty(0, dtype=np.uint64), SketchTable(len(items) - 1)))


def test_stock_sample_membership_does_not_shift_when_keys_are_added() -> None:
    keys = [f"folder/{i:05d}.txt" for i in range(5000)]
    step = dedup.stock_sample_step(len(keys))
    chosen = [k for k in keys if dedup.in_stock_sample(k, step)]
    assert step == 4 and 1100 < len(chosen) < 1400  # 1 in 4: a power of two, >= 5000 / 2000
    assert dedup.stock_sample_step(len(keys) + 1) == step
    more = [*keys, "folder/new.txt"]
    assert [k for k in more if dedup.in_stock_sample(k, step)][: len(chosen)] == chosen
    assert all(dedup.in_stock_sample(k, 1) for k in keys[:10])


def test_the_sample_is_processed_first_and_the_stock_file_appears_when_it_is_complete() -> None:
    keys = [f"{i:04d}.txt" for i in range(10)]
    with EarlySketches(keys, dataclasses.replace(DEFAULT_CONFIG, stock_sample_size=4)) as early:
        sampled = [k for k in range(10) if early.in_sample[k]]
        assert early.order[: len(sampled)] == sampled and sorted(early.order) == list(range(10))
        doc = Document(doc_id="d" + "1" * 16, source_file="x", source_sha256="0" * 64, encoding="utf-8",
                       text=speech(1), text_simplified=speech(1), raw_text=speech(1))
        packed = DocumentSpill.pack(doc)
        assert worker_sketch(early.stock_path, packed, "0" * 64) is None  # no stock set yet: dedup sketches it
        for k in sampled[:-1]:
            early.arrived(k, "sha", packed)
        assert early.stock is None
        early.arrived(sampled[-1])  # a rejected input counts too
        assert early.stock is not None and Path(early.stock_path).exists()
        made = worker_sketch(early.stock_path, packed, "0" * 64)
        assert made is not None and np.array_equal(made[2], sketch(speech(1), early.stock, DEFAULT_CONFIG)[2])


def test_byte_identical_inputs_keep_the_first_path_whichever_finishes_first(tmp_path: Path, monkeypatch) -> None:
    # Sampled files are processed first, so a later path can arrive first: the row is still the
    # first path's, and the other is quarantined as its duplicate.
    monkeypatch.setattr(dedup, "stock_sample_step", lambda n, config=DEFAULT_CONFIG: 7)
    names = [f"{i:03d}.txt" for i in range(200)]
    late = next(n for n in reversed(names) if dedup.in_stock_sample(n, 7))
    early_name = next(n for n in names if not dedup.in_stock_sample(n, 7) and n < late)
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in (early_name, late):
        (raw / name).write_text(speech(3), encoding="utf-8")
    (raw / "other.txt").write_text(speech(4), encoding="utf-8")
    out = run(BuildConfig(raw_dir=raw, dist_dir=tmp_path / "dist"))
    assert sorted(d.source_file for d in out.documents) == sorted([early_name, "other.txt"])
    (rejection,) = out.rejections
    assert rejection.source_file == late and early_name in rejection.detail
    json.dumps(out.dedup_stats)  # still plain numbers



def test_the_sample_is_sketched_from_its_workers_hashes_when_the_stock_set_is_published(monkeypatch) -> None:
    config = dataclasses.replace(DEFAULT_CONFIG, stock_sample_size=4)
    keys = [f"{i:04d}.txt" for i in range(10)]
    texts = [speech(i) for i in range(10)]
    monkeypatch.setattr(dedup.StockCounter, "add", lambda *a: pytest.fail("a sampled text was hashed again"))
    with EarlySketches(keys, config) as early:
        sampled = [k for k in range(10) if early.in_sample[k]]
        for k in sampled:
            doc = Document(doc_id=f"d{k:016x}", source_file=keys[k], source_sha256="0" * 64, encoding="utf-8",
                           text=texts[k], text_simplified=texts[k], raw_text=texts[k])
            early.arrived(k, f"{k:064x}", DocumentSpill.pack(doc), None, dedup.shingle_hashes(texts[k]))
        assert early.stock is not None and all(early.table.filled[k] for k in sampled)
        for k in sampled:
            made = sketch(texts[k], early.stock, config)
            assert early.table.sizes[k] == made[0] and np.array_equal(early.table.signatures[k], made[2])


def test_a_long_running_process_counts_a_changed_sample_from_the_hashes_it_kept(monkeypatch) -> None:
    from cn_local_gov_speeches import session, sketching

    monkeypatch.setattr(session, "KEEP", True)
    monkeypatch.setattr(sketching, "_SAMPLE_HASHES", {})
    monkeypatch.setattr(sketching, "_SAMPLE_PENDING", [])
    config = dataclasses.replace(DEFAULT_CONFIG, stock_sample_size=4, stock_min_docs=2)
    keys = [f"{i:04d}.txt" for i in range(10)]
    texts = [speech(i) for i in range(10)]
    packed = [DocumentSpill.pack(Document(doc_id=f"d{k:016x}", source_file=keys[k], source_sha256="0" * 64,
                                          encoding="utf-8", text=texts[k], text_simplified=texts[k], raw_text=texts[k]))
              for k in range(10)]

    def build(hashes: bool) -> np.ndarray:
        with EarlySketches(keys, config) as early:
            for k in (k for k in range(10) if early.in_sample[k]):
                early.arrived(k, f"{k:064x}", packed[k], None, dedup.shingle_hashes(texts[k]) if hashes else None)
            return early.stock

    first = build(hashes=True)  # the sampled files processed by the pool: their hashes come with them
    # Between builds the stock set's lookup index is built, ready for the next build's first sketch.
    monkeypatch.setattr(dedup, "_STOCK_INDEX", [])
    sketching.warm_up()
    assert first.size and len(dedup._STOCK_INDEX) == 1 and np.array_equal(dedup._STOCK_INDEX[0][0], first)
    # The next build's sampled files are unchanged (no hashes sent): none is read and hashed again.
    monkeypatch.setattr(dedup, "shingle_hashes", lambda *a: pytest.fail("a sampled text was hashed again"))
    assert np.array_equal(build(hashes=False), first)
    monkeypatch.undo()
    # Hashes a build did not need are made between builds (`fill_sample_hashes`).
    monkeypatch.setattr(sketching, "_SAMPLE_HASHES", {})
    monkeypatch.setattr(sketching, "_SAMPLE_PENDING", [])
    sketching._keep_sample_hashes([(3, "3" * 64, sketching._LazyHashes(packed[3], config.shingle_k))])
    assert sketching._SAMPLE_PENDING and not sketching._SAMPLE_HASHES
    sketching.fill_sample_hashes(threading.Event())
    assert np.array_equal(sketching._SAMPLE_HASHES["3" * 64], dedup.shingle_hashes(texts[3]))


def test_a_worker_signs_with_the_published_permutations_without_importing_datasketch(tmp_path: Path) -> None:
    # Pool workers take datasketch's MinHash parameters from beside the stock file instead of
    # importing datasketch (and scipy) themselves; their signatures equal the build's own.
    with EarlySketches([f"{i}.txt" for i in range(3)], DEFAULT_CONFIG) as early:
        for k in range(3):
            early.arrived(k)  # all rejected: the stock set (empty) is published
        doc = Document(doc_id="d" + "2" * 16, source_file="x", source_sha256="0" * 64, encoding="utf-8",
                       text=speech(2), text_simplified=speech(2), raw_text=speech(2))
        packed = tmp_path / "packed.bin"
        packed.write_bytes(DocumentSpill.pack(doc))
        script = (
            "import sys, numpy as np\n"
            "from pathlib import Path\n"
            "from cn_local_gov_speeches.sketching import worker_sketch\n"
            f"made = worker_sketch({early.stock_path!r}, Path({str(packed)!r}).read_bytes(), '1' * 64)\n"
            "assert 'datasketch' not in sys.modules, 'the worker imported datasketch'\n"
            f"np.save({str(tmp_path / 'sig.npy')!r}, made[2])\n"
        )
        # The package's folder on the path: CI runs the tests without installing it (pytest's pythonpath).
        src = str(Path(dedup.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
        subprocess.run([sys.executable, "-c", script], check=True, env=env)
        expected = sketch(speech(2), early.stock, DEFAULT_CONFIG)[2]
        assert np.array_equal(np.load(tmp_path / "sig.npy"), expected)
