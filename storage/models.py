"""SQLAlchemy 2 typed declarative models.

Downstream jobs read the ``summary_feed`` view (migration 0005, docs/summary_feed.md), a versioned
contract over ``summaries``, ``reviews`` and ``articles`` pinned by
tests/test_summary_feed_contract.py: a column of those tables that the view reads changes only
with a new contract version. Any change here needs a new migration in ``storage/migrations/versions``;
``tests/test_storage_migrations.py`` fails when the models and the migrations disagree.

Every timestamp is a :class:`~storage.types.UTCDateTime` (aware, UTC); every JSON column a
:class:`~storage.types.CanonicalJSON` (JSONB on PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.records import CRAWL_STATUSES
from storage.types import CanonicalJSON, UTCDateTime

# Deterministic constraint names: needed by Alembic batch mode on SQLite and keeps the
# migration and the models comparable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: CanonicalJSON(), list[str]: CanonicalJSON()}


class Source(Base):
    """A crawled site, mirrored from the source registry (config/sources.toml)."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. "kjj_cq"
    name: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(16))
    family: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"Source(id={self.id!r}, name={self.name!r})"


class CrawlRun(Base):
    """One crawl of one source for one pipeline run; a retried task reuses its row."""

    __tablename__ = "crawl_runs"
    __table_args__ = (
        UniqueConstraint("source_id", "run_id"),
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in CRAWL_STATUSES) + ")", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    run_id: Mapped[str] = mapped_column(String(255))  # Airflow run id or a CLI-generated id
    logical_date: Mapped[date] = mapped_column(Date, index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    items_found: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)  # == len(error_messages)
    error_messages: Mapped[list[str]] = mapped_column(default=list)
    # Added in 0002, for conditional requests and source health:
    requests: Mapped[int] = mapped_column(Integer, default=0)  # HTTP requests made, robots.txt included
    not_modified: Mapped[int] = mapped_column(Integer, default=0)  # 304 answers to conditional requests
    pages_failed: Mapped[int] = mapped_column(Integer, default=0)  # pages without a title, date or body
    health: Mapped[str | None] = mapped_column(String(16))  # ok | degraded | broken (health check verdict)
    health_reasons: Mapped[list[str]] = mapped_column(default=list)
    # Added in 0003, for stopping at stored articles soundly (crawlers/incremental.py): the date
    # window the crawl was asked for (NULL: unbounded on that side; NULL as well on rows from
    # before 0003, which lists_complete NULL marks) and whether it read every list down to its
    # window_since (False: a list was cut short by the page limit; NULL: unknown — still running,
    # an older row, or a crawl without the incremental middleware).
    window_since: Mapped[date | None] = mapped_column(Date)
    window_until: Mapped[date | None] = mapped_column(Date)
    lists_complete: Mapped[bool | None] = mapped_column(Boolean)

    source: Mapped[Source] = relationship()

    def __repr__(self) -> str:
        return f"CrawlRun(id={self.id!r}, source_id={self.source_id!r}, run_id={self.run_id!r}, status={self.status!r})"


class Article(Base):
    """One article, keyed by its canonical real-site URL."""

    __tablename__ = "articles"
    # published_at alone (0005): the review queue selects a local day across every source
    __table_args__ = (Index(None, "source_id", "published_at"), Index(None, "published_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    section: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    # sha256 hex of normalised title + "\n" + body (storage.records.content_hash)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_office: Mapped[str | None] = mapped_column(Text)  # e.g. 重庆市科学技术局
    author: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)
    last_crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))

    source: Mapped[Source] = relationship()
    first_crawl_run: Mapped[CrawlRun | None] = relationship(foreign_keys=[first_crawl_run_id])
    last_crawl_run: Mapped[CrawlRun | None] = relationship(foreign_keys=[last_crawl_run_id])
    summaries: Mapped[list[Summary]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Article(id={self.id!r}, url={self.url!r})"


class Summary(Base):
    """One summary per (article, backend, model_id), updated in place when re-made."""

    __tablename__ = "summaries"
    # updated_at (0005): the summary_feed view's ``updated_at > :since`` polling
    __table_args__ = (UniqueConstraint("article_id", "backend", "model_id"), Index(None, "updated_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    backend: Mapped[str] = mapped_column(String(64))  # e.g. "extractive"
    model_id: Mapped[str] = mapped_column(String(255))  # e.g. "sentence-transformers/all-MiniLM-L6-v2"
    model_version: Mapped[str] = mapped_column(String(255))  # a revision or a weights-file hash
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))  # articles.content_hash it was made from
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Added in 0002: the faithfulness guard's decision (checked, passed, unsupported items, fallback).
    guard: Mapped[dict[str, Any] | None] = mapped_column()

    article: Mapped[Article] = relationship(back_populates="summaries")

    def __repr__(self) -> str:
        return (
            f"Summary(id={self.id!r}, article_id={self.article_id!r}, backend={self.backend!r}, "
            f"model_id={self.model_id!r})"
        )


class HttpCacheEntry(Base):
    """Validators of the last answer for a URL, sent back as a conditional request (ETag,
    Last-Modified) so an unchanged page costs a 304 and no parse."""

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(Text, primary_key=True)  # the real URL, never the replay's
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    body_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 of the body last parsed
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Added in 0003: the crawl run that saved these validators (NULL: before 0003). A 304 on a list
    # page stops paging only when that run read its lists down to this run's ``since``.
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))


class DigestDelivery(Base):
    """One digest e-mail sent to one recipient for one day (added in 0004): a re-run of the day
    finds it and does not send again unless asked (``sends`` counts the forced re-sends too)."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("logical_date", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    logical_date: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(320))  # the address, lower-cased
    message_id: Mapped[str] = mapped_column(Text)  # the Message-ID header of the last send
    stories: Mapped[int] = mapped_column(Integer, default=0)  # stories in the recipient's (filtered) digest
    sends: Mapped[int] = mapped_column(Integer, default=1)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


USER_ROLES = ("analyst", "viewer")
REVIEW_DECISIONS = ("approve", "edit", "reject")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class User(Base):
    """An account of the review web app (added in 0005). ``password_hash`` is the hash string the
    web package made (pwdlib); storage never sees a password. Users are disabled, never deleted:
    their reviews keep pointing at them."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", USER_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # analyst | viewer
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class Review(Base):
    """One analyst decision on one summary (added in 0005); append-only, never updated.

    A summary row is re-made in place (``save_summary``), so the review keeps what it reviewed:
    a snapshot of the model's text, the article content hash it was made from, the model version
    and the summary's ``updated_at`` then. A review is *current* while the summary still has that
    text and content hash; once the article is re-summarized to another text (or its content
    changed) the old review stays (history, audit) and the new summary waits for review again
    (storage/reviews.py, docs/summary_feed.md)."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint(_one_of("decision", REVIEW_DECISIONS), name="decision"),
        CheckConstraint("decision <> 'edit' OR edited_text IS NOT NULL", name="edit_has_text"),
        CheckConstraint("decision <> 'reject' OR reason IS NOT NULL", name="reject_has_reason"),
        Index(None, "summary_id"),
        Index(None, "created_at"),  # summary_feed polling: a review changes the feed row
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # approve | edit | reject
    edited_text: Mapped[str | None] = mapped_column(Text)  # decision == "edit"
    reason: Mapped[str | None] = mapped_column(Text)  # required when decision == "reject"
    guard: Mapped[dict[str, Any] | None] = mapped_column()  # the guard's flags on edited_text
    # what was reviewed: the summary as it was then (text + content hash: the currency key)
    summary_updated_at: Mapped[datetime] = mapped_column()
    reviewed_text: Mapped[str] = mapped_column(Text)
    reviewed_content_hash: Mapped[str] = mapped_column(String(64))
    reviewed_model_version: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    summary: Mapped[Summary] = relationship()
    reviewer: Mapped[User] = relationship()


TABLES = ("sources", "articles", "summaries", "crawl_runs")
