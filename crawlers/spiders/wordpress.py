"""The WordPress family spider (www.ichongqing.info).

    python -m crawlers.run --source ichongqing --run-id manual --logical-date 2024-03-05
    scrapy crawl wordpress -a source=ichongqing [-a since=2024-03-01] [-a max_pages=0]

Per section (a feed URL): ``/feed/`` → ``/feed/?paged=2`` → … until a 404 or an empty feed
(WordPress feeds do not link their next page; a 404 after page 1 is the normal end, not an error) →
every article page (feeds carry only an excerpt). Feed links are canonicalised first (tracking
parameters stripped, AMP copies mapped to the normal page), so the stored URL is the canonical one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.extract.rules_wordpress import WORDPRESS_RULES
from crawlers.extract.wordpress import feed_page_url, parse_feed, parse_wordpress_article
from crawlers.spiders.base import KIND_META, FamilySpider


class WordpressSpider(FamilySpider):
    name = "wordpress"
    rules = WORDPRESS_RULES

    async def start(self) -> AsyncIterator[Request]:
        for section in self.source.sections:
            yield self.feed_request(section.url, section=section.name, page=1)

    def feed_request(self, feed_url: str, *, section: str, page: int) -> Request:
        return Request(
            feed_page_url(feed_url, page),
            callback=self.parse_feed_page,
            errback=self.feed_failed,
            priority=10,
            meta={KIND_META: "list", "section": section, "page": page, "feed_url": feed_url},
        )

    def feed_failed(self, failure: Failure):
        """A 404 after page 1 is the end of the feed; anything else is handled as for any list page
        (fatal; or, for an unchanged feed page, the refresh requests of ``list_failed``)."""
        request = getattr(failure, "request", None)
        page = request.meta.get("page", 1) if request is not None else 1
        if isinstance(failure.value, HttpError) and failure.value.response.status == 404 and page > 1:
            self.logger.info(
                "%s: end of feed after page %d (%s answered 404)", self.source.id, page - 1, failure.value.response.url
            )
            return None
        return self.list_failed(failure)

    def parse_feed_page(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        section, page = meta["section"], meta["page"]
        entries = parse_feed(response.body, default_tz=self.tz)
        stats = self.crawler.stats
        stats.inc_value("policywatch/list_pages")
        if not entries:
            if page == 1:
                self.record_fatal(
                    f"{self.source.id}: no article found on list page {response.url} (page layout changed?)"
                )
            else:
                self.logger.info("%s: end of feed: page %d is empty", self.source.id, page)
            return
        self.logger.info("%s feed page %d: %d items (%s)", self.source.id, page, len(entries), response.url)
        for entry in entries:
            if not self.in_window(entry.published_at):
                stats.inc_value("policywatch/out_of_window")
                continue
            if not self.on_site(entry.url):
                stats.inc_value("policywatch/offsite_links")
                continue
            stats.inc_value("policywatch/list_entries")
            yield Request(
                entry.url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={
                    KIND_META: "article",
                    "section": section,
                    "feed_title": entry.title,
                    "feed_date": entry.published_at.isoformat() if entry.published_at else None,
                    "feed_author": entry.author,
                    "feed_summary": entry.summary,
                },
            )
        older_only = self.all_older_than_since([e.published_at for e in entries])
        if (self.max_pages is None or page < self.max_pages) and not older_only:
            yield self.feed_request(meta["feed_url"], section=section, page=page + 1)

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        article = parse_wordpress_article(
            self.response_text(response), response.url, selectors=self.selectors, default_tz=self.tz
        )
        title = article.title or meta.get("feed_title")
        if not article.title and title:
            article.extra["title_source"] = "feed"
        if article.extra.get("date_source") in (None, "url") and meta.get("feed_date"):
            article.published_at = datetime.fromisoformat(meta["feed_date"])
            article.extra["date_source"] = "feed"
        author = article.author or meta.get("feed_author")
        if not title or not article.body:
            missing = " and ".join(n for n, v in (("title", title), ("body", article.body)) if not v)
            self.record_page_error(f"{self.source.id}: article {response.url} has no {missing} (page layout changed?)")
            return
        if not self.in_window(article.published_at):
            self.crawler.stats.inc_value("policywatch/out_of_window")
            return
        if meta.get("feed_summary"):
            article.extra.setdefault("excerpt", meta["feed_summary"])
        item = self.make_item(
            url=article.url,
            section=meta.get("section"),
            title=title,
            published_at=article.published_at,
            body=article.body,
            source_office=article.source_office,
            author=author,
            extra=article.extra,
        )
        if item is not None:
            yield item
