"""Date extraction on small synthetic snippets: one rule or trap per test (gold figures: test_region.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from cn_local_gov_speeches.annotate.dates import DateResult, cn_number, extract_dates, make_date

TITLE = "在全县经济工作会议上的讲话"


def dates(title: str | None = TITLE, body: str = "同志们：\n全县……", furniture: tuple[str, ...] = (),
          removed: tuple[str, ...] = ()) -> DateResult:
    return extract_dates(title, body, furniture, removed)


@pytest.mark.parametrize(("text", "value"), [("2024", 2024), ("二〇二四", 2024), ("二○二四", 2024),
                                             ("二零一九", 2019), ("十", 10), ("十二", 12), ("二十九", 29),
                                             ("三十一", 31), ("３", 3), ("十x", None)])
def test_cn_number(text: str, value: int | None) -> None:
    assert cn_number(text) == value


def test_calendar_is_validated() -> None:
    assert make_date("2023", "2", "29") is None
    assert make_date("2024", "2", "29") is not None
    assert make_date("2024", "13", None) is None
    assert dates(body="（2023年2月30日）\n同志们：").date is None


def test_bracket_date_under_title() -> None:
    got = dates(body="（2024年3月8日）\n同志们：\n全县……")
    expected = (dt.date(2024, 3, 8), "day", "stated", "（2024年3月8日）")
    assert (got.date, got.precision, got.status, got.evidence) == expected


@pytest.mark.parametrize("year", ["二〇二三", "二O二三", "二0二三", "二Ｏ二三"])  # 〇 often typed as O or 0
def test_chinese_numeral_date(year: str) -> None:
    assert dates(body=f"（{year}年十二月二十九日）\n同志们：").date == dt.date(2023, 12, 29)


def test_dash_delivery_line() -> None:
    got = dates("政府工作报告", "——2023年2月2日在县第十八届人民代表大会第三次会议上\n各位代表：")
    assert got.date == dt.date(2023, 2, 2)


def test_sentence_about_another_meeting_is_not_delivery() -> None:
    body = "2023年12月11日在北京召开的中央经济工作会议上，总书记强调……\n同志们："
    assert dates(body=body).status == "absent"


@pytest.mark.parametrize("title", ["在2021年区政府全体会议上的讲话", "在县政府2024年第一次全体会议上的讲话",
                                   "在二〇二二年全县经济工作会议上的讲话", "在2010年计划生育工作会议上的讲话",
                                   "2023年全县教育工作会议讲话稿", "二〇二三年县政府全体会议讲话"])
def test_meeting_year_in_title(title: str) -> None:
    got = dates(title)
    assert got.precision == "year" and got.date is not None and got.date.month == got.date.day == 1


@pytest.mark.parametrize("title", ["在全县2024年一季度经济运行分析会上的讲话",
                                   "在2024年上半年工作总结暨下半年工作部署会上的讲话",
                                   "在全县2024年1-11月经济运行分析会上的讲话",
                                   "县长在2024年第三季度项目建设讲评会上的讲话"])
def test_a_review_of_a_period_that_ends_before_december_is_held_in_its_year(title: str) -> None:
    got = dates(title)
    assert (got.date, got.precision, got.status) == (dt.date(2024, 1, 1), "year", "stated")


@pytest.mark.parametrize("title", ["在全县2022年度目标考核表彰大会上的讲话", "在2023年第四季度经济运行分析会上的讲话",
                                   "在2023年1-12月经济运行分析会上的讲话", "在2024年一季度工作部署会上的讲话",
                                   "在2019年工作总结暨2020年工作部署会议上的讲话",
                                   "关于2023年工作情况的报告",
                                   # the year of the report, budget or plan the meeting is about
                                   "在来凤县2020年政府工作报告起草座谈会上的讲话",
                                   "在2024年县政府工作报告征求意见座谈会上的讲话",
                                   "在全区2023年财政预算编制工作会议上的讲话",
                                   # a New Year's reception, often held in the year before the one it greets
                                   "在2024年元旦茶话会上的讲话", "在全县2024年新春团拜会上的致辞"])
def test_review_or_plan_years_in_title(title: str) -> None:
    assert dates(title).date is None


def test_body_years_are_not_the_date() -> None:
    body = "同志们：\n2019年，全县生产总值增长6%。“十四五”时期，到2025年……\n2024年3月8日，省里召开了会议。"
    assert dates(body=body).status == "absent"


def test_posting_stamp_is_published_not_delivered() -> None:
    got = dates(removed=("发布时间：2021-03-25 10:22:01 来源：某网站 点击：",))
    assert (got.date, got.status, got.published_date) == (None, "absent", dt.date(2021, 3, 25))


def test_a_removed_stamp_that_opens_with_its_date_publishes() -> None:
    got = dates(removed=("2023-03-25 10:20 来源：汉阴县人民政府网",))
    assert (got.published_date, got.date) == (dt.date(2023, 3, 25), None)
    assert dates(removed=("2023-03-25 这一天很重要",)).published_date is None  # a date, but no stamp


@pytest.mark.parametrize("stamp", ["原创 河谷发布 河谷发布 2023-03-25 18:30 发表于陕西", "原创 河谷发布 2023-03-25",
                                   "河谷发布 2023-03-25 18:30 发表于陕西"])
def test_an_articles_account_line_publishes(stamp: str) -> None:
    got = dates(removed=(stamp,))
    assert (got.published_date, got.date) == (dt.date(2023, 3, 25), None)


def test_a_furniture_line_of_a_date_and_a_clock_time_publishes() -> None:
    got = dates(furniture=("2023-04-12 10:20",))
    assert (got.published_date, got.date) == (dt.date(2023, 4, 12), None)
    assert dates(furniture=("2023-04-12",)).published_date is None  # without the time it may be anything


def test_posting_and_delivery_both() -> None:
    got = dates(body="（2022年2月25日）\n同志们：", removed=("公开日期：2022.3.1",))
    assert (got.date, got.published_date) == (dt.date(2022, 2, 25), dt.date(2022, 3, 1))


def test_bulletin_header_date_is_published() -> None:
    furniture = ("某政通报", "第1期", "某县人民政府办公室", "2024年3月15日")
    got = dates("刘某同志在县政府2024年第一次全体会议上的讲话", "（2024年3月8日）\n同志们：", furniture)
    assert (got.date, got.precision, got.published_date) == (dt.date(2024, 3, 8), "day", dt.date(2024, 3, 15))


def test_meeting_time_line_is_not_a_posting_stamp() -> None:
    assert dates(body="时间：2024年3月8日\n地点：县政府\n同志们：").published_date is None


@pytest.mark.parametrize(
    "body", ["（20××年×月×日）\n同志们：", "（X月X日）\n同志们：", "——20XX年X月X日在全县大会上\n同志们："]
)
def test_masked_dates(body: str) -> None:
    got = dates(body=body)
    assert (got.status, got.date) == ("masked", None)


def test_masked_date_in_body_does_not_mask_the_title_year() -> None:
    got = dates("X区长在2021年区政府全体会上的讲话", "今天……×月×日，我区已集中开工×个项目……")
    assert (got.date, got.status) == (dt.date(2021, 1, 1), "stated")


def test_conflicting_dates_are_ambiguous() -> None:
    got = dates("在2022年全县经济工作会议上的讲话", "（2023年2月3日）\n同志们：")
    assert (got.status, got.date) == ("ambiguous", None)


def test_a_year_end_meeting_named_for_the_next_year_keeps_its_printed_date() -> None:
    got = dates("在2023年全县经济工作会议上的讲话", "（2022年12月28日）\n同志们：")
    assert (got.date, got.precision, got.status) == (dt.date(2022, 12, 28), "day", "stated")
    # ... but only the December before: a year further off still conflicts
    assert dates("在2023年全县经济工作会议上的讲话", "（2021年12月28日）\n同志们：").status == "ambiguous"


@pytest.mark.parametrize(("title", "expected"), [
    ("在2023年3月8日全县三八妇女节表彰大会上的讲话", (dt.date(2023, 3, 8), "day")),
    ("在2023年3月全县春耕生产动员会上的讲话", (dt.date(2023, 3, 1), "month")),
    ("在2023年3月8日—9日全县两会上的讲话", (dt.date(2023, 3, 1), "month")),
])
def test_a_date_inside_the_titles_meeting(title: str, expected: tuple[dt.date, str]) -> None:
    got = dates(title)
    assert (got.date, got.precision, got.status) == (*expected, "stated")


def test_a_title_date_that_is_not_the_meeting_is_not_the_date() -> None:
    assert dates("关于2023年3月8日事故的通报会讲话").date is None


def test_coarse_and_fine_dates_agree() -> None:
    got = dates("在县政府2024年第一次全体会议上的讲话", "（2024年3月8日）\n同志们：")
    assert (got.date, got.precision) == (dt.date(2024, 3, 8), "day")


@pytest.mark.parametrize("days", ["（2023年3月8-9日）", "（2023年3月8日—9日）", "（二〇二三年三月八日至九日）"])
def test_a_meetings_days_give_its_month(days: str) -> None:
    got = dates(body=f"{days}\n同志们：")
    assert (got.date, got.precision, got.status) == (dt.date(2023, 3, 1), "month", "stated")


def test_month_precision() -> None:
    got = dates(body="（2024年3月）\n同志们：")
    assert (got.date, got.precision) == (dt.date(2024, 3, 1), "month")


def test_bracket_that_is_not_a_date() -> None:
    assert dates(body="（2021年修订）\n同志们：").date is None


def test_full_width_digits() -> None:
    assert dates(body="（２０２４年３月８日）\n同志们：").date == dt.date(2024, 3, 8)


def test_bracketed_date_set_apart_as_furniture_is_the_delivery_date() -> None:
    # The cleaner moves the "（date）" line under a title into furniture; it still dates the speech,
    # while the bulletin's own header date stays the publication date.
    r = extract_dates("王某同志在市政府第三次全体会议上的讲话", "同志们：今天开会。",
                      ("某市政务通报", "第7期", "二〇二二年六月九日", "（2022年6月2日）"), ())
    assert (r.date, r.precision, r.status) == (dt.date(2022, 6, 2), "day", "stated")
    assert r.published_date == dt.date(2022, 6, 9)


def test_bracketed_non_date_furniture_is_not_a_date() -> None:
    r = extract_dates("在县政府全体会议上的讲话", "同志们：今天开会。", ("（试行）", "（此件公开发布）"), ())
    assert r.date is None and r.status == "absent"


def test_a_bare_date_line_publishes_only_in_a_bulletins_furniture() -> None:
    body = "同志们：今天开会。"
    signed = extract_dates("在全县工作会议上的讲话", body, ("2024年5月10日",), ())
    assert signed.published_date is None
    bulletin = extract_dates("在全县工作会议上的讲话", body, ("某县政务通报", "第3期", "2024年5月10日"), ())
    assert bulletin.published_date == dt.date(2024, 5, 10)
    issued = extract_dates("在全县工作会议上的讲话", body, ("2024年5月12日印发",), ())
    assert issued.published_date == dt.date(2024, 5, 12)


@pytest.mark.parametrize("stamp", ["发布时间：2024-06-03 16:25:30", "上传于：2024-06-03　　页数：3",
                                   "公文素材库　2024-06-03　发布于贵州"])
def test_a_page_that_posts_a_bulletins_document_is_published_on_its_own_day(stamp: str) -> None:
    # The 印发 line is when the document was printed; the page's stamp is when it went up.
    issued = ("某县人民政府办公室　2024年5月12日印发",)
    r = extract_dates("在全县工作会议上的讲话", "同志们：今天开会。", issued, (stamp,))
    assert r.published_date == dt.date(2024, 6, 3)


def test_ascii_digits_is_the_translation() -> None:
    import random

    from cn_local_gov_speeches.annotate import dates

    rng = random.Random(3)
    pool = "０１２３４５６７８９0123456789年月日（）中ＡＺ\uff0f\uff1a "
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert dates._ascii_digits(text) == text.translate(dates._FULLWIDTH)


def test_a_meeting_blocks_time_is_the_delivery_date_not_a_posting_stamp() -> None:
    # The cleaner sets the '时间：' line apart as a stamp and the '地点：' line as furniture.
    got = dates(furniture=("地点：县政府三楼会议室",), removed=("时间：2023年3月8日上午",))
    assert (got.date, got.precision, got.status, got.published_date) == (dt.date(2023, 3, 8), "day", "stated", None)
    in_text = dates(body="会议时间：2023年3月8日\n会议地点：县政府三楼会议室\n同志们：")
    assert in_text.date == dt.date(2023, 3, 8)
    stamp = dates(removed=("时间：2023年3月15日",))  # no place: a page's posting stamp
    assert (stamp.date, stamp.published_date) == (None, dt.date(2023, 3, 15))


def test_a_meeting_running_into_the_next_month_gives_the_year() -> None:
    got = dates(body="（2023年3月30日至4月1日）\n同志们：")
    assert (got.date, got.precision) == (dt.date(2023, 1, 1), "year")


def test_a_date_written_out_under_the_title_dates_the_delivery() -> None:
    head = ("县长 王建国", "2023年4月12日")
    got = extract_dates(TITLE, "同志们：\n全县……", head, (), head)
    assert (got.date, got.precision, got.status) == (dt.date(2023, 4, 12), "day", "stated")
    # the same line elsewhere (a signature, a page header) or as a posting stamp's form does not
    assert dates(furniture=("2023年4月12日",)).status == "absent"
    assert extract_dates(TITLE, "同志们：", ("2023-04-12",), (), ("2023-04-12",)).status == "absent"


def test_a_year_end_speech_leaves_its_titles_year_ambiguous() -> None:
    body = "同志们：\n这次会议的主要任务是总结今年经济工作，部署明年经济工作。"
    assert dates("在2024年全县经济工作会议上的讲话", body).status == "ambiguous"
    # a printed date settles it; a title naming the meeting itself ('第四次全体会议') is that year's
    assert dates("在2024年全县经济工作会议上的讲话", f"（2023年12月20日）\n{body}").date == dt.date(2023, 12, 20)
    assert dates("在县政府2023年第四次全体会议上的讲话", body).date == dt.date(2023, 1, 1)


@pytest.mark.parametrize("line", ["（2023年3月8日上午）", "（2023年3月8日下午）", "（2023年3月8日星期三）",
                                  "（2023年3月8日晚）"])
def test_a_delivery_date_may_name_the_time_of_day_or_the_weekday(line: str) -> None:
    got = dates(body=f"{line}\n同志们：\n全县……")
    assert (got.date, got.precision) == (dt.date(2023, 3, 8), "day")


def test_a_pages_publication_date_is_preferred_to_the_day_the_document_was_signed() -> None:
    removed = ("发文机关：河谷县人民政府办公室 成文日期：2023-04-11", "发布日期：2023-04-12")
    assert dates(removed=removed).published_date == dt.date(2023, 4, 12)


def test_a_bulletins_office_and_date_on_one_line_publish_it() -> None:
    for header in ("河谷县人民政府办公室编          2023年5月10日", "河谷县人民政府办公室 2023年5月10日"):
        got = dates(furniture=("河谷政务信息", "第5期", header))
        assert got.published_date == dt.date(2023, 5, 10)


def test_a_sohu_authors_stamp_publishes() -> None:
    assert dates(removed=("2023-04-13 09:15 发布于：湖南省",)).published_date == dt.date(2023, 4, 13)


def test_a_template_sites_year_before_the_meeting_dates_it() -> None:
    got = dates("2023年在五常市春季农业生产工作会议上的讲话稿")
    assert (got.date, got.precision) == (dt.date(2023, 1, 1), "year")


@pytest.mark.parametrize("stamp", ["4.6分｜0人阅读｜0次下载｜共6页｜2023-03-15上传",
                                   "2023-03-15 08:15 | 红星闪耀 | 阅：326",
                                   "原创力文档 2023-03-15 发布 | 约4.6千字 | 共6页"])
def test_a_document_sites_upload_stamp_publishes(stamp: str) -> None:
    assert dates(removed=(stamp,)).published_date == dt.date(2023, 3, 15)


def test_a_date_line_after_the_speech_dates_it_when_written_out_in_year_and_month() -> None:
    closing = ("二〇二三年二月十四日",)
    got = extract_dates(None, "同志们：\n全县……\n谢谢大家！", closing, (), closing=closing)
    assert (got.date, got.precision, got.status) == (dt.date(2023, 2, 14), "day", "stated")
    month = extract_dates(None, "同志们：\n全县……", ("二O二三年九月",), (), closing=("二O二三年九月",))
    assert (month.date, month.precision) == (dt.date(2023, 9, 1), "month")
    # a year alone, or a dashed date (a page's posting stamp as often), dates nothing
    for line in ("二〇二三年", "2023-02-14"):
        assert extract_dates(None, "同志们：\n全县……", (line,), (), closing=(line,)).date is None


@pytest.mark.parametrize(("lead", "day", "precision"), [
    ("2023年3月6日，旗政府召开第二次全体会议，旗长出席会议并讲话。现将讲话全文刊发如下。", dt.date(2023, 3, 6), "day"),
    ("2024年1月15日（星期一）上午9时，凤翔区优化营商环境大会召开。区长出席并讲话。", dt.date(2024, 1, 15), "day"),
    ("县委经济工作会议于2023年1月5日至6日召开。会议期间，县长作了讲话。", dt.date(2023, 1, 1), "month"),
])
def test_a_news_leads_day_dates_the_speech_given_at_its_meeting(lead: str, day: dt.date, precision: str) -> None:
    got = dates(None, f"{lead}\n同志们：\n全县……")
    assert (got.date, got.precision) == (day, precision)
    # above the speech's own title, where the cleaner sets it apart
    assert dates(None, "同志们：\n全县……", furniture=(lead,)).date == day


def test_a_speech_recalling_another_meeting_is_no_news_lead() -> None:
    body = "同志们：\n2023年1月5日，市委召开经济工作会议，市委书记作了重要讲话。今天我们召开全县经济工作会议。"
    assert dates(None, body).date is None
    # nor a lead that names no speech
    assert dates(None, "2023年3月6日，全县春耕生产现场会召开。\n全县……").date is None


@pytest.mark.parametrize(("line", "day", "precision"), [
    ("（2023年7月××日）", dt.date(2023, 7, 1), "month"), ("（2022年x月x日）", dt.date(2022, 1, 1), "year"),
    ("——2022年X月X日在XX县第X届人民代表大会第X次会议上", dt.date(2022, 1, 1), "year"),
])
def test_a_masked_day_leaves_the_year_and_month_it_shows(line: str, day: dt.date, precision: str) -> None:
    got = dates(None, f"{line}\n同志们：\n全县……")
    assert (got.date, got.precision) == (day, precision)
    assert dates(None, "（20XX年X月X日）\n同志们：\n全县……").status == "masked"


def test_a_document_sites_share_stamp_publishes() -> None:
    assert dates(removed=("上传者：nx_zwxx    分享于 2022-09-03 10:15    3页",)).published_date == dt.date(2022, 9, 3)


def test_a_speakers_line_ending_with_the_bracketed_date_dates_it() -> None:
    got = extract_dates(None, "同志们：\n全县……", ("区长　陈建华　（2023年12月28日）",), (),
                        under_title=("区长　陈建华　（2023年12月28日）",))
    assert (got.date, got.precision) == (dt.date(2023, 12, 28), "day")


def test_the_pages_title_over_the_speechs_own_gives_the_year_the_own_title_lacks() -> None:
    got = extract_dates("在全县经济工作会议上的讲话", "同志们：\n全县……", ("2023年全县经济工作会议讲话",), (),
                        above_title=("2023年全县经济工作会议讲话",))
    assert (got.date, got.precision) == (dt.date(2023, 1, 1), "year")


@pytest.mark.parametrize(("stamp", "day"), [
    ("公文写作素材库　2023-02-23 18:06　发布于：湖南省", dt.date(2023, 2, 23)),
    ("2024年01月15日10:12 | 来源：人民网－四川频道", dt.date(2024, 1, 15)),
    ("2023-03-04 20:15 山东", dt.date(2023, 3, 4)),
    ("2024-03-05　由政务观察发表于政治", dt.date(2024, 3, 5)),
    ("山水清音 2023-03-02 发布于山东 | 356阅读 | 12转藏", dt.date(2023, 3, 2)),
    ("红枫山人　2021-06-05　|　公开　|　转藏　|　全屏", dt.date(2021, 6, 5)),
])
def test_more_posting_stamps_publish(stamp: str, day: dt.date) -> None:
    assert dates(removed=(stamp,)).published_date == day


def test_a_note_on_the_text_at_its_end_dates_it() -> None:
    body = "同志们：\n全县……\n（本文系宾川县人民政府县长在2023年6月8日全县招商引资暨重点项目推进会上的讲话，有删节）"
    got = dates(None, body)
    assert (got.date, got.precision) == (dt.date(2023, 6, 8), "day")


@pytest.mark.parametrize(("note", "day", "precision"), [
    ("（2024年1月18日县第十八届人民代表大会第四次会议通过）", dt.date(2024, 1, 1), "month"),
    ("（2024年2月3日县第十八届人民代表大会第四次会议通过）", dt.date(2024, 1, 1), "year"),
])
def test_a_reports_adoption_note_gives_its_month_or_year(note: str, day: dt.date, precision: str) -> None:
    got = extract_dates("政府工作报告", "各位代表：\n现在……", (note,), (), under_title=(note,))
    assert (got.date, got.precision) == (day, precision)


def test_an_editors_note_may_open_a_news_lead() -> None:
    lead = "编者按：2024年2月23日，大名县召开全县组织工作会议。县委常委、组织部部长刘振涛出席会议并讲话。"
    assert dates(None, f"{lead}\n同志们：\n全县……").date == dt.date(2024, 2, 23)


def test_yuanyue_is_january() -> None:
    got = dates(None, "（2009年元月6日）\n同志们：\n全县……")
    assert (got.date, got.precision) == (dt.date(2009, 1, 6), "day")


@pytest.mark.parametrize(("line", "year"), [("（2010年正月初八）", 2010), ("（2010年正月二十三）", 2010),
                                          ("（2010年腊月二十）", None)])
def test_a_first_lunar_month_keeps_its_year_the_twelfth_does_not(line: str, year: int | None) -> None:
    got = dates(None, f"{line}\n同志们：\n全县……")
    assert (got.date.year if got.date else None) == year


def test_a_reposts_note_on_its_original_does_not_publish_it() -> None:
    removed = ("来源：攸县人民政府网，原文发布于2019-01-10", "2024-03-05 09:12 发布于：湖南省")
    assert dates(removed=removed).published_date == dt.date(2024, 3, 5)


@pytest.mark.parametrize(("lead", "day"), [
    ("1月5日上午，邵东市2023年全市经济工作会议召开。市长出席并讲话。", dt.date(2023, 1, 5)),
    ("2月14日上午，松阳县人民政府召开2023年第一次全体会议，县长作讲话。", dt.date(2023, 2, 14)),
    ("1月10日，河谷县召开2023年工作总结表彰大会，县长讲话。", None),  # a review: may be held the year after
    ("12月28日，河谷县召开2024年经济工作会议，县长讲话。", None),  # December: the meeting named may be next year's
    # the year a later clause reviews is not the meeting's
    ("2月21日，遂川县召开2023年全县安全生产工作会议，总结2022年全县安全生产工作，部署2023年工作任务。县长出席并讲话。",
     dt.date(2023, 2, 21)),
])
def test_a_leads_day_takes_the_year_its_meeting_names(lead: str, day: dt.date | None) -> None:
    assert dates(None, f"{lead}\n同志们：\n全县……").date == day


def test_a_papers_dateline_may_open_a_lead() -> None:
    lead = "本报讯（记者 李明）4月12日，2023年全市文化和旅游产业发展大会在江山市召开。市长致辞。"
    assert dates(None, f"{lead}\n同志们：\n全市……").date == dt.date(2023, 4, 12)


@pytest.mark.parametrize(("under", "want"), [
    (("区长　陈立新", "2023.11.20"), dt.date(2023, 11, 20)),
    (("2024/03/08", "宁乡市人民政府市长　刘振华"), dt.date(2024, 3, 8)),
    (("（2023-09-14）", "县长　周德胜"), dt.date(2023, 9, 14)),
    (("2023-09-14",), None),  # alone: as likely the page's posting date
    (("2023-09-14 10:20", "县长　周德胜"), None),  # a posting stamp's clock time
    (("2023.13.40", "县长　周德胜"), None),
])
def test_a_date_in_digits_dates_the_speech_beside_the_speakers_line(under: tuple[str, ...],
                                                                     want: dt.date | None) -> None:
    got = extract_dates("在全县工作会议上的讲话", "同志们：\n全县……", (), (), under_title=under)
    assert got.date == want and (want is None or got.precision == "day")


def test_a_stamp_in_full_width_digits_and_dashes_publishes() -> None:
    got = dates(removed=("发布日期：２０２３－０４－０３　　来源：县政府办公室　　点击数：４１２",))
    assert got.published_date == dt.date(2023, 4, 3)


def test_a_forum_members_registration_date_does_not_publish_the_post() -> None:
    removed = ("注册时间 2006-11-2", "#1  发表于 2008-3-5 10:23  只看该作者")
    assert dates(removed=removed).published_date == dt.date(2008, 3, 5)


def test_a_columns_index_of_dated_links_dates_nothing() -> None:
    body = ("在全县新农村建设工作会议上的讲话　　[2010-02-24]\n在全县经济工作会议上的讲话　　[2010-01-18]\n"
            "在全县安全生产工作会议上的讲话　　[2010-01-11]")
    assert dates(None, body).date is None
    assert dates(None, "在全县经济工作会议上的讲话　[2010-01-18]\n同志们：\n全县……").date == dt.date(2010, 1, 18)


@pytest.mark.parametrize(("title", "year"), [("2015年政府工作报告", 2015), ("秦安县2015年政府工作报告", 2015),
                                             ("2023年县人民政府工作报告", 2023),
                                             ("在2020年政府工作报告起草座谈会上的讲话", None),
                                             ("关于2015年政府工作报告", None)])
def test_a_report_titled_with_its_year_is_read_that_year(title: str, year: int | None) -> None:
    got = dates(title, "各位代表：\n现在，我代表县人民政府向大会报告工作。")
    assert (got.date.year if got.date else None) == year


def test_360docs_saver_stamp_publishes() -> None:
    assert dates(removed=("2022-02-17　临沧茶人老杨　阅 426　转 9",)).published_date == dt.date(2022, 2, 17)
