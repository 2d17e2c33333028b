"""WordPress sites (www.ichongqing.info): the RSS feed, then each article page.

Feed: ``/feed/``, ``/feed/?paged=2``… (WordPress does not link the next feed page: ask for
``paged=N+1`` until a 404 or an empty feed). Items carry title, link, pubDate (RFC 822),
dc:creator and an excerpt, not the full text. Article pages: ``h1.entry-title``, ``link[rel=canonical]``,
``meta[property=article:published_time]``, byline "By XINYI LI|Mar 5,2024", body ``div.entry-content``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from crawlers.extract.common import (
    ExtractedArticle,
    block_text,
    copy_element,
    drop_elements,
    find_attachments,
    first_element,
    meta_content,
    normalize_space,
    selector_for,
    trafilatura_text,
)
from crawlers.extract.dates import DEFAULT_TZ, date_from_url, parse_date
from crawlers.extract.rules import (
    BYLINE_AUTHOR_RE,
    CREDIT_LINE_RE,
    TITLE_SUFFIX_RE,
    WORDPRESS_RULES,
    with_overrides,
)
from crawlers.extract.urls import canonical_url, is_short_link, same_site


@dataclass(frozen=True)
class FeedEntry:
    """One feed item: canonical article URL, title, date, author (dc:creator), plain-text excerpt."""

    url: str
    title: str
    published_at: datetime | None
    author: str | None
    summary: str
    guid: str | None = None


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


_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "webpage"}


def _jsonld_article(sel) -> dict[str, str]:
    """``datePublished`` / ``author`` (a name) of the page's JSON-LD article object, if any."""
    import json

    found: dict[str, str] = {}
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
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


def clean_title(title: str | None) -> str:
    """A page title without the site suffix ("T | ichongqing" → "T")."""
    return normalize_space(TITLE_SUFFIX_RE.sub("", title or ""))


def parse_wordpress_article(
    html: str | bytes,
    url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """Title, date, author and body of a WordPress article page (normal or AMP copy).

    URL: the page's ``link[rel=canonical]`` when it is on the same site (so an AMP copy or a
    ``?p=`` short link is stored under the real article URL), else ``url``; both canonicalised.
    Date: ``article:published_time`` → byline ("By XINYI LI|Mar 5,2024") → URL ``/YYYY/MM/DD/``.
    Author: the byline's name. Body: ``div.entry-content`` without figures, captions, photo-credit
    lines and share/related blocks, one line per paragraph; trafilatura when no rule matches.
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    sel = selector_for(text, url)
    rules = with_overrides(WORDPRESS_RULES, selectors)

    page_url = canonical_url(url)
    canonical = (
        sel.css('link[rel="canonical"]::attr(href)').get() or sel.css('meta[property="og:url"]::attr(content)').get()
    )
    if canonical:
        candidate = canonical_url(canonical, base=page_url)
        host = re.sub(r"^https?://([^/]+).*$", r"\1", page_url)
        if same_site(candidate, host) and not is_short_link(candidate):
            page_url = candidate
    article = ExtractedArticle(url=page_url)
    extra = article.extra

    # --- title
    visible = first_element(sel, rules["title"])
    if visible:
        article.title = normalize_space("".join(visible[1].root.itertext()))
        extra["title_source"] = visible[0]
    else:
        found = meta_content(sel, rules["title_meta"])
        raw = found[1] if found else sel.xpath("string(//title)").get()
        article.title = clean_title(raw) or None
        extra["title_source"] = f"meta:{found[0]}" if found else "title"
    if article.title:
        article.title = clean_title(article.title)

    # the post itself: bylines and <time> outside it (related posts, "most popular") are other articles'
    scope = next((a for a in sel.css("article") if a.css("h1, .entry-content, .amp-wp-article-content")), sel)
    jsonld = _jsonld_article(sel)

    # --- byline (author, and a date fallback)
    byline_text = ""
    byline = first_element(scope, rules["byline"])
    if byline:
        byline_text = normalize_space(" ".join(t for t in byline[1].root.itertext()))
        match = BYLINE_AUTHOR_RE.search(byline_text)
        if match:
            article.author = normalize_space(match.group("author")) or None
    if not article.author and jsonld.get("author"):
        article.author = jsonld["author"]
    if not article.author:
        found = meta_content(sel, ("author", "article:author", "twitter:data1"))
        if found and not found[1].startswith("http"):
            article.author = found[1]

    # --- date: article:published_time → JSON-LD datePublished → <time> → byline → URL
    found = meta_content(sel, rules["date_meta"])
    date = parse_date(found[1], default_tz=default_tz) if found else None
    if date is not None:
        extra["date_source"] = f"meta:{found[0]}"
    elif jsonld.get("datePublished") and parse_date(jsonld["datePublished"], default_tz=default_tz):
        date = parse_date(jsonld["datePublished"], default_tz=default_tz)
        extra["date_source"] = "jsonld"
    else:
        time_attr = scope.css("time[datetime]::attr(datetime)").get()
        date = parse_date(time_attr, default_tz=default_tz) if time_attr else None
        if date is not None:
            extra["date_source"] = "time"
        elif byline_text:
            date = parse_date(byline_text.split("|", 1)[-1], default_tz=default_tz)
            if date is not None:
                extra["date_source"] = "byline"
        if date is None:
            date = date_from_url(page_url, default_tz=default_tz) or date_from_url(url, default_tz=default_tz)
            extra["date_source"] = "url" if date else None
    article.published_at = date

    # --- body
    body_match = first_element(sel, rules["body"])
    if body_match:
        extra["rule"] = body_match[0]
        root = copy_element(body_match[1].root)
        drop_elements(root, rules["drop"])
        lines = [line for line in block_text(root).split("\n") if not CREDIT_LINE_RE.match(line)]
        article.body = "\n".join(lines)
        extra["attachments"] = find_attachments([body_match[1]], page_url)
    if not article.body:
        article.body = trafilatura_text(text, page_url)
        extra["rule"] = "trafilatura" if article.body else None

    tags = [normalize_space(t) for t in sel.css('meta[property="article:tag"]::attr(content)').getall()]
    if tags:
        extra["keywords"] = [t for t in tags if t]
    section = sel.css('meta[property="article:section"]::attr(content)').get()
    if section:
        extra["column_name"] = normalize_space(section)
    return article


def feed_page_url(feed_url: str, page: int) -> str:
    """Page ``page`` (1-based) of a WordPress feed: ``/feed/``, ``/feed/?paged=2``, ``/feed/?paged=3``…

    Other query parameters are kept; an existing ``paged`` is replaced.
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(feed_url)
    params = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] != "paged"]
    if page > 1:
        params.append(f"paged={page}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(params), ""))
