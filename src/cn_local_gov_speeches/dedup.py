"""Dedup stage (a whole-corpus barrier): cluster exact and near-duplicate copies of one speech.

Method (see docs/dedup.md for the measured curve behind the thresholds):

1. *Comparable view.* Each document's simplified text is reduced to Han characters only, and the
   mask character 某 is dropped too; so whitespace, line wraps, punctuation width, digits, Latin
   letters and the redaction markers X × * ○ (and 某) never hide a copy. Script differences are
   already gone in `text_simplified` (OpenCC t2s).
2. *Shingles.* Character k-grams (k = 5) of that view, hashed to uint64 (sorted, unique numpy
   arrays). They are recomputed when needed and only a bounded LRU of them is kept, so the resident
   near-duplicate state is one 32-bit MinHash signature per document (`num_perm` x 4 bytes) plus
   the LSH index.
3. *Candidates.* `datasketch.MinHashLSHEnsemble` (containment LSH), queried once per document with
   its own MinHash and set size: it returns the indexed documents that likely *contain* the query
   (asymmetric: the full text is found from its preview, the preview from the full text is found
   when the preview itself is queried). No all-pairs comparison.
4. *Verification.* For each candidate pair the exact shingle sets give
   containment = |A∩B| / min(|A|, |B|) and Jaccard = |A∩B| / |A∪B|. A pair is a near-duplicate when
   both sets have at least `min_shingles` shingles and containment >= `containment_threshold`.
   Jaccard is measured and reported but is not a decision rule: J >= t implies containment >= t,
   and a Jaccard rule alone misses truncated previews (a real preview/original pair: containment
   0.97, Jaccard 0.47). Identical `text_sha256` is always a duplicate, whatever the length.
5. *Clusters.* Union-find over verified pairs; in each component the canonical is the first member
   by `canonical_priority` (official source, least redaction, not truncated, longest, doc_id) — never
   input order. Every other member is then measured against the canonical itself. A member that
   does not itself pass against the canonical (it was only linked through a chain, e.g. two
   excerpts of a compilation) is *split off*: the members that failed are re-clustered among
   themselves by the same rule (union-find over their own verified pairs, canonical by priority),
   recursively. Invariant: every non-canonical row passes the rule against its `duplicate_of`.
6. *Output.* `duplicate_group` = "g" + the canonical doc_id without its "d"; `containment` is the
   share of the member's shingles found in the canonical (the schema's definition; it can be
   slightly below the threshold when the canonical is the *smaller* set and the rule passed in the
   other direction), `jaccard` the Jaccard with the canonical; both None for the canonical.

Deterministic: input sorted by doc_id, fixed hash seeds, no dependence on input order.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import itertools
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from . import session
from .annotate.dates import title_years
from .dedup_cache import DedupCache
from .engine import map_bounded, preloaded_pool
from .record import Document

logger = logging.getLogger(__name__)

_KIND_PRIORITY = {"official": 0, "news": 1, "unknown": 2, "template_site": 3, "document_sharing": 4}
_REDACTION_PRIORITY = {"none": 0, "partial": 1, "heavy": 2}

DEDUP_VERSION = "dedup_minhash_containment_v3"  # v3: date inheritance checks the copy (date_consistent)
# doc_id -> simplified text, for items and documents that do not carry their text. A loader may
# also have `batch(doc_ids)`: a small picklable iterable of those texts that a pool worker reads
# itself (the build's spill has one), so the texts need not pass through the parent.
TextLoader = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Thresholds and sketch parameters; defaults are the measured choice (docs/dedup.md).

    Measured with `benchmarks/dedup_thresholds.py` (seed 11): 1 073 synthetic documents — 400
    official speeches of 1500-6000 characters, 573 copies (truncated to 30-90 %, masked, chrome,
    s2t script, re-wrapped; random combinations), 100 template-sibling speeches — i.e. 575 128
    pairs of which 926 are true copy pairs. Lowest containment of a true copy pair 0.823 (1st
    percentile 0.859); highest containment of two different speeches 0.288 (Jaccard 0.094).
    Containment rule: precision 1.0 and recall 1.0 for every threshold in 0.30-0.80, recall 0.996
    at 0.85, 0.927 at 0.90. Jaccard rule: recall 0.79 at 0.5, 0.45 at 0.8 (truncated previews).
    Full stage at 0.7: precision 1.0, recall 0.9989 (one pair lost by LSH candidate generation).
    0.7 is chosen inside the gap, nearer the copies than the midpoint because real stock phrasing
    is likely denser than the synthetic one; a real preview/original pair measures 0.97.
    """

    # Shingle length in Han characters (reference note: k = 5 on the Han-only simplified view).
    shingle_k: int = 5
    # Verified containment |A∩B| / min(|A|, |B|) needed to call a pair a copy (curve: gap 0.29-0.82).
    containment_threshold: float = 0.7
    # Below this many shingles (~ Han characters) a text joins a group only by identical text_sha256:
    # a short text made of stock phrases would otherwise be "contained" in many speeches.
    min_shingles: int = 100
    # LSH Ensemble containment threshold for *candidates*: below the verification threshold so the
    # sketch's estimation error costs no recall (measured candidate recall 1.0 at 0.5).
    lsh_threshold: float = 0.5
    num_perm: int = 128
    lsh_num_part: int = 8
    lsh_m: int = 4
    seed: int = 1
    # Stock-phrase shingles left out of the sketches (not of verification): frequent in a sample.
    stock_sample_size: int = 2000
    stock_min_docs: int = 10
    stock_share: float = 0.01
    # A text whose sketch would keep less than this share of its shingles is sketched in full (its
    # own wording was marked stock, e.g. a very widely copied speech). Kept low: on the benchmark
    # corpus (10k docs, formulaic grammar) 0.5 sent 99 % of texts to full sketches and gave 2.1 M LSH
    # candidates; 0.1 gave 23 k with the same groups (pairwise precision 1.0, recall 0.987 both).
    stock_fallback_share: float = 0.1
    # Shingle sets kept in memory at once during verification (each ~8 bytes x n shingles).
    shingle_cache_size: int = 2048
    # Pre-filter before exact verification: each document keeps its `bottom_k` smallest shingle
    # hashes (a uniform sample, hashes are mixed); containment estimated from the shared range of two
    # samples must reach `prefilter_containment`. True copies measure >= 0.82 and the estimate's
    # standard error with >= `prefilter_min_sample` sampled shingles is <= 0.08, so 0.5 costs no
    # recall while most LSH false positives (background overlap 0.1-0.3) never load full sets.
    bottom_k: int = 128
    prefilter_containment: float = 0.5
    prefilter_min_sample: int = 24


DEFAULT_CONFIG = DedupConfig()


@dataclass(frozen=True, slots=True)
class DedupItem:
    doc_id: str
    text_simplified: str
    text_sha256: str
    source_kind: str
    redaction_level: str
    is_truncated: bool
    n_chars: int


@dataclass(frozen=True, slots=True)
class DedupAssignment:
    duplicate_group: str
    duplicate_of: str | None
    containment: float | None
    jaccard: float | None
    is_canonical: bool


@dataclass(frozen=True, slots=True)
class DedupStats:
    """Counts for the build report and the benchmark."""

    n_items: int
    n_indexed: int  # items with >= min_shingles shingles (the others match only by text_sha256)
    n_candidates: int  # distinct candidate pairs from LSH
    n_prefiltered: int  # candidates dropped by the bottom-k containment estimate (never loaded in full)
    n_verified_pairs: int  # candidate pairs that passed (plus exact text_sha256 pairs)
    n_groups: int  # groups with more than one member
    n_duplicates: int  # non-canonical rows
    n_split_off: int  # members split from a component because they failed against its canonical
    n_stock_shingles: int  # shingles left out of the sketches as stock phrasing
    n_sketch_fallback: int  # texts sketched on their full set (mostly stock shingles)


@dataclass(frozen=True, slots=True)
class DedupResult:
    assignments: dict[str, DedupAssignment]
    stats: DedupStats


@dataclass(frozen=True, slots=True)
class MetadataConflict:
    """A copy whose own region or date differs from its canonical's (the copy keeps its own)."""

    doc_id: str
    canonical_id: str
    field: str  # "region" or "date"
    own: str
    canonical: str


def canonical_priority(item: DedupItem) -> tuple:
    """Lower sorts first: official source, least redaction, not truncated, longest, then doc_id."""
    return (
        _KIND_PRIORITY.get(item.source_kind, 2),
        _REDACTION_PRIORITY.get(item.redaction_level, 1),
        item.is_truncated,
        -item.n_chars,
        item.doc_id,
    )


# --- comparable view and shingles ----------------------------------------------------------------

# Han ranges: CJK Unified Ideographs and Extension A, compatibility ideographs, Extensions B-H.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))
# Han characters used as redaction markers (某县, 某某同志); dropped from both sides of a comparison.
_MASK_HAN = (ord("某"),)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_POLY = np.uint64(0x100000001B3)


def han_codepoints(text: str) -> np.ndarray:
    """Code points of the Han characters of `text` (mask 某 excluded), as uint64."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    # One table lookup per character instead of two comparisons per range; the table's last entry
    # stands for every code point beyond the BMP, sorted out below in the rare text that has one.
    han = cps[_bmp_han_table()[np.minimum(cps, 0x10000)]]
    if han.size and han.max() > 0xFFFF:
        han = han[_reference_keep(han)]
    return han.astype(np.uint64)


def _reference_keep(cps: np.ndarray) -> np.ndarray:
    """Which of `cps` are Han and not a mask character (the plain definition)."""
    keep = np.zeros(cps.shape, dtype=bool)
    for lo, hi in _HAN_RANGES:
        keep |= (cps >= lo) & (cps <= hi)
    for cp in _MASK_HAN:
        keep &= cps != cp
    return keep


@functools.cache
def _bmp_han_table() -> np.ndarray:
    """Per BMP code point, `_reference_keep`; True at the last entry (any code point beyond the BMP)."""
    return np.append(_reference_keep(np.arange(0x10000, dtype=np.uint32)), True)


def _mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer (uint64 wrap-around is the intended arithmetic)."""
    h = h ^ (h >> np.uint64(30))  # a new array: the rest works in place on it
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    return h


def shingle_hashes(text: str, k: int = DEFAULT_CONFIG.shingle_k) -> np.ndarray:
    """Sorted unique uint64 hashes of the Han-character k-grams of `text` (the comparison set)."""
    cps = han_codepoints(text)
    n = cps.size - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = cps[:n].copy()  # 0 * _POLY + the first code point; then in place (no temporaries)
        for i in range(1, k):
            h *= _POLY
            h += cps[i : i + n]
        h = _mix64(h)
        h.sort()
    return _unique_of_sorted(h)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` of a 1-D integer array, by sorting. numpy 2.3+ finds plain uniques with a
    hash table, which here took 5.8 s for 6M int64 codes where sorting takes 0.12 s."""
    return _unique_of_sorted(np.sort(values, axis=None))


def _unique_of_sorted(h: np.ndarray) -> np.ndarray:
    if h.size == 0:
        return h
    keep = np.empty(h.size, dtype=bool)
    keep[0] = True
    np.not_equal(h[1:], h[:-1], out=keep[1:])
    return h[keep]


T = TypeVar("T")
_PAD = np.iinfo(np.uint64).max  # padding of short samples; real hashes this large are ignored
_PREFILTER_BATCH = 20_000  # candidate pairs estimated at once, over all threads (~80 MB of work arrays)


def estimated_containments(samples: np.ndarray, tau: np.ndarray, pairs: np.ndarray, min_sample: int,
                           threads: int = 1) -> np.ndarray:
    """Containment |A∩B| / min(|A|, |B|) of each pair, estimated from bottom-k samples.

    Below tau = min(tau_a, tau_b) both samples hold every element of their sets, so the shared
    range compares like with like. Pairs with fewer than `min_sample` sampled elements in that range
    get 1.0 (too few to judge: they are verified exactly). Vectorized over batches of pairs, which
    `threads` threads share (numpy's sorts and comparisons run without the GIL).
    """
    out = np.empty(len(pairs), dtype=np.float64)
    size = max(1, _PREFILTER_BATCH // max(1, threads))  # the threads' work arrays together stay as large

    def batch(start: int) -> None:
        i, j = pairs[start:start + size, 0], pairs[start:start + size, 1]
        t = np.minimum(tau[i], tau[j])[:, None]
        a, b = samples[i], samples[j]
        a_in, b_in = (a <= t) & (a < _PAD - 1), (b <= t) & (b < _PAD - 1)
        # Out-of-range entries become two different pad values so they never pair up.
        merged = np.sort(np.concatenate([np.where(a_in, a, _PAD), np.where(b_in, b, _PAD - 1)], axis=1), axis=1)
        inter = np.count_nonzero((merged[:, 1:] == merged[:, :-1]) & (merged[:, 1:] < _PAD - 1), axis=1)
        smaller = np.minimum(a_in.sum(axis=1), b_in.sum(axis=1))
        est = np.divide(inter, smaller, out=np.ones(len(i)), where=smaller > 0)
        est[smaller < min_sample] = 1.0
        out[start:start + len(i)] = est

    collections.deque(_in_threads(batch, range(0, len(pairs), size), threads), maxlen=0)
    return out


# A long-running process (`session.KEEP`) keeps the last build's estimates, by pair of (sample, tau)
# contents: the next build estimates only the pairs whose samples it has not seen together.
_ESTIMATED: dict[DedupConfig, tuple[np.ndarray, np.ndarray]] = {}  # sorted pair codes, their estimates


def _prefilter_estimates(samples: np.ndarray, tau: np.ndarray, pairs: np.ndarray, config: DedupConfig,
                         threads: int) -> np.ndarray:
    """`estimated_containments` of `pairs`, taking those of pairs seen in the last build (`_ESTIMATED`)."""
    if not session.KEEP or len(pairs) == 0:
        return estimated_containments(samples, tau, pairs, config.prefilter_min_sample, threads)
    rows = _sample_keys(samples, tau)
    a, b = rows[pairs[:, 0]], rows[pairs[:, 1]]
    with np.errstate(over="ignore"):  # the estimate is symmetric: so is the code
        codes = _mix64(np.minimum(a, b) * _POLY + np.maximum(a, b))
    out = np.empty(len(pairs), dtype=np.float64)
    hit = np.zeros(len(pairs), dtype=bool)
    last = _ESTIMATED.get(config)
    if last is not None and last[0].size:
        at = np.minimum(np.searchsorted(last[0], codes), last[0].size - 1)
        hit = last[0][at] == codes
        out[hit] = last[1][at[hit]]
    miss = np.flatnonzero(~hit)
    out[miss] = estimated_containments(samples, tau, pairs[miss], config.prefilter_min_sample, threads)
    order = np.argsort(codes)
    _ESTIMATED.clear()
    _ESTIMATED[config] = (codes[order], out[order])
    return out


def _sample_keys(samples: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """A 64-bit hash per row of its bottom-k sample and tau (all an estimate looks at)."""
    with np.errstate(over="ignore"):
        h = _mix64(tau.astype(np.uint64))
        for col in range(samples.shape[1]):
            h = _mix64(h * _POLY + samples[:, col])
    return h


def _in_threads(fn: Callable[[int], T], args: Iterable[int], threads: int) -> Iterator[T]:
    """`map(fn, args)`, on `threads` threads when more than one (results in order, a few ahead)."""
    with concurrent.futures.ThreadPoolExecutor(threads) if threads > 1 else contextlib.nullcontext() as pool:
        yield from map_bounded(fn, args, pool, 2 * threads)


def overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(share of a in b, share of b in a, Jaccard) of two sorted unique hash arrays."""
    if a.size == 0 or b.size == 0:
        return 0.0, 0.0, 0.0
    small, large = (a, b) if a.size <= b.size else (b, a)
    pos = np.searchsorted(large, small)
    pos[pos == large.size] = 0
    inter = int(np.count_nonzero(large[pos] == small))
    return inter / a.size, inter / b.size, inter / (a.size + b.size - inter)


class _Signer:
    """MinHash signatures (datasketch "affine32" scheme parameters) computed with numpy in bulk."""

    def __init__(self, permutations: np.ndarray) -> None:
        self.permutations = np.asarray(permutations, dtype=np.uint32)  # (2, num_perm): rows a and b
        self.a, self.b = self.permutations

    @staticmethod
    def datasketch_permutations(config: DedupConfig) -> np.ndarray:
        """datasketch's (a, b) permutation parameters for the config, as a (2, num_perm) array."""
        return np.asarray(_params(config)["permutations"], dtype=np.uint32)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        folded = ((hashes >> np.uint64(32)) ^ hashes).astype(np.uint32)
        # One row per permutation, so each minimum runs over contiguous memory (~20 % faster than
        # a column minimum of the transposed matrix); uint32 wrap-around is the scheme's arithmetic.
        values = np.multiply.outer(self.a, folded)
        values += self.b[:, None]
        return values.min(axis=1)


@functools.cache
def _ensemble_params(config: DedupConfig) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """datasketch's size-ratio grid and (bands, rows) per grid point: a function of the config only."""
    params = _params(config)
    return np.asarray(params["xqs"], dtype=float), [(int(b), int(r)) for b, r in params["params"]]


# datasketch's parameters for the default config (MinHash permutations, LSH Ensemble's grid), as
# `python build_dataset.py generate` computed them with the datasketch named in the file: a build
# then need not import datasketch and scipy. A test checks the file equals what datasketch computes;
# with another config or datasketch version they are computed as before.
PARAMS_FILE = Path(__file__).with_name("dedup_params.generated.json")
_PARAMS_OF = ("num_perm", "seed", "lsh_threshold", "lsh_num_part", "lsh_m")  # the config fields they depend on


@functools.cache
def _params(config: DedupConfig) -> dict:
    """datasketch's parameters for `config`: PARAMS_FILE's when it holds them for this config and the
    installed datasketch, else computed (importing datasketch and scipy, ~0.5 s, and numerical
    integrals, ~0.1 s: once per process)."""
    return _committed_params(config) or _datasketch_params(config)


def _datasketch_params(config: DedupConfig) -> dict:
    """The parameters as the installed datasketch computes them, as PARAMS_FILE holds them."""
    from datasketch import MinHash, MinHashLSHEnsemble  # here, not at the top: datasketch loads scipy

    ens = MinHashLSHEnsemble(
        threshold=config.lsh_threshold, num_perm=config.num_perm, num_part=config.lsh_num_part, m=config.lsh_m
    )
    return {
        "datasketch": importlib.metadata.version("datasketch"),
        "config": {name: getattr(config, name) for name in _PARAMS_OF},
        "permutations": np.asarray(MinHash(num_perm=config.num_perm, seed=config.seed).permutations,
                                   dtype=np.uint32).tolist(),
        "xqs": [float(x) for x in ens.xqs],  # JSON keeps a float64 exactly (shortest repr)
        "params": [[int(b), int(r)] for b, r in ens.params],
    }


def render_params(config: DedupConfig = DEFAULT_CONFIG) -> str:
    """PARAMS_FILE's text: the parameters as datasketch computes them now."""
    params = _datasketch_params(config)
    return "{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in params.items()) + "\n}\n"


def write_params() -> None:
    PARAMS_FILE.write_text(render_params(), encoding="utf-8")


@functools.cache
def _committed_params(config: DedupConfig) -> dict | None:
    """PARAMS_FILE's parameters if they were computed for `config` by the installed datasketch."""
    try:
        params = json.loads(PARAMS_FILE.read_text(encoding="utf-8"))
        installed = importlib.metadata.version("datasketch")
    except (OSError, ValueError, importlib.metadata.PackageNotFoundError):
        return None
    wanted = {name: getattr(config, name) for name in _PARAMS_OF}
    return params if params.get("datasketch") == installed and params.get("config") == wanted else None


@dataclass(frozen=True, slots=True)
class _Remembered:
    """A candidate search's inputs and result, by document key (see `_LAST`)."""

    keys: np.ndarray
    sizes: np.ndarray
    signatures: np.ndarray
    uppers: np.ndarray
    found: dict[int, np.ndarray]  # per partition (by its upper): the (m, 2) rows of `keys` its tables found


# A long-running process (`session.KEEP`) keeps each candidate search's result, per size partition:
# the pairs whose indexed document lies in it (a query q hits x with the bands that x's partition's
# upper and q's size choose). The next search takes those of a partition with the same upper and the
# same unchanged documents, minus pairs with a document that is new, changed or gone; it probes the
# other partitions' tables with every query, and every partition for the new or changed documents.
# Candidacy is a property of a pair given the partitions (see `_pairs_of`), so the result is exactly
# that of a full search. (A document longer than any before moves the last upper: one partition is
# probed again, not eight.)
_LAST: dict[DedupConfig, _Remembered] = {}
_REDO_SHARE = 0.01  # more changed documents than this share (or 16): search all pairs again


def containment_candidates(config: DedupConfig, ids: np.ndarray, sizes: np.ndarray,
                           signatures: np.ndarray, threads: int = 1, keys: np.ndarray | None = None) -> np.ndarray:
    """Pairs (i, j), i < j, where j likely contains i or i contains j: sorted, unique (LSH Ensemble).

    LSH Ensemble for containment (Zhu et al., VLDB 2016) with compact numpy band tables. The
    parameters are datasketch's own: `MinHashLSHEnsemble` computes the (bands, rows) table that
    minimises false positives + negatives for each size ratio, and its `optimal_partitions` (here in
    numpy: `optimal_partitions`) splits the size distribution. Candidate semantics equal
    `MinHashLSHEnsemble.index/query` (same partitions, same per-partition band choice, same bands =
    consecutive signature slices), but each
    (partition, rows) table is one sorted uint64 array of band keys plus a uint32 array of document
    numbers (~12 bytes per band) instead of Python dicts of sets (~300 bytes per band). A table is
    built, probed by every query, and dropped, so only one table per thread is ever resident: the
    candidates are the union over tables either way. `threads` threads share the tables (numpy's
    sorts and searches run without the GIL). `keys`: a stable key per document (its doc_id), with
    which a long-running process remembers the result (`_LAST`).
    """
    xqs, params = _ensemble_params(config)
    # Queries probe only the first b bands of an r-row table: store no band beyond the largest b.
    bands_used = {r: max(b for b, r2 in params if r2 == r) for _, r in params}
    distinct, counts = np.unique(sizes, return_counts=True)
    parts = optimal_partitions(distinct, counts, config.lsh_num_part)
    uppers = np.array([int(u) for _, u in parts], dtype=np.int64)
    part_of = np.minimum(np.searchsorted(uppers, sizes, side="left"), len(parts) - 1)
    remember = session.KEEP and keys is not None
    last = _LAST.get(config) if remember else None
    found = None
    if last is not None:
        found = _changed_candidates(last, ids, keys, sizes, signatures, uppers, part_of, xqs, params, bands_used,
                                    threads)
    if found is None:
        found = _partition_candidates(ids, sizes, signatures, uppers, part_of, xqs, params, bands_used, threads,
                                      range(len(uppers)), each=remember)
    union, each = found
    if remember:
        by_id = np.argsort(ids)
        # By upper, which names a partition from one search to the next (unless two are equal: then none
        # is kept, and the next search probes every partition).
        rows = {int(uppers[p]): by_id[np.searchsorted(ids, _pairs(codes), sorter=by_id)] for p, codes in each.items()}
        kept = rows if len(set(uppers.tolist())) == len(uppers) else {}
        _LAST[config] = _Remembered(keys.copy(), sizes.copy(), signatures.copy(), uppers, kept)
    return _pairs(union)


def _pairs(codes: np.ndarray) -> np.ndarray:
    """(m, 2) pairs of ids from pair codes (min * _PAIR_BASE + max)."""
    return np.stack([codes // _PAIR_BASE, codes % _PAIR_BASE], axis=1)


def _codes(a: np.ndarray | int, b: np.ndarray) -> np.ndarray:
    """The pair codes of ids `a` and `b`, element by element: the same for (a, b) and (b, a)."""
    return np.minimum(a, b) * _PAIR_BASE + np.maximum(a, b)


def _partition_candidates(ids: np.ndarray, sizes: np.ndarray, signatures: np.ndarray, uppers: np.ndarray,
                          part_of: np.ndarray, xqs: np.ndarray, params: list[tuple[int, int]],
                          bands_used: dict[int, int], threads: int, partitions: Iterable[int], each: bool = False,
                          ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Pair codes (sorted, unique) of every query hitting the tables of `partitions`; with `each`,
    also those of each partition apart (else an empty dict)."""
    param_b = np.array([b for b, _ in params], dtype=np.int64)
    param_r = np.array([r for _, r in params], dtype=np.int64)
    # One unit of work per (partition, rows per band): its table, probed by the queries using it.
    units = [(p, int(uppers[p]), r) for p in partitions if np.any(part_of == p) for r in sorted(bands_used)]

    def unit(k: int) -> np.ndarray:
        p, upper, r = units[k]
        rows = np.flatnonzero(part_of == p)
        # The (b, r) each query uses against this partition: from the size ratio, as datasketch does.
        slot = np.minimum(np.searchsorted(xqs, upper / sizes, side="left"), len(params) - 1)
        q_b, q_r = param_b[slot], param_r[slot]
        keys = _band_keys(signatures[rows, : bands_used[r] * r], r)  # (n_rows, n_bands): those used
        flat = keys.ravel()
        order = np.argsort(flat)
        table = _band_table(flat[order], np.repeat(ids[rows].astype(np.uint32), keys.shape[1])[order])
        del keys, flat, order
        queries = np.flatnonzero(q_r == r)
        found = [_probe(table, ids[q], signatures[q], q_b[q], r)
                 for q in (queries[start : start + _QUERY_CHUNK] for start in range(0, queries.size, _QUERY_CHUNK))]
        return sorted_unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)

    found: list[np.ndarray] = []
    of_partition: dict[int, list[np.ndarray]] = {}
    pending = compacted = 0
    for k, codes in enumerate(_in_threads(unit, range(len(units)), threads)):
        found.append(codes)
        if each:
            of_partition.setdefault(units[k][0], []).append(codes)
        pending += codes.size
        if pending > max(_COMPACT_AT, compacted):  # merge duplicates; amortized like a doubling array
            found = [sorted_unique(np.concatenate(found))]
            compacted = pending = found[0].size
    union = sorted_unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    return union, {p: sorted_unique(np.concatenate(codes)) for p, codes in of_partition.items()}


def _changed_candidates(last: _Remembered, ids: np.ndarray, keys: np.ndarray, sizes: np.ndarray,
                        signatures: np.ndarray, uppers: np.ndarray, part_of: np.ndarray, xqs: np.ndarray,
                        params: list[tuple[int, int]], bands_used: dict[int, int], threads: int,
                        ) -> tuple[np.ndarray, dict[int, np.ndarray]] | None:
    """`_partition_candidates` of every partition (with `each`), from the last search (see `_LAST`):
    a partition with the same upper and the same unchanged documents (same key, size and signature)
    keeps its pairs between unchanged documents; another is probed again by every query; the pairs
    of a new or changed document are probed for it. None when too many documents changed, or every
    partition did, for that to pay."""
    if last.keys.size == 0:
        return None
    order = np.argsort(last.keys)
    old_row = order[np.minimum(np.searchsorted(last.keys, keys, sorter=order), last.keys.size - 1)]
    same = (last.keys[old_row] == keys) & (last.sizes[old_row] == sizes)
    same &= (last.signatures[old_row] == signatures).all(axis=1)
    changed = np.flatnonzero(~same)
    if changed.size > max(16, _REDO_SHARE * keys.size):
        return None
    now_row = np.full(last.keys.size, -1, dtype=np.int64)
    now_row[old_row[same]] = np.flatnonzero(same)
    old_part = np.minimum(np.searchsorted(last.uppers, last.sizes, side="left"), len(last.uppers) - 1)
    old_index = {upper: k for k, upper in enumerate(last.uppers.tolist())}
    found: dict[int, list[np.ndarray]] = {}
    redo: list[int] = []
    for p, upper in enumerate(uppers.tolist()):
        rows = last.found.get(upper)
        was = now_row[(old_part == old_index[upper]) & (now_row >= 0)] if rows is not None else None
        if was is None or not np.array_equal(np.sort(was), np.flatnonzero((part_of == p) & same)):
            redo.append(p)
            continue
        a, b = now_row[rows[:, 0]], now_row[rows[:, 1]]
        both = (a >= 0) & (b >= 0)  # neither document gone nor changed
        found[p] = [_codes(ids[a[both]], ids[b[both]])]
    if len(redo) == len(uppers):
        return None
    _, probed = _partition_candidates(ids, sizes, signatures, uppers, part_of, xqs, params, bands_used, threads,
                                      redo, each=True)
    for p, codes in probed.items():
        found.setdefault(p, []).append(codes)
    for c in changed.tolist():
        hits, hit_by = _pairs_of(c, sizes, signatures, uppers, part_of, xqs, params)
        for p in sorted_unique(part_of[hits]).tolist():  # c's query hit these in their partitions
            found.setdefault(p, []).append(_codes(ids[c], ids[hits[part_of[hits] == p]]))
        # ... and these queries hit c in its partition
        found.setdefault(int(part_of[c]), []).append(_codes(ids[c], ids[hit_by]))
    each = {p: sorted_unique(np.concatenate(codes)) for p, codes in found.items()}
    union = sorted_unique(np.concatenate(list(each.values()))) if each else np.empty(0, dtype=np.int64)
    return union, each


def _pairs_of(c: int, sizes: np.ndarray, signatures: np.ndarray, uppers: np.ndarray, part_of: np.ndarray,
              xqs: np.ndarray, params: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows forming a candidate pair with row c: (those c's query hits, those whose query hits c).

    A query q probes partition p with the first b bands of r rows, (b, r) chosen by upper(p) / size(q);
    it hits x in p when one of those bands equals x's band of the same number (`_partition_candidates`).
    Bands are compared here by their r values, not their 64-bit keys: the same but for a key collision
    in the full search (~1e-9 per build), which at most adds a pair for exact verification to judge.
    Only rows sharing a value with c at the same position can share a band: a few, so no band of the
    others is looked at (hashing every row's bands was most of a watch rebuild's candidate search)."""
    same = signatures == signatures[c]  # (n, num_perm): the values each row shares with c
    near = np.flatnonzero(same.any(axis=1))
    near = near[near != c]
    hits = np.zeros(sizes.size, dtype=bool)
    last = len(params) - 1
    for p in sorted_unique(part_of[near]).tolist():  # c as the query, against each partition
        b, r = params[min(int(np.searchsorted(xqs, uppers[p] / sizes[c], side="left")), last)]
        rows = near[part_of[near] == p]
        hits[rows[_shares_band(same[rows, : b * r], r)]] = True
    hit_by = np.zeros(sizes.size, dtype=bool)
    slot = np.minimum(np.searchsorted(xqs, uppers[part_of[c]] / sizes[near], side="left"), last)
    for s in sorted_unique(slot).tolist():  # every query against c's partition
        b, r = params[s]
        rows = near[slot == s]
        hit_by[rows[_shares_band(same[rows, : b * r], r)]] = True
    return np.flatnonzero(hits), np.flatnonzero(hit_by)


def _shares_band(same: np.ndarray, r: int) -> np.ndarray:
    """Per row of `same` (n, b * r: which of a signature's values equal another's): whether one of its
    b bands of r values is equal as a whole."""
    return same.reshape(same.shape[0], -1, r).all(axis=2).any(axis=1)


def _band_table(sorted_keys: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct keys, start of each key's run in `doc`, `doc`): one lookup per probe finds a bucket."""
    starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
    return sorted_keys[starts], np.append(starts, sorted_keys.size), doc


def _probe(table: tuple[np.ndarray, np.ndarray, np.ndarray], q_ids: np.ndarray, q_sig: np.ndarray,
           q_b: np.ndarray, r: int) -> np.ndarray:
    """Pair codes (min * base + max, no self pairs, unique) of queries hitting a band table."""
    keys, bounds, doc = table
    q_keys = _band_keys(q_sig, r)
    use = np.arange(q_keys.shape[1])[None, :] < q_b[:, None]
    probe = q_keys[use]
    owner = np.broadcast_to(q_ids[:, None], q_keys.shape)[use]
    # Sorted probes: numpy's binary search starts from the previous hit, and memory is read in order.
    order = np.argsort(probe)
    probe, owner = probe[order], owner[order]
    at = np.searchsorted(keys, probe)
    at[at == keys.size] = 0
    hit = keys[at] == probe
    at, owner = at[hit], owner[hit]
    if at.size == 0:
        return np.empty(0, dtype=np.int64)
    lo = bounds[at]
    counts = bounds[at + 1] - lo
    offsets = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    matched = doc[offsets + np.arange(int(counts.sum()))].astype(np.int64)
    owners = np.repeat(owner, counts)
    codes = sorted_unique(_codes(owners, matched))
    return codes[codes // _PAIR_BASE != codes % _PAIR_BASE]


_QUERY_CHUNK = 1024
_COMPACT_AT = 4_000_000  # pending candidate codes (32 MB) before duplicates are merged
_PAIR_BASE = 1 << 31


def _band_keys(signatures: np.ndarray, r: int) -> np.ndarray:
    """64-bit key of each band of `r` consecutive MinHash values, salted by band number (so the
    first b bands' keys are those of `signatures[:, : b * r]`)."""
    n, h = signatures.shape
    n_bands = h // r
    bands = signatures[:, : n_bands * r].reshape(n, n_bands, r).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = np.arange(n_bands, dtype=np.uint64)[None, :] * _MIX2
        for j in range(r):
            key = _mix64(key * _POLY + bands[:, :, j])
    return key


# --- clustering ----------------------------------------------------------------------------------


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def _components(nodes: Iterable[int], adjacency: dict[int, set[int]]) -> list[list[int]]:
    """Connected components of the subgraph induced by `nodes` (sorted, deterministic)."""
    node_set = set(nodes)
    seen: set[int] = set()
    out = []
    for start in sorted(node_set):
        if start in seen:
            continue
        comp, stack = [], [start]
        seen.add(start)
        while stack:
            x = stack.pop()
            comp.append(x)
            for y in adjacency.get(x, ()):
                if y in node_set and y not in seen:
                    seen.add(y)
                    stack.append(y)
        out.append(sorted(comp))
    return out


def _drop(hashes: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """`hashes` without the members of `stock` (both sorted unique)."""
    if stock.size == 0 or hashes.size == 0:
        return hashes
    return hashes[~_in_stock(hashes, stock)]


def _in_stock(hashes: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """Which of `hashes` are in `stock` (sorted unique, not empty): a binary search each cost about
    a third of a sketch (most shingles of this genre are stock). Hashes are uniform, so their top
    bits pick a bucket of the stock index; a bucket holds at most one stock hash but for a few,
    whose hashes are searched for as before."""
    shift, first, crowded = _stock_index(stock)
    bucket = (hashes >> shift).astype(np.intp)
    found = first[bucket] == hashes
    ambiguous = crowded[bucket]
    if ambiguous.any():
        found[ambiguous] = _in_sorted(hashes[ambiguous], stock)
    return found


def _in_sorted(hashes: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """Which of `hashes` are in `stock` (sorted, not empty), by binary search."""
    pos = np.searchsorted(stock, hashes)
    pos[pos == stock.size] = 0
    return stock[pos] == hashes


_STOCK_INDEX_LOAD = 16  # buckets per stock hash, at most:
_STOCK_INDEX_MAX_BITS = 20  # 2^20 buckets, ~9 MB
_STOCK_INDEX: list[tuple[np.ndarray, tuple[np.uint64, np.ndarray, np.ndarray]]] = []  # (stock, its index)


def _stock_index(stock: np.ndarray) -> tuple[np.uint64, np.ndarray, np.ndarray]:
    """(shift, first stock hash of each bucket or a non-member, bucket holds more than one) of
    `stock`, bucket = hash >> shift; built for the last stock set seen (a build has one, and a
    long-running process's next build most often the same again: comparing costs ~1 % of building)."""
    for kept, index in _STOCK_INDEX[-1:]:  # one read of the entry: another thread may replace it
        if kept is stock or np.array_equal(kept, stock):  # kept referenced: `is` cannot match a reused id
            return index
    bits = min(_STOCK_INDEX_MAX_BITS, (int(stock.size) * _STOCK_INDEX_LOAD).bit_length())
    shift = np.uint64(64 - bits)
    bounds = np.searchsorted(stock, np.arange(1 << bits, dtype=np.uint64) << shift)
    bounds = np.append(bounds, stock.size)
    # An empty bucket gets the next stock hash (or the last one): never a hash of this bucket.
    first = stock[np.minimum(bounds[:-1], stock.size - 1)]
    index = shift, first, np.diff(bounds) > 1
    _STOCK_INDEX[:] = [(stock, index)]
    return index


def prepare_stock(stock: np.ndarray) -> None:
    """Build `stock`'s lookup index now, not at the first sketch that needs it."""
    if stock.size:
        _stock_index(stock)


def optimal_partitions(sizes: np.ndarray, counts: np.ndarray, num_part: int) -> list[tuple[int, int]]:
    """datasketch's `lshensemble_partition.optimal_partitions` in numpy: the (lower, upper) set sizes
    of `num_part` partitions of the size distribution (`sizes` ascending, `counts` of each) that
    minimise the expected false positives, by the same dynamic programme and the same choices
    (ties to the lowest split, as datasketch's). datasketch's loops are quadratic in the number of
    distinct sizes in Python (~0.1 s a build at 10k documents, 0.3 s at 100k); here it takes ~2 ms.
    A test checks the partitions equal datasketch's. Only the sums are added in another order."""
    n = len(sizes)
    if num_part < 2:
        return [(sizes[0], sizes[-1])]
    if num_part >= n:
        return [(x, x) for x in sizes]
    s, c = np.asarray(sizes, dtype=np.float64), np.asarray(counts, dtype=np.float64)
    # nfps[l, u]: expected false positives when the sizes l..u are taken as sizes[u] (datasketch's
    # `_compute_nfps_real`): the sum over i in l..u of (s_u - s_i) / s_u * c_i.
    terms = np.tril((s[:, None] - s[None, :]) / s[:, None] * c[None, :])  # [u, i]
    nfps = np.triu(np.cumsum(terms[:, ::-1], axis=1)[:, ::-1].T)
    after = nfps[1:, :]  # [u1, u]: nfps[u1 + 1, u], the last partition when the one before ends at u1
    not_before = np.tril(np.ones((n - 1, n), dtype=bool))  # u1 >= u
    # cost[u, p - 2]: least false positives of p partitions of the sizes 0..u (0 where p > u + 1,
    # as in datasketch, whose back-tracking below reads those cells too).
    cost = np.zeros((n, num_part - 2))
    for p in range(2, num_part):
        before = nfps[0, :] if p == 2 else cost[:, p - 3]
        total = before[:-1, None] + after
        total[not_before] = np.inf
        total[: p - 2, :] = np.inf
        cost[:, p - 2] = total.min(axis=0)
        cost[: p - 1, p - 2] = 0.0

    def split(before: np.ndarray, u: int, lo: int) -> int:
        """The u1 in lo..u-1 with the least before[u1] + nfps[u1 + 1, u] (the first, on a tie)."""
        return lo + int(np.argmin(before[lo:u] + nfps[lo + 1 : u + 1, u]))

    p = num_part
    u = split(nfps[0, :] if p == 2 else cost[:, p - 3], n - 1, p - 2)
    partitions = [(sizes[u + 1], sizes[-1])]
    for p in range(num_part - 1, 1, -1):
        u1 = split(cost[:, p - 2], u, p - 2)
        partitions.insert(0, (sizes[u1 + 1], sizes[u]))
        u = u1
    partitions.insert(0, (sizes[0], sizes[u]))
    return partitions


def _size_bin(size: int) -> int:
    """Set size rounded to a 2 % geometric grid, for the LSH Ensemble's size partitioning.

    The partition optimiser is quadratic in the number of distinct sizes; sizes only pick
    the partition and the banding parameters, so 2 % steps cost no accuracy.
    """
    if size <= 50:
        return max(int(size), 1)
    return round(_SIZE_STEP ** round(math.log(size) / math.log(_SIZE_STEP)))


_SIZE_STEP = 1.02


def stock_sample_step(n: int, config: DedupConfig = DEFAULT_CONFIG) -> int:
    """One key in `step` is sampled: between half of `stock_sample_size` and all of it.

    A power of two, so it changes only when the corpus doubles: adding files keeps the sample
    (and so the stock set and every other document's sketch) unless a new file falls into it.
    """
    return 1 << max(0, math.ceil(math.log2(max(1, n) / config.stock_sample_size)))


@functools.lru_cache(maxsize=1 << 17)  # pure; a rebuild asks again for every path (~14 ms at 10k; ~15 MB at 100k)
def in_stock_sample(key: str, step: int) -> bool:
    """Is `key` (a doc_id, or a raw file's path in the build) in the stock-phrase sample?

    A hash of the key, not a position: the sample does not shift when another document is added,
    so the stock set and the sketches made with it stay the same (they could be cached).
    """
    if step <= 1:
        return True
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little") % step == 0


class StockCounter:
    """Shingle document frequencies over a sample; texts with the same text_sha256 count once.

    Order-free: the stock set depends only on which texts were added, not on their order, so the
    build can feed it as pool results arrive.
    """

    def __init__(self, config: DedupConfig = DEFAULT_CONFIG) -> None:
        self.config = config
        self._seen: set[str] = set()
        self._parts: list[np.ndarray] = []

    def add(self, text_sha256: str, text: str) -> None:
        if text_sha256 not in self._seen:
            self.add_hashes(text_sha256, shingle_hashes(text, self.config.shingle_k))

    def add_hashes(self, text_sha256: str, hashes: np.ndarray) -> None:
        """`add` of a text whose `shingle_hashes` are already made (by the pool worker that made it)."""
        if text_sha256 not in self._seen:
            self._seen.add(text_sha256)
            self._parts.append(hashes)

    def finish(self) -> np.ndarray:
        """Shingles in at least max(`stock_min_docs`, `stock_share` x sample) sampled documents."""
        if not self._parts:
            return np.empty(0, dtype=np.uint64)
        values, counts = np.unique(np.concatenate(self._parts), return_counts=True)
        min_docs = max(self.config.stock_min_docs, math.ceil(self.config.stock_share * len(self._parts)))
        self._parts = []
        return values[counts >= min_docs]


def stock_shingles(ordered: Sequence[DedupItem], config: DedupConfig = DEFAULT_CONFIG,
                   text_of: TextLoader | None = None) -> np.ndarray:
    """Shingles of stock phrasing: frequent across a deterministic sample of the corpus.

    The sample is the items whose doc_id hashes into it (`in_stock_sample`: half to all of
    `stock_sample_size`). A shingle is stock when it occurs in at least
    max(`stock_min_docs`, `stock_share` x sample) sampled documents (texts with identical
    text_sha256 counted once). Stock shingles are left out of the MinHash sketches only: shared
    boilerplate (同志们, 下面我讲三点意见, 撸起袖子加油干, set slogans) would otherwise put unrelated
    speeches in the same LSH buckets. Exact verification uses full sets.
    """
    step = stock_sample_step(len(ordered), config)
    counter = StockCounter(config)
    for item in ordered:
        if in_stock_sample(item.doc_id, step):
            counter.add(item.text_sha256, item.text_simplified if text_of is None else text_of(item.doc_id))
    return counter.finish()


_SKETCH_CHUNK = 256  # documents per sketch job
_SKETCH_POOL_MIN = 20_000  # documents from which sketches and verification in a process pool are faster
# ... or sketches to make here (most are made in the per-file stage): a rebuild whose stock set
# changed makes every one again (~0.2 ms each)
_SKETCH_POOL_MISSING = 4_000
_POOL_PRELOAD = (__name__,)  # what the pool's server imports, unless a server is running already


_SIGNERS: dict[DedupConfig, _Signer] = {}


def _signer(config: DedupConfig) -> _Signer:
    signer = _SIGNERS.get(config)
    if signer is None:
        signer = _SIGNERS[config] = _Signer(_Signer.datasketch_permutations(config))
    return signer


def signer_permutations(config: DedupConfig) -> np.ndarray:
    """The permutation parameters this process signs with (computed on first use)."""
    return _signer(config).permutations


def use_permutations(config: DedupConfig, permutations: np.ndarray) -> None:
    """Sign with `permutations` (from `signer_permutations` in another process): a pool worker then
    does not import datasketch (and scipy with it, ~0.5 s of CPU per worker) only to make them."""
    _SIGNERS.setdefault(config, _Signer(permutations))


def sketch(text: str, stock: np.ndarray, config: DedupConfig) -> tuple[int, int, np.ndarray | None, np.ndarray, bool]:
    """(shingle count, sketch size, MinHash signature or None below `min_shingles`, bottom-k sample,
    whether the sketch fell back to the full set)."""
    return sketch_of_hashes(shingle_hashes(text, config.shingle_k), stock, config)


def sketch_of_hashes(sh: np.ndarray, stock: np.ndarray, config: DedupConfig) -> Sketch:
    """`sketch` of a text whose `shingle_hashes` are already made."""
    sample = sh[: config.bottom_k]
    if sh.size < config.min_shingles:
        return sh.size, 0, None, sample, False
    kept = _drop(sh, stock)
    fallback = kept.size < config.stock_fallback_share * sh.size
    if fallback:
        kept = sh  # mostly stock phrases (or a very widely copied text): sketch the full set
    return sh.size, kept.size, _signer(config).signature(kept), sample, fallback


def _sketch_chunk(job: tuple[Iterable[str], np.ndarray, DedupConfig]) -> list[Sketch]:
    texts, stock, config = job
    return [sketch(t, stock, config) for t in texts]


Sketch = tuple[int, int, np.ndarray | None, np.ndarray, bool]  # what `sketch` returns


class SketchTable:
    """The sketches of n documents as numpy arrays, row i for document i; rows fill in any order.

    The build fills it while the per-file stage runs (pool workers sketch each document once the
    stock set is known), so dedup only computes the rows still missing. An unfilled row's values are
    undefined (zeros: the arrays are allocated without being written, so a table that a rebuild fills
    mostly from the dedup cache costs no pass over ~15 MB at 10k rows); `set` writes a whole row.
    """

    def __init__(self, n: int, config: DedupConfig = DEFAULT_CONFIG) -> None:
        self.sizes = np.zeros(n, dtype=np.int64)
        self.sketch_sizes = np.zeros(n, dtype=np.int64)
        self.signatures = np.zeros((n, config.num_perm), dtype=np.uint32)
        self.samples = np.zeros((n, config.bottom_k), dtype=np.uint64)  # padded with _PAD once set
        self.tau = np.zeros(n, dtype=np.uint64)  # bounds a bottom-k sample unless it is the whole set (_PAD)
        self.fallback = np.zeros(n, dtype=bool)
        self.filled = np.zeros(n, dtype=bool)
        self.bottom_k = config.bottom_k

    def __len__(self) -> int:
        return self.filled.size

    def set(self, i: int, value: Sketch) -> None:
        size, sketch_size, signature, sample, fallback = value
        self.samples[i, : sample.size] = sample
        self.samples[i, sample.size :] = _PAD
        self.tau[i] = sample[-1] if size >= self.bottom_k else _PAD
        self.sizes[i] = size
        self.sketch_sizes[i] = sketch_size if signature is not None else 0
        self.signatures[i] = signature if signature is not None else 0
        self.fallback[i] = fallback
        self.filled[i] = True

    def take(self, rows: np.ndarray) -> SketchTable:
        """A table of `rows` of this one, in that order. Only the filled rows are copied when some
        are not (a rebuild's table, filled later from the dedup cache); when all are, in one copy
        (a copy of the filled rows first would hold a third table at the peak: ~150 MB at 100k)."""
        out = SketchTable.__new__(SketchTable)
        filled = self.filled[rows]
        source, dest = rows[filled], np.flatnonzero(filled)
        for name in ("sizes", "sketch_sizes", "signatures", "samples", "tau", "fallback", "filled"):
            array = getattr(self, name)
            if source.size == rows.size:
                setattr(out, name, array[rows])
            else:
                setattr(out, name, np.zeros((rows.size, *array.shape[1:]), dtype=array.dtype))
                getattr(out, name)[dest] = array[source]
        out.bottom_k = self.bottom_k
        return out


_VERIFY_CHUNK = 256  # candidate pairs per verification job


def _verify_job(pairs: list[tuple[int, int]], texts_of: Callable[[Sequence[int]], Iterable[str]],
                k: int) -> tuple[list[tuple[int, int]], list[int], Iterable[str], int]:
    members = list(dict.fromkeys(m for pair in pairs for m in pair))
    return pairs, members, texts_of(members), k


def _verify_chunk(job: tuple[list[tuple[int, int]], list[int], Iterable[str], int]) -> list[tuple[float, float, float]]:
    """Exact overlap scores of candidate pairs, each document's shingle set computed once."""
    pairs, members, texts, k = job
    sets = {m: shingle_hashes(t, k) for m, t in zip(members, texts, strict=True)}
    return [overlap(sets[i], sets[j]) for i, j in pairs]


def run_dedup(items: Sequence[DedupItem], config: DedupConfig = DEFAULT_CONFIG,
              text_of: TextLoader | None = None, workers: int = 1,
              sketched: tuple[np.ndarray, SketchTable] | None = None, kept: DedupCache | None = None) -> DedupResult:
    """Cluster `items` into duplicate groups; see the module docstring for the method.

    `text_of(doc_id)` supplies simplified texts on demand (the build's spill) when the items carry
    none, so the corpus's texts are never all in memory: each is read once for its sketch, and
    again only when a candidate pair needs exact verification. `sketched` is (stock set, sketch
    table with one row per item in doc_id order) when the caller computed some sketches already
    (the build, during the per-file stage): only the unfilled rows are computed here. `kept` (the
    build's dedup cache) supplies sketches and pair scores of texts seen before and keeps this run's.
    """
    ordered = sorted(items, key=lambda it: it.doc_id)

    def text(i: int) -> str:
        return ordered[i].text_simplified if text_of is None else text_of(ordered[i].doc_id)

    ids = [it.doc_id for it in ordered]
    shas = [it.text_sha256 for it in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("dedup: duplicate doc_id in input")
    n = len(ordered)

    @functools.lru_cache(maxsize=config.shingle_cache_size)
    def shingles(i: int) -> np.ndarray:
        return shingle_hashes(text(i), config.shingle_k)

    uf = _UnionFind(n)
    adjacency: dict[int, set[int]] = {}

    def link(i: int, j: int) -> None:
        adjacency.setdefault(i, set()).add(j)
        adjacency.setdefault(j, set()).add(i)
        uf.union(i, j)

    # Scores of the verified near-duplicate pairs (i < j): (share of i in j, share of j in i, Jaccard).
    verified: dict[tuple[int, int], tuple[float, float, float]] = {}

    # Exact copies: identical text_sha256.
    first_by_sha: dict[str, int] = {}
    n_verified = 0
    for i, it in enumerate(ordered):
        j = first_by_sha.setdefault(it.text_sha256, i)
        if j != i:
            link(j, i)
            n_verified += 1

    # Near copies: LSH Ensemble candidates over the sketch sets, verified exactly on the full sets.
    if sketched is None:
        stock, table = stock_shingles(ordered, config, text_of), SketchTable(n, config)
    else:
        stock, table = sketched
        if len(table) != n:
            raise ValueError(f"dedup: {len(table)} sketches for {n} items")
    # Sketches and exact verification are independent per document or pair: computed in `workers`
    # processes when there are enough documents to pay for starting them. They are forked from a
    # preloaded server (in a build, the one the validation checkers come from, already running):
    # spawning them cost ~1.5 s each, forking this process would copy its heap.
    batch = getattr(text_of, "batch", None)

    def texts_of(members: Sequence[int]) -> Iterable[str]:
        return batch([ids[i] for i in members]) if batch else [text(i) for i in members]

    if kept is not None:
        kept.fill_sketches(table, shas, stock)
    missing = np.flatnonzero(~table.filled).tolist()
    parallel = workers if n >= _SKETCH_POOL_MIN or len(missing) >= _SKETCH_POOL_MISSING else 1
    with preloaded_pool(parallel, _POOL_PRELOAD) or contextlib.nullcontext() as pool:
        chunks = ((texts_of(missing[lo : lo + _SKETCH_CHUNK]), stock, config)
                  for lo in range(0, len(missing), _SKETCH_CHUNK))
        rows = iter(missing)
        for chunk in map_bounded(_sketch_chunk, chunks, pool, 2 * parallel):
            for value in chunk:
                table.set(next(rows), value)
        if kept is not None:
            kept.put_sketches(table, shas, stock)
        sizes, sketch_sizes, signatures = table.sizes, table.sketch_sizes, table.signatures
        samples, tau, n_fallback = table.samples, table.tau, int(np.count_nonzero(table.fallback))
        del table, sketched  # the arrays above are all that is needed (the caller keeps no reference)
        indexed = [i for i in range(n) if sizes[i] >= config.min_shingles]
        n_candidates = n_prefiltered = 0
        if len(indexed) > 1:
            idx = np.array(indexed, dtype=np.int64)
            binned = np.array([_size_bin(int(sketch_sizes[i])) for i in indexed], dtype=np.int64)
            keys = np.array([ids[i] for i in indexed]) if session.KEEP else None
            pairs = containment_candidates(config, idx, binned, signatures if len(idx) == n else signatures[idx],
                                           threads=workers, keys=keys)
            del signatures
            n_candidates = len(pairs)
            # Cheap estimate first: most LSH false positives never load their full shingle sets.
            keep = _prefilter_estimates(samples, tau, pairs, config, workers) >= config.prefilter_containment
            n_prefiltered = int(np.count_nonzero(~keep))
            pairs = pairs[keep]
            # Verified component by component of the candidate graph, so a chunk's documents repeat;
            # pairs already linked as exact copies are skipped.
            cand_uf = _UnionFind(n)
            for i, j in pairs.tolist():
                cand_uf.union(i, j)
            todo = [(i, j) for i, j in sorted(pairs.tolist(), key=lambda ij: (cand_uf.find(ij[0]), ij[0], ij[1]))
                    if j not in adjacency.get(i, ())]
            del pairs, cand_uf
            known = [None if kept is None else kept.scores(shas[i], shas[j]) for i, j in todo]
            fresh = [pair for pair, scores in zip(todo, known, strict=True) if scores is None]
            jobs = (_verify_job(fresh[lo : lo + _VERIFY_CHUNK], texts_of, config.shingle_k)
                    for lo in range(0, len(fresh), _VERIFY_CHUNK))
            scored = itertools.chain.from_iterable(map_bounded(_verify_chunk, jobs, pool, 2 * parallel))
            all_scores = []
            for (i, j), scores in zip(todo, known, strict=True):
                scores = next(scored) if scores is None else scores
                all_scores.append((shas[i], shas[j], scores))
                if max(scores[0], scores[1]) >= config.containment_threshold:
                    link(i, j)
                    verified[(i, j)] = scores
                    n_verified += 1
            if kept is not None:
                kept.put_scores(all_scores)
            del all_scores
    del samples, tau

    # Components -> groups with a canonical each; members failing against it are split off.
    by_root: dict[int, list[int]] = {}
    for i in range(n):
        by_root.setdefault(uf.find(i), []).append(i)
    out: dict[str, DedupAssignment] = {}
    n_split = 0
    n_groups = 0
    pending = []
    for members in by_root.values():
        if len(members) > 1:
            pending.append(members)
        else:  # most documents are alone: their own group's canonical
            out[ordered[members[0]].doc_id] = _as_canonical(ordered[members[0]].doc_id)
    while pending:
        members = sorted(pending.pop(), key=lambda m: canonical_priority(ordered[m]))
        canon = members[0]
        canon_item = ordered[canon]
        out[canon_item.doc_id] = _as_canonical(canon_item.doc_id)
        group = out[canon_item.doc_id].duplicate_group
        failed = []
        for m in members[1:]:
            item = ordered[m]
            if item.text_sha256 == canon_item.text_sha256:
                out[item.doc_id] = DedupAssignment(group, canon_item.doc_id, 1.0, 1.0, False)
                continue
            passes = False
            if sizes[m] >= config.min_shingles and sizes[canon] >= config.min_shingles:
                if (m, canon) in verified:
                    m_in_c, c_in_m, jac = verified[(m, canon)]
                elif (canon, m) in verified:
                    c_in_m, m_in_c, jac = verified[(canon, m)]
                else:  # linked through a chain only: measure against the canonical now
                    m_in_c, c_in_m, jac = overlap(shingles(m), shingles(canon))
                passes = max(m_in_c, c_in_m) >= config.containment_threshold
            if passes:
                out[item.doc_id] = DedupAssignment(group, canon_item.doc_id, round(m_in_c, 4), round(jac, 4), False)
            else:
                failed.append(m)
        if len(failed) < len(members) - 1:
            n_groups += 1
        if failed:
            n_split += len(failed)
            logger.info("dedup: %d member(s) of %s fail against its canonical; re-clustered", len(failed), group)
            pending.extend(_components(failed, adjacency))
    shingles.cache_clear()
    stats = DedupStats(
        n_items=n,
        n_indexed=len(indexed),
        n_candidates=n_candidates,
        n_prefiltered=n_prefiltered,
        n_verified_pairs=n_verified,
        n_groups=n_groups,
        n_duplicates=sum(1 for a in out.values() if not a.is_canonical),
        n_split_off=n_split,
        n_stock_shingles=int(stock.size),
        n_sketch_fallback=n_fallback,
    )
    return DedupResult(dict(sorted(out.items())), stats)


def _as_canonical(doc_id: str) -> DedupAssignment:
    """The assignment of a group's canonical: the group is named after it ("g" + its id without "d")."""
    return DedupAssignment("g" + doc_id[1:], None, None, None, True)


def assign_duplicates(items: Sequence[DedupItem], config: DedupConfig = DEFAULT_CONFIG) -> dict[str, DedupAssignment]:
    """doc_id -> its duplicate group, canonical, and containment/Jaccard to the canonical."""
    return run_dedup(items, config).assignments


# --- metadata inheritance ------------------------------------------------------------------------

_MISSING = ("absent", "masked")
_REGION_FIELDS = ("region_province", "region_prefecture", "region_county", "region_code", "region_level")
_DATE_FIELDS = ("date", "date_precision")


def _region_value(doc: Document) -> tuple:
    return tuple(getattr(doc, f) for f in _REGION_FIELDS)


def _date_value(doc: Document) -> tuple:
    return tuple(getattr(doc, f) for f in _DATE_FIELDS)


def _has_region(doc: Document) -> bool:
    return doc.region_status not in _MISSING and any(v is not None for v in _region_value(doc))


def _has_date(doc: Document) -> bool:
    return doc.date_status not in _MISSING and doc.date is not None


def _fmt(values: tuple) -> str:
    return "/".join("" if v is None else str(v) for v in values)


def _canonicals(docs: Sequence[Document]) -> dict[str, Document]:
    by_id = {d.doc_id: d for d in docs}
    out = {}
    for d in docs:
        if d.duplicate_of is not None and d.duplicate_of in by_id:
            out[d.doc_id] = by_id[d.duplicate_of]
    return out


def metadata_conflicts(docs: Sequence[Document]) -> list[MetadataConflict]:
    """Copies whose own region or date differs from their canonical's (sorted; for the build report).

    Region values are compared on the fields both sides filled (a county-level copy does not
    conflict with a prefecture-level canonical of the same prefecture).
    """
    conflicts = []
    canon_of = _canonicals(docs)
    for d in sorted(docs, key=lambda x: x.doc_id):
        c = canon_of.get(d.doc_id)
        if c is None:
            continue
        if _has_region(d) and _has_region(c):
            pairs = [(x, y) for x, y in zip(_region_value(d), _region_value(c), strict=True)]
            shared = [
                (x, y)
                for (x, y), f in zip(pairs, _REGION_FIELDS, strict=True)
                if f != "region_level" and x is not None and y is not None
            ]
            if any(x != y for x, y in shared):
                conflicts.append(
                    MetadataConflict(d.doc_id, c.doc_id, "region", _fmt(_region_value(d)), _fmt(_region_value(c)))
                )
        if _has_date(d) and _has_date(c) and not _dates_agree(d, c):
            conflicts.append(MetadataConflict(d.doc_id, c.doc_id, "date", _fmt(_date_value(d)), _fmt(_date_value(c))))
    return conflicts


_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


def _dates_agree(a: Document, b: Document) -> bool:
    """Equal at the coarser of the two precisions: a year-only 2024 agrees with 2024-03-08."""
    coarse = max(a.date_precision or "day", b.date_precision or "day", key=_PRECISION_RANK.__getitem__)
    parts = {"day": lambda d: d, "month": lambda d: (d.year, d.month), "year": lambda d: d.year}[coarse]
    return parts(a.date) == parts(b.date)


# Unit suffixes a place mask can carry (X区, ××县, **市), simplified and traditional.
_UNIT_SUFFIX = {"县": "县", "縣": "县", "区": "区", "區": "区", "市": "市", "旗": "旗", "州": "州", "盟": "盟"}


_UNIT_NAME_SUFFIX = re.compile(r"(?:自治县|自治旗|林区|特区|地区|县|区|市|旗|州|盟|省)$")


def region_consistent(copy: Document, canonical: Document, copy_text: str | None = None) -> bool:
    """May the copy take the canonical's region? Only if its own text agrees with it.

    Template sites re-target a speech to another unit before publishing it, so a copy must either
    name the canonical's unit itself (its short name appears in the copy) or mask a place with marks
    of the same kind: "X区" cannot stand for the canonical's "平阳县", while a bare "X" can.
    `copy_text` is the copy's simplified text when `copy` does not carry it (the build's spill).
    """
    unit = canonical.region_county or canonical.region_prefecture or canonical.region_province
    if unit is None:
        return False
    short = _UNIT_NAME_SUFFIX.sub("", unit)
    if len(short) >= 2 and short in (copy.text_simplified if copy_text is None else copy_text):
        return True
    places = [m for m in copy.redaction_markers if m.kind == "place"]
    suffixes = {_UNIT_SUFFIX[m.marker[-1]] for m in places if m.marker[-1] in _UNIT_SUFFIX}
    return bool(places) and (not suffixes or unit[-1] in suffixes)


def date_consistent(copy: Document, canonical: Document) -> bool:
    """May the copy take the canonical's date? Not when its own title names only other years (a
    template re-dated: "在2023年…总结表彰大会上", whose year is refused as a date, is no copy of a
    2009 speech's date), nor when the copy was published before the canonical was delivered."""
    assert canonical.date is not None
    years = title_years(copy.title or "")
    if years and canonical.date.year not in years:
        return False
    # A month or year is stored as its first day: a copy published within it stays consistent.
    return copy.published_date is None or copy.published_date >= canonical.date


def inherit_metadata(docs: Sequence[Document], text_of: TextLoader | None = None) -> list[Document]:
    """Copies lacking region/date take them from their canonical (status `inherited`).

    A copy whose `region_status` (or `date_status`) is `absent` or `masked` receives the canonical's
    region fields (or date and precision) when the canonical has them, with status `inherited` and
    evidence "inherited from <canonical doc_id>" — the region only when the copy's own text is
    consistent with it (`region_consistent`), the date only when the copy's title names no other
    year and the copy was not published before it (`date_consistent`). A copy with its own value keeps it, even when it
    conflicts with the canonical's; `metadata_conflicts` lists those cases. Inheritance is one step:
    canonicals never inherit. Output order equals input order. `text_of(doc_id)` supplies simplified
    texts when the documents carry none (see `run_dedup`).
    """
    canon_of = _canonicals(docs)
    out = []
    for d in docs:
        c = canon_of.get(d.doc_id)
        if c is None:
            out.append(d)
            continue
        last = _INHERITED.get(d.doc_id)
        if last is not None and last[0] is d and last[1] is c:  # the same two documents as last time
            out.append(last[2])
            continue
        changes: dict[str, object] = {}
        if (d.region_status in _MISSING and _has_region(c)
                and region_consistent(d, c, None if text_of is None else text_of(d.doc_id))):
            changes.update({f: getattr(c, f) for f in _REGION_FIELDS})
            changes["region_status"] = "inherited"
            changes["region_evidence"] = f"inherited from {c.doc_id}"
        if d.date_status in _MISSING and _has_date(c) and date_consistent(d, c):
            changes.update({f: getattr(c, f) for f in _DATE_FIELDS})
            changes["date_status"] = "inherited"
            changes["date_evidence"] = f"inherited from {c.doc_id}"
        out.append(dataclasses.replace(d, **changes) if changes else d)
        if session.KEEP:
            _INHERITED[d.doc_id] = (d, c, out[-1])
    return out


# doc_id -> (copy, canonical, the copy after inheriting), from a long-running process's last build: a
# rebuild (watch mode) gets the same objects for unchanged documents, and the region
# check, which reads the copy's text, is not repeated.
_INHERITED: dict[str, tuple[Document, Document, Document]] = {}
