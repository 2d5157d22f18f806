"""Redaction and truncation signals: masks (place, person, number, date) and cut-off previews.

A mask is a run of mask symbols (`X`, `x`, `×`, `**`, `■`, `□□`…, not adjacent to Latin letters or
digits) or `某`, and its kind comes from what follows it:

- date:   `20xx年`, `××年`, `×月×日`, `×月`, `×日`
- number: `-×%`, `×.×亿元`, `×个`, `×万人` (a count word or unit follows)
- person: `X同志`, `**书记`, `某某`, `******强调` (a title or a speech verb follows; it is
          part of the marker); a bare mask right after a title (`县长 ＊＊＊`, `区委书记 **`, `县长 李**`)
- place:  `X区`, `××县`, `**镇`, `某市` (an administrative suffix follows)
- place:  any other mask between Han characters or Chinese punctuation (`X发展`, `“X人”`,
          `跳出**看**`): in this genre a bare mask almost always stands for the speaker's own
          unit (county, district) name.

Markers are the masked expressions as written (`×月×日`, `**县`, `X`), counted, and sorted by
(kind, marker).

Redaction level (the rule the card states):
- `none`: no mask at all.
- `heavy`: at least 10 masks per 1,000 Han characters (HEAVY_MASKS_PER_1000_HAN: one every 100
  characters, about every other sentence of this genre), or masks of three or more of the four
  kinds (HEAVY_KINDS: place, person, number and date hidden together).
- `partial`: any other text with masks.

`ends_mid_sentence`: the last paragraph stops without sentence-final punctuation (closing quotes
and brackets skipped). Short last lines without any punctuation (a signature, a date) do not count,
nor do up to MAX_STRAY_TAIL stray characters after a final mark (scraped pages leave such crumbs).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from ..hanchars import CIRCLE_MASK, MASK_CIRCLES, MASK_LETTERS, MASK_SQUARES, MASK_STARS
from ..normalize import HANLIKE
from ..record import Marker
from .paragraphs import last_paragraphs

# One mask every 100 Han characters (about every other sentence): the text reads as "masked".
HEAVY_MASKS_PER_1000_HAN = 10.0
HEAVY_KINDS = 3
# A last line this short without any punctuation is a signature or date line, not a cut.
MIN_CUT_LINE = 30
MAX_STRAY_TAIL = 2

# A mask run: letters, two or more stars, blacked-out squares (■), two or more empty ones (□: one
# alone is as often a lost glyph).
_M = (rf"(?:(?<![A-Za-z0-9])[{MASK_LETTERS}](?:[{MASK_LETTERS}]{{0,3}})(?![A-Za-z0-9])"
      r"|\*{2,}|＊{2,}|■{1,4}|□{2,4})")
_MASK_CHARS = f"[{re.escape(MASK_LETTERS + MASK_STARS)}]"
# Circles mask a name before a unit or a title ("○○县", "○○同志"); after a Chinese numeral they are
# the zero of a year ("二○二三年") and a date is never masked with them here.
_CIRCLES = rf"{CIRCLE_MASK}{{1,4}}"
# ... but four circles alone are no year: '○○○○年○○月○○日' is a masked date.
_CIRCLE_YEAR = rf"{CIRCLE_MASK}{{4}}年(?:[○〇◯]{{1,2}}月(?:[○〇◯]{{1,2}}日)?)?"
# Titles and speech verbs after a mask: the mask is a person. (县长/市长 are left out: in "X县长"
# the mask is the county's name, and "X县" is recorded as a place.)
_PERSON_WORDS = (
    "同志|总书记|總書記|书记|書記|主任|[局处科所院]长|[局處科所院]長|部长|部長|主席|委员|委員|强调|強調|指出|要求"
)
_PLACE_SUFFIX = (
    "省|自治区|自治區|市|县|縣|区|區|镇|鎮|乡|鄉|村|街道|社区|社區|州|盟|旗|开发区|開發區|新区|新區|园区|園區"
)
# Count words, unless they begin a noun that makes the mask a name ("XX项目", "XX座谈会", "XX处长").
_NUMBER_UNIT = (
    r"%|％|个|個|[项項](?!目)|万|萬|亿|億|元(?!素|旦)|家(?!庭)|[条條](?!例)|名(?!称|稱|单|單)|所(?!长|長)"
    r"|座(?!谈|談)|户|戶|次|亩|畝|公里|千米|米|吨|噸|倍|件|台(?!账|賬)|辆|輛|批|[处處](?!长|長)|人次|期(?!间|間)"
)

_KINDS: tuple[tuple[str, str], ...] = (
    ("date", rf"(?:19|20){_MASK_CHARS}{{2}}年|{_M}年(?:{_M}月(?:{_M}日)?)?|{_M}月(?:{_M}日)?(?:份)?|{_M}日"
             rf"|{_CIRCLE_YEAR}"),
    ("number", rf"[-－]?{_M}(?:\.{_M})?(?:{_NUMBER_UNIT})"),
    ("person", rf"{_M}(?:{_PERSON_WORDS})|某{{1,3}}(?:同志|书记|書記)|{_CIRCLES}(?:{_PERSON_WORDS})"),
    ("place", rf"(?:{_M}|某{{1,2}}|{_CIRCLES})(?:{_PLACE_SUFFIX})"),
    ("person", "某{2,3}"),  # 某某 not before a unit: a name ("王某某", "县长某某某")
    ("place", rf"{_M}"),
)
_MASK = re.compile("|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(_KINDS)))
_HANLIKE = re.compile(f"[{HANLIKE}]")
# Every mask holds one of these.
_MASK_HINT = re.compile(f"[{re.escape(MASK_LETTERS + MASK_STARS + MASK_SQUARES + MASK_CIRCLES)}某]")
# A bare mask must sit between Han text: "Windows X", "x * y" or a footnote star is not a mask. ("×人" is left out
# of the number units on purpose: "“X人”" is a masked place's people as often as a masked count.)
_BARE = re.compile(r"^(?:[XxＸｘ×✕]+|\*+|＊+|■+|□+)$")
# A bare mask right after a title or office ("县长 ＊＊＊", "区委书记 **"), or after a surname
# there ("县长 李**"), hides a person's name.
_ROLE_BEFORE = re.compile(
    r"(?:书记|書記|[县縣区區市州旗盟镇鎮乡鄉][长長]|主任|局[长長]|部[长長]|主席|同志)\s*[\u4e00-\u9fff]?\s*$"
)
# X-rays: 'X光机', 'X射线', 'X线检查' hold a letter between Han characters that masks nothing.
_XRAY = re.compile(r"[XxＸｘ](?:光|射线|射線|线|線)")


def _kind(m: re.Match[str]) -> str:
    return next(_KINDS[int(name[1:])][0] for name, v in m.groupdict().items() if v is not None)


def _between_han(text: str, start: int, end: int, star: bool) -> bool:
    """Han text or Chinese punctuation on both sides. A line edge counts for a star mask
    (`**目前还属于……` opens a paragraph) but not for a letter (`X光检查` is an X-ray); so does a
    space before a star mask (`区委书记 **`: a star is not Han, and its spaces stay)."""
    if star:
        while start > 0 and text[start - 1] in " \t\u3000":
            start -= 1
    before = text[start - 1] if start > 0 else "\n"
    after = text[end] if end < len(text) else "\n"
    sides = [c for c in (before, after) if not (star and c == "\n")]
    return bool(sides) and all(_HANLIKE.match(c) for c in sides)


def _mask_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of `_MASK.finditer(text)`, trying only the positions where one can start: every
    match has a `_MASK_HINT` character at most two characters after its start (`19××年`, `-×%`,
    `X区`), and most of a text is far from any."""
    pos = 0  # where finditer would go on searching
    for hint in _MASK_HINT.finditer(text):
        start = max(pos, hint.start() - 2)
        while start <= hint.start():
            m = _MASK.match(text, start)  # lookbehinds still see the text before `start`
            if m:
                yield m
                pos = start = m.end()
            else:
                start += 1


def find_markers(text: str) -> tuple[Marker, ...]:
    """Masks found in `text`, sorted by (kind, marker)."""
    counts: Counter[tuple[str, str]] = Counter()
    for m in _mask_matches(text):
        marker = m.group(0)
        kind = _kind(m)
        if _BARE.match(marker):
            if _XRAY.match(text, m.start()):
                continue
            if _ROLE_BEFORE.search(text, max(0, m.start() - 8), m.start()):
                kind = "person"  # 'X' after '县长' is a name at a line's end too ('县长XXX')
            elif not _between_han(text, m.start(), m.end(), marker[0] in "*＊"):
                continue
        counts[(kind, marker)] += 1
    return tuple(Marker(kind, marker, n) for (kind, marker), n in sorted(counts.items()))


def redaction_level(markers: tuple[Marker, ...], n_han: int) -> str:
    """none / partial / heavy, by the rule in the module docstring."""
    if not markers:
        return "none"
    total = sum(m.count for m in markers)
    kinds = {m.kind for m in markers}
    density = 1000.0 * total / max(n_han, 1)
    return "heavy" if density >= HEAVY_MASKS_PER_1000_HAN or len(kinds) >= HEAVY_KINDS else "partial"


_FINAL = "。！？!?…"
_INNER_PUNCT = re.compile(r"[，,、：:；;]")
_CLOSERS = "”’」』）)】》\"'"
_ELLIPSIS_ONLY = re.compile(r"[…⋯]+|\.{3,}")


_BRACKETED_NOTE = re.compile(r"[（(][^（）()]{4,}[)）]")
# A last paragraph that is only a list item's number ("（三）", "三、"): the item was cut off.
_BARE_ITEM = re.compile(r"[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．]")
# A figure cut at its decimal point ("…达到126."): ASCII "." after a digit ends no sentence here.
_CUT_NUMBER = re.compile(r"\d\.$")
# A speech's closing words, whose "！" a copy may drop ("…而努力奋斗", "谢谢大家"): the end, not a cut.
_CLOSING_WORDS = re.compile(r"(?:谢谢大家|謝謝大家|谢谢|謝謝|奋斗|奮鬥|贡献|貢獻|新篇章|新局面|新辉煌|新輝煌)$")


def ends_mid_sentence(text: str) -> bool:
    """True when the last paragraph stops without sentence-final punctuation."""
    lines = last_paragraphs(text, 1)
    if not lines:
        return False
    last = lines[0]
    if _ELLIPSIS_ONLY.fullmatch(last.strip()) or _BARE_ITEM.fullmatch(last.strip()):
        return True  # only an ellipsis or a list item's number: the text was cut there (a preview)
    core = last.rstrip(_CLOSERS)
    if not core or core[-1] in _FINAL:
        return False
    if _CUT_NUMBER.search(core):
        return True
    if _CLOSING_WORDS.search(core):
        return False
    if _BRACKETED_NOTE.fullmatch(last.strip()):
        return False  # a note on the text ("（本文系…的讲话，有删节）"), whole in its brackets
    if len(last) < MIN_CUT_LINE and not _INNER_PUNCT.search(last):
        return False  # a signature, date or heading line
    # "……篇章！会": a crumb of at most MAX_STRAY_TAIL characters after a final mark.
    for k in range(1, MAX_STRAY_TAIL + 1):
        before = core[:-k].rstrip(_CLOSERS)
        if len(before) > k and before[-1] in _FINAL:
            return False
    return True
