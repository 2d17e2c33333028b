"""Scrapy extensions.

``CrawlRunRecorder`` writes the ``crawl_runs`` row of the crawl (docs/architecture.md):

* spider_opened: ``upsert_source`` (from the registry entry) and ``start_crawl_run(source_id,
  run_id=POLICYWATCH_RUN_ID, logical_date=POLICYWATCH_LOGICAL_DATE)`` with the spider's date window
  (``since``/``until``: ``window_since``/``window_until``); the row is put on the spider
  (``spider.crawl_run``) so the item pipeline links articles to it; before that, the source's
  complete earlier runs (``storage.complete_crawl_windows``) go on ``spider.complete_windows``
  for crawlers/incremental.py and crawlers/conditional.py (read before a retried task resets its
  row, so a successful first attempt still counts);
* spider_closed: ``finish_crawl_run`` with pages fetched (responses minus robots.txt), items
  found / new / updated / unchanged (crawler stats), the error messages and the status:
  ``failed`` if any fatal error, ``partial`` if page errors, else ``success``; then the requests
  made, the 304s and the failed pages, and the health verdict of crawlers/health.py (against the
  source's previous runs) with ``record_crawl_health``; ``lists_complete`` is whether every list
  was read down to the window (``spider.lists_cut_short`` False, set by crawlers/incremental.py).

The summary is also left on the spider (``spider.run_summary``) for ``python -m crawlers.run``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured

from crawlers.db import engine_for

logger = logging.getLogger(__name__)


def default_run_id() -> str:
    return "manual-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def run_summary(spider: Any, stats: Any, reason: str | None = None) -> dict[str, Any]:
    """Counts and status of a finished crawl, from the crawler stats and the spider's error lists."""
    get = stats.get_value
    fatal = list(getattr(spider, "fatal_errors", []))
    pages = list(getattr(spider, "page_errors", []))
    if reason not in (None, "finished") and not fatal:
        fatal.append(f"{getattr(spider, 'source_id', spider.name)}: crawl ended early ({reason})")
    status = "failed" if fatal else "partial" if pages else "success"
    return {
        "source_id": getattr(spider, "source_id", spider.name),
        "pages_fetched": max(0, (get("downloader/response_count") or 0) - (get("robotstxt/response_count") or 0)),
        # articles answered 304 were found (and counted unchanged) without becoming items again
        "items_found": (get("item_scraped_count") or 0)
        + (get("item_dropped_count") or 0)
        + (get("policywatch/articles_not_modified") or 0),
        "items_new": get("policywatch/items_new") or 0,
        "items_updated": get("policywatch/items_updated") or 0,
        "items_unchanged": get("policywatch/items_unchanged") or 0,
        "fatal_errors": fatal,
        "page_errors": pages,
        "error_messages": fatal + pages,
        "status": status,
        "requests": get("downloader/request_count") or 0,  # robots.txt and retries included
        "not_modified": get("policywatch/not_modified") or 0,
        # pages without a title, date or body: failed article pages + stored articles without a date
        "pages_failed": (get("policywatch/pages_failed") or 0) + (get("policywatch/items_undated") or 0),
    }


def lists_complete(spider: Any) -> bool | None:
    """Whether the crawl read every list down to its ``since``: None when nobody tracked it
    (``IncrementalMiddleware`` off), False when a list may go on past the page limit."""
    cut_short = getattr(spider, "lists_cut_short", None)
    return None if cut_short is None else not cut_short


class CrawlRunRecorder:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.database_url = settings.get("DATABASE_URL")
        self.run_id = settings.get("POLICYWATCH_RUN_ID") or default_run_id()
        tz = ZoneInfo(settings.get("POLICYWATCH_TIMEZONE") or "Asia/Shanghai")
        self.logical_date = settings.get("POLICYWATCH_LOGICAL_DATE") or datetime.now(tz).date().isoformat()
        self.engine = None

    @classmethod
    def from_crawler(cls, crawler) -> CrawlRunRecorder:
        if not crawler.settings.get("DATABASE_URL"):
            raise NotConfigured("DATABASE_URL is not set")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        from storage import complete_crawl_windows, session_scope, start_crawl_run, upsert_source

        source = getattr(spider, "source", None)
        if source is None:
            return
        try:
            self.engine = engine_for(self.database_url)
            with session_scope(self.engine) as session:
                upsert_source(
                    session,
                    id=source.id,
                    name=source.name,
                    host=source.host,
                    language=source.language,
                    family=source.family,
                    enabled=source.enabled,
                )
                # the complete earlier runs, read before a retried task resets its own row (whose
                # first attempt may be one): crawlers/incremental.py and crawlers/conditional.py
                spider.complete_windows = complete_crawl_windows(session, source.id)
                spider.crawl_run = start_crawl_run(
                    session,
                    source_id=source.id,
                    run_id=self.run_id,
                    logical_date=self.logical_date,
                    window_since=getattr(spider, "since", None),
                    window_until=getattr(spider, "until", None),
                )
        except Exception as exc:  # noqa: BLE001 - nothing can be stored: stop the crawl
            message = f"{source.id}: cannot start the crawl run in {self.database_url}: {type(exc).__name__}: {exc}"
            if hasattr(spider, "record_fatal"):
                spider.record_fatal(message)
            else:
                logger.error(message)
            raise CloseSpider("storage_unavailable") from exc
        logger.info(
            "%s: crawl run %s (run id %s, logical date %s) started",
            source.id,
            spider.crawl_run.id,
            self.run_id,
            self.logical_date,
        )

    def _judge(self, summary: dict[str, Any], history: list[Any]):
        """The health verdict of this crawl (crawlers/health.py), also left in the summary."""
        from crawlers.health import assess, facts_from_summary, past_runs

        verdict = assess(facts_from_summary(summary, self.crawler.stats), past_runs(history))
        summary["health"], summary["health_reasons"] = verdict.health, verdict.reasons
        self.crawler.stats.set_value("policywatch/health", verdict.health)
        if verdict.health != "ok":
            logger.warning("%s: health %s: %s", summary["source_id"], verdict.health, "; ".join(verdict.reasons))
        return verdict

    def spider_closed(self, spider, reason: str) -> None:
        from storage import finish_crawl_run, previous_crawl_runs, record_crawl_health, session_scope

        summary = run_summary(spider, self.crawler.stats, reason)
        spider.run_summary = summary
        for key in ("pages_fetched", "items_found", "items_new", "items_updated", "items_unchanged"):
            self.crawler.stats.set_value(f"policywatch/{key}", summary[key])
        self.crawler.stats.set_value("policywatch/status", summary["status"])
        crawl_run = getattr(spider, "crawl_run", None)
        if crawl_run is None or self.engine is None:
            self._judge(summary, [])
            return
        try:
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
                    lists_complete=lists_complete(spider),
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
        except Exception as exc:  # noqa: BLE001 - report it; the run's exit code still reflects the crawl
            message = f"{summary['source_id']}: cannot record the end of crawl run {crawl_run.id}: {type(exc).__name__}: {exc}"
            logger.error(message)
            summary["fatal_errors"].append(message)
            summary["error_messages"].append(message)
            summary["status"] = "failed"
