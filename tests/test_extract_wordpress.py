"""crawlers.extract.wordpress: the WordPress feed and article pages (www.ichongqing.info)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.urls import canonical_url
from crawlers.extract.wordpress import clean_title, feed_page_url, parse_feed, parse_wordpress_article

SH = ZoneInfo("Asia/Shanghai")
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "www.ichongqing.info"
HOST = "https://www.ichongqing.info"
REF_PATH = "/2024/03/05/cultivate-high-level-talents-to-faster-new-quality-productive-forces-%e4%b8%a8cppcc-member/"

FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>iChongqing</title><link>{HOST}</link>
<item><title>Cultivate High-Level Talents to Faster New Quality Productive Forces丨CPPCC Member</title>
 <link>{HOST}{REF_PATH}</link><dc:creator><![CDATA[XINYI LI]]></dc:creator>
 <pubDate>Tue, 05 Mar 2024 08:12:45 +0000</pubDate><guid isPermaLink="false">{HOST}/?p=150636</guid>
 <description><![CDATA[<p>Beijing- &#8220;Talent is the first resource&#8221; [&#8230;]</p>]]></description></item>
<item><title>Opens R&#038;D &quot;Sandbox&quot;</title>
 <link>{HOST}/2024/03/04/cppcc-members/?utm_source=rss&amp;utm_medium=rss&amp;utm_campaign=cppcc</link>
 <pubDate>Mon, 04 Mar 2024 22:40:22 +0000</pubDate></item>
<item><title>AMP</title><link>{HOST}/2024/03/03/five-numbers/amp/</link><pubDate>Sun, 03 Mar 2024 07:10:09 +0000</pubDate></item>
<item><title>Duplicate of AMP</title><link>{HOST}/2024/03/03/five-numbers/</link></item>
</channel></rss>""".encode()

PAGE = f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">
<title>Cultivate High-Level Talents to Faster New Quality Productive Forces丨CPPCC Member | ichongqing</title>
<link rel="canonical" href="{HOST}{REF_PATH}">
<meta property="article:section" content="News"><meta property="article:tag" content="Two Sessions">
<meta property="article:published_time" content="2024-03-05T16:12:45+08:00"></head><body>
<div class="breadcrumbs"><a href="/">Home</a> &gt; <span>Cultivate …</span></div>
<article id="post-150636"><header class="entry-header">
 <h1 class="entry-title">Cultivate High-Level Talents to Faster New Quality Productive Forces丨CPPCC Member</h1>
 <div class="entry-meta"><span class="byline">By XINYI LI|Mar 5,2024</span></div></header>
 <div class="entry-content">
  <figure class="wp-block-image"><img src="a.jpg"><figcaption>Ming Ju. (Photo/Zhou Qi)</figcaption></figure>
  <p>Beijing- "Talent is the first resource," said Ming Ju.</p>
  <p>(Photo/Zhou Qi)</p>
  <p>Second&nbsp;paragraph   with   spaces.</p>
 </div>
 <footer class="entry-footer">Posted in News</footer>
</article>
<div class="share-buttons">Share: Facebook</div>
<section class="related-posts"><ul><li><a href="/2024/01/01/x/">X</a> <span class="post-date">Jan 1,2024</span></li></ul></section>
</body></html>"""


# ------------------------------------------------------------------ feed
def test_parse_feed_entries():
    entries = parse_feed(FEED)
    assert [e.url for e in entries] == [
        canonical_url(HOST + REF_PATH),
        f"{HOST}/2024/03/04/cppcc-members/",  # utm_* stripped
        f"{HOST}/2024/03/03/five-numbers/",  # AMP -> canonical page; the duplicate item is dropped
    ]
    ref = entries[0]
    assert ref.title.endswith("丨CPPCC Member")
    assert ref.author == "XINYI LI"
    assert ref.published_at == datetime(2024, 3, 5, 16, 12, 45, tzinfo=SH)
    assert ref.summary.startswith("Beijing- “Talent is the first resource”")
    assert ref.guid == f"{HOST}/?p=150636"
    assert entries[1].title == 'Opens R&D "Sandbox"'
    # RFC 822 in UTC, converted: the local date is the next day
    assert entries[1].published_at.date().isoformat() == "2024-03-05"


@pytest.mark.parametrize(
    "payload", [b"", b"<html><body>404 Not Found</body></html>", b"<rss><channel></channel></rss>", b"\x00garbage"]
)
def test_parse_feed_empty_or_not_a_feed(payload):
    assert parse_feed(payload) == []


def test_feed_page_url():
    assert feed_page_url(f"{HOST}/feed/", 1) == f"{HOST}/feed/"
    assert feed_page_url(f"{HOST}/feed/", 2) == f"{HOST}/feed/?paged=2"
    assert feed_page_url(f"{HOST}/feed/?paged=2", 3) == f"{HOST}/feed/?paged=3"
    assert feed_page_url(f"{HOST}/category/news/feed/?lang=en", 4) == f"{HOST}/category/news/feed/?lang=en&paged=4"


# ------------------------------------------------------------------ article pages
def test_article_with_byline():
    article = parse_wordpress_article(PAGE, HOST + REF_PATH + "amp/")
    assert article.url == canonical_url(HOST + REF_PATH)  # rel=canonical, not the AMP URL
    assert article.title == "Cultivate High-Level Talents to Faster New Quality Productive Forces丨CPPCC Member"
    assert article.author == "XINYI LI"
    assert article.published_at == datetime(2024, 3, 5, 16, 12, 45, tzinfo=SH)
    assert article.extra["date_source"] == "meta:article:published_time"
    assert article.extra["rule"] == "div.entry-content"
    assert article.extra["keywords"] == ["Two Sessions"] and article.extra["column_name"] == "News"
    assert article.body == 'Beijing- "Talent is the first resource," said Ming Ju.\nSecond paragraph with spaces.'


def test_article_without_byline_and_without_published_time():
    page = PAGE.replace('<div class="entry-meta"><span class="byline">By XINYI LI|Mar 5,2024</span></div>', "")
    article = parse_wordpress_article(page, HOST + REF_PATH)
    assert article.author is None and article.published_at == datetime(2024, 3, 5, 16, 12, 45, tzinfo=SH)
    page = page.replace('<meta property="article:published_time" content="2024-03-05T16:12:45+08:00">', "")
    article = parse_wordpress_article(page, HOST + REF_PATH)
    # not the related-posts date (Jan 1,2024): the URL's /2024/03/05/
    assert article.published_at == datetime(2024, 3, 5, tzinfo=SH)
    assert article.extra["date_source"] == "url"


def test_article_date_from_byline():
    page = PAGE.replace('<meta property="article:published_time" content="2024-03-05T16:12:45+08:00">', "")
    article = parse_wordpress_article(page, f"{HOST}/2024/03/06/other-slug/")
    assert article.published_at == datetime(2024, 3, 5, tzinfo=SH)
    assert article.extra["date_source"] == "byline"


def test_article_title_fallbacks_and_short_link_canonical():
    page = PAGE.replace("entry-title", "other").replace(f"{HOST}{REF_PATH}", f"{HOST}/?p=150636")
    article = parse_wordpress_article(page, HOST + REF_PATH)
    assert article.title == "Cultivate High-Level Talents to Faster New Quality Productive Forces丨CPPCC Member"
    assert article.url == canonical_url(HOST + REF_PATH)  # a ?p= canonical is not better than the page URL
    assert clean_title("T | ichongqing") == "T"


def test_article_body_fallback_to_trafilatura():
    paragraphs = "".join(
        f"<p>Paragraph {i}: Chongqing is building a science city with many laboratories and institutes.</p>"
        for i in range(8)
    )
    page = f"<html><head><title>T | ichongqing</title></head><body><div class='post'><h2>T</h2>{paragraphs}</div></body></html>"
    article = parse_wordpress_article(page, f"{HOST}/2024/03/05/t/")
    assert article.extra["rule"] == "trafilatura" and "Paragraph 3" in article.body


# ------------------------------------------------------------------ the replay fixture site
needs_site = pytest.mark.skipif(not (SITE / "feed").is_dir(), reason="www.ichongqing.info fixture site not built")


def _page(path: str) -> tuple[bytes, str]:
    url = HOST + path
    return (SITE / unquote(path).lstrip("/") / "index.html").read_bytes(), url


@needs_site
def test_fixture_feed_pages():
    counts = []
    urls = []
    for name in ("index.xml", "index.paged=2.xml", "index.paged=3.xml"):
        entries = parse_feed((SITE / "feed" / name).read_bytes())
        counts.append(len(entries))
        urls += [e.url for e in entries]
        assert all(e.published_at and e.author and e.title for e in entries)
    assert counts == [10, 10, 5] and len(set(urls)) == 25
    assert not any("utm_" in u or u.endswith("/amp/") for u in urls)
    assert canonical_url(HOST + REF_PATH) in urls


@needs_site
def test_fixture_articles_match_the_data():
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load((SITE / "_build" / "articles.yaml").read_text(encoding="utf-8"))["articles"]
    assert len(data) == 25
    for entry in data:
        published = datetime.fromisoformat(entry["published"])
        path = f"/{published:%Y/%m/%d}/{entry['slug']}/"
        html, url = _page(path)
        article = parse_wordpress_article(html, url)
        assert article.url == canonical_url(url), entry["id"]
        assert article.title == entry["title"], entry["id"]
        assert article.published_at.date() == published.date(), entry["id"]
        if entry.get("trap") in ("no_byline", "url_date_only"):
            assert article.author is None
        else:
            assert article.author == entry["author"], entry["id"]
        if entry.get("trap") == "url_date_only":
            assert article.extra["date_source"] == "url"
        else:
            assert article.published_at == published.astimezone(SH), entry["id"]
        for paragraph in entry["paragraphs"]:
            assert " ".join(paragraph.split()) in article.body, (entry["id"], paragraph[:30])
        assert "(Photo/" not in article.body and "Related Posts" not in article.body and "Share:" not in article.body


@needs_site
def test_fixture_amp_page():
    path = "/2024/03/03/chongqings-innovation-platforms-five-numbers-to-know-ahead-of-the-two-sessions/amp/"
    html, url = _page(path)
    article = parse_wordpress_article(html, url)
    assert article.url == HOST + path.removesuffix("amp/")
    assert article.title.startswith("Chongqing's Innovation Platforms")
    assert article.published_at == datetime(2024, 3, 3, 15, 10, 9, tzinfo=SH)
    assert article.extra["rule"] == ".amp-wp-article-content"
    canonical, _ = _page(path.removesuffix("amp/"))
    assert article.body == parse_wordpress_article(canonical, HOST + path.removesuffix("amp/")).body


@needs_site
def test_fixture_percent_encoded_slug_is_one_url():
    html, url = _page(REF_PATH)
    # raw CJK, lower-case and upper-case escapes: one canonical URL
    assert parse_wordpress_article(html, url).url == canonical_url(HOST + quote(unquote(REF_PATH)))
