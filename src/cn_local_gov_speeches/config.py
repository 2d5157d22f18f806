"""Build configuration: one place for the project's version, release facts and limits.

The version and release date are read from `pyproject.toml` so that one number flows to the card,
the Parquet metadata, CITATION.cff and croissant.json.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

# The repository root (this file is src/cn_local_gov_speeches/config.py): raw/, dist/, schema/, ...
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATASET_NAME = "cn-local-gov-speeches"
# Raw speeches are a few to a few hundred KB; 20 MiB leaves room for long reports while refusing
# dumps, archives and whole-site scrapes that would dominate memory.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Parquet row groups, one per file (see `tables.row_groups`): content-defined, so an added row
# changes only its own group and a rebuild reuses the other files. A group ends after a row whose
# doc_id hashes to a boundary (one in GROUP_BOUNDARY_EVERY) once it has GROUP_MIN_ROWS rows; one that
# reaches GROUP_MAX_ROWS first ends at its last backup boundary (one in GROUP_BOUNDARY_EVERY // 8).
# ~650 rows on average (~17 MB of text before compression, 2-5 MB in a file): a rebuild after one
# added speech remakes and writes ~800 rows (the average group of a row; 1,000 at most), the
# maximum bounds memory (one group is restored at a time), and region/date filters skip data.
GROUP_MIN_ROWS = 256
GROUP_MAX_ROWS = 1_024
GROUP_BOUNDARY_EVERY = 512
# The garbage collector's thresholds in a build's processes. A build makes millions of small objects
# that form no cycles (records, strings, tuples); at Python's default (700 allocations) a 10k build
# ran ~700 young collections and several full ones over its growing heap (~0.4 s of its main
# process; ~0.03 s of a watch rebuild). Cycles are still collected, 140 times less often.
GC_THRESHOLDS = (100_000, 50, 100)
# What the validation checkers' server imports once, for all checkers (Great Expectations: ~1.2 s of
# CPU on this machine).
CHECKER_PRELOAD = ("cn_local_gov_speeches.gx_loader", "cn_local_gov_speeches.validate")


def read_yaml(path: Path) -> object:
    """A YAML file's data, read with libyaml's safe loader when PyYAML has it (the same data as the
    pure-Python one, ~5x faster: the profiles are read at every build's start). PyYAML is imported
    here, not at the top: the command line imports this module and starts before it needs YAML."""
    import yaml

    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    name: str
    version: str
    release_date: str
    license_spdx: str
    license_hf: str
    repository: str
    authors: tuple[str, ...]


@functools.cache
def project_info(pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> ProjectInfo:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    tool = data["tool"]["cn-local-gov-speeches"]
    return ProjectInfo(
        name=DATASET_NAME,
        version=data["project"]["version"],
        release_date=tool["release-date"],
        license_spdx=tool["data-license-spdx"],
        license_hf=tool["data-license-hf"],
        repository=tool["repository"],
        authors=tuple(tool["authors"]),
    )


@dataclass(frozen=True, slots=True)
class BuildConfig:
    raw_dir: Path
    dist_dir: Path
    name: str = DATASET_NAME
    max_bytes: int = DEFAULT_MAX_BYTES
    workers: int = 1
    strict: bool = False
    engine: str = "local"  # local / ray
    cache_dir: Path | None = None  # per-file result cache; None disables it

    @property
    def target(self) -> Path:
        return self.dist_dir / self.name
