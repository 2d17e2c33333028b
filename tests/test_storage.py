"""storage: types, upserts, summaries, crawl runs, digest entries (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from storage import (
    ArticleRecord,
    UpsertOutcome,
    UTCDateTime,
    articles_to_summarize,
    content_hash,
    digest_entries,
    finish_crawl_run,
    get_article,
    make_engine,
    record_source,
    save_summary,
    session_scope,
    start_crawl_run,
    table_counts,
    upgrade_database,
    upsert_article,
    upsert_source,
)
from storage.models import Article, CrawlRun, Source, Summary

SHANGHAI = ZoneInfo("Asia/Shanghai")
BACKEND = "extractive"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"
VERSION = "rev-abc123"
PARAMS = {"sentences": 3, "language": "zh"}


@pytest.fixture
def engine(database_url):
    upgrade_database(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


def add_source(session, source_id="kjj_cq", name="重庆市科学技术局 Chongqing S&T Bureau") -> Source:
    return upsert_source(
        session, id=source_id, name=name, host=f"{source_id}.example.cn", language="zh", family="trs", enabled=True
    )


def record(n: int, *, source_id="kjj_cq", title=None, body=None, published_at=None, **kw) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://kjj.cq.gov.cn/zwxx_176/tzgg/20260510/t{n:05d}.html",
        source_id=source_id,
        section="通知公告",
        title=title if title is not None else f"关于开展第{n}批科技项目申报的通知",
        published_at=published_at or datetime(2026, 5, 10, 9, 30, tzinfo=SHANGHAI) - timedelta(hours=n),
        language="zh",
        body=body if body is not None else f"各有关单位：\n现将第{n}批项目申报工作通知如下。",
        source_office="重庆市科学技术局",
        extra={
            "keywords": ["科技", "申报"],
            "attachments": [{"name": "附件1.docx", "url": "https://kjj.cq.gov.cn/a.docx"}],
        },
        **kw,
    )


# ------------------------------------------------------------------------------ UTCDateTime


def test_utc_datetime_round_trip(engine, session):
    add_source(session)
    run = start_crawl_run(session, source_id="kjj_cq", run_id="manual__1", logical_date=date(2026, 5, 10))
    published = datetime(2026, 5, 10, 10, 0, tzinfo=SHANGHAI)  # +08:00
    upsert_article(session, record(1, published_at=published), run)
    session.commit()

    with Session(engine) as fresh:
        article = fresh.execute(select(Article)).scalar_one()
        assert article.published_at == published
        assert article.published_at.tzinfo is UTC
        assert article.published_at == datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
        for value in (article.first_seen_at, article.last_seen_at, article.updated_at):
            assert value.tzinfo is UTC
        # comparisons with aware binds work in SQL on both databases
        assert (
            fresh.execute(
                select(Article.id).where(Article.published_at == datetime(2026, 5, 10, 2, tzinfo=UTC))
            ).scalar_one()
            == article.id
        )
        if engine.dialect.name == "sqlite":  # stored as naive UTC text
            raw = fresh.execute(text("SELECT published_at FROM articles")).scalar_one()
            assert str(raw).startswith("2026-05-10 02:00:00")


def test_utc_datetime_refuses_naive(session):
    naive = datetime(2026, 5, 10, 10, 0)
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        with pytest.raises(ValueError, match="naive"):
            UTCDateTime().process_bind_param(naive, dialect)
    session.add(
        Source(
            id="x", name="x", host="x", language="zh", family="trs", enabled=True, created_at=naive, updated_at=naive
        )
    )
    with pytest.raises(StatementError) as excinfo:
        session.flush()
    assert isinstance(excinfo.value.orig, ValueError)
    session.rollback()
    with pytest.raises(ValueError, match="naive"):
        record(1, published_at=naive)


def test_content_hash_normalisation():
    assert content_hash("标题", "第一段\n第二段") == content_hash(" 标题 ", "  第一段  \r\n\n\u3000第二段\n")
    assert content_hash("标题", "第一段 第二段") != content_hash("标题", "第一段\n第二段")
    assert content_hash("a", "b") != content_hash("a b", "")
    assert len(content_hash("t", "b")) == 64
    assert record(1).content_hash == content_hash(record(1).title, record(1).body)


# ----------------------------------------------------------------------------------- upserts


def test_upsert_new_then_unchanged(engine, session):
    add_source(session)
    run1 = start_crawl_run(session, source_id="kjj_cq", run_id="scheduled__2026-05-10", logical_date=date(2026, 5, 10))
    assert upsert_article(session, record(1), run1) is UpsertOutcome.NEW
    session.commit()
    article = get_article(session, record(1).url)
    first_seen, last_seen = article.first_seen_at, article.last_seen_at
    assert article.content_hash == record(1).content_hash
    assert article.first_crawl_run_id == article.last_crawl_run_id == run1.id
    assert article.extra["attachments"][0]["name"] == "附件1.docx"

    time.sleep(0.01)
    run2 = start_crawl_run(session, source_id="kjj_cq", run_id="scheduled__2026-05-11", logical_date=date(2026, 5, 11))
    assert upsert_article(session, record(1), run2) is UpsertOutcome.UNCHANGED
    session.commit()
    assert table_counts(session)["articles"] == 1
    article = get_article(session, record(1).url)  # the identity-map instance, refreshed
    assert article.first_seen_at == first_seen
    assert article.last_seen_at > last_seen
    assert article.updated_at == first_seen
    assert article.first_crawl_run_id == run1.id
    assert article.last_crawl_run_id == run2.id

    # no crawl run: works, leaves the crawl-run columns alone
    assert upsert_article(session, record(1), None) is UpsertOutcome.UNCHANGED
    assert upsert_article(session, record(2), None) is UpsertOutcome.NEW
    session.commit()
    assert get_article(session, record(1).url).last_crawl_run_id == run2.id
    assert get_article(session, record(2).url).first_crawl_run_id is None


def test_content_change_is_updated_and_summarized_again(session):
    add_source(session)
    run1 = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date=date(2026, 5, 10))
    upsert_article(session, record(1), run1)
    upsert_article(session, record(2), run1)
    session.commit()
    for article in articles_to_summarize(
        session, backend=BACKEND, model_id=MODEL, model_version=VERSION, parameters=PARAMS
    ):
        save_summary(
            session,
            article,
            text=f"摘要 {article.id}",
            language="zh",
            backend=BACKEND,
            model_id=MODEL,
            model_version=VERSION,
            parameters=PARAMS,
        )
    session.commit()
    assert (
        articles_to_summarize(session, backend=BACKEND, model_id=MODEL, model_version=VERSION, parameters=PARAMS) == []
    )

    before = get_article(session, record(1).url)
    first_seen, old_hash, article_id = before.first_seen_at, before.content_hash, before.id
    time.sleep(0.01)
    run2 = start_crawl_run(session, source_id="kjj_cq", run_id="r2", logical_date=date(2026, 5, 11))
    changed = record(1, body="各有关单位：\n现将项目申报工作通知如下（更正版）。", author="办公室")
    assert upsert_article(session, changed, run2) is UpsertOutcome.UPDATED
    assert upsert_article(session, record(2), run2) is UpsertOutcome.UNCHANGED
    session.commit()

    after = get_article(session, record(1).url)
    assert after.id == article_id
    assert after.body.endswith("（更正版）。") and after.author == "办公室"
    assert after.content_hash == changed.content_hash != old_hash
    assert after.first_seen_at == first_seen and after.first_crawl_run_id == run1.id
    assert after.updated_at > first_seen and after.last_crawl_run_id == run2.id
    assert table_counts(session)["articles"] == 2

    todo = articles_to_summarize(session, backend=BACKEND, model_id=MODEL, model_version=VERSION, parameters=PARAMS)
    assert [a.url for a in todo] == [record(1).url]  # the unchanged, summarized article is not returned
    # the same content again is UNCHANGED
    assert upsert_article(session, changed, run2) is UpsertOutcome.UNCHANGED


def test_articles_to_summarize_criteria(session):
    add_source(session)
    add_source(session, "cppcc", name="全国政协 CPPCC")
    run = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date=date(2026, 5, 10))
    for n in range(1, 4):
        upsert_article(session, record(n), run)
    upsert_article(session, record(9, source_id="cppcc"), run)
    session.commit()

    def todo(**kw):
        args = {"backend": BACKEND, "model_id": MODEL, "model_version": VERSION, "parameters": PARAMS} | kw
        return [a.url for a in articles_to_summarize(session, **args)]

    assert len(todo()) == 4
    assert todo(source_ids=["cppcc"]) == [record(9).url]
    assert len(todo(limit=2)) == 2
    assert todo(source_ids=[]) == []
    for article in articles_to_summarize(
        session, backend=BACKEND, model_id=MODEL, model_version=VERSION, parameters=PARAMS
    ):
        save_summary(
            session,
            article,
            text="s",
            language="zh",
            backend=BACKEND,
            model_id=MODEL,
            model_version=VERSION,
            parameters=PARAMS,
        )
    session.commit()
    assert todo() == []
    assert todo(parameters={"language": "zh", "sentences": 3}) == []  # key order does not matter
    assert len(todo(parameters={"sentences": 2, "language": "zh"})) == 4
    assert len(todo(model_version="rev-def456")) == 4
    assert len(todo(model_id="other/model")) == 4
    assert len(todo(backend="abstractive")) == 4


# --------------------------------------------------------------------------------- summaries


def test_save_summary_insert_then_update_in_place(session):
    add_source(session)
    upsert_article(session, record(1), None)
    session.commit()
    article = get_article(session, record(1).url)

    kw = {"language": "zh", "backend": BACKEND, "model_id": MODEL, "model_version": VERSION, "parameters": PARAMS}
    summary, changed = save_summary(session, article, text="第一版摘要", **kw)
    session.commit()
    assert changed
    assert summary.content_hash == article.content_hash and summary.parameters == PARAMS
    first_id, created, updated = summary.id, summary.created_at, summary.updated_at

    time.sleep(0.01)
    summary, changed = save_summary(session, article, text="第一版摘要", **kw)
    session.commit()
    assert not changed
    assert (summary.id, summary.created_at, summary.updated_at) == (first_id, created, updated)
    # same parameters in another key order: still nothing to change
    summary, changed = save_summary(
        session, article, text="第一版摘要", **(kw | {"parameters": {"language": "zh", "sentences": 3}})
    )
    assert not changed and summary.updated_at == updated

    summary, changed = save_summary(session, article, text="第二版摘要", **kw)
    session.commit()
    assert changed
    assert summary.id == first_id and summary.text == "第二版摘要"
    assert summary.created_at == created and summary.updated_at > updated
    summary, changed = save_summary(session, article, text="第二版摘要", **(kw | {"model_version": "rev-2"}))
    assert changed and summary.model_version == "rev-2"
    assert table_counts(session)["summaries"] == 1

    other, changed = save_summary(session, article, text="another model", **(kw | {"model_id": "other/model"}))
    session.commit()
    assert changed and other.id != first_id
    assert session.execute(select(Summary.backend, Summary.model_id).order_by(Summary.id)).all() == [
        (BACKEND, MODEL),
        (BACKEND, "other/model"),
    ]
    assert table_counts(session)["summaries"] == 2

    # ON DELETE CASCADE (SQLite: foreign keys are on)
    session.execute(delete(Article).where(Article.id == article.id))
    session.commit()
    assert table_counts(session)["summaries"] == 0


# -------------------------------------------------------------------------------- concurrency


def test_two_concurrent_writers_same_urls(engine, database_url):
    with session_scope(engine) as session:
        add_source(session)
    records = [record(n) for n in range(20)]
    changed_records = [record(n, body=f"更新后的正文 {n}") for n in range(20)]

    def run_writers(batch):
        barrier = threading.Barrier(2)
        results, errors = {}, []

        def writer(name):
            own = make_engine(database_url)  # each writer has its own engine / connections
            try:
                mine = list(batch)
                random.Random(name).shuffle(mine)
                with Session(own) as session:
                    run = start_crawl_run(
                        session, source_id="kjj_cq", run_id=f"run-{name}", logical_date=date(2026, 5, 10)
                    )
                    session.commit()
                    barrier.wait(timeout=30)
                    outcomes = []
                    for item in mine:
                        outcomes.append(upsert_article(session, item, run))
                        session.commit()
                    results[name] = outcomes
            except BaseException as exc:  # reported below
                errors.append(exc)
                barrier.abort()
            finally:
                own.dispose()

        threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        return [o for outcomes in results.values() for o in outcomes]

    outcomes = run_writers(records)
    assert len(outcomes) == 40
    assert outcomes.count(UpsertOutcome.NEW) == 20
    assert outcomes.count(UpsertOutcome.UNCHANGED) == 20
    with session_scope(engine) as session:
        assert table_counts(session)["articles"] == 20
        assert len(session.execute(select(Article.url).distinct()).scalars().all()) == 20

    outcomes = run_writers(changed_records)
    assert outcomes.count(UpsertOutcome.UPDATED) == 20  # exactly one writer rewrote each article
    assert outcomes.count(UpsertOutcome.UNCHANGED) == 20
    with session_scope(engine) as session:
        assert table_counts(session)["articles"] == 20
        bodies = session.execute(select(Article.body)).scalars().all()
        assert all(body.startswith("更新后的正文") for body in bodies)


# -------------------------------------------------------------------------------- crawl runs


def test_crawl_run_reuse(session):
    add_source(session)
    run = start_crawl_run(
        session, source_id="kjj_cq", run_id="scheduled__2026-05-10T00:00:00+00:00", logical_date=date(2026, 5, 10)
    )
    session.commit()
    assert run.status == "running" and run.finished_at is None and run.errors == 0 and run.error_messages == []
    first_pk, first_started = run.id, run.started_at

    run = finish_crawl_run(
        session,
        run,
        status="failed",
        pages_fetched=1,
        items_found=0,
        items_new=0,
        items_updated=0,
        items_unchanged=0,
        error_messages=["kjj_cq: https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html: HTTP 503"],
    )
    session.commit()
    assert run.status == "failed" and run.errors == 1 and run.finished_at >= run.started_at
    assert run.error_messages == ["kjj_cq: https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html: HTTP 503"]

    time.sleep(0.01)
    retry = start_crawl_run(
        session, source_id="kjj_cq", run_id="scheduled__2026-05-10T00:00:00+00:00", logical_date=date(2026, 5, 10)
    )
    session.commit()
    assert retry.id == first_pk
    assert retry.status == "running" and retry.finished_at is None
    assert retry.errors == 0 and retry.error_messages == [] and retry.pages_fetched == 0
    assert retry.started_at > first_started
    assert table_counts(session)["crawl_runs"] == 1

    # finishing from another session (a detached instance) works
    with Session(session.get_bind()) as other:
        finished = finish_crawl_run(
            other,
            retry,
            status="success",
            pages_fetched=3,
            items_found=20,
            items_new=5,
            items_updated=1,
            items_unchanged=14,
            error_messages=[],
        )
        other.commit()
        assert finished.id == first_pk
    session.expire_all()
    run = session.get(CrawlRun, first_pk)
    assert (run.status, run.items_new, run.items_updated, run.items_unchanged, run.errors) == ("success", 5, 1, 14, 0)

    other_run = start_crawl_run(session, source_id="kjj_cq", run_id="manual__x", logical_date=date(2026, 5, 10))
    assert other_run.id != first_pk
    with pytest.raises(ValueError):
        finish_crawl_run(
            session,
            other_run,
            status="running",
            pages_fetched=0,
            items_found=0,
            items_new=0,
            items_updated=0,
            items_unchanged=0,
            error_messages=[],
        )


def test_upsert_source_updates_in_place(session):
    source = add_source(session)
    session.commit()
    created, updated = source.created_at, source.updated_at
    source = add_source(session)
    assert source.updated_at == updated
    time.sleep(0.01)
    source = upsert_source(
        session, id="kjj_cq", name="renamed", host="kjj.cq.gov.cn", language="zh", family="trs", enabled=False
    )
    session.commit()
    assert (source.name, source.enabled, source.created_at) == ("renamed", False, created)
    assert source.updated_at > updated
    assert table_counts(session)["sources"] == 1


def test_record_source_keeps_what_the_registry_entry_says(session):
    from config import load_registry
    from config.settings import PACKAGE_DIR

    entry = load_registry(PACKAGE_DIR / "sources.toml").get("kjj_cq")
    row = record_source(session, entry)
    session.commit()
    assert (row.name, row.host, row.language, row.family, row.enabled) == (
        entry.name,
        entry.host,
        entry.language,
        entry.family,
        True,
    )
    row = record_source(session, entry.model_copy(update={"name": "重庆市科技局", "enabled": False}))
    session.commit()
    assert (row.name, row.enabled) == ("重庆市科技局", False)
    assert table_counts(session)["sources"] == 1


# ----------------------------------------------------------------------------------- digest


def test_digest_entries_by_logical_date(session):
    add_source(session, "kjj_cq", name="B 重庆市科学技术局")
    add_source(session, "cppcc", name="A 全国政协")
    day1, day2 = date(2026, 5, 10), date(2026, 5, 11)
    run1 = start_crawl_run(session, source_id="kjj_cq", run_id="d1", logical_date=day1)
    run1b = start_crawl_run(session, source_id="cppcc", run_id="d1", logical_date=day1)
    upsert_article(session, record(1), run1)  # published 08:30 +08:00
    upsert_article(session, record(2), run1)  # published 07:30 +08:00
    undated = ArticleRecord(
        url="https://kjj.cq.gov.cn/undated.html",
        source_id="kjj_cq",
        section=None,
        title="无日期",
        published_at=None,
        language="zh",
        body="正文",
    )
    upsert_article(session, undated, run1)
    upsert_article(session, record(7, source_id="cppcc"), run1b)
    session.commit()

    run2 = start_crawl_run(session, source_id="kjj_cq", run_id="d2", logical_date=day2)
    upsert_article(session, record(1), run2)  # seen again: still belongs to day 1
    upsert_article(session, record(2, body="新正文"), run2)  # updated: still belongs to day 1
    upsert_article(session, record(5), run2)  # new on day 2
    session.commit()

    a1 = get_article(session, record(1).url)
    save_summary(
        session,
        a1,
        text="extractive v1",
        language="zh",
        backend="extractive",
        model_id="m1",
        model_version="v",
        parameters={},
    )
    session.commit()
    time.sleep(0.01)
    save_summary(
        session,
        a1,
        text="abstractive",
        language="zh",
        backend="abstractive",
        model_id="m2",
        model_version="v",
        parameters={},
    )
    session.commit()

    entries = digest_entries(session, day1)
    assert [(e.source.id, e.article.url) for e in entries] == [
        ("cppcc", record(7).url),  # source "A ..." first
        ("kjj_cq", record(1).url),  # then by published_at, newest first
        ("kjj_cq", record(2).url),
        ("kjj_cq", undated.url),  # undated last
    ]
    by_url = {e.article.url: e for e in entries}
    assert by_url[record(1).url].summary.text == "abstractive"  # newest summary
    assert by_url[record(2).url].summary is None
    assert isinstance(by_url[record(1).url].source, Source)
    assert digest_entries(session, day1, backend="extractive")[1].summary.text == "extractive v1"
    assert digest_entries(session, day1, backend="none")[1].summary is None
    assert [e.article.url for e in digest_entries(session, day2)] == [record(5).url]
    assert digest_entries(session, "2026-05-11")[0].article.url == record(5).url
    assert digest_entries(session, date(2026, 5, 12)) == []


def test_table_counts(session):
    assert table_counts(session) == {"sources": 0, "articles": 0, "summaries": 0, "crawl_runs": 0}
    add_source(session)
    run = start_crawl_run(session, source_id="kjj_cq", run_id="r", logical_date=date(2026, 5, 10))
    for n in range(3):
        upsert_article(session, record(n), run)
    save_summary(
        session,
        get_article(session, record(0).url),
        text="s",
        language="zh",
        backend=BACKEND,
        model_id=MODEL,
        model_version=VERSION,
        parameters=PARAMS,
    )
    session.commit()
    assert table_counts(session) == {"sources": 1, "articles": 3, "summaries": 1, "crawl_runs": 1}


def test_session_scope_commits_and_rolls_back(database_url):
    upgrade_database(database_url)
    with session_scope(database_url) as session:
        add_source(session)
    with pytest.raises(RuntimeError), session_scope(database_url) as session:
        add_source(session, "other")
        raise RuntimeError("boom")
    with session_scope(database_url) as session:
        counts = table_counts(session)
        source = session.get(Source, "kjj_cq")
    assert counts["sources"] == 1
    assert source.name.startswith("重庆")  # readable after the scope ended


# ------------------------------------------------------------- crawl windows (migration 0003)


def _finished(session, run_id, *, status="success", since=None, until=None, lists_complete=True):
    run = start_crawl_run(
        session,
        source_id="kjj_cq",
        run_id=run_id,
        logical_date=until or date(2024, 3, 5),
        window_since=since,
        window_until=until,
    )
    return finish_crawl_run(
        session,
        run,
        status=status,
        pages_fetched=1,
        items_found=0,
        items_new=0,
        items_updated=0,
        items_unchanged=0,
        error_messages=[],
        lists_complete=lists_complete,
    )


def test_complete_crawl_windows_and_what_they_cover(session):
    from storage import CrawlWindow, complete_crawl_windows

    add_source(session)
    add_source(session, "cppcc")
    daily = _finished(session, "daily", since=date(2024, 2, 3), until=date(2024, 3, 5))
    _finished(session, "partial", status="partial", since=None, until=None)
    _finished(session, "failed", status="failed", since=None, until=None)
    _finished(session, "cut", since=None, until=None, lists_complete=False)
    _finished(session, "unknown", since=None, until=None, lists_complete=None)  # as rows from before 0003
    start_crawl_run(session, source_id="kjj_cq", run_id="running", logical_date=date(2024, 3, 6))
    open_ended = start_crawl_run(session, source_id="cppcc", run_id="all", logical_date="2024-03-05")
    finish_crawl_run(
        session,
        open_ended,
        status="success",
        pages_fetched=1,
        items_found=0,
        items_new=0,
        items_updated=0,
        items_unchanged=0,
        error_messages=[],
        lists_complete=True,
    )
    session.commit()
    assert (daily.window_since, daily.window_until, daily.lists_complete) == (date(2024, 2, 3), date(2024, 3, 5), True)

    windows = complete_crawl_windows(session, "kjj_cq")
    assert windows == {daily.id: CrawlWindow(daily.id, date(2024, 2, 3), date(2024, 3, 5))}
    window = windows[daily.id]
    assert window.covers(date(2024, 2, 4), date(2024, 2, 22))  # the next day going forward
    assert window.covers(date(2024, 2, 3), date(2024, 3, 5))
    assert not window.covers(date(2024, 1, 30), date(2024, 2, 22))  # a backfill reaching further back
    assert not window.covers(None, date(2024, 2, 22))  # a crawl without since
    assert not window.covers(date(2024, 2, 4), date(2024, 3, 6))  # after its until
    assert not window.covers(date(2024, 2, 4), None)  # an undated last article
    assert window.reaches(date(2024, 2, 3)) and not window.reaches(date(2024, 2, 2)) and not window.reaches(None)
    (everything,) = complete_crawl_windows(session, "cppcc").values()
    assert everything.covers(None, None) and everything.reaches(None)

    # a retried task reuses its row: its window is the retry's, completeness unknown again
    retry = start_crawl_run(
        session,
        source_id="kjj_cq",
        run_id="daily",
        logical_date="2024-03-05",
        window_since="2024-01-01",
        window_until=None,
    )
    session.commit()
    assert retry.id == daily.id
    assert (retry.window_since, retry.window_until, retry.lists_complete, retry.status) == (
        date(2024, 1, 1),
        None,
        None,
        "running",
    )
    assert complete_crawl_windows(session, "kjj_cq") == {}


def test_digest_source_runs_names_the_newest_run_of_each_source_and_day(session):
    from storage import digest_source_runs

    add_source(session)
    counts = dict(pages_fetched=1, items_found=1, items_updated=0, items_unchanged=0)
    failed = start_crawl_run(session, source_id="kjj_cq", run_id="manual__a", logical_date=date(2026, 5, 10))
    finish_crawl_run(session, failed, status="failed", items_new=0, error_messages=["kjj_cq: HTTP 500"], **counts)
    session.flush()
    time.sleep(0.01)  # started_at orders the runs of a day
    again = start_crawl_run(session, source_id="kjj_cq", run_id="manual__b", logical_date=date(2026, 5, 10))
    finish_crawl_run(session, again, status="success", items_new=1, error_messages=[], **counts)
    next_day = start_crawl_run(session, source_id="kjj_cq", run_id="manual__c", logical_date=date(2026, 5, 11))
    finish_crawl_run(session, next_day, status="failed", items_new=0, error_messages=["kjj_cq: HTTP 503"], **counts)
    session.flush()
    # the day run again: how the source is now, not its earlier failure
    assert [(r.logical_date, r.status) for r in digest_source_runs(session, date(2026, 5, 10))] == [
        (date(2026, 5, 10), "success")
    ]
    ranged = digest_source_runs(session, date(2026, 5, 10), until=date(2026, 5, 11))
    assert [(r.logical_date, r.status, r.items_new) for r in ranged] == [
        (date(2026, 5, 10), "success", 1),
        (date(2026, 5, 11), "failed", 0),
    ]
