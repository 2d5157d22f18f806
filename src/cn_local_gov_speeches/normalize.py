"""Normalize stage: Unicode and layout fixes that keep every character of the speech.

Returns the text and the names of the fixes that changed it (the `normalization` column), in the
order the fixes run:

1. `nfc`             Unicode NFC. Never NFKC over the whole text: it would turn the full-width
                     punctuation `，：；！？（）` researchers count into ASCII.
2. `fullwidth_ascii` full-width ASCII letters and digits (Ａ, ９) to ASCII; punctuation stays.
3. `pinyin_glosses`  glosses left by machine conversion, `區(qū)`, `發(fā)展`: a bracketed
                     lowercase syllable with a tone mark right after a Han character (plus the
                     broken `?qū)` remains of such glosses, and `A(chǔ)` where a letter replaced
                     the character). Real brackets (`（一）`, `(2021)`,
                     `（试行）`, `(GDP)`) never hold a tone-marked syllable, so they stay.
4. `markdown`        `**bold**` around a clause or heading, `# ` heading marks, `- ` bullets. `**` that
                     stands for a masked name (`跳出**看**`, `**县`, `从**建县`) stays: bold opens
                     at a line start or after a clause end (。！？：；), holds one clause, and closes
                     after its final mark or before the line end / punctuation; a mask is glued to
                     Han text on both sides, or its "pair" would span several sentences.
5. `cjk_punct`       half-width `,:;!?()` to full-width when a neighbour is Han or Chinese
                     punctuation, never between two digits (`1,000`, `10:30`) and never inside a
                     URL, e-mail, ISO date or clock time; a lone `.` that ends a Chinese sentence
                     (after Han, before Han or the line's end) to `。`.
6. `heading_breaks`  `……。 一、标题` (a space after a sentence end, then a numbered heading) is a
                     lost line break of a PDF copy: the heading gets its own line back.
7. `han_spaces`      spaces between two Han characters / Chinese punctuation marks, and between
                     Han and a digit (`共 40 多项`, `2024 年`): in this genre they are line-wrap
                     and layout artefacts; so are the spaces of letter-spaced digits between
                     Han (`全 县 2 0 2 3 年`), and those around a mask between Han (`完成 XX 亿元`).
                     Other spaces next to Latin letters stay (`推进 5G 建设` keeps them: words,
                     URLs), and so do spaces touching a URL, date or time.
8. `whitespace`      trailing/leading blanks of lines, runs of empty lines.
9. `line_joins`      a hard line break inside a sentence: the line does not end with sentence
                     punctuation, is not a heading or a "——" subtitle, is long enough to be a wrapped
                     line (or has a comma inside: short prose of a narrow layout), does not end as a
                     title does ("…的讲话", "….doc") unless it is prose, is not a row of cells (runs of
                     spaces, bars, a breadcrumb's ">"), and the next line does not start a heading, a
                     subtitle, a salutation ("同志们", "各位代表"), a label, a speaker's line or a
                     bracketed date.

Paragraphs are separated by one newline. An empty line is a hard break that is never joined: the
clean stage puts one where the source hid text ("此处隐藏N字"), so the two sides stay apart.

Invariants (tested with hypothesis): idempotent; the sequence of Han characters is unchanged
(after NFC); the sequence of digits is unchanged (after folding full-width digits); URLs survive.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import numpy as np

from .hanchars import MASK_LETTERS, MASK_STARS, utf16_units

# Han ideographs: CJK unified (+ extension A), compatibility block and the supplementary planes.
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Chinese punctuation: CJK symbols block (、。〈〉《》「」【】〔〕…, also 〇), full-width forms
# punctuation, general punctuation used in Chinese (“”‘’…—·).
CJK_PUNCT = (
    r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    r"\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
)
HANLIKE = HAN + CJK_PUNCT
_HAN_RE = re.compile(f"[{HAN}]")
_HANLIKE_RE = re.compile(f"[{HANLIKE}]")
_HSPACE = r"[ \t\u3000\u00a0]"

# --- protected spans: text the punctuation and spacing fixes must not touch -------------------
_PROTECTED = re.compile(
    r"(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"  # URL
    r"|[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"  # e-mail
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"  # ISO-like date 2021-03-25
    r"|\d{1,2}:\d{2}(?::\d{2})?"  # clock time 10:30
)


# Every protected span contains one of these characters; most Chinese lines have none (fast path).
_PROTECTED_HINT = re.compile(r"[:@/.\-]")
# A protected span is made of ASCII and digits only, so it lies inside one run of such characters.
# (Written `[c][c]*`, not `[c]+`, so the regex engine skips to the run starts with a fast scan.)
_ASCII_RUN = re.compile(r"[!-~\d][!-~\d]*")


# Every protected span also holds "://", "www." or "@", or a date's or clock time's digits around
# its first separator ("4-3-2", "0:30"); numbers of prose ("149.1", "3-5") have none of them.
_DATE_OR_TIME_HINT = re.compile(r"[-/.:](?:(?<=\d[-/.])\d\d?[-/.]\d|(?<=\d:)\d\d)")


def _may_hold_protected(text: str) -> bool:
    """False only when `text` has no protected span (a quick C-level test of what every span holds)."""
    if not _PROTECTED_HINT.search(text):
        return False
    return "://" in text or "www." in text or "@" in text or _DATE_OR_TIME_HINT.search(text) is not None


def _protected_spans(text: str) -> list[tuple[int, int]]:
    if not _may_hold_protected(text):
        return []
    # Same spans as `_PROTECTED.finditer(text)`: the pattern has no anchors or lookarounds, so
    # matching within each run (endpos = run end) finds exactly the matches of the whole text.
    spans: list[tuple[int, int]] = []
    for run in _ASCII_RUN.finditer(text):
        start, end = run.span()
        if _PROTECTED_HINT.search(text, start, end):
            spans.extend(m.span() for m in _PROTECTED.finditer(text, start, end))
    return spans


def _touches(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when [start, end) overlaps or borders a protected span."""
    return any(s <= end and start <= e for s, e in spans)


def _sub_outside(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], text: str) -> str:
    """`pattern.sub` that leaves matches touching a protected span alone."""
    spans: list[tuple[int, int]] | None = None  # computed on the first match: most texts have none

    def _guarded(m: re.Match[str]) -> str:
        nonlocal spans
        if spans is None:
            spans = _protected_spans(text)
        return m.group(0) if _touches(spans, m.start(), m.end()) else repl(m)

    return pattern.sub(_guarded, text)


def _remove_outside(pattern: re.Pattern[str], text: str) -> str:
    """`_sub_outside(pattern, lambda m: "", text)`: one C-level sub when no span is protected."""
    if not _may_hold_protected(text):
        return pattern.sub("", text)
    return _sub_outside(pattern, lambda m: "", text)


# --- 1-2: Unicode ---------------------------------------------------------------------------
def fix_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def fix_fullwidth_ascii(text: str) -> str:
    # Full-width forms sit exactly 0xFEE0 above their ASCII counterparts.
    return _FULLWIDTH_ALNUM.sub(lambda m: chr(ord(m.group(0)) - 0xFEE0), text)


# --- 3: pinyin glosses --------------------------------------------------------------------------
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PY_LETTERS = f"a-z{_TONED}"
# One or two syllables with at least one tone mark (or ü): real brackets never look like this.
_SYLLABLES = f"[{_PY_LETTERS}]*[{_TONED}][{_PY_LETTERS}]*(?: ?[{_PY_LETTERS}]*[{_TONED}][{_PY_LETTERS}]*)?"
# The bracket comes first and the Han character before it is a lookbehind over both, not a
# leading lookbehind: the same matches, and the engine skips to the brackets with a fast scan.
_GLOSS = re.compile(f"[(（](?<=[{HAN}][(（]){_SYLLABLES}[)）]")
# Remains of glosses whose Han character was lost in a bad re-encoding: `?qū)`, `?fù)`.
_GLOSS_RESIDUE = re.compile(f"(?<=[?？\ufffd])[(（]?{_SYLLABLES}[)）]")
# ... or replaced by a Latin letter (`A(chǔ)設施`): the letter stays, as nothing says what it stood for.
_GLOSS_AFTER_LETTER = re.compile(f"[(（](?<=[A-Za-z][(（]){_SYLLABLES}[)）]")


# A neutral-tone syllable carries no tone mark (們(men), 的(de)): removed only in a text that has
# tone-marked glosses, where a bracketed lowercase syllable after a Han character is one of them.
_TONELESS_GLOSS = re.compile(f"[(（](?<=[{HAN}][(（])[a-z]{{1,6}}[)）]")  # bracket first, as _GLOSS
_TONED_RE = re.compile(f"[{_TONED}]")


def fix_pinyin_glosses(text: str) -> str:
    # Fast path: every gloss and residue holds a tone mark (a toneless gloss is only removed when
    # a toned one is present) and ends with a closing bracket. Most texts have neither.
    if (")" not in text and "）" not in text) or not _TONED_RE.search(text):
        return text
    glossed = _GLOSS.search(text) is not None
    text = _remove_outside(_GLOSS, text)
    if glossed:
        text = _remove_outside(_TONELESS_GLOSS, text)
    return _remove_outside(_GLOSS_AFTER_LETTER, _remove_outside(_GLOSS_RESIDUE, text))


# --- 4: markdown ------------------------------------------------------------------------------
_CLAUSE_END = "。！？!?：:；;"
_BOLD = re.compile(
    rf"(?:^|(?<=[{_CLAUSE_END}\s]))"  # opens at a line start, after a clause end or a space
    r"\*\*(?=[^*\s])"
    r"(?P<body>[^*\n。！？!?]{2,200}[。！？!?]?)"  # one clause: a sentence end only as its last mark
    rf"(?:(?<=[{_CLAUSE_END}])\*\*(?!\*)|(?<![\s*])\*\*(?=$|[{_CLAUSE_END}，,\s]))",
    re.MULTILINE,
)
# Heading hashes, list bullets and quote marks at a line start (always followed by a space).
_MD_LINE_MARK = re.compile(r"^(?:#{1,6}|[-*+•]|>)[ \t]+(?=\S)", re.MULTILINE)
_MD_MARK_CHARS = "#-*+•>"
# A mark after a newline: found by a fast scan for "\n" (the engine tries `^` at every position).
_MD_MARK_AFTER_NEWLINE = re.compile(r"\n[#\-*+•>]")


def _strip_line_marks(text: str) -> str:
    if text[:1] not in _MD_MARK_CHARS and not _MD_MARK_AFTER_NEWLINE.search(text):
        return text  # fast path: no line starts with a mark character
    return _MD_LINE_MARK.sub("", text)


def fix_markdown(text: str) -> str:
    if "**" not in text:  # fast path: no bold to unwrap
        return _strip_line_marks(text)
    previous = None
    while previous != text:  # "**a****b**" unwraps in two rounds; stop at the fixed point
        previous = text
        text = _sub_outside(_BOLD, lambda m: m.group("body"), text)
    return _strip_line_marks(text)


# --- 5: Chinese punctuation ---------------------------------------------------------------------
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_SIMPLE_PUNCT = re.compile(r"[,:;!?]")
_HALF_WIDTH_PUNCT = re.compile(r"[,:;!?()]")
# A lone full stop ending a Chinese sentence: after a Han character (or a closing quote or bracket
# after one) and before a Han character, an opening quote or bracket, or the end of the line. Never
# between digits or letters (`5.2`, `1.`, `www.`), nor in `...`.
_NUMBERED = re.compile(r"[ \t\u3000]*第?[一二三四五六七八九十百零〇]+")  # '一.提高认识': a heading's number
_FULL_STOP = re.compile(rf"\.(?:(?<=[{HAN}]\.)|(?<=[{HAN}][”’）》」』]\.))(?![.])(?=[{HAN}“‘（《「『]|[ \t]*(?:\n|$))")
_PAIR = re.compile(r"[(（](?P<body>[^()（）\n]{0,80})[)）]")


def _neighbour(text: str, i: int, step: int) -> str:
    """The nearest character that is not whitespace, looking from index i in direction step."""
    i += step
    while 0 <= i < len(text) and text[i].isspace():
        i += step
    return text[i] if 0 <= i < len(text) else ""


def _is_hanlike(ch: str) -> bool:
    return bool(ch) and bool(_HANLIKE_RE.match(ch))


def _chinese_context(text: str, i: int) -> bool:
    left, right = _neighbour(text, i, -1), _neighbour(text, i, 1)
    if left.isdigit() and right.isdigit():
        return False  # 1,000 / 3:2 / 2,3
    if text[i] in "!?":
        # A `?` next to Latin letters or another `?` is a lost-character mark, not a question.
        if (right and ((right.isascii() and right.isalnum()) or right in "?!")) or (left and left in "?!"):
            return False
        return _is_hanlike(left)
    return _is_hanlike(left) or _is_hanlike(right)


def fix_cjk_punct(text: str) -> str:
    # A converted mark is Chinese context for its neighbour (`::“`): repeat to the fixed point.
    previous = None
    while previous != text:
        previous, text = text, _cjk_punct_once(text)
    return text


def _cjk_punct_once(text: str) -> str:
    if not _HALF_WIDTH_PUNCT.search(text) and not _FULL_STOP.search(text):  # fast path: nothing to convert
        return text
    spans = _protected_spans(text)
    changes: dict[int, str] = {}  # index -> full-width mark
    for m in _SIMPLE_PUNCT.finditer(text):
        i = m.start()
        if not _touches(spans, i, i) and _chinese_context(text, i):
            changes[i] = _HALF_TO_FULL[text[i]]
    for m in _FULL_STOP.finditer(text) if "." in text else ():
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not _touches(spans, m.start(), m.start()) and not _NUMBERED.fullmatch(text, line_start, m.start()):
            changes[m.start()] = "。"
    # Without a half-width bracket every pair is `（…）` and stays: skip the scan.
    for m in _PAIR.finditer(text) if "(" in text or ")" in text else ():
        s, e = m.start(), m.end() - 1
        if (text[s] == "（" and text[e] == "）") or _touches(spans, s, e + 1):
            continue
        body = m.group("body")
        if _HAN_RE.search(body) or _is_hanlike(_neighbour(text, s, -1)) or _is_hanlike(_neighbour(text, e, 1)):
            changes[s], changes[e] = "（", "）"
    return _replace_chars(text, changes)


def _replace_chars(text: str, changes: dict[int, str]) -> str:
    """`text` with the character at each index in `changes` replaced."""
    pieces: list[str] = []
    last = 0
    for i in sorted(changes):
        pieces += (text[last:i], changes[i])
        last = i + 1
    pieces.append(text[last:])
    return "".join(pieces)


# --- 6: headings glued into a paragraph -----------------------------------------------------
# Numbered headings of this genre: 一、 / （一） / 第一、 (not 一是/一要, which run inside paragraphs).
_NUM = "[一二三四五六七八九十]{1,3}"
HEADING_START = f"(?:{_NUM}、|[（(]{_NUM}[）)]|第{_NUM}[、，,])"
_GLUED_HEADING = re.compile(f"(?<=[。！？!?]){_HSPACE}+(?={HEADING_START})")
_SPACE_AFTER_END = re.compile(f"[。！？!?]{_HSPACE}")  # what every _GLUED_HEADING match starts after


def fix_heading_breaks(text: str) -> str:
    if not _SPACE_AFTER_END.search(text):  # fast path (this regex skips ahead quickly; the other cannot)
        return text
    return _GLUED_HEADING.sub("\n", text)


# --- 7: spaces between Han characters -------------------------------------------------------
# `[c][c]*` matches what `[c]+` does, but lets the regex engine skip to the run starts quickly.
_SPACE_RUN = re.compile(f"{_HSPACE}{_HSPACE}*")


_WORD_BEFORE = re.compile(r"[A-Za-z0-9.,%]+$")
_WORD_AFTER = re.compile(r"^[A-Za-z0-9.,%]+")


_ASCII_DIGITS = frozenset("0123456789")
# Letter-spaced digits between Han text ("在 全 县 2 0 2 3 年"): a PDF's or a title's spacing, one
# number. Only when every token is one digit and the run touches Han on both sides: a table's
# "10 20" keeps its spaces.
_SPACED_DIGITS_BEFORE = re.compile(rf"[{HANLIKE}]{_HSPACE}?(?:\d{_HSPACE})*\d$")
_SPACED_DIGITS_AFTER = re.compile(rf"^\d(?:{_HSPACE}\d)*{_HSPACE}?[{HANLIKE}]")


# A mask between Han text ("完成 XX 亿元", "XX 同志", "在 ○○ 县", letter-spaced "在 X X 县"): it stands
# for a Han name or number, and the spaces around and inside it are layout, like those between Han
# characters (kept, they hid the mask from the redaction count).
# (Not 〇, which between Han text is more often a year's zero, "二〇二三年", than a mask.)
_MASK_CHARS = MASK_LETTERS + MASK_STARS + "○◯"
_MASK_RUN = rf"[{_MASK_CHARS}](?:{_HSPACE}?[{_MASK_CHARS}]){{0,3}}"
_MASK_TOKEN_BEFORE = re.compile(rf"[{HANLIKE}]{_HSPACE}*{_MASK_RUN}$")
_MASK_TOKEN_AFTER = re.compile(rf"^{_MASK_RUN}{_HSPACE}*[{HANLIKE}]")


def _drop_space(before: str, after: str) -> bool:
    """Decide on a space between the texts `before` and `after` (each non-empty)."""
    left, right = before[-1], after[0]
    if _is_hanlike(left) and _is_hanlike(right):
        return True
    if _is_hanlike(left) and _MASK_TOKEN_AFTER.match(after):
        return True
    if _is_hanlike(right) and _MASK_TOKEN_BEFORE.search(before):
        return True
    if left in _MASK_CHARS and right in _MASK_CHARS:  # inside a letter-spaced mask between Han
        return bool(_MASK_TOKEN_BEFORE.search(before) and _MASK_TOKEN_AFTER.match(after))
    if left in _ASCII_DIGITS and right in _ASCII_DIGITS:
        return bool(_SPACED_DIGITS_BEFORE.search(before) and _SPACED_DIGITS_AFTER.match(after))
    # Han next to a number: `共 40 多项`, `2024 年` are layout, never meaning, in this genre.
    # A token with letters (`5G`, `Windows10`) is a word, and keeps its spaces.
    # ASCII digits only (what the word patterns match): `٣` or `²` is not a number of this genre.
    if _is_hanlike(left) and right in _ASCII_DIGITS:
        return not re.search(r"[A-Za-z]", _WORD_AFTER.match(after).group(0))
    if left in _ASCII_DIGITS and _is_hanlike(right):
        return not re.search(r"[A-Za-z]", _WORD_BEFORE.search(before).group(0))
    return False


def fix_han_spaces(text: str) -> str:
    spans: list[tuple[int, int]] | None = None  # computed on the first inner space run only

    def _repl(m: re.Match[str]) -> str:
        nonlocal spans
        s, e = m.start(), m.end()
        if s == 0 or e == len(text):
            return m.group(0)
        if spans is None:
            spans = _protected_spans(text)
        if _touches(spans, s, e):
            return m.group(0)
        return "" if _drop_space(text[max(0, s - 40) : s], text[e : e + 40]) else m.group(0)

    return _SPACE_RUN.sub(_repl, text)


# --- 8: whitespace ------------------------------------------------------------------------------
_BLANK_LINES = re.compile(r"\n\n\n+")  # `\n{3,}`, written so that the engine scans for its first "\n"
def fix_whitespace(text: str) -> str:
    lines = [ln.strip(" \t\u3000\u00a0\r\f\v") for ln in text.split("\n")]
    text = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", text).strip("\n")


# --- 9: hard line breaks inside sentences ------------------------------------------------------
# A line ending with one of these ends a sentence, a clause introducing a list, or a bracket note.
_TERMINAL = "。！？!?；;：:…）)」』】〕."
# Shorter lines without final punctuation are titles, signatures, dates, not wrapped prose.
MIN_WRAPPED_LINE = 16
_HEADING_RE = re.compile(HEADING_START)
# A heading, a subtitle, a salutation ("各位代表：", "尊敬的…"), a list mark or a label of a meeting's
# block ("地点：", "主持：") opens a new block.
_STARTS_BLOCK = re.compile(rf"{HEADING_START}|——|同志们|同志們|各位|尊敬的|[#*\-•]|[\u4e00-\u9fff]{{2,4}}[:：]")
_ENDS_URL = re.compile(r"(?:https?://|www\.)\S+$")
_INNER_PUNCT = re.compile(r"[，,、；;]")
# A line ending as a speech's title does, or a file's name ("…讲话.docx"), is whole.
_TITLE_ENDINGS = ("讲话", "講話", "报告", "報告", "致辞", "致辭", "发言", "發言", "讲稿", "講稿", "主持词", "主持詞",
                  ".doc", ".docx", ".pdf", ".txt")
# A speaker's line ("县委副书记、县长陈志刚", "区长　XXX") or a bracketed date opens a block: the
# line above it (a title, a page's upload row) does not run on into it.
SPEAKER_LINE = re.compile(
    r"[^，。；！？,;!?：:]{0,20}(?:书记|書記|县长|縣長|区长|區長|市长|市長|旗长|旗長|州长|州長|盟长|盟長|镇长|鎮長|乡长|鄉長|主任|主席)"
    r"\s*[^\s，。；！？,;!?]{0,12}$"
)
MAX_SPEAKER_LINE = 40  # (a line longer than this is prose, whatever it ends with)
_BRACKETED_YEAR = re.compile(r"[（(]\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年")
_SENTENCE_MARK = re.compile(r"[，,；;。！？!?]")
_CONTINUES = "，,、；;。：:）)」』”"
# Cells of a page's rows of links or counters, or of a breadcrumb, are set apart by runs of spaces,
# bars or '>', never prose.
_CELL_MARK = re.compile(r"[|｜>＞»›\u3000\t]")  # (a class alone: the engine scans for it quickly)


def _joinable(a: str, b: str) -> bool:
    if not a or not b or a[-1] in _TERMINAL or _ENDS_URL.search(a):
        return False
    # (A subtitle line, "——2024年1月18日在…会议上", is whole: the speaker's line under it is not its end.)
    if _HEADING_RE.match(a) or a.startswith("——") or _STARTS_BLOCK.match(b):
        return False
    # A short line with a comma inside is prose cut by a narrow layout, not a title or signature.
    if not (len(a) >= MIN_WRAPPED_LINE or _INNER_PUNCT.search(a)):
        return False
    # (Not a wrapped sentence: "…作了表态发言" / "，讲得都很好" holds commas, or its next line opens with one.)
    if a.endswith(_TITLE_ENDINGS) and b[0] not in _CONTINUES and not _SENTENCE_MARK.search(a):
        return False
    if "  " in a or _CELL_MARK.search(a):
        return False
    if b[0] in "（(":
        return not _BRACKETED_YEAR.match(b)
    # (a wrapped line's rest holds a comma or a full stop, a speaker's line never: checked first, it is quicker)
    return not (len(b) <= MAX_SPEAKER_LINE and not _SENTENCE_MARK.search(b) and SPEAKER_LINE.match(b))


def fix_line_joins(text: str) -> str:
    out: list[str] = []
    joined = False
    for line in text.split("\n"):
        if out and _joinable(out[-1], line):
            # A space between two ASCII words, unless `han_spaces` would drop it (letter-spaced digits
            # between Han, "“0\n0“"): then a second pass would change the text.
            ascii_words = out[-1][-1].isascii() and out[-1][-1].isalnum() and line[0].isascii()
            glue = " " if ascii_words and not _drop_space(out[-1][-40:], line[:40]) else ""
            out[-1] = out[-1] + glue + line
            joined = True
        else:
            out.append(line)
    # A join can put Han text on both sides of a space `han_spaces` kept at a line's edge ("，X" +
    # "X 要" is "，XX 要"): it goes now, or normalizing the result again would change it.
    return fix_han_spaces("\n".join(out)) if joined else text


FIXES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("nfc", fix_nfc),
    ("fullwidth_ascii", fix_fullwidth_ascii),
    ("pinyin_glosses", fix_pinyin_glosses),
    ("markdown", fix_markdown),
    ("cjk_punct", fix_cjk_punct),
    ("heading_breaks", fix_heading_breaks),
    ("han_spaces", fix_han_spaces),
    ("whitespace", fix_whitespace),
    ("line_joins", fix_line_joins),
)


# Characters without which a fix returns its input unchanged (each fix's own fast path, or what
# its patterns must match); a text holding none of them skips the fix. All in the BMP.
TRIGGERS: dict[str, str] = {
    "fullwidth_ascii": "".join(map(chr, [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)])),
    "pinyin_glosses": _TONED,
    "markdown": _MD_MARK_CHARS,
    "cjk_punct": ",:;!?().",
    "heading_breaks": " \t\u3000\u00a0",
    "han_spaces": " \t\u3000\u00a0",
}
# Below this length the fixes' own scans cost less than the numpy pass that spares them.
MIN_TRIGGER_SCAN = 256


@functools.cache
def _trigger_table() -> tuple[np.ndarray, dict[str, int]]:
    """(per UTF-16 code unit, the bits of the fixes it may trigger; fix name -> its bit)."""
    table = np.zeros(0x10000, dtype=np.uint8)
    bits = {name: 1 << i for i, name in enumerate(TRIGGERS)}
    for name, chars in TRIGGERS.items():
        table[[ord(ch) for ch in chars]] |= bits[name]
    return table, bits


def _triggered(text: str) -> int:
    """The bits (`_trigger_table`) of the fixes whose trigger characters `text` holds, in one pass."""
    table, _ = _trigger_table()
    units = utf16_units(text)
    return int(np.bitwise_or.reduce(table[units])) if units.size else 0


def normalize(text: str) -> tuple[str, tuple[str, ...]]:
    """Apply every fix in order; return the text and the names of the fixes that changed it."""
    fired: list[str] = []
    bits = _trigger_table()[1]
    triggered: int | None = None  # of the current text, once it is long enough to pay for the pass
    for name, fix in FIXES:
        bit = bits.get(name)
        if bit is not None and len(text) >= MIN_TRIGGER_SCAN:
            if triggered is None:
                triggered = _triggered(text)
            if not triggered & bit:
                continue  # the fix cannot change this text
        fixed = fix(text)
        if fixed != text:
            fired.append(name)
            text = fixed
            triggered = None
    return text, tuple(fired)


# What the fixes of `plain_view` act on besides non-NFC text: full-width letters and digits, the
# tone marks without which `fix_pinyin_glosses` changes nothing (brackets are common, tone marks
# are not), and the spaces `fix_han_spaces` may drop. One character class, scanned for quickly.
_PLAIN_VIEW_TOUCHES = re.compile(rf"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a{_TONED}{_HSPACE[1:-1]}]")


@functools.lru_cache(maxsize=16384)
def plain_view(line: str) -> str:
    """A line as boilerplate rules should see it: glosses and Han spaces gone, ASCII folded.

    Used by the clean stage to match patterns on text that still has conversion glosses
    (`發(fā)布時間`) or wrap spaces (`下载后 查看`).
    """
    if unicodedata.is_normalized("NFC", line) and not _PLAIN_VIEW_TOUCHES.search(line):
        return line  # fast path: every fix below would return the line unchanged
    for fix in (fix_nfc, fix_fullwidth_ascii, fix_pinyin_glosses, fix_han_spaces):
        line = fix(line)
    return line
