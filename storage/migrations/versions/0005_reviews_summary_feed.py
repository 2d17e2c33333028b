"""users, reviews and the summary_feed view (contract version 1)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

What the analysts' review needs (accounts, append-only decisions that keep what they reviewed)
and the downstream contract: the ``summary_feed`` view, one row per summarized article with its
effective summary (docs/summary_feed.md), plus the indexes its ``updated_at > :since`` polling
and the review queue's day selection use. Self-contained like 0001 (plain SQLAlchemy types, no
import of storage.models/types): the view's SQL is this revision's, a later contract version
replaces it in a migration of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Portable SQL (SQLite >= 3.25 for ROW_NUMBER, PostgreSQL). A review counts while the summary
# still has the text and content hash it judged (storage/reviews.py); the newest current review
# (highest id: rows are append-only) decides a summary's status. Per article the effective
# summary is an edit, else an approved summary, else an unreviewed one (newest first); a
# rejected one only when nothing else is left, as a withdrawal row whose text is NULL.
# updated_at is the article's newest summary change or review (any review, stale ones too), so a
# poller sees a review; it is a window MAX over the article's rows, not a join of a grouped
# subquery. Both shapes here keep PostgreSQL's row estimates sane (bench/README.md): with the
# currency test as a join condition it estimated one row for its three equalities, and with a
# grouped join for updated_at it planned nested loops over it: 50 to 77 s at 10,000 summaries.
SUMMARY_FEED_V1 = """
CREATE VIEW summary_feed AS
WITH latest_review AS (
    SELECT r.summary_id,
           MAX(CASE WHEN r.reviewed_text = s.text AND r.reviewed_content_hash = s.content_hash THEN r.id END)
               AS review_id,
           MAX(r.created_at) AS reviewed_at
    FROM reviews r JOIN summaries s ON s.id = r.summary_id
    GROUP BY r.summary_id
),
ranked AS (
    SELECT s.id AS summary_id, s.article_id, s.text, s.language, s.model_id,
           r.decision, r.edited_text, r.reviewer_id,
           ROW_NUMBER() OVER (
               PARTITION BY s.article_id
               ORDER BY CASE r.decision WHEN 'edit' THEN 0 WHEN 'approve' THEN 1 WHEN 'reject' THEN 3 ELSE 2 END,
                        s.updated_at DESC, s.id DESC
           ) AS effective_rank,
           MAX(s.updated_at) OVER (PARTITION BY s.article_id) AS summary_changed_at,
           MAX(lr.reviewed_at) OVER (PARTITION BY s.article_id) AS review_changed_at
    FROM summaries s
    LEFT JOIN latest_review lr ON lr.summary_id = s.id
    LEFT JOIN reviews r ON r.id = lr.review_id
)
SELECT
    a.id AS article_id,
    a.url AS canonical_url,
    a.source_id AS source_id,
    src.name AS source_name,
    a.title AS title,
    a.published_at AS published_at,
    rk.language AS language,
    CASE rk.decision WHEN 'edit' THEN rk.edited_text WHEN 'reject' THEN NULL ELSE rk.text END AS summary_text,
    CASE rk.decision WHEN 'edit' THEN 'edit' WHEN 'reject' THEN NULL ELSE rk.model_id END AS summary_origin,
    CASE rk.decision WHEN 'edit' THEN 'edited' WHEN 'approve' THEN 'approved' WHEN 'reject' THEN 'rejected'
         ELSE 'unreviewed' END AS review_status,
    u.name AS reviewer,
    CASE WHEN rk.review_changed_at > rk.summary_changed_at THEN rk.review_changed_at
         ELSE rk.summary_changed_at END AS updated_at,
    1 AS contract_version
FROM ranked rk
JOIN articles a ON a.id = rk.article_id
JOIN sources src ON src.id = a.source_id
LEFT JOIN users u ON u.id = rk.reviewer_id
WHERE rk.effective_rank = 1
"""


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.CheckConstraint("role IN ('analyst', 'viewer')", name="ck_users_role"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("summary_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("edited_text", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("guard", json_type, nullable=True),
        sa.Column("summary_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_text", sa.Text(), nullable=False),
        sa.Column("reviewed_content_hash", sa.String(length=64), nullable=False),
        sa.Column("reviewed_model_version", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("decision IN ('approve', 'edit', 'reject')", name="ck_reviews_decision"),
        sa.CheckConstraint("decision <> 'edit' OR edited_text IS NOT NULL", name="ck_reviews_edit_has_text"),
        sa.CheckConstraint("decision <> 'reject' OR reason IS NOT NULL", name="ck_reviews_reject_has_reason"),
        sa.ForeignKeyConstraint(
            ["summary_id"], ["summaries.id"], name="fk_reviews_summary_id_summaries", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name="fk_reviews_reviewer_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
    )
    op.create_index("ix_reviews_summary_id", "reviews", ["summary_id"])
    op.create_index("ix_reviews_created_at", "reviews", ["created_at"])
    op.create_index("ix_reviews_reviewer_id", "reviews", ["reviewer_id"])
    op.create_index("ix_summaries_updated_at", "summaries", ["updated_at"])
    op.create_index("ix_articles_published_at", "articles", ["published_at"])
    op.execute(SUMMARY_FEED_V1)


def downgrade() -> None:
    op.execute("DROP VIEW summary_feed")
    op.drop_index("ix_articles_published_at", table_name="articles")
    op.drop_index("ix_summaries_updated_at", table_name="summaries")
    op.drop_table("reviews")
    op.drop_table("users")
