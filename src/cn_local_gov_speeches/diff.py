"""Compare two releases (dataset folders): what changed per document.

Documents are matched by `doc_id` (derived from the raw bytes). A document is `added` or `removed`,
or its `text` changed, or some metadata columns changed (reported as old -> new).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

# Columns compared as "text"; every other column (but raw provenance) counts as metadata.
TEXT_COLUMNS = ("text", "text_simplified", "text_sha256", "n_chars", "n_han")


@dataclass(frozen=True, slots=True)
class DocChange:
    doc_id: str
    change: str  # added / removed / changed
    text_changed: bool = False
    metadata: dict[str, tuple[object, object]] = field(default_factory=dict)


def _rows(folder: Path) -> dict[str, dict]:
    files = sorted((folder / "data" / "documents").glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"{folder}: no data/documents/*.parquet (is this a dataset folder?)")
    rows: dict[str, dict] = {}
    for f in files:
        for row in pq.read_table(f).to_pylist():
            rows[row["doc_id"]] = row
    return rows


def diff_releases(old: Path, new: Path) -> list[DocChange]:
    a, b = _rows(old), _rows(new)
    out = [DocChange(d, "removed") for d in sorted(a.keys() - b.keys())]
    out += [DocChange(d, "added") for d in sorted(b.keys() - a.keys())]
    for d in sorted(a.keys() & b.keys()):
        ra, rb = a[d], b[d]
        text_changed = any(ra.get(c) != rb.get(c) for c in TEXT_COLUMNS)
        meta = {c: (ra.get(c), rb.get(c)) for c in sorted(ra.keys() | rb.keys())
                if c not in TEXT_COLUMNS and ra.get(c) != rb.get(c)}
        if text_changed or meta:
            out.append(DocChange(d, "changed", text_changed, meta))
    return out


def _short(value: object, limit: int = 60) -> str:
    s = json.dumps(value, ensure_ascii=False, default=str)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def format_diff(changes: list[DocChange]) -> str:
    lines = []
    for c in changes:
        if c.change != "changed":
            lines.append(f"{c.change:8} {c.doc_id}")
            continue
        if c.text_changed:
            lines.append(f"changed  {c.doc_id} text")
        for col, (o, n) in c.metadata.items():
            lines.append(f"changed  {c.doc_id} {col}: {_short(o)} -> {_short(n)}")
    counts = {k: sum(c.change == k for c in changes) for k in ("added", "removed", "changed")}
    lines.append(f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed")
    return "\n".join(lines)
