"""Dedup stage (a whole-corpus barrier): cluster exact and near-duplicate copies of one speech.

FIRST VERSION (stub for the slice): exact duplicates by `text_sha256` only; near-duplicates come
with the near-duplicate issue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from .record import Document

_KIND_PRIORITY = {"official": 0, "news": 1, "unknown": 2, "template_site": 3, "document_sharing": 4}
_REDACTION_PRIORITY = {"none": 0, "partial": 1, "heavy": 2}


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


def canonical_priority(item: DedupItem) -> tuple:
    """Lower sorts first: official source, least redaction, not truncated, longest, then doc_id."""
    return (
        _KIND_PRIORITY.get(item.source_kind, 2),
        _REDACTION_PRIORITY.get(item.redaction_level, 1),
        item.is_truncated,
        -item.n_chars,
        item.doc_id,
    )


def assign_duplicates(items: Sequence[DedupItem]) -> dict[str, DedupAssignment]:
    groups: dict[str, list[DedupItem]] = {}
    for item in items:
        groups.setdefault(item.text_sha256, []).append(item)
    out: dict[str, DedupAssignment] = {}
    for members in groups.values():
        members = sorted(members, key=canonical_priority)
        canon = members[0]
        group = "g" + canon.doc_id[1:]
        out[canon.doc_id] = DedupAssignment(group, None, None, None, True)
        for m in members[1:]:
            out[m.doc_id] = DedupAssignment(group, canon.doc_id, 1.0, 1.0, False)
    return out


def inherit_metadata(docs: Sequence[Document]) -> list[Document]:
    """Copies lacking region/date take them from their canonical (status `inherited`)."""
    return [dataclasses.replace(d) for d in docs]
