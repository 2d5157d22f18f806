"""Redaction and truncation signals: masks (place, person, number, date) and cut-off previews.

FIRST VERSION (stub for the slice): to be made strong by the text issue.
"""

from __future__ import annotations

from ..record import Marker


def find_markers(text: str) -> tuple[Marker, ...]:
    """Masks found in `text`, sorted by (kind, marker)."""
    return ()


def redaction_level(markers: tuple[Marker, ...], n_han: int) -> str:
    """none / partial / heavy, by the rule documented in the card."""
    return "none" if not markers else "partial"


def ends_mid_sentence(text: str) -> bool:
    """True when the last paragraph stops without sentence-final punctuation."""
    return False
