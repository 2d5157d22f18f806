"""Site profiles: what we know about each source site, kept as data in `profiles/*.yaml`.

A profile has `site_id`, `name`, `domains`, `names` (how the site names itself in a footer),
`kind` (official / document_sharing / template_site / news), named boilerplate `patterns`, and
optional `signatures` (regexes over the furniture and removed chrome that identify an unnamed source).
`generic.yaml` holds rules for any site. Adding a site is adding a file.

A pattern is `{name, pattern, note}` plus optional keys that tell the clean stage what to do:

- `scope`: `line` (default) — the regex is searched in a line and the whole line goes;
  `span` — only the matched span goes and the rest of the line stays.
- `action`: `remove` (default) — drop it and record it in `removals`;
  `gap` — drop it and leave a paragraph break (text is missing there: "此处隐藏N字");
  `furniture` — move the line to `furniture` (主送, 抄送, 第N期, 印发 lines);
  `tail` — drop the line and every following line, if all of them look like page furniture
  (short, not prose) up to the end of the text: related-article lists, footers;
  `rest` — drop the line and every following line, prose or not: a page's comment section
  ("举报/反馈", "发表评论 8条评论"), whose readers' comments are sentences.
- `truncation`: true when a match means the text is a cut preview. Named groups `hidden`
  (hidden characters) or `total` and `shown` (全文共N字, 当前显示M字) give the hidden count.

Every site's `names` and `domains` also make a `brand_line` rule: a line holding nothing but
the site's name and/or domain is its footer. Loading fails loudly on unknown keys, unknown kinds,
scopes or actions, and bad regexes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from re import _constants as sre_c  # the stdlib regex parser, to read a pattern's structure
from re import _parser as sre_parse

from .config import read_yaml

PROFILES_DIR = Path(__file__).parent / "profiles"
KINDS = ("official", "document_sharing", "template_site", "news", "unknown")
_PROFILE_KEYS = {"site_id", "name", "domains", "names", "kind", "patterns", "signatures", "note"}
_PATTERN_KEYS = {"name", "pattern", "note", "scope", "action", "truncation"}
SCOPES = ("line", "span")
ACTIONS = ("remove", "gap", "furniture", "tail", "rest")


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    regex: re.Pattern[str]
    note: str
    scope: str = "line"
    action: str = "remove"
    truncation: bool = False
    # Every match holds a character of each of these sets (see `required_chars`); the clean stage
    # skips the regex on a line that misses one of them.
    hint: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)
    # Every match starts where a line starts (`^` or `\A` opens every branch): in a string without
    # a newline only position 0 can match, so the clean stage may `match` instead of `search`.
    line_start: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hint", required_chars(self.regex))
        object.__setattr__(self, "line_start", starts_at_line_start(self.regex))


@dataclass(frozen=True, slots=True)
class SiteProfile:
    site_id: str
    name: str
    kind: str
    domains: tuple[str, ...]
    names: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    # Regexes that identify this kind of source when no site is named (a bulletin's issue line and
    # issuing office, a document site's VIP buttons); matched on the furniture lines and the removed
    # chrome, joined by "\n".
    signatures: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class Profiles:
    sites: tuple[SiteProfile, ...]  # sorted by site_id; "generic" first
    # Every site name, longest first (a name inside a longer one is found as the longer).
    names_regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = sorted({n for s in self.sites for n in s.names}, key=lambda n: (-len(n), n))
        object.__setattr__(self, "names_regex",
                           re.compile("|".join(map(re.escape, names))) if names else re.compile(r"(?!)"))

    def site_by_name(self, text: str) -> tuple[SiteProfile, str] | None:
        """The first profile (in `sites` order) one of whose names `text` holds, and that name. One
        scan for all names: a `name in text` per name cost ~0.06 ms a document with 23 names."""
        found = set(self.names_regex.findall(text))
        if not found:
            return None
        # A name inside a longer one found ("博思美文" in "博思美文网") is in the text too.
        return next(((s, n) for s in self.sites for n in s.names if n in found or any(n in f for f in found)), None)

    def boilerplate_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """(rule name, compiled regex) for every pattern of every profile, in a stable order."""
        return [(rule, p.regex) for rule, p in self.rules()]

    def rules(self) -> list[tuple[str, Pattern]]:
        """("<site_id>:<name>", pattern) for every pattern: site rules first, so the most specific
        rule is the one `clean --explain` names, then the generic ones; stable order."""
        ordered = sorted(self.sites, key=lambda s: (s.site_id == "generic", s.site_id))
        return [(f"{s.site_id}:{p.name}", p) for s in ordered for p in s.patterns]

    def site_of_host(self, host: str) -> tuple[SiteProfile, str] | None:
        """The profile whose domains hold `host` (itself or a subdomain), and that domain: a profile
        may name a subdomain that is a site of its own (wenku.baidu.com, not all of baidu.com)."""
        for s in self.sites:
            for d in s.domains:
                if host == d or host.endswith("." + d):
                    return s, d
        return None


def required_chars(regex: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Sets of characters such that every match of `regex` holds a character of each set.

    Read from the parsed pattern: a literal or a small character class that every match passes
    through gives a set; an alternation gives the union of one set from each branch. Optional
    parts, negative lookarounds and case-insensitive Latin letters give nothing; positive
    lookarounds count, since what they look at is in the searched string too. The likeliest to be
    missing from a line first: sets without a character common in speeches, then smallest sets.
    """
    needs = dict.fromkeys(_needs_of_sequence(sre_parse.parse(regex.pattern, regex.flags), regex.flags))
    return tuple(sorted(needs, key=lambda chars: (not chars.isdisjoint(COMMON_IN_SPEECHES), len(chars))))


# Characters on most lines of a speech (function words and the genre's own: 全, 部, 县, 发, 会...). A
# rule's filter (see `clean._RuleIndex`) keeps its sets without one of these first: a set like {全}
# lets most lines through, {预, 預} almost none.
COMMON_IN_SPEECHES = frozenset(
    "的一是在不了有和人这中大为上个国我以要时来们到作地于出就对成会可主发年动同工也能下过产面而方后多定行法所民"
    "得经进等部度家力里化高自理起现实加量都体制机当点从业本去性好应开合还因由其前外政日社义事平形相全表间与关各"
    "重新内数正心明原利第向道此变条结问意建月公无系情者最立已通并提直题党程展果员位入常文总次品式设及管特件长求"
    "基资级统接知将组见计别期运农指区强放决做必先回则任取据处给保治造规领导增济思交受联认共权收证改清再转更单带"
    "安场务具万每目至达积示议报完类名确才科信节话整元况今集步群广记需段研界律究众复容须际商验断深难近委素技备办"
    "省列习响约支般感便团往历市何消构府称准值号率维划选标写存快效查格养易置层片始专状育识适属包住调满县局照参细"
    "引听该价严"
)


_LINE_STARTS = (sre_c.AT_BEGINNING, sre_c.AT_BEGINNING_LINE, sre_c.AT_BEGINNING_STRING)


def starts_at_line_start(regex: re.Pattern[str]) -> bool:
    """Whether every branch of `regex` opens with `^` or `\\A` (read from the parsed pattern; False
    when unsure). Then a match starts at 0 or right after a newline (`^` sees only "\\n")."""
    return _opens_with_anchor(sre_parse.parse(regex.pattern, regex.flags))


def _opens_with_anchor(items: sre_parse.SubPattern | list) -> bool:
    if not len(items):
        return False
    op, av = items[0]
    if op is sre_c.AT:
        return av in _LINE_STARTS
    if op is sre_c.BRANCH:
        return all(_opens_with_anchor(branch) for branch in av[1])
    if op is sre_c.SUBPATTERN:
        return _opens_with_anchor(av[3])
    return False


def _needs_of_sequence(items: sre_parse.SubPattern | list, flags: int) -> list[frozenset[str]]:
    return [chars for op, av in items for chars in _needs_of_item(op, av, flags)]


def _needs_of_item(op: object, av: object, flags: int) -> list[frozenset[str]]:
    if op is sre_c.LITERAL or op is sre_c.IN:
        chars: set[str] = set()
        for kind, value in [(op, av)] if op is sre_c.LITERAL else av:
            if kind is sre_c.LITERAL:
                chars.add(chr(value))
            elif kind is sre_c.RANGE and value[1] - value[0] < 64:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:
                return []  # a negated class, a category (\d, \s) or a large range
        # Case-insensitive matching may match other characters; CJK characters have no case.
        if flags & re.IGNORECASE and any(ord(ch) < 0x2E80 for ch in chars):
            return []
        return [frozenset(chars)]
    if op is sre_c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return _needs_of_sequence(sub, (flags | add_flags) & ~del_flags)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _needs_of_sequence(sub, flags) if low >= 1 else []
    if op is sre_c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            needs = _needs_of_sequence(branch, flags)
            if not needs:
                return []  # a branch that needs nothing known
            union |= min(needs, key=len)
        return [frozenset(union)]
    if op is sre_c.ASSERT:  # a positive lookahead or lookbehind
        return _needs_of_sequence(av[1], flags)
    return []


def _parse_pattern(filename: str, p: dict) -> Pattern:
    bad = set(p) - _PATTERN_KEYS
    if bad:
        raise ValueError(f"{filename}: pattern {p.get('name')!r} has unknown keys {sorted(bad)}")
    scope, action = p.get("scope", "line"), p.get("action", "remove")
    if scope not in SCOPES:
        raise ValueError(f"{filename}: pattern {p['name']!r}: unknown scope {scope!r}; expected one of {SCOPES}")
    if action not in ACTIONS:
        raise ValueError(f"{filename}: pattern {p['name']!r}: unknown action {action!r}; expected {ACTIONS}")
    if not isinstance(p.get("truncation", False), bool):
        raise ValueError(f"{filename}: pattern {p['name']!r}: truncation must be true or false")
    try:
        regex = re.compile(p["pattern"], re.MULTILINE)
    except re.error as exc:
        raise ValueError(f"{filename}: pattern {p['name']!r} is not a valid regex: {exc}") from exc
    return Pattern(p["name"], regex, p.get("note", ""), scope, action, p.get("truncation", False))


def _brand_pattern(names: tuple[str, ...], domains: tuple[str, ...]) -> Pattern | None:
    """A line made only of the site's names and domains (with subdomains and URL dressing)."""
    parts = [re.escape(n) for n in names] + [rf"(?:https?://)?(?:[a-z0-9-]+\.)*{re.escape(d)}/?" for d in domains]
    if not parts:
        return None
    alt = "|".join(parts)
    regex = re.compile(rf"^\s*(?:{alt})(?:[\s|·—\-]*(?:{alt}))*\s*$", re.MULTILINE)
    pattern = Pattern("brand_line", regex, "a line holding only the site's name or domain (from names/domains)")
    # The line holds one of the names or domains: the last character of each name, or a domain's
    # dot. The hint read from the regex kept every letter of a domain and each name's first
    # character, ~20 of the clean stage's 64 bits for a dozen sites, crowding out the other rules.
    object.__setattr__(pattern, "hint", (frozenset({n[-1] for n in names} | ({"."} if domains else set())),))
    return pattern


def _parse_profile(path: Path) -> SiteProfile:
    try:
        raw = read_yaml(path)
    except Exception as exc:  # yaml.YAMLError, without importing PyYAML here
        raise ValueError(f"{path.name}: not valid YAML: {exc}") from exc
    unknown = set(raw) - _PROFILE_KEYS
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    kind = raw.get("kind", "unknown")
    if kind not in KINDS:
        raise ValueError(f"{path.name}: unknown kind {kind!r}; expected one of {KINDS}")
    patterns = [_parse_pattern(path.name, p) for p in raw.get("patterns") or []]
    names = tuple(raw.get("names") or ())
    domains = tuple(raw.get("domains") or ())
    brand = _brand_pattern(names, domains)
    if brand is not None:
        patterns.append(brand)
    try:
        signatures = tuple(re.compile(sig, re.MULTILINE) for sig in raw.get("signatures") or ())
    except re.error as exc:
        raise ValueError(f"{path.name}: a signature is not a valid regex: {exc}") from exc
    pattern_names = [p.name for p in patterns]
    if len(pattern_names) != len(set(pattern_names)):
        raise ValueError(f"{path.name}: duplicate pattern names (brand_line is made from names/domains)")
    return SiteProfile(
        site_id=raw["site_id"],
        name=raw.get("name", raw["site_id"]),
        kind=kind,
        domains=domains,
        names=names,
        patterns=tuple(patterns),
        signatures=signatures,
    )


@functools.cache
def load_profiles(directory: Path = PROFILES_DIR) -> Profiles:
    sites = [_parse_profile(p) for p in sorted(directory.glob("*.yaml"))]
    ids = [s.site_id for s in sites]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate site_id in {directory}")
    sites.sort(key=lambda s: (s.site_id != "generic", s.site_id))
    return Profiles(tuple(sites))
