"""crawl_runs health and request counters, summaries.guard, http_cache

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Self-contained like 0001 (plain SQLAlchemy types, no import of storage.models).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        for name in ("requests", "not_modified", "pages_failed"):
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("health", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("health_reasons", _json(), nullable=False, server_default="[]"))
    with op.batch_alter_table("summaries") as batch:
        batch.add_column(sa.Column("guard", _json(), nullable=True))
    op.create_table(
        "http_cache",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_http_cache_source_id_sources"),
        sa.PrimaryKeyConstraint("url", name="pk_http_cache"),
    )


def downgrade() -> None:
    op.drop_table("http_cache")
    with op.batch_alter_table("summaries") as batch:
        batch.drop_column("guard")
    with op.batch_alter_table("crawl_runs") as batch:
        for name in ("health_reasons", "health", "pages_failed", "not_modified", "requests"):
            batch.drop_column(name)
