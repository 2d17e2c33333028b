"""crawlers.extract.gkmlpt: the gkmlpt index config, the JSON list API and article pages (stic.sz.gov.cn)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.gkmlpt import (
    GkmlptError,
    gkmlpt_api_url,
    gkmlpt_url,
    js_literal,
    parse_gkmlpt_api,
    parse_gkmlpt_config,
    parse_gkmlpt_detail,
    wanted_categories,
)
from crawlers.extract.rules import with_overrides
from crawlers.extract.rules_gkmlpt import GKMLPT_RULES
from crawlers.extract.urls import canonical_url

SH = ZoneInfo("Asia/Shanghai")
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "stic.sz.gov.cn"
INDEX = "http://stic.sz.gov.cn/gkmlpt/index"
API_2917 = SITE / "gkmlpt" / "api" / "all" / "2917"


# --------------------------------------------------------------------------- index page
def test_config_sid_and_javascript_tree():
    config = parse_gkmlpt_config((SITE / "gkmlpt" / "index" / "index.html").read_bytes())
    assert config.sid == "755031"
    assert [(c.id, c.name) for c in config.categories][:4] == [
        (2916, "机构信息"),
        (2920, "机构职能"),
        (2921, "领导信息"),
        (2917, "通知公告"),
    ]
    (rules,) = config.select(["规范性文件"])
    assert (rules.id, rules.path) == (2925, ("政策法规", "规范性文件"))
    assert [c.id for c in config.select(["2917", "2925", "通知公告"])] == [2917, 2925]  # no category twice


def test_unknown_category_names_the_known_ones():
    config = parse_gkmlpt_config("<script>window._CONFIG = {SID:'1', TREE:[{id:7, name:'通知公告'}]};</script>")
    with pytest.raises(GkmlptError, match=r"category '9999' is not in the TREE \(known: 7 通知公告\)"):
        config.select(["9999"])


@pytest.mark.parametrize(
    "page, message",
    [
        ("<html><body>已改版</body></html>", "no window._CONFIG on the page"),
        ("<script>window._CONFIG = {TREE: []};</script>", "window._CONFIG has no SID"),
        ("<script>window._CONFIG = {SID:'1', TREE: [{id: 1, name: foo()}]};</script>", "unexpected"),
    ],
)
def test_config_errors_say_what_is_missing(page, message):
    with pytest.raises(GkmlptError, match=message):
        parse_gkmlpt_config(page)


def test_js_literal_accepts_what_javascript_writes():
    text = """x = [{id: 1, name: 'it\\'s "quoted"', ok: true, none: undefined, /* c */ list: [1, 2,],}, // end
    ]; rest"""
    value, end = js_literal(text, text.index("["))
    assert value == [{"id": 1, "name": 'it\'s "quoted"', "ok": True, "none": None, "list": [1, 2]}]
    assert text[end:] == "; rest"


def test_categories_come_from_the_registry_selectors():
    assert wanted_categories(GKMLPT_RULES) == []  # no default: a whole tree is far too much
    assert wanted_categories(with_overrides(GKMLPT_RULES, {"categories": "2917, 规范性文件"})) == ["2917", "规范性文件"]


# --------------------------------------------------------------------------- list API
def test_api_page_entries_dates_and_metadata():
    page = parse_gkmlpt_api((API_2917 / "index.page=1&sid=755031.json").read_bytes(), INDEX)
    assert (page.total, page.count) == (8, 5)
    first = page.entries[0]
    assert first.url == "http://stic.sz.gov.cn/gkmlpt/content/11/11153/post_11153246.html"
    # epoch SECONDS, read in Asia/Shanghai: 07:30 on 5 March there is still 4 March in UTC
    assert first.date == datetime(2024, 3, 5, 7, 30, tzinfo=SH)
    assert first.date.astimezone(UTC).day == 4
    assert first.source_office == "深圳市科技创新局"
    assert first.extra["index_number"] == "11440300MB2C92057M/2024-00087"
    assert first.extra["keywords"] == ["高新技术企业", "培育资助"]
    assert first.extra["classify_genre_name"] == "通知" and "document_number" not in first.extra  # empty: left out


def test_api_https_link_keeps_the_index_scheme_and_other_hosts_stay_themselves():
    urls = [e.url for e in parse_gkmlpt_api((API_2917 / "index.page=1&sid=755031.json").read_bytes(), INDEX).entries]
    assert urls[1] == "http://stic.sz.gov.cn/gkmlpt/content/11/11152/post_11152810.html"  # API said https
    assert urls[2] == "http://www.sz.gov.cn/gkmlpt/content/11/11150/post_11150021.html"  # off-site: the spider drops it


def test_api_date_as_string_and_null_date_falls_back_to_display_publish_time():
    page1 = parse_gkmlpt_api((API_2917 / "index.page=1&sid=755031.json").read_bytes(), INDEX)
    as_string = next(e for e in page1.entries if e.id == "11150347")
    assert as_string.date == datetime(2024, 2, 29, 10, 0, tzinfo=SH)
    page2 = parse_gkmlpt_api((API_2917 / "index.page=2&sid=755031.json").read_bytes(), INDEX)
    null_date = next(e for e in page2.entries if e.id == "11146005")
    assert null_date.date == datetime(2024, 2, 20, 15, 0, tzinfo=SH)


def test_api_attachments_are_absolute_http():
    page = parse_gkmlpt_api((SITE / "gkmlpt/api/all/2925/index.page=1&sid=755031.json").read_bytes(), INDEX)
    assert page.entries[0].extra["attachments"] == [
        {
            "name": "深圳市科技计划项目管理办法.pdf",
            "url": "http://stic.sz.gov.cn/attachment/1/1151/1151903/11151903.pdf",
        },
        {
            "name": "《深圳市科技计划项目管理办法》起草说明.docx",
            "url": "http://stic.sz.gov.cn/attachment/1/1151/1151904/11151903.docx",
        },
    ]
    assert page.entries[0].extra["document_number"] == "深科技创新规〔2024〕1号"


@pytest.mark.parametrize(
    "answer, message",
    [
        (
            "<html><title>502 Bad Gateway</title></html>",
            r"the answer is not JSON \(.*\): '<html><title>502 Bad Gateway",
        ),
        (json.dumps({"total": 0, "data": []}), "the JSON has no articles list"),
    ],
)
def test_api_answer_that_is_not_the_expected_json(answer, message):
    with pytest.raises(GkmlptError, match=message):
        parse_gkmlpt_api(answer, INDEX)


def test_api_and_link_urls():
    assert gkmlpt_api_url(INDEX, 2917, 2, "755031") == "http://stic.sz.gov.cn/gkmlpt/api/all/2917?page=2&sid=755031"
    assert gkmlpt_url("https://stic.sz.gov.cn/gkmlpt/content/1/1/post_1.html?utm_source=x", INDEX) == (
        "http://stic.sz.gov.cn/gkmlpt/content/1/1/post_1.html"
    )
    assert (
        gkmlpt_url("/gkmlpt/content/1/1/post_1.html", INDEX) == "http://stic.sz.gov.cn/gkmlpt/content/1/1/post_1.html"
    )
    # any https link to the host (not only the API's) is canonical as http: it is the scheme that works
    assert canonical_url("https://stic.sz.gov.cn/gkmlpt/index") == "http://stic.sz.gov.cn/gkmlpt/index"
    # another gkmlpt host without a registry entry still follows the scheme of its index page
    assert gkmlpt_url("https://www.sz.gov.cn/gkmlpt/content/1/1/post_2.html", "http://www.sz.gov.cn/gkmlpt/index") == (
        "http://www.sz.gov.cn/gkmlpt/content/1/1/post_2.html"
    )


# --------------------------------------------------------------------------- article pages
def _detail(article_id: int, url: str | None = None):
    path = f"gkmlpt/content/{article_id // 1_000_000}/{article_id // 1000}/post_{article_id}.html"
    return parse_gkmlpt_detail((SITE / path).read_bytes(), url or f"http://stic.sz.gov.cn/{path}", index_url=INDEX)


def test_detail_body_from_the_escaped_content_field():
    article = _detail(11153246)
    assert article.extra["rule"] == "json:content"
    assert article.title == "深圳市科技创新局关于2024年度深圳市高新技术企业培育资助申请的通知"
    assert article.published_at == datetime(2024, 3, 5, 7, 30, tzinfo=SH)
    assert article.source_office == "深圳市科技创新局"
    lines = article.body.splitlines()
    assert lines[0] == "各有关单位：" and lines[-2:] == ["深圳市科技创新局", "2024-03-05"]
    assert not any(mark in article.body for mark in ("<p", "<\\/", "\\u", "&nbsp;", "text-indent"))


def test_detail_ascii_escaped_html_escaped_and_entities():
    ascii_json = _detail(11143519)
    assert ascii_json.body.startswith("2024年2月10日至17日春节假期期间，我局安排专人值班")
    html_escaped = _detail(11148992)
    assert html_escaped.body.splitlines()[:2] == [
        "各有关单位：",
        "根据《深圳市科学技术奖励办法》，现启动2024年度深圳市科学技术奖提名工作。提名截止时间为2024年4月30日。",
    ]
    entities = _detail(11152810)
    assert "聚焦“20+8”产业集群关键核心技术" in entities.body and "&" not in entities.body


def test_detail_attachments_from_content_and_json_merged_and_url_stays_http():
    article = _detail(11151903, url="https://stic.sz.gov.cn/gkmlpt/content/11/11151/post_11151903.html")
    assert article.url == "http://stic.sz.gov.cn/gkmlpt/content/11/11151/post_11151903.html"
    assert article.extra["document_number"] == "深科技创新规〔2024〕1号"  # the page repeats the API's 文号
    assert [a["url"] for a in article.extra["attachments"]] == [
        "http://stic.sz.gov.cn/attachment/1/1151/1151903/11151903.pdf",
        "http://stic.sz.gov.cn/attachment/1/1151/1151904/11151903.docx",
    ]


def test_server_rendered_page_without_json_uses_metas_and_body_rules():
    html = """<html><head><meta name="ArticleTitle" content="服务端渲染的页面"><meta name="PubDate" content="2024-03-01 09:00">
    <meta name="ContentSource" content="深圳市科技创新局"></head><body><div class="nav">首页</div>
    <div class="article-content"><p>第一段。</p><script>var x = 1;</script><p>第二段。</p></div></body></html>"""
    article = parse_gkmlpt_detail(html, "http://stic.sz.gov.cn/gkmlpt/content/1/1/post_1.html")
    assert (article.title, article.body, article.source_office) == (
        "服务端渲染的页面",
        "第一段。\n第二段。",
        "深圳市科技创新局",
    )
    assert (
        article.published_at == datetime(2024, 3, 1, 9, 0, tzinfo=SH) and article.extra["rule"] == "div.article-content"
    )
