"""policywatch storage: SQLAlchemy 2 models, Alembic migrations, repository functions.

The names below are the contract other packages code against (docs/architecture.md).
"""

from storage.db import make_engine, session_scope
from storage.migrate import current_revision, head_revision, upgrade_database
from storage.models import Article, Base, CrawlRun, Source, Summary
from storage.records import ArticleRecord, CrawlStatus, UpsertOutcome, content_hash
from storage.repository import (
    DigestEntry,
    articles_to_summarize,
    digest_entries,
    finish_crawl_run,
    get_article,
    save_summary,
    start_crawl_run,
    table_counts,
    upsert_article,
    upsert_source,
)
from storage.types import UTCDateTime

__all__ = [
    "Article",
    "ArticleRecord",
    "Base",
    "CrawlRun",
    "CrawlStatus",
    "DigestEntry",
    "Source",
    "Summary",
    "UTCDateTime",
    "UpsertOutcome",
    "articles_to_summarize",
    "content_hash",
    "current_revision",
    "digest_entries",
    "finish_crawl_run",
    "get_article",
    "head_revision",
    "make_engine",
    "save_summary",
    "session_scope",
    "start_crawl_run",
    "table_counts",
    "upgrade_database",
    "upsert_article",
    "upsert_source",
]
