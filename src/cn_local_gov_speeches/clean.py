"""Clean stage: remove site chrome, notices and disclaimers; set aside title and document furniture.

Site knowledge lives in `profiles/*.yaml` (see `profiles.py`); this module only applies it.
FIRST VERSION (stub for the slice): to be made strong by the text issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .profiles import Profiles


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed span: `rule` is "<site_id>:<pattern name>" or "generic:<name>"."""

    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str
    title: str | None
    furniture: tuple[str, ...]
    removals: tuple[Removal, ...]
    hidden_chars: int | None
    truncation_notice: bool

    @property
    def removed_chars(self) -> int:
        return sum(len(r.text) for r in self.removals)


def clean(text: str, profiles: Profiles) -> Cleaned:
    """Apply every profile's boilerplate patterns (line-anchored) and return the cleaned text."""
    removals: list[Removal] = []
    for rule, pattern in profiles.boilerplate_patterns():
        def _record(m: re.Match[str], rule: str = rule) -> str:
            removals.append(Removal(rule, m.group(0)))
            return ""

        text = pattern.sub(_record, text)
    lines = [ln.strip() for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    return Cleaned(
        text="\n".join(lines),
        title=None,
        furniture=(),
        removals=tuple(removals),
        hidden_chars=None,
        truncation_notice=False,
    )
