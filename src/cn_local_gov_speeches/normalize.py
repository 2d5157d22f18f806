"""Normalize stage: Unicode and layout fixes that keep every character of the speech.

Returns the text and the names of the fixes that changed it (the `normalization` column).
FIRST VERSION (stub for the slice): to be made strong by the text issue.
"""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> tuple[str, tuple[str, ...]]:
    fixes: list[str] = []
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        fixes.append("nfc")
    return nfc, tuple(fixes)
