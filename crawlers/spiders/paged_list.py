"""A family spider for sites whose list pages link article pages and the next list page.

Shared by the ARTI (www.cppcc.gov.cn), ZCMS (rmzxw.com.cn, cppcc.people.com.cn) and China Daily
(en.cppcc.gov.cn) spiders: a subclass supplies the two pure parsers of its family
(:meth:`PagedListSpider.parse_list_page`, :meth:`PagedListSpider.parse_detail`) and inherits

* per section: list page → its articles (inside the date window, on the source's site) → the next
  list page the pager links, one at a time, up to the page limit, not past ``--since``;
* per article: the parse, then :meth:`FamilySpider.article_item` (the list's title/date as
  fallbacks, a page error when title or body is missing, the window check, one item per URL);
* the registry's ``tls_lenient``: Scrapy never verifies certificates (a hostname mismatch such as
  www.cppcc.gov.cn's is accepted for every source); a lenient source also gets OpenSSL security
  level 1 ciphers, for servers with old keys and signatures (CATALOGUE §0.5).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.items import ArticleItem
from crawlers.spiders.base import KIND_META, FamilySpider

# What a tls_lenient source may negotiate, on top of Scrapy's (never verifying) context factory.
LENIENT_TLS_CIPHERS = "DEFAULT:@SECLEVEL=1"


class PagedListSpider(FamilySpider):
    """Base class: subclasses set ``name`` and ``rules`` and implement the two parse methods."""

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.source.tls_lenient:
            # the spider is built before Scrapy freezes the settings and creates its download handlers
            crawler.settings.set("DOWNLOADER_CLIENT_TLS_CIPHERS", LENIENT_TLS_CIPHERS, priority="spider")
            spider.logger.info(
                "%s: lenient TLS (certificates not verified, ciphers %s)", spider.source.id, LENIENT_TLS_CIPHERS
            )
        return spider

    # ------------------------------------------------------------------ family parsers
    def parse_list_page(self, text: str, url: str) -> tuple[list[ListEntry], str | None]:
        """The article entries of a list page and the next list page's URL (None: last page)."""
        raise NotImplementedError

    def parse_detail(self, text: str, response: Response) -> ExtractedArticle:
        """The article of an article page."""
        raise NotImplementedError

    # ------------------------------------------------------------------ list pages
    async def start(self) -> AsyncIterator[Request]:
        for section in self.source.sections:
            yield self.list_request(section.url, section=section.name, page=1)

    def list_request(self, url: str, *, section: str, page: int) -> Request:
        return Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,  # non-2xx (HttpError) and network failures are fatal
            priority=10,  # finish reading the list before the articles it leads to
            meta={KIND_META: "list", "section": section, "page": page},
        )

    def parse_list(self, response: Response) -> Iterator[Request]:
        section, page = response.meta["section"], response.meta["page"]
        entries, next_url = self.parse_list_page(self.response_text(response), response.url)
        self.crawler.stats.inc_value("policywatch/list_pages")
        if not entries:
            self.record_fatal(f"{self.source.id}: no article found on list page {response.url} (page layout changed?)")
            return
        self.logger.info("%s list page %d: %d articles (%s)", self.source.id, page, len(entries), response.url)
        yield from self.article_requests(entries, section=section, extra_meta=lambda _entry: {"list_url": response.url})
        # next list page: one at a time, not past the page limit nor past `since` (newest first)
        within_limit = self.max_pages is None or page < self.max_pages
        if (
            next_url
            and next_url != response.url
            and within_limit
            and not self.all_older_than_since([e.date for e in entries])
        ):
            yield self.list_request(next_url, section=section, page=page + 1)

    # ------------------------------------------------------------------ article pages
    def is_html(self, response: Response) -> bool:
        """False (and a page error) for a document served where an article page was expected."""
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if content_type and "html" not in content_type and "xml" not in content_type:
            self.record_page_error(f"{self.source.id}: article {response.url} is not a HTML page ({content_type})")
            return False
        return True

    def parse_article(self, response: Response) -> Iterator[Any]:
        if not self.is_html(response):
            return
        item = self.listed_article_item(self.parse_detail(self.response_text(response), response), response.meta)
        if item is not None:
            yield item

    def listed_article_item(self, article: ExtractedArticle, meta: Mapping[str, Any]) -> ArticleItem | None:
        """:meth:`FamilySpider.article_item` with the list entry the article was found on (its meta)."""
        return self.article_item(
            article, section=meta.get("section"), list_title=meta.get("list_title"), list_date=meta.get("list_date")
        )
