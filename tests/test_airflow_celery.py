"""policywatch_daily on Airflow's CeleryExecutor, for real: scheduler, dag-processor, api-server,
triggerer and a Celery worker as separate processes (the `airflow_cluster` fixture in conftest),
Redis as broker, PostgreSQL as Airflow's metadata and as the summary database.

The scenario, in one test because each step builds on the data of the previous one:
1. the first run of 2024-03-05 (by its logical date) loses its Celery
   worker in the middle of a crawl (SIGKILL of the worker's process group, Scrapy included); a new
   worker is started, Airflow notices the dead task (heartbeat timeout) and retries it, and the
   run succeeds;
2. two more runs of the same day at once (params, as an operator re-running a day would);
3. nothing was lost and nothing duplicated: the stored articles are exactly those (same URLs,
   same content) of a plain `policywatch run` of the same day into a fresh database; the re-runs
   find nothing new or changed; one row per article, one summary per article and model;
4. the summaries asset started the downstream export DAG; the run missed its (tiny) deadline
   and the Deadline Alert's callback reported it in the triggerer's log and by e-mail (the
   cluster's SMTP connection points at a real SMTP server in the test process);
5. the DAG runs on its production schedule (07:00 Asia/Shanghai, catchup off; the deployment's
   schedule ends with the replayed month, so the scheduler started no run by itself), and
   `airflow backfill create` fills two past days: each run crawls its own data interval (plus the
   look-back), stores what only that window holds, and nothing is duplicated.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.airflow_cluster]

DAG_ID = "policywatch_daily"
LOGICAL = "2024-03-04T23:00:00+00:00"  # 07:00 Asia/Shanghai on 2024-03-05
# Two sources keep the runs short; the other sources run the same code (tests/test_dag_e2e.py).
SOURCES = ["kjj_cq", "ichongqing"]
SAME_DAY = {"date": "2024-03-05", "sources": SOURCES}  # the logical date's day, as params
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALERT_TO = ["ops@policywatch.test"]  # POLICYWATCH_ALERT_EMAIL of the cluster (conftest)
# The backfill: digest days 2024-03-02 and 2024-03-03. A day's run starts at 07:00 Shanghai and
# collects its data interval (07:00 the day before .. 07:00) plus the 30-day look-back, so it keeps
# what was published from the day before minus 30 days up to the day itself.
BACKFILL_FROM, BACKFILL_TO = "2024-03-02T00:00:00+08:00", "2024-03-03T23:59:59+08:00"
BACKFILL_WINDOWS = {
    date(2024, 3, 2): (date(2024, 1, 31), date(2024, 3, 2)),
    date(2024, 3, 3): (date(2024, 2, 1), date(2024, 3, 3)),
}
# What only those windows hold (the first run kept 2024-02-03 .. 2024-03-05): two kjj_cq notices,
# of 2024-01-31 (inside 03-02's window only) and 2024-02-02 (inside both). The backfill runs the
# days in order, so 03-02's run stores both and 03-03's finds nothing new.
BACKFILL_NEW = {
    date(2024, 3, 2): {
        "https://kjj.cq.gov.cn/zwxx_176/tzgg/202401/t20240131_12751846.html",
        "https://kjj.cq.gov.cn/zwxx_176/tzgg/202402/t20240202_12760531.html",
    },
    date(2024, 3, 3): set(),
}


def _query(url: str, sql: str, **params):
    from sqlalchemy import text

    from storage import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).all()
    finally:
        engine.dispose()


def _data(cluster, sql: str, **params):
    return _query(cluster.data_url, sql, **params)


def _crawl_running(cluster, run_id: str) -> bool:
    try:
        rows = _data(cluster, "SELECT status FROM crawl_runs WHERE run_id = :r", r=run_id)
    except Exception:  # the first task has not migrated the database yet
        return False
    return any(status == "running" for (status,) in rows)


def _totals(cluster, run_id: str):
    from storage import run_totals, session_scope

    with session_scope(cluster.data_url) as session:
        return run_totals(session, run_id)


def _plain_run(cluster, tmp_path: Path) -> tuple[subprocess.Popen, str]:
    """`policywatch run` of the same day and sources into a fresh SQLite database: the reference."""
    database = f"sqlite:///{tmp_path / 'reference.db'}"
    env = dict(cluster.env, POLICYWATCH_DATABASE_URL=database, POLICYWATCH_VAR_DIR=str(tmp_path / "var"))
    # The first run's window: its data interval is 07:00 on 2024-03-04 .. 07:00 on 03-05
    # (Shanghai), less the 30-day look-back.
    command = [
        str(Path(sys.executable).with_name("policywatch")),
        "run",
        "--date",
        "2024-03-05",
        "--since",
        "2024-02-03",
        *(arg for source in SOURCES for arg in ("--source", source)),
    ]
    log = (tmp_path / "reference.log").open("w")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT), database


def _articles(url: str) -> set[tuple[str, str]]:
    return set(_query(url, "SELECT url, content_hash FROM articles"))


def test_daily_dag_on_celery_survives_a_killed_worker_and_reruns(airflow_cluster, tmp_path):
    cluster = airflow_cluster
    reference, reference_db = _plain_run(cluster, tmp_path)  # runs meanwhile
    cluster.wait_until(lambda: _dag_ready(cluster), 180, "the DAGs to be parsed")

    # 1. First run; kill the worker as soon as a crawl is under way, then start a new one.
    first = cluster.trigger(DAG_ID, logical_date=LOGICAL, conf={"sources": SOURCES})
    cluster.wait_until(lambda: _crawl_running(cluster, first), 240, "a crawl to start", interval_s=0.2)
    cluster.kill("worker")
    killed_at = time.monotonic()
    cluster.spawn("worker", cluster.COMPONENTS["worker"])
    assert cluster.wait_for_run(DAG_ID, first, timeout_s=420) == "success", cluster.log("scheduler")[-4000:]
    retried = [ti for ti in cluster.task_instances(DAG_ID, first) if ti["try_number"] > 1]
    assert any(ti["task_id"] == "crawl" for ti in retried), "the killed crawl was not retried"
    print(
        f"killed worker recovered in {time.monotonic() - killed_at:.0f} s; retried: "
        f"{[(ti['task_id'], ti['rendered_map_index'], ti['try_number']) for ti in retried]}"
    )

    first_totals = _totals(cluster, first)
    assert first_totals.failed_sources == 0 and first_totals.sources == len(SOURCES)
    articles = _data(cluster, "SELECT count(*), count(DISTINCT url) FROM articles")[0]
    assert articles[0] == articles[1] > 0
    assert reference.wait(timeout=300) == 0, (tmp_path / "reference.log").read_text()
    stored = _articles(cluster.data_url)
    assert stored == _articles(reference_db), "the killed-and-retried run lost or changed articles"

    # 2. The same day twice more, both at once.
    again = [cluster.trigger(DAG_ID, conf=SAME_DAY) for _ in range(2)]
    for run_id in again:
        assert cluster.wait_for_run(DAG_ID, run_id, timeout_s=300) == "success"

    # 3. Nothing lost (the re-runs found nothing new), nothing duplicated.
    for run_id in again:
        totals = _totals(cluster, run_id)
        assert (totals.new, totals.updated, totals.failed_sources) == (0, 0, 0), totals
    assert _data(cluster, "SELECT count(*), count(DISTINCT url) FROM articles")[0] == articles
    assert _articles(cluster.data_url) == stored
    per_model = _data(
        cluster, "SELECT article_id, backend, model_id, count(*) FROM summaries GROUP BY article_id, backend, model_id"
    )
    assert len(per_model) == articles[0] and all(row[3] == 1 for row in per_model)
    assert _query(reference_db, "SELECT count(*) FROM summaries")[0][0] == len(per_model)

    # 4. Data-aware scheduling and the Deadline Alert, both handled by the running components.
    exports = cluster.wait_until(
        lambda: _successful_runs(cluster, "policywatch_summaries_export"),
        180,
        "the summaries asset to start the export DAG",
    )
    assert exports
    cluster.wait_until(
        lambda: f"run {first} is late" in cluster.log("triggerer"), 120, "the Deadline Alert to report the late run"
    )
    mail = cluster.wait_until(lambda: _late_run_mail(cluster, first), 60, "the late-run e-mail")
    assert mail["to"] == ALERT_TO and mail["from"] == "airflow@policywatch.test", mail
    assert "not finished by its deadline" in mail["text"] and first in mail["text"], mail
    print(f"late-run e-mail: {mail['subject']!r} to {mail['to']}")

    # 5. The production schedule, catchup off: the scheduler started no run by itself; then two past
    # days through Airflow's own backfill, as an operator runs it (one day after the other).
    # (the cron's time zone shows in the runs' data intervals below: 07:00 Shanghai)
    details = cluster.request("GET", f"/api/v2/dags/{DAG_ID}/details")
    assert (details["timetable_summary"], details["catchup"], details["next_dagrun_run_after"]) == (
        "0 7 * * *",
        False,
        None,
    ), details
    assert not _runs(cluster, "scheduled")
    before = _articles(cluster.data_url)
    started = time.monotonic()
    cluster.airflow(
        "backfill",
        "create",
        "--dag-id",
        DAG_ID,
        "--from-date",
        BACKFILL_FROM,
        "--to-date",
        BACKFILL_TO,
        "--dag-run-conf",
        json.dumps({"sources": SOURCES}),
        "--max-active-runs",
        "1",
    )
    backfilled = {_local(run["data_interval_end"]).date(): run for run in _runs(cluster, "backfill")}
    assert set(backfilled) == set(BACKFILL_WINDOWS), backfilled
    for day, run in backfilled.items():
        assert _local(run["data_interval_end"]) == datetime(day.year, day.month, day.day, 7, tzinfo=SHANGHAI)
        assert (_local(run["data_interval_end"]) - _local(run["data_interval_start"])).days == 1, run
        assert cluster.wait_for_run(DAG_ID, run["dag_run_id"], timeout_s=300) == "success"
    print(f"backfill of {len(backfilled)} days done in {time.monotonic() - started:.0f} s")

    # Each backfilled day crawled its own window: its crawl_runs rows carry its day, it stored what
    # only its window holds and read nothing published outside it (an article a run reads, even
    # unchanged, records the run as its last crawl run).
    for day, run in sorted(backfilled.items()):
        run_id, (since, until) = run["dag_run_id"], BACKFILL_WINDOWS[day]
        rows = _data(cluster, "SELECT source_id, logical_date, status FROM crawl_runs WHERE run_id = :r", r=run_id)
        assert sorted(tuple(row) for row in rows) == [(source, day, "success") for source in sorted(SOURCES)], rows
        totals = _totals(cluster, run_id)
        assert (totals.new, totals.failed_sources) == (len(BACKFILL_NEW[day]), 0), totals
        new = _data(
            cluster,
            "SELECT a.url FROM articles a JOIN crawl_runs c ON c.id = a.first_crawl_run_id WHERE c.run_id = :r",
            r=run_id,
        )
        assert {url for (url,) in new} == BACKFILL_NEW[day], (day, new)
        read = _data(
            cluster,
            "SELECT a.url, a.published_at FROM articles a JOIN crawl_runs c "
            "ON c.id IN (a.first_crawl_run_id, a.last_crawl_run_id) WHERE c.run_id = :r",
            r=run_id,
        )
        outside = [
            (url, published)
            for url, published in read
            if published is None or not since <= _local(published).date() <= until
        ]
        assert read and not outside, (day, outside)
        print(
            f"backfill {day}: window {since} .. {until}, new={totals.new} unchanged={totals.unchanged}, "
            f"{len(read)} articles first stored or last read by it, all published inside it"
        )
    after = _articles(cluster.data_url)
    assert {url for url, _ in after - before} == set().union(*BACKFILL_NEW.values()) and before <= after
    count = _data(cluster, "SELECT count(*), count(DISTINCT url) FROM articles")[0]
    assert count[0] == count[1] == len(after)
    per_model = _data(
        cluster, "SELECT article_id, backend, model_id, count(*) FROM summaries GROUP BY article_id, backend, model_id"
    )
    assert len(per_model) == count[0] and all(row[3] == 1 for row in per_model)
    # The backfilled runs were late too (the 3 s deadline): their alerts were e-mailed as well.
    for run in backfilled.values():
        cluster.wait_until(
            lambda run=run: _late_run_mail(cluster, run["dag_run_id"]), 60, "the backfill's late-run e-mails"
        )


def _dag_ready(cluster) -> bool:
    try:
        dags = {d["dag_id"]: d for d in cluster.request("GET", "/api/v2/dags")["dags"]}
    except OSError:
        return False
    return all(d in dags and not dags[d]["is_paused"] for d in (DAG_ID, "policywatch_summaries_export"))


def _runs(cluster, run_type: str) -> list[dict]:
    runs = cluster.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?limit=100")["dag_runs"]
    return [r for r in runs if r["run_type"] == run_type]


def _local(value) -> datetime:
    """An API timestamp (ISO text) or a database one (naive means UTC) in Shanghai time."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(SHANGHAI)


def _late_run_mail(cluster, run_id: str) -> dict | None:
    return next((m for m in list(cluster.smtp.messages) if f"{DAG_ID} run {run_id} is late" in m["subject"]), None)


def _successful_runs(cluster, dag_id: str) -> list[str]:
    runs = cluster.request("GET", f"/api/v2/dags/{dag_id}/dagRuns")["dag_runs"]
    return [r["dag_run_id"] for r in runs if r["state"] == "success"]
