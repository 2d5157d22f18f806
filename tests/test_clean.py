"""Clean: chrome and notices removed with their rule, title and furniture set aside (invented
snippets), plus generic properties of clean + normalize on every file in raw/."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from cn_local_gov_speeches.clean import Cleaned, clean, explain
from cn_local_gov_speeches.normalize import fix_markdown, normalize
from cn_local_gov_speeches.profiles import load_profiles

RAW = Path(__file__).resolve().parents[1] / "raw"
BODY = "今年以来，全镇上下齐心协力，各项工作取得了明显成效，经济运行总体平稳。"


def run(text: str) -> Cleaned:
    return clean(text, load_profiles())


def rules(c: Cleaned) -> list[str]:
    return [r.rule for r in c.removals]


def test_vip_and_cart_chrome_removed() -> None:
    c = run(f"购物车\n我的足迹\n加入Vip免费下载 立即下载\n{BODY}")
    assert c.text == BODY
    assert rules(c) == ["generic:shop_chrome", "generic:shop_chrome", "generic:download_notice"]


def test_hidden_text_notice_becomes_a_paragraph_break() -> None:
    c = run(f"要抓好春耕生产，做到“两个确保”---此处隐藏2345字,下载后查看---重点推进水利项目建设。\n{BODY}")
    assert c.text == f"要抓好春耕生产，做到“两个确保”\n\n重点推进水利项目建设。\n{BODY}"
    assert c.hidden_chars == 2345
    assert c.truncation_notice
    text, _ = normalize(c.text)
    assert "\n\n" in text  # normalize never joins across the gap


def test_traditional_hidden_notice_broken_by_wrap_space() -> None:
    c = run("前面的部分內容到此為止\n---此處隱藏 800字，下載後查看---\n後面的內容。")
    assert c.hidden_chars == 800
    assert c.text == "前面的部分內容到此為止\n\n後面的內容。"


def test_an_omission_notice_is_a_gap_without_a_count() -> None:
    c = run(f"{BODY}\n…… …… 此处省略，请下载后阅读 …… ……\n{BODY}")
    assert c.text == f"{BODY}\n\n{BODY}"
    assert (c.hidden_chars, c.truncation_notice) == (None, True)
    assert run(f"{BODY}此处省略了细节，不再赘述。").text == f"{BODY}此处省略了细节，不再赘述。"  # prose


def test_related_articles_after_a_bracketed_title_go_with_their_list() -> None:
    c = run(f"{BODY}\n[在县政府廉政工作会议上的讲话]相关文章：\n1.县政府廉政工作会议讲话稿\n2.廉政工作会议讲话")
    assert c.text == BODY


def test_hidden_notice_without_dashes_keeps_the_following_speech() -> None:
    c = run("做好春耕工作此处隐藏500字，下载后查看重点推进水利项目建设。")
    assert c.text == "做好春耕工作\n\n重点推进水利项目建设。"


def test_preview_count_gives_hidden_chars() -> None:
    c = run(f"{BODY}(未完,全文共5000字,当前显示1200字)")
    assert c.text == BODY
    assert (c.hidden_chars, c.truncation_notice) == (3800, True)


@pytest.mark.parametrize("notice", ["（下载全文查看剩余内容）", "下載後閱讀剩餘內容", "剩余内容请下载查看"])
def test_a_notice_that_the_rest_is_hidden_marks_truncation(notice: str) -> None:
    c = run(f"{BODY}\n……\n{notice}")
    assert c.truncation_notice and notice not in c.text


@pytest.mark.parametrize(("line", "truncated"), [
    ("温馨提示：当前文档最多只能预览5页，此文档共10页，请下载后查看", True),
    ("（本文共3页，当前第1页）", True),
    ("点击查看全文>>", False),
    ("【责任编辑：张三】", False),
    ("本文档为【讲话稿】，可适用于党政领域", False),
    ("内容来自用户分享和网络整理，不保证内容的准确性", False),
    # a document site's upload metadata, counters and buttons; a template site's outro and links
    ("文档贡献者：abc | 上传于2023-03-02 | 格式：DOC | 页数：5页 | 大小：31KB", False),
    ("下载券：2 | 浏览：1523 | 下载：36", False),
    ("该文档已被收藏12次", False),
    ("收藏 举报 评分", False),
    ("还剩3页未读，继续阅读", True),
    ("请登录后查看完整内容", True),
    ("購買後閱讀全部內容", True),
    ("以上就是小编为大家整理的在全县会议上的讲话，希望对大家有所帮助。", False),
    ("【本文地址：http://www.example.com/fanwen/123.html】", False),
    ("本文来源：https://www.example.com/a/1.html", False),
    ("2023-03-25 10:20  来源：汉阴县人民政府网", False),
])
def test_document_site_chrome_goes_and_page_previews_mark_truncation(line: str, truncated: bool) -> None:
    c = run(f"{BODY}\n{line}")
    assert c.text == BODY and c.truncation_notice is truncated


@pytest.mark.parametrize("heading", ["相关文档", "相關範文：", "大家都在看"])
def test_a_list_of_related_titles_goes_with_its_heading(heading: str) -> None:
    c = run(f"{BODY}\n{heading}\n在全县农村工作会议上的讲话稿\n县委书记在农业农村工作会议上的讲话")
    assert c.text == BODY


def test_a_sentence_opening_with_a_related_heading_word_is_prose() -> None:
    line = "相关文档要及时归档，确保资料完整。"
    assert run(f"{BODY}\n{line}").text == f"{BODY}\n{line}"


@pytest.mark.parametrize("column", ["领导讲话", "講話稿大全", "发言稿"])
def test_a_column_name_above_the_title_is_not_the_title(column: str) -> None:
    c = run(f"{column}\n县长在县政府第五次常务会议上的讲话\n同志们：\n{BODY}")
    assert (c.title, c.text) == ("县长在县政府第五次常务会议上的讲话", f"同志们：\n{BODY}")


def test_the_covering_notice_of_a_speech_sent_out_is_furniture() -> None:
    notice = "现将县委书记陈勇同志在全县经济工作会议上的讲话印发给你们，请结合实际，认真学习贯彻。"
    c = run(f"关于印发陈勇同志在全县经济工作会议上的讲话的通知\n{notice}\n在全县经济工作会议上的讲话\n同志们：\n{BODY}")
    assert (c.title, c.text) == ("在全县经济工作会议上的讲话", f"同志们：\n{BODY}") and notice in c.furniture
    assert run(f"{BODY}\n现将有关情况通报如下。").text.endswith("现将有关情况通报如下。")


def test_a_sentence_about_accuracy_is_prose() -> None:
    assert run(f"{BODY}\n要保证内容的准确性和完整性。").text.endswith("要保证内容的准确性和完整性。")


def test_a_heading_about_remaining_funds_is_prose() -> None:
    c = run(f"（三）剩余部分资金使用\n{BODY}")
    assert not c.truncation_notice and c.text.startswith("（三）剩余部分资金使用")


def test_posting_stamp_with_pinyin_glosses_goes_to_removals() -> None:
    c = run(f"發(fā)布時(shí)間:2022-07-01 來源: 範(fàn)文網 點(diǎn)擊:\n{BODY}")
    assert c.text == BODY
    assert c.removals[0].rule == "generic:posting_stamp"
    assert c.removals[0].plain.startswith("發布時間:2022-07-01")


def test_title_standalone_and_repeated_at_body_start() -> None:
    title = "在全镇2023年第一次工作会议上的讲话"
    c = run(f"{title}\n\n{title} 同志们: {BODY}")
    assert c.title == title
    assert c.text == f"同志们: {BODY}"
    assert "generic:duplicate_title" in rules(c)


def test_a_date_that_ends_the_title_line_is_furniture() -> None:
    c = run(f"在全县经济工作会议上的讲话（2023年1月6日）\n同志们：\n{BODY}")
    assert (c.title, c.furniture, c.text) == ("在全县经济工作会议上的讲话", ("（2023年1月6日）",), f"同志们：\n{BODY}")
    assert run(f"在全县经济工作会议上的讲话（摘要）\n{BODY}").title == "在全县经济工作会议上的讲话（摘要）"


@pytest.mark.parametrize(("line", "chrome"), [
    ("在全县经济工作会议上的讲话_讲话稿_范文大全", ["_讲话稿_范文大全"]),
    ("在全县经济工作会议上的讲话 - 道客巴巴", ["- 道客巴巴"]),
    ("在全县经济工作会议上的讲话.doc", [".doc"]),
    ("【精品】在全县经济工作会议上的讲话", ["【精品】"]),
    ("最新在全县经济工作会议上的讲话(精选范文)", ["最新", "(精选范文)"]),
    ("在全县经济工作会议上的讲话范文（精选3篇）", ["范文（精选3篇）"]),
    ("在全县经济工作会议上的讲话【三篇】", ["【三篇】"]),
    ("在全县经济工作会议上的讲话2023", ["2023"]),
    ("在全县经济工作会议上的讲话 2024年最新范文", ["2024年最新范文"]),
    ("最新县长在全县经济工作会议上的讲话", ["最新"]),
])
def test_a_page_titles_site_tag_and_suffix_are_removed(line: str, chrome: list[str]) -> None:
    c = run(f"{line}\n同志们：\n{BODY}")
    assert (c.title.removeprefix("县长"), c.text) == ("在全县经济工作会议上的讲话", f"同志们：\n{BODY}")
    assert [r.text for r in c.removals if r.rule == "generic:page_title"] == chrome


@pytest.mark.parametrize("title", ["在全县经济工作会议上的讲话（摘要）", "凝心聚力实干争先——在全县大会上的讲话"])
def test_a_titles_own_words_are_kept(title: str) -> None:
    assert run(f"{title}\n同志们：\n{BODY}").title == title


@pytest.mark.parametrize("title", ["县长在全县经济工作会议上的讲话要点", "在全县经济工作会议上的发言提纲"])
def test_outline_titles(title: str) -> None:
    assert run(f"{title}\n一、充分肯定成绩\n{BODY}").title == title


def test_the_title_repeated_atop_each_pdf_page_is_a_running_header() -> None:
    title = "在全县经济工作会议上的讲话"
    cut = "要加快重点项目建设进度，强化要素保障，优化营商环境，全力推进在建"
    c = run(f"{title}\n同志们：\n{BODY}\n{cut}\n— 2 —\n{title}\n项目早日建成投产。\n{BODY}")
    assert c.title == title and title not in c.text
    assert [r.rule for r in c.removals].count("generic:running_header") == 1
    assert normalize(c.text)[0] == f"同志们：\n{BODY}\n{cut}项目早日建成投产。\n{BODY}"  # the cut sentence joins


def test_title_glued_to_body_without_standalone_line() -> None:
    c = run(f"在全县防汛工作会议上的讲话 同志们：{BODY}")
    assert c.title == "在全县防汛工作会议上的讲话"
    assert c.text == f"同志们：{BODY}"


def test_bulletin_header_date_line_and_distribution_are_furniture() -> None:
    c = run(
        "青山政务通报\n第12期\n青山县人民政府办公室\n2022年9月1日\n"
        "王某同志在全县秋季工作会议上的讲话\n（2022年8月26日）\n同志们：\n" + BODY + "\n"
        "主送：各乡镇人民政府，县直各部门，\n县人武部。\n抄送：县委办公室。\n"
    )
    assert c.title == "王某同志在全县秋季工作会议上的讲话"
    assert c.text == f"同志们：\n{BODY}"
    assert c.furniture == (
        "青山政务通报", "第12期", "青山县人民政府办公室", "2022年9月1日", "（2022年8月26日）",
        "主送：各乡镇人民政府，县直各部门，", "县人武部。", "抄送：县委办公室。",
    )
    assert len(c.furniture_rules) == len(c.furniture)


def test_subtitle_joins_the_title_and_speaker_goes_to_furniture() -> None:
    c = run(f"凝心聚力 开创新局\n——在全市经济工作会议上的讲话\n市长 李某\n同志们：\n{BODY}")
    assert c.title == "凝心聚力开创新局——在全市经济工作会议上的讲话"
    assert c.furniture == ("市长李某",)  # furniture lines are normalized
    assert c.text == f"同志们：\n{BODY}"


def test_site_page_title_is_not_the_speech_title() -> None:
    c = run(f"范文大全\n2023年镇长工作会议讲话范文精选\n同志们：\n{BODY}")
    assert c.title is None


def test_prose_mentioning_chrome_words_is_kept() -> None:
    line = "要点击鼠标就能办事，让群众少跑腿，" + BODY * 4
    assert run(line).text == line


def test_chrome_glued_after_a_long_paragraph_keeps_the_paragraph() -> None:
    line = BODY * 2 + "阅读全文"
    assert run(line).text == line


def test_tail_rule_only_takes_a_footer_that_runs_to_the_end() -> None:
    footer = run(f"{BODY}\n相关文章\n在全县安全生产会议上的讲话\n2023年述职报告")
    assert footer.text == BODY
    prose_after = run(f"相关文章\n{BODY}")
    assert prose_after.text == BODY


def test_traditional_related_block_and_disclaimer() -> None:
    c = run(f"{BODY}\n相關熱詞搜索:政府 講話\n熱點文章閱讀\n免責聲明：本文來自網絡。")
    assert c.text == BODY
    assert set(rules(c)) == {"generic:related_searches", "generic:disclaimer"}


def test_explain_names_each_rule() -> None:
    out = explain(run(f"加入VIP免费下载\n{BODY}\n---此处隐藏99字,下载后查看---\n{BODY}"))
    assert "generic:download_notice" in out
    assert "generic:hidden_text" in out
    assert "hidden_chars: 99" in out


def test_removed_chars_counts_raw_spans() -> None:
    c = run(f"购物车\n{BODY}")
    assert c.removed_chars == len("购物车")


# --- generic properties on the raw seeds (properties, not memorized answers) -------------------------
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
GLOSS = re.compile(f"[{HAN}][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü ]+[)）]")
HAN_SPACE = re.compile(f"[{HAN}][ \\t\\u3000]+[{HAN}]")
CHROME = re.compile(r"下[载載]|(?i:vip)|购物车|免[责責][声聲]明|热词|熱詞|https?://|\.com|\.net|此[处處][隐隱]藏")


@pytest.mark.parametrize("path", sorted(RAW.glob("*")), ids=lambda p: p.name)
def test_seed_properties(path: Path) -> None:
    raw = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    c = run(raw)
    text, _ = normalize(c.text)
    assert not CHROME.search(text)
    assert not GLOSS.search(text)
    assert not HAN_SPACE.search(text)
    assert fix_markdown(text) == text and not re.search(r"(?m)^#{1,6} ", text)
    assert run(text).removals == ()  # nothing left that a rule would take
    assert normalize(text) == (text, ())
    if c.title:
        assert c.title not in text.split("\n")[0]


def test_document_site_breadcrumb_and_upload_metadata_are_chrome() -> None:
    from cn_local_gov_speeches.profiles import load_profiles

    raw = ("文档分类 > 党政公文 > 讲话稿\n在区委经济工作会议上的讲话\n上传者：user1  上传时间：2022-12-30  页数：8页\n"
           "同志们：\n今年以来，全区经济运行总体平稳。")
    cleaned = clean(raw, load_profiles())
    assert cleaned.title == "在区委经济工作会议上的讲话"
    assert cleaned.text == "同志们：\n今年以来，全区经济运行总体平稳。"
    assert {r.rule for r in cleaned.removals} == {"generic:breadcrumb", "generic:page_meta"}


def test_spaced_salutation_under_the_title_stays_in_the_text() -> None:
    from cn_local_gov_speeches.profiles import load_profiles

    cleaned = clean("在区委经济工作会议上的讲话\n同 志 们 ：\n今年以来，全区经济运行总体平稳。", load_profiles())
    assert cleaned.text.startswith("同 志 们 ：") and not cleaned.furniture


def _random_lines(rng: random.Random, alphabet: str, n: int) -> list[str]:
    """Lines of hint characters mixed with Han, ASCII, astral characters and lone surrogates."""
    extra = "的了是在下会全abc :：\U00020000\ud800\udfff\u3000"
    pool = alphabet + extra
    return ["".join(rng.choice(pool) for _ in range(rng.choice((0, 0, 1, 3, 20, 200)))) for _ in range(n)]


@pytest.mark.parametrize("seed", range(10))
def test_holds_each_equals_holds_per_text(seed: int) -> None:
    # The numpy pass must give every text the bits the per-text regex gives it (the general path
    # runs for an index whose hints leave the BMP or need more than 64 bits).
    from cn_local_gov_speeches import clean as clean_module
    from cn_local_gov_speeches.profiles import Pattern

    rng = random.Random(seed)
    span, line = clean_module._rule_indexes(load_profiles())
    astral = clean_module._RuleIndex([("t:astral", Pattern("astral", re.compile("\U00020000字"), ""))])
    wide = clean_module._RuleIndex([(f"t:{i}", Pattern(str(i), re.compile(chr(0x4E00 + i)), "")) for i in range(70)])
    assert line._table is not None and astral._table is None and wide._table is None
    for index in (span, line, astral, wide):
        alphabet = "".join(index._bits)
        texts = _random_lines(rng, alphabet, 60)
        assert index.holds_each(texts) == [index.holds(t) for t in texts]
        assert index.holds_each([]) == []
        assert index.holds_each(["", ""]) == [0, 0]


def test_rules_needing_more_than_64_sets_keep_the_numpy_table_and_every_match() -> None:
    # A site added with long literal patterns must not push the index off its numpy table: each
    # rule then keeps its smallest needed sets, as many as fit, and a rule that matches a line must
    # still be among the line's candidates.
    from cn_local_gov_speeches import clean as clean_module
    from cn_local_gov_speeches.profiles import Pattern

    words = ["".join(chr(0x4E00 + 4 * i + k) for k in range(4)) for i in range(30)]  # 30 rules x 4 sets
    rules = [(f"t:{i}", Pattern(str(i), re.compile(w), "")) for i, w in enumerate(words)]
    rules.append(("t:shared", Pattern("shared", re.compile(words[0][:2] + "x"), "")))
    index = clean_module._RuleIndex(rules)
    assert index._table is not None and max(index.masks).bit_length() <= 64
    rng = random.Random(3)
    pieces = [*words, "的", "了", words[0][:2] + "x", words[5][:3]]
    lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(300)]
    for line, holds in zip(lines, index.holds_each(lines), strict=True):
        candidates = {rule for rule, _ in index.candidates(holds)}
        assert {rule for rule, p in rules if p.regex.search(line)} <= candidates, line
    assert index.holds_each(lines) == [index.holds(t) for t in lines]


@pytest.mark.parametrize("seed", range(5))
def test_may_cut_each_is_the_per_line_test(seed: int) -> None:
    # A line `_may_cut_each` rules out must be one `_apply_span_rules` returns unchanged at once.
    from cn_local_gov_speeches import clean as clean_module
    from cn_local_gov_speeches.normalize import plain_view

    rng = random.Random(seed)
    span, _ = clean_module._rule_indexes(load_profiles())
    pieces = ["此处隐藏", "此處 隱藏", "全文共", "字", "当前显示", "藏(cáng)", "此", "文", "ａ", " ", "的", "x"]
    lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))).strip() or "x" for _ in range(200)]
    expected = [span.may_match_any(ln) or (plain_view(ln) != ln and span.may_match_any(plain_view(ln))) for ln in lines]
    assert clean_module._may_cut_each(lines, span) == expected


def test_furniture_between_title_and_body_is_under_the_title() -> None:
    c = run(f"XX县人民政府办公室\n在全县春耕生产工作会议上的讲话\n县长 王建国\n2023年4月12日\n同志们：\n{BODY}\n"
            "县人民政府\n2023年4月20日")
    assert c.under_title == ("县长王建国", "2023年4月12日")  # normalized, like `furniture`
    assert "2023年4月20日" in c.furniture and "XX县人民政府办公室" in c.furniture


@pytest.mark.parametrize("line", [
    "1、本文档共8页，可阅读全部内容。",
    "2、本文档内容版权归属内容提供方，所产生的收益全部归内容提供方所有。",
    "版权说明：本文档由用户提供并上传，收益归属内容提供方，若内容存在侵权，请进行举报或认领",
    "人人文库网所有资源均是用户自行上传分享，仅供网友学习交流，未经上传用户书面授权，请勿作他用。",
    "本文由百度文库用户上传", "文档信息", "文档简介",
])
def test_a_document_sharing_sites_upload_notices_go(line: str) -> None:
    c = run(f"{BODY}\n{line}\n{BODY}")
    assert c.text == f"{BODY}\n{BODY}" and not c.truncation_notice


def test_the_title_repeated_as_a_file_name_goes_and_a_compilations_piece_number_is_not_the_title() -> None:
    c = run(f"在全县安全生产工作会议上的讲话 - 道客巴巴\n在全县安全生产工作会议上的讲话.doc\n同志们：\n{BODY}")
    assert (c.title, c.text) == ("在全县安全生产工作会议上的讲话", f"同志们：\n{BODY}")
    c = run(f"篇一：在全县安全生产工作会议上的讲话\n同志们：\n{BODY}\n篇二：在全县防汛工作会议上的讲话\n{BODY}")
    assert c.title == "在全县安全生产工作会议上的讲话" and "篇二：在全县防汛工作会议上的讲话" in c.text


def test_explain_command_prints_the_metadata_with_its_evidence(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from cn_local_gov_speeches.build import explain as explain_file

    path = tmp_path / "speech.txt"
    path.write_text(f"在桐庐县2023年第一次全体会议上的讲话\n（2023年2月10日）\n同志们：\n{BODY}\n", encoding="gb18030")
    assert explain_file(path) == 0
    out = capsys.readouterr().out
    assert "decoded as gb18030" in out and "title: 在桐庐县2023年第一次全体会议上的讲话" in out
    assert "region_code: 330122 浙江省/杭州市/桐庐县 (county)   <- 在桐庐县2023年第一次全体会议上的讲话" in out
    assert "date: 2023-02-10   <- （2023年2月10日）" in out


def test_a_title_wrapped_over_two_lines_is_joined() -> None:
    c = run(f"柞政通报\n在宁陕县2023年经济工作暨\n优化营商环境大会上的讲话\n同志们：\n{BODY}")
    assert c.title == "在宁陕县2023年经济工作暨优化营商环境大会上的讲话" and c.furniture == ("柞政通报",)
    # a speaker's line above a whole title stays furniture
    c = run(f"王建国同志\n在全县经济工作会议上的讲话\n同志们：\n{BODY}")
    assert c.title == "在全县经济工作会议上的讲话" and c.furniture == ("王建国同志",)


def test_the_speakers_line_after_a_repeated_title_is_furniture() -> None:
    c = run(f"在全县经济工作会议上的讲话 - 道客巴巴\n在全县经济工作会议上的讲话\n县委书记 ＊＊＊\n"
            f"（二〇二三年一月十二日）\n同志们：\n{BODY}")
    assert c.title == "在全县经济工作会议上的讲话" and c.text == f"同志们：\n{BODY}"
    assert c.furniture == ("县委书记＊＊＊", "（二〇二三年一月十二日）")


def test_a_line_with_another_在_above_a_title_is_not_its_first_half() -> None:
    c = run(f"欢迎访问在线文库\n政府工作报告\n各位代表：\n{BODY}")
    assert c.title == "政府工作报告" and c.furniture == ("欢迎访问在线文库",)


def test_a_page_title_above_the_documents_own_title_is_furniture() -> None:
    report = "——2024年1月18日在河谷县第十九届人民代表大会第四次会议上"
    c = run(f"2024年河谷县政府工作报告\n来源：河谷县人民政府办公室 发布时间：2024-01-25\n\n政府工作报告\n{report}\n"
            f"河谷县人民政府县长 张建军\n\n各位代表：\n{BODY}")
    assert c.title == "政府工作报告" and c.text == f"各位代表：\n{BODY}"
    assert "2024年河谷县政府工作报告" in c.furniture and report in c.furniture
    c = run("【转载】河谷县县长在全县经济工作会议上的讲话\n在全县经济工作会议上的讲话\n"
            f"河谷县人民政府县长 张建军\n同志们：\n{BODY}")
    assert c.title == "在全县经济工作会议上的讲话" and c.text == f"同志们：\n{BODY}"
    lead = "4月11日，全县经济工作会议召开。县长张建军出席会议并讲话。现将讲话全文刊发如下——"
    c = run(f"重磅！县长张建军在全县经济工作会议上的讲话（全文）\n{lead}\n"
            f"在全县经济工作会议上的讲话\n同志们：\n{BODY}")
    assert c.title == "在全县经济工作会议上的讲话" and c.text == f"同志们：\n{BODY}" and lead in c.furniture
    for lead in ("2月20日，河谷县召开2023年全县经济工作会议。县长张建军出席会议并讲话。全文如下：", "以下为讲话全文："):
        c = run(f"权威发布｜县长在全县经济工作会议上的讲话（全文）\n{lead}\n"
                f"在2023年全县经济工作会议上的讲话\n县长　张建军\n同志们：\n{BODY}")
        assert c.title == "在2023年全县经济工作会议上的讲话", lead


def test_no_title_after_the_salutation_or_inside_a_wrapped_line() -> None:
    wrapped = ("部署当前和下一阶段安全生产工作。刚才，县应急管理局通报了一季度\n"
               "全县安全生产情况，县交通运输局和两个乡镇作了表态发言")
    assert run(f"同志们：\n{wrapped}。\n{BODY}").title is None
    assert run(f"{wrapped}。\n{BODY}").title is None


@pytest.mark.parametrize("menu", ["首页 | 工作总结 | 工作计划 | 讲话稿 | 心得体会 | 调研报告",
                                  "范文网 - 首页 | 工作总结 | 讲话稿 | 心得体会 | 述职报告"])
def test_a_site_menu_is_chrome_not_a_title(menu: str) -> None:
    c = run(f"{menu}\n在全县经济工作会议上的讲话\n同志们：\n{BODY}")
    assert (c.title, c.text) == ("在全县经济工作会议上的讲话", f"同志们：\n{BODY}")


def test_a_title_repeated_with_the_sites_tag_goes() -> None:
    c = run("【精选】县长在全县经济工作会议上的讲话_公文素材库\n\n"
            f"【精选】县长在全县经济工作会议上的讲话\n同志们：\n{BODY}")
    assert (c.title, c.text) == ("县长在全县经济工作会议上的讲话", f"同志们：\n{BODY}")


def test_portal_and_document_site_chrome_goes() -> None:
    page = ("无障碍 | 长者模式 | 繁體 | 登录\n首页    政务公开    政务服务    互动交流\n请输入关键词  搜索\n[图片]\n"
            "内容提供方：wenmi2018\n字数：约6.82千字\n需要金币：*** 金币\n9页\n免费在线预览全文\n"
            "导读：本文是县长在全县经济工作会议上的讲话稿，仅供参考。\n")
    c = run(f"{page}在全县经济工作会议上的讲话\n同志们：\n{BODY}\n━━━━━━━━━━━━\n"
            "（本文共3篇，当前为第1篇，点击下一页查看更多）")
    assert (c.title, c.text, c.furniture) == ("在全县经济工作会议上的讲话", f"同志们：\n{BODY}", ())
    c = run(f"{BODY}\n免费预览已结束，剩余6页可下载查看")
    assert c.text == BODY and c.truncation_notice


def test_a_bulletins_editors_note_is_furniture() -> None:
    note = "【编者按】5月6日，全县茶产业推进会召开。现将讲话全文刊发，供各级各部门学习参阅。"
    c = run(f"河谷政务信息\n第5期\n河谷县人民政府办公室编          2023年5月10日\n{note}\n"
            f"在全县茶产业推进会上的讲话\n同志们：\n{BODY}")
    assert c.title == "在全县茶产业推进会上的讲话" and note in c.furniture and c.text == f"同志们：\n{BODY}"


def test_a_note_on_the_record_is_furniture() -> None:
    c = run(f"{BODY}\n（根据录音整理，未经本人审阅）")
    assert c.text == BODY and c.furniture == ("（根据录音整理，未经本人审阅）",)


@pytest.mark.parametrize("chrome", ["第一范文网 www.diyifanwen.com 首页 > 讲话稿 > 经济工作会议讲话",
                                    "4.6分｜0人阅读｜0次下载｜共6页｜2023-03-15上传", "免费阅读 | 下载 | 收藏",
                                    "人人文库 renrendoc.com　　首页　行业资料　教育专区　办公文档　上传赚钱　登录"])
def test_breadcrumbs_menus_and_counters_with_a_brand_are_chrome(chrome: str) -> None:
    c = run(f"{chrome}\n在全县经济工作会议上的讲话\n同志们：\n{BODY}")
    assert (c.title, c.text) == ("在全县经济工作会议上的讲话", f"同志们：\n{BODY}")


def test_an_agenda_item_is_no_title() -> None:
    assert run(f"会议议程：\n一、县应急管理局通报情况\n三、县长讲话\n同志们：\n{BODY}").title is None


def test_a_template_sites_blurb_under_the_title_goes() -> None:
    blurb = "在现实社会中，需要使用讲话稿的场合越来越多。下面是小编为大家整理的讲话稿，欢迎阅读。"
    c = run(f"县委书记在全县脐橙产业发展大会上的讲话范文\n{blurb}\n同志们：\n{BODY}")
    assert (c.title, c.text) == ("县委书记在全县脐橙产业发展大会上的讲话", f"同志们：\n{BODY}")


def test_a_pdf_copy_glued_title_speaker_and_date_come_apart() -> None:
    title = "在县政府2024年第一次全体会议上的讲话"
    c = run(f"{title}.pdf\n{title}张建华同志{title} (2024年3月8日) 同志们: {BODY}")
    assert (c.title, c.text) == (title, f"同志们: {BODY}")
    assert c.furniture == ("（2024年3月8日）",)


def test_a_bracketed_posting_stamp_goes() -> None:
    assert run(f"【发布日期：2017-08-25】【字体：大 中 小】\n{BODY}").text == BODY


@pytest.mark.parametrize("tail", ["相关文档：乡镇年度工作总结会讲话｜全镇工作会议讲话稿｜村党支部书记述职",
                                  "【推荐阅读】\n1. 县长在全县经济工作会议上的讲话",
                                  "相关新闻：\n·全县上半年重点项目建设观摩活动举行",
                                  "发表评论\n请遵守用户 评论公约", "© 360doc.com 360个人图书馆",
                                  "点击下载完整文档",
                                  "（注：本文由网友整理发布，仅供学习交流）",
                                  "本文标签：区政府全体会议讲话 区长讲话稿", "相关附件：无", "文档页数：3页",
                                  "5积分下载", "阅读 3024", "本文来源：范文先生网 http://www.fwsir.com/jianghua/123.html",
                                  "【第一范文网 www.diyifanwen.com 领导讲话稿】", "编辑：向丽　审核：邓军",
                                  "本文已影响 2456 人　　上一篇：镇长的讲话　　下一篇：主任的讲话",
                                  "猜你感兴趣：\n1.2023年涞水县政府工作报告全文\n2.2023年保定市政府工作报告全文",
                                  "看了“县政府全体会议讲话稿”的人还看了：\n1.县长在政府全体会议上的讲话稿",
                                  "【我要纠错】【关闭窗口】\n政府网站 | 部门网站 | 乡镇网站\n"
                                  "四川省人民政府　眉山市人民政府",
                                  "温馨提示：1、本站所有资源如无特殊说明，都需要本地电脑安装OFFICE2007和PDF阅读器。\n相关资源\n"
                                  "桐乡市经验材料汇编.doc",
                                  # document sites and portals
                                  "【3】", "篇二、篇三请点击下一页查看 >>",
                                  "附件下载：桐庐县人民代表大会常务委员会工作报告.pdf",
                                  "资源描述：", "积分：15    已阅读3次    已下载0次", "系统标签：政府工作报告 隆回",
                                  "2024-05-06　昵称58392011　|　0 评论　|　阅 37　转藏 5　献花（0）",
                                  # news pages
                                  "（完）\n【纠错】【责任编辑：陈璐】", ">>>更多精彩：讲话稿",
                                  "相关稿件：\n区政府召开第四次廉政工作会议",
                                  "【打印】【关闭】\n相关新闻：安吉县党政代表团来我县考察对接东西部协作工作",
                                  "相关文件：\n沂水县人民政府关于印发沂水县2023年安全生产工作要点的通知",
                                  "附件：在全县“三夏”生产暨秸秆禁烧工作会议上的讲话.pdf（下载）",
                                  "相关文档：在全市项目观摩会上的讲话.doc　　眉山市重大项目推进会讲话.doc",
                                  "宁乡县人民政府主办宁乡县人民政府办公室承办　www.ningxiang.gov.cn",
                                  # a news app's comment section, whose comments are sentences; a sidebar
                                  "举报/反馈\n发表评论8条评论\n富春江边的风：桐庐加油！\n用户6613290577：建德的路过，看看人家怎么干的",
                                  "本文系赣州发布转载，来源：于都县融媒体中心举报/反馈赣州发布已发布文章3812篇",
                                  "领导之窗\n县委书记邹志刚\n县长申国华\n最新动态\n·全县脱贫攻坚“冲刺90天”动员大会召开",
                                  "凤凰网广西相关新闻\n北流市政府召开2023年第一次全体会议\n陆川县：奋战一季度实现开门红",
                                  "平台声明　Copyright © 2020 Sohu All Rights Reserved",
                                  "? 2007-2023 docin.com 豆丁网 All Rights Reserved  沪ICP备09049526号",
                                  "【打印】【关闭】\n丹棱县人民政府主办  丹棱县人民政府办公室承办\n"
                                  "地址：四川省眉山市丹棱县丹棱镇齐乐路1号  邮编：620200\n蜀ICP备05003962号",
                                  "│ 发布机构：青川县人民政府办公室发布日期：2024-02-02"])
def test_page_tails_of_more_sites_go(tail: str) -> None:
    # (left in, their last line ended the text "mid-sentence" and marked it a cut preview)
    assert run(f"{BODY}\n{tail}").text == BODY


def test_a_hidden_middle_is_a_gap_and_marks_the_preview() -> None:
    c = run(f"{BODY}\n……（中间部分隐藏）……\n{BODY}")
    assert c.truncation_notice and c.text == f"{BODY}\n\n{BODY}"


@pytest.mark.parametrize(("head", "title"), [
    ("【全文】县长在县政府第一次全体会议上的讲话\n原创 石柱发布 2023-02-10 18:30 发表于重庆\n\u200b\n"
     "在石柱土家族自治县人民政府第一次全体会议上的讲话\n县长　冉启明",
     "在石柱土家族自治县人民政府第一次全体会议上的讲话"),
    ("区长在区政府全体会议上的讲话（全文）\n原标题：区长在区政府第三次全体会议上的讲话\n"
     "在区政府第三次全体会议上的讲话\n区长　王建军",
     "在区政府第三次全体会议上的讲话"),
    ("学习啦 > 演讲与口才 > 讲话稿 > 南京溧水区政府工作会议讲话稿范文\n南京溧水区政府工作会议讲话稿\n"
     "在2012年县政府全体（扩大）会议上的讲话", "在2012年县政府全体（扩大）会议上的讲话"),
])
def test_the_speechs_own_title_under_a_differently_worded_headline(head: str, title: str) -> None:
    c = run(f"{head}\n同志们：\n{BODY}")
    assert (c.title, c.text) == (title, f"同志们：\n{BODY}")


def test_a_stamp_ending_in_a_column_name_is_no_own_title() -> None:
    title = "在全县经济工作会议上的讲话"
    c = run(f"{title}\n2023-02-08 10:26:47 瑞文网 讲话稿\n{title}\n县长　孟庆华\n同志们：\n{BODY}")
    assert c.title == title


def test_a_date_line_after_the_speech_is_its_closing() -> None:
    c = run(f"同志们：\n{BODY}\n谢谢大家！\n攸县人民政府县长　刘志刚\n二〇二三年三月八日\n来源：攸县人民政府办公室")
    assert c.closing == ("二〇二三年三月八日",)


@pytest.mark.parametrize("chrome", ["【关闭窗口】", "原创力文档 https://max.book118.com/html/2022/0311/804125706300406.shtm",
                                    "红枫山人　2021-06-05　|　公开　|　转藏　|　全屏　|　打印　|　分享",
                                    "导语：本站为大家整理的相关的讲话，供大家参考选择。",
                                    "政府工作报告是政府向人民代表大会报告工作的公文。以下是小编整理的政府工作报告全文，欢迎阅读。"])
def test_more_chrome_lines_go(chrome: str) -> None:
    assert run(f"{chrome}\n{BODY}").text == BODY


def test_a_long_speakers_line_under_the_title_is_furniture() -> None:
    c = run(f"在2021年全县经济工作会议上的讲话\n伊宁县委副书记、县长　阿不都热合曼·买买提\n同志们：\n{BODY}")
    assert c.under_title == ("伊宁县委副书记、县长阿不都热合曼·买买提",)  # (normalized, as all furniture)


@pytest.mark.parametrize("stamp", ["公文写作素材库　2023-02-23 18:06　发布于：湖南省", "2023-03-04 20:15 山东",
                                   "2020-02-17 14:05:21　　工作报告　　我要投稿", "2024-03-05　由政务观察发表于政治",
                                   "2022-03-05上传文档贡献者：河西走廊观察员共9页4.5分（1098人评价）"])
def test_posting_stamps_with_a_clock_time_or_an_account_go(stamp: str) -> None:
    c = run(f"在全县经济工作会议上的讲话\n{stamp}\n同志们：\n{BODY}")
    assert (c.title, c.text) == ("在全县经济工作会议上的讲话", f"同志们：\n{BODY}")


@pytest.mark.parametrize(("page", "own"), [
    ("2024年鼓楼区政府工作报告全文\n政府工作报告是各级政府向人民代表大会报告工作的法定文件。下面是学习啦小编为大家整理的，欢迎阅读。",
     "政府工作报告"),
    ("县委书记离任讲话", "在全县领导干部大会上的离任讲话"),
    ("金堂县2024年政府工作报告（全文）", None),
])
def test_more_page_titles_over_the_speechs_own(page: str, own: str | None) -> None:
    c = run(f"{page}\n{own}\n同志们：\n{BODY}" if own else f"{page}\n同志们：\n{BODY}")
    assert c.title == (own or "金堂县2024年政府工作报告")


def test_a_subtitle_a_pdf_copy_wrapped_is_one_furniture_line() -> None:
    c = run(f"政府工作报告\n——2023年1月10日在隆回县第十八届人民\n代表大会第三次会议上\n各位代表：\n{BODY}")
    assert c.furniture == ("——2023年1月10日在隆回县第十八届人民代表大会第三次会议上",)


def test_no_span_rule_is_tried_on_ordinary_prose() -> None:
    # Span rules are searched in every line that passes their character filter; a rule whose filter
    # ordinary prose passes (one alternative made of common characters) doubled cleaning's cost once.
    from cn_local_gov_speeches.clean import _rule_indexes

    span, _ = _rule_indexes(load_profiles())
    prose = ["今年以来（一季度），全县上下部分地区经济增长较快，实现了“开门红”。",
             "（一）抓好项目建设。要按照“一个项目、一名领导、一个专班”的要求，分部门推进。",
             "截至目前，已完成投资120亿元（占全年的45%），其余部分下半年完成。"]
    assert [line for line in prose if span.candidates(span.holds(line))] == []


@pytest.mark.parametrize("notice", ["（前文隐藏，当前显示第4-6页，共6页）", "（未完，明天接着贴）"])
def test_a_preview_of_the_end_or_a_serials_part_is_a_cut(notice: str) -> None:
    c = run(f"{BODY}\n{notice}")
    assert c.truncation_notice and c.text == BODY


@pytest.mark.parametrize("notice", ["（下载后阅读全文）", "阅读已结束，下载本文需要 3 豆元",
                                    "（本文较长，登录后查看全文）", "预览结束，喜欢就下载吧！",
                                    "…………此处隐藏:262字,全部文档内容请下载后查看。喜欢就下载吧 ……",
                                    "剩余62%内容，打开百度APP阅读全文"])
def test_more_preview_notices_mark_a_cut(notice: str) -> None:
    assert run(f"{BODY}\n{notice}").truncation_notice


def test_a_glossed_speakers_line_is_furniture() -> None:
    c = run(f"在全縣經(jīng)濟(jì)工作會議上的講(jiǎng)話\n平江縣(xiàn)人民政府縣(xiàn)長(zhǎng) ×××\n同志們：\n{BODY}")
    assert len(c.under_title) == 1 and c.under_title[0].startswith("平江縣")


@pytest.mark.parametrize(("head", "title"), [
    ("瑞文网_范文大全_工作总结_工作计划_心得体会_演讲稿\n2021年全县经济工作会议县长讲话稿\n"
     "【导语】2021年全县经济工作会议县长讲话稿由瑞文网小编整理，仅供参考，欢迎阅读！\n在全县经济工作会议上的讲话",
     "在全县经济工作会议上的讲话"),
    ("山海情深闽宁同心｜县长在欢迎福州市考察团座谈会上的欢迎词", "县长在欢迎福州市考察团座谈会上的欢迎词"),
    # a site's name or domain in what is left of a menu or page title
    ("瑞文网 ruiwen.com　　工作报告 | 工作总结 | 讲话稿 | 心得体会\n政府工作报告", "政府工作报告"),
    ("宁乡县人民政府门户网站 - 领导讲话", None),
])
def test_a_menu_is_no_title_and_a_headlines_topic_goes(head: str, title: str | None) -> None:
    assert run(f"{head}\n同志们：\n{BODY}").title == title


def test_a_deleted_documents_page_leaves_nothing() -> None:
    c = run("很抱歉，该文档已被删除，或由于版权原因已下线！\n错误代码：404　5秒后自动跳转……")
    assert c.text == ""


@pytest.mark.parametrize("prose", ["个别部门文档不存在、资料不齐全，要限期整改。",
                                   "组织干部集中学习，阅读结束后要交流体会。"])
def test_prose_with_a_notices_words_is_kept(prose: str) -> None:
    c = run(f"{BODY}\n{prose}")
    assert (c.text, c.truncation_notice) == (f"{BODY}\n{prose}", False)
