"""Markup stage: a saved web page (HTML) in raw/ becomes the plain text the cleaner reads.

Users drop whole pages into raw/ as well as copied text. A page's text is what a browser shows:
one line per block element (`<p>`, `<div>`, `<br>`, headings, list items, table rows), character
references resolved (`&nbsp;`, `&gt;`), and nothing from `<head>`, `<script>`, `<style>` or
comments. Site chrome (navigation, footers) stays in the text: the cleaner's site rules remove it
as they do from copied text. The standard library's `html.parser` does the parsing; it never
raises on malformed markup.

Only a text that *is* a page is converted: one that opens with `<!DOCTYPE html`, `<html`, `<head`
or `<body`, or whose markup holds at least MIN_BLOCK_TAGS block tags and more tag characters
than text. A speech that quotes "<p>" or uses 《》 is never touched.

A copied text that is not a page may still carry a page's character references ("&nbsp;&nbsp;同志们：",
"&ldquo;两山&rdquo;"): from MIN_ENTITIES of them on, they are resolved (`unescape_entities`).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

FIX = "html_to_text"  # the name recorded in a row's `normalization`
ENTITIES_FIX = "html_entities"
MIN_ENTITIES = 2
_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")
MIN_BLOCK_TAGS = 3
_PAGE_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|h[1-6]|li|tr|table|section|article)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]{1,500}>")
# Elements whose content a browser does not show as the page's text.
_HIDDEN = frozenset({"head", "title", "script", "style", "noscript", "template", "svg", "iframe", "object"})
# Elements that start a new line.
_BLOCKS = frozenset({
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "table", "section",
    "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "hr", "dd", "dt", "dl",
    "form", "center", "caption", "figure", "figcaption", "address",
})
_BLANKS = re.compile(r"[ \t\r\f\v]+")


def is_page(text: str) -> bool:
    """Does `text` look like an HTML page rather than a text that mentions a tag?"""
    if _PAGE_START.match(text):
        return True
    if "<" not in text or len(_BLOCK_TAG.findall(text, 0, 200_000)) < MIN_BLOCK_TAGS:
        return False
    tag_chars = sum(map(len, _ANY_TAG.findall(text)))
    return tag_chars * 2 > len(text) - tag_chars  # markup outweighs half the text


class _TextOf(HTMLParser):
    """Collects the shown text, one line per block element, and the page's own URL. A self-closing
    tag (`<br/>`, `<link …/>`) comes as a start and an end tag (HTMLParser's default); the blank
    line a `<br/>` then leaves is dropped with the others."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.url: str | None = None  # <link rel="canonical"> or <meta property="og:url">
        self._hidden = 0  # depth inside hidden elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.url is None and tag in ("link", "meta"):
            self.url = _own_url(dict(attrs))
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            # Source line breaks inside a paragraph are layout, as in a browser.
            self.parts.append(data.replace("\n", " "))


def _own_url(attrs: dict[str, str | None]) -> str | None:
    """The page's own address from a `<link rel="canonical">` or `<meta property="og:url">`."""
    if (attrs.get("rel") or "").lower() == "canonical":
        url = attrs.get("href")
    elif (attrs.get("property") or attrs.get("name") or "").lower() == "og:url":
        url = attrs.get("content")
    else:
        return None
    return url.strip() if url and url.strip().lower().startswith(("http://", "https://")) else None


def html_to_text(text: str) -> str | None:
    """The shown text of a page, one line per block (blank lines dropped), after a first line with
    the page's own URL when it declares one (the source stage reads it; the cleaner removes it as
    it removes any URL line); None when `text` is not a page (see `is_page`). Links in the page are
    dropped with their markup: a footer's links name other sites, not this page's."""
    if not is_page(text):
        return None
    parser = _TextOf()
    parser.feed(text)
    parser.close()
    shown = "".join(parser.parts).split("\n")
    lines = [line for line in (_BLANKS.sub(" ", ln.replace("\u00a0", " ")).strip() for ln in shown) if line]
    return "\n".join(([parser.url] if parser.url else []) + lines)


def unescape_entities(text: str) -> str | None:
    """`text` with its character references resolved, when it holds MIN_ENTITIES or more ("&nbsp;",
    "&#65288;"); None otherwise. Resolved again until none is left ("&amp;nbsp;"), so a second pass
    changes nothing."""
    if "&" not in text or len(_ENTITY.findall(text, 0, 1 << 20)[:MIN_ENTITIES]) < MIN_ENTITIES:
        return None
    for _ in range(4):
        resolved = html.unescape(text).replace("\xa0", " ")
        if resolved == text:
            break
        text = resolved
    return text
