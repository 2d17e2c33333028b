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

from storage import current_revision, head_revision, make_engine, session_scope, table_counts, upgrade_database, upsert_source
from storage.migrate import alembic_config
from storage.models import Base

REPO = Path(__file__).resolve().parents[1]
TABLES = {"sources", "articles", "summaries", "crawl_runs", "http_cache"}
HEAD = "0002"  # the newest revision in storage/migrations/versions


def _tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
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


def test_downgrade_and_upgrade_again(database_url):
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            command.downgrade(alembic_config(database_url, connection), "base")
            connection.commit()
    finally:
        engine.dispose()
    assert _tables(database_url) <= {"alembic_version"}
    assert current_revision(database_url) is None
    assert upgrade_database(database_url) == HEAD
    assert _tables(database_url) == TABLES | {"alembic_version"}


def _concurrent_upgrades(url, n=3):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    code = "import sys; from storage import upgrade_database; print(upgrade_database(sys.argv[1]))"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
