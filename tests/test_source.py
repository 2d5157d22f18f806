"""Source site and kind come from site profiles (data), never from per-file tables."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cn_local_gov_speeches.annotate.source import _URL, _urls, find_source, registrable_domain
from cn_local_gov_speeches.profiles import load_profiles


def test_registrable_domain_keeps_cn_second_level() -> None:
    assert registrable_domain("www.qinghe.gov.cn") == "qinghe.gov.cn"
    assert registrable_domain("m.bsmz.net") == "bsmz.net"
    assert registrable_domain("news.example.com.cn") == "example.com.cn"


def test_known_site_by_footer_url_and_by_name() -> None:
    p = load_profiles()
    r = find_source("同志们：今天开会。\nhttp://m.bsmz.net/gongwen/1.html", (), p)
    assert (r.site, r.kind) == ("bsmz.net", "template_site")
    r = find_source("同志们：今天开会。\n老笔杆儿网", (), p)
    assert (r.site, r.kind) == ("laobiganer.com", "template_site")


def test_a_profile_may_name_a_subdomain_that_is_a_site_of_its_own() -> None:
    p = load_profiles()
    r = find_source("同志们：今天开会。\nhttps://wenku.baidu.com/view/1.html", (), p)
    assert (r.site, r.kind) == ("wenku.baidu.com", "document_sharing")
    r = find_source("同志们：今天开会。\nhttps://baike.baidu.com/item/1", (), p)  # not the library
    assert (r.site, r.kind) == ("baidu.com", "unknown")


def test_a_news_site_is_known_by_its_domain_not_by_a_speech_quoting_its_name() -> None:
    p = load_profiles()
    assert find_source("据新华网报道，今天开会。", (), p).site is None
    r = find_source("同志们：今天开会。\nhttp://www.xinhuanet.com/politics/1.htm", (), p)
    assert (r.site, r.kind) == ("xinhuanet.com", "news")


def test_government_domain_is_official() -> None:
    r = find_source("同志们：今天开会。\n来源：www.qinghe.gov.cn", (), load_profiles())
    assert (r.site, r.kind) == ("qinghe.gov.cn", "official")


def test_bulletin_furniture_makes_an_official_source_without_a_site() -> None:
    r = find_source("……", ("清河政务通报", "第12期", "清河县人民政府办公室", "2022年5月20日"), load_profiles())
    assert (r.site, r.kind) == (None, "official") and "第12期" in (r.evidence or "")


@pytest.mark.parametrize("removed", [("网站标识码：6109000001    陕ICP备00000000号",), ("政府网站找错",),
                                     ("索引号：11610000K/2023-00012", "发文机关：河谷县人民政府办公室")])
def test_government_page_furniture_makes_an_official_source_without_a_site(removed: tuple[str, ...]) -> None:
    r = find_source("……", (), load_profiles(), removed)
    assert (r.site, r.kind) == (None, "official")


def test_a_wechat_article_is_known_by_its_reader_prompts() -> None:
    for removed in (("点击上方蓝字关注我们",), ("原创 河谷发布 2023-04-12 18:30 发表于陕西",)):
        r = find_source("……", (), load_profiles(), removed)
        assert (r.site, r.kind) == ("mp.weixin.qq.com", "unknown")
    assert find_source("……", (), load_profiles(), ("阅读原文",)).site is None  # any site's button


def test_unknown_domain_is_recorded_with_unknown_kind() -> None:
    r = find_source("同志们：今天开会。\nwww.some-fanwen.com/a/1.html", (), load_profiles())
    assert (r.site, r.kind) == ("some-fanwen.com", "unknown")


def test_an_email_address_names_the_site_only_when_nothing_else_does() -> None:
    page = "某某网　example-news.com.cn\n同志们：今天开会。\n电子邮件: webmaster@example-mail.org.cn"
    assert find_source(page, (), load_profiles()).site == "example-news.com.cn"
    assert find_source("同志们：今天开会。\n邮箱：webmaster@example-mail.org", (), load_profiles()).site == \
        "example-mail.org"


def test_no_evidence_no_source() -> None:
    r = find_source("同志们：今天开会。", (), load_profiles())
    assert (r.site, r.kind, r.evidence) == (None, "unknown", None)


def test_document_sharing_chrome_names_the_kind_without_a_site() -> None:
    r = find_source("……", (), load_profiles(), ("购物车", "加入VIP免费下载 立即下载"))
    assert (r.site, r.kind) == (None, "document_sharing")


def test_template_site_chrome_names_the_kind_without_a_site() -> None:
    r = find_source("……", (), load_profiles(), ("相关热词搜索:区政府 区长 会上 讲话",))
    assert (r.site, r.kind) == (None, "template_site")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="网站.:/-wWcnogvmeitKk\u212a\u017fs\u0131\u01301é 。\n", max_size=80))
@example("增长5.2%，见http://www.qinghe.gov.cn/a.html和WWW.EXAMPLE.COM.CN。x.ınfo 3.5 a.cnb")
def test_urls_are_the_matches_in_the_whole_text(text: str) -> None:
    # _urls searches only around the dots; it must find what a search of the whole text finds.
    assert [m.span() for m in _urls(text)] == [m.span() for m in _URL.finditer(text)]


def test_a_news_site_known_by_its_stamp_or_footer_is_named_by_its_domain() -> None:
    p = load_profiles()
    r = find_source("同志们：今天开会。", (), p, ("2023-01-12 09:15 来源：澎湃新闻·澎湃号·政务",))
    assert (r.site, r.kind) == ("thepaper.cn", "news")
    r = find_source("同志们：今天开会。", (), p, ("返回搜狐，查看更多",))
    assert (r.site, r.kind) == ("sohu.com", "news")
    # its name quoted in a speech is not the source
    assert find_source("据澎湃新闻报道，我县……", (), p).site is None


def test_a_kind_known_by_its_chrome_takes_the_domain_the_page_names() -> None:
    r = find_source("同志们：今天开会。\nwww.wkfx88.com", (), load_profiles(), ("购物车", "加入VIP免费下载"))
    assert (r.site, r.kind) == ("wkfx88.com", "document_sharing")
    r = find_source("……", (), load_profiles(), ("首页 | 工作总结 | 工作计划 | 讲话稿 | 心得体会",))
    assert (r.site, r.kind) == (None, "template_site")
