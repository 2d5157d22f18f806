"""Near-duplicate detection: synthetic copies (seeded generator in benchmarks/dedup_synth.py), template
speeches that must stay apart, order independence, canonical choice, chains, metadata inheritance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from dedup_synth import (
    TRANSFORMS,
    SynthDoc,
    doc_id_for,
    make_copy,
    make_corpus,
    make_speech,
    make_template_pair,
    simplified,
)

from cn_local_gov_speeches import dedup as dedup_module
from cn_local_gov_speeches.dedup import (
    DEFAULT_CONFIG,
    DedupItem,
    assign_duplicates,
    inherit_metadata,
    metadata_conflicts,
    overlap,
    run_dedup,
    shingle_hashes,
)
from cn_local_gov_speeches.record import Document, Marker
from cn_local_gov_speeches.spill import DocumentSpill

from conftest import fresh_interpreter

GROUP = re.compile(r"^g[0-9a-f]{16}$")


def to_item(d: SynthDoc) -> DedupItem:
    sha = hashlib.sha256(d.text.encode()).hexdigest()
    return DedupItem(d.doc_id, d.text_simplified, sha, d.source_kind, d.redaction_level, d.is_truncated, len(d.text))


def pair_scores(truth: dict[str, str], groups: dict[str, str]) -> tuple[float, float]:
    both = Counter((truth[d], groups[d]) for d in truth)

    def pairs(c: Counter) -> int:
        return sum(v * (v - 1) // 2 for v in c.values())

    tp, pred, true = pairs(both), pairs(Counter(groups.values())), pairs(Counter(truth.values()))
    return (tp / pred if pred else 1.0), (tp / true if true else 1.0)


@pytest.fixture(scope="module")
def corpus() -> list[SynthDoc]:
    docs = make_corpus(seed=20240308, n_speeches=120, copies_per_speech=(1, 3))
    for k in range(10):
        docs.extend(make_template_pair(seed=900 + k))
    return sorted(docs, key=lambda d: d.doc_id)


@pytest.fixture(scope="module")
def result(corpus):
    return run_dedup([to_item(d) for d in corpus])


def test_texts_loaded_on_demand_give_the_same_result(corpus, result) -> None:
    # The build keeps texts in its spill and passes a loader: same groups, scores and stats.
    texts = {d.doc_id: d.text_simplified for d in corpus}
    loaded: list[str] = []

    def text_of(doc_id: str) -> str:
        loaded.append(doc_id)
        return texts[doc_id]

    items = [dataclasses.replace(to_item(d), text_simplified="") for d in corpus]
    assert run_dedup(items, text_of=text_of) == result
    assert set(loaded) == set(texts)


def test_sketches_in_two_processes_give_the_same_result(corpus, result, monkeypatch) -> None:
    monkeypatch.setattr(dedup_module, "_SKETCH_POOL_MIN", 0)  # a pool even for this small corpus
    assert run_dedup([to_item(d) for d in corpus], workers=2) == result


def test_pool_workers_reading_texts_from_the_spill_give_the_same_result(corpus, result, monkeypatch) -> None:
    # The build's loader: workers read their batch of simplified texts from the spill file.
    monkeypatch.setattr(dedup_module, "_SKETCH_POOL_MIN", 0)
    with DocumentSpill() as spill:
        for d in corpus:
            spill.put(Document(doc_id=d.doc_id, source_file="x.txt", source_sha256="0" * 64, encoding="utf-8",
                               text=d.text_simplified, text_simplified=d.text_simplified, raw_text=""))
        items = [dataclasses.replace(to_item(d), text_simplified="") for d in corpus]
        assert run_dedup(items, text_of=spill.simplified_texts(), workers=2) == result


# --- comparable view -------------------------------------------------------------------------


def test_masks_whitespace_punctuation_and_script_do_not_change_shingles():
    base = "今天召开全县经济工作会议，总结去年工作，安排今年任务。"
    variants = [
        "今天召开全县经济工作会议,总结去年工作,\n安排今年任务.",
        "今 天 召 开 全 县 经 济 工 作 会 议 ， 总结去年工作， 安排今年任务。",
        simplified("今天召開全縣經濟工作會議，總結去年工作，安排今年任務。"),
    ]
    for v in variants:
        assert shingle_hashes(v).tolist() == shingle_hashes(base).tolist()
    named = "在青川县召开会议，青川县委书记讲话，青川县要加快发展。"
    for mask in ("X", "××", "**", "某", "xx", "○○"):
        masked = named.replace("青川", mask)
        assert shingle_hashes(masked).tolist() == shingle_hashes(named.replace("青川", "")).tolist()


def test_overlap_scores():
    a = shingle_hashes("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥")
    b = shingle_hashes("甲乙丙丁戊己庚辛壬癸")
    a_in_b, b_in_a, jac = overlap(a, b)
    assert b_in_a == 1.0
    assert a_in_b == pytest.approx(len(b) / len(a))
    assert jac == pytest.approx(len(b) / len(a))


# --- synthetic copies ------------------------------------------------------------------------


def test_generator_covers_every_transform(corpus):
    seen = Counter(t for d in corpus for t in d.transforms)
    assert set(seen) == set(TRANSFORMS)
    assert min(seen.values()) >= 20


def test_synthetic_copies_precision_and_recall(corpus, result):
    truth = {d.doc_id: d.truth for d in corpus}
    groups = {k: v.duplicate_group for k, v in result.assignments.items()}
    precision, recall = pair_scores(truth, groups)
    assert precision == 1.0
    assert recall >= 0.95


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_each_transform_alone_is_found(transform):
    rng = random.Random(TRANSFORMS.index(transform))
    docs = []
    for i in range(8):
        speech = make_speech(rng, rng.randint(1500, 4000))
        orig = doc_id_for("one", transform, i, 0)
        docs.append(SynthDoc(orig, speech.text, simplified(speech.text), "official", "none", False, orig))
        text, truncated = make_copy(rng, speech, (transform,))
        docs.append(
            SynthDoc(doc_id_for("one", transform, i, 1), text, simplified(text), "news", "none", truncated, orig)
        )
    out = assign_duplicates([to_item(d) for d in docs])
    for d in docs:
        assert out[d.doc_id].duplicate_group == "g" + d.truth[1:], (transform, d.doc_id)


def test_template_speeches_are_not_merged():
    for seed in range(6):
        a, b = make_template_pair(seed, n_chars=2500)
        for phrase in ("同志们", "下面，我讲三点意见", "撸起袖子加油干"):
            assert phrase in a.text and phrase in b.text
        out = assign_duplicates([to_item(a), to_item(b)])
        assert out[a.doc_id].is_canonical and out[b.doc_id].is_canonical
        assert out[a.doc_id].duplicate_group != out[b.doc_id].duplicate_group


def test_short_stock_text_is_not_a_copy_of_a_speech():
    rng = random.Random(3)
    speech = make_speech(rng, 3000)
    stock = "同志们：下面，我讲三点意见。撸起袖子加油干！谢谢大家！"
    docs = [
        SynthDoc("d" + "1" * 16, speech.text + stock, simplified(speech.text + stock), "official", "none", False, "a"),
        SynthDoc("d" + "2" * 16, stock, stock, "news", "none", False, "b"),
    ]
    out = assign_duplicates([to_item(d) for d in docs])
    assert out["d" + "2" * 16].is_canonical


def test_exact_copies_merge_even_when_short():
    items = [DedupItem(f"d{i:016x}", "谢谢大家", "same", "news", "none", False, 4) for i in range(3)]
    out = assign_duplicates(items)
    assert {a.duplicate_group for a in out.values()} == {"g" + "0" * 16}
    assert out["d" + "0" * 15 + "1"].containment == 1.0


# --- clusters --------------------------------------------------------------------------------


def test_assignment_fields(corpus, result):
    out = result.assignments
    assert set(out) == {d.doc_id for d in corpus}
    by_id = {d.doc_id: d for d in corpus}
    for doc_id, a in out.items():
        assert GROUP.match(a.duplicate_group)
        if a.is_canonical:
            assert a.duplicate_of is None and a.containment is None and a.jaccard is None
            assert a.duplicate_group == "g" + doc_id[1:]
        else:
            canon = out[a.duplicate_of]
            assert canon.is_canonical and canon.duplicate_group == a.duplicate_group
            assert 0.0 <= a.jaccard <= 1.0 and 0.0 <= a.containment <= 1.0
            # Synthetic originals are official and complete: they are always the canonical.
            assert by_id[a.duplicate_of].source_kind == "official"


def test_output_independent_of_input_order(corpus, result):
    items = [to_item(d) for d in corpus]
    random.Random(5).shuffle(items)
    assert assign_duplicates(items) == result.assignments
    assert assign_duplicates(items[::-1]) == result.assignments


def test_canonical_by_priority_not_input_order():
    rng = random.Random(8)
    speech = make_speech(rng, 3000)
    full = simplified(speech.text)
    preview = full[: len(full) // 2]
    items = [
        DedupItem("d" + "a" * 16, preview, "p", "document_sharing", "partial", True, len(preview)),
        DedupItem("d" + "b" * 16, full, "f", "official", "none", False, len(full)),
        DedupItem("d" + "0" * 16, full, "f2", "template_site", "none", False, len(full)),
    ]
    for order in (items, items[::-1]):
        out = assign_duplicates(order)
        assert out["d" + "b" * 16].is_canonical
        assert out["d" + "a" * 16].duplicate_of == "d" + "b" * 16
        assert out["d" + "a" * 16].containment > 0.95  # the preview is inside the original
        assert out["d" + "a" * 16].jaccard < 0.6


def test_chain_member_failing_against_canonical_is_split_off():
    rng = random.Random(9)
    s1 = simplified(make_speech(rng, 3000).text)
    s2 = simplified(make_speech(rng, 2000).text)
    compilation = s1 + "\n" + s2  # contains both speeches: links them in one component
    items = [
        DedupItem("d" + "1" * 16, s1, "1", "official", "none", False, len(s1)),
        DedupItem("d" + "2" * 16, s2, "2", "official", "none", False, len(s2)),
        DedupItem("d" + "3" * 16, compilation, "3", "document_sharing", "none", False, len(compilation)),
    ]
    result = run_dedup(items)
    out = result.assignments
    assert out["d" + "1" * 16].is_canonical  # official and longest of the officials
    assert out["d" + "3" * 16].duplicate_of == "d" + "1" * 16
    assert out["d" + "2" * 16].is_canonical  # fails against s1: split off into its own group
    assert result.stats.n_split_off == 1


def test_duplicate_doc_ids_rejected():
    item = DedupItem("d" + "0" * 16, "文本", "x", "news", "none", False, 2)
    with pytest.raises(ValueError):
        assign_duplicates([item, item])


def test_default_thresholds_are_named():
    assert DEFAULT_CONFIG.shingle_k == 5
    assert DEFAULT_CONFIG.lsh_threshold < DEFAULT_CONFIG.containment_threshold


# --- metadata inheritance --------------------------------------------------------------------

CANON = "d" + "c" * 16
COPY = "d" + "e" * 16


def _doc(doc_id: str, **kw) -> Document:
    return Document(doc_id=doc_id, source_file=f"{doc_id}.txt", source_sha256="0" * 64, encoding="utf-8", **kw)


def _canonical() -> Document:
    return _doc(
        CANON,
        region_province="陕西省",
        region_prefecture="商洛市",
        region_county="青川县",
        region_code="611099",
        region_level="county",
        region_status="stated",
        region_evidence="青川县人民政府",
        date=dt.date(2024, 3, 8),
        date_precision="day",
        date_status="stated",
        date_evidence="（2024年3月8日）",
        duplicate_group="g" + "c" * 16,
        is_canonical=True,
    )


def test_copy_inherits_missing_region_and_masked_date():
    copy = _doc(
        COPY,
        region_status="masked",
        redaction_markers=(Marker("place", "X县", 2),),  # a masked copy carries its masks
        date_status="absent",
        duplicate_group="g" + "c" * 16,
        duplicate_of=CANON,
        is_canonical=False,
    )
    canon, inherited = inherit_metadata([_canonical(), copy])
    assert canon == _canonical()
    assert inherited.region_county == "青川县" and inherited.region_code == "611099"
    assert inherited.region_level == "county" and inherited.region_province == "陕西省"
    assert inherited.region_status == "inherited"
    assert inherited.region_evidence == f"inherited from {CANON}"
    assert inherited.date == dt.date(2024, 3, 8) and inherited.date_precision == "day"
    assert inherited.date_status == "inherited"
    assert inherited.date_evidence == f"inherited from {CANON}"


def test_copy_keeps_its_own_values_and_conflicts_are_listed():
    copy = _doc(
        COPY,
        region_province="陕西省",
        region_prefecture="商洛市",
        region_county="东山县",
        region_code="611098",
        region_level="county",
        region_status="stated",
        region_evidence="东山县",
        date=dt.date(2024, 3, 9),
        date_precision="day",
        date_status="stated",
        date_evidence="3月9日",
        duplicate_group="g" + "c" * 16,
        duplicate_of=CANON,
        is_canonical=False,
    )
    docs = [_canonical(), copy]
    assert inherit_metadata(docs) == docs
    conflicts = metadata_conflicts(docs)
    assert [(c.doc_id, c.canonical_id, c.field) for c in conflicts] == [(COPY, CANON, "region"), (COPY, CANON, "date")]


def test_no_inheritance_from_canonical_without_values_or_for_canonicals():
    canon = _doc(CANON, duplicate_group="g" + "c" * 16)
    copy = _doc(COPY, duplicate_group="g" + "c" * 16, duplicate_of=CANON, is_canonical=False)
    single = _doc("d" + "f" * 16, duplicate_group="g" + "f" * 16)
    docs = [canon, copy, single]
    assert inherit_metadata(docs) == docs
    assert metadata_conflicts(docs) == []


def test_region_is_inherited_only_when_the_copy_agrees_with_it() -> None:
    import dataclasses as dc

    base = dict(source_sha256="0" * 64, encoding="utf-8", duplicate_group="g" + "a" * 16)
    canon = Document(doc_id="d" + "a" * 16, source_file="c.txt", region_province="浙江省", region_prefecture="温州市",
                     region_county="平阳县", region_code="330326", region_level="county", region_status="stated",
                     text="平阳县要加快发展", text_simplified="平阳县要加快发展", **base)
    copy = Document(doc_id="d" + "b" * 16, source_file="x.txt", region_status="masked", is_canonical=False,
                    duplicate_of=canon.doc_id, redaction_markers=(Marker("place", "X区", 3),),
                    text="X区要加快发展", text_simplified="X区要加快发展", **base)
    same_kind = dc.replace(copy, doc_id="d" + "c" * 16, redaction_markers=(Marker("place", "××县", 2),))
    bare_mask = dc.replace(copy, doc_id="d" + "d" * 16, redaction_markers=(Marker("place", "X", 2),))
    retargeted = dc.replace(copy, doc_id="d" + "e" * 16, region_status="absent", redaction_markers=(),
                            text="文成要加快发展", text_simplified="文成要加快发展")
    named = dc.replace(retargeted, doc_id="d" + "f" * 16, text="平阳要加快发展", text_simplified="平阳要加快发展")
    out = {d.doc_id: d for d in inherit_metadata([canon, copy, same_kind, bare_mask, retargeted, named])}
    assert out[copy.doc_id].region_code is None and out[copy.doc_id].region_status == "masked"
    assert out[retargeted.doc_id].region_code is None and out[retargeted.doc_id].region_status == "absent"
    for d in (same_kind, bare_mask, named):
        assert out[d.doc_id].region_code == "330326" and out[d.doc_id].region_status == "inherited"


def test_candidates_and_prefilter_on_threads_equal_one_thread(monkeypatch) -> None:
    # Built from real sketches (copies of each speech share signature bands) and cut into many
    # prefilter batches, so both threads get work: the pairs and estimates must not change.
    import numpy as np

    docs = make_corpus(seed=7, n_speeches=40, copies_per_speech=(1, 3))
    stock = np.empty(0, dtype=np.uint64)
    table = dedup_module.SketchTable(len(docs), DEFAULT_CONFIG)
    for k, d in enumerate(docs):
        table.set(k, dedup_module.sketch(d.text_simplified, stock, DEFAULT_CONFIG))
    ids = np.arange(len(docs), dtype=np.int64)
    sizes = np.array([dedup_module._size_bin(int(s)) for s in table.sketch_sizes], dtype=np.int64)
    one = dedup_module.containment_candidates(DEFAULT_CONFIG, ids, sizes, table.signatures)
    two = dedup_module.containment_candidates(DEFAULT_CONFIG, ids, sizes, table.signatures, threads=2)
    assert len(one) > 20 and np.array_equal(one, two)
    monkeypatch.setattr(dedup_module, "_PREFILTER_BATCH", 7)
    est = [dedup_module.estimated_containments(table.samples, table.tau, one, 24, threads=t) for t in (1, 2)]
    assert np.array_equal(est[0], est[1])


# --- fast paths of the sketch against their plain definitions ------------------------------------

def _plain_han_codepoints(text: str) -> list[int]:
    ranges, masks = dedup_module._HAN_RANGES, dedup_module._MASK_HAN
    return [ord(ch) for ch in text if any(lo <= ord(ch) <= hi for lo, hi in ranges) and ord(ch) not in masks]


def _plain_shingle_hashes(text: str, k: int = 5) -> list[int]:
    cps = _plain_han_codepoints(text)
    out = set()
    mask = (1 << 64) - 1
    for i in range(len(cps) - k + 1):
        h = 0
        for cp in cps[i : i + k]:
            h = (h * int(dedup_module._POLY) + cp) & mask
        h ^= h >> 30
        h = (h * int(dedup_module._MIX1)) & mask
        h ^= h >> 27
        h = (h * int(dedup_module._MIX2)) & mask
        out.add(h ^ (h >> 31))
    return sorted(out)


def _random_text(rng: random.Random) -> str:
    # Han of every range and its edges, the mask 某, planes beyond the BMP, ASCII, punctuation.
    pools = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF), (0x33FF, 0x3401),
             (0x9FFF, 0xA001), (0xFAFF, 0xFB01), (0x1FFFF, 0x20001), (0x323AE, 0x323B0), (0x10000, 0x10FFFF),
             (0x20, 0x7E), (0x3000, 0x303F), (ord("某"), ord("某"))]
    return "".join(chr(rng.randint(*rng.choice(pools))) for _ in range(rng.randint(0, 60)))


def test_han_codepoints_and_shingles_equal_their_plain_definitions() -> None:
    rng = random.Random(7)
    for _ in range(400):
        text = _random_text(rng)
        assert dedup_module.han_codepoints(text).tolist() == _plain_han_codepoints(text)
        assert shingle_hashes(text).tolist() == _plain_shingle_hashes(text)
        assert shingle_hashes(text, 2).tolist() == _plain_shingle_hashes(text, 2)


def test_drop_equals_set_difference() -> None:
    rng = np.random.default_rng(3)
    for size in (1, 2, 3, 50, 1000, 70_000):
        # Uniform hashes, plus clustered ones (crowded buckets) and the extreme values.
        stock = np.unique(np.concatenate([rng.integers(0, 2**64, size, dtype=np.uint64, endpoint=False),
                                          rng.integers(2**63, 2**63 + 2**40, size // 4 + 1, dtype=np.uint64),
                                          np.array([0, 2**64 - 1], dtype=np.uint64)[: size % 3]]))
        for _ in range(5):
            hashes = np.unique(np.concatenate([rng.choice(stock, min(stock.size, 300)),
                                               rng.integers(0, 2**64, 300, dtype=np.uint64),
                                               rng.integers(2**63, 2**63 + 2**40, 50, dtype=np.uint64),
                                               stock[-1:] + np.uint64(1), stock[:1] - np.uint64(1)]))
            expected = sorted(set(hashes.tolist()) - set(stock.tolist()))
            assert dedup_module._drop(hashes, stock).tolist() == expected
            assert dedup_module._drop(hashes, stock.copy()).tolist() == expected  # another stock object


def test_signature_equals_minhash_definition() -> None:
    signer = dedup_module._signer(DEFAULT_CONFIG)
    rng = np.random.default_rng(5)
    for n in (1, 2, 17, 1000):
        hashes = np.unique(rng.integers(0, 2**64, n, dtype=np.uint64))
        folded = [((h >> 32) ^ h) & 0xFFFFFFFF for h in hashes.tolist()]
        expected = [min((int(a) * f + int(b)) & 0xFFFFFFFF for f in folded)
                    for a, b in zip(signer.a.tolist(), signer.b.tolist(), strict=True)]
        assert signer.signature(hashes).tolist() == expected


@pytest.mark.parametrize("change", ["same partitions", "longest document", "inner boundaries"])
def test_remembered_candidates_of_a_changed_corpus_equal_a_full_search(monkeypatch, change: str) -> None:
    # The watch mode's incremental search: pairs kept per unchanged size partition plus a probe of
    # the changed partitions and of each new or changed document must be exactly the pairs a full
    # search finds, whether or not the new sizes move the partitions' bounds.
    import numpy as np

    from cn_local_gov_speeches import session

    docs = make_corpus(seed=7, n_speeches=60, copies_per_speech=(1, 3))
    stock = np.empty(0, dtype=np.uint64)
    sketches = [dedup_module.sketch(d.text_simplified, stock, DEFAULT_CONFIG) for d in docs]

    def arrays(rows: list[int], renamed: frozenset[int] = frozenset()):
        table = dedup_module.SketchTable(len(rows), DEFAULT_CONFIG)
        for k, row in enumerate(rows):
            table.set(k, sketches[row])
        sizes = np.array([dedup_module._size_bin(int(s)) for s in table.sketch_sizes], dtype=np.int64)
        keys = np.array([docs[row].doc_id + ("-new" if row in renamed else "") for row in rows])
        return np.arange(len(rows), dtype=np.int64) * 3 + 1, sizes, table.signatures, keys  # ids need not be 0..n

    calls, probed = [], []
    real, real_probe = dedup_module._changed_candidates, dedup_module._partition_candidates
    monkeypatch.setattr(dedup_module, "_changed_candidates", lambda *a: calls.append(real(*a)) or calls[-1])
    monkeypatch.setattr(dedup_module, "_partition_candidates",
                        lambda *a, **k: probed.append(list(a[9])) or real_probe(*a, **k))
    monkeypatch.setattr(dedup_module, "_REDO_SHARE", 0.5)
    monkeypatch.setattr(session, "KEEP", True)  # a long-running process remembers the last search
    monkeypatch.setattr(dedup_module, "_LAST", {})
    try:
        rows = list(range(len(docs)))
        dedup_module.containment_candidates(DEFAULT_CONFIG, *arrays(rows)[:3], keys=arrays(rows)[3])
        before = dedup_module._LAST[DEFAULT_CONFIG].uppers
        # Two documents gone and two new ones, one changed.
        ids, sizes, signatures, keys = arrays(rows, renamed=frozenset({5, 17}))
        signatures = signatures.copy()
        signatures[10, :8] += np.uint32(1)
        if change == "longest document":  # a new document longer than any: the last upper moves
            sizes[5] = 3 * sizes.max()
        elif change == "inner boundaries":  # new documents of one shortish size: an inner bound moves
            sizes[[5, 17]] = np.sort(sizes)[int(len(sizes) * 0.3)]
        probed.clear()
        remembered = dedup_module.containment_candidates(DEFAULT_CONFIG, ids, sizes, signatures, keys=keys)
        after = dedup_module._LAST[DEFAULT_CONFIG].uppers
    finally:
        session.KEEP = False
    full = dedup_module.containment_candidates(DEFAULT_CONFIG, ids, sizes, signatures)
    assert calls and calls[-1] is not None, "the remembered search was not used"
    assert np.array_equal(before, after) == (change == "same partitions")
    assert len(probed[0]) < len(after) if probed else change == "same partitions"  # some partitions reused
    assert len(full) > 20 and np.array_equal(remembered, full)


def test_remembered_prefilter_estimates_equal_fresh_ones(monkeypatch) -> None:
    # The watch mode reuses the last build's estimate of a pair whose samples it saw together; the
    # estimates of a changed corpus must equal those made from scratch.
    import numpy as np

    from cn_local_gov_speeches import session

    docs = make_corpus(seed=3, n_speeches=20, copies_per_speech=(1, 3))
    table = dedup_module.SketchTable(len(docs), DEFAULT_CONFIG)
    for k, d in enumerate(docs):
        table.set(k, dedup_module.sketch(d.text_simplified, np.empty(0, dtype=np.uint64), DEFAULT_CONFIG))
    samples, tau = table.samples.copy(), table.tau.copy()
    n = len(docs)
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
    estimated: list[int] = []
    real = dedup_module.estimated_containments
    monkeypatch.setattr(dedup_module, "estimated_containments",
                        lambda s, t, p, m, threads=1: estimated.append(len(p)) or real(s, t, p, m, threads))
    monkeypatch.setattr(session, "KEEP", True)
    monkeypatch.setattr(dedup_module, "_ESTIMATED", {})
    dedup_module._prefilter_estimates(samples, tau, pairs, DEFAULT_CONFIG, 1)
    samples[4] = samples[7]  # one document changed (now shaped like another): its pairs are new
    tau[4] = tau[7]
    again = dedup_module._prefilter_estimates(samples, tau, pairs[::-1].copy(), DEFAULT_CONFIG, 2)
    monkeypatch.setattr(session, "KEEP", False)
    assert estimated[0] == len(pairs) and 0 < estimated[1] <= n  # only the pairs with row 4 (or like it)
    assert np.array_equal(again, real(samples, tau, pairs[::-1].copy(), DEFAULT_CONFIG.prefilter_min_sample))


def test_sorted_unique_equals_numpy_unique() -> None:
    rng = np.random.default_rng(7)
    for values in (np.empty(0, dtype=np.int64), np.array([3]), rng.integers(0, 40, 500),
                   rng.integers(0, 2**40, 20_000), rng.integers(0, 2**32, 5_000).astype(np.uint64)):
        assert np.array_equal(dedup_module.sorted_unique(values), np.unique(values))


def test_dedup_fields_are_the_columns_dedup_assigns() -> None:
    """Validation notes a row's dedup columns apart from its per-file ones (`validate.ROW_PARTS`)."""
    import dataclasses

    from cn_local_gov_speeches.dedup import DedupAssignment
    from cn_local_gov_speeches.record import DEDUP_FIELDS

    assert DEDUP_FIELDS == tuple(f.name for f in dataclasses.fields(DedupAssignment))


def test_optimal_partitions_equal_datasketchs() -> None:
    """`dedup.optimal_partitions` is datasketch's, in numpy: the same partitions for the binned
    sizes of speeches, for small integer sizes (where ties are likely) and for a few sizes."""
    import numpy as np
    from datasketch.lshensemble_partition import optimal_partitions as datasketchs

    from cn_local_gov_speeches.dedup import _size_bin, optimal_partitions

    rng = np.random.default_rng(7)
    for trial in range(30):
        if trial % 3 == 0:
            raw = rng.lognormal(rng.uniform(5, 8), rng.uniform(0.1, 0.4), int(rng.integers(5, 3000)))
            sizes = np.array([_size_bin(max(1, int(x))) for x in raw])
        elif trial % 3 == 1:
            sizes = rng.integers(1, int(rng.integers(3, 80)), int(rng.integers(2, 2000)))
        else:
            sizes = rng.integers(1, 40, int(rng.integers(2, 40)))
        distinct, counts = np.unique(sizes, return_counts=True)
        for num_part in (1, 2, 8):
            ours = [(int(lo), int(hi)) for lo, hi in optimal_partitions(distinct, counts, num_part)]
            assert ours == [(int(lo), int(hi)) for lo, hi in datasketchs(distinct, counts, num_part)]


def test_committed_datasketch_params_equal_datasketchs() -> None:
    """A build takes datasketch's permutations and LSH Ensemble grid from `PARAMS_FILE`: they must
    be what the installed datasketch computes for the default config."""
    assert dedup_module.PARAMS_FILE.read_text(encoding="utf-8") == dedup_module.render_params(), (
        "dedup_params.generated.json is stale: run `python build_dataset.py generate`"
    )


def test_a_build_signs_and_searches_without_importing_datasketch() -> None:
    """With the committed parameters, the build's process need not import datasketch (and scipy)."""
    code = ("from cn_local_gov_speeches import dedup\n"
            "dedup._ensemble_params(dedup.DEFAULT_CONFIG)\n"
            "dedup.signer_permutations(dedup.DEFAULT_CONFIG)\n"
            "print('datasketch' in sys.modules, 'scipy' in sys.modules)\n")
    assert fresh_interpreter(code) == ["False", "False"]


def test_params_for_another_config_come_from_datasketch() -> None:
    other = dataclasses.replace(dedup_module.DEFAULT_CONFIG, lsh_threshold=0.6)
    assert dedup_module._committed_params(other) is None
    assert dedup_module._committed_params(dedup_module.DEFAULT_CONFIG) is not None


def test_band_values_shared_are_band_keys_shared() -> None:
    # A watch rebuild finds a changed document's candidates by comparing band values; the full search
    # compares the bands' 64-bit keys: the two must agree.
    import numpy as np

    rng = np.random.default_rng(5)
    signatures = rng.integers(0, 1 << 32, size=(300, 128), dtype=np.uint32)
    own = signatures[0].copy()
    for row, (lo, hi) in enumerate([(0, 4), (8, 16), (60, 64), (120, 128), (2, 6)], start=1):
        signatures[row, lo:hi] = own[lo:hi]  # whole bands in common for some (b, r), parts of bands for others
    for b, r in [(32, 4), (16, 8), (2, 4), (1, 8), (128, 1), (5, 3)]:
        shared = dedup_module._shares_band(signatures[:, : b * r] == own[: b * r], r)
        keys = dedup_module._band_keys(signatures[:, : b * r], r)
        assert np.array_equal(shared, (keys == dedup_module._band_keys(own[None, : b * r], r)[0]).any(axis=1))
        assert (shared[0] and shared.sum() > 1) or b * r < 16


@pytest.mark.parametrize(("title", "published", "inherits"), [
    ("在全县2024年第一次全体会议上的讲话", None, True),  # its own year agrees
    ("在全县经济工作会议上的讲话", dt.date(2024, 5, 1), True),  # published after the speech
    # a title naming only another year (refused as a date: a review meeting's) is a re-dated template
    ("在全县2009年总结表彰大会上的讲话", None, False),
    ("在全县经济工作会议上的讲话", dt.date(2023, 6, 1), False),  # published before the speech
])
def test_date_is_inherited_only_when_the_copy_agrees_with_it(title: str, published: dt.date | None,
                                                              inherits: bool) -> None:
    copy = dataclasses.replace(_doc(COPY, date_status="absent", duplicate_group="g" + "c" * 16, duplicate_of=CANON,
                           is_canonical=False), title=title, published_date=published)
    _, out = inherit_metadata([_canonical(), copy])
    assert (out.date == dt.date(2024, 3, 8)) is inherits
    assert out.date_status == ("inherited" if inherits else "absent")
