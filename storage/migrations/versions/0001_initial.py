"""initial schema: sources, crawl_runs, articles, summaries

Revision ID: 0001
Revises:
Create Date: 2026-05-10

Self-contained on purpose (plain SQLAlchemy types, no import of storage.models/types), so later
changes to the models cannot alter what this revision creates. Constraint names follow
storage.models.NAMING_CONVENTION.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )

    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=255), nullable=False),
        sa.Column("logical_date", sa.Date(), nullable=False),
        sa.Column("started_at", _timestamp(), nullable=False),
        sa.Column("finished_at", _timestamp(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("items_found", sa.Integer(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("items_updated", sa.Integer(), nullable=False),
        sa.Column("items_unchanged", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("error_messages", _json(), nullable=False),
        sa.CheckConstraint("status IN ('running', 'success', 'partial', 'failed')", name="ck_crawl_runs_status"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_crawl_runs_source_id_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
        sa.UniqueConstraint("source_id", "run_id", name="uq_crawl_runs_source_id_run_id"),
    )
    op.create_index("ix_crawl_runs_logical_date", "crawl_runs", ["logical_date"])

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published_at", _timestamp(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source_office", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("extra", _json(), nullable=False),
        sa.Column("first_seen_at", _timestamp(), nullable=False),
        sa.Column("last_seen_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.Column("first_crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("last_crawl_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_articles_source_id_sources"),
        sa.ForeignKeyConstraint(
            ["first_crawl_run_id"],
            ["crawl_runs.id"],
            name="fk_articles_first_crawl_run_id_crawl_runs",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_crawl_run_id"],
            ["crawl_runs.id"],
            name="fk_articles_last_crawl_run_id_crawl_runs",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("url", name="uq_articles_url"),
    )
    op.create_index("ix_articles_source_id_published_at", "articles", ["source_id", "published_at"])
    op.create_index("ix_articles_first_crawl_run_id", "articles", ["first_crawl_run_id"])

    op.create_table(
        "summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("model_id", sa.String(length=255), nullable=False),
        sa.Column("model_version", sa.String(length=255), nullable=False),
        sa.Column("parameters", _json(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_summaries_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_summaries"),
        sa.UniqueConstraint("article_id", "backend", "model_id", name="uq_summaries_article_id_backend_model_id"),
    )


def downgrade() -> None:
    op.drop_table("summaries")
    op.drop_index("ix_articles_first_crawl_run_id", table_name="articles")
    op.drop_index("ix_articles_source_id_published_at", table_name="articles")
    op.drop_table("articles")
    op.drop_index("ix_crawl_runs_logical_date", table_name="crawl_runs")
    op.drop_table("crawl_runs")
    op.drop_table("sources")
