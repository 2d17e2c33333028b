"""policywatch storage: SQLAlchemy 2 models, Alembic migrations, repository functions.

The names below are the contract other packages code against (docs/architecture.md).
"""

from storage.db import make_engine, session_scope
from storage.migrate import current_revision, head_revision, upgrade_database
from storage.models import Article, Base, CrawlRun, Source, Summary
from storage.read import RunTotals, SummaryView, run_totals, summaries_since
from storage.records import ArticleRecord, CrawlStatus, UpsertOutcome, content_hash
from storage.repository import (
    CachedPage,
    CrawlWindow,
    DigestEntry,
    articles_to_summarize,
    complete_crawl_windows,
    digest_entries,
    finish_crawl_run,
    get_article,
    http_cache_entries,
    latest_crawl_runs,
    mark_article_seen,
    previous_crawl_runs,
    recent_article_urls,
    record_crawl_health,
    save_http_cache,
    save_summary,
    start_crawl_run,
    stored_article_dates,
    table_counts,
    upsert_article,
    upsert_source,
)
from storage.types import UTCDateTime

__all__ = [
    "Article",
    "ArticleRecord",
    "Base",
    "CachedPage",
    "CrawlRun",
    "CrawlStatus",
    "CrawlWindow",
    "DigestEntry",
    "RunTotals",
    "Source",
    "Summary",
    "SummaryView",
    "UTCDateTime",
    "UpsertOutcome",
    "articles_to_summarize",
    "complete_crawl_windows",
    "content_hash",
    "current_revision",
    "digest_entries",
    "finish_crawl_run",
    "get_article",
    "head_revision",
    "http_cache_entries",
    "latest_crawl_runs",
    "mark_article_seen",
    "previous_crawl_runs",
    "recent_article_urls",
    "record_crawl_health",
    "save_http_cache",
    "stored_article_dates",
    "make_engine",
    "save_summary",
    "run_totals",
    "session_scope",
    "start_crawl_run",
    "summaries_since",
    "table_counts",
    "upgrade_database",
    "upsert_article",
    "upsert_source",
]
