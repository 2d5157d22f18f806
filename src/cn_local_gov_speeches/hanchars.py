"""Sets of Han characters, for counting a set's characters in a text.

Counting with `Counter(text)` makes one str object per character; a regex over the set finds
runs of its characters in C, one object per run (5-10x faster on speech-length texts). `CharSet`
counts with a table lookup per UTF-16 code unit in numpy, another 5x faster than the runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

# The Han ranges the decode and script stages count: CJK extension A, unified, compatibility.
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
HAN_CHARS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Runs of Han characters (see `run_regex` for the `[c][c]*` form).
HAN_RUN = re.compile(f"[{HAN_CHARS}][{HAN_CHARS}]*")
# The digits of a year in Chinese numerals, with 〇 as it is often typed too (Ｏ, O, 0): "二O二三年".
CN_YEAR_DIGITS = "〇○零ＯO0一二三四五六七八九"
# The characters that mask a name, a number or a date in this genre, by shape (full-width letters
# are folded by normalize before annotation, but the sets hold them for text that was not). Each
# stage composes the sets it needs: redaction's runs treat stars and squares apart (one star alone
# is punctuation, one □ as often a lost glyph); region and dates take letters, stars and squares,
# and circles where they cannot be a year's zero (CIRCLE_MASK); normalize closes the spaces a PDF
# copy leaves around letters, stars and circles between Han text (squares have shown no such spaces).
MASK_LETTERS = "XxＸｘ×✕"
MASK_STARS = "*＊"
MASK_SQUARES = "□■"
MASK_CIRCLES = "○〇◯"
# A circle that masks a name ("○○县", "○○同志"): not one after a Chinese numeral, which is a
# year's zero ("二○二三年"). A regex fragment: a quantifier after it applies to the circle.
CIRCLE_MASK = r"(?<![一二三四五六七八九十百〇○◯零])[○〇◯]"


def han_chars() -> list[str]:
    """Every character of HAN_RANGES, in code point order."""
    return [chr(cp) for lo, hi in HAN_RANGES for cp in range(lo, hi + 1)]


def run_regex(chars: Iterable[str]) -> re.Pattern[str]:
    """Runs of characters of the set `chars` (non-empty). Written `[c][c]*`, not `[c]+`, so the
    regex engine skips to run starts with a fast scan; the class is written as code point ranges
    to keep the pattern short."""
    cls = _ranges(sorted(set(map(ord, chars))))
    return re.compile(f"[{cls}][{cls}]*")


def _ranges(cps: list[int]) -> str:
    parts: list[str] = []
    start = prev = cps[0]
    for cp in [*cps[1:], None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        parts.append(re.escape(chr(start)) if start == prev else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
        if cp is not None:
            start = prev = cp
    return "".join(parts)


def count(runs: re.Pattern[str], text: str) -> int:
    """How many characters of `text` the run regex `runs` covers."""
    return sum(map(len, runs.findall(text)))


def utf16_units(text: str) -> np.ndarray:
    """`text`'s UTF-16 code units: a BMP character is one unit, so a 64K-entry table classifies it
    (a character beyond the BMP is two surrogate units, a lone surrogate one)."""
    return np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)


class CharSet:
    """A set of BMP characters (no surrogates) whose occurrences in a text `count` counts.

    The text is encoded as UTF-16 and each code unit looked up in a 64K-entry table. A character
    outside the BMP becomes two surrogate units and a lone surrogate one, none of them in the
    table, so the count equals `count(run_regex(chars), text)` (tested on random strings).
    """

    __slots__ = ("_table",)

    def __init__(self, chars: Iterable[str]) -> None:
        cps = sorted(set(map(ord, chars)))
        if any(cp > 0xFFFF or 0xD800 <= cp <= 0xDFFF for cp in cps):
            raise ValueError("CharSet holds BMP characters only, no surrogates")
        self._table = np.zeros(0x10000, dtype=np.bool_)
        self._table[cps] = True

    def __contains__(self, ch: str) -> bool:
        return len(ch) == 1 and ord(ch) <= 0xFFFF and bool(self._table[ord(ch)])

    def count(self, text: str) -> int:
        return int(np.count_nonzero(self._table[utf16_units(text)]))


# Every Han character of HAN_RANGES, as a CharSet.
HAN = CharSet(han_chars())
