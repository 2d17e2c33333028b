"""Daily runs stop at what is already stored (a spider middleware, ``INCREMENTAL_ENABLED``).

A family spider's list callback yields one request per article of the page and the request of the
next list page. ``IncrementalMiddleware`` looks at that output page by page and, against the
``articles`` and ``crawl_runs`` tables:

* drops the request of an article that is **already stored and older than the refresh window**
  (published before the logical date minus ``POLICYWATCH_REFRESH_DAYS``, or undated): it is not
  fetched again. Stored articles inside the window are fetched again — conditionally (see
  crawlers/conditional.py), so an unchanged one costs a 304 and a corrected one is updated;
* drops the **next list page** when the LAST article of the page (lists are newest first) is such a
  known article, published on day *d*, **and an earlier crawl of the source is known to have
  stored everything listed from this crawl's ``since`` through d**: a crawl run of the source that
  ended ``success`` (every list page and every article read; partial and failed runs do not count)
  with ``lists_complete`` (no list cut short by the page limit), ``window_since`` not later than
  this crawl's ``since`` (a crawl without ``since`` needs one without ``window_since``) and
  ``window_until`` not earlier than d (or none). Everything further down is then older than d and
  was stored by that crawl, so not reading it loses nothing. d is the stored article's publication
  day, else its list date, else the date of the nearest dated article above it on the page (lists
  are newest first); with none, only an open-ended crawl (no ``window_until``) covers it.
  Otherwise paging goes on and the known articles of the next pages are skipped one by one. The
  crawl runs are read once per crawl (``storage.complete_crawl_windows``, by CrawlRunRecorder
  before a retried task resets its own row: a successful first attempt counts). Rows from before
  migration 0003 (no window, ``lists_complete`` NULL) never count — conservatively: the first
  crawl after the upgrade reads its lists down to its ``since`` (or the page limit) once.
  So a daily run going forward stops where the previous day's run had read (its window reached
  as far back and ended later), and a backfill of an older day, or a crawl with an earlier
  ``since`` than any before it, reads every page of its window: a day run after later days
  (``airflow backfill create --run-backwards``, ``policywatch run --date D`` for an earlier D) finds
  the articles of its window that the later days' windows did not reach.
  The decision is per page, on its last entry: old pinned items at the top of a page
  (kjt.sc.gov.cn) do not stop paging early; a source whose lists are not in date order
  (``list_order = "unsorted"``) is paged as the spider says;
* notes the list page as incomplete (``state.incomplete_lists``, the crawl's
  :class:`crawlers.runstate.CrawlRunState`) when its callback left entries out
  for the date window (``--since/--until``), so its validators are not kept: a later run with
  another window must read it again;
* notes whether a list may go on past the page limit (``POLICYWATCH_MAX_LIST_PAGES``, a list
  request's ``meta["page"]``): a list page at the limit that yields no next page sets
  ``state.lists_cut_short`` (False otherwise), and the crawl run is recorded with
  ``lists_complete`` false — it then never counts as having read the lists down to its window.

An unchanged list page (a 304) ends its section's paging too; crawlers/conditional.py uses a list
page's validators only when the crawl run that saved them read the lists down to this crawl's
``since``, with the same rules.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawlers.db import engine_for
from crawlers.extensions import crawl_run_state
from crawlers.middlewares import KIND_META

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawlers.runstate import CrawlRunState

logger = logging.getLogger(__name__)


def refresh_start(logical_date: date, refresh_days: int) -> date:
    """First day whose stored articles a daily run fetches again (conditionally)."""
    return logical_date - timedelta(days=max(refresh_days, 0))


def complete_windows(crawler: Crawler, database_url: str | None) -> dict[int, Any]:
    """``{crawl run id: storage.CrawlWindow}`` of the source's complete earlier crawl runs: what
    CrawlRunRecorder read when the crawl started (``state.complete_windows``), else read now (and
    kept on the state)."""
    state = crawl_run_state(crawler)
    if state is not None and state.complete_windows is not None:
        return state.complete_windows
    from storage import complete_crawl_windows, session_scope

    source_id = getattr(crawler.spider, "source_id", None)
    if source_id is None or not database_url:
        return {}
    try:
        with session_scope(engine_for(database_url)) as session:
            windows = complete_crawl_windows(session, source_id)
    except Exception as exc:  # noqa: BLE001 - cannot tell what was read: read every page
        logger.warning(
            "%s: cannot read the earlier crawl runs (%s: %s); reading every list page",
            source_id,
            type(exc).__name__,
            exc,
        )
        return {}
    if state is not None:
        state.complete_windows = windows
    return windows


def _has_next_list(output: list[Any]) -> bool:
    """Whether a list callback's output requests another list page."""
    return any(isinstance(r, Request) and r.meta.get(KIND_META) == "list" for r in output)


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
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self) -> None:
        # after CrawlRunRecorder's (extensions connect first): its state tracks the lists from now on
        state = crawl_run_state(self.crawler)
        if state is not None:
            state.track_lists()  # crawl_runs.lists_complete

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
        state = crawl_run_state(self.crawler)
        if left_out and state is not None:
            state.incomplete_lists.add(response.url)
        self._note_page_limit(spider, state, response, output)
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
        if stop_paging and _has_next_list(output):
            through = self._last_day(articles, stored)
            stop_paging = self._covered(spider, through)
            if not stop_paging:
                stats.inc_value("policywatch/paging_not_covered")
                logger.info(
                    "%s: %s ends with a stored article (%s) but no complete earlier crawl stored "
                    "everything from %s through that day: reading on",
                    getattr(spider, "source_id", "?"),
                    response.url,
                    through or "undated",
                    getattr(spider, "since", None) or "the beginning",
                )
        kept = []
        for element in output:
            if isinstance(element, Request):
                kind = element.meta.get(KIND_META)
                if kind == "article" and element.url in known:
                    stats.inc_value("policywatch/known_skipped")
                    continue
                if kind == "list" and stop_paging:
                    stats.inc_value("policywatch/paging_stopped")
                    logger.info(
                        "%s: %s ends with articles stored before %s: not reading %s",
                        getattr(spider, "source_id", "?"),
                        response.url,
                        self.start,
                        element.url,
                    )
                    continue
            kept.append(element)
        return kept

    def _note_page_limit(self, spider: Any, state: CrawlRunState | None, response: Response, output: list[Any]) -> None:
        """A list page at the spider's page limit that yields no next page: the list may go on."""
        limit, page = getattr(spider, "max_pages", None), response.meta.get("page")
        if not limit or not isinstance(page, int) or page < limit:
            return
        if not _has_next_list(output) and state is not None:
            state.lists_cut_short = True

    def _day(self, request: Request, stored: dict[str, datetime | None]) -> date | None:
        """The publication day of a listed article: stored, else the list's date, else None."""
        published_at = stored.get(request.url)
        if published_at is not None:
            return published_at.astimezone(self.tz).date()
        listed = request.meta.get("list_date")
        if listed:
            try:
                return date.fromisoformat(str(listed)[:10])
            except ValueError:
                return None
        return None

    def _last_day(self, articles: list[Request], stored: dict[str, datetime | None]) -> date | None:
        """The day of the page's last article, or (undated) of the nearest dated one above it:
        lists are newest first, so no article below is later than that."""
        for request in reversed(articles):
            day = self._day(request, stored)
            if day is not None:
                return day
        return None

    def _covered(self, spider: Any, through: date | None) -> bool:
        """Whether a complete earlier crawl stored every listed article from this crawl's ``since``
        through ``through`` (see the module docstring)."""
        since = getattr(spider, "since", None)
        return any(
            window.covers(since, through) for window in complete_windows(self.crawler, self.database_url).values()
        )

    def _stored(self, urls: list[str]) -> dict[str, datetime | None]:
        from storage import session_scope, stored_article_dates

        try:
            with session_scope(engine_for(self.database_url)) as session:
                return stored_article_dates(session, urls)
        except Exception as exc:  # noqa: BLE001 - cannot tell what is stored: fetch everything
            logger.warning(
                "cannot read the stored articles (%s: %s); fetching every listed article", type(exc).__name__, exc
            )
            return {}
