"""The read API for downstream jobs: plain, frozen dataclasses, no ORM object leaks out.

A downstream job (the asset-scheduled DAG in ``dags/``, an export, a report) reads what the daily
pipeline stored through these functions, so a change of the ORM models or of the session handling
does not ripple into them. Every function takes a session (``storage.session_scope``) and only
reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, CrawlRun, Summary


@dataclass(frozen=True)
class SummaryView:
    """One summary with the article it summarizes."""

    summary_id: int
    article_id: int
    url: str
    source_id: str
    title: str
    published_at: datetime | None
    text: str
    language: str
    backend: str
    model_id: str
    model_version: str
    updated_at: datetime


@dataclass(frozen=True)
class RunTotals:
    """What the crawls of one pipeline run (one Airflow DAG run) did, added over its sources."""

    run_id: str
    sources: int
    failed_sources: int
    pages: int
    found: int
    new: int
    updated: int
    unchanged: int
    errors: int


def summaries_since(
    session: Session,
    since: datetime,
    *,
    source_ids: Iterable[str] | None = None,
    backend: str | None = None,
    model_id: str | None = None,
    limit: int | None = None,
) -> list[SummaryView]:
    """Summaries created or re-made at or after ``since`` (an aware datetime), oldest first.

    A summary re-made in place (new content, new model version) moves its ``updated_at``, so a
    job that remembers the last ``since`` it read sees every change exactly once more.
    """
    if since.tzinfo is None:
        raise ValueError("summaries_since needs an aware datetime (naive times are ambiguous)")
    stmt = (
        select(Summary, Article)
        .join(Article, Summary.article_id == Article.id)
        .where(Summary.updated_at >= since)
        .order_by(Summary.updated_at, Summary.id)
    )
    if source_ids is not None:
        stmt = stmt.where(Article.source_id.in_(list(source_ids)))
    if backend is not None:
        stmt = stmt.where(Summary.backend == backend)
    if model_id is not None:
        stmt = stmt.where(Summary.model_id == model_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        SummaryView(
            summary_id=summary.id,
            article_id=article.id,
            url=article.url,
            source_id=article.source_id,
            title=article.title,
            published_at=article.published_at,
            text=summary.text,
            language=summary.language,
            backend=summary.backend,
            model_id=summary.model_id,
            model_version=summary.model_version,
            updated_at=summary.updated_at,
        )
        for summary, article in session.execute(stmt).all()
    ]


def run_totals(session: Session, run_id: str) -> RunTotals:
    """Counters of every crawl_runs row of ``run_id``, added up (zeros for an unknown run)."""
    row = session.execute(
        select(
            func.count(CrawlRun.id),
            func.count(CrawlRun.id).filter(CrawlRun.status == "failed"),
            func.coalesce(func.sum(CrawlRun.pages_fetched), 0),
            func.coalesce(func.sum(CrawlRun.items_found), 0),
            func.coalesce(func.sum(CrawlRun.items_new), 0),
            func.coalesce(func.sum(CrawlRun.items_updated), 0),
            func.coalesce(func.sum(CrawlRun.items_unchanged), 0),
            func.coalesce(func.sum(CrawlRun.errors), 0),
        ).where(CrawlRun.run_id == run_id)
    ).one()
    return RunTotals(run_id, *(int(value) for value in row))
