"""The first or last few paragraphs of a text without splitting all of it.

The annotators look at the top and the end of a speech; splitting a 5,000-character text into
every line (and stripping each) to keep three cost more than the rules that read them.
"""

from __future__ import annotations


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
