"""Daily runs stop at what is already stored (a spider middleware, ``INCREMENTAL_ENABLED``).

A family spider's list callback yields one request per article of the page and the request of the
next list page. ``IncrementalMiddleware`` looks at that output page by page and, against the
``articles`` table:

* drops the request of an article that is **already stored and older than the refresh window**
  (published before the logical date minus ``POLICYWATCH_REFRESH_DAYS``, or undated): it is not
  fetched again. Stored articles inside the window are fetched again — conditionally (see
  crawlers/conditional.py), so an unchanged one costs a 304 and a corrected one is updated;
* drops the **next list page** when the LAST article of the page (lists are newest first) is such a
  known article: everything further down is older and stored. The decision is per page, on its
  last entry: old pinned items at the top of a page (kjt.sc.gov.cn) do not stop paging early; a
  source whose lists are not in date order (``list_order = "unsorted"``) is paged as the spider says;
* notes the list page as incomplete (``spider.incomplete_lists``) when its callback left entries out
  for the date window (``--since/--until``), so its validators are not kept: a later run with
  another window must read it again.

Backfills (``--since/--until``) still read every page of their window: known articles are
skipped, unknown ones are fetched, and paging ends at the window as the spider decides.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawlers.db import engine_for
from crawlers.middlewares import KIND_META

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def refresh_start(logical_date: date, refresh_days: int) -> date:
    """First day whose stored articles a daily run fetches again (conditionally)."""
    return logical_date - timedelta(days=max(refresh_days, 0))


def is_known(published_at: datetime | None, start: date, tz: ZoneInfo) -> bool:
    """A stored article that need not be fetched again: undated, or published before ``start``."""
    return published_at is None or published_at.astimezone(tz).date() < start


class IncrementalMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.database_url = settings.get("DATABASE_URL")
        self.tz = ZoneInfo(settings.get("POLICYWATCH_TIMEZONE") or "Asia/Shanghai")
        logical = settings.get("POLICYWATCH_LOGICAL_DATE")
        day = date.fromisoformat(str(logical)[:10]) if logical else datetime.now(self.tz).date()
        self.start = refresh_start(day, settings.getint("POLICYWATCH_REFRESH_DAYS", 3))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED", True):
            raise NotConfigured("INCREMENTAL_ENABLED is off: every listed article is fetched")
        if not crawler.settings.get("DATABASE_URL"):
            raise NotConfigured("DATABASE_URL is not set: nothing stored to compare with")
        return cls(crawler)

    # Both flavours: Scrapy uses the async one for async callbacks, the sync one otherwise.
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        if response.meta.get(KIND_META) != "list":
            yield from result
            return
        before = self._out_of_window()
        output = list(result)
        yield from self._filter(response, output, self._out_of_window() - before)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if response.meta.get(KIND_META) != "list":
            async for element in result:
                yield element
            return
        before = self._out_of_window()
        output = [element async for element in result]
        for element in self._filter(response, output, self._out_of_window() - before):
            yield element

    # ------------------------------------------------------------------
    def _out_of_window(self) -> int:
        return self.crawler.stats.get_value("policywatch/out_of_window") or 0

    def _filter(self, response: Response, output: list[Any], left_out: int) -> list[Any]:
        spider = self.crawler.spider
        if left_out:
            getattr(spider, "incomplete_lists", set()).add(response.url)
        articles = [r for r in output if isinstance(r, Request) and r.meta.get(KIND_META) == "article"]
        if not articles:
            return output
        stored = self._stored([r.url for r in articles])
        known = {url for url, published_at in stored.items() if is_known(published_at, self.start, self.tz)}
        if not known:
            return output
        source = getattr(spider, "source", None)
        unsorted = getattr(source, "list_order", None) == "unsorted"
        stop_paging = articles[-1].url in known and not unsorted
        stats = self.crawler.stats
        kept = []
        for element in output:
            if isinstance(element, Request):
                kind = element.meta.get(KIND_META)
                if kind == "article" and element.url in known:
                    stats.inc_value("policywatch/known_skipped")
                    continue
                if kind == "list" and stop_paging:
                    stats.inc_value("policywatch/paging_stopped")
                    logger.info("%s: %s ends with articles stored before %s: not reading %s",
                                getattr(spider, "source_id", "?"), response.url, self.start, element.url)
                    continue
            kept.append(element)
        return kept

    def _stored(self, urls: list[str]) -> dict[str, datetime | None]:
        from storage import session_scope, stored_article_dates

        try:
            with session_scope(engine_for(self.database_url)) as session:
                return stored_article_dates(session, urls)
        except Exception as exc:  # noqa: BLE001 - cannot tell what is stored: fetch everything
            logger.warning("cannot read the stored articles (%s: %s); fetching every listed article",
                           type(exc).__name__, exc)
            return {}
