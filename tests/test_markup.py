"""Markup: a saved web page in raw/ is read as the text it shows; a text is never touched."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cn_local_gov_speeches.markup import html_to_text, is_page, unescape_entities

from conftest import NAME, build
from synth import speech

PAGE = """<!DOCTYPE html>
<html><head><meta charset="gbk"><title>讲话_某县人民政府</title>
<link rel="canonical" href="http://www.xyx.gov.cn/zwgk/ldjh/123.html">
<script>var s = "<p>不是正文</p>";</script><style>p {{ color: red }}</style></head>
<body><div class="nav">首页 &gt; 政务公开 &gt; 领导讲话</div>
<h1>在全县经济工作会议上的讲话</h1>
<p>（2023年1月9日）</p><p>同志们：</p>
{paragraphs}
<!-- 注释不是正文 -->
<div class="footer"><a href="http://www.gov.cn/">中国政府网</a> <a href="https://www.doc88.com/">道客巴巴</a><br/>
版权所有：某县人民政府办公室&nbsp;&nbsp;ICP备00000000号</div></body></html>
"""


def _page(seed: int = 1) -> str:
    paragraphs = "".join(f"<p>{line}</p>\n" for line in speech(seed).splitlines())
    return PAGE.format(paragraphs=paragraphs)


def test_a_page_becomes_one_line_per_block_without_head_scripts_or_comments() -> None:
    text = html_to_text(_page())
    assert text is not None
    lines = text.split("\n")
    assert lines[:4] == ["http://www.xyx.gov.cn/zwgk/ldjh/123.html", "首页 > 政务公开 > 领导讲话",
                         "在全县经济工作会议上的讲话", "（2023年1月9日）"]
    assert lines[5:-2] == speech(1).splitlines()
    assert lines[-1] == "版权所有：某县人民政府办公室 ICP备00000000号"  # &nbsp; resolved, blanks folded
    assert "不是正文" not in text and "讲话_某县" not in text and "color" not in text


@pytest.mark.parametrize("text", [
    speech(2),
    "同志们：\n网页里的<p>标签和《在全县会议上的讲话》都是正文的一部分。\n",
    "<p>一段</p>" + "很长的正文。" * 200,  # a stray tag or two in a long text: markup does not outweigh it
])
def test_a_text_is_not_a_page(text: str) -> None:
    assert not is_page(text) and html_to_text(text) is None


def test_a_fragment_of_markup_is_a_page() -> None:
    assert is_page("<div><p>同志们：</p><p>今天开会。</p><p>谢谢大家。</p></div>")


def test_a_saved_page_in_raw_builds_from_its_shown_text(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "page.html").write_bytes(_page().encode("gbk"))
    assert build(raw, tmp_path / "dist") == 0
    row = pl.read_parquet(tmp_path / "dist" / NAME / "data" / "documents").row(0, named=True)
    assert row["title"] == "在全县经济工作会议上的讲话" and row["encoding"] == "gb18030"
    assert row["normalization"][0] == "html_to_text" and "<" not in row["text"]
    assert row["text"].startswith("同志们：\n第1项工作") and "版权所有" not in row["text"]
    assert str(row["date"]) == "2023-01-09"
    # The page's own address names the source, not the footer's links to other sites.
    assert (row["source_site"], row["source_kind"]) == ("xyx.gov.cn", "official")
    raw_row = pl.read_parquet(tmp_path / "dist" / NAME / "data" / "raw").row(0, named=True)
    assert raw_row["raw_text"].startswith("<!DOCTYPE html>")  # the raw config keeps the page as it came


def test_a_copied_texts_character_references_are_resolved() -> None:
    assert unescape_entities("&nbsp;&nbsp;同志们：\n要践行&ldquo;两山&rdquo;理念。") == "  同志们：\n要践行“两山”理念。"
    # resolved until none is left: a second pass changes nothing
    assert unescape_entities("A&amp;amp;B&nbsp;") == "A&B "
    assert unescape_entities("研发投入 R&D 占比；5 & 6") is None  # fewer than two references: untouched
