"""The WordPress family spider (www.ichongqing.info).

    python -m crawlers.run --source ichongqing --run-id manual --logical-date 2024-03-05
    scrapy crawl wordpress -a source=ichongqing [-a since=2024-03-01] [-a max_pages=0]

Per section (a feed URL): ``/feed/`` → ``/feed/?paged=2`` → … until a 404 or an empty feed
(WordPress feeds do not link their next page; a 404 after page 1 is the normal end, not an error) →
every article page (feeds carry only an excerpt). Feed links are canonicalised first (tracking
parameters stripped, AMP copies mapped to the normal page), so the stored URL is the canonical one.
The feed item's title, date (``title_source``/``date_source`` "feed") and author fill what the
article page lacks; its excerpt is kept as ``extra["excerpt"]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.extract.documents import ExtractedArticle
from crawlers.extract.rules_wordpress import WORDPRESS_RULES
from crawlers.extract.wordpress import feed_page_url, parse_feed, parse_wordpress_article
from crawlers.items import ArticleItem
from crawlers.spiders.base import FamilySpider


class WordpressSpider(FamilySpider):
    name = "wordpress"
    rules = WORDPRESS_RULES
    detail_parser = staticmethod(parse_wordpress_article)
    list_origin = "feed"
    errors_name_fetched_url = True

    async def start(self) -> AsyncIterator[Request]:
        for section in self.source.sections:
            yield self.feed_request(section.url, section=section.name, page=1)

    def feed_request(self, feed_url: str, *, section: str, page: int) -> Request:
        return self.list_page_request(
            feed_page_url(feed_url, page),
            {"section": section, "page": page, "feed_url": feed_url},
            callback=self.parse_feed_page,
            errback=self.feed_failed,
        )

    def feed_failed(self, failure: Failure) -> list[Request] | None:
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
        self.crawler.stats.inc_value("policywatch/list_pages")
        if not entries:
            if page == 1:
                self.no_article_listed(response)
            else:
                self.logger.info("%s: end of feed: page %d is empty", self.source.id, page)
            return
        self.logger.info("%s feed page %d: %d items (%s)", self.source.id, page, len(entries), response.url)
        yield from self.article_requests(
            entries,
            section=section,
            date_of=lambda entry: entry.published_at,
            extra_meta=lambda entry: {"feed_author": entry.author, "feed_summary": entry.summary},
        )
        older_only = self.all_older_than_since([e.published_at for e in entries])
        if (self.max_pages is None or page < self.max_pages) and not older_only:
            yield self.feed_request(meta["feed_url"], section=section, page=page + 1)

    def listed_article_item(
        self, article: ExtractedArticle, meta: Mapping[str, Any], *, page_url: str | None = None
    ) -> ArticleItem | None:
        """The FamilySpider item, with the feed's author when the page names none and its excerpt."""
        article.author = article.author or meta.get("feed_author")
        item = super().listed_article_item(article, meta, page_url=page_url)
        if item is not None and meta.get("feed_summary"):
            item["extra"].setdefault("excerpt", meta["feed_summary"])
        return item
