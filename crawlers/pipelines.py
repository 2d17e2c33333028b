"""Item pipelines.

``StoragePipeline`` stores every ``ArticleItem`` through ``storage.upsert_article``, each in its own
short transaction (a crash loses at most the item in flight; a retried run stores nothing twice:
the upsert is keyed by canonical URL), run again when the database connection was lost
(``storage.retrying``). Outcomes are counted in the crawler stats as
``policywatch/items_new``, ``policywatch/items_updated``, ``policywatch/items_unchanged``; the
crawl run comes from the crawl's state (``crawl_run_state(crawler).crawl_run``, started by
``CrawlRunRecorder``); a storage failure is a page error of the spider.

For the health check (crawlers/health.py) it also counts what was stored (``policywatch/items_stored``),
without a date (``policywatch/items_undated``), dated more than a day after now
(``policywatch/items_future_dated``, one example URL in ``policywatch/future_dated_example``) and
whose body came from the generic fallback instead of a family rule (``policywatch/items_fallback``),
and those of them with a low extraction confidence (``policywatch/items_low_confidence``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from config import redact, safe_url
from crawlers.db import engine_for
from crawlers.extensions import crawl_run_state

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from storage import ArticleRecord

logger = logging.getLogger(__name__)

RECORD_FIELDS = (
    "url",
    "source_id",
    "section",
    "title",
    "published_at",
    "language",
    "body",
    "source_office",
    "author",
    "extra",
)


def item_to_record(item: Any) -> ArticleRecord:
    """``storage.ArticleRecord`` from an ArticleItem (or any dict-like item with the same fields)."""
    from storage import ArticleRecord

    data = ItemAdapter(item).asdict()
    kwargs = {name: data.get(name) for name in RECORD_FIELDS}
    kwargs["extra"] = kwargs["extra"] or {}
    return ArticleRecord(**kwargs)


class StoragePipeline:
    def __init__(self, database_url: str, crawler: Crawler) -> None:
        self.database_url = database_url
        self.crawler = crawler
        self.engine = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        url = crawler.settings.get("DATABASE_URL")
        if not url:
            raise NotConfigured("DATABASE_URL is not set")
        return cls(url, crawler)

    def open_spider(self) -> None:
        try:
            self.engine = engine_for(self.database_url)  # runs storage.upgrade_database once
        except Exception as exc:  # noqa: BLE001 - CrawlRunRecorder reports it and closes the spider
            # no traceback: its frames would show the URL with its password
            logger.error(
                "cannot open the database %s: %s: %s",
                safe_url(self.database_url),
                type(exc).__name__,
                redact(str(exc), self.database_url),
            )
            self.engine = None

    def process_item(self, item: Any) -> Any:
        from storage import retrying, session_scope, upsert_article

        spider = self.crawler.spider
        stats = self.crawler.stats
        url = ItemAdapter(item).get("url")
        try:
            if self.engine is None:
                self.engine = engine_for(self.database_url)
            record = item_to_record(item)
            state = crawl_run_state(self.crawler)
            crawl_run = state.crawl_run if state is not None else None

            def store() -> Any:
                with session_scope(self.engine) as session:
                    return upsert_article(session, record, crawl_run)

            # a lost connection (a restarted server) rolled the upsert back: run it again
            outcome = retrying(store, what=f"storing {url}")
        except Exception as exc:  # noqa: BLE001 - any storage failure loses this item only
            message = (
                f"{getattr(spider, 'source_id', '?')}: storing {url} failed: "
                f"{type(exc).__name__}: {redact(str(exc), self.database_url)}"
            )
            if hasattr(spider, "record_page_error"):
                spider.record_page_error(message)
            stats.inc_value("policywatch/items_failed")
            raise DropItem(message) from exc
        stats.inc_value(f"policywatch/items_{outcome.value}")
        self._count_quality(record)
        logger.debug("%s %s", outcome.value, url)
        return item

    def _count_quality(self, record: ArticleRecord) -> None:
        from crawlers.health import FALLBACK_RULES, FUTURE_TOLERANCE, LOW_CONFIDENCE

        stats = self.crawler.stats
        stats.inc_value("policywatch/items_stored")
        extra = record.extra or {}
        if extra.get("rule") in FALLBACK_RULES:
            stats.inc_value("policywatch/items_fallback")
            confidence = extra.get("confidence") or {}
            if confidence.get("score", 1.0) < LOW_CONFIDENCE:
                stats.inc_value("policywatch/items_low_confidence")
                if not stats.get_value("policywatch/low_confidence_example"):
                    reasons = "; ".join(confidence.get("reasons") or ()) or f"score {confidence.get('score')}"
                    stats.set_value("policywatch/low_confidence_example", f"{record.url}: {reasons}")
        if record.published_at is None:
            stats.inc_value("policywatch/items_undated")
        elif record.published_at > datetime.now(UTC) + FUTURE_TOLERANCE:
            stats.inc_value("policywatch/items_future_dated")
            if not stats.get_value("policywatch/future_dated_example"):
                stats.set_value("policywatch/future_dated_example", f"{record.url} ({record.published_at.isoformat()})")
