"""Clean stage: remove site chrome, notices and disclaimers; set aside title and document furniture.

Site knowledge lives in `profiles/*.yaml` (see `profiles.py` for the rule format); this module only
applies it, then finds the speech's title with genre rules that hold for any site.

Steps, on LF text:
1. Span rules (notices inside a line: "此处隐藏N字", "全文共N字,当前显示M字") cut their match;
   a `gap` rule leaves an empty line, which the normalize stage never joins across.
2. Line rules are searched in each line's plain view (glosses and Han spaces removed) and remove
   the line, move it to `furniture`, or (`tail`) remove it with the page footer below it. A line
   longer than MAX_CHROME_LINE, or a long line whose match follows a finished sentence, is prose
   and stays whole (chrome glued to prose is left rather than the prose lost).
3. The title: among the first lines left, a line shaped like a speech title ("在……上的讲话",
   "……同志在……会议上的讲话"). Short lines above it (bulletin name, issue number, issuing office,
   date) are furniture. A subtitle "——在……上的讲话" joins the title; the date, speaker and
   subtitle lines right under it go to furniture (the date extractor reads them there), and so
   does a bracketed date that ends the title's own line ("……上的讲话（2023年1月6日）").
4. A repeated title (alone, or glued to the start of the body "TITLE 同志们："; further down, a
   line that is only the title: a PDF's running page header) is removed.

Invariants: every removed span is recorded as a `Removal` with its rule; nothing is added to the
text but line breaks; `text` has no empty first/last line. `removals` keep the raw spans;
`Removal.plain` is the same span without conversion glosses, for readers such as the date extractor.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from .hanchars import CN_YEAR_DIGITS
from .normalize import HEADING_START, SPEAKER_LINE, normalize, plain_view
from .profiles import COMMON_IN_SPEECHES, Pattern, Profiles

# A line rule never removes a line longer than this: a long line is prose that happens to contain
# a chrome word (the longest chrome lines seen, disclaimers with a source, are ~60 characters).
MAX_CHROME_LINE = 160
# A page footer under a `tail` rule holds only short non-prose lines (article titles, URLs).
MAX_FOOTER_LINE = 60
# The speech title is looked for among the first lines left after chrome removal.
TITLE_SEARCH_LINES = 8
MAX_TITLE = 80
MAX_PAGE_DECORATION = 40  # a site's tag and suffix around a title ("【精品】", "_讲话稿_范文大全", ".docx")
# Head lines above the title no longer than this are furniture (bulletin name, office, date).
MAX_HEAD_FURNITURE = 40
# Speaker / meta lines right under a title are short and unpunctuated.
MAX_META_LINE = 30
# Delivery subtitles name the date, the unit and the full session: "——2008年1月15日在巢湖市第十四届…会议上".
MAX_SUBTITLE_LINE = 60

_SENTENCE_END = re.compile(r"[。！？!?]")
# What a bracketed delivery date holds: "2023年1月6日", "二〇二三年一月", "2023.1.6".
_DATE_INSIDE = rf"\s*(?:\d{{4}}|[{CN_YEAR_DIGITS}]{{4}})\s*[年.\-/][^()（）]{{0,12}}"
_TITLE_END = re.compile(
    r"(?:讲话|講話|发言|發言|致辞|致辭|讲稿|講稿|报告|報告|讲话提纲|講話提綱|讲话材料|講話材料|主持词|主持詞"
    r"|欢迎词|歡迎詞|答谢词|答謝詞|致词|致詞)"
    r"(?:稿|全文|范文|範文|要点|要點|提纲|提綱)?\s*(?:[(（](?:[^()（）]{1,8}|" + _DATE_INSIDE + r")[)）])?$"
)
# A date in brackets at the end of a title line: "在……上的讲话（2023年1月6日）" (set apart as furniture).
_TRAILING_DATE = re.compile(r"\s*[(（]" + _DATE_INSIDE + r"[)）]\s*$")
_GLUED_TITLE = re.compile(
    rf"^(?P<title>[^。！？!?\s]{{4,{MAX_TITLE}}}?(?:讲话|講話|发言|發言|致辞|致辭))\s*(?=同志们|同志們|各位)"
)
_SUBTITLE = re.compile(r"^[—－-]{1,2}")
_LINE_DONE = "。！？!?；;：:…）)」』】〕”"  # a line ending so is not cut by a wrap
_PROSE_MARK = re.compile(r"[。！？!?，,；;]")
# A template site's blurb around the title ("……下面是小编为大家整理的……，欢迎阅读").
_EDITOR_INTRO = re.compile(
    r"小[编編](?:为|為|给|給)?(?:大家|您|你)|小[编編](?:精心|收集)?整理[，,的]|学习啦小编|學習啦小編|[为為]您整理[“\"《]"
)
# A news lead above the speech that says it follows ("…出席会议并讲话。现将讲话全文刊发如下——").
# ("…出席会议并讲话。全文如下：", "以下为讲话全文：")
_LEAD_NOTE = re.compile(
    r"(?:(?:讲话|講話)[^。！？\n]{0,6}(?:刊发|刊發|刊登|播发|播發|摘登|发布|發佈)(?:如下)?|(?:讲话|講話)[。，,]?\s*(?:全文|原文)如下"
    r"|以下[为為](?:讲话|講話)?(?:全文|原文|实录|實錄))[\s—－:：。，,]*$"
)
_HAS_DATE = re.compile(rf"\d{{4}}\s*年|[{CN_YEAR_DIGITS}]{{4}}年|\d{{1,2}}\s*月\s*\d{{1,2}}\s*日")
_SALUTE = "同志们|同志們|各位|尊敬的"
_SALUTATION = re.compile(f"^(?:{_SALUTE})")
_HEADING = re.compile(f"^{HEADING_START}")
_KEY_DROP = re.compile(r"[\W_]+")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
GAP = ""  # an empty line marks a gap left by a hidden-text notice


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed span: `rule` is "<site_id>:<pattern name>" or "generic:<name>"."""

    rule: str
    text: str

    @property
    def plain(self) -> str:
        """The span without pinyin glosses or Han spaces (`發(fā)布時間` -> `發布時間`)."""
        return plain_view(self.text)


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str
    title: str | None
    furniture: tuple[str, ...]
    removals: tuple[Removal, ...]
    hidden_chars: int | None
    truncation_notice: bool
    # The rule that sent each furniture line there, in the same order as `furniture`:
    # "<site_id>:<name>" of a furniture rule, generic:above_title, generic:under_title, or a
    # rule with "(continued)" for the next line of a 主送/抄送 list.
    furniture_rules: tuple[str, ...] = ()
    # The furniture lines printed between the title and the body's first line (speaker, date): a
    # bare date there dates the delivery, while one above the title or after the body may not.
    under_title: tuple[str, ...] = ()
    # The furniture lines after the body's last line (a signature's date, a bulletin's 印发 line).
    closing: tuple[str, ...] = ()

    @property
    def removed_chars(self) -> int:
        return sum(len(r.text) for r in self.removals)


@dataclass(slots=True)
class _State:
    """What the rules found so far; private to one `clean` call."""

    removals: list[Removal]
    furniture: list[tuple[str, str]]  # (rule, line)
    hidden: list[int]
    truncated: bool = False
    # The title's line and the body's first line after it, as they stand in the input (see `Cleaned.under_title`).
    title_line: str | None = None
    body_line: str | None = None

    def hit(self, rule: str, pattern: Pattern, m: re.Match[str], span: str) -> None:
        self.removals.append(Removal(rule, span))
        if pattern.truncation or pattern.action == "gap":
            self.truncated = True
        groups = m.re.groupindex
        if "hidden" in groups and m.group("hidden"):
            self.hidden.append(int(m.group("hidden")))
        if "total" in groups and "shown" in groups and m.group("total") and m.group("shown"):
            self.hidden.append(max(0, int(m.group("total")) - int(m.group("shown"))))


# --- rule index: which rules can match a text, without running their regexes ----------------------
class _RuleIndex:
    """Rules in their order, with a cheap test of whether a rule can match a text at all: every
    match holds a character of each of the rule's `Pattern.hint` sets, and most lines miss one
    (skipping a rule that cannot match changes nothing). Each needed set gets one bit; a text
    `holds` the bits of the sets it has a character of, and a rule may match when it holds all of
    the rule's bits."""

    # Distinct `holds` values whose candidate rules are remembered (~500 over 3,000 speeches).
    MAX_REMEMBERED = 4096
    # The numpy table's bits: one per distinct needed set (a set several rules need has one bit).
    # When the rules need more sets than that (sites are added), rules keep their smallest sets, as
    # many as fit (see below): without the table, cleaning took ~50 % longer.
    MAX_BITS = 64

    def __init__(self, rules: list[tuple[str, Pattern]]) -> None:
        self.rules = rules
        self._candidates: dict[int, tuple[tuple[str, Pattern], ...]] = {}  # holds -> rules that may match
        self._bits: dict[str, int] = {}  # a needed character -> the bits of the sets holding it
        # Breadth first (`Pattern.hint` lists the likeliest missing sets first): every rule's first
        # set, then a second set while bits are left, first for the rules whose filter is still weak
        # (only sets with a character common in speeches, {年}, {月}), and so on. (Cutting all rules to
        # the same number of sets let one added rule drop every rule's second set: some were tried 8x.)
        bit_of: dict[frozenset[str], int] = {}
        for depth in range(max((len(p.hint) for _, p in rules), default=0)):
            weak_first = sorted(rules, key=lambda r: any(COMMON_IN_SPEECHES.isdisjoint(n) for n in r[1].hint[:depth]))
            for _, pattern in weak_first:  # (first sets all: past 64 bits, `holds_each` loops in Python)
                if depth < len(pattern.hint) and pattern.hint[depth] not in bit_of \
                        and (depth == 0 or len(bit_of) < self.MAX_BITS):
                    bit_of[pattern.hint[depth]] = 1 << len(bit_of)
        for needed, bit in bit_of.items():
            for ch in needed:
                self._bits[ch] = self._bits.get(ch, 0) | bit
        # Per rule: the bits of its needed sets that have one.
        self.masks: list[int] = [sum({bit_of[n] for n in pattern.hint if n in bit_of}) for _, pattern in rules]
        bit = 1 << len(bit_of)
        chars = "".join(re.escape(ch) for ch in sorted(self._bits))
        self._chars = re.compile(f"[{chars}]") if chars else None
        self._table = self._bits_table(bit)
        self._mask_array: np.ndarray | None = None  # the masks as uint64, made on first use

    def _bits_table(self, end_bit: int) -> np.ndarray | None:
        """Per BMP code point (and one last entry for every other), the bits it holds; None when a
        needed character lies outside the BMP or the bits do not fit in 64 (then `holds_each` loops)."""
        if not self._bits or end_bit > 1 << 64 or max(map(ord, self._bits)) > 0xFFFF:
            return None
        table = np.zeros(0x10001, dtype=np.uint64)
        for ch, bits in self._bits.items():
            table[ord(ch)] = bits
        return table

    def holds(self, text: str) -> int:
        bits = 0
        if self._chars is not None:
            for ch in set(self._chars.findall(text)):
                bits |= self._bits[ch]
        return bits

    def holds_each(self, texts: list[str]) -> list[int]:
        """`[self.holds(t) for t in texts]` in one numpy pass over all of them: each code point's
        bits from a table, OR-ed over each text (a findall per line cost more than its search)."""
        if self._table is None:
            return [self.holds(t) for t in texts]
        filled = [t for t in texts if t]  # reduceat needs non-empty segments; "" holds nothing
        if not filled:
            return [0] * len(texts)
        cps = np.frombuffer("".join(filled).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        bits = self._table[np.minimum(cps, 0x10000)]  # beyond the BMP: the last entry, no bits
        starts = np.cumsum([0, *map(len, filled[:-1])])
        found = iter(np.bitwise_or.reduceat(bits, starts).tolist())
        return [next(found) if t else 0 for t in texts]

    def candidates(self, holds: int) -> tuple[tuple[str, Pattern], ...]:
        """The rules, in order, that may match a text with these `holds` bits (one pass over the
        masks per distinct value, not per line)."""
        found = self._candidates.get(holds)
        if found is None:
            found = tuple(rule for rule, mask in zip(self.rules, self.masks, strict=True) if holds & mask == mask)
            if len(self._candidates) >= self.MAX_REMEMBERED:
                self._candidates.clear()
            self._candidates[holds] = found
        return found

    def candidates_each(self, holds: list[int]) -> list[tuple[tuple[str, Pattern], ...]]:
        """`[self.candidates(h) for h in holds]`, the values not remembered tested against every
        rule's mask in one numpy pass: the rules need ~170 characters, so a speech's lines hold
        ~15,000 distinct bit sets per 2,000 speeches, and testing each in Python cost ~5 % of cleaning."""
        if self._table is None:  # the masks may not fit in 64 bits
            return [self.candidates(h) for h in holds]
        known = self._candidates
        distinct = list(dict.fromkeys(holds))
        if len(known) + len(distinct) > self.MAX_REMEMBERED:
            known.clear()
        missing = [h for h in distinct if h not in known]
        if missing:
            if self._mask_array is None:
                self._mask_array = np.array(self.masks, dtype=np.uint64)
            masks = self._mask_array
            fits = ((np.array(missing, dtype=np.uint64)[:, None] & masks) == masks).tolist()
            for h, row in zip(missing, fits, strict=True):
                known[h] = tuple(itertools.compress(self.rules, row))
        return [known[h] for h in holds]

    def may_match_any(self, text: str) -> bool:
        return bool(self.candidates(self.holds(text)))


_INDEXES: dict[int, tuple[Profiles, _RuleIndex, _RuleIndex]] = {}


def _rule_indexes(profiles: Profiles) -> tuple[_RuleIndex, _RuleIndex]:
    """(span rules, line rules) of `profiles`, built once per Profiles object (kept by identity:
    hashing the profiles on every call would cost more than the lookup saves)."""
    cached = _INDEXES.get(id(profiles))
    if cached is None or cached[0] is not profiles:
        rules = profiles.rules()
        span = _RuleIndex([(r, p) for r, p in rules if p.scope == "span"])
        line = _RuleIndex([(r, p) for r, p in rules if p.scope == "line"])
        if len(_INDEXES) >= 8:
            _INDEXES.clear()
        cached = _INDEXES[id(profiles)] = (profiles, span, line)
    return cached[1], cached[2]


# --- step 1: span rules -------------------------------------------------------------------------
def _apply_span_rules(line: str, index: _RuleIndex, st: _State) -> list[str]:
    """Cut span-rule matches out of one line; a `gap` match splits the line around a GAP."""
    view = plain_view(line)
    if not index.may_match_any(line) and (view == line or not index.may_match_any(view)):
        return [line]  # the common case: no rule can match the line or its plain view
    pieces = [line]
    for (rule, pattern), mask in zip(index.rules, index.masks, strict=True):
        out: list[str] = []
        for piece in pieces:
            if piece == GAP:
                out.append(GAP)
            elif index.holds(piece) & mask == mask or index.holds(plain_view(piece)) & mask == mask:
                out.extend(_cut(piece, rule, pattern, st))
            else:  # no match possible in the piece or its plain view: what `_cut` would return
                out.append(piece)
        pieces = out
    return pieces


def _may_cut_each(lines: list[str], index: _RuleIndex) -> list[bool]:
    """Per line, `_apply_span_rules`' own test (may a rule match the line or its plain view?), for
    all lines in one numpy pass: a line that fails it comes back from there unchanged."""
    views = [plain_view(line) for line in lines]
    changed = [view if view != line else "" for view, line in zip(views, lines, strict=True)]
    return [bool(line_rules) or (view != line and bool(view_rules))
            for line, view, line_rules, view_rules
            in zip(lines, views, index.candidates_each(index.holds_each(lines)),
                   index.candidates_each(index.holds_each(changed)), strict=True)]


def _may_cut_spans(text: str, lines: list[str], index: _RuleIndex) -> bool:
    """Whether a span rule may match one of `lines` (those of `text`) or its plain view. Most texts
    hold no span rule's characters: one scan of the whole text then spares a test per line."""
    views = [plain_view(line) for line in lines]  # cached: the line rules look at them next
    # A view may hold characters the text has not (ASCII folded, NFC).
    holds = 0
    for bits in index.holds_each([text, *(v for v, ln in zip(views, lines, strict=True) if v != ln)]):
        holds |= bits
    return bool(index.candidates(holds))


def _cut(piece: str, rule: str, pattern: Pattern, st: _State) -> list[str]:
    source = piece
    if not pattern.regex.search(source):
        source = plain_view(piece)  # a notice broken by wrap spaces or glosses
        if not pattern.regex.search(source):
            return [piece]
    out: list[str] = []
    last = 0
    for m in pattern.regex.finditer(source):
        if not m.group(0).strip():
            continue
        st.hit(rule, pattern, m, m.group(0))
        out.append(source[last : m.start()])
        if pattern.action == "gap":
            out.append(GAP)
        last = m.end()
    out.append(source[last:])
    return [p for p in out if p == GAP or p.strip()]


# --- step 2: line rules -----------------------------------------------------------------------
def _line_rules_hit(lines: list[str], index: _RuleIndex) -> list[tuple[str, Pattern, re.Match[str]] | None]:
    """The first line rule matching each line's plain view, or None (GAP, an empty or a long view)."""
    views = [plain_view(ln).strip() for ln in lines]  # GAP's view is ""
    views = [v if len(v) <= MAX_CHROME_LINE else "" for v in views]
    return [_line_rule(v, rules) if v else None
            for v, rules in zip(views, index.candidates_each(index.holds_each(views)), strict=True)]


def _line_rule(view: str, rules: tuple[tuple[str, Pattern], ...]) -> tuple[str, Pattern, re.Match[str]] | None:
    """The first of `rules` (the line rules that may match it, see _RuleIndex) matching `view`
    (stripped, not empty)."""
    one_line = "\n" not in view  # then a rule anchored at line starts can only match at 0
    for rule, pattern in rules:
        # `search` would try every position, and all but 0 fail at the anchor.
        m = pattern.regex.match(view) if one_line and pattern.line_start else pattern.regex.search(view)
        # In a long line, a match after a finished sentence is chrome glued to prose: keep the line.
        if m and not (len(view) > MAX_FOOTER_LINE and _SENTENCE_END.search(view[: m.start()])):
            return rule, pattern, m
    return None


def _footer_like(line: str) -> bool:
    view = plain_view(line).strip()
    return line == GAP or (len(view) <= MAX_FOOTER_LINE and not _SENTENCE_END.search(view))


def _footer_to_end(lines: list[str], hits: list[tuple[str, Pattern, re.Match[str]] | None], start: int) -> bool:
    """Every line from `start` on is a rule's or looks like page furniture, up to the end of the text or
    to a line that drops the rest (a comment section)."""
    for line, hit in zip(lines[start:], hits[start:], strict=True):
        if hit is not None and hit[1].action == "rest":
            return True
        if hit is None and not _footer_like(line):
            return False
    return True


def _apply_line_rules(lines: list[str], index: _RuleIndex, st: _State) -> list[str]:
    hits = _line_rules_hit(lines, index)
    kept: list[str] = []
    continues = False  # a 主送/抄送 line ending in a comma goes on in the next line
    tail_from: tuple[str, Pattern, re.Match[str]] | None = None
    for i, (line, hit) in enumerate(zip(lines, hits, strict=True)):
        if tail_from is not None and hit is None:
            if line != GAP:
                st.hit(*tail_from, line)
            continue
        if hit is None and continues and line != GAP and len(line) <= MAX_CHROME_LINE:
            st.furniture.append((f"{st.furniture[-1][0]}(continued)", line))
            continues = line.rstrip()[-1:] in "，,、"
            continue
        continues = False
        if hit is None:
            kept.append(line)
            continue
        rule, pattern, m = hit
        if pattern.action == "furniture":
            st.furniture.append((rule, line))
            continues = line.rstrip()[-1:] in "，,、"
            continue
        st.hit(rule, pattern, m, line)
        if pattern.action == "rest" or (pattern.action == "tail" and _footer_to_end(lines, hits, i + 1)):
            tail_from = hit
        elif pattern.action == "gap":
            kept.append(GAP)
    return kept


# --- steps 3-4: title, head furniture, repeated title ---------------------------------------------
# A page title's site, category or file name after the speech title ("……的讲话_讲话稿_范文大全",
# "……的讲话 - 道客巴巴", "……的讲话.doc"), a template site's count of versions ("……讲话范文（精选3篇）")
# and its tag before it ("【精品】", "最新在……", a compilation's "篇一："): page chrome around the title, removed.
_PAGE_SUFFIX = re.compile(
    r"(?:(?:范文|範文)?\s*[(（【\[](?:精选|精選|通用|优选|優選|热门|熱門)?\s*[\d一二三四五六七八九十]*\s*篇?(?:范文|範文)?[)）】\]]"
    # a template site's year after the title: "…上的讲话2023"
    r"|(?<![\d年])\s*(?:19|20)\d\d年?(?:最新|精选|精選)?(?:范文|範文)?"
    r"|(?<=[话話言辞辭稿])(?:范文|範文)|\s*[(（](?:全文|完整版)[)）]"
    r"|\s*[_|｜]\s*[^_|｜\s。，]{1,20}|\s+[-–—]\s+[^\s。，]{1,20}|\.(?:docx?|wps|pdf|txt))+$",
    re.IGNORECASE,
)
_PAGE_TAG = re.compile(
    r"^\s*(?:【(?:精品|精选|精選|推荐|推薦|原创|原創|最新|热门|熱門|优秀|優秀|转载|轉載)】\s*"
    r"|(?:重磅|最新|刚刚|剛剛|权威发布|權威發佈)\s*[！!｜|:：]\s*|[^\s｜|，。！？]{2,12}\s*[｜|]\s*|(?:最新|精选|精選)(?=[^\s，。在]{0,8}在)"
    # a compilation's first piece: "篇一：", "第一篇：", "范文1："
    r"|(?:篇[一二三四五六七八九十\d]{1,3}|第[一二三四五六七八九十\d]{1,3}篇|[范範]文[一二三四五六七八九十\d]{1,3})\s*[:：]\s*)"
)


def _page_title(line: str) -> tuple[str, str, str]:
    """(tag, title, suffix) of a title line: the speech title between a site's tag and suffix. A
    suffix counts only when what is left still ends like a speech title (and holds more than it)."""
    tag = m.group(0) if (m := _PAGE_TAG.match(line)) else ""
    rest = line[len(tag):]
    suffix = ""
    if (m := _PAGE_SUFFIX.search(rest)) and m.start() > 0 and m.group(0).strip("（）() "):
        core = rest[: m.start()]
        if _TITLE_END.search(plain_view(core).strip()):
            rest, suffix = core, m.group(0)
    return tag, rest, suffix


# "首页 | 工作总结 | … | 调研报告", "…首页 > 讲话稿 > 经济工作会议讲话": a menu or breadcrumb, whatever its last item.
_MENU_BAR = re.compile(r"[|｜>＞»_].*[|｜>＞»_]")  # (also "瑞文网_范文大全_工作总结_…_演讲稿")


# Characters one of which every title line holds (one of each word `_TITLE_END` looks for, found even
# when a gloss or a space splits the word): a line without any is no title, and is spared the regexes.
_TITLE_WORD = re.compile(r"[讲講言辞辭告持词詞]")


def _is_title(line: str) -> bool:
    if len(line) > MAX_TITLE + MAX_PAGE_DECORATION or not _TITLE_WORD.search(line):  # a paragraph, or no title
        return False
    view = plain_view(_page_title(line)[1]).strip()
    return (len(view) <= MAX_TITLE and not _SENTENCE_END.search(view) and bool(_TITLE_END.search(view))
            and not _MENU_BAR.search(view) and not _HEADING.match(view)  # (not "三、县长讲话" of an agenda)
            and not _SITE_NAMED.search(view))


# A site's own name in what is left of a line: its domain ("瑞文网 ruiwen.com　工作报告" of a menu) or its
# portal ("宁乡县人民政府门户网站 - 领导讲话"). No speech's title holds one.
_SITE_NAMED = re.compile(r"[a-z0-9-]+\.(?:com|cn|net|org|cc)\b|门户网站|門戶網站|门户网|門戶網", re.IGNORECASE)


def _visible_len(line: str) -> int:
    """Length with each run of blanks as one: "XX县人民政府办公室编          2023年5月10日" is a short line."""
    return len(" ".join(line.split()))


def _key(s: str) -> str:
    """Comparison key: the plain view without spaces and punctuation."""
    return _KEY_DROP.sub("", plain_view(s))


def _strip_prefix(line: str, key: str) -> str | None:
    """The raw prefix of `line` whose key is `key`, or None when the line does not start with it."""
    if not key or not _key(line).startswith(key):
        return None
    for end in range(len(key), len(line) + 1):
        if _key(line[:end]) == key:
            return line[:end]
    return None


# The end of a "在……上的讲话" phrase, on a title line that lacks its "在".
# ("上的离任讲话", "上的表态发言": a word may come between)
_DELIVERY_TAIL = re.compile(
    r"(?:上|时|時|中)的[^\s，。]{0,4}?(?:讲话|講話|发言|發言|致辞|致辭|报告|報告|主持词|主持詞)"
)


def _wrapped_title_start(line: str, title: str) -> bool:
    """The line above a title line is its first half, wrapped by a PDF copy: "在宁陕县2023年经济工作暨" /
    "优化营商环境大会上的讲话". It holds the delivery phrase's "在" that the title line ends but lacks, and
    no sentence."""
    return ("在" in line and "在" not in title and _DELIVERY_TAIL.search(title) is not None
            and not _SENTENCE_END.search(line) and not _TITLE_END.search(plain_view(line).strip())
            and _is_title(line + title))


def _find_title(lines: list[str]) -> int | None:
    """The first title-like line among the first content lines, before any salutation ("同志们：":
    the speech has begun) and not the rest of a wrapped line ("…县应急管理局通报了一季度" /
    "全县安全生产情况，…作了表态发言")."""
    content = [i for i, ln in enumerate(lines) if ln != GAP][:TITLE_SEARCH_LINES]
    t = None
    for k, i in enumerate(content):
        if _SALUTATION.match(plain_view(lines[i]).strip()):
            break
        before = lines[content[k - 1]].strip() if k else ""
        wrapped = (_visible_len(before) > MAX_HEAD_FURNITURE and before[-1] not in _LINE_DONE
                   and _PROSE_MARK.search(before) is not None)
        if _is_title(lines[i]) and not wrapped:
            t = i
            break
    return t if t is None else _own_title_below(lines, t)


def _own_title_below(lines: list[str], t: int) -> int:
    """A web page's title above the document's own ("2024年准格尔旗政府工作报告" over "政府工作报告" and its
    "——…会议上" line; "【转载】梅州市市长在…的讲话" or a table's "标题：在…的讲话" over "在…的讲话"; "县委书记在…
    的讲话（全文）" over an account's name and stamp, then "在…的讲话"): the document's title is the one
    below, when the page title holds it or the speech starts under it (`_opens_speech`). Only short
    lines (a byline, a stamp) may lie between. The page title stays above it."""
    key = _key(_page_title(lines[t].strip())[1])
    for i in [i for i in range(t + 1, len(lines)) if lines[i] != GAP][:6]:
        if _is_title(lines[i]):
            own = _key(_page_title(lines[i].strip())[1])
            if len(own) >= 4 and own != key and (own in key or (_delivery_title(own) and _opens_speech(lines, i))):
                return i
        if _LEAD_NOTE.search(lines[i]) or _EDITOR_INTRO.search(lines[i]):
            continue  # a news lead between a headline and the speech ("…现将讲话全文刊发如下——"), a blurb
        if (_visible_len(lines[i]) > MAX_HEAD_FURNITURE or _SENTENCE_END.search(lines[i])
                or _SALUTATION.match(lines[i].strip())):
            break
    return t


def _delivery_title(key: str) -> bool:
    """'在……上的讲话' (a title's `_key`): the form of a speech's own title, not of a page's headline."""
    return key.startswith("在") and _DELIVERY_TAIL.search(key) is not None


def _opens_speech(lines: list[str], i: int) -> bool:
    """Whether the speech starts right under line `i`: its salutation within the next three lines
    (a speaker's and a date line may come first). A title there is the document's own, even when a
    headline above words it otherwise ("【全文】县长在县政府第一次全体会议上的讲话" over "在XX县人民政府
    第一次全体会议上的讲话", "县长 XXX", "同志们：")."""
    after = [ln for ln in lines[i + 1 :] if ln != GAP][:3]
    return any(_SALUTATION.match(plain_view(ln).strip()) for ln in after)


def _split_glued_title(lines: list[str]) -> tuple[str | None, list[str]]:
    """"在……上的讲话 同志们：……" as the first line: the title is glued to the body."""
    first = next((i for i, ln in enumerate(lines) if ln != GAP), None)
    if first is None:
        return None, lines
    m = _GLUED_TITLE.match(plain_view(lines[first]).strip())
    if not m:
        return None, lines
    prefix = _strip_prefix(lines[first], _key(m.group("title")))
    if prefix is None:
        return None, lines
    rest = lines[first][len(prefix) :].strip()
    return prefix.strip(), [*lines[:first], *([rest] if rest else []), *lines[first + 1 :]]


def _take_title(lines: list[str], st: _State) -> tuple[str | None, list[str]]:
    t = _find_title(lines)
    if t is None:
        return _split_glued_title(lines)
    tag, title, suffix = _page_title(lines[t].strip())
    st.title_line = lines[t]
    for chrome in (tag, suffix):
        if chrome.strip():
            st.removals.append(Removal("generic:page_title", chrome.strip()))
    head = lines[:t]
    # A subtitle line "——在……上的讲话" under its main title: both make the title.
    if _SUBTITLE.match(title) and head and head[-1] != GAP and len(head[-1]) <= MAX_HEAD_FURNITURE \
            and not _SENTENCE_END.search(head[-1]):
        title = f"{head.pop().strip()}{title}"
    elif head and head[-1] != GAP and _wrapped_title_start(head[-1].strip(), title):
        title = f"{head.pop().strip()}{title}"
    body_head: list[str] = []
    for line in head:  # above the title: bulletin name, issue, office, date; or a lead paragraph
        if line == GAP:
            continue
        if _EDITOR_INTRO.search(line):  # a template site's blurb: "……下面是小编为大家整理的……"
            st.removals.append(Removal("generic:editor_intro", line.strip()))
            continue
        if ((_visible_len(line) <= MAX_HEAD_FURNITURE and not _SENTENCE_END.search(line))
                or _LEAD_NOTE.search(line) or _is_title(line)):  # (a page's headline, "重磅！…的讲话")
            st.furniture.append(("generic:above_title", line))
        else:
            body_head.append(line)
    if (date := _TRAILING_DATE.search(title)) and date.start() > 0:  # the delivery date, like a line under it
        st.furniture.append(("generic:under_title", date.group(0).strip()))
        title = title[: date.start()]
    # The title repeated under itself goes first: a speaker's line may come after it.
    rest = _meta_lines(_drop_editor_intro(_drop_repeated_title(lines[t + 1 :], title, st), st), st)
    st.body_line = next((line for line in rest if line != GAP), None)
    return title, body_head + rest


def _drop_editor_intro(lines: list[str], st: _State) -> list[str]:
    """A template site's blurb between the title and the speech ("……下面是小编为大家整理的……"): among the
    first three lines, before the salutation."""
    for i, line in enumerate(lines[:3]):
        if _SALUTATION.match(line.strip()):
            break
        if _EDITOR_INTRO.search(line):
            st.removals.append(Removal("generic:editor_intro", line.strip()))
            return lines[:i] + lines[i + 1:]
    return lines


_SUBTITLE_REST = re.compile(r"[^，。！？：:\s]{1,24}(?:会议|大会|会)上(?:的(?:讲话|报告|發言|发言|致辞))?")


def _meta_lines(lines: list[str], st: _State) -> list[str]:
    """Move the date, speaker and subtitle lines right under the title to furniture."""
    i = 0
    while i < len(lines) and i < 3:
        line = lines[i].strip()
        # A "——2008年1月15日在……会议上" subtitle may be longer than a speaker or date line.
        limit = MAX_SUBTITLE_LINE if _SUBTITLE.match(line) else MAX_META_LINE
        plain = plain_view(line)  # "同 志 们 ：" from a PDF is still the salutation; "縣(xiàn)長" a 縣長
        short = len(plain) <= limit and not _SENTENCE_END.search(line)
        if line == GAP or not short or _SALUTATION.match(plain) or _HEADING.match(plain) or _is_title(line):
            break
        # (a speaker's line may be longer: "伊宁县委副书记、县长　阿不都热合曼·买买提")
        if not (_SUBTITLE.match(line) or _HAS_DATE.search(line) or len(line) <= 20 or SPEAKER_LINE.match(plain)):
            break
        # A subtitle a PDF copy wrapped: "——2023年1月10日在隆回县第十八届人民" / "代表大会第三次会议上".
        rest = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if _SUBTITLE.match(line) and not line.endswith("上") and _SUBTITLE_REST.fullmatch(plain_view(rest)):
            line, i = line + rest, i + 1
        st.furniture.append(("generic:under_title", line))
        i += 1
    return lines[i:]


# A bracketed date at the start of a body line, before the salutation: the delivery date of a title
# the PDF copy glued to the body.
_GLUED_DATE = re.compile(r"\s*[(（]" + _DATE_INSIDE + rf"[)）]\s*(?={_SALUTE})")
# A speaker before the title repeated in the body ("张建华同志在县政府…的讲话"): the speaker's name
# and the title then open the line.
_SPEAKER_END = ("同志", "县长", "区长", "市长", "书记")


def _speaker_and(key: str, line: str) -> str:
    """The key of a line's opening 'speaker + title' when the title's key follows a short speaker's
    ('张建华同志' + key); "" when it does not."""
    line_key = _key(line[: len(key) + 16])
    at = line_key.find(key)
    return line_key[: at + len(key)] if 0 < at <= 10 and line_key[:at].endswith(_SPEAKER_END) else ""


def _drop_repeated_title(lines: list[str], title: str, st: _State) -> list[str]:
    key = _key(title)
    out = list(lines)
    for i, line in enumerate(out[:3]):
        if line == GAP:
            continue
        if _PAGE_TAG.match(line) and _key(_page_title(line.strip())[1]) == key:
            # again with the site's tag: "【精选】在……的讲话" (a suffix is handled below)
            st.removals.append(Removal("generic:duplicate_title", line.strip()))
            del out[i]
            break
        prefix = _strip_prefix(line, key) or _strip_prefix(line, _speaker_and(key, line))
        if prefix is None:
            continue
        rest = line[len(prefix) :].strip()
        if rest and _PAGE_SUFFIX.fullmatch(rest):  # the file name again: "在……的讲话.doc"
            prefix, rest = line, ""
        st.removals.append(Removal("generic:duplicate_title", prefix))
        # The page's title, then the document's with its speaker, glued: "在…的讲话张建华同志在…的讲话…".
        if again := _strip_prefix(rest, _speaker_and(key, rest)):
            st.removals.append(Removal("generic:duplicate_title", again))
            rest = rest[len(again):].strip()
        # "…的讲话（2024年3月8日）同志们：…" glued by a PDF copy: the date goes under the title.
        if (date := _GLUED_DATE.match(rest)) is not None:
            st.furniture.append(("generic:under_title", date.group(0).strip()))
            rest = rest[date.end():].strip()
        if rest:
            out[i] = rest
        else:
            del out[i]
        break
    # Further down, a line that is only the title is a running page header of a PDF copy ("— 1 —",
    # then the title again atop the next page): it goes, and the sentence cut by the page joins again.
    # (Only lines about the title's length can be it: the key is not made for the others.)
    kept = []
    for line in out:
        if line != GAP and len(key) <= len(line) <= len(title) + 8 and _key(line) == key:
            st.removals.append(Removal("generic:running_header", line))
        else:
            kept.append(line)
    return kept


def _join(lines: list[str]) -> str:
    """Non-empty lines joined by newlines; GAP markers become one empty line, never at the ends."""
    out: list[str] = []
    for line in lines:
        if line == GAP:
            if out and out[-1] != GAP:
                out.append(GAP)
        else:
            out.append(line)
    while out and out[-1] == GAP:
        out.pop()
    return "\n".join(out)


def clean(text: str, profiles: Profiles) -> Cleaned:
    """Apply every profile's rules, take out title and furniture, and return the cleaned text."""
    span_rules, line_rules = _rule_indexes(profiles)
    st = _State([], [], [])
    # (A line of zero-width characters only, left by a web page's markup, is empty too.)
    lines = [line for line in (raw_line.strip() for raw_line in text.split("\n")) if line and line.strip(_ZERO_WIDTH)]
    if _may_cut_spans(text, lines, span_rules):
        cut = _may_cut_each(lines, span_rules)
        lines = [p.strip() if p != GAP else GAP for line, may in zip(lines, cut, strict=True)
                 for p in (_apply_span_rules(line, span_rules, st) if may else [line])]
    lines = _apply_line_rules(lines, line_rules, st)
    title, lines = _take_title(lines, st)
    placed = sorted(((_position(line, text), rule, line) for rule, line in st.furniture), key=lambda item: item[0])
    places = [at for at, _, _ in placed]
    furniture = tuple(normalize(line)[0] for _, _, line in placed)
    return Cleaned(
        text=_join(lines),
        title=normalize(title)[0] if title else None,
        furniture=furniture,
        removals=_in_text_order(st.removals, text),
        hidden_chars=sum(st.hidden) if st.hidden else None,
        truncation_notice=st.truncated,
        furniture_rules=tuple(rule for _, rule, _ in placed),
        under_title=_under_title(places, furniture, st, text),
        closing=_closing(places, furniture, lines, text),
    )


def _under_title(places: list[int], furniture: tuple[str, ...], st: _State, text: str) -> tuple[str, ...]:
    """The furniture lines (`furniture`, at `places` in `text`) between the title line and the body's first line."""
    if st.title_line is None or not furniture:
        return ()
    start = _position(st.title_line, text)
    end = _position(st.body_line, text) if st.body_line is not None else len(text)
    return tuple(line for at, line in zip(places, furniture, strict=True) if start < at < end)


def _closing(places: list[int], furniture: tuple[str, ...], lines: list[str], text: str) -> tuple[str, ...]:
    """The furniture lines (`furniture`, at `places` in `text`) after the body's last line (`lines`)."""
    last = next((line for line in reversed(lines) if line != GAP), None)
    if last is None or not furniture:
        return ()
    end = text.rfind(last)
    return tuple(line for at, line in zip(places, furniture, strict=True) if at > end)


def _in_text_order(removals: list[Removal], text: str) -> tuple[Removal, ...]:
    """Removals sorted by where they occur in the input (span rules run before line rules)."""
    return tuple(sorted(removals, key=lambda r: _position(r.text, text)))


def _position(span: str, text: str) -> int:
    """Where `span` occurs in `text`, preferring an occurrence that starts a line."""
    first = i = text.find(span)
    while i >= 0:  # plain string search: a regex per span was a hot spot
        line_start = text.rfind("\n", 0, i) + 1
        if not text[line_start:i].strip(" \t\u3000"):
            return line_start
        i = text.find(span, i + 1)
    return first if first >= 0 else len(text)


def explain(cleaned: Cleaned) -> str:
    """A human-readable account of what `clean` took out and why (for `clean --explain`)."""
    out = [
        f"title: {cleaned.title!r}",
        f"removed: {len(cleaned.removals)} spans, {cleaned.removed_chars} characters",
        f"hidden_chars: {cleaned.hidden_chars}; truncation_notice: {cleaned.truncation_notice}",
    ]
    out += [f"  - {r.rule}: {_clip(r.text)}" for r in cleaned.removals]
    out.append(f"furniture: {len(cleaned.furniture)} lines")
    rules = cleaned.furniture_rules or ("",) * len(cleaned.furniture)
    out += [f"  - {r}: {f}" for r, f in zip(rules, cleaned.furniture, strict=True)]
    return "\n".join(out)


def _clip(s: str, width: int = 70) -> str:
    return repr(s if len(s) <= width else s[: width - 1] + "…")
