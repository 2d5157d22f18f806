"""Dedup's kept work (stock set, sketches, pair scores): a rebuild that reuses it gives the same groups
and does none of that work again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from test_dedup import corpus, result, to_item  # noqa: F401  (module fixtures reused)

from cn_local_gov_speeches import dedup
from cn_local_gov_speeches.dedup import DEFAULT_CONFIG, run_dedup, stock_shingles
from cn_local_gov_speeches.dedup_cache import DedupCache, sha_keys
from cn_local_gov_speeches.record import Document
from cn_local_gov_speeches.sketching import EarlySketches, worker_sketch
from cn_local_gov_speeches.spill import DocumentSpill

from synth import speech


def _forbid(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("recomputed what the cache keeps")

    for name in names:
        monkeypatch.setattr(dedup, name, refuse)


def test_a_second_run_takes_sketches_and_scores_from_the_cache(corpus, result, tmp_path, monkeypatch) -> None:  # noqa: F811
    items = [to_item(d) for d in corpus]
    first = DedupCache(tmp_path / "dedup")
    assert run_dedup(items, kept=first) == result
    first.commit()
    assert not list(tmp_path.glob(".dedup-*"))  # the work folder was swapped in
    _forbid(monkeypatch, "sketch", "_verify_chunk")
    again = DedupCache(tmp_path / "dedup")
    assert run_dedup(items, kept=again) == result
    again.discard()


def test_a_changed_corpus_reuses_what_still_applies(corpus, result, tmp_path) -> None:  # noqa: F811
    items = [to_item(d) for d in corpus]
    kept = DedupCache(tmp_path / "dedup")
    run_dedup(items[: len(items) // 2], kept=kept)
    kept.commit()
    # Half the texts were seen with (maybe) another stock set: the groups are those of a clean run.
    assert run_dedup(items, kept=DedupCache(tmp_path / "dedup")) == result


def test_kept_sketches_are_used_only_with_the_stock_set_they_were_made_with(corpus, tmp_path) -> None:  # noqa: F811
    items = sorted((to_item(d) for d in corpus), key=lambda it: it.doc_id)
    stock = stock_shingles(items)
    kept = DedupCache(tmp_path / "dedup")
    run_dedup(items, kept=kept)
    kept.commit()
    again = DedupCache(tmp_path / "dedup")
    assert again.sketch_keys_for(stock).size == len({it.text_sha256 for it in items})
    assert again.sketch_keys_for(stock[1:]).size == 0
    again.discard()


def test_scores_are_kept_for_either_order(tmp_path) -> None:
    kept = DedupCache(tmp_path / "dedup")
    a, b = "0" * 63 + "1", "f" * 62 + "00"  # a key ending in zero bytes survives the round trip
    kept.put_scores([(b, a, (0.9, 0.5, 0.4))])
    kept.commit()
    again = DedupCache(tmp_path / "dedup")
    assert again.scores(b, a) == (0.9, 0.5, 0.4)
    assert again.scores(a, b) == (0.5, 0.9, 0.4)
    assert again.scores(a, a) is None
    again.discard()


def test_an_unchanged_sample_reuses_the_stock_set_without_counting(tmp_path, monkeypatch) -> None:
    config = dataclasses.replace(DEFAULT_CONFIG, stock_sample_size=4)
    keys = [f"{i:04d}.txt" for i in range(12)]
    docs = [Document(doc_id=f"d{i:016x}", source_file=k, source_sha256="0" * 64, encoding="utf-8",
                     text=speech(i), text_simplified=speech(i), raw_text=speech(i)) for i, k in enumerate(keys)]
    packed = [DocumentSpill.pack(d) for d in docs]
    shas = [f"{i:064x}" for i in range(12)]

    def build(kept: DedupCache) -> np.ndarray:
        with EarlySketches(keys, config, kept=kept) as early:
            for k in early.order:
                early.arrived(k, shas[k], packed[k])
            return early.stock

    kept = DedupCache(tmp_path / "dedup")
    stock = build(kept)
    kept.commit()
    monkeypatch.setattr(dedup.StockCounter, "add", lambda *a: pytest.fail("counted a kept sample again"))
    again = DedupCache(tmp_path / "dedup")
    assert again.sample and np.array_equal(build(again), stock)
    again.discard()


def test_workers_skip_texts_whose_sketch_is_kept(tmp_path) -> None:
    stock_path = tmp_path / "stock.npy"
    np.save(stock_path, np.empty(0, dtype=np.uint64))
    sha = "ab" * 32
    np.save(tmp_path / "known.npy", np.sort(sha_keys([sha, "cd" * 32])))
    np.save(tmp_path / "permutations.npy", dedup.signer_permutations(DEFAULT_CONFIG))
    doc = Document(doc_id="d" + "1" * 16, source_file="x", source_sha256="0" * 64, encoding="utf-8",
                   text=speech(1), text_simplified=speech(1), raw_text=speech(1))
    packed = DocumentSpill.pack(doc)
    assert worker_sketch(str(stock_path), packed, sha) is None
    assert worker_sketch(str(stock_path), packed, "ef" * 32) is not None


def test_a_process_keeps_one_stock_set_and_reuses_an_equal_one(tmp_path) -> None:
    # A long-running process gets a new stock file per build; an equal set keeps its array (and with
    # it the lookup index built for it), and only the last build's is held.
    from cn_local_gov_speeches import sketching

    doc = Document(doc_id="d" + "1" * 16, source_file="x", source_sha256="0" * 64, encoding="utf-8",
                   text=speech(1), text_simplified=speech(1), raw_text=speech(1))
    paths = []
    for build in ("one", "two"):
        folder = tmp_path / build
        folder.mkdir()
        np.save(folder / "stock.npy", np.array([1, 5, 9], dtype=np.uint64))
        np.save(folder / "permutations.npy", dedup.signer_permutations(DEFAULT_CONFIG))
        paths.append(str(folder / "stock.npy"))
        assert worker_sketch(paths[-1], DocumentSpill.pack(doc), "ef" * 32) is not None
        if build == "one":
            first = sketching._LOADED[paths[0]][0]
    assert list(sketching._LOADED) == [paths[1]] and sketching._LOADED[paths[1]][0] is first


def test_a_build_killed_before_commit_leaves_the_kept_state_whole(corpus, tmp_path: Path) -> None:  # noqa: F811
    items = [to_item(d) for d in corpus]
    kept = DedupCache(tmp_path / "dedup")
    run_dedup(items, kept=kept)
    kept.commit()
    before = sorted(p.name for p in (tmp_path / "dedup").iterdir())
    half = DedupCache(tmp_path / "dedup")
    run_dedup(items[:5], kept=half)
    half.discard()  # what the build does when it stops before dedup has finished
    assert sorted(p.name for p in (tmp_path / "dedup").iterdir()) == before
    assert not list(tmp_path.glob(".dedup-*"))
