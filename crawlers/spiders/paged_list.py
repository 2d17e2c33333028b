"""A family spider for sites whose list pages link article pages and the next list page.

Shared by the ARTI (www.cppcc.gov.cn), ZCMS (rmzxw.com.cn, cppcc.people.com.cn) and China Daily
(en.cppcc.gov.cn) spiders: a subclass names the two pure parsers of its family (``list_parser``:
the entries of a list page and the next list page's URL, None on the last; ``detail_parser``) and
inherits

* per section: list page → its articles (inside the date window, on the source's site) → the next
  list page the pager links, one at a time, up to the page limit, not past ``--since``;
* per article: the FamilySpider path (a page error for a document that is not HTML, the parse,
  the list's title/date as fallbacks, a page error when title or body is missing, the window
  check, one item per URL);
* the registry's ``tls_lenient``: Scrapy never verifies certificates (a hostname mismatch such as
  www.cppcc.gov.cn's is accepted for every source); a lenient source also gets OpenSSL security
  level 1 ciphers, for servers with old keys and signatures (CATALOGUE §0.5).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.http import Response

from crawlers.spiders.base import FamilySpider

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# What a tls_lenient source may negotiate, on top of Scrapy's (never verifying) context factory.
LENIENT_TLS_CIPHERS = "DEFAULT:@SECLEVEL=1"


class PagedListSpider(FamilySpider):
    """Base class: subclasses set ``name``, ``rules``, ``list_parser`` and ``detail_parser``."""

    html_only = True

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.source.tls_lenient:
            # the spider is built before Scrapy freezes the settings and creates its download handlers
            crawler.settings.set("DOWNLOADER_CLIENT_TLS_CIPHERS", LENIENT_TLS_CIPHERS, priority="spider")
            spider.logger.info(
                "%s: lenient TLS (certificates not verified, ciphers %s)", spider.source.id, LENIENT_TLS_CIPHERS
            )
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for section in self.source.sections:
            yield self.list_request(section.url, section=section.name, page=1)

    def list_request(self, url: str, *, section: str, page: int) -> Request:
        return self.list_page_request(url, {"section": section, "page": page})

    def parse_list(self, response: Response) -> Iterator[Request]:
        section, page = response.meta["section"], response.meta["page"]
        entries, next_url = self.parse_list_page(self.response_text(response), response.url)
        self.crawler.stats.inc_value("policywatch/list_pages")
        if not entries:
            self.no_article_listed(response)
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
