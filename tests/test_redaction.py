"""Redaction markers, level rule and mid-sentence endings, on invented snippets."""

from __future__ import annotations

import pytest

from cn_local_gov_speeches.annotate.redaction import (
    HEAVY_MASKS_PER_1000_HAN,
    ends_mid_sentence,
    find_markers,
    redaction_level,
)
from cn_local_gov_speeches.record import Marker


@pytest.mark.parametrize(
    ("text", "kind", "marker"),
    [
        ("X区召开全体会议", "place", "X区"),
        ("××县经济社会发展", "place", "××县"),
        ("**镇党委", "place", "**镇"),
        ("某市领导", "place", "某市"),
        ("心系X发展", "place", "X"),
        ("都是“X人”", "place", "X"),
        ("跳出青山看**，", "place", "**"),
        ("X县长强调", "place", "X县"),
        ("******同志指出", "person", "******同志"),
        ("X同志要求", "person", "X同志"),
        ("**书记强调", "person", "**书记"),
        ("。******强调，", "person", "******强调"),
        ("增长x%以上", "number", "x%"),
        ("建成×个项目", "number", "×个"),
        ("增速-×%，", "number", "-×%"),
        ("投资×.×亿元", "number", "×.×亿"),
        ("20xx年工作", "date", "20xx年"),
        ("×月×日召开", "date", "×月×日"),
        ("到了×月份", "date", "×月份"),
        # blacked-out squares; empty ones from two on (one alone is as often a lost glyph)
        ("在■■县召开", "place", "■■县"),
        ("心系■发展", "place", "■"),
        ("□□镇党委", "place", "□□镇"),
        # a bare mask right after a title, spaces or not: a person's name
        ("县长 ＊＊＊", "person", "＊＊＊"),
        ("区委书记 **", "person", "**"),
        ("县长XXX\n同志们：", "person", "XXX"),
        ("县委副书记、县长 李**", "person", "**"),  # a surname, then the masked given name
        # 某 runs: a unit's name before a suffix, a person's otherwise
        ("在某某县召开", "place", "某某县"),
        ("某某乡党委", "place", "某某乡"),
        ("某某同志指出", "person", "某某同志"),
        ("县长某某某\n", "person", "某某某"),
        ("王某某副县长", "person", "某某"),
        # a count word that begins a noun: the mask is a name
        ("推进XX项目建设", "place", "XX"),
        ("在XX座谈会上", "place", "XX"),
        ("请XX处长牵头", "person", "XX处长"),
    ],
)
def test_marker_kind(text: str, kind: str, marker: str) -> None:
    assert find_markers(text) == (Marker(kind, marker, 1),)


@pytest.mark.parametrize("text", ["Windows X 系统", "X光检查", "第2021号", "某些方面", "5G基站", "a*b",
                                  "缺字□补", "a ** b"])
def test_not_masks(text: str) -> None:
    # "X光" is Latin X glued to Han on one side only: not between Han text, so not a mask.
    assert find_markers(text) == ()


def test_markers_counted_and_sorted() -> None:
    text = "×月×日，X区召开会议，X区各镇参加，建成×个项目，**同志讲话。"
    assert find_markers(text) == (
        Marker("date", "×月×日", 1),
        Marker("number", "×个", 1),
        Marker("person", "**同志", 1),
        Marker("place", "X区", 2),
    )


def test_redaction_level_rule() -> None:
    assert redaction_level((), 1000) == "none"
    assert redaction_level((Marker("place", "X区", 2),), 1000) == "partial"
    dense = int(HEAVY_MASKS_PER_1000_HAN)
    assert redaction_level((Marker("place", "X", dense),), 1000) == "heavy"
    three_kinds = (Marker("date", "×月×日", 1), Marker("number", "×个", 1), Marker("place", "X区", 1))
    assert redaction_level(three_kinds, 5000) == "heavy"
    assert redaction_level((Marker("place", "X", 1),), 0) == "heavy"  # no Han text: density undefined


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("今年要重点抓好三件事。\n一是抓项目建设，二是抓招商引资，三是抓", True),
        ("同志们，让我们团结一心，奋力谱写高质量发展新篇章！", False),
        ("他说：“我们一定能完成任务。”", False),
        ("全文完。\n青山县人民政府\n2023年5月6日", False),  # signature and date lines
        ("各项工作要抓早抓实，确保全年目标任务圆满完成。会", False),  # a stray crumb
        ("下面，我讲三点意见：第一，要提高认识，第二，要加强", True),
        ("", False),
        ("下面，我讲三点意见。一是要强化招商理念。\n……", True),  # a preview cut at an ellipsis of its own
        ("下面，我讲三点意见。\n...", True),
        ("他说：“困难很多……”但我们挺过来了……", False),  # an ellipsis in prose ends its sentence
        ("（二）做强果业。推动品牌走出去。\n（三）", True),  # a list item's number with nothing after it
        ("今年以来，全县地区生产总值达到126.", True),  # a figure cut at its decimal point
        ("同志们，让我们在县委的坚强领导下，为建设美丽田东而努力奋斗", False),  # closing words, "！" dropped
        ("各项工作要抓早抓实。\n谢谢大家", False),
    ],
)
def test_ends_mid_sentence(text: str, cut: bool) -> None:
    assert ends_mid_sentence(text) is cut


def test_circles_mask_a_name_before_a_unit_or_title_but_are_a_years_zero_after_a_numeral() -> None:
    found = find_markers("在○○县经济工作会议上，○○同志指出")
    assert set(found) == {Marker("place", "○○县", 1), Marker("person", "○○同志", 1)}
    assert find_markers("二○二三年全县工作，二〇二二年") == ()


def test_an_x_ray_is_no_mask_and_four_circles_are_a_masked_date() -> None:
    assert find_markers("要加强X光机等设备配置，开展X射线检查") == ()
    assert find_markers("在XX光明街道") == (Marker("place", "XX", 1),)
    assert find_markers("（○○○○年○○月○○日）") == (Marker("date", "○○○○年○○月○○日", 1),)


def test_a_bracketed_note_closing_the_text_is_no_cut() -> None:
    text = "同志们：\n全县上下要真抓实干。\n（本文系县长在全县招商引资推进会上的讲话，有删节）"
    assert not ends_mid_sentence(text)
