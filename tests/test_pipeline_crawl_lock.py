"""policywatch/locking.py crawl_lock, as policywatch.pipeline.crawl_source takes it (the Airflow DAG's
crawl task calls crawl_source without any run lock): two crawls of one source and day never run at
once, on SQLite and PostgreSQL. Waiting, the second runs after the first and each keeps true
counts; refused, or still waiting at the timeout, the crawl is a failed report (or
SourceCrawlError) naming the source, the day and the holder, in one line."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from config import get_settings
from policywatch.pipeline import SourceCrawlError, crawl_source, prepare_database
from storage import database_lock, session_scope
from storage.models import Article, CrawlRun

DAY = date(2024, 3, 5)
KJJ_NEW = 33  # kjj_cq's articles up to DAY in the replay (tests/test_pipeline.py)
CRAWL_LOCK = "crawl-2024-03-05-kjj_cq"


@pytest.fixture
def settings(tmp_path, monkeypatch, replay_server, database_url):
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("POLICYWATCH_REPLAY_URL", replay_server.url)
    monkeypatch.setenv("POLICYWATCH_RUN_LOCK", "wait")
    settings = get_settings()
    prepare_database(settings)
    return settings


def _crawl(settings, run_id: str, **options):
    return crawl_source("kjj_cq", DAY, run_id, until=DAY, settings=settings, **options)


def _stored(settings) -> tuple[int, list[CrawlRun]]:
    with session_scope(settings.database_url) as session:
        articles = session.scalar(select(func.count(Article.id)))
        return articles, list(session.scalars(select(CrawlRun).order_by(CrawlRun.started_at)))


def test_two_crawls_of_a_source_and_day_at_once_run_one_after_the_other(settings):
    reports = {}

    def crawl(run_id: str) -> None:
        reports[run_id] = _crawl(settings, run_id, raise_on_failure=False)

    threads = [threading.Thread(target=crawl, args=(run_id,)) for run_id in ("dag-run-1", "dag-run-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(report.status == "success" for report in reports.values()), reports
    articles, (first, second) = _stored(settings)
    assert articles == KJJ_NEW  # nothing stored twice
    assert first.finished_at <= second.started_at  # the second crawl started when the first was done
    # the first found everything new; the second (incremental: it stops at what it knows) found
    # only known articles, every one of them unchanged
    assert (first.items_found, first.items_new, first.items_unchanged) == (KJJ_NEW, KJJ_NEW, 0)
    assert second.items_found > 0 and (second.items_new, second.items_updated) == (0, 0)
    assert second.items_unchanged == second.items_found
    assert (reports[first.run_id].new, reports[second.run_id].unchanged) == (KJJ_NEW, second.items_found)


def test_a_crawl_refused_names_the_source_the_day_and_the_holder(settings):
    refuse = dataclasses.replace(settings, run_lock="refuse")
    with database_lock(settings.database_url, CRAWL_LOCK, wait=False, timeout_s=0, holder="the other crawl"):
        started = time.monotonic()
        report = _crawl(refuse, "refused", raise_on_failure=False)
        assert time.monotonic() - started < 5  # refused at once
        with pytest.raises(SourceCrawlError) as raised:
            _crawl(refuse, "refused-raising")
    assert report.status == "failed" and not report.ok
    (message,) = report.errors
    assert message.startswith("kjj_cq: the crawl of 2024-03-05 is already in progress: ")
    assert "the other crawl" in message and "not started" in message and "\n" not in message
    assert str(raised.value) == message
    assert _stored(settings) == (0, [])  # neither crawl began


def test_a_waiting_crawl_runs_when_the_lock_is_released_and_gives_up_at_the_timeout(settings):
    with database_lock(settings.database_url, CRAWL_LOCK, wait=False, timeout_s=0, holder="the other crawl"):
        short = dataclasses.replace(settings, run_lock_timeout_s=1)
        report = _crawl(short, "timed-out", raise_on_failure=False)
        (message,) = report.errors
        assert message.startswith("kjj_cq: the crawl of 2024-03-05 is already in progress: ")
        assert "the other crawl" in message and "(still held after waiting 1 s); not started" in message
        # the call's timeout bounds the wait too
        started = time.monotonic()
        report = _crawl(settings, "call-timeout", raise_on_failure=False, timeout_s=1)
        assert report.status == "failed" and "still held after waiting 1 s" in report.errors[0]
        assert time.monotonic() - started < 5
    held = threading.Event()

    def hold_for_a_while() -> None:
        with database_lock(settings.database_url, CRAWL_LOCK, wait=False, timeout_s=0):
            held.set()
            time.sleep(1.5)

    holder = threading.Thread(target=hold_for_a_while)
    holder.start()
    held.wait(30)
    started = time.monotonic()
    report = _crawl(settings, "waited")
    holder.join()
    assert time.monotonic() - started > 1  # it waited for the holder
    assert (report.status, report.new, report.unchanged) == ("success", KJJ_NEW, 0)
