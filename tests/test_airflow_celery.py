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
   and the Deadline Alert's callback reported it in the triggerer.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.airflow_cluster]

DAG_ID = "policywatch_daily"
LOGICAL = "2024-03-04T23:00:00+00:00"  # 07:00 Asia/Shanghai on 2024-03-05
# Two sources keep the runs short; the other sources run the same code (tests/test_dag_e2e.py).
SOURCES = ["kjj_cq", "ichongqing"]
SAME_DAY = {"date": "2024-03-05", "sources": SOURCES}  # the logical date's day, as params


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
    command = [str(Path(sys.executable).with_name("policywatch")), "run", "--date", "2024-03-05",
               "--since", "2024-02-04", *(arg for source in SOURCES for arg in ("--source", source))]
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
    print(f"killed worker recovered in {time.monotonic() - killed_at:.0f} s; retried: "
          f"{[(ti['task_id'], ti['rendered_map_index'], ti['try_number']) for ti in retried]}")

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
    per_model = _data(cluster, "SELECT article_id, backend, model_id, count(*) FROM summaries "
                               "GROUP BY article_id, backend, model_id")
    assert len(per_model) == articles[0] and all(row[3] == 1 for row in per_model)
    assert _query(reference_db, "SELECT count(*) FROM summaries")[0][0] == len(per_model)

    # 4. Data-aware scheduling and the Deadline Alert, both handled by the running components.
    exports = cluster.wait_until(lambda: _successful_runs(cluster, "policywatch_summaries_export"), 180,
                                 "the summaries asset to start the export DAG")
    assert exports
    cluster.wait_until(lambda: f"run {first} is late" in cluster.log("triggerer"), 120,
                       "the Deadline Alert to report the late run")


def _dag_ready(cluster) -> bool:
    try:
        dags = {d["dag_id"]: d for d in cluster.request("GET", "/api/v2/dags")["dags"]}
    except OSError:
        return False
    return all(d in dags and not dags[d]["is_paused"] for d in (DAG_ID, "policywatch_summaries_export"))


def _successful_runs(cluster, dag_id: str) -> list[str]:
    runs = cluster.request("GET", f"/api/v2/dags/{dag_id}/dagRuns")["dag_runs"]
    return [r["dag_run_id"] for r in runs if r["state"] == "success"]
