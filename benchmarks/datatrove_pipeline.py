"""The comparison pipeline: the same raw folder through datatrove 0.10 (read, normalize, MinHash, Parquet).

    .venv/bin/python benchmarks/datatrove_pipeline.py --raw DIR --work DIR [--workers 2] [--timings FILE]

Steps, each datatrove's own where it has one:
1. read: datatrove has no reader for a folder of plain-text files, so `TextFolderReader` is a
   `BaseDiskReader` whose `read_file` yields one document per file. It decodes BOM'd UTF-8, UTF-8,
   GB18030 and Big5 in that order (datatrove does no charset detection; our build's decode stage
   scores candidates, so this is the cheaper half of that work).
2. normalize: `TextNormalizer`, a `BaseFormatter`: NFC, CRLF -> LF, spaces and tabs collapsed,
   blank-line runs collapsed (a subset of our normalize stage: no boilerplate rules, no annotation).
3. MinHash: datatrove's four stages with the default `MinhashConfig` (5-grams, 14 buckets x 8 hashes,
   64-bit xxhash), shingling characters instead of words: a `WordTokenizer` that returns the
   non-space characters (Chinese has no spaces; datatrove's default `zh` tokenizer needs spaCy).
   Stage 4 re-reads and re-normalizes the input, as datatrove's MinHash example does.
4. write: `ParquetWriter` of the kept documents (the canonical copies).

Tasks: stages 1 and 4 run `--workers` tasks over file shards, stage 2 one task per bucket, stage 3 one
task; `--workers` processes at most. Per-stage wall seconds go to --timings as JSON
({"stages": {...}, "total": s}), like build_dataset.py --timings.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.formatters.base import BaseFormatter
from datatrove.pipeline.readers.base import BaseDiskReader
from datatrove.pipeline.writers import ParquetWriter
from datatrove.utils.text import ngrams, simplify_text
from datatrove.utils.word_tokenizers import WordTokenizer

_ENCODINGS = ("utf-8-sig", "gb18030", "big5")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def decode(raw: bytes) -> str:
    for enc in _ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("gb18030", errors="replace")


class TextFolderReader(BaseDiskReader):
    """One document per file of a folder of plain-text files (any of the encodings above)."""

    name = "📄 Text folder"

    def read_file(self, filepath: str):
        with self.data_folder.open(filepath, "rb") as f:
            text = decode(f.read())
        doc = self.get_document_from_dict({"text": text, "id": filepath}, filepath, 0)
        if doc:
            yield doc


class TextNormalizer(BaseFormatter):
    """NFC, LF line ends, runs of spaces collapsed, runs of blank lines collapsed."""

    name = "🧹 Normalize"

    def format(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
        return _BLANK_LINES.sub("\n\n", text).strip()


class CharTokenizer(WordTokenizer):
    """Characters as the 'words' MinHash shingles (spaces dropped), so n_grams=5 means 5-character shingles."""

    def word_tokenize(self, text: str) -> list[str]:
        return [ch for ch in text if not ch.isspace()]

    def sent_tokenize(self, text: str) -> list[str]:
        return [s for s in re.split(r"(?<=[。！？!?])", text) if s]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        spans, pos = [], 0
        for s in self.sent_tokenize(text):
            spans.append((pos, pos + len(s)))
            pos += len(s)
        return spans


class CharMinhashSignature(MinhashDedupSignature):
    """Stage 1 with n-grams hashed as UTF-8 bytes: xxhash 4 (our pin) no longer hashes str.

    datatrove[processing] pins xxhash<4, where xxh64_intdigest(str) hashed the UTF-8 bytes; this is
    the same function and the same shingles, so the default config is unchanged.
    """

    def get_shingles(self, text: str) -> np.ndarray:
        words = self.word_tokenizer.word_tokenize(simplify_text(text, self.config.norm_config))
        return np.fromiter(
            (self._hash_func(" ".join(gram).encode("utf-8")) for gram in ngrams(words, self.config.n_grams)),
            dtype=np.uint64,
        ).reshape((-1, 1))


def run(raw: Path, work: Path, workers: int) -> dict:
    config = MinhashConfig()  # datatrove's defaults: 5-grams, 14 buckets x 8 hashes, 64-bit xxhash
    tasks = max(1, workers)

    def reader():
        return TextFolderReader(str(raw), glob_pattern="*.txt")

    stages = {
        "signatures": LocalPipelineExecutor(
            pipeline=[reader(), TextNormalizer(),
                      CharMinhashSignature(output_folder=str(work / "signatures"), config=config,
                                           language=CharTokenizer())],
            tasks=tasks, workers=workers, logging_dir=str(work / "logs/signatures")),
        "buckets": LocalPipelineExecutor(
            pipeline=[MinhashDedupBuckets(input_folder=str(work / "signatures"), output_folder=str(work / "buckets"),
                                          config=config)],
            tasks=config.num_buckets, workers=workers, logging_dir=str(work / "logs/buckets")),
        "cluster": LocalPipelineExecutor(
            pipeline=[MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove_ids"),
                                          config=config)],
            tasks=1, workers=1, logging_dir=str(work / "logs/cluster")),
        "filter_write": LocalPipelineExecutor(
            pipeline=[reader(), TextNormalizer(),
                      MinhashDedupFilter(input_folder=str(work / "remove_ids")),
                      ParquetWriter(output_folder=str(work / "output"), output_filename="${rank}.parquet")],
            tasks=tasks, workers=workers, logging_dir=str(work / "logs/filter_write")),
    }
    timings: dict[str, float] = {}
    start = time.monotonic()
    for name, executor in stages.items():
        t0 = time.monotonic()
        executor.run()
        timings[name] = round(time.monotonic() - t0, 3)
    return {"stages": timings, "total": round(time.monotonic() - start, 3)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--raw", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True, help="empty folder for datatrove's files and output")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--timings", type=Path)
    args = p.parse_args(argv)
    if args.work.exists() and any(args.work.iterdir()):
        sys.exit(f"{args.work} is not empty (datatrove skips tasks it finds completed there)")
    result = run(args.raw.resolve(), args.work.resolve(), args.workers)
    if args.timings:
        args.timings.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
