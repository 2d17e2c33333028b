"""policywatch storage: SQLAlchemy 2 models, Alembic migrations, and this facade, the only
module other packages import from (docs/architecture.md; the import-linter contract
``storage-facade``). Its names, by concern:

* database: ``make_engine``, ``session_scope``, ``upgrade_database``, ``current_revision``,
  ``head_revision`` (``storage.db``, ``storage.migrate``)
* records and types: ``ArticleRecord``, ``UpsertOutcome``, ``CrawlStatus``, ``content_hash``,
  ``UTCDateTime`` (``storage.records``, ``storage.types``)
* sources: ``upsert_source`` (``storage.sources``)
* crawl runs, their health and windows: ``start_crawl_run``, ``finish_crawl_run``,
  ``record_crawl_health``, ``previous_crawl_runs``, ``complete_crawl_windows``, ``CrawlWindow``;
  read back as ``CrawlRunView``: ``crawl_run_view``, ``failed_crawl_runs``, ``latest_crawl_runs``,
  ``recent_crawl_runs``
  (``storage.crawl_runs``)
* articles: ``upsert_article``, ``mark_article_seen``, ``get_article``, ``stored_article_dates``,
  ``recent_article_urls`` (``storage.articles``)
* summaries: ``articles_to_summarize``, ``articles_for_summary`` (``ArticleText``), ``is_article_text``,
  ``save_summary`` (``storage.summaries``)
* HTTP cache: ``http_cache_entries``, ``save_http_cache``, ``CachedPage`` (``storage.http_cache``)
* digest deliveries: ``digest_delivered``, ``record_digest_delivery`` (``storage.deliveries``)
* reads for the digest and downstream jobs: ``digest_entries`` (``DigestEntry``),
  ``digest_source_runs`` (``DigestSourceRun``), ``digest_neighbour_dates``,
  ``summaries_since`` (``SummaryView``), ``run_totals`` (``RunTotals``), ``table_counts``
  (``storage.read``)

No function commits: the caller owns the transaction (``session_scope``). Writers that run
concurrently (crawl subprocesses) should commit after each article: the upserts are single
``INSERT ... ON CONFLICT`` / conditional ``UPDATE`` statements of the session's dialect (SQLite or
PostgreSQL), safe under concurrency, but on PostgreSQL two long transactions touching the same URLs
in different orders can deadlock, and on SQLite a transaction holds the write lock until it ends.
"""

from storage.articles import get_article, mark_article_seen, recent_article_urls, stored_article_dates, upsert_article
from storage.crawl_runs import (
    CrawlRunView,
    CrawlWindow,
    complete_crawl_windows,
    crawl_run_view,
    failed_crawl_runs,
    finish_crawl_run,
    latest_crawl_runs,
    previous_crawl_runs,
    recent_crawl_runs,
    record_crawl_health,
    start_crawl_run,
)
from storage.db import make_engine, session_scope
from storage.deliveries import digest_delivered, record_digest_delivery
from storage.http_cache import CachedPage, http_cache_entries, save_http_cache
from storage.migrate import current_revision, head_revision, upgrade_database
from storage.read import (
    DigestEntry,
    DigestSourceRun,
    RunTotals,
    SummaryView,
    digest_entries,
    digest_neighbour_dates,
    digest_source_runs,
    run_totals,
    summaries_since,
    table_counts,
)
from storage.records import ArticleRecord, CrawlStatus, UpsertOutcome, content_hash
from storage.sources import upsert_source
from storage.summaries import (
    ARTICLE_TEXT,
    ArticleText,
    articles_for_summary,
    articles_to_summarize,
    is_article_text,
    save_summary,
)
from storage.types import UTCDateTime

__all__ = [
    # database
    "current_revision",
    "head_revision",
    "make_engine",
    "session_scope",
    "upgrade_database",
    # records and types
    "ArticleRecord",
    "CrawlStatus",
    "UTCDateTime",
    "UpsertOutcome",
    "content_hash",
    # sources
    "upsert_source",
    # crawl runs
    "CrawlRunView",
    "CrawlWindow",
    "complete_crawl_windows",
    "crawl_run_view",
    "failed_crawl_runs",
    "finish_crawl_run",
    "latest_crawl_runs",
    "previous_crawl_runs",
    "recent_crawl_runs",
    "record_crawl_health",
    "start_crawl_run",
    # articles
    "get_article",
    "mark_article_seen",
    "recent_article_urls",
    "stored_article_dates",
    "upsert_article",
    # summaries
    "ArticleText",
    "articles_for_summary",
    "articles_to_summarize",
    "ARTICLE_TEXT",
    "is_article_text",
    "save_summary",
    # HTTP cache
    "CachedPage",
    "http_cache_entries",
    "save_http_cache",
    # digest deliveries
    "digest_delivered",
    "record_digest_delivery",
    # reads for the digest and downstream jobs
    "DigestEntry",
    "DigestSourceRun",
    "digest_neighbour_dates",
    "digest_source_runs",
    "RunTotals",
    "SummaryView",
    "digest_entries",
    "run_totals",
    "summaries_since",
    "table_counts",
]
