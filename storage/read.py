"""The reads of the digest and of downstream jobs; every function takes a session
(``storage.session_scope``) and only reads.

* the digest: :func:`digest_entries` (the day's articles with their source and effective summary
  (``storage.effective``: an approved edit, else an approved model summary, else an unreviewed
  one; never a rejected one), as ORM rows the digest renders inside the session; read a chunk at
  a time by :func:`iter_digest_entries`, the bodies of some again by :func:`article_bodies`), :func:`digest_source_runs` (the crawls of the
  day, for the digest's header) and :func:`digest_neighbour_dates` (the previous and next digest);
* downstream jobs (the asset-scheduled DAG in ``dags/``, an export, a report): plain, frozen
  dataclasses, so a change of the ORM models or of the session handling does not ripple into them
  (:func:`summaries_since`, :func:`run_totals`, :func:`table_counts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.article_facts import key_facts_record
from storage.common import as_date
from storage.effective import EffectiveSummary, effective_summaries
from storage.models import Article, CrawlRun, Source, Summary
from storage.summaries import is_article_text

# ---------------------------------------------------------------------------------------- digest


@dataclass(frozen=True)
class DigestEntry:
    """One article of a day's digest, its source and its effective summary (None: not summarized,
    or nothing to show: only a rejected summary, or an unreviewed one when review is required);
    ``summary`` is the model's row the effective summary rests on."""

    article: Article
    source: Source
    summary: Summary | None
    effective: EffectiveSummary | None = None

    @property
    def summary_text(self) -> str | None:
        """The text to show: the analyst's edit or the model's summary."""
        return self.effective.text if self.effective else None


# articles read (with their sources and summaries) per query by iter_digest_entries
DIGEST_CHUNK = 500


def digest_entries(
    session: Session,
    logical_date: date | datetime | str,
    *,
    backend: str | None = None,
    until: date | datetime | str | None = None,
    require_review: bool = False,
) -> list[DigestEntry]:
    """Articles first stored by a crawl run of ``logical_date`` (to ``until``, both included,
    when given), each with its source and its effective summary (of ``backend`` if given; None
    when there is none; ``require_review``: unreviewed summaries left out), ordered by source name,
    then published_at newest first (undated last), then id. Advertorials (paid items a crawler
    flagged ``extra["advertorial"]``, e.g. rmzxw's 【免责声明】 企业广告宣传资讯) are stored but left out.
    The whole day as a list; :func:`iter_digest_entries` reads it a chunk at a time."""
    return list(iter_digest_entries(session, logical_date, backend=backend, until=until, require_review=require_review))


def iter_digest_entries(
    session: Session,
    logical_date: date | datetime | str,
    *,
    backend: str | None = None,
    until: date | datetime | str | None = None,
    require_review: bool = False,
    chunk: int = DIGEST_CHUNK,
) -> Iterator[DigestEntry]:
    """:func:`digest_entries`, the same entries in the same order, read ``chunk`` articles at a
    time: only the day's ids are listed at once, so a consumer that keeps no entry holds one
    chunk of ORM rows (the session's identity map keeps unmodified rows only while they are
    referenced)."""
    day = as_date(logical_date)
    last = as_date(until, "until") if until is not None else day
    ids = (
        session.execute(
            select(Article.id)
            .join(Source, Article.source_id == Source.id)
            .join(CrawlRun, Article.first_crawl_run_id == CrawlRun.id)
            .where(CrawlRun.logical_date >= day, CrawlRun.logical_date <= last)
            .order_by(Source.name, Source.id, Article.published_at.desc().nulls_last(), Article.id)
        )
        .scalars()
        .all()
    )
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        found = {
            article.id: (article, source)
            for article, source in session.execute(
                select(Article, Source).join(Source, Article.source_id == Source.id).where(Article.id.in_(part))
            ).all()
        }
        # filtered here rather than in SQL: JSON path syntax differs between SQLite and PostgreSQL
        rows = [
            found[article_id]
            for article_id in part
            if article_id in found and not (found[article_id][0].extra or {}).get("advertorial")
        ]
        del found
        chosen = effective_summaries(
            session, [article.id for article, _ in rows], backend=backend, require_review=require_review
        )
        for article, source in rows:
            effective = chosen.pop(article.id, None)
            yield DigestEntry(article, source, effective.summary if effective else None, effective)
        del rows


def article_bodies(session: Session, article_ids: Sequence[int]) -> list[str]:
    """The bodies of ``article_ids`` in that order ("" for an article without one or no longer
    stored): the digest reads the bodies of its near-duplicate candidates again, not the day's."""
    found: dict[int, str] = {}
    for start in range(0, len(article_ids), DIGEST_CHUNK):
        part = list(article_ids[start : start + DIGEST_CHUNK])
        found.update(session.execute(select(Article.id, Article.body).where(Article.id.in_(part))).tuples().all())
    return [found.get(article_id) or "" for article_id in article_ids]


@dataclass(frozen=True)
class DigestSourceRun:
    """One source's crawl of a digest's day, for the digest's header: what it found, and its
    health verdict with the reasons from its crawl record."""

    source_id: str
    source_name: str
    logical_date: date
    status: str
    health: str | None
    health_reasons: tuple[str, ...]
    error_messages: tuple[str, ...]
    items_new: int


def digest_source_runs(
    session: Session, logical_date: date | datetime | str, *, until: date | datetime | str | None = None
) -> list[DigestSourceRun]:
    """The newest crawl run of each source on each date from ``logical_date`` to ``until``, by
    source name, then date (a day run again has several runs per source: the last one says how
    the source is now)."""
    day = as_date(logical_date)
    last = as_date(until, "until") if until is not None else day
    rank = (
        func.row_number()
        .over(
            partition_by=(CrawlRun.source_id, CrawlRun.logical_date),
            order_by=(CrawlRun.started_at.desc(), CrawlRun.id.desc()),
        )
        .label("rank")
    )
    newest = select(CrawlRun.id, rank).where(CrawlRun.logical_date >= day, CrawlRun.logical_date <= last).subquery()
    rows = session.execute(
        select(CrawlRun, Source.name)
        .join(Source, CrawlRun.source_id == Source.id)
        .join(newest, CrawlRun.id == newest.c.id)
        .where(newest.c.rank == 1)
        .order_by(Source.name, Source.id, CrawlRun.logical_date, CrawlRun.id)
    ).all()
    return [
        DigestSourceRun(
            source_id=run.source_id,
            source_name=name,
            logical_date=run.logical_date,
            status=run.status,
            health=run.health,
            health_reasons=tuple(run.health_reasons or ()),
            error_messages=tuple(run.error_messages or ()),
            items_new=run.items_new or 0,
        )
        for run, name in rows
    ]


def digest_neighbour_dates(
    session: Session, logical_date: date | datetime | str, *, until: date | datetime | str | None = None
) -> tuple[date | None, date | None]:
    """The nearest logical dates before ``logical_date`` and after ``until`` (default: the same
    day) that have crawl runs, i.e. the previous and the next digest (None: there is none)."""
    day = as_date(logical_date)
    last = as_date(until, "until") if until is not None else day
    previous = session.execute(select(func.max(CrawlRun.logical_date)).where(CrawlRun.logical_date < day)).scalar()
    following = session.execute(select(func.min(CrawlRun.logical_date)).where(CrawlRun.logical_date > last)).scalar()
    return previous, following


# ------------------------------------------------------------------------------- downstream jobs


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
    # the article's key facts (storage.key_facts(...).to_dict() plus "line"); None: none stored
    key_facts: dict[str, Any] | None = None
    # the text is the article's own (it was already within the summary's length budget)
    article_text: bool = False


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
    """Model summaries created or re-made at or after ``since`` (an aware datetime), oldest first:
    what the model wrote, reviewed or not, rejected ones included (for evaluation and audit).
    Downstream jobs read the contract instead, ``summary_feed_since`` (effective summaries:
    analysts' edits, never a rejected one; docs/summary_feed.md).

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
            key_facts=key_facts_record(article),
            article_text=is_article_text(summary),
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


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of sources, articles, summaries and crawl_runs."""
    return {
        model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Source, Article, Summary, CrawlRun)
    }
