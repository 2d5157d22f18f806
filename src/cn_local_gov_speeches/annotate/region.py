"""Region extraction: the administrative unit the speech belongs to, with its GB/T 2260 code.

FIRST VERSION (stub for the slice): to be made strong by the metadata issue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RegionResult:
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    code: str | None = None
    level: str | None = None  # province / prefecture / county
    status: str = "absent"  # stated / derived / masked / ambiguous / absent
    evidence: str | None = None


def extract_region(
    title: str | None, body: str, furniture: tuple[str, ...], year: int | None
) -> RegionResult:
    """All inputs in simplified script; `year` is the speech's year when known (historical units)."""
    return RegionResult()
