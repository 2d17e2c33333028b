"""digest_deliveries: the digest e-mails sent, one row per (day, recipient)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

What the digest's delivery needs so that a re-run of a day does not e-mail a recipient twice.
Self-contained like 0001 (plain SQLAlchemy types, no import of storage.models/types).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("logical_date", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_digest_deliveries"),
        sa.UniqueConstraint("logical_date", "recipient", name="uq_digest_deliveries_logical_date_recipient"),
    )


def downgrade() -> None:
    op.drop_table("digest_deliveries")
