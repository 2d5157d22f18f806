"""Site profiles as data: every profile loads, has a fixture written for it, and every one of its
rules fires on that fixture with the expected outcome."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml

from cn_local_gov_speeches.clean import clean
from cn_local_gov_speeches.profiles import PROFILES_DIR, load_profiles, required_chars, starts_at_line_start

FIXTURES = Path(__file__).parent / "fixtures" / "profiles"
PROFILE_FILES = sorted(PROFILES_DIR.glob("*.yaml"))
_FIXTURE_KEYS = {"input", "title", "text", "furniture", "hidden_chars", "truncation_notice"}


def _site_id(path: Path) -> str:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["site_id"]


@pytest.mark.parametrize("profile", PROFILE_FILES, ids=lambda p: p.stem)
def test_every_profile_has_a_fixture(profile: Path) -> None:
    fixture = FIXTURES / f"{_site_id(profile)}.yaml"
    assert fixture.is_file(), f"profile {profile.name} has no fixture {fixture.relative_to(FIXTURES.parents[1])}"


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_fixture_outcome(fixture: Path) -> None:
    spec = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    assert set(spec) == _FIXTURE_KEYS
    cleaned = clean(spec["input"], load_profiles())
    assert cleaned.text == spec["text"]
    assert cleaned.title == spec["title"]
    assert list(cleaned.furniture) == spec["furniture"]
    assert cleaned.hidden_chars == spec["hidden_chars"]
    assert cleaned.truncation_notice is spec["truncation_notice"]


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_rule_of_the_site_fires_on_its_fixture(fixture: Path) -> None:
    site = next((s for s in load_profiles().sites if s.site_id == fixture.stem), None)
    assert site is not None, f"fixture {fixture.name} has no profile"
    cleaned = clean(yaml.safe_load(fixture.read_text(encoding="utf-8"))["input"], load_profiles())
    fired = {r.rule for r in cleaned.removals} | {r.removesuffix("(continued)") for r in cleaned.furniture_rules}
    missing = {f"{site.site_id}:{p.name}" for p in site.patterns} - fired
    assert not missing, f"rules never exercised by {fixture.name}: {sorted(missing)}"


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "site.yaml").write_text(body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("site_id: s\ncolour: red\n", "unknown keys"),
        ("site_id: s\nkind: blog\n", "unknown kind"),
        ("site_id: s\npatterns:\n  - {name: a, pattern: 'x', when: now}\n", "unknown keys"),
        ("site_id: s\npatterns:\n  - {name: a, pattern: 'x', scope: page}\n", "unknown scope"),
        ("site_id: s\npatterns:\n  - {name: a, pattern: 'x', action: burn}\n", "unknown action"),
        ("site_id: s\npatterns:\n  - {name: a, pattern: '(x'}\n", "not a valid regex"),
        ("site_id: s\nnames: [某网]\npatterns:\n  - {name: brand_line, pattern: 'x'}\n", "duplicate pattern"),
        ("site_id: s\nnote: 'a quote left open\npatterns: []\n", "not valid YAML"),
    ],
)
def test_bad_profiles_fail_loudly(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_profiles(_write(tmp_path, body))


def test_adding_a_site_is_editing_data(tmp_path: Path) -> None:
    profiles = load_profiles(_write(tmp_path, (
        "site_id: newsite\nkind: template_site\ndomains: [example-fanwen.cn]\nnames: [范文样例网]\n"
        "patterns:\n  - {name: vote, pattern: '^顶\\s*踩$', note: vote buttons}\n"
    )))
    cleaned = clean("同志们：\n今天开会。\n顶 踩\n范文样例网 example-fanwen.cn", profiles)
    assert cleaned.text == "同志们：\n今天开会。"
    assert [r.rule for r in cleaned.removals] == ["newsite:vote", "newsite:brand_line"]
    assert profiles.site_of_host("m.example-fanwen.cn")[0].site_id == "newsite"


def test_boilerplate_patterns_api_kept() -> None:
    pats = load_profiles().boilerplate_patterns()
    assert pats and all(":" in rule for rule, _ in pats)


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        # sets without a character common in speeches first, then the smallest
        ("此[处處]藏", [{"藏"}, {"此"}, {"处", "處"}]),
        ("^\\s*(?:上一篇|下一篇)\\s*[:：]", [{":", "："}, {"上", "下"}]),
        ("a(?=b)|c+", [{"a", "c"}]),
        ("(?i:vip)会员", [{"会"}, {"员"}]),  # case-insensitive Latin letters give nothing
        ("x?y*[^z]\\d", []),  # optional parts, negated classes and categories give nothing
        ("a|b?", []),  # a branch that may match anything: no need
    ],
)
def test_required_chars(pattern: str, needs: list[set[str]]) -> None:
    """The clean stage skips a rule on a line missing one of these sets: they must be needed."""
    assert [set(s) for s in required_chars(re.compile(pattern))] == needs


def test_every_rule_match_holds_its_required_chars() -> None:
    """On the quoted examples in the rules' notes that the rule matches."""
    checked = 0
    for site in load_profiles().sites:
        for p in site.patterns:
            for example in re.findall(r'"([^"]+)"', p.note):
                if p.regex.search(example):
                    checked += 1
                    assert all(not needed.isdisjoint(example) for needed in p.hint), p.name
    assert checked >= 5


@pytest.mark.parametrize(
    ("pattern", "anchored"),
    [
        ("^a", True), ("\\Aa", True), ("^a|^b", True), ("(?:^a|^b)c", True), ("(^x)y", True),
        ("^a|b", False), ("a^", False), ("(?=^)a", False), ("(?:^)*a", False), ("", False), ("a", False),
    ],
)
def test_starts_at_line_start(pattern: str, anchored: bool) -> None:
    assert starts_at_line_start(re.compile(pattern, re.MULTILINE)) is anchored


def _one_line_samples() -> list[str]:
    """Lines of the seed files, the rules' quoted examples, and random mixes of rule characters."""
    raw = Path(__file__).resolve().parents[1] / "raw"
    lines = [ln.strip() for p in sorted(raw.glob("*.txt")) for ln in p.read_text("utf-8", "replace").split("\n")]
    rules = load_profiles().rules()
    lines += [ex for _, p in rules for ex in re.findall(r'"([^"]+)"', p.note)]
    rng = random.Random(7)
    pool = sorted({ch for _, p in rules for needed in p.hint for ch in needed}) + list(" \t12年月日第期：:>|")
    lines += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    return [ln for ln in lines if "\n" not in ln]


def test_anchored_rules_match_where_they_search() -> None:
    # The clean stage calls `match` for such rules on a line without "\n": it must find what `search` finds.
    samples = _one_line_samples()
    hits = 0
    for _, p in load_profiles().rules():
        if not p.line_start:
            continue
        for line in samples:
            found, matched = p.regex.search(line), p.regex.match(line)
            assert (found and (found.span(), found.groups())) == (matched and (matched.span(), matched.groups()))
            hits += bool(found)
    assert hits >= 20


def test_a_brand_lines_hint_lets_every_name_and_domain_through() -> None:
    # A brand line's hint is set by hand (`_brand_pattern`): a line holding only a name or a domain
    # must still be a candidate for its site's rule.
    for site in load_profiles().sites:
        for p in site.patterns:
            if p.name == "brand_line":
                for brand in (*site.names, *site.domains):
                    assert p.regex.match(brand)
                    assert all(need & set(brand) for need in p.hint), (site.site_id, brand)
