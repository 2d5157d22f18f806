"""Normalize: unit cases on invented snippets, and hypothesis properties (idempotent, keeps Han
characters, digits and URLs)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cn_local_gov_speeches import normalize as normalize_module
from cn_local_gov_speeches.normalize import (
    _MD_LINE_MARK,
    _strip_line_marks,
    fix_fullwidth_ascii,
    fix_han_spaces,
    fix_nfc,
    fix_pinyin_glosses,
    normalize,
    plain_view,
)

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def han_seq(text: str) -> list[str]:
    return HAN.findall(unicodedata.normalize("NFC", text))


def digit_seq(text: str) -> str:
    folded = re.sub(r"[０-９]", lambda m: chr(ord(m.group(0)) - 0xFEE0), text)
    return "".join(c for c in folded if c in "0123456789")


@pytest.mark.parametrize(
    ("raw", "expected", "fix"),
    [
        ("ＡＢＣ１２３公司", "ABC123公司", "fullwidth_ascii"),
        ("开发(kāi fā)新城", "开发新城", "pinyin_glosses"),
        ("會(huì)議", "會議", "pinyin_glosses"),
        ("城鄉(xiāng)規(guī)劃", "城鄉規劃", "pinyin_glosses"),
        ("工地?fù)P飛", "工地?P飛", "pinyin_glosses"),
        ("盡快實施；B(jī)礎設施", "盡快實施；B礎設施", "pinyin_glosses"),
        ("**三是压实责任。**各乡镇", "三是压实责任。各乡镇", "markdown"),
        ("# 一、总体要求", "一、总体要求", "markdown"),
        ("我们,今天:开会;好!对吗?", "我们，今天：开会；好！对吗？", "cjk_punct"),
        ("(二)抓好春耕", "（二）抓好春耕", "cjk_punct"),
        ("部署今年任务.去年增长5.2%,狠抓落实.\n“好”.然后", "部署今年任务。去年增长5.2%，狠抓落实。\n“好”。然后",
         "cjk_punct"),
        ("城 乡 规 划", "城乡规划", "han_spaces"),
        ("完成 35 个项目", "完成35个项目", "han_spaces"),
        ("在 全 县 2 0 2 3 年 经 济 工 作 会 议 上", "在全县2023年经济工作会议上", "han_spaces"),
        ("收尾。 二、强化保障", "收尾。\n二、强化保障", "heading_breaks"),
        ("  前面有空格  ", "前面有空格", "whitespace"),
        ("要进一步加快农村公路建设和危桥改\n造，确保安全。", "要进一步加快农村公路建设和危桥改造，确保安全。",
         "line_joins"),
    ],
)
def test_single_fix(raw: str, expected: str, fix: str) -> None:
    text, fixes = normalize(raw)
    assert text == expected
    assert fix in fixes


@pytest.mark.parametrize(
    "kept",
    [
        "（一）加强组织领导",
        "国发(2021)5号文件",  # brackets become full-width but stay
        "（试行）办法",
        "地区生产总值(GDP)增长",
        "跳出**看**，我们更要奋起直追。",  # a masked name, not bold
        "**县人民政府",
        "从**建县以来",
        "******强调，要抓落实。",
        "增长1,000万元",
        "2021-03-25 10:30",
        "访问 https://www.example.gov.cn/a,b?x=1 查看",
        "推进 5G 建设",
        "完成10 20 30个",  # numbers of a table row, not one letter-spaced number
        "×月×日召开",
    ],
)
def test_keeps_real_content(kept: str) -> None:
    text, _ = normalize(kept)
    # Everything but bracket width and the Han-digit spacing survives.
    assert re.sub(r"[（）()]", "", text) == re.sub(r"[（）()]", "", kept)


def test_real_brackets_not_taken_for_glosses() -> None:
    text, fixes = normalize("国发(2021)5号、(GDP)、（试行）、（一）")
    assert "pinyin_glosses" not in fixes
    assert all(s in text for s in ("2021", "GDP", "试行", "一"))


def test_fixes_in_pipeline_order() -> None:
    _, fixes = normalize("區(qū)域 發(fā)展,ＡＢ")
    assert fixes == ("fullwidth_ascii", "pinyin_glosses", "cjk_punct", "han_spaces")


def test_headings_and_titles_stay_on_their_own_lines() -> None:
    raw = "一、进一步提高执行能力，建设高效政府\n今年要抓好三件事。\n（二）要加强工作谋划抓落实\n接着是正文。"
    assert normalize(raw)[0] == raw


def test_short_line_without_punctuation_is_not_joined() -> None:
    raw = "县人民政府办公室\n2024年3月15日"
    assert normalize(raw)[0] == raw


def test_empty_line_is_a_hard_break() -> None:
    raw = "这里是前一段被截断的正文内容到此为止没有结束\n\n后面是另一部分内容。"
    assert normalize(raw)[0] == raw


def test_paragraph_page_break_joined() -> None:
    raw = "大家要紧扣目标任务，做到心往一处想、劲往一处使，推动工作落\n实，确保完成任务。"
    assert normalize(raw)[0] == "大家要紧扣目标任务，做到心往一处想、劲往一处使，推动工作落实，确保完成任务。"


def test_plain_view_for_rule_matching() -> None:
    assert plain_view("發(fā)布時間:2021-03-25") == "發布時間:2021-03-25"
    assert plain_view("下载后 查看") == "下载后查看"


# --- properties -----------------------------------------------------------------------------------
HAN_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处理府研"
)
ALPHABET = HAN_CHARS + "0123456789０１２abcXYZ,.:;!?()（）。，、：；！？“”*#- \n\u3000āū"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=120))
def test_idempotent(text: str) -> None:
    once, _ = normalize(text)
    assert normalize(once) == (once, ())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET + "\t\u00a0Ａｚ９\u0301e\uf900", max_size=60))
def test_plain_view_is_its_fixes_in_order(text: str) -> None:
    # plain_view returns lines it cannot change as they are: that shortcut must never show.
    expected = text
    for fix in (fix_nfc, fix_fullwidth_ascii, fix_pinyin_glosses, fix_han_spaces):
        expected = fix(expected)
    assert plain_view(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="中文 \t\n#-*+•>\r", max_size=40))
def test_line_mark_fast_path_changes_nothing(text: str) -> None:
    assert _strip_line_marks(text) == _MD_LINE_MARK.sub("", text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120))
def test_never_drops_han_or_changes_digits(text: str) -> None:
    out, _ = normalize(text)
    assert han_seq(out) == han_seq(text)
    assert digit_seq(out) == digit_seq(text)


URLS = st.builds(
    lambda host, path: f"https://{host}.gov.cn/{path}",
    st.text(alphabet="abcxyz", min_size=1, max_size=8),
    st.text(alphabet="abc123/_-.?=&,", max_size=15),
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), URLS, st.text(alphabet=ALPHABET, max_size=40))
def test_urls_survive(before: str, url: str, after: str) -> None:
    out, _ = normalize(f"{before} {url} {after}")
    assert url in out


def test_toneless_glosses_go_only_where_toned_glosses_show_machine_conversion() -> None:
    text, _ = normalize("我們(men)召開會(huì)議，全縣GDP(國內生產總值)增長（試行）。")
    assert text == "我們召開會議，全縣GDP（國內生產總值）增長（試行）。"
    # Without any tone-marked gloss a bracketed word stays: it may be real.
    assert normalize("采用新系统(app)办理。")[0] == "采用新系统（app）办理。"


def test_a_non_ascii_digit_next_to_a_space_is_not_an_error() -> None:
    # isdigit() is true for ٣ and ², which the number patterns do not match: the space stays.
    for digit in ("٣", "²"):
        text, _ = normalize(f"共 {digit} 项")
        assert text == f"共 {digit} 项"
    assert normalize("共 40 多项")[0] == "共40多项"


PROTECTED_ALPHABET = "0123456789٣０-/.:@w3htpsf中文 ,a"
PROTECTED_PIECES = st.sampled_from(["://", "www.", "@", "2024-3-1", "10:30", "1.5", "a@b.cn", "http://x.cn"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=PROTECTED_ALPHABET, max_size=6), PROTECTED_PIECES), max_size=12))
def test_protected_spans_fast_path_finds_every_span(pieces: list[str]) -> None:
    # The quick test may only say "none" when the protected regex has no match in the text.
    from cn_local_gov_speeches import normalize as nz

    text = "".join(pieces)
    reference = [m.span() for m in nz._PROTECTED.finditer(text)]
    assert nz._protected_spans(text) == reference
    if reference:
        assert nz._may_hold_protected(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=PROTECTED_ALPHABET + "發區(（)）fāqū", max_size=6), PROTECTED_PIECES,
                          st.sampled_from(["發(fā)", "區(qū)", "?qū)", "們(men)", "(fā)"])), max_size=12))
def test_gloss_removal_fast_path_equals_the_guarded_sub(pieces: list[str]) -> None:
    from cn_local_gov_speeches import normalize as nz

    text = "".join(pieces)
    for pattern in (nz._GLOSS, nz._TONELESS_GLOSS, nz._GLOSS_RESIDUE):
        assert nz._remove_outside(pattern, text) == nz._sub_outside(pattern, lambda m: "", text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="發区𠀀(（)）fāqūmenab。！? 一", max_size=40))
def test_reordered_lookbehinds_find_the_same_matches(text: str) -> None:
    # The gloss regexes written bracket-first must match exactly as the lookbehind-first originals.
    from cn_local_gov_speeches import normalize as nz

    originals = [
        (nz._GLOSS, re.compile(f"(?<=[{nz.HAN}])[(（]{nz._SYLLABLES}[)）]")),
        (nz._TONELESS_GLOSS, re.compile(f"(?<=[{nz.HAN}])[(（][a-z]{{1,6}}[)）]")),
    ]
    for fast, original in originals:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in original.finditer(text)]


# --- normalize skips a fix when the text holds none of its trigger characters -------------------
TRIGGER_ALPHABET = (ALPHABET + "\t\u00a0Ａｚ９\uff0c\u0301e\uf900𠀀\ud800\n+•>"
                    + normalize_module.TRIGGERS["pinyin_glosses"])


def _all_fixes(text: str) -> tuple[str, tuple[str, ...]]:
    """`normalize` without its shortcut: every fix runs."""
    fired = []
    for name, fix in normalize_module.FIXES:
        fixed = fix(text)
        if fixed != text:
            fired.append(name)
            text = fixed
    return text, tuple(fired)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TRIGGER_ALPHABET, max_size=80), st.data())
def test_a_fix_without_its_trigger_characters_changes_nothing(text: str, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(normalize_module.TRIGGERS)))
    without = "".join(ch for ch in text if ch not in normalize_module.TRIGGERS[name])
    assert dict(normalize_module.FIXES)[name](without) == without


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=TRIGGER_ALPHABET, max_size=12) | st.sampled_from(
    ["發(fā)", "**重点**", "\n# 标题", "。 一、", "共 40 项", "1,000", "http://a.cn", "ＡＢ"]),
    max_size=30).map("".join))
def test_normalize_with_the_trigger_scan_equals_every_fix(text: str) -> None:
    scan_from = normalize_module.MIN_TRIGGER_SCAN
    normalize_module.MIN_TRIGGER_SCAN = 0  # the scan for every text, however short
    try:
        assert normalize(text) == _all_fixes(text)
    finally:
        normalize_module.MIN_TRIGGER_SCAN = scan_from
    assert normalize(text * 20) == _all_fixes(text * 20)


@pytest.mark.parametrize("kept", ["1.提高认识", "一.提高认识", "第二.抓好落实", "共3.5亿元", "访问www.gov.cn.谢谢",
                                  "总结...然后", "A.B级"])
def test_a_full_stop_that_is_not_a_chinese_sentence_end_stays(kept: str) -> None:
    assert normalize(kept)[0] == kept


@pytest.mark.parametrize(("text", "expected"), [
    ("完成 XX 亿元", "完成XX亿元"), ("全县 ×× 个乡镇", "全县××个乡镇"), ("在 ** 县工作", "在**县工作"),
    ("在 ○○ 县工作", "在○○县工作"), ("在 X X 县工作", "在XX县工作"), ("要求：\n○ 一是抓落实", "要求：\n○ 一是抓落实"),
    ("推进 5G 建设", "推进 5G 建设"), ("使用 Excel 软件", "使用 Excel 软件"),
])
def test_spaces_around_a_mask_between_han_go(text: str, expected: str) -> None:
    assert fix_han_spaces(text) == expected


def test_a_subtitle_speaker_and_salutation_are_not_joined() -> None:
    text = ("——2024年1月18日在河谷县第十九届人民代表大会第四次会议上\n河谷县人民政府县长张建军\n各位代表：\n"
            "现在，我代表县人民政府，向大会报告工作。")
    assert normalize(text)[0] == text


def test_a_meetings_block_lines_are_not_joined() -> None:
    text = "河谷县2023年森林防火暨地质灾害防治工作会议\n地点：县政府三楼会议室\n主持：县政府副县长覃永红"
    assert normalize(text)[0] == text


def test_a_line_join_between_digits_is_idempotent() -> None:
    text = "00000000000000“0\n0“"  # found by hypothesis: the glue space was dropped by a second pass
    once, _ = normalize(text)
    assert normalize(once) == (once, ())


@pytest.mark.parametrize("text", [
    "在永宁县2022年闽宁协作工作推进会上的讲话\n县委常委、副县长（挂职）陈志鸿",  # a title, then its speaker
    "上传者：nx_zwxx    分享于 2022-09-03 10:15    3页    0.1MB    浏览 215\n县委常委、副县长陈志鸿",
    "学习啦 > 演讲与口才 > 讲话稿 > 领导讲话稿 > 南京溧水区政府工作会议讲话稿范文\n在2012年县政府全体会议上的讲话",
    "在市政府第一次全体会议暨廉政工作会议上的讲话.doc\n上传人：zhengwu2019",
    "转载云山雾海zz　2023-11-26　发布于云南　|　87阅读　|　0转藏\n县长杨春林",
    "在全县优化营商环境大会上的讲话稿全文如下所示请参阅\n（2023年1月28日）",
])
def test_a_title_a_page_row_or_a_breadcrumb_does_not_run_on_into_the_next_line(text: str) -> None:
    assert normalize(text)[0].count("\n") == 1


def test_a_wrapped_sentence_ending_like_a_title_is_joined() -> None:
    text = "刚才，县应急管理局通报了一季度全县安全生产情况，城关镇作了表态发言\n，讲得都很好，我都同意。"
    assert normalize(text)[0] == text.replace("\n", "")
