"""WordPress sites (www.ichongqing.info): the RSS feed, then each article page.

Feed: ``/feed/``, ``/feed/?paged=2``… (WordPress does not link the next feed page: ask for
``paged=N+1`` until a 404 or an empty feed). Items carry title, link, pubDate (RFC 822),
dc:creator and an excerpt, not the full text. Article pages: ``h1.entry-title``, ``link[rel=canonical]``,
``meta[property=article:published_time]``, byline "By XINYI LI|Mar 5,2024", body ``div.entry-content``.
Rules: :mod:`crawlers.extract.rules_wordpress`; the hooks here read what WordPress has of its own
(the canonical link, JSON-LD, the byline, ``article:tag`` metas).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from crawlers.extract.article import ArticleParser
from crawlers.extract.dates import DEFAULT_TZ, parse_date
from crawlers.extract.documents import ExtractedArticle, FeedEntry
from crawlers.extract.family import Selectors
from crawlers.extract.fields import Candidate
from crawlers.extract.html import block_text, element_text, first_element, meta_content, normalize_space, selector_for
from crawlers.extract.page import Page
from crawlers.extract.rules_wordpress import RULES, WORDPRESS_BYLINE_RE, WORDPRESS_TITLE_SUFFIX_RE
from crawlers.extract.urls import canonical_url, is_short_link, same_site


def parse_feed(xml: bytes | str, *, default_tz: str = DEFAULT_TZ) -> list[FeedEntry]:
    """Entries of an RSS/Atom feed, links canonicalised (tracking params stripped, AMP → normal page).

    An HTML page, an empty feed or garbage gives ``[]`` (the caller treats that as the end of the feed).
    """
    import feedparser

    parsed = feedparser.parse(xml if isinstance(xml, bytes) else xml.encode("utf-8"))
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        link = item.get("link") or ""
        if not link:
            continue
        url = canonical_url(link)
        if url in seen:
            continue
        seen.add(url)
        date = None
        for key in ("published", "updated", "created"):
            if item.get(key):
                date = parse_date(item[key], default_tz=default_tz)
                if date:
                    break
        summary_html = item.get("summary") or ""
        summary = block_text(selector_for(f"<div>{summary_html}</div>").css("div")[0].root) if summary_html else ""
        entries.append(
            FeedEntry(
                url=url,
                title=normalize_space(item.get("title")),
                published_at=date,
                author=normalize_space(item.get("author")) or None,
                summary=summary,
                guid=item.get("id") or None,
            )
        )
    return entries


def feed_page_url(feed_url: str, page: int) -> str:
    """Page ``page`` (1-based) of a WordPress feed: ``/feed/``, ``/feed/?paged=2``, ``/feed/?paged=3``…

    Other query parameters are kept; an existing ``paged`` is replaced.
    """
    parts = urlsplit(feed_url)
    params = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] != "paged"]
    if page > 1:
        params.append(f"paged={page}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(params), ""))


def clean_title(title: str | None) -> str:
    """A page title without the site suffix ("T | ichongqing" → "T")."""
    return normalize_space(WORDPRESS_TITLE_SUFFIX_RE.sub("", title or ""))


def parse_wordpress_article(
    html: str | bytes, url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> ExtractedArticle:
    """Title, date, author and body of a WordPress article page (normal or AMP copy; :data:`RULES`).

    URL: the page's ``link[rel=canonical]`` when it is on the same site (so an AMP copy or a
    ``?p=`` short link is stored under the real article URL), else ``url``; both canonicalised.
    Author: the byline's name. Body: ``div.entry-content`` without figures, captions, photo-credit
    lines and share/related blocks, one line per paragraph; trafilatura when no rule matches.
    """
    return PARSER.parse(html, url, selectors=selectors, default_tz=default_tz)


# ----------------------------------------------------------------------------- hooks of RULES
def _canonical_link(page: Page) -> None:
    sel = page.sel
    canonical = (
        sel.css('link[rel="canonical"]::attr(href)').get() or sel.css('meta[property="og:url"]::attr(content)').get()
    )
    if canonical:
        candidate = canonical_url(canonical, base=page.url)
        host = re.sub(r"^https?://([^/]+).*$", r"\1", page.url)
        if same_site(candidate, host) and not is_short_link(candidate):
            page.url = page.article.url = candidate


def _title(page: Page) -> Iterator[Candidate]:
    """The visible title, else a meta, else ``<title>``; the site suffix cut (twice where not visible)."""
    visible = first_element(page.sel, page.rules["title"])
    if visible:
        title, label = element_text(visible[1]), visible[0]
    else:
        found = meta_content(page.sel, page.rules["title_meta"])
        title = clean_title(found[1] if found else page.sel.xpath("string(//title)").get()) or None
        label = f"meta:{found[0]}" if found else "title"
    yield (clean_title(title) if title else title), label


def _scope(page: Page) -> Selector:
    """The post itself: bylines and <time> outside it (related posts, "most popular") are other articles'."""
    return page.once(
        "scope",
        lambda: next(
            (a for a in page.sel.css("article") if a.css("h1, .entry-content, .amp-wp-article-content")), page.sel
        ),
    )


def _byline(page: Page) -> str:
    def read() -> str:
        found = first_element(_scope(page), page.rules["byline"])
        return element_text(found[1], " ") if found else ""

    return page.once("byline", read)


def _byline_author(page: Page) -> Iterator[Candidate]:
    match = WORDPRESS_BYLINE_RE.search(_byline(page))
    if match and normalize_space(match.group("author")):
        yield normalize_space(match.group("author")), None


def _byline_date(page: Page) -> Iterator[Candidate]:
    if _byline(page):
        date = parse_date(_byline(page).split("|", 1)[-1], default_tz=page.default_tz)
        if date is not None:
            yield date, "byline"


def _time(page: Page) -> Iterator[Candidate]:
    value = _scope(page).css("time[datetime]::attr(datetime)").get()
    date = parse_date(value, default_tz=page.default_tz) if value else None
    if date is not None:
        yield date, "time"


_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "webpage"}


def _jsonld(page: Page) -> dict[str, str]:
    return page.once("jsonld", lambda: jsonld_article(page.sel))


def jsonld_article(sel: Selector) -> dict[str, str]:
    """``datePublished`` / ``author`` (a name) of the page's JSON-LD article object, if any."""
    found: dict[str, str] = {}
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
                continue
            if not isinstance(node, dict):
                continue
            if "@graph" in node:
                stack.append(node["@graph"])
            kind = node.get("@type")
            kinds = {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
            if not kinds & _ARTICLE_TYPES:
                continue
            if node.get("datePublished") and "datePublished" not in found:
                found["datePublished"] = str(node["datePublished"])
            author = node.get("author")
            if isinstance(author, list) and author:
                author = author[0]
            if isinstance(author, dict):
                author = author.get("name")
            if isinstance(author, str) and author.strip() and "author" not in found:
                found["author"] = normalize_space(author)
    return found


def _jsonld_date(page: Page) -> Iterator[Candidate]:
    value = _jsonld(page).get("datePublished")
    date = parse_date(value, default_tz=page.default_tz) if value else None
    if date is not None:
        yield date, "jsonld"


def _jsonld_author(page: Page) -> Iterator[Candidate]:
    if _jsonld(page).get("author"):
        yield _jsonld(page)["author"], None


def _tags(page: Page) -> Iterator[Candidate]:
    tags = [normalize_space(t) for t in page.sel.css('meta[property="article:tag"]::attr(content)').getall()]
    if tags:
        yield [t for t in tags if t], None


def _section(page: Page) -> Iterator[Candidate]:
    section = page.sel.css('meta[property="article:section"]::attr(content)').get()
    if section:
        yield normalize_space(section), None


HOOKS = {
    "canonical_link": _canonical_link,
    "title": _title,
    "byline_author": _byline_author,
    "byline_date": _byline_date,
    "time": _time,
    "jsonld_date": _jsonld_date,
    "jsonld_author": _jsonld_author,
    "tags": _tags,
    "section": _section,
}
PARSER = ArticleParser(RULES, HOOKS)
