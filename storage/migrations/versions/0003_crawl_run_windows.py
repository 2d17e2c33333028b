"""crawl_runs date window and list completeness, http_cache.crawl_run_id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

What crawlers/incremental.py and crawlers/conditional.py need to stop paging only where an earlier
complete crawl of the source read the lists down to this crawl's window. Rows written before this
revision keep NULLs, which count as "not known to cover anything". Self-contained like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("window_since", sa.Date(), nullable=True))
        batch.add_column(sa.Column("window_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("lists_complete", sa.Boolean(), nullable=True))
    with op.batch_alter_table("http_cache") as batch:
        batch.add_column(sa.Column("crawl_run_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_http_cache_crawl_run_id_crawl_runs", "crawl_runs", ["crawl_run_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("http_cache") as batch:
        batch.drop_constraint("fk_http_cache_crawl_run_id_crawl_runs", type_="foreignkey")
        batch.drop_column("crawl_run_id")
    with op.batch_alter_table("crawl_runs") as batch:
        for name in ("lists_complete", "window_until", "window_since"):
            batch.drop_column(name)
