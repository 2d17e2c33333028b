"""Scrapy extensions.

``CrawlRunRecorder`` owns the crawl's :class:`crawlers.runstate.CrawlRunState` (the run row, the
errors, the list completeness, the summary) and writes the ``crawl_runs`` row (docs/architecture.md).
Other components reach the state through :func:`crawl_run_state` (``crawl_run_state(crawler)``),
never through attributes of the spider:

* spider_opened: the state is created (first of every ``spider_opened`` handler: extensions connect
  before the middlewares); ``record_source`` (the registry entry) and ``start_crawl_run(source_id,
  run_id=POLICYWATCH_RUN_ID, logical_date=POLICYWATCH_LOGICAL_DATE)`` with the spider's date window
  (``since``/``until``: ``window_since``/``window_until``); the row goes on the state
  (``state.crawl_run``) so the item pipeline links articles to it; before that, the source's
  complete earlier runs (``storage.complete_crawl_windows``) go on ``state.complete_windows``
  for crawlers/incremental.py and crawlers/conditional.py (read before a retried task resets its
  row, so a successful first attempt still counts);
* spider_closed: the state is finished (``state.summary``, for ``python -m crawlers.run``);
  ``finish_crawl_run`` with pages fetched (responses minus robots.txt), items found / new /
  updated / unchanged (crawler stats), the error messages and the status: ``failed`` if any fatal
  error, ``partial`` if page errors, else ``success``; then the requests made, the 304s and the
  failed pages, and the health verdict of crawlers/health.py (against the source's previous runs)
  with ``record_crawl_health``; ``lists_complete`` is whether every list was read down to the
  window (``state.lists_cut_short`` False, noted by crawlers/incremental.py).

Without ``DATABASE_URL`` the recorder still keeps the state (errors and summary), and writes no row.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scrapy import signals
from scrapy.exceptions import CloseSpider

from config import redact, safe_url
from crawlers.db import engine_for
from crawlers.runstate import CrawlRunState

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from crawlers.health import Verdict

logger = logging.getLogger(__name__)


def default_run_id() -> str:
    return "manual-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def crawl_run_state(crawler: Crawler | None) -> CrawlRunState | None:
    """THE way to the crawl's :class:`CrawlRunState`: the one its ``CrawlRunRecorder`` created at
    spider_opened (and kept after spider_closed). None before that, or for a crawler without the
    recorder (a crawler that is not crawling, a unit test)."""
    if crawler is None:
        return None
    try:
        recorder = crawler.get_extension(CrawlRunRecorder)
    except RuntimeError:  # the extensions are not built yet
        return None
    return recorder.state if recorder is not None else None


class CrawlRunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.database_url = settings.get("DATABASE_URL")
        self.run_id = settings.get("POLICYWATCH_RUN_ID") or default_run_id()
        tz = ZoneInfo(settings.get("POLICYWATCH_TIMEZONE") or "Asia/Shanghai")
        self.logical_date = settings.get("POLICYWATCH_LOGICAL_DATE") or datetime.now(tz).date().isoformat()
        self.engine = None
        self.state: CrawlRunState | None = None  # created at spider_opened

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        from storage import retrying

        self.state = state = CrawlRunState(getattr(spider, "source_id", spider.name))
        source = getattr(spider, "source", None)
        if source is None or not self.database_url:
            return
        try:
            self.engine = engine_for(self.database_url)
            retrying(lambda: self._start(source, spider, state), what=f"{source.id}: starting the crawl run")
        except Exception as exc:  # noqa: BLE001 - nothing can be stored: stop the crawl
            message = (
                f"{source.id}: cannot start the crawl run in {safe_url(self.database_url)}: "
                f"{type(exc).__name__}: {redact(str(exc), self.database_url)}"
            )
            if hasattr(spider, "record_fatal"):
                spider.record_fatal(message)
            else:
                logger.error(message)
            raise CloseSpider("storage_unavailable") from exc
        logger.info(
            "%s: crawl run %s (run id %s, logical date %s) started",
            source.id,
            state.run_pk,
            self.run_id,
            self.logical_date,
        )

    def _start(self, source: Any, spider: Spider, state: CrawlRunState) -> None:
        """The source's row, its complete earlier runs and this run's row, in one transaction."""
        from storage import complete_crawl_windows, record_source, session_scope, start_crawl_run

        with session_scope(self.engine) as session:
            record_source(session, source)
            # the complete earlier runs, read before a retried task resets its own row (whose
            # first attempt may be one): crawlers/incremental.py and crawlers/conditional.py
            state.complete_windows = complete_crawl_windows(session, source.id)
            state.crawl_run = start_crawl_run(
                session,
                source_id=source.id,
                run_id=self.run_id,
                logical_date=self.logical_date,
                window_since=getattr(spider, "since", None),
                window_until=getattr(spider, "until", None),
            )

    def _judge(self, summary: dict[str, Any], history: list[Any]) -> Verdict:
        """The health verdict of this crawl (crawlers/health.py), also left in the summary."""
        from crawlers.health import assess, facts_from_summary, past_runs

        verdict = assess(facts_from_summary(summary, self.crawler.stats), past_runs(history))
        summary["health"], summary["health_reasons"] = verdict.health, verdict.reasons
        self.crawler.stats.set_value("policywatch/health", verdict.health)
        if verdict.health != "ok":
            logger.warning("%s: health %s: %s", summary["source_id"], verdict.health, "; ".join(verdict.reasons))
        return verdict

    def spider_closed(self, spider: Spider, reason: str) -> None:
        from storage import finish_crawl_run, previous_crawl_runs, record_crawl_health, retrying, session_scope

        state = self.state or CrawlRunState(getattr(spider, "source_id", spider.name))
        self.state = state
        summary = state.finish(self.crawler.stats, reason)
        for key in ("pages_fetched", "items_found", "items_new", "items_updated", "items_unchanged"):
            self.crawler.stats.set_value(f"policywatch/{key}", summary[key])
        self.crawler.stats.set_value("policywatch/status", summary["status"])
        crawl_run = state.crawl_run
        if crawl_run is None or self.engine is None:
            self._judge(summary, [])
            return

        def record() -> None:
            with session_scope(self.engine) as session:
                run = finish_crawl_run(
                    session,
                    crawl_run,
                    status=summary["status"],
                    pages_fetched=summary["pages_fetched"],
                    items_found=summary["items_found"],
                    items_new=summary["items_new"],
                    items_updated=summary["items_updated"],
                    items_unchanged=summary["items_unchanged"],
                    error_messages=summary["error_messages"],
                    lists_complete=state.lists_complete,
                )
                verdict = self._judge(summary, previous_crawl_runs(session, run.source_id, before=run))
                record_crawl_health(
                    session,
                    run,
                    requests=summary["requests"],
                    not_modified=summary["not_modified"],
                    pages_failed=summary["pages_failed"],
                    health=verdict.health,
                    reasons=verdict.reasons,
                )

        try:
            # a lost connection rolled the transaction back: record the end again
            retrying(record, what=f"{summary['source_id']}: recording the end of the crawl run")
        except Exception as exc:  # noqa: BLE001 - report it; the run's exit code still reflects the crawl
            message = (
                f"{summary['source_id']}: cannot record the end of crawl run {crawl_run.id}: "
                f"{type(exc).__name__}: {redact(str(exc), self.database_url)}"
            )
            logger.error(message)
            summary["fatal_errors"].append(message)
            summary["error_messages"].append(message)
            summary["status"] = "failed"
