"""storage.repository: http_cache validators, stored-article lookups, crawl-run health (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from storage import (
    ArticleRecord,
    CachedPage,
    finish_crawl_run,
    get_article,
    http_cache_entries,
    latest_crawl_runs,
    make_engine,
    mark_article_seen,
    previous_crawl_runs,
    recent_article_urls,
    record_crawl_health,
    save_http_cache,
    start_crawl_run,
    stored_article_dates,
    upgrade_database,
    upsert_article,
    upsert_source,
)
from storage.models import CrawlRun

SH = ZoneInfo("Asia/Shanghai")
LIST = "https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html"
ARTICLE = "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_1.html"


@pytest.fixture
def session(database_url):
    upgrade_database(database_url)
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        for source_id in ("kjj_cq", "ichongqing"):
            upsert_source(
                session,
                id=source_id,
                name=source_id,
                host=f"{source_id}.example",
                language="zh",
                family="trs",
                enabled=True,
            )
        yield session
        session.rollback()
    engine.dispose()


def finished_run(session, run_id: str, source_id: str = "kjj_cq", *, status: str = "success", found: int = 25):
    run = start_crawl_run(session, source_id=source_id, run_id=run_id, logical_date="2024-03-05")
    return finish_crawl_run(
        session,
        run,
        status=status,
        pages_fetched=found + 3,
        items_found=found,
        items_new=found,
        items_updated=0,
        items_unchanged=0,
        error_messages=[],
    )


def test_http_cache_round_trip_and_replace(session):
    assert http_cache_entries(session, "kjj_cq") == {}
    saved = save_http_cache(
        session,
        "kjj_cq",
        [
            CachedPage(LIST, '"abc"', "Tue, 05 Mar 2024 02:00:00 GMT", 200, "h1"),
            CachedPage(ARTICLE, None, None, 200, "h2"),
        ],
    )
    save_http_cache(session, "ichongqing", [CachedPage("https://www.ichongqing.info/feed/", '"x"', None, 200, None)])
    assert saved == 2
    entries = http_cache_entries(session, "kjj_cq")
    assert set(entries) == {LIST, ARTICLE}
    assert entries[LIST] == CachedPage(LIST, '"abc"', "Tue, 05 Mar 2024 02:00:00 GMT", 200, "h1")

    save_http_cache(session, "kjj_cq", [CachedPage(LIST, '"def"', None, 200, "h3")])  # same URL: replaced
    entries = http_cache_entries(session, "kjj_cq")
    assert len(entries) == 2 and entries[LIST].etag == '"def"' and entries[LIST].last_modified is None


def test_stored_article_dates_and_mark_article_seen(session):
    run1 = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date="2024-03-05")
    when = datetime(2024, 3, 5, 10, 30, tzinfo=SH)
    upsert_article(session, ArticleRecord(ARTICLE, "kjj_cq", "通知公告", "标题", when, "zh", "正文"), run1)
    upsert_article(session, ArticleRecord(ARTICLE + "?undated", "kjj_cq", None, "标题2", None, "zh", "正文2"), run1)

    found = stored_article_dates(session, [ARTICLE, ARTICLE + "?undated", "https://kjj.cq.gov.cn/unknown.html"])
    assert set(found) == {ARTICLE, ARTICLE + "?undated"}
    assert found[ARTICLE] == when and found[ARTICLE + "?undated"] is None
    assert stored_article_dates(session, []) == {}

    before = get_article(session, ARTICLE).last_seen_at
    run2 = start_crawl_run(session, source_id="kjj_cq", run_id="r2", logical_date="2024-03-06")
    assert mark_article_seen(session, ARTICLE, run2) is True
    article = get_article(session, ARTICLE)
    assert article.last_seen_at >= before and article.last_crawl_run_id == run2.id
    assert article.first_crawl_run_id == run1.id  # a 304 is not a new sighting
    assert mark_article_seen(session, "https://kjj.cq.gov.cn/unknown.html", run2) is False


def test_record_crawl_health_and_reset_on_retry(session):
    run = finished_run(session, "r1")
    record_crawl_health(
        session,
        run,
        requests=30,
        not_modified=4,
        pages_failed=2,
        health="degraded",
        reasons=["2 of 25 article pages without a title or body"],
    )
    stored = session.get(CrawlRun, run.id)
    assert (stored.requests, stored.not_modified, stored.pages_failed, stored.health) == (30, 4, 2, "degraded")
    assert stored.health_reasons == ["2 of 25 article pages without a title or body"]

    with pytest.raises(ValueError, match="health must be one of"):
        record_crawl_health(session, run, requests=0, not_modified=0, pages_failed=0, health="fine", reasons=[])

    retried = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date="2024-03-05")
    assert retried.id == run.id
    assert (retried.requests, retried.not_modified, retried.pages_failed, retried.health, retried.health_reasons) == (
        0,
        0,
        0,
        None,
        [],
    )


def test_previous_and_latest_crawl_runs(session):
    older = finished_run(session, "r1", found=25)
    failed = finished_run(session, "r2", status="failed", found=0)
    other = finished_run(session, "r1", source_id="ichongqing", found=10)
    running = start_crawl_run(session, source_id="kjj_cq", run_id="r3", logical_date="2024-03-07")
    # distinct start times, as real runs have
    base = datetime(2024, 3, 5, tzinfo=UTC)
    for n, run in enumerate((older, failed, other, running)):
        run.started_at = base + timedelta(hours=n)
    session.flush()

    history = previous_crawl_runs(session, "kjj_cq", before=running)
    assert [r.run_id for r in history] == ["r2", "r1"]  # newest first; the running one excluded
    assert [r.run_id for r in previous_crawl_runs(session, "kjj_cq", before=running, limit=1)] == ["r2"]
    assert [r.run_id for r in previous_crawl_runs(session, "kjj_cq", before=failed)] == ["r1"]

    latest = latest_crawl_runs(session)
    assert set(latest) == {"kjj_cq", "ichongqing"}
    assert latest["kjj_cq"].run_id == "r3" and latest["ichongqing"].id == other.id


def test_recent_article_urls_by_section_and_local_day(session):
    run = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date="2024-03-06")
    base = "https://kjj.cq.gov.cn/zwxx_176/tzgg/"
    for n, (section, when) in enumerate(
        [
            ("通知公告", datetime(2024, 3, 5, 10, 30, tzinfo=SH)),
            ("通知公告", datetime(2024, 3, 3, 0, 30, tzinfo=SH)),  # 2024-03-02 16:30 UTC: still the 3rd in Shanghai
            ("通知公告", datetime(2024, 3, 2, 23, 0, tzinfo=SH)),
            ("提案办理", datetime(2024, 3, 4, 9, 0, tzinfo=SH)),
            ("通知公告", datetime(2024, 3, 7, 9, 0, tzinfo=SH)),
            ("通知公告", None),
        ]
    ):
        upsert_article(
            session, ArticleRecord(f"{base}{n}.html", "kjj_cq", section, f"标题{n}", when, "zh", f"正文{n}"), run
        )

    assert recent_article_urls(session, "kjj_cq", "通知公告", since=date(2024, 3, 3)) == [
        f"{base}4.html",
        f"{base}0.html",
        f"{base}1.html",
    ]  # newest first; undated and older left out
    assert recent_article_urls(session, "kjj_cq", "通知公告", since=date(2024, 3, 3), until=date(2024, 3, 6)) == [
        f"{base}0.html",
        f"{base}1.html",
    ]
    assert recent_article_urls(session, "kjj_cq", None, since=date(2024, 3, 4), until=date(2024, 3, 6)) == [
        f"{base}0.html",
        f"{base}3.html",
    ]
    assert recent_article_urls(session, "kjj_cq", "通知公告", since=date(2024, 3, 3), limit=1) == [f"{base}4.html"]
    assert recent_article_urls(session, "ichongqing", None, since=date(2024, 1, 1)) == []


def test_http_cache_saves_many_pages_at_once_and_the_last_of_one_url_wins(session):
    pages = [CachedPage(f"{LIST}?page={i}", f'"e{i}"', None, 200, f"h{i}") for i in range(50)]
    assert save_http_cache(session, "kjj_cq", [*pages, CachedPage(LIST, '"first"', None, 200, "a")]) == 51
    assert (
        save_http_cache(
            session, "kjj_cq", [CachedPage(LIST, '"old"', None, 200, "b"), CachedPage(LIST, '"new"', None, 304, "c")]
        )
        == 1
    )
    entries = http_cache_entries(session, "kjj_cq")
    assert len(entries) == 51 and entries[LIST] == CachedPage(LIST, '"new"', None, 304, "c")
    assert entries[f"{LIST}?page=7"].etag == '"e7"'
    assert save_http_cache(session, "kjj_cq", []) == 0
