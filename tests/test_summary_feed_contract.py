"""The downstream contract: the ``summary_feed`` view's columns and types are those pinned for
its contract version (tests/fixtures/summary_feed.v<N>.json), on SQLite and PostgreSQL. A column
renamed, dropped, added or retyped without a new version (a new migration, a new pinned file,
storage.feed.SUMMARY_FEED_VERSION bumped) fails here."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.types import NullType

from storage import (
    SUMMARY_FEED_VERSION,
    ArticleRecord,
    FeedRow,
    add_user,
    record_review,
    save_summary,
    start_crawl_run,
    upsert_article,
    upsert_source,
)
from storage.feed import summary_feed
from storage.models import Article

PINNED = Path(__file__).resolve().parent / "fixtures" / f"summary_feed.v{SUMMARY_FEED_VERSION}.json"


def _pinned() -> dict:
    assert PINNED.is_file(), f"contract version {SUMMARY_FEED_VERSION} has no pinned schema {PINNED.name}"
    return json.loads(PINNED.read_text(encoding="utf-8"))


def _actual_columns(session) -> list[tuple[str, str]]:
    bind = session.get_bind()
    columns = inspect(session.connection()).get_columns("summary_feed")
    return [
        (c["name"], "" if isinstance(c["type"], NullType) else c["type"].compile(dialect=bind.dialect)) for c in columns
    ]


def _sqlite_values(session) -> list[tuple[str, str]]:
    names = [c["name"] for c in _pinned()["columns"]]
    row = session.execute(text("SELECT " + ", ".join(f"typeof({n})" for n in names) + " FROM summary_feed")).one()
    return list(zip(names, row, strict=True))


def schema_differences(session) -> list[str]:
    """What differs between the database's summary_feed and the pinned schema (empty: none)."""
    pinned = _pinned()
    dialect = session.get_bind().dialect.name
    expected = [(c["name"], c[dialect]) for c in pinned["columns"]]
    actual = _actual_columns(session)
    problems = [f"column {i}: pinned {e}, database {a}" for i, (e, a) in enumerate(zip(expected, actual)) if e != a]
    if len(expected) != len(actual):
        problems.append(f"pinned {len(expected)} columns, database has {len(actual)}: {[n for n, _ in actual]}")
    if dialect == "sqlite" and not problems:
        values = [(c["name"], c["sqlite_value"]) for c in pinned["columns"]]
        problems += [
            f"value of {e[0]}: pinned {e[1]}, database {a[1]}"
            for e, a in zip(values, _sqlite_values(session))
            if e != a
        ]
    versions = set(session.execute(text("SELECT DISTINCT contract_version FROM summary_feed")).scalars())
    if versions != {pinned["contract_version"]}:
        problems.append(f"rows carry contract_version {sorted(versions)}, pinned {pinned['contract_version']}")
    return problems


@pytest.fixture
def session(migrated_session):
    """A database with one approved summary, so that every column of its feed row has a value."""
    session = migrated_session
    upsert_source(session, id="kjj_cq", name="重庆市科学技术局", host="h", language="zh", family="trs", enabled=True)
    run = start_crawl_run(session, source_id="kjj_cq", run_id="r", logical_date="2024-03-05")
    url = "https://kjj.cq.gov.cn/t1.html"
    when = datetime(2024, 3, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    upsert_article(session, ArticleRecord(url, "kjj_cq", "s", "标题", when, "zh", "正文"), run)
    article = session.execute(select(Article).where(Article.url == url)).scalar_one()
    summary, _ = save_summary(
        session,
        article,
        text="摘要",
        language="zh",
        backend="extractive",
        model_id="m",
        model_version="v1",
        parameters={},
    )
    ana = add_user(session, "ana", "analyst", "hash")
    record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="approve")
    session.flush()
    return session


def test_the_view_has_the_pinned_schema_of_its_contract_version(session):
    assert _pinned()["contract_version"] == SUMMARY_FEED_VERSION
    assert schema_differences(session) == []


def test_the_python_read_model_names_the_pinned_columns():
    names = [c["name"] for c in _pinned()["columns"]]
    assert [c.name for c in summary_feed.columns] == names
    assert [f.name for f in dataclasses.fields(FeedRow)] == names


def _view_sql() -> str:
    """The CREATE VIEW of migration 0005 (the revision that made contract version 1)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / _pinned()["created_by"]
    spec = importlib.util.spec_from_file_location("migration_0005", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SUMMARY_FEED_V1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, None),  # the migration's own SQL again: no difference (the baseline)
        ("END AS summary_text", "END AS summary"),  # renamed
        ("    u.name AS reviewer,\n", ""),  # dropped
        ("1 AS contract_version", "2 AS contract_version"),  # a new version number without its pinned file
        ("a.id AS article_id", "CAST(a.id AS TEXT) AS article_id"),  # retyped
        ("a.title AS title,", "a.title AS title, a.body AS body,"),  # added
    ],
    ids=["baseline", "renamed", "dropped", "version", "retyped", "added"],
)
def test_a_changed_view_is_caught(session, old, new):
    """The check is not vacuous: the migration's view passes, each kind of change to it fails."""
    sql = _view_sql()
    if old is not None:
        assert old in sql
        sql = sql.replace(old, new)
    session.execute(text("DROP VIEW summary_feed"))
    session.execute(text(sql))
    assert (schema_differences(session) == []) is (old is None)
