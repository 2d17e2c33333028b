"""storage.repository: the guard decision stored with a summary, and outdated=False (new and changed
articles only) in articles_to_summarize, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from storage import (
    ARTICLE_TEXT,
    ArticleRecord,
    any_article_without_current_summary,
    articles_to_summarize,
    is_article_text,
    make_engine,
    save_summary,
    start_crawl_run,
    upgrade_database,
    upsert_article,
    upsert_source,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
IDENTITY = {"backend": "extractive", "model_id": "m", "model_version": "v1", "parameters": {"k": 3}}


@pytest.fixture
def session(database_url):
    upgrade_database(database_url)
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        upsert_source(
            session,
            id="kjj_cq",
            name="重庆市科学技术局",
            host="kjj.cq.gov.cn",
            language="zh",
            family="trs",
            enabled=True,
        )
        yield session
        session.rollback()
    engine.dispose()


def _articles(session, n=3):
    run = start_crawl_run(session, source_id="kjj_cq", run_id="run-1", logical_date="2026-05-10")
    for i in range(n):
        upsert_article(
            session,
            ArticleRecord(
                url=f"https://kjj.cq.gov.cn/t{i}.html",
                source_id="kjj_cq",
                section="通知公告",
                title=f"第{i}批项目",
                published_at=datetime(2026, 5, 10, 9, tzinfo=SHANGHAI) - timedelta(hours=i),
                language="zh",
                body=f"市科技局发布第{i}批项目申报通知，资助额度为{i + 20}万元。",
            ),
            run,
        )
    session.flush()
    return articles_to_summarize(session, **IDENTITY)


def test_guard_decision_is_stored_and_updated(session):
    article = _articles(session, 1)[0]
    decision = {
        "passed": False,
        "checked": 2,
        "unsupported": [{"kind": "number", "text": "30"}],
        "fallback": "extractive",
        "reason": "not in the article: number '30'",
    }
    summary, changed = save_summary(session, article, text="摘要", language="zh", guard=decision, **IDENTITY)
    assert changed and summary.guard == decision
    # the same summary and decision again: nothing changes
    assert save_summary(session, article, text="摘要", language="zh", guard=decision, **IDENTITY)[1] is False
    passed = {"passed": True, "checked": 1, "unsupported": []}
    summary, changed = save_summary(session, article, text="摘要", language="zh", guard=passed, **IDENTITY)
    assert changed and summary.guard == passed
    # callers that run no guard still work
    summary, _ = save_summary(session, article, text="摘要二", language="zh", **IDENTITY)
    assert summary.guard is None and summary.text == "摘要二"


def test_outdated_false_leaves_out_articles_with_a_summary_of_their_content(session):
    articles = _articles(session, 3)
    for article in articles:
        save_summary(session, article, text="旧摘要", language="zh", **IDENTITY)
    newer = {**IDENTITY, "model_version": "v2"}
    # a new model version: everything is outdated, but nothing is new or changed
    assert len(articles_to_summarize(session, **newer)) == 3
    assert articles_to_summarize(session, **newer, outdated=False) == []
    # another backend altogether: its summaries are missing, yet each article has a current one
    assert articles_to_summarize(session, **{**IDENTITY, "backend": "lead"}, outdated=False) == []
    assert not any_article_without_current_summary(session)  # what tells the pipeline to load no model
    # a changed article needs a summary whatever made the old one
    run = start_crawl_run(session, source_id="kjj_cq", run_id="run-2", logical_date="2026-05-11")
    upsert_article(
        session,
        ArticleRecord(
            url="https://kjj.cq.gov.cn/t1.html",
            source_id="kjj_cq",
            section="通知公告",
            title="第1批项目",
            published_at=datetime(2026, 5, 10, 8, tzinfo=SHANGHAI),
            language="zh",
            body="市科技局更正第1批项目申报通知，资助额度为25万元。",
        ),
        run,
    )
    session.flush()
    changed = articles_to_summarize(session, **newer, outdated=False)
    assert [a.url for a in changed] == ["https://kjj.cq.gov.cn/t1.html"]
    assert [a.url for a in articles_to_summarize(session, **IDENTITY, outdated=False)] == [
        "https://kjj.cq.gov.cn/t1.html"
    ]
    assert any_article_without_current_summary(session)
    assert any_article_without_current_summary(session, source_ids=["kjj_cq"])
    assert not any_article_without_current_summary(session, source_ids=["most"])


def test_an_article_without_any_summary_is_found(session):
    assert not any_article_without_current_summary(session)  # no article at all
    _articles(session, 1)
    assert any_article_without_current_summary(session)


def test_ids_only_lists_the_same_articles_without_their_rows(session):
    articles = _articles(session, 3)
    save_summary(session, articles[0], text="摘要", language="zh", **IDENTITY)
    for options in ({}, {"outdated": False}, {"limit": 1}, {"source_ids": ["most"]}):
        rows = articles_to_summarize(session, **IDENTITY, **options)
        assert articles_to_summarize(session, **IDENTITY, **options, ids_only=True) == [a.id for a in rows]
    assert len(articles_to_summarize(session, **IDENTITY, ids_only=True)) == 2


def test_an_article_text_row_is_flagged_and_current_for_its_configuration(session):
    short, long = _articles(session, 2)
    row, _ = save_summary(session, short, text=short.body, language="zh", article_text=True, **IDENTITY)
    save_summary(session, long, text="摘要", language="zh", **IDENTITY)
    assert is_article_text(row) and row.parameters == {"k": 3, "output": ARTICLE_TEXT}
    # the flag is not another configuration: neither row is redone
    assert articles_to_summarize(session, **IDENTITY) == []
    # another configuration redoes both, flagged or not
    assert len(articles_to_summarize(session, **{**IDENTITY, "parameters": {"k": 1}})) == 2
    # re-made as a summary, the flag goes
    row, changed = save_summary(session, short, text="摘要", language="zh", **IDENTITY)
    assert changed and not is_article_text(row)
