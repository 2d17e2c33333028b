"""The generic parser's publication date (crawlers/extract/generic_dates.py): the page's own statement
before any ``<time>`` of a related block, a time without offset in the source's zone. Small pages
written for the test, one failure kind each."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crawlers.extract.generic import parse_generic

SH = ZoneInfo("Asia/Shanghai")
URL = "https://news.example.cn/tech/a1.html"  # no date in the URL: the page must say it
ARTICLE = "<p>" + "市科技局有关负责人介绍了今年科技创新工作的主要安排和重点任务。" * 4 + "</p>"
RELATED = (
    "<div class='related-news'><h3>相关新闻</h3><ul>"
    "<li><a href='/1.html'>去年的一篇旧闻</a><time datetime='2023-01-09T08:00:00+08:00'>2023-01-09</time></li>"
    "<li><a href='/2.html'>前年的一篇旧闻</a><time datetime='2022-11-02T08:00:00+08:00'>2022-11-02</time></li>"
    "</ul></div>"
)


def _parse(head: str, body: str, tz: str = "Asia/Shanghai"):
    html = f"<html><head><meta charset='utf-8'><title>某某新闻</title>{head}</head><body>{body}</body></html>"
    return parse_generic(html, URL, default_tz=tz)


def test_a_related_blocks_time_is_not_the_articles_date():
    body = f"<article><h1>某某新闻</h1><time datetime='2025-03-05T09:30:00+08:00'>2025-03-05</time>{ARTICLE}</article>"
    article = _parse("", body + RELATED)  # htmldate's oldest date would be the related 2022-11-02
    assert article.published_at == datetime(2025, 3, 5, 9, 30, tzinfo=SH)
    assert article.extra["date_source"] == "htmldate"
    # the same in an <aside>, without a telling class
    aside = RELATED.replace("<div class='related-news'>", "<aside>").replace("</ul></div>", "</ul></aside>")
    assert _parse("", body + aside).published_at.date() == datetime(2025, 3, 5).date()
    # a block whose class names a side but which holds the headline is the article's
    inside = f"<div class='content-side'>{body}</div>"
    assert _parse("", inside + RELATED).published_at == datetime(2025, 3, 5, 9, 30, tzinfo=SH)


def test_json_ld_and_the_byline_come_before_any_time_element():
    jsonld = '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", "datePublished": "2025-03-05T09:30:00+08:00"}]}</script>'
    related_only = f"<div>{ARTICLE}</div>{RELATED.replace('related-news', 'box')}"  # a block htmldate would read
    article = _parse(jsonld, related_only)
    assert (article.published_at, article.extra["date_source"]) == (datetime(2025, 3, 5, 9, 30, tzinfo=SH), "json-ld")
    article = _parse("", f"<div class='info'>发布时间：2025-03-05 09:30</div>{related_only}")
    assert (article.published_at, article.extra["date_source"]) == (datetime(2025, 3, 5, 9, 30, tzinfo=SH), "header")
    # a two-digit year (portals write the year so when it is not this year's), read year first
    article = _parse("", f"<div class='info'><span>发布时间：18-03-08</span><span>23:16</span></div>{related_only}")
    assert article.published_at.date() == datetime(2018, 3, 8).date()


def test_a_time_without_offset_is_read_in_the_sources_zone():
    body = f"<article><time datetime='2025-03-05T23:30:00'>5 March 2025</time>{ARTICLE}</article>"
    article = _parse("", body, tz="Asia/Tokyo")  # 23:30 in Tokyo, not 23:30 UTC (the next day there)
    assert article.published_at == datetime(2025, 3, 5, 23, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert (
        _parse(
            '<meta property="article:published_time" content="2025-03-05 23:30">', ARTICLE, tz="Asia/Tokyo"
        ).published_at.day
        == 5
    )


def test_a_time_with_an_offset_keeps_it():
    # htmldate reports the offset; without it 20:00 would be read as Shanghai time, a day early
    body = f"<article><time datetime='2025-03-05T20:00:00-05:00'>March 5, 2025</time>{ARTICLE}</article>"
    assert _parse("", body).published_at == datetime(2025, 3, 6, 9, 0, tzinfo=SH)
