"""crawlers.extract.zcms: rmzxw.com.cn and people.com.cn pages (real ones included), charsets, multi-page articles, advertorials."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.urls import canonical_url
from crawlers.extract.zcms import (
    decode_page,
    first_page,
    join_pages,
    parse_zcms_article,
    parse_zcms_list,
)

SH = ZoneInfo("Asia/Shanghai")
SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
PEOPLE = SITES / "cppcc.people.com.cn"
RMZXW = SITES / "www.rmzxw.com.cn"
REAL_PEOPLE_URL = "http://cppcc.people.com.cn/n1/2024/0424/c1001-40223222.html"
REAL_RMZXW_URL = "https://www.rmzxw.com.cn/c/2026-09-16/3976199.shtml"
LYING_HEADER = "text/html; charset=GB2312"  # what people.com.cn sends with GBK bytes


@pytest.fixture(scope="module")
def expected():
    return json.loads((PEOPLE / "_real" / "People_2024_04_24.expected.fundus.json").read_text(encoding="utf-8"))["V1"]


# --------------------------------------------------------------------------- the real people.com.cn page
@pytest.mark.parametrize(
    ("name", "as_bytes", "content_type"),
    [
        ("People_2024_04_24.html", False, None),  # fundus' stored copy, already text
        ("People_2024_04_24.gb18030.html", True, LYING_HEADER),  # the bytes the server sends, with its header
        ("People_2024_04_24.gb18030.html", True, None),  # no header: the <meta> says GB2312 too
    ],
)
def test_real_people_page_matches_the_fundus_parse(expected, name, as_bytes, content_type):
    raw = (PEOPLE / "_real" / name).read_bytes()
    page = raw if as_bytes else raw.decode("utf-8")
    article = parse_zcms_article(page, REAL_PEOPLE_URL, content_type=content_type)

    assert article.body.split("\n") == expected["body"]["sections"][0]["paragraphs"]
    # fundus keeps the site suffix of <title> ("--时政--人民网"); the headline is the title without it
    assert expected["title"] == article.title + "--时政--人民网"
    assert (
        article.published_at.date() == datetime.fromisoformat(expected["publishing_date"]).date() == date(2024, 4, 24)
    )
    assert article.published_at == datetime(2024, 4, 24, 23, 52, tzinfo=SH)  # the time from div.channel
    assert article.extra["editors"] == expected["authors"]  # "(责编：牛镛、岳弘彬)"
    assert article.source_office == "新华网"  # meta source "来源：新华网" without its label
    assert article.author is None  # meta author is a staff number (105092), not a name
    assert (article.extra["content_id"], article.extra["catalog"], article.extra["advertorial"]) == (
        "40223222",
        "1001",
        False,
    )
    assert article.extra["keywords"][:3] == ["深空探测", "探月工程", "加勒比国家"]
    assert "分享让更多人看到" not in article.body and "责编" not in article.body


def test_gb2312_label_is_decoded_as_gb18030():
    raw = (PEOPLE / "_real" / "People_2024_04_24.gb18030.html").read_bytes()
    original = (PEOPLE / "_real" / "People_2024_04_24.html").read_text(encoding="utf-8")
    assert decode_page(raw, LYING_HEADER) == original
    # what a strict GB2312 decoder would make of it (the trap is real: 28 more U+FFFD)
    assert raw.decode("gb2312", errors="replace").count("\ufffd") == original.count("\ufffd") + 28
    assert decode_page(raw, None, charset="GBK") == original  # a registry override of GBK also reads it
    assert decode_page("喆".encode(), "text/html") == "喆"  # no charset anywhere: UTF-8


def test_reconstructed_people_page_keeps_gbk_only_characters():
    url = "http://cppcc.people.com.cn/n1/2024/0305/c34948-40189876.html"
    raw = (PEOPLE / "n1" / "2024" / "0305" / "c34948-40189876.html").read_bytes()
    article = parse_zcms_article(raw, url, content_type=LYING_HEADER)
    assert article.title == "政协委员聚焦新质生产力：让科技创新“关键变量”成为发展“最大增量”"
    assert article.extra["kicker"] == "聚焦2024全国两会"
    assert article.extra["editors"] == ["郝孟佳", "王喆"]
    assert "张镕" in article.body and "李堃" in article.body and "——让更多" in article.body
    assert "\ufffd" not in article.body + article.title
    assert article.published_at == datetime(2024, 3, 5, 22, 41, tzinfo=SH)


def test_people_abstract_picture_box_and_paper_line_are_not_body():
    opening = parse_zcms_article(
        (PEOPLE / "n1" / "2024" / "0304" / "c34948-40189205.html").read_bytes(),
        "http://cppcc.people.com.cn/n1/2024/0304/c34948-40189205.html",
        content_type=LYING_HEADER,
    )
    assert opening.body.split("\n")[0].startswith("新华社北京3月4日电")  # .bza abstract skipped
    assert "赵赟 摄" not in opening.body  # .box_pic caption skipped
    interview = parse_zcms_article(
        (PEOPLE / "n1" / "2024" / "0303" / "c34948-40188467.html").read_bytes(),
        "http://cppcc.people.com.cn/n1/2024/0303/c34948-40188467.html",
        content_type=LYING_HEADER,
    )
    assert interview.extra["subtitle"] == "——访全国政协委员陈玥"
    assert "人民日报 》（" not in interview.body and len(interview.body.split("\n")) == 3
    assert "让-皮埃尔·马丁" in interview.body  # U+00B7: GBK, not GB2312


def test_people_list_pages_from_bytes():
    entries, next_url = parse_zcms_list(
        (PEOPLE / "GB" / "34948" / "index.html").read_bytes(), "http://cppcc.people.com.cn/GB/34948/index.html"
    )
    assert next_url == "http://cppcc.people.com.cn/GB/34948/index2.html"
    assert [e.url for e in entries] == [
        REAL_PEOPLE_URL,
        "http://cppcc.people.com.cn/n1/2024/0305/c34948-40189876.html",
        "http://cppcc.people.com.cn/n1/2024/0305/c34948-40189510.html",  # the digest's reposted story
        "http://cppcc.people.com.cn/n1/2024/0304/c34948-40189205.html",
    ]
    assert entries[1].title.endswith("成为发展“最大增量”") and entries[1].date == datetime(2024, 3, 5, tzinfo=SH)
    last, next_url = parse_zcms_list(
        (PEOPLE / "GB" / "34948" / "index2.html").read_bytes(), "http://cppcc.people.com.cn/GB/34948/index2.html"
    )
    assert next_url is None and len(last) == 4  # 0303's item moved here from the first page


# --------------------------------------------------------------------------- the real rmzxw.com.cn page
def test_real_rmzxw_page_parses_and_is_flagged_as_advertorial():
    article = parse_zcms_article(
        (RMZXW / "_real" / "rmzxw_c_2026-09-16_3976199.TRIMMED.html").read_bytes(), REAL_RMZXW_URL
    )
    assert article.url == REAL_RMZXW_URL
    assert article.title == "划清人工智能“模拟智能”与“本源觉知”的边界——一套可量化的AI研判与治理框架"
    assert article.published_at == datetime(2026, 9, 16, 14, 35, tzinfo=SH)
    assert article.extra["date_source"] == "meta:publishdate+header"
    assert article.source_office == "中国网"
    assert article.extra["advertorial"] is True
    assert "企业广告宣传资讯" in article.extra["advertorial_notice"]
    lines = article.body.split("\n")
    assert lines[0].startswith("当前，生成式人工智能技术快速迭代") and lines[-1] == "（人工智能治理研究学者 黄清佳）"
    assert len(lines) == 5  # 3 + 2 paragraphs kept by the trimmed copy; no empty <p><br/></p>
    assert "免责声明" not in article.body and "分享" not in article.body
    assert (article.extra["content_id"], article.extra["catalog"], article.extra["column_name"]) == (
        "3976199",
        "18195",
        "滚动资讯",
    )
    assert article.extra["more_pages"] == []


def test_normal_rmzxw_article_is_not_an_advertorial():
    url = "https://www.rmzxw.com.cn/c/2024-03-01/3511702.shtml"
    article = parse_zcms_article((RMZXW / "c" / "2024-03-01" / "3511702.shtml").read_bytes(), url)
    assert article.extra["advertorial"] is False and "advertorial_notice" not in article.extra
    # meta source empty: the office comes from div.Remark "来源："
    assert article.source_office == "人民政协报"
    assert article.author == "记者 陈静" and article.extra["editors"] == ["张楠"]


def test_reconstructed_advertorial_is_flagged():
    url = "https://www.rmzxw.com.cn/c/2024-03-04/3512330.shtml"
    assert (
        parse_zcms_article((RMZXW / "c" / "2024-03-04" / "3512330.shtml").read_bytes(), url).extra["advertorial"]
        is True
    )


# --------------------------------------------------------------------------- multi-page articles
def test_multi_page_article_is_joined_under_the_first_page():
    base = "https://www.rmzxw.com.cn/c/2024-03-04/"
    pages = [
        parse_zcms_article((RMZXW / "c" / "2024-03-04" / name).read_bytes(), base + name)
        for name in ("3512544.shtml", "3512544_2.shtml", "3512544_3.shtml")
    ]
    assert pages[0].extra["more_pages"] == [base + "3512544_2.shtml", base + "3512544_3.shtml"]
    assert all(page.url == base + "3512544.shtml" for page in pages)  # every page names the article
    assert "editors" not in pages[0].extra  # p.Editor is empty on the first pages

    joined = join_pages(
        pages[0], pages[1:], [base + "3512544.shtml", base + "3512544_2.shtml", base + "3512544_3.shtml"]
    )
    assert joined.url == base + "3512544.shtml"
    assert joined.title == "协商议政这一年：全国政协2023年履职回眸"
    lines = joined.body.split("\n")
    assert len(lines) == 6
    assert lines[0].startswith("2023年是全国政协十四届的开局之年") and lines[2].startswith("在双周协商座谈会上")
    assert lines[-1] == "（本文为系列报道之一）"
    assert joined.extra["pages"] == 3 and len(joined.extra["page_urls"]) == 3
    assert "more_pages" not in joined.extra
    assert joined.extra["editors"] == ["李慧"]  # from the last page
    assert joined.published_at == datetime(2024, 3, 4, 20, 10, tzinfo=SH)


def test_an_advertorial_notice_on_a_later_page_flags_the_joined_article():
    first = parse_zcms_article(
        PAGE.format(paging='<a href="9_2.shtml">2</a>', notice=""), "https://www.rmzxw.com.cn/c/2024-03-01/9.shtml"
    )
    second = parse_zcms_article(
        PAGE.format(paging="", notice=NOTICE), "https://www.rmzxw.com.cn/c/2024-03-01/9_2.shtml"
    )
    assert first.extra["more_pages"] == ["https://www.rmzxw.com.cn/c/2024-03-01/9_2.shtml"]
    assert (first.extra["advertorial"], second.extra["advertorial"]) == (False, True)
    assert join_pages(first, [second], []).extra["advertorial"] is True


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.rmzxw.com.cn/c/2024-03-04/3512544_2.shtml",
            ("https://www.rmzxw.com.cn/c/2024-03-04/3512544.shtml", 2),
        ),
        (
            "https://www.rmzxw.com.cn/c/2024-03-04/3512544.shtml",
            ("https://www.rmzxw.com.cn/c/2024-03-04/3512544.shtml", 1),
        ),
        (
            "http://cppcc.people.com.cn/n1/2024/0305/c34948-40189876-3.html",
            ("http://cppcc.people.com.cn/n1/2024/0305/c34948-40189876.html", 3),
        ),
        ("http://cppcc.people.com.cn/GB/34948/index2.html", ("http://cppcc.people.com.cn/GB/34948/index2.html", 1)),
    ],
)
def test_first_page(url, expected):
    assert first_page(url) == expected


def test_people_multi_page_links_in_zdfy():
    html = PEOPLE_PAGE.format(
        zdfy='<div class="zdfy clearfix"><a href="/n1/2024/0305/c34948-40189876.html">1</a>'
        '<a href="/n1/2024/0305/c34948-40189876-2.html">2</a></div>'
    )
    article = parse_zcms_article(html, "http://cppcc.people.com.cn/n1/2024/0305/c34948-40189876.html")
    assert article.extra["more_pages"] == ["http://cppcc.people.com.cn/n1/2024/0305/c34948-40189876-2.html"]
    assert article.body == "第一页正文。"  # the in-article pager is not body


# --------------------------------------------------------------------------- rmzxw list pages and URLs
def test_rmzxw_list_pages():
    entries, next_url = parse_zcms_list(
        (RMZXW / "xs" / "index.shtml").read_text(encoding="utf-8"), "https://www.rmzxw.com.cn/xs/index.shtml"
    )
    assert next_url == "https://www.rmzxw.com.cn/xs/index_1.shtml"
    assert [e.url for e in entries] == [
        "https://www.rmzxw.com.cn/c/2024-03-05/3512871.shtml",
        "https://www.rmzxw.com.cn/c/2024-03-04/3512544.shtml",
        "https://www.rmzxw.com.cn/c/2024-03-03/3511960.shtml",  # protocol-relative href
        "https://www.rmzxw.com.cn/c/2024-03-01/3511702.shtml",  # http://www.rmzxb.com.cn/… href
    ]
    assert entries[0].date == datetime(2024, 3, 5, 14, 35, tzinfo=SH)
    second, next_url = parse_zcms_list(
        (RMZXW / "xs" / "index_1.shtml").read_text(encoding="utf-8"), "https://www.rmzxw.com.cn/xs/index_1.shtml"
    )
    assert next_url is None  # 上一页 / 首页 / 尾页 are not the next page
    assert second[-1].url == "https://www.rmzxw.com.cn/c/2024-03-04/3512544.shtml"  # a link to page 2 is the article


def test_list_without_known_container_falls_back_to_article_shaped_links():
    html = (
        '<div class="newlist"><a href="/c/2024-03-05/1.shtml">甲</a> <a href="/xs/">协商</a> '
        '<a href="/c/2024-03-04/2_2.shtml">乙（二）</a> <a href="/c/2024-03-04/2.shtml">乙</a></div>'
    )
    entries, _ = parse_zcms_list(html, "https://www.rmzxw.com.cn/xs/index.shtml")
    assert [(e.url, e.date.date()) for e in entries] == [
        ("https://www.rmzxw.com.cn/c/2024-03-05/1.shtml", date(2024, 3, 5)),
        ("https://www.rmzxw.com.cn/c/2024-03-04/2.shtml", date(2024, 3, 4)),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.rmzxb.com.cn/c/2024-03-01/3511702.shtml", "https://www.rmzxw.com.cn/c/2024-03-01/3511702.shtml"),
        ("https://rmzxb.com.cn/c/2024-03-01/3511702.shtml", "https://www.rmzxw.com.cn/c/2024-03-01/3511702.shtml"),
        (
            "http://www.rmzxw.com.cn/c/2024-03-01/3511702.shtml?spm=x",
            "https://www.rmzxw.com.cn/c/2024-03-01/3511702.shtml",
        ),
        (
            "https://cppcc.people.com.cn/n1/2024/0305/c34948-40189876.html",
            "http://cppcc.people.com.cn/n1/2024/0305/c34948-40189876.html",
        ),
    ],
)
def test_canonical_urls_of_the_family(url, expected):
    assert canonical_url(url) == expected


def test_header_day_that_disagrees_with_publishdate_is_recorded():
    html = PAGE.format(paging="", notice="").replace("2024年03月01日&#32;10:00", "2024年03月02日&#32;10:00")
    article = parse_zcms_article(html, "https://www.rmzxw.com.cn/c/2024-03-01/9.shtml")
    assert article.published_at == datetime(2024, 3, 1, tzinfo=SH)  # the meta wins, without a time
    assert article.extra["date_source"] == "meta:publishdate"
    assert "2024-03-02" in article.extra["date_conflict"]


PAGE = """<html><head><meta charset="utf-8"><meta name="publishdate" content="2024-03-01"/><meta name="source" content="人民政协网"/>
<title>某文-人民政协网</title></head><body>
<h1 class="Content_title"><span id="a">某文</span></h1>
<div class="Remark"><span>2024年03月01日&#32;10:00&nbsp; | &nbsp;来源：人民政协网</span></div>
<div class="text_box"><p>正文。</p></div><p class="Editor"></p><div class="Paging">{paging}</div>{notice}
</body></html>"""
NOTICE = "<p>【免责声明】</p><p>（此文内容为本网站刊发或转载企业广告宣传资讯，仅代表作者个人观点，与本网无关。）</p>"
PEOPLE_PAGE = """<html><head><meta http-equiv="content-type" content="text/html;charset=GB2312"/><meta name="publishdate" content="2024-03-05">
<title>标题--中国政协新闻网--人民网</title></head><body>
<div class="rm_txt"><h1>标题</h1><div class="channel"><div class="col-1-1">2024年03月05日22:41 | 来源：人民网</div></div>
<div class="rm_txt_con"><p>　　第一页正文。</p>{zdfy}<div class="edit">(责编：王喆)</div></div></div></body></html>"""
