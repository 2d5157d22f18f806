"""Source site and kind: a URL's domain or a site's own name, mapped through the site profiles.

Evidence is searched in the decoded raw text (footers and page URLs are removed from `text` by
the clean stage, but they are exactly what names the source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..profiles import Profiles

_TLDS = "com|net|org|cn|gov|edu|info|cc|top|vip"
_URL = re.compile(rf"(?:https?://)?((?:[a-z0-9-]+\.)+(?:{_TLDS})(?:\.cn)?)\b", re.I)
# Every `_URL` match holds a dot followed by a top-level domain, inside a run of URL characters
# (same re.I case folding). Decimals like `5.2`, most of a speech's dots, have no such dot.
_TLD_DOT = re.compile(rf"\.(?:{_TLDS})", re.I)
_URL_CHAR = re.compile(r"[a-z0-9\-.:/]", re.I)
_URL_CHARS = re.compile(r"[a-z0-9\-.:/]*", re.I)
# Second-level labels under .cn that are part of the public suffix (so the registrable domain
# keeps one more label), per the public suffix list's .cn section.
_CN_SECOND_LEVEL = frozenset({"gov", "com", "net", "org", "edu", "ac", "mil"})


@dataclass(frozen=True, slots=True)
class SourceResult:
    site: str | None = None
    kind: str = "unknown"
    evidence: str | None = None


def registrable_domain(host: str) -> str:
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and labels[-1] == "cn" and labels[-2] in _CN_SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _urls(text: str) -> list[re.Match[str]]:
    """The matches of `_URL.finditer(text)`, searched only in the runs of URL characters around a
    `_TLD_DOT`. A match lies inside one run; ending the search one character past the run lets
    the final word boundary see the character after it, as in the whole text."""
    matches: list[re.Match[str]] = []
    pos = 0
    while hit := _TLD_DOT.search(text, pos):
        start = hit.start()
        while start > 0 and _URL_CHAR.match(text, start - 1):
            start -= 1
        pos = _URL_CHARS.match(text, hit.start()).end()  # the run's end, a non-URL character
        matches.extend(_URL.finditer(text, start, pos + 1))
    return matches


def find_source(raw_text: str, furniture: tuple[str, ...], profiles: Profiles,
                removed: tuple[str, ...] = ()) -> SourceResult:
    """A known site's URL or bare domain (last occurrence: footers name the source), then a site's
    name, then a profile signature on the furniture and the removed chrome (an official bulletin's
    header, a document-sharing site's VIP buttons: the kind, and the site is the last domain the
    page names), then any domain."""
    urls = _urls(raw_text)
    for m in reversed(urls):
        host = m.group(1).lower().rstrip(".")
        domain = registrable_domain(host)
        found = profiles.site_of_host(host)
        if found is not None:  # the site: the registrable domain, or the profile's own subdomain
            profile, listed = found
            return SourceResult(listed if len(listed) > len(domain) else domain, profile.kind, m.group(0))
    if (named := profiles.site_by_name(raw_text)) is not None:
        profile, name = named
        return SourceResult(profile.domains[0] if profile.domains else profile.name, profile.kind, name)
    joined = "\n".join((*furniture, *removed))
    for profile in profiles.sites:
        for sig in profile.signatures:
            if m := sig.search(joined):
                evidence = " / ".join(ln.strip() for ln in m.group(0).split("\n") if ln.strip())[:200]
                if profile.domains:
                    return SourceResult(profile.domains[0], profile.kind, evidence)
                # A kind of site known by its chrome (VIP buttons, a genre menu): the domain the page
                # names, if any, is that site's ("www.wkfx88.com" in its footer). Not an official
                # bulletin's: a domain in it is one it mentions.
                if urls and profile.kind != "official":
                    url = urls[-1]
                    return SourceResult(registrable_domain(url.group(1)), profile.kind,
                                        f"{evidence} / {url.group(0)}"[:200])
                return SourceResult(None, profile.kind, evidence)
    if urls:
        # (an address to write to, "webmaster@china.org.cn", is the operator's mail, weaker than the page's URL)
        pages = [u for u in urls if raw_text[u.start() - 1:u.start()] != "@"] or urls
        return SourceResult(registrable_domain(pages[-1].group(1)), "unknown", pages[-1].group(0))
    return SourceResult()
