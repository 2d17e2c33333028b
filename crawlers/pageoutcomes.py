"""What became of each article page a spider parsed (a spider middleware, for source health).

Counts, in the crawler stats, whatever the family spider:

* ``policywatch/articles_parsed``: article pages handed to a callback (a 304 never is);
* ``policywatch/pages_failed``: article pages whose callback gave no item and recorded a page error
  (no title or body, not a HTML page, a parser exception: the page layout changed?) — seen in the
  page errors of the crawl's state (``crawlers.extensions.crawl_run_state``).

A page that gives no item without an error (outside the date window, a duplicate) is neither.
``crawlers/health.py`` turns the ratio of the two into a verdict.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawlers.extensions import crawl_run_state
from crawlers.middlewares import KIND_META, CrawlerComponent


class PageOutcomeMiddleware(CrawlerComponent):
    def _is_article(self, response: Response) -> bool:
        return response.meta.get(KIND_META) == "article"

    def _errors(self) -> int:
        state = crawl_run_state(self.crawler)
        return len(state.page_errors) if state is not None else 0

    def _count(self, errors_before: int, items: int) -> None:
        stats = self.crawler.stats
        stats.inc_value("policywatch/articles_parsed")
        if not items and self._errors() > errors_before:
            stats.inc_value("policywatch/pages_failed")

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        if not self._is_article(response):
            yield from result
            return
        before, items = self._errors(), 0
        for element in result:
            items += not isinstance(element, Request)
            yield element
        self._count(before, items)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if not self._is_article(response):
            async for element in result:
                yield element
            return
        before, items = self._errors(), 0
        async for element in result:
            items += not isinstance(element, Request)
            yield element
        self._count(before, items)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        """A callback that raised: FamilySpider records it as a page error; count the page here."""
        if self._is_article(response):
            self.crawler.stats.inc_value("policywatch/articles_parsed")
            self.crawler.stats.inc_value("policywatch/pages_failed")
        return None
