"""The first or last few paragraphs of a text without splitting all of it.

The annotators look at the top and the end of a speech; splitting a 5,000-character text into
every line (and stripping each) to keep three cost more than the rules that read them.
"""

from __future__ import annotations

import itertools
import re

# A speech's salutation: the speech itself starts there, and what comes before it is a lead or chrome.
SALUTATION_RE = re.compile(r"同志们|各位|尊敬的")


def first_paragraphs(text: str, n: int) -> list[str]:
    """`[p.strip() for p in text.split("\\n") if p.strip()][:n]`, reading only as far as needed."""
    out: list[str] = []
    start = 0
    while len(out) < n and start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        para = text[start:end].strip()
        if para:
            out.append(para)
        start = end + 1
    return out


def before_salutation(paragraphs: list[str]) -> list[str]:
    """The paragraphs before the first that opens with a salutation ("同志们：", "各位代表：")."""
    return list(itertools.takewhile(lambda p: not SALUTATION_RE.match(p), paragraphs))


def last_paragraphs(text: str, n: int) -> list[str]:
    """`[p.strip() for p in text.split("\\n") if p.strip()][-n:]` for n >= 1, read from the end."""
    out: list[str] = []
    end = len(text)
    while len(out) < n and end >= 0:
        start = text.rfind("\n", 0, end) + 1
        para = text[start:end].strip()
        if para:
            out.append(para)
        end = start - 1
    return out[::-1]
