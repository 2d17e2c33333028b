"""The ``articles`` table: the upsert keyed by canonical URL, and the lookups a crawl makes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.common import dialect_insert, expire_if_loaded, utcnow
from storage.models import Article, CrawlRun
from storage.records import ArticleRecord, UpsertOutcome


def upsert_article(session: Session, record: ArticleRecord, crawl_run: CrawlRun | None) -> UpsertOutcome:
    """Store ``record`` keyed by its canonical URL.

    * NEW: the URL was unknown; first/last_seen_at = now, first/last_crawl_run_id = the run.
    * UPDATED: the content hash changed; title, body, section, published_at, language,
      source_office, author, extra, content_hash, updated_at and last_seen_at (+
      last_crawl_run_id) are rewritten; first_seen_at, first_crawl_run_id and source_id are kept.
    * UNCHANGED: same content hash; only last_seen_at (+ last_crawl_run_id) move.

    ``crawl_run`` None leaves the crawl-run columns alone (NULL for a new row).
    """
    now = utcnow()
    table = Article.__table__
    digest = record.content_hash
    run_pk = crawl_run.id if crawl_run is not None else None
    content = {
        "section": record.section,
        "title": record.title,
        "published_at": record.published_at,
        "language": record.language,
        "body": record.body,
        "content_hash": digest,
        "source_office": record.source_office,
        "author": record.author,
        "extra": record.extra or {},
    }
    seen: dict[str, Any] = {"last_seen_at": now}
    if run_pk is not None:
        seen["last_crawl_run_id"] = run_pk

    insert_stmt = (
        dialect_insert(session, table)
        .values(
            url=record.url,
            source_id=record.source_id,
            first_seen_at=now,
            last_seen_at=now,
            updated_at=now,
            first_crawl_run_id=run_pk,
            last_crawl_run_id=run_pk,
            **content,
        )
        .on_conflict_do_nothing(index_elements=[table.c.url])
        .returning(table.c.id)
    )
    if session.execute(insert_stmt).first() is not None:
        return UpsertOutcome.NEW

    # Conditional UPDATEs: on PostgreSQL a concurrent writer of the same URL waits for the row
    # lock and re-checks the WHERE clause, so only one of them reports UPDATED.
    updated = session.execute(
        update(table)
        .where(table.c.url == record.url, table.c.content_hash != digest)
        .values(updated_at=now, **content, **seen)
        .returning(table.c.id)
    ).first()
    if updated is not None:
        expire_if_loaded(session, Article, updated.id)
        return UpsertOutcome.UPDATED

    touched = session.execute(
        update(table).where(table.c.url == record.url).values(**seen).returning(table.c.id)
    ).first()
    if touched is None:  # deleted between the statements
        raise LookupError(f"article {record.url} vanished during upsert")
    expire_if_loaded(session, Article, touched.id)
    return UpsertOutcome.UNCHANGED


def mark_article_seen(session: Session, url: str, crawl_run: CrawlRun | None) -> bool:
    """An article page answered 304: move ``last_seen_at`` (+ ``last_crawl_run_id``) of the stored
    article, as an UNCHANGED upsert would. False when no article is stored under ``url``."""
    seen: dict[str, Any] = {"last_seen_at": utcnow()}
    if crawl_run is not None:
        seen["last_crawl_run_id"] = crawl_run.id
    touched = session.execute(
        update(Article.__table__).where(Article.__table__.c.url == url).values(**seen).returning(Article.__table__.c.id)
    ).first()
    if touched is None:
        return False
    expire_if_loaded(session, Article, touched.id)
    return True


def get_article(session: Session, url: str) -> Article | None:
    """The article stored under canonical ``url``, or None."""
    return session.execute(select(Article).where(Article.url == url)).scalar_one_or_none()


def stored_article_dates(session: Session, urls: Iterable[str]) -> dict[str, datetime | None]:
    """``{url: published_at}`` for the URLs of ``urls`` already stored as articles."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, datetime | None] = {}
    for start in range(0, len(wanted), 500):  # keep the IN list well below parameter limits
        chunk = wanted[start : start + 500]
        for url, published_at in session.execute(
            select(Article.url, Article.published_at).where(Article.url.in_(chunk))
        ):
            found[url] = published_at
    return found


def recent_article_urls(
    session: Session,
    source_id: str,
    section: str | None,
    *,
    since: date,
    until: date | None = None,
    tz: str = "Asia/Shanghai",
    limit: int = 200,
) -> list[str]:
    """URLs of the source's stored articles of ``section`` (any section when None) published from
    day ``since`` (to day ``until``) in time zone ``tz``, newest first: what a daily run asks for
    again when their list page is unchanged, to catch corrections."""
    zone = ZoneInfo(tz)
    stmt = select(Article.url).where(
        Article.source_id == source_id,
        Article.published_at >= datetime.combine(since, time(), zone),
    )
    if section is not None:
        stmt = stmt.where(Article.section == section)
    if until is not None:
        stmt = stmt.where(Article.published_at < datetime.combine(until + timedelta(days=1), time(), zone))
    stmt = stmt.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)
    return list(session.execute(stmt).scalars())
