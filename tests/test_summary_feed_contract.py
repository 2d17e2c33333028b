"""The downstream contract: the ``summary_feed`` view's columns and types are those pinned for
its contract version (tests/fixtures/summary_feed.v<N>.json), on SQLite and PostgreSQL. A column
renamed, dropped, added or retyped without a new version (a new migration, a new pinned file,
storage.feed.SUMMARY_FEED_VERSION bumped) fails here. Version 1 (migration 0005) stays pinned:
a database at 0005, or downgraded to it, has exactly that schema."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.types import NullType

from storage import (
    SUMMARY_FEED_VERSION,
    ArticleRecord,
    FeedRow,
    add_user,
    articles_for_key_facts,
    make_engine,
    record_review,
    save_key_facts,
    save_summary,
    session_scope,
    start_crawl_run,
    upsert_article,
    upsert_source,
)
from storage.feed import summary_feed
from storage.migrate import alembic_config
from storage.models import Article

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# what the extractor stores (summarizer.key_facts.KeyFacts.to_dict), written by hand
FACTS = {
    "version": 1,
    "deadline": {"value": "2024-03-20T17:00", "text": "2024年3月20日17:00", "sentence": "截止2024年3月20日17:00。"},
    "funding": [{"value": 2_000_000, "text": "不超过200万元", "sentence": "每项资助不超过200万元。"}],
    "eligibility": None,
    "document_number": None,
    "issuers": [],
    "proposal_number": None,
    "rejected": [],
}


def _pinned(version: int = SUMMARY_FEED_VERSION) -> dict:
    path = FIXTURES / f"summary_feed.v{version}.json"
    assert path.is_file(), f"contract version {version} has no pinned schema {path.name}"
    return json.loads(path.read_text(encoding="utf-8"))


def _actual_columns(session) -> list[tuple[str, str]]:
    bind = session.get_bind()
    columns = inspect(session.connection()).get_columns("summary_feed")
    return [
        (c["name"], "" if isinstance(c["type"], NullType) else c["type"].compile(dialect=bind.dialect)) for c in columns
    ]


def _sqlite_values(session, pinned: dict) -> list[tuple[str, str]]:
    names = [c["name"] for c in pinned["columns"]]
    row = session.execute(text("SELECT " + ", ".join(f"typeof({n})" for n in names) + " FROM summary_feed")).one()
    return list(zip(names, row, strict=True))


def schema_differences(session, version: int = SUMMARY_FEED_VERSION) -> list[str]:
    """What differs between the database's summary_feed and the pinned schema (empty: none)."""
    pinned = _pinned(version)
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
            for e, a in zip(values, _sqlite_values(session, pinned))
            if e != a
        ]
    versions = set(session.execute(text("SELECT DISTINCT contract_version FROM summary_feed")).scalars())
    if versions != {pinned["contract_version"]}:
        problems.append(f"rows carry contract_version {sorted(versions)}, pinned {pinned['contract_version']}")
    return problems


def _fill(session) -> None:
    """One approved summary of an article with key facts: every column of its feed row has a value."""
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


def _add_key_facts(session) -> None:
    (item,) = articles_for_key_facts(session, list(session.execute(select(Article.id)).scalars()))
    assert save_key_facts(session, item, FACTS)


@pytest.fixture
def session(migrated_session):
    _fill(migrated_session)
    _add_key_facts(migrated_session)
    return migrated_session


def test_the_view_has_the_pinned_schema_of_its_contract_version(session):
    assert _pinned()["contract_version"] == SUMMARY_FEED_VERSION
    assert schema_differences(session) == []


def test_the_python_read_model_names_the_pinned_columns():
    names = [c["name"] for c in _pinned()["columns"]]
    assert [c.name for c in summary_feed.columns] == names
    assert [f.name for f in dataclasses.fields(FeedRow)] == names


def _view_sql(dialect: str) -> str:
    """The CREATE VIEW of the migration that made the current contract version, on ``dialect``."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / _pinned()["created_by"]
    spec = importlib.util.spec_from_file_location("migration_of_the_contract", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.summary_feed_v2(dialect)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, None),  # the migration's own SQL again: no difference (the baseline)
        ("END AS summary_text", "END AS summary"),  # renamed
        ("    u.name AS reviewer,\n", ""),  # dropped
        ("2 AS contract_version", "3 AS contract_version"),  # a new version number without its pinned file
        ("a.id AS article_id", "CAST(a.id AS TEXT) AS article_id"),  # retyped
        ("a.title AS title,", "a.title AS title, a.body AS body,"),  # added
        ("AS key_facts", "AS facts"),  # v2's column renamed
    ],
    ids=["baseline", "renamed", "dropped", "version", "retyped", "added", "key_facts renamed"],
)
def test_a_changed_view_is_caught(session, old, new):
    """The check is not vacuous: the migration's view passes, each kind of change to it fails."""
    sql = _view_sql(session.get_bind().dialect.name)
    if old is not None:
        assert old in sql
        sql = sql.replace(old, new)
    session.execute(text("DROP VIEW summary_feed"))
    session.execute(text(sql))
    assert (schema_differences(session) == []) is (old is None)


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            (command.downgrade if down else command.upgrade)(alembic_config(url, connection), revision)
            connection.commit()
    finally:
        engine.dispose()


def _differences(url: str, version: int) -> list[str]:
    with session_scope(url) as session:
        return schema_differences(session, version)


def test_version_1_stays_pinned_at_0005_and_the_downgrade_restores_it(database_url):
    assert _pinned(1)["created_by"].endswith("0005_reviews_summary_feed.py")
    _migrate(database_url, "0005")
    with session_scope(database_url) as session:
        _fill(session)
    assert _differences(database_url, 1) == []
    assert _differences(database_url, 2) != []  # the check tells the versions apart
    _migrate(database_url, "0006")
    with session_scope(database_url) as session:
        _add_key_facts(session)
    assert _differences(database_url, 2) == []
    _migrate(database_url, "0005", down=True)
    assert _differences(database_url, 1) == []
