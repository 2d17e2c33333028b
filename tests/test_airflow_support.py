"""policywatch_airflow: the window a DAG run collects, the alert texts, and the read
API (storage.read) that downstream DAGs use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from policywatch_airflow import RunWindow, run_window
from policywatch_airflow.alerts import failure_message, late_run_message, send_alert_email

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _interval(day: date):
    end = datetime(day.year, day.month, day.day, 7, tzinfo=SHANGHAI)
    return {"data_interval_start": end - timedelta(days=1), "data_interval_end": end}


def test_scheduled_run_collects_its_interval_and_the_look_back():
    window = run_window({"lookback_days": 2}, **_interval(date(2024, 3, 5)), tz=SHANGHAI)
    assert window == RunWindow(logical_date=date(2024, 3, 5), since=date(2024, 3, 2), until=date(2024, 3, 5))


def test_interval_is_read_in_shanghai_time_not_utc():
    # 2024-03-04 23:00 UTC is 2024-03-05 07:00 in Shanghai: the run is the 5th's.
    end = datetime(2024, 3, 4, 23, tzinfo=UTC)
    window = run_window(
        {"lookback_days": 0}, data_interval_start=end - timedelta(days=1), data_interval_end=end, tz=SHANGHAI
    )
    assert (window.logical_date, window.since, window.until) == (date(2024, 3, 5), date(2024, 3, 4), date(2024, 3, 5))


def test_params_override_the_date_and_since():
    interval = _interval(date(2024, 6, 1))
    assert run_window({"date": "2024-03-05", "lookback_days": 0}, **interval, tz=SHANGHAI) == RunWindow(
        date(2024, 3, 5), date(2024, 3, 5), date(2024, 3, 5)
    )
    assert run_window({"date": "2024-03-05", "since": "2024-01-01"}, **interval, tz=SHANGHAI).since == date(2024, 1, 1)


def test_a_backfilled_day_never_keeps_what_was_published_after_it():
    for day in (date(2024, 3, 1), date(2024, 3, 2)):
        window = run_window({}, **_interval(day), tz=SHANGHAI)
        assert window.until == day == window.logical_date


def test_bad_windows_are_refused():
    with pytest.raises(ValueError, match="after the run's last day"):
        run_window({"since": "2024-04-01"}, **_interval(date(2024, 3, 5)), tz=SHANGHAI)
    with pytest.raises(ValueError, match="lookback_days"):
        run_window({"lookback_days": -1}, **_interval(date(2024, 3, 5)), tz=SHANGHAI)
    with pytest.raises(ValueError, match="params.date"):
        run_window({}, data_interval_start=None, data_interval_end=None, tz=SHANGHAI)


def test_failure_message_names_the_source_task_and_reason():
    ti = SimpleNamespace(
        dag_id="policywatch_daily", task_id="crawl", map_index=0, rendered_map_index="kjj_cq", try_number=2
    )
    message = failure_message(
        {"ti": ti, "run_id": "scheduled__2024-03-05", "exception": RuntimeError("kjj_cq: list page answered HTTP 500")}
    )
    assert message == (
        "policywatch alert: policywatch_daily run scheduled__2024-03-05 task crawl[kjj_cq] "
        "failed on try 2: RuntimeError: kjj_cq: list page answered HTTP 500"
    )


def test_late_run_message_from_the_deadline_context():
    message = late_run_message(
        {
            "dag_run": {
                "dag_id": "policywatch_daily",
                "dag_run_id": "scheduled__x",
                "queued_at": "2024-03-05T07:00",
                "state": "running",
            },
            "deadline": {"deadline_time": "2024-03-05T10:00"},
        }
    )
    assert "policywatch_daily run scheduled__x is late" in message and "2024-03-05T10:00" in message


def test_alert_email_goes_through_the_configured_smtp_connection(smtp_sink, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_POLICYWATCH_SMTP", smtp_sink.connection_uri)
    monkeypatch.setenv("POLICYWATCH_ALERT_SMTP_CONN_ID", "policywatch_smtp")
    monkeypatch.setenv("POLICYWATCH_ALERT_EMAIL", "ops@policywatch.test, oncall@policywatch.test")
    assert send_alert_email("kjj_cq broken", "kjj_cq: list page <b>500</b>") is True
    (mail,) = smtp_sink.messages
    assert mail["to"] == ["ops@policywatch.test", "oncall@policywatch.test"]
    assert mail["subject"] == "kjj_cq broken" and "kjj_cq: list page &lt;b&gt;500&lt;/b&gt;" in mail["text"]


def test_alert_is_only_logged_without_a_connection(smtp_sink, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_ALERT_SMTP_CONN_ID", "no_such_connection")
    monkeypatch.setenv("POLICYWATCH_ALERT_EMAIL", "ops@policywatch.test")
    assert send_alert_email("subject", "body") is False
    monkeypatch.delenv("POLICYWATCH_ALERT_EMAIL")
    assert send_alert_email("subject", "body") is False
    assert smtp_sink.messages == []


# ------------------------------------------------------------------------- storage.read


def _store(session, url: str, body: str, run):
    from storage import ArticleRecord, upsert_article

    record = ArticleRecord(
        url=url,
        source_id="kjj_cq",
        section="通知公告",
        title=f"title {url[-1]}",
        published_at=datetime(2024, 3, 5, tzinfo=SHANGHAI),
        language="zh",
        body=body,
    )
    upsert_article(session, record, run)
    from storage import get_article

    return get_article(session, url)


def test_read_api_returns_summaries_since_and_run_totals(database_url):
    from storage import (
        finish_crawl_run,
        run_totals,
        save_summary,
        session_scope,
        start_crawl_run,
        summaries_since,
        upgrade_database,
        upsert_source,
    )

    upgrade_database(database_url)
    identity = dict(backend="extractive", model_id="m", model_version="1", parameters={"n": 3})
    with session_scope(database_url) as session:
        for source_id in ("kjj_cq", "ichongqing"):
            upsert_source(
                session,
                id=source_id,
                name=source_id,
                host=f"{source_id}.test",
                language="zh",
                family="trs",
                enabled=True,
            )
        run = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date="2024-03-05")
        first = _store(session, "https://kjj.cq.gov.cn/a1", "body one", run)
        save_summary(session, first, text="s1", language="zh", **identity)
        finish_crawl_run(
            session,
            run,
            status="success",
            pages_fetched=3,
            items_found=2,
            items_new=2,
            items_updated=0,
            items_unchanged=0,
            error_messages=[],
        )
        failed = start_crawl_run(session, source_id="ichongqing", run_id="r1", logical_date="2024-03-05")
        finish_crawl_run(
            session,
            failed,
            status="failed",
            pages_fetched=1,
            items_found=0,
            items_new=0,
            items_updated=0,
            items_unchanged=0,
            error_messages=["ichongqing: HTTP 500"],
        )
    mark = datetime.now(UTC)
    with session_scope(database_url) as session:
        second = _store(session, "https://kjj.cq.gov.cn/a2", "body two", None)
        save_summary(session, second, text="s2", language="zh", **identity)

    with session_scope(database_url) as session:
        everything = summaries_since(session, mark - timedelta(hours=1))
        assert [row.text for row in everything] == ["s1", "s2"]
        assert everything[0].url == "https://kjj.cq.gov.cn/a1" and everything[0].source_id == "kjj_cq"
        assert [row.text for row in summaries_since(session, mark)] == ["s2"]
        assert summaries_since(session, mark - timedelta(hours=1), source_ids=["ichongqing"]) == []
        assert summaries_since(session, mark - timedelta(hours=1), model_id="other") == []
        with pytest.raises(ValueError, match="aware"):
            summaries_since(session, datetime(2024, 1, 1))

        totals = run_totals(session, "r1")
        assert (totals.sources, totals.failed_sources, totals.pages, totals.new, totals.errors) == (2, 1, 4, 2, 1)
        assert run_totals(session, "unknown").sources == 0
