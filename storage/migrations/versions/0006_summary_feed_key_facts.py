"""summary_feed contract version 2: the article's key facts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Replaces the ``summary_feed`` view (docs/summary_feed.md) with the same columns plus
``key_facts``: the key facts stored with the article (``articles.extra["key_facts"]``, written by
storage.article_facts.save_key_facts), each value under ``value``, without the internal
``content_hash``; NULL when the article has none, or when they were read from other content than
the article's current one (as storage.key_facts ignores them). ``contract_version`` is 2.

The rest of the view is 0005's statement itself, read from that revision's file: the CTEs whose
shape keeps PostgreSQL off nested loops (0005's comment, bench/README.md) stay exactly as they
are, and the downgrade recreates version 1 byte for byte.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _summary_feed_v1() -> str:
    path = Path(__file__).with_name("0005_reviews_summary_feed.py")
    spec = importlib.util.spec_from_file_location("policywatch_migration_0005", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SUMMARY_FEED_V1


SUMMARY_FEED_V1 = _summary_feed_v1()

# The stored record when it belongs to the article's current content (a record without a
# content_hash predates the tag and counts, as in storage.key_facts). articles.extra is JSONB on
# PostgreSQL (0001), JSON text on SQLite, where json_extract of an object returns its JSON text.
KEY_FACTS = {
    "sqlite": """CASE WHEN json_type(a.extra, '$.key_facts') = 'object'
              AND COALESCE(json_extract(a.extra, '$.key_facts.content_hash'), a.content_hash) = a.content_hash
         THEN json_remove(json_extract(a.extra, '$.key_facts'), '$.content_hash') END""",
    "postgresql": """CASE WHEN jsonb_typeof(a.extra -> 'key_facts') = 'object'
              AND COALESCE(a.extra -> 'key_facts' ->> 'content_hash', a.content_hash) = a.content_hash
         THEN (a.extra -> 'key_facts') - 'content_hash' END""",
}

V1_TAIL = "    1 AS contract_version\nFROM ranked rk\n"


def summary_feed_v2(dialect: str) -> str:
    """The CREATE VIEW of contract version 2 on ``dialect`` (sqlite or postgresql)."""
    if dialect not in KEY_FACTS:
        raise ValueError(f"summary_feed v2 is written for SQLite and PostgreSQL, not {dialect}")
    if SUMMARY_FEED_V1.count(V1_TAIL) != 1:
        raise RuntimeError("migration 0005's summary_feed statement is not the one 0006 extends")
    tail = f"    2 AS contract_version,\n    {KEY_FACTS[dialect]} AS key_facts\nFROM ranked rk\n"
    return SUMMARY_FEED_V1.replace(V1_TAIL, tail)


def upgrade() -> None:
    op.execute("DROP VIEW summary_feed")
    op.execute(summary_feed_v2(op.get_bind().dialect.name))


def downgrade() -> None:
    op.execute("DROP VIEW summary_feed")
    op.execute(SUMMARY_FEED_V1)
