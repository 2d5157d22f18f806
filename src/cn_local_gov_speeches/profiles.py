"""Site profiles: what we know about each source site, kept as data in `profiles/*.yaml`.

A profile has `site_id`, `name`, `domains`, `names` (how the site names itself in a footer),
`kind` (official / document_sharing / template_site / news) and named boilerplate `patterns`
(`{name, pattern, note}`; regexes, multiline mode). `generic.yaml` holds rules for any site.
Loading fails loudly on unknown keys, unknown kinds and bad regexes. Adding a site is adding a file.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

PROFILES_DIR = Path(__file__).parent / "profiles"
KINDS = ("official", "document_sharing", "template_site", "news", "unknown")
_PROFILE_KEYS = {"site_id", "name", "domains", "names", "kind", "patterns", "note"}
_PATTERN_KEYS = {"name", "pattern", "note"}


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    regex: re.Pattern[str]
    note: str


@dataclass(frozen=True, slots=True)
class SiteProfile:
    site_id: str
    name: str
    kind: str
    domains: tuple[str, ...]
    names: tuple[str, ...]
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class Profiles:
    sites: tuple[SiteProfile, ...]  # sorted by site_id; "generic" first

    def boilerplate_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """(rule name, compiled regex) for every pattern of every profile, in a stable order."""
        return [(f"{s.site_id}:{p.name}", p.regex) for s in self.sites for p in s.patterns]

    def by_domain(self, domain: str) -> SiteProfile | None:
        for s in self.sites:
            if any(domain == d or domain.endswith("." + d) for d in s.domains):
                return s
        return None


def _parse_profile(path: Path) -> SiteProfile:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(raw) - _PROFILE_KEYS
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    kind = raw.get("kind", "unknown")
    if kind not in KINDS:
        raise ValueError(f"{path.name}: unknown kind {kind!r}; expected one of {KINDS}")
    patterns = []
    for p in raw.get("patterns") or []:
        bad = set(p) - _PATTERN_KEYS
        if bad:
            raise ValueError(f"{path.name}: pattern {p.get('name')!r} has unknown keys {sorted(bad)}")
        try:
            regex = re.compile(p["pattern"], re.MULTILINE)
        except re.error as exc:
            raise ValueError(f"{path.name}: pattern {p['name']!r} is not a valid regex: {exc}") from exc
        patterns.append(Pattern(p["name"], regex, p.get("note", "")))
    return SiteProfile(
        site_id=raw["site_id"],
        name=raw.get("name", raw["site_id"]),
        kind=kind,
        domains=tuple(raw.get("domains") or ()),
        names=tuple(raw.get("names") or ()),
        patterns=tuple(patterns),
    )


@functools.cache
def load_profiles(directory: Path = PROFILES_DIR) -> Profiles:
    sites = [_parse_profile(p) for p in sorted(directory.glob("*.yaml"))]
    ids = [s.site_id for s in sites]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate site_id in {directory}")
    sites.sort(key=lambda s: (s.site_id != "generic", s.site_id))
    return Profiles(tuple(sites))
