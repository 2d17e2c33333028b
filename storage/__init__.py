"""policywatch storage: SQLAlchemy 2 models, Alembic migrations, and this facade, the only
module other packages import from (docs/architecture.md; the import-linter contract
``storage-facade``). Its names, by concern:

* database: ``make_engine``, ``session_scope``, ``upgrade_database``, ``current_revision``,
  ``head_revision`` (``storage.db``, ``storage.migrate``)
* locks between processes: ``database_lock`` (a ``HeldLock``), ``LockBusy``, ``LockLost``, ``holder_label``
  (``storage.locks``)
* a dropped connection: ``retrying``, ``is_disconnect`` (``storage.retry``)
* records and types: ``ArticleRecord``, ``UpsertOutcome``, ``CrawlStatus``, ``content_hash``,
  ``UTCDateTime`` (``storage.records``, ``storage.types``)
* sources: ``upsert_source``, ``record_source`` (a registry entry) (``storage.sources``)
* crawl runs, their health and windows: ``start_crawl_run``, ``finish_crawl_run``,
  ``fail_interrupted_crawl_runs``,
  ``record_crawl_health``, ``previous_crawl_runs``, ``complete_crawl_windows``, ``CrawlWindow``;
  read back as ``CrawlRunView``: ``crawl_run_view``, ``failed_crawl_runs``, ``latest_crawl_runs``,
  ``recent_crawl_runs``
  (``storage.crawl_runs``)
* articles: ``upsert_article``, ``mark_article_seen``, ``get_article``, ``stored_article_dates``,
  ``recent_article_urls`` (``storage.articles``)
* key facts (``extra["key_facts"]``): ``key_facts`` (the read model, ``KeyFactsView``),
  ``key_facts_record`` (their values and line as plain JSON, as ``SummaryView.key_facts`` has them),
  ``save_key_facts``, ``articles_for_key_facts`` (``KeyFactsInput``), ``article_ids``
  (``storage.article_facts``)
* summaries: ``articles_to_summarize``, ``any_article_without_current_summary``,
  ``articles_for_summary`` (``ArticleText``), ``is_article_text``,
  ``save_summary`` (``storage.summaries``)
* HTTP cache: ``http_cache_entries``, ``save_http_cache``, ``CachedPage`` (``storage.http_cache``)
* digest deliveries: ``digest_delivered``, ``record_digest_delivery`` (``storage.deliveries``)
* accounts of the review web app: ``add_user``, ``find_user``, ``list_users``,
  ``set_user_password``, ``set_user_disabled``, ``set_user_role`` (``UserView``) (``storage.users``)
* analysts' reviews: ``record_review`` (``ReviewView``, ``StaleSummaryError``),
  ``summary_reviews``, ``review_queue`` (``QueuePage`` of ``QueueItem``, ``LatestReview``),
  ``REVIEW_STATUSES``, ``GUARD_DECISIONS``, ``USER_ROLES``, ``REVIEW_DECISIONS``
  (``storage.reviews``; the design of "a review stays with what it reviewed" is documented there)
* the review app's other reads: ``review_item``, ``review_queue_texts`` (``QueueText``)
  (``storage.review_items``)
* the effective summary (an approved edit, else an approved, else an unreviewed model summary;
  never a rejected one): ``effective_summaries`` (``EffectiveSummary``) (``storage.effective``)
* the downstream contract, the ``summary_feed`` view: ``summary_feed_since`` (``FeedRow``),
  ``SUMMARY_FEED_VERSION`` (``storage.feed``; docs/summary_feed.md)
* reads for the digest and downstream jobs: ``digest_entries`` (``DigestEntry``; a chunk at a
  time: ``iter_digest_entries``; some bodies again: ``article_bodies``),
  ``digest_source_runs`` (``DigestSourceRun``), ``digest_neighbour_dates``,
  ``summaries_since`` (``SummaryView``), ``run_totals`` (``RunTotals``), ``table_counts``
  (``storage.read``)

No function commits: the caller owns the transaction (``session_scope``). Writers that run
concurrently (crawl subprocesses) should commit after each article: the upserts are single
``INSERT ... ON CONFLICT`` / conditional ``UPDATE`` statements of the session's dialect (SQLite or
PostgreSQL), safe under concurrency, but on PostgreSQL two long transactions touching the same URLs
in different orders can deadlock, and on SQLite a transaction holds the write lock until it ends.
"""

from storage.article_facts import (
    Amount,
    KeyFactsInput,
    KeyFactsView,
    article_ids,
    articles_for_key_facts,
    key_facts,
    key_facts_record,
    save_key_facts,
)
from storage.articles import get_article, mark_article_seen, recent_article_urls, stored_article_dates, upsert_article
from storage.crawl_runs import (
    CrawlRunView,
    CrawlWindow,
    complete_crawl_windows,
    crawl_run_view,
    fail_interrupted_crawl_runs,
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
from storage.effective import EffectiveSummary, effective_summaries
from storage.feed import SUMMARY_FEED_VERSION, FeedRow, summary_feed_since
from storage.http_cache import CachedPage, http_cache_entries, save_http_cache
from storage.locks import HeldLock, LockBusy, LockLost, database_lock, holder_label
from storage.migrate import current_revision, head_revision, upgrade_database
from storage.models import REVIEW_DECISIONS, USER_ROLES
from storage.read import (
    DigestEntry,
    DigestSourceRun,
    RunTotals,
    SummaryView,
    article_bodies,
    digest_entries,
    digest_neighbour_dates,
    digest_source_runs,
    iter_digest_entries,
    run_totals,
    summaries_since,
    table_counts,
)
from storage.records import ArticleRecord, CrawlStatus, UpsertOutcome, content_hash
from storage.retry import is_disconnect, retrying
from storage.review_items import QueueText, review_item, review_queue_texts
from storage.reviews import (
    GUARD_DECISIONS,
    REVIEW_STATUSES,
    LatestReview,
    QueueItem,
    QueuePage,
    ReviewView,
    StaleSummaryError,
    record_review,
    review_queue,
    summary_reviews,
)
from storage.sources import record_source, upsert_source
from storage.summaries import (
    ARTICLE_TEXT,
    ArticleText,
    any_article_without_current_summary,
    articles_for_summary,
    articles_to_summarize,
    is_article_text,
    save_summary,
)
from storage.types import UTCDateTime
from storage.users import UserView, add_user, find_user, list_users, set_user_disabled, set_user_password, set_user_role

__all__ = [
    # database
    "current_revision",
    "head_revision",
    "make_engine",
    "session_scope",
    "upgrade_database",
    # locks between processes
    "HeldLock",
    "LockBusy",
    "LockLost",
    "database_lock",
    "holder_label",
    # a dropped connection
    "is_disconnect",
    "retrying",
    # records and types
    "ArticleRecord",
    "CrawlStatus",
    "UTCDateTime",
    "UpsertOutcome",
    "content_hash",
    # sources
    "upsert_source",
    "record_source",
    # crawl runs
    "CrawlRunView",
    "CrawlWindow",
    "complete_crawl_windows",
    "crawl_run_view",
    "fail_interrupted_crawl_runs",
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
    # key facts
    "Amount",
    "KeyFactsInput",
    "KeyFactsView",
    "article_ids",
    "articles_for_key_facts",
    "key_facts",
    "key_facts_record",
    "save_key_facts",
    # summaries
    "ArticleText",
    "any_article_without_current_summary",
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
    # accounts
    "USER_ROLES",
    "UserView",
    "add_user",
    "find_user",
    "list_users",
    "set_user_disabled",
    "set_user_password",
    "set_user_role",
    # reviews
    "GUARD_DECISIONS",
    "REVIEW_DECISIONS",
    "REVIEW_STATUSES",
    "LatestReview",
    "QueueItem",
    "QueuePage",
    "ReviewView",
    "StaleSummaryError",
    "record_review",
    "review_queue",
    "summary_reviews",
    # the review app's other reads
    "QueueText",
    "review_item",
    "review_queue_texts",
    # effective summary and the summary_feed contract
    "EffectiveSummary",
    "effective_summaries",
    "FeedRow",
    "SUMMARY_FEED_VERSION",
    "summary_feed_since",
    # reads for the digest and downstream jobs
    "DigestEntry",
    "DigestSourceRun",
    "digest_neighbour_dates",
    "digest_source_runs",
    "RunTotals",
    "SummaryView",
    "article_bodies",
    "digest_entries",
    "iter_digest_entries",
    "run_totals",
    "summaries_since",
    "table_counts",
]
