"""The downstream contract: the ``summary_feed`` view (created by migration 0005) and its read
function, :func:`summary_feed_since`.

One row per summarized article with its *effective* summary (``storage.effective``): the
analyst's edit, else the approved or unreviewed model summary; a rejected one never (an article
whose summaries are all rejected has a row with ``review_status = 'rejected'`` and no text, so a
poller can withdraw what it published). ``updated_at`` is the article's newest summary change or
review. Columns, types and an example are in docs/summary_feed.md; the schema is pinned per
``contract_version`` in tests/fixtures/summary_feed.v<N>.json (tests/test_summary_feed_contract.py).
A change of a column is a new contract version: a new migration replacing the view, a new
pinned file, :data:`SUMMARY_FEED_VERSION` bumped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, and_, or_, select, union
from sqlalchemy.orm import Session

from storage.models import Review, Summary
from storage.types import UTCDateTime, ensure_aware_utc

SUMMARY_FEED_VERSION = 1

# The view as SQLAlchemy reads it; its own MetaData: a view is no table of Base.metadata (Alembic
# would offer to create it).
summary_feed = Table(
    "summary_feed",
    MetaData(),
    Column("article_id", Integer, primary_key=True),
    Column("canonical_url", Text),
    Column("source_id", String(64)),
    Column("source_name", Text),
    Column("title", Text),
    Column("published_at", UTCDateTime()),
    Column("language", String(16)),
    Column("summary_text", Text),
    Column("summary_origin", Text),
    Column("review_status", Text),
    Column("reviewer", String(64)),
    Column("updated_at", UTCDateTime()),
    Column("contract_version", Integer),
)


@dataclass(frozen=True)
class FeedRow:
    """One row of ``summary_feed`` (contract version 1)."""

    article_id: int
    canonical_url: str
    source_id: str
    source_name: str
    title: str
    published_at: datetime | None  # UTC
    language: str  # the summary's
    summary_text: str | None  # None only for a withdrawn (rejected) row
    summary_origin: str | None  # the model_id, or "edit"
    review_status: str  # edited | approved | unreviewed | rejected
    reviewer: str | None
    updated_at: datetime  # UTC
    contract_version: int


def summary_feed_since(
    session: Session,
    since: datetime,
    limit: int | None = None,
    *,
    after_article_id: int | None = None,
    require_review: bool = False,
    include_withdrawn: bool = False,
) -> list[FeedRow]:
    """Rows of ``summary_feed`` changed after ``since`` (aware), oldest change first (then by
    article id). Page with ``limit``: pass the last row's ``updated_at`` and ``article_id`` as
    ``since`` and ``after_article_id`` to read on (rows of the same instant are not skipped).
    ``require_review`` leaves unreviewed summaries out (POLICYWATCH_DIGEST_REQUIRE_REVIEW);
    ``include_withdrawn`` adds articles whose summaries were all rejected (text None).

    The articles that changed are found first through the indexes on ``summaries.updated_at``
    and ``reviews.created_at``; only their rows of the view are computed."""
    if since.tzinfo is None:
        raise ValueError("summary_feed_since needs an aware datetime (naive times are ambiguous)")
    since = ensure_aware_utc(since)
    if limit is not None and limit < 1:
        raise ValueError(f"summary_feed_since needs limit >= 1 (or None), not {limit}")
    changed = union(
        select(Summary.article_id).where(Summary.updated_at >= since),
        select(Summary.article_id).join(Review, Review.summary_id == Summary.id).where(Review.created_at >= since),
    )
    feed = summary_feed.c
    after = feed.updated_at > since
    if after_article_id is not None:
        after = or_(after, and_(feed.updated_at == since, feed.article_id > after_article_id))
    stmt = select(summary_feed).where(feed.article_id.in_(changed), after)
    statuses = ["edited", "approved"] + ([] if require_review else ["unreviewed"])
    statuses += ["rejected"] if include_withdrawn else []
    stmt = stmt.where(feed.review_status.in_(statuses)).order_by(feed.updated_at, feed.article_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [FeedRow(**row._mapping) for row in session.execute(stmt)]
