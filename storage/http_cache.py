"""The ``http_cache`` table: the validators (ETag, Last-Modified, body hash) of every fetched URL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.common import dialect_insert, utcnow
from storage.models import HttpCacheEntry


@dataclass(frozen=True)
class CachedPage:
    """The validators of the last stored answer for a URL (a row of ``http_cache``)."""

    url: str
    etag: str | None
    last_modified: str | None
    status: int
    body_hash: str | None
    crawl_run_id: int | None = None  # the crawl run that saved them (None: unknown)


def http_cache_entries(session: Session, source_id: str) -> dict[str, CachedPage]:
    """Every ``http_cache`` row of a source, by URL (loaded once at the start of a crawl)."""
    rows = session.execute(select(HttpCacheEntry).where(HttpCacheEntry.source_id == source_id)).scalars()
    return {
        row.url: CachedPage(row.url, row.etag, row.last_modified, row.status, row.body_hash, row.crawl_run_id)
        for row in rows
    }


def save_http_cache(session: Session, source_id: str, pages: Iterable[CachedPage]) -> int:
    """Insert or replace the ``http_cache`` rows of ``pages`` (keyed by URL; of one URL given twice
    the last counts); returns how many rows. One statement for all of them (executemany)."""
    table = HttpCacheEntry.__table__
    fetched_at = utcnow()
    rows = {
        page.url: {
            "url": page.url,
            "source_id": source_id,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "status": page.status,
            "body_hash": page.body_hash,
            "fetched_at": fetched_at,
            "crawl_run_id": page.crawl_run_id,
        }
        for page in pages
    }
    if not rows:
        return 0
    stmt = dialect_insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.url],
        set_={key: stmt.excluded[key] for key in next(iter(rows.values())) if key != "url"},
    )
    session.execute(stmt, list(rows.values()))
    return len(rows)
