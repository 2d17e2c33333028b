"""storage migrations: upgrade on an empty database, idempotence, concurrency, models == migration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, inspect

from storage import (
    current_revision,
    head_revision,
    make_engine,
    session_scope,
    table_counts,
    upgrade_database,
    upsert_source,
)
from storage.migrate import alembic_config
from storage.models import Base

REPO = Path(__file__).resolve().parents[1]
TABLES = {"sources", "articles", "summaries", "crawl_runs", "http_cache", "digest_deliveries", "users", "reviews"}
VIEWS = {"summary_feed"}
HEAD = "0005"  # the newest revision in storage/migrations/versions


def _tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _views(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_view_names())
    finally:
        engine.dispose()


def _diff(url, metadata):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_upgrade_empty_database_then_idempotent(database_url):
    assert current_revision(database_url) is None
    assert head_revision() == HEAD
    assert upgrade_database(database_url) == HEAD
    assert _tables(database_url) == TABLES | {"alembic_version"}
    assert _views(database_url) == VIEWS
    assert current_revision(database_url) == HEAD

    with session_scope(database_url) as session:
        upsert_source(session, id="kjj_cq", name="n", host="h", language="zh", family="trs", enabled=True)
    assert upgrade_database(database_url) == HEAD  # no-op, data kept
    assert upgrade_database(database_url) == HEAD
    with session_scope(database_url) as session:
        assert table_counts(session)["sources"] == 1


def test_models_and_migration_agree(database_url):
    upgrade_database(database_url)
    assert _diff(database_url, Base.metadata) == []

    # the comparison is not vacuous: a model change shows up as a diff
    altered = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(altered)
    altered.tables["summaries"].append_column(Column("tokens", Integer, nullable=True))
    diff = _diff(database_url, altered)
    assert [op[0] for op in diff] == ["add_column"]


def _downgrade(url, revision):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            command.downgrade(alembic_config(url, connection), revision)
            connection.commit()
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(database_url):
    upgrade_database(database_url)
    _downgrade(database_url, "base")
    assert _tables(database_url) <= {"alembic_version"}
    assert _views(database_url) == set()
    assert current_revision(database_url) is None
    assert upgrade_database(database_url) == HEAD
    assert _tables(database_url) == TABLES | {"alembic_version"}


SOURCE_ROW = (
    "INSERT INTO sources (id, name, host, language, family, enabled, created_at, updated_at) "
    "VALUES ('kjj_cq', 'n', 'h', 'zh', 'trs', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


def _at_revision(url, revision, *statements):
    """Upgrade an empty database to ``revision`` and run ``statements`` (raw SQL) there."""
    from sqlalchemy import text

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            command.upgrade(alembic_config(url, connection), revision)
            connection.commit()
            for statement in statements:
                connection.execute(text(statement))
            connection.commit()
    finally:
        engine.dispose()


def _concurrent_upgrades(url, n=3):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    code = "import sys; from storage import upgrade_database; print(upgrade_database(sys.argv[1]))"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(n)
    ]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, rc in results:
        assert rc == 0, err
        assert out.strip() == HEAD


def test_concurrent_upgrades_on_migrated_database(database_url):
    upgrade_database(database_url)
    _concurrent_upgrades(database_url)
    assert current_revision(database_url) == HEAD


def test_concurrent_upgrades_on_empty_database(database_url):
    _concurrent_upgrades(database_url)
    assert current_revision(database_url) == HEAD
    assert _diff(database_url, Base.metadata) == []


def test_0003_adds_crawl_windows_to_existing_rows_and_downgrades(database_url):
    """Rows written before 0003 get NULL windows and lists_complete (never counted as covering
    anything); downgrading to 0002 drops the columns again and keeps the rows."""
    from datetime import date

    from sqlalchemy import text

    from storage import complete_crawl_windows

    _at_revision(
        database_url,
        "0002",
        SOURCE_ROW,
        (
            "INSERT INTO crawl_runs (source_id, run_id, logical_date, started_at, status, pages_fetched, "
            "items_found, items_new, items_updated, items_unchanged, errors, error_messages) VALUES "
            "('kjj_cq', 'old', '2024-03-05', CURRENT_TIMESTAMP, 'success', 3, 25, 25, 0, 0, 0, '[]')"
        ),
        (
            "INSERT INTO http_cache (url, source_id, status, fetched_at) "
            "VALUES ('https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html', 'kjj_cq', 200, CURRENT_TIMESTAMP)"
        ),
    )
    assert current_revision(database_url) == "0002"
    assert upgrade_database(database_url) == HEAD
    with session_scope(database_url) as session:
        row = session.execute(text("SELECT window_since, window_until, lists_complete, status FROM crawl_runs")).one()
        assert tuple(row) == (None, None, None, "success")
        assert session.execute(text("SELECT crawl_run_id FROM http_cache")).scalar_one() is None
        assert complete_crawl_windows(session, "kjj_cq") == {}  # an old success run covers nothing
        session.execute(text("UPDATE crawl_runs SET window_since = :d, lists_complete = true"), {"d": date(2024, 2, 3)})
        session.execute(text("UPDATE http_cache SET crawl_run_id = (SELECT id FROM crawl_runs)"))

    _downgrade(database_url, "0002")
    assert current_revision(database_url) == "0002"
    engine = make_engine(database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("crawl_runs")}
        cache_columns = {c["name"] for c in inspect(engine).get_columns("http_cache")}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM crawl_runs")).scalar_one() == 1
            assert connection.execute(text("SELECT count(*) FROM http_cache")).scalar_one() == 1
    finally:
        engine.dispose()
    assert not {"window_since", "window_until", "lists_complete"} & columns and "crawl_run_id" not in cache_columns
    assert upgrade_database(database_url) == HEAD


def test_0004_adds_digest_deliveries_and_downgrades(database_url):
    """0004 creates digest_deliveries on a database at 0003 (its rows kept); a delivery is found
    again whatever the address's case, a forced re-send updates the one row and counts it; a
    downgrade to 0003 drops the table and keeps the rest."""
    from datetime import date

    from sqlalchemy import text

    from storage import digest_delivered, record_digest_delivery

    _at_revision(database_url, "0003", SOURCE_ROW)
    assert "digest_deliveries" not in _tables(database_url)
    assert upgrade_database(database_url) == HEAD
    day = date(2024, 3, 5)
    with session_scope(database_url) as session:
        assert not digest_delivered(session, day, "analyst@example.org")
        record_digest_delivery(
            session, logical_date=day, recipient="Analyst@Example.org", message_id="<1@x>", stories=7
        )
    with session_scope(database_url) as session:
        assert digest_delivered(session, day, "analyst@example.org")
        assert not digest_delivered(session, date(2024, 3, 6), "analyst@example.org")
        record_digest_delivery(
            session, logical_date=day, recipient="analyst@example.org", message_id="<2@x>", stories=8
        )
    with session_scope(database_url) as session:
        rows = session.execute(text("SELECT recipient, message_id, stories, sends FROM digest_deliveries")).all()
        assert [tuple(r) for r in rows] == [("analyst@example.org", "<2@x>", 8, 2)]

    _downgrade(database_url, "0003")
    assert current_revision(database_url) == "0003"
    assert _tables(database_url) == TABLES - {"digest_deliveries", "users", "reviews"} | {"alembic_version"}
    with session_scope(database_url) as session:
        assert table_counts(session)["sources"] == 1
    assert upgrade_database(database_url) == HEAD


def test_0005_adds_reviews_and_the_summary_feed_view_and_downgrades(database_url):
    """0005 on a database at 0004 with a summary: the summary shows in summary_feed, unreviewed,
    and can be reviewed; a downgrade to 0004 drops the view, users and reviews and keeps the
    summary; upgrading again restores them."""
    from sqlalchemy import text

    from storage import add_user, record_review

    _at_revision(
        database_url,
        "0004",
        SOURCE_ROW,
        (
            "INSERT INTO articles (id, url, source_id, title, language, body, content_hash, extra, "
            "first_seen_at, last_seen_at, updated_at) VALUES (1, 'https://kjj.cq.gov.cn/t1.html', "
            "'kjj_cq', '标题', 'zh', '正文', 'h1', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"
        ),
        (
            "INSERT INTO summaries (id, article_id, text, language, backend, model_id, model_version, "
            "parameters, content_hash, created_at, updated_at) VALUES (1, 1, '摘要', 'zh', 'extractive', "
            "'m', 'v1', '{}', 'h1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
    )
    assert _views(database_url) == set()
    assert upgrade_database(database_url) == HEAD
    with session_scope(database_url) as session:
        row = session.execute(text("SELECT article_id, summary_text, review_status FROM summary_feed")).one()
        assert tuple(row) == (1, "摘要", "unreviewed")
        ana = add_user(session, "ana", "analyst", "hash")
        record_review(session, summary_id=1, reviewer_id=ana.id, decision="approve")
    with session_scope(database_url) as session:
        row = session.execute(text("SELECT review_status, reviewer FROM summary_feed")).one()
        assert tuple(row) == ("approved", "ana")

    _downgrade(database_url, "0004")
    assert current_revision(database_url) == "0004"
    assert _views(database_url) == set()
    assert _tables(database_url) == TABLES - {"users", "reviews"} | {"alembic_version"}
    with session_scope(database_url) as session:
        assert table_counts(session)["summaries"] == 1
    assert upgrade_database(database_url) == HEAD
    assert _views(database_url) == VIEWS
    assert _diff(database_url, Base.metadata) == []
