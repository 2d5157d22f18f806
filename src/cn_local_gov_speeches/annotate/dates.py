"""Date extraction: when the speech was delivered (`date`) and when it was published.

FIRST VERSION (stub for the slice): to be made strong by the metadata issue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DateResult:
    date: dt.date | None = None
    precision: str | None = None  # day / month / year
    status: str = "absent"  # stated / masked / ambiguous / absent
    evidence: str | None = None
    published_date: dt.date | None = None
    published_evidence: str | None = None


def extract_dates(
    title: str | None, body: str, furniture: tuple[str, ...], removed: tuple[str, ...]
) -> DateResult:
    """All inputs in simplified script. `removed` holds boilerplate spans (posting stamps live there)."""
    return DateResult()
