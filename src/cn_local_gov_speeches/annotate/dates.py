"""Date extraction: when the speech was delivered (`date`) and when it was published.

Rules (precision over recall):

* `date` rests only on delivery phrases near the title:
  - a bracketed date on its own line under the title, or inside the title: "（2024年3月8日）"
    ("（2024年3月8日—9日）" gives the month, "（2024年3月30日至4月1日）" the year);
  - a meeting block's time, "时间：2024年3月8日" with "地点：…" (without the place, a "时间：" line
    may be a posting stamp);
  - a date followed by the place of delivery: "——2023年2月2日在…会议上", "2024年3月8日在…";
  - a meeting year in the title: "在2021年区政府全体会议上的讲话", "在县政府2024年第一次全体会议上"
    or opening the title before the unit's voice ("2023年全县教育工作会议讲话稿") (year precision),
    refused when the title names two years, a review period ("2023年度"), a meeting that reviews
    the year ("2023年全县总结表彰大会", held in the next one) or the year of a report, budget or
    plan under discussion ("在2020年政府工作报告起草座谈会上");
  - a date inside the title's "在…会议上": "在2023年3月8日全县…表彰大会上的讲话".
  Candidates that disagree make the date "ambiguous"; a coarser one that contains a finer one agrees,
  and a title year names the year a meeting plans when its printed date is in the December before
  ("在2023年全县经济工作会议上的讲话", "（2022年12月28日）": the printed date).
* Years in the body ("2019年工作", "十四五") and posting stamps are never the speech date.
* `published_date` comes from posting stamps ("发布时间", "公开日期", "成文日期", ...) in the furniture,
  the removed boilerplate (also one that opens with its date, "2023-03-25 10:20 来源：…") or the top
  lines, or from a bare date line in the furniture (bulletin header).
* Masked dates (×月×日, 20XX年, X月X日) in a delivery position give status "masked" and no value.
* Dates are validated against the calendar (no 2月30日); month and year precision use the 1st.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..hanchars import CN_YEAR_DIGITS, MASK_LETTERS, MASK_SQUARES, MASK_STARS
from ..normalize import MAX_SPEAKER_LINE, SPEAKER_LINE
from .paragraphs import before_salutation, first_paragraphs, last_paragraphs

YEAR_RANGE = (1949, 2099)  # a speech of the PRC's local governments
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH_DIGIT = re.compile("[０-９]")


def _ascii_digits(text: str) -> str:
    """`text.translate(_FULLWIDTH)`: a quick scan first, since a dict translation costs ~30 ns per
    character and almost no text has a full-width digit."""
    return text.translate(_FULLWIDTH) if _FULLWIDTH_DIGIT.search(text) else text

_Y = rf"(?P<y>\d{{4}}|[{CN_YEAR_DIGITS}]{{4}})\s*年"
_M = r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九元])\s*月"  # (元月: January)
_D = r"(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号]"
# Year, optional month, optional day; month/day only with their year (a bare "3月8日" has no year).
CN_DATE_RE = re.compile(rf"{_Y}(?:\s*{_M}(?:\s*{_D})?)?")
# (full-width separators too: "２０２３－０４－０３" once its digits are ASCII)
ISO_DATE_RE = re.compile(r"(?<!\d)(?P<y>\d{4})\s*[-./／－．]\s*(?P<m>\d{1,2})\s*[-./／－．]\s*(?P<d>\d{1,2})(?!\d)")
_MASK_CHARS = re.escape(MASK_LETTERS + MASK_STARS + MASK_SQUARES)
MASK = f"[{_MASK_CHARS}]"
MASK_CHAR_RE = re.compile(MASK)
_MD = rf"[\d{_MASK_CHARS}〇○零一二三四五六七八九十]"
# A date-shaped span (year, month, day parts) in which some digits are masked: 20××年×月×日, X月X日.
MASKED_DATE_RE = re.compile(
    rf"(?=[^，。\n]{{0,12}}{MASK})(?:{_MD}{{2,4}}\s*年)?(?:\s*{_MD}{{1,2}}\s*月)?(?:\s*{_MD}{{1,3}}\s*[日号])?"
)
STAMP_LABEL_RE = re.compile(
    r"(?:发布时间|发布日期|发布于|公开日期|成文日期|印发日期|发文日期|更新时间|更新日期|上传时间|分享于|分享於|上传于|上傳於"
    # (not a forum member's "注册时间 2006-11-2" or "最后登录时间")
    r"|(?<!注册)(?<!註冊)(?<!登录)(?<!登錄)(?:时间|時間)|日期)"
    r"\s*[:：]?\s*"
)
POSTING_LABEL_RE = re.compile(r"(?:发布时间|发布日期|发布于|公开日期|成文日期|印发日期|发文日期)\s*[:：]?\s*")
# The labels of the day a page went up, preferred to a disclosure table's 成文日期 (the day the
# document was signed) when a page gives both.
PUBLISHED_LABEL_RE = re.compile(r"(?:发布时间|发布日期|发布于|公开日期)\s*[:：]?\s*")
# A year followed by these is a review or plan period, the year of a report, budget or plan the
# meeting is about ('在2020年政府工作报告起草座谈会上', held in late 2019), or the new year a
# reception greets, not the meeting's year.
PERIOD_AFTER_YEAR_RE = re.compile(
    r"^(?:度|工作总结|总结|上半年|下半年|第?[一二三四]季度|前三季度|全年|1\s*[-—–~至到]\s*12\s*月|一至十二月|工作部署|工作计划|工作要点"
    r"|[县区市州旗省]?(?:人民)?政府工作报告|工作报告|(?:财政)?预算|决算|(?:国民经济和社会发展)?计划(?!生育)|规划"
    # A New Year's event names the year it greets, and is often held in the last days of the one before.
    r"|元旦|新年|新春)"
)
# ... but a review of a period that ends before December ('2024年一季度经济运行分析会',
# '2023年上半年工作总结会', '1-11月') is held right after it, in the same year.
WITHIN_YEAR_REVIEW_RE = re.compile(
    r"^(?:第?[一二三]季度|前三季度|上半年|1\s*[-—–~至到]\s*(?:[2-9]|1[01])\s*月份?|一至(?:[二三四五六七八九]|十一?)月份?)"
    r"(?:全[县区市州旗])?(?:经济运行|经济形势|经济|工作|重点工作|项目建设)?(?:情况)?(?:分析|总结|讲评|点评)"
)
# A meeting that reviews the year it names ('在2023年全县总结表彰大会上') is often held in the next one.
REVIEW_MEETING_RE = re.compile(r"总结|表彰|考核|述职|评议|年终")
# A body that plans the next year ('部署明年经济工作', '明年是…之年') is a year-end speech: the year of
# its title's meeting ('在2024年全县经济工作会议上') may be the year held or the year it plans.
YEAR_END_BODY_RE = re.compile(
    r"(?:部署|安排|谋划|筹划|研究)(?:好|一下)?明年|明年(?:是|的?(?:经济|各项|重点|主要)?工作|的?(?:主要|发展)?目标|的?总体要求)"
)
_NTH = r"第[一二三四五六七八九十\d]+次"
# A year right before these names the meeting itself ('2024年第一次全体会议', '2021年区政府全体会').
MEETING_YEAR_RE = re.compile(rf"^(?:{_NTH}|[县区市州旗省]?(?:人民)?政府(?:{_NTH})?全体)")
# What follows a date inside '在…会议上' in a title: the meeting ('在2023年3月8日全县…表彰大会上').
MEETING_AFTER_DATE_RE = re.compile(r"[^，。；！？,;!?]{2,60}?(?:会议?|大会|论坛|仪式|典礼)上(?:的|$)")
# A title opening with a year, then the speaker's unit: '2023年全县教育工作会议讲话稿'.
UNIT_VOICE_RE = re.compile(r"全[县区市州旗盟镇乡]|[县区市州旗](?:委|人民政府|政府)")
# The whole rest of a delivery line: '在全县经济工作会议上(的讲话)' - not a sentence about another meeting.
DELIVERY_TAIL_RE = re.compile(
    r"\s*[，,]?\s*(?:在|于)[^，。；！？,;!?]{2,60}?(?:会议?|大会|论坛|仪式|典礼|会上)\s*(?:上)?"
    r"(?:的(?:讲话|发言|报告|致辞|主持词|讲话提纲))?\s*[)）]?\s*"
)
MEETING_RE = re.compile(r"会|讲话|致辞|报告|发言")


@dataclass(frozen=True, slots=True)
class DateResult:
    date: dt.date | None = None
    precision: str | None = None  # day / month / year
    status: str = "absent"  # stated / masked / ambiguous / absent
    evidence: str | None = None
    published_date: dt.date | None = None
    published_evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    date: dt.date
    precision: str
    evidence: str


def cn_number(text: str) -> int | None:
    """'2024', '二〇二四', '十二', '二十九', '三十一' -> int; None when not a number."""
    text = _ascii_digits(text).strip()
    if text.isdigit():
        return int(text)
    if text == "元":  # 元月
        return 1
    if "十" in text:
        tens, _, units = text.partition("十")
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        u = _CN_DIGITS.get(units, -1) if units else 0
        return None if t < 0 or u < 0 else t * 10 + u
    digits = [_CN_DIGITS.get(c) for c in text]
    if not digits or None in digits:
        return None
    return int("".join(str(d) for d in digits))


def make_date(y: str, m: str | None, d: str | None) -> Found | None:
    """Validated date with its precision; None for impossible dates (2月30日, 13月, year 1066)."""
    year, month, day = cn_number(y), cn_number(m) if m else None, cn_number(d) if d else None
    if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return None
    try:
        if month is None:
            return Found(dt.date(year, 1, 1), "year", "")
        if day is None:
            return Found(dt.date(year, month, 1), "month", "")
        return Found(dt.date(year, month, day), "day", "")
    except (ValueError, TypeError):
        return None


def parse_date_at(text: str, pos: int = 0) -> tuple[Found | None, int]:
    """A date starting exactly at `pos` (Chinese or ISO-like form) and where it ends."""
    text = _ascii_digits(text)
    for regex in (ISO_DATE_RE, CN_DATE_RE):
        m = regex.match(text, pos)
        if m:
            found = make_date(m.group("y"), m.group("m"), m.groupdict().get("d"))
            return found, m.end()
    return None, pos


def masked_date_end(text: str) -> int:
    """End of a masked date at the start of `text` (0 when there is none)."""
    m = MASKED_DATE_RE.match(text)
    return m.end() if m and MASK_CHAR_RE.search(m.group(0)) and re.search("[年月日号]", m.group(0)) else 0


# The masked rest of a date whose year (and month) are shown: '2023年7月××日', '2022年x月x日'.
_MASKED_REST_RE = re.compile(rf"(?:\s*{MASK}{{1,2}}\s*月)?\s*{MASK}{{1,3}}\s*[日号]")


# A lunar date after a year: '2010年正月初八'. The first lunar month falls in January or February of the same
# year, so the year stands; the twelfth (腊月) may fall in the next year's January.
_N9 = "[一二三四五六七八九]"
_LUNAR_DAY = rf"(?:初[一二三四五六七八九十]|[二廿]十?{_N9}|[二三]十|十{_N9}?|{_N9})"  # longest first
_FIRST_LUNAR_MONTH_RE = re.compile(rf"\s*正月{_LUNAR_DAY}?")


def shown_part(text: str, found: Found | None, end: int) -> int:
    """Where a date parsed up to `end` ends when its day (or month and day) is masked after it:
    the year, or year and month, still stand ('（2023年7月××日）' is July 2023). `end` otherwise."""
    if found is not None and found.precision == "year" and (m := _FIRST_LUNAR_MONTH_RE.match(text, end)):
        return m.end()
    if found is not None and found.precision != "day" and (m := _MASKED_REST_RE.match(text, end)):
        if found.precision == "month" and re.match(rf"\s*{MASK}{{1,2}}\s*月", text[end:]):
            return end  # a second month: not this date's rest
        return m.end()
    return end


def with_evidence(found: Found, evidence: str) -> Found:
    return Found(found.date, found.precision, evidence.strip()[:80])


# ---------------------------------------------------------------- delivery date


# The rest of a multi-day meeting's dates after its first day or month: '2023年3月8日至9日', '3月8-9日';
# or after its first day, into the next month: '3月30日至4月1日'.
_DAY_NUM = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_MONTH_NUM = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DAY_RANGE_RE = re.compile(rf"(?:{_DAY_NUM}\s*[日号]?)?\s*[-—–~～至到]\s*{_DAY_NUM}\s*[日号]")
_MONTHS_RANGE_RE = re.compile(rf"\s*[-—–~～至到]\s*{_MONTH_NUM}\s*月\s*{_DAY_NUM}\s*[日号]")


def _day_range(inner: str, found: Found, end: int) -> tuple[Found, int]:
    """A date that a day range continues is known to the month ('2023年3月8-9日'), or to the year
    when the range runs into another month ('2023年3月30日至4月1日')."""
    text = _ascii_digits(inner)
    if found.precision in ("day", "month") and (m := _DAY_RANGE_RE.match(text, end)):
        return Found(found.date.replace(day=1), "month", found.evidence), m.end()
    if found.precision == "day" and (m := _MONTHS_RANGE_RE.match(text, end)):
        return Found(found.date.replace(month=1, day=1), "year", found.evidence), m.end()
    return found, end


# What may follow a day in a delivery line: the time of day or the weekday ('2023年3月8日上午', '…日星期三').
DAY_PART_RE = re.compile(r"(?:\s*(?:上午|下午|晚上|晚|早上|中午|凌晨|星期[一二三四五六日天]|周[一二三四五六日]))*")


def bracket_date(line: str) -> tuple[Found | None, bool]:
    """'（2024年3月8日）' (optionally followed by '，在…'): (date, masked). A meeting's days
    ('（2023年3月8日—9日）') give the month."""
    for m in re.finditer(r"[（(〔【\[]\s*", line):
        close = re.search(r"[）)〕】\]]", line[m.end():])
        if not close:
            continue
        inner = line[m.end():m.end() + close.start()].strip()
        found, end = parse_date_at(inner)
        if found:
            found, end = _day_range(inner, found, end)
            end = shown_part(_ascii_digits(inner), found, end)
        if found and found.precision == "day":
            end = DAY_PART_RE.match(inner, end).end()  # type: ignore[union-attr]
        if found and (end == len(inner) or inner[end] in "，,、 在于"):
            return with_evidence(found, line[m.start():m.end() + close.end()]), False
        if masked_date_end(inner) and len(inner) <= 20:
            return None, True
    return None, False


def delivery_phrase_date(line: str) -> tuple[Found | None, bool]:
    """'——2023年2月2日在…会议上' or a line starting with a date followed by '在'."""
    text = re.sub(r"^[—–\-－~～\s]+", "", line.strip())
    found, end = parse_date_at(text)
    end = shown_part(_ascii_digits(text), found, end)
    if found and DELIVERY_TAIL_RE.fullmatch(text[end:]):
        return with_evidence(found, line), False
    end = masked_date_end(text)
    return None, bool(end and DELIVERY_TAIL_RE.fullmatch(text[end:]))


def _year_matches(text: str) -> list[tuple[re.Match[str], int]]:
    """Each valid year `text` (ASCII digits) names, '2021年' or '二〇二一年', with its match."""
    return [(m, found.date.year) for m in CN_DATE_RE.finditer(text)
            if (found := make_date(m.group("y"), None, None)) is not None]


def title_years(title: str) -> set[int]:
    """The valid years a title names."""
    return {year for _, year in _year_matches(_ascii_digits(title))}


# A title that is the report itself: "（秦安县）2015年政府工作报告", not a meeting about one.
_OWN_REPORT_RE = re.compile(r"(?:[县区市州旗]?(?:人民)?政府)?工作报告\s*$")
_REPORT_UNIT_RE = re.compile(r"\s*(?:[\u4e00-\u9fff]{2,12}[县区市旗州盟])?\s*")


def title_year(title: str) -> tuple[Found | None, bool]:
    """'在2021年区政府全体会议上的讲话': the meeting's year (one year only, not a review period)."""
    text = _ascii_digits(title)
    matches = _year_matches(text)
    masked = bool(re.search(rf"(?:\d{{2}}|[一二][〇○])?{MASK}{{1,4}}\s*年", text))
    years = {year for _, year in matches}
    if len(years) != 1 or not MEETING_RE.search(text):
        return None, masked and not years
    m = matches[0][0]
    held_at = 0 <= text.find("在") < m.start()
    if m.group("m"):  # a full date in the title: '…日在…会议上', or '在2023年3月8日…大会上的讲话'
        if held_at:
            found, end = _day_range(text, make_date(m.group("y"), m.group("m"), m.group("d")), m.end())
            if found and MEETING_AFTER_DATE_RE.match(text, end):
                return with_evidence(found, title), False
        return delivery_phrase_date(text[m.start():])[0], False
    after = text[m.end():]
    if _OWN_REPORT_RE.match(after) and _REPORT_UNIT_RE.fullmatch(text[:m.start()]):
        # The report itself, "2015年政府工作报告" (a unit's name may come first): read at that year's session.
        return with_evidence(make_date(m.group("y"), None, None), title), False  # type: ignore[arg-type]
    reviews_another_year = PERIOD_AFTER_YEAR_RE.match(after) or REVIEW_MEETING_RE.search(after)
    if reviews_another_year and not WITHIN_YEAR_REVIEW_RE.match(after):
        return None, False
    # '在…2021年…会议上', '县政府2024年第一次全体会议' or '2023年全县教育工作会议讲话稿': the
    # meeting carries that year.
    opens = not text[:m.start()].strip() and (UNIT_VOICE_RE.match(after) or after.startswith("在"))
    if not (held_at or opens or MEETING_YEAR_RE.match(after)):
        return None, False
    return with_evidence(make_date(m.group("y"), None, None), title), False  # type: ignore[arg-type]


# A line of a list of links with their dates: "在全县农村工作会议上的讲话　　[2010-02-24]".
_LISTED_DATE_RE = re.compile(r"\S\s*[\[【(（]\s*\d{4}-\d{1,2}-\d{1,2}\s*[\]】)）]\s*$")


def top_lines(title: str | None, body: str) -> list[str]:
    """The title and the first three short paragraphs: where a delivery date is printed. (Not on a
    page that opens with a list of dated links, a column's index: each date is its link's.)"""
    paras = [p for p in first_paragraphs(body, 3) if len(p) <= 80]
    if any(_LISTED_DATE_RE.search(p) for p in paras) and \
            sum(1 for p in first_paragraphs(body, 6) if _LISTED_DATE_RE.search(p)) >= 2:
        paras = [p for p in paras if not _LISTED_DATE_RE.search(p)]
    return ([title] if title else []) + paras


def furniture_date_lines(furniture: tuple[str, ...]) -> list[str]:
    """Furniture lines that may date the delivery: the cleaner sets the '（2024年3月8日）' line and the
    '——2008年1月15日在…会议上' subtitle printed under a title apart from the body."""
    bracketed = re.compile(r"\s*[（(〔【\[][^（()）〔〕【】\[\]]{4,30}[）)〕】\]]\s*")
    return [ln for ln in furniture if bracketed.fullmatch(ln) or re.match(r"\s*[—–－]", ln)]


_MEETING_TIME_RE = re.compile(r"\s*(?:会议)?(?:时间|日期)\s*[:：]\s*")
_MEETING_PLACE_RE = re.compile(r"\s*(?:会议)?地点\s*[:：]")


def meeting_time(lines: list[str]) -> Found | None:
    """'时间：2023年3月8日' with '地点：县政府三楼会议室' (at the top of a speech, or set apart by the
    cleaner as a stamp and as furniture): its meeting's own date (a day at least; a time of day may
    follow). Without the place line a '时间：' line may be a page's posting stamp, never the speech's date."""
    if not any(_MEETING_PLACE_RE.match(line) for line in lines):
        return None
    for line in lines:
        if m := _MEETING_TIME_RE.match(line):
            found, _ = parse_date_at(line, m.end())
            if found and found.precision == "day":
                return with_evidence(found, line)
    return None


def date_under_title(line: str) -> Found | None:
    """A line under the title (between it and the body) that is only a date written out in 年月日,
    '2023年4月12日' or '二〇二三年四月': the delivery date, as the bracketed form is. (A date in
    dashes or dots there, '2023-04-12', is as likely a page's posting date.)"""
    text = _ascii_digits(line.strip())
    found, end = parse_date_at(text)
    if found and found.precision == "day":
        end = DAY_PART_RE.match(text, end).end()  # type: ignore[union-attr]
    if found and found.precision != "year" and "年" in text and not text[end:].strip():
        return with_evidence(found, line.strip())
    return None


# A date in digits with dots, slashes or dashes, alone on its line (bracketed or not): '2023.11.20'.
_NUMERIC_DATE_LINE_RE = re.compile(r"[（(]?\s*(\d{4})\s*([./\-])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*[)）]?")


def numeric_date_by_speaker(under_title: tuple[str, ...]) -> Found | None:
    """'2023.11.20' (or 2024/03/08, 2023-09-14) under the title, on the line next to the speaker's
    ('区长 陈立新'): the delivery date, set with the speaker's name as the 年月日 form is. Alone, a date
    in digits there is as likely the page's posting date (see `date_under_title`)."""
    for i, line in enumerate(under_title):
        m = _NUMERIC_DATE_LINE_RE.fullmatch(_ascii_digits(line.strip()))
        if m is None:
            continue
        beside = under_title[max(0, i - 1):i] + under_title[i + 1:i + 2]
        if any(len(b) <= MAX_SPEAKER_LINE and SPEAKER_LINE.fullmatch(b.strip()) for b in beside):
            found = make_date(m.group(1), m.group(3), m.group(4))
            return with_evidence(found, line) if found else None
    return None


# A news lead opening the page: '2023年3月6日，旗政府召开第二次全体会议…旗长出席会议并讲话。' or
# '…会议于2023年1月5日至6日召开': the meeting's day, when the lead says someone spoke there.
_HELD_WORDS = ("召开", "举行", "举办", "开幕")
_HELD = "|".join(_HELD_WORDS)
_LEAD_HELD_RE = re.compile(rf"[^。！？]{{0,60}}?(?:{_HELD})")
_LEAD_SPOKE_RE = re.compile(r"讲话|致辞|发言|作报告|作了报告")
# What may open a lead before its date: an editor's note, or a paper's dateline ("本报讯（记者 X）", "中国江西网讯").
_EDITORS_NOTE_RE = re.compile(
    r"^\s*(?:[【\[]?\s*(?:编者按|編者按|编者的话)\s*[】\]]?\s*[:：]?|[^，。！？\d]{0,12}?讯(?:\s*[（(][^（）()]{0,20}[）)])?)\s*"
)
_LEAD_AT_RE = re.compile(r"于\s*(?=\d{4}\s*年|[〇○零一二]{4}\s*年)")
# After a lead's day: its weekday in brackets and the hour ('2024年1月15日（星期一）上午9时，').
_LEAD_CLOCK_RE = re.compile(
    r"\s*(?:[（(]\s*(?:星期|周)[一二三四五六日天]\s*[）)])?\s*(?:上午|下午|晚上)?\s*(?:\d{1,2}\s*[时点](?:\d{1,2}\s*分|半)?)?"
)


# A lead's day without its year, the year in the meeting's name: '1月5日上午，邵东市2023年全市经济工作会议召开'.
_LEAD_MONTH_DAY_RE = re.compile(rf"(?P<m>{_MONTH_NUM})\s*月\s*(?P<d>{_DAY_NUM})\s*[日号]")


def _lead_day_of_named_year(first: str) -> Found | None:
    """The day of a lead that opens with month and day only, when its sentence names one meeting's year
    (not a year-end or review meeting, which may be held in the year after; not in December, when the
    meeting named may be next year's)."""
    m = _LEAD_MONTH_DAY_RE.match(first)
    if m is None:
        return None
    rest = first[_LEAD_CLOCK_RE.match(first, DAY_PART_RE.match(first, m.end()).end()).end():]  # type: ignore[union-attr]
    if not rest.startswith(("，", ",")):
        return None
    # (the clause that holds the meeting: a later one may name the year it reviews, "总结2022年…工作")
    clause = re.split(r"[，,；;]", rest[1:], maxsplit=1)[0]
    years = _year_matches(clause)
    if len({year for _, year in years}) != 1:
        return None
    after = clause[years[0][0].end():]
    if PERIOD_AFTER_YEAR_RE.match(after) or REVIEW_MEETING_RE.search(after) or not re.search(r"会议?|大会", after):
        return None
    found = make_date(str(years[0][1]), m.group("m"), m.group("d"))
    if found is None or found.date.month == 12:
        return None
    return with_evidence(found, first[:m.end()] + "…" + years[0][0].group(0))


def lead_date(paragraph: str) -> Found | None:
    """The date of a news lead (see above): at the paragraph's start, or after '于' in its first
    sentence, with the meeting held (召开/举行) in that sentence and a speech named in the paragraph."""
    if not any(word in paragraph for word in _HELD_WORDS):  # (most paragraphs: quicker than the regexes)
        return None
    text = _EDITORS_NOTE_RE.sub("", _ascii_digits(paragraph), count=1)
    first = re.split(r"[。！？]", text, maxsplit=1)[0]
    if not _LEAD_SPOKE_RE.search(text) or not re.search(_HELD, first):
        return None
    if (named := _lead_day_of_named_year(first)) is not None:
        return named
    starts = [0] + [m.end() for m in _LEAD_AT_RE.finditer(first)]
    for start in starts:
        found, end = parse_date_at(first, start)
        if found is None or found.precision == "year":
            continue
        found, end = _day_range(first, found, end)
        if found.precision == "day":
            end = _LEAD_CLOCK_RE.match(first, DAY_PART_RE.match(first, end).end()).end()  # type: ignore[union-attr]
        rest = first[end:]
        at_start = start == 0 and rest[:1] in "，, "
        if (at_start and _LEAD_HELD_RE.match(rest)) or (start and re.match(rf"\s*(?:{_HELD})", rest)):
            return with_evidence(found, first[max(0, start - 8):end + 12])
    return None


# A note on the text at its end: '（本文系XX县人民政府县长在2023年6月8日全县…推进会上的讲话，有删节）'.
_TEXT_NOTE_RE = re.compile(
    r"[（(]\s*(?:本文|此文|该文)(?:系|为|是)[^（）()]{0,40}?在\s*(?=\d{4}\s*年|[〇○零一二]{4}\s*年)"
)


# A report's adoption note under its title: '（2024年1月18日县第十八届人民代表大会第四次会议通过）'.
_ADOPTED_RE = re.compile(r"[（(]\s*(?P<date>[^（）()]{6,16}?日)\s*[^（）()]{2,40}?(?:会议|大会)(?:审议)?通过\s*[)）]")


def adoption_date(line: str) -> Found | None:
    """The month of a report's adoption note (see above): a session adopts its reports a few days after
    they were delivered, so the day is not the delivery's; from the 8th on the month is (sessions last
    under a week), before it only the year."""
    m = _ADOPTED_RE.search(_ascii_digits(line)) if "通过" in line else None
    found = parse_date_at(m.group("date"))[0] if m else None
    if found is None or found.precision != "day":
        return None
    if found.date.day >= 8:
        return Found(found.date.replace(day=1), "month", m.group(0))  # type: ignore[union-attr]
    return Found(found.date.replace(month=1, day=1), "year", m.group(0))  # type: ignore[union-attr]


def text_note_date(paragraph: str) -> Found | None:
    """The delivery date a closing note on the text gives ('…在2023年6月8日全县…会上的讲话）')."""
    text = _ascii_digits(paragraph.strip())
    if not (m := _TEXT_NOTE_RE.match(text)):
        return None
    found, end = parse_date_at(text, m.end())
    if found is None or found.precision == "year":
        return None
    found, end = _day_range(text, found, end)
    return with_evidence(found, text[:end + 20]) if MEETING_AFTER_DATE_RE.match(text, end) else None


def delivery_candidates(title: str | None, body: str, furniture: tuple[str, ...] = (),
                        under_title: tuple[str, ...] = (), closing: tuple[str, ...] = (),
                        above_title: tuple[str, ...] = ()) -> tuple[list[Found], bool]:
    found: list[Found] = []
    masked = False
    for line in top_lines(title, body) + furniture_date_lines(furniture):
        for rule in (bracket_date, delivery_phrase_date):
            date, is_masked = rule(line)
            masked |= is_masked
            if date:
                found.append(date)
    for line in under_title:  # a date line; or a speaker's ending with the date: "区长 陈建华 （2023年12月28日）"
        date = date_under_title(line) or (bracket_date(line)[0] if "（" in line or "(" in line else None)
        if date:
            found.append(date)
    if not found and (date := numeric_date_by_speaker(under_title)):
        found.append(date)
    # A date line right after the speech's last line, written out in 年月日 as under a title ('二〇二三年二月十四日'
    # under '谢谢大家！', or its month): when it was given, as a signature dates a document.
    found += filter(None, map(date_under_title, closing[:1]))
    if body.rstrip().endswith(("）", ")")):  # (a note on the text closes it in brackets)
        found += filter(None, map(text_note_date, last_paragraphs(body, 1)))
    paras = first_paragraphs(body, 3) if not found else []
    if not found:
        notes = (*under_title, *furniture, *paras[:2])
        found += [d for line in notes if (d := adoption_date(line))][:1]
    if not found:  # a page that gives the speech no date line of its own: a news lead's (in the
        # body's first paragraphs before the salutation, or above the speech's own title, where the
        # cleaner set it apart; a speech may open by recalling another meeting: "同志们：2023年…召开")
        leads = (*before_salutation(paras), *furniture)
        found += [lead for para in leads if (lead := lead_date(para))][:1]
    if title:
        date, is_masked = title_year(title)
        masked |= is_masked
        if date is None and not is_masked:  # the page's title over the speech's own may name the year
            date, title = next(((d, line) for line in above_title if (d := title_year(line)[0])), (None, title))
        if date and not (found and all(_held_the_december_before(f, date) for f in found)):
            if not found and _may_name_the_year_planned(title, body):
                before = date.date.replace(year=date.date.year - 1)
                found.append(Found(before, "year", "year-end speech (明年): may be held the year before"))
            found.append(date)
    return found, masked


def _may_name_the_year_planned(title: str, body: str) -> bool:
    """A year-end speech under a title whose year names a year's meeting, not the meeting itself
    ('县政府2023年第四次全体会议' is held in 2023): held in that year or in the one before."""
    if "明年" not in body or YEAR_END_BODY_RE.search(body) is None:
        return False
    text = _ascii_digits(title)
    return not MEETING_YEAR_RE.match(text[_year_matches(text)[0][0].end():])  # (a `^` regex: not match(text, pos))


def _held_the_december_before(delivered: Found, title: Found) -> bool:
    """A year-end meeting is often named for the year it plans ('在2023年全县经济工作会议上',
    delivered '（2022年12月28日）'): its printed date in the December before stands."""
    return (title.precision == "year" and delivered.precision in ("day", "month")
            and delivered.date.month == 12 and delivered.date.year == title.date.year - 1)


def contains(coarse: Found, fine: Found) -> bool:
    """A year (or month) candidate agrees with a finer date inside it."""
    if coarse.precision == "year":
        return coarse.date.year == fine.date.year
    if coarse.precision == "month":
        return (coarse.date.year, coarse.date.month) == (fine.date.year, fine.date.month)
    return coarse.date == fine.date


def combine(found: list[Found]) -> tuple[str, Found | None]:
    """Most precise candidate when all agree; 'ambiguous' otherwise."""
    order = {"day": 0, "month": 1, "year": 2}
    ranked = sorted(found, key=lambda f: order[f.precision])
    best = ranked[0]
    if all(contains(f, best) for f in ranked):
        return "stated", best
    return "ambiguous", None


# ---------------------------------------------------------------- publication date


# A page's stamp that opens with its date, then a label: '2023-03-25 10:20 来源：X县人民政府网'.
LEADING_STAMP_RE = re.compile(
    r"\s*(?=\d{4}\s*[-/.年])[\d\s\-/.年月日:]{8,24}?(?:(?:来源|作者|编辑|浏览|点击|发布于)\s*[:：]|[|｜]"
    # (360doc's saver and counts: "2022-02-17　临沧茶人老杨　阅 426　转 9")
    r"|[^\d\n]{1,24}?[阅閱]\s*\d+\s*[转轉]\s*\d+)"
)


# A WeChat article's account line: '原创 XX发布 2023-04-12 18:30 发表于陕西' (or, older, '原创 XX发布 2023-04-12').
ARTICLE_STAMP_RE = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:\s+\d{1,2}:\d{2}\s*发表于|\s*$)"
)


def article_stamp_date(span: str) -> Found | None:
    """A removed account line of an article ('… 2023-04-12 18:30 发表于陕西', '原创 … 2023-04-12'): a day."""
    text = _ascii_digits(span).strip()
    if not (text.startswith("原创") or "发表于" in text):
        return None
    m = ARTICLE_STAMP_RE.search(text)
    found = parse_date_at(text, m.start("date"))[0] if m else None
    return with_evidence(found, text[m.start("date"):]) if found and found.precision == "day" else None


# A document site's upload stamp in its row of counters: "…｜共6页｜2023-03-15上传", "2023-06-02 发布 | …".
# Or an account's stamp: "2024-03-05 由政务观察发表于政治", "山水清音 2023-03-02 发布于山东 | 356阅读".
UPLOADED_RE = re.compile(r"(?<!\d)(?P<date>\d{4}-\d{1,2}-\d{1,2})\s*(?:上传|上傳|发布|發佈|发表|發表|由)")


def uploaded_date(span: str) -> Found | None:
    m = UPLOADED_RE.search(_ascii_digits(span))
    found = parse_date_at(m.group("date"))[0] if m else None
    return with_evidence(found, m.group(0)) if found else None


def stamp_date(span: str, labels: re.Pattern[str] = STAMP_LABEL_RE) -> Found | None:
    """A labelled posting stamp: '发布时间:2021-03-25', '成文日期：2024年3月15日'."""
    text = _ascii_digits(span)
    for m in labels.finditer(text):
        found, end = parse_date_at(text, m.end())
        if found:
            return with_evidence(found, text[m.start():end])
    return None


def leading_stamp_date(span: str) -> Found | None:
    """A removed page stamp that opens with its date ('2023-03-25 10:20 来源：…'): a day only."""
    text = _ascii_digits(span)
    if LEADING_STAMP_RE.match(text):
        start = len(text) - len(text.lstrip())
        found, end = parse_date_at(text, start)
        if found and found.precision == "day":
            return with_evidence(found, text[start:end])
    return None


# A removed stamp whose date carries a clock time: "公文写作素材库 2023-02-23 18:06 发布于：湖南省",
# "2024年01月15日10:12 | 来源：人民网", "2023-03-04 20:15 山东".
CLOCKED_DATE_RE = re.compile(r"(?<!\d)\d{4}\s*[-年]\s*\d{1,2}\s*[-月]\s*\d{1,2}\s*日?\s*\d{1,2}:\d{2}")


def clocked_date(span: str) -> Found | None:
    text = _ascii_digits(span)
    m = CLOCKED_DATE_RE.search(text)
    found = parse_date_at(text, m.start())[0] if m else None
    return with_evidence(found, m.group(0)) if found and found.precision == "day" else None


# A date standing as a cell of a removed row of counters: "红枫山人　2021-06-05　|　公开　|　转藏".
CELL_DATE_RE = re.compile(r"(?:^|\s)(\d{4}-\d{1,2}-\d{1,2})\s*[|｜]")


def cell_date(span: str) -> Found | None:
    text = _ascii_digits(span)
    m = CELL_DATE_RE.search(text) if text.count("|") + text.count("｜") >= 2 else None
    found = parse_date_at(m.group(1))[0] if m else None
    return with_evidence(found, m.group(1)) if found and found.precision == "day" else None


# A line that is only a date and a clock time, '2023-04-12 10:20': a page's posting stamp, never a
# speech's date (those are printed without the time).
CLOCK_STAMP_RE = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?\s*")


def clock_stamp_date(line: str) -> Found | None:
    text = _ascii_digits(line)
    if CLOCK_STAMP_RE.fullmatch(text):
        found = parse_date_at(text, len(text) - len(text.lstrip()))[0]
        return with_evidence(found, text.strip()) if found else None
    return None


BULLETIN_MARK_RE = re.compile(r"^\s*(?:\d{4}\s*年\s*)?第\s*[\d一二三四五六七八九十百〇零]+\s*期|印发\s*$")


# A bulletin's editor or office before its date, on one line: "XX县人民政府办公室编  2023年5月10日".
_EDITOR_RE = re.compile(r"[^\s，。：:]{2,30}(?:编印|编|編|办公室|辦公室|办公厅|辦公廳|政府办|政府辦)\s*")


def bare_date_line(line: str) -> Found | None:
    """A furniture line that is only a date (bulletin header, '2024年3月15日印发'), or its editor and
    the date ('XX县人民政府办公室编 2023年5月10日')."""
    text = _ascii_digits(line.strip())
    editor = _EDITOR_RE.match(text)
    found, end = parse_date_at(text, editor.end() if editor else 0)
    if found and re.fullmatch(r"\s*(?:印发|发布|编印|出版)?\s*", text[end:]):
        return with_evidence(found, text)
    return None


def published(furniture: tuple[str, ...], removed: tuple[str, ...], top: list[str],
              meeting: bool = False) -> Found | None:
    """Stamps in the furniture first, then removed stamps (the page's own), then a bulletin's bare date
    line, then stamps left at the top.

    A bare date line publishes only in a bulletin's furniture (an issue line or an 印发 line is
    there too); elsewhere it is as likely the date a speech was signed or delivered. A page that
    posts the bulletin's document gives its own day, which is when it was published (an 印发 line
    is when it was printed). With `meeting`, a removed '时间：' line is the meeting's (see
    `meeting_time`), not a posting stamp.
    """
    for line in furniture:
        if found := stamp_date(line) or clock_stamp_date(line):
            return found
    # (a repost's note on its original, "来源：XX网，原文发布于2019-01-10", dates the original, not this page)
    removed = tuple(span for span in removed if "原文发布" not in span and "原文首发" not in span)
    for span in removed:
        if found := stamp_date(span, PUBLISHED_LABEL_RE):
            return found
    for span in removed:
        if meeting and _MEETING_TIME_RE.match(span):
            continue  # the meeting's '时间：' line, set apart like a stamp: its date is the speech's
        found = (stamp_date(span) or leading_stamp_date(span) or article_stamp_date(span) or uploaded_date(span)
                 or clocked_date(span) or cell_date(span))
        if found:
            return found
    if any(BULLETIN_MARK_RE.search(line) for line in furniture):
        for line in furniture:
            if found := bare_date_line(line):
                return found
    for line in top:  # in the text itself only explicit posting labels (not a meeting's '时间：')
        found = stamp_date(line, POSTING_LABEL_RE)
        if found:
            return found
    return None


def extract_dates(
    title: str | None, body: str, furniture: tuple[str, ...], removed: tuple[str, ...],
    under_title: tuple[str, ...] = (), closing: tuple[str, ...] = (), above_title: tuple[str, ...] = (),
) -> DateResult:
    """All inputs in simplified script. `removed` holds boilerplate spans (posting stamps live there);
    `under_title` the furniture lines between the title and the body."""
    top = top_lines(title, body)
    meeting = meeting_time([*top, *furniture, *removed])
    pub = published(furniture, removed, top, meeting is not None)
    pub_date, pub_ev = (pub.date, pub.evidence) if pub else (None, None)
    found, masked = delivery_candidates(title, body, furniture, under_title, closing, above_title)
    if meeting is not None:
        found.append(meeting)
    if found:
        status, best = combine(found)
        if best is not None:
            return DateResult(best.date, best.precision, status, best.evidence, pub_date, pub_ev)
        evidence = "; ".join(sorted({f.evidence for f in found}))
        return DateResult(None, None, "ambiguous", f"conflicting dates: {evidence}", pub_date, pub_ev)
    if masked:
        return DateResult(None, None, "masked", "masked date in a delivery position", pub_date, pub_ev)
    return DateResult(None, None, "absent", None, pub_date, pub_ev)
