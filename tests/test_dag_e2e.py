"""dags/policywatch_daily.py run for real with dag.test(), against the replay sites.

Airflow runs in a subprocess with its own AIRFLOW_HOME and SQLite metadata database, so the
test sees Airflow exactly as an operator's `airflow dags test` would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SITES
from policywatch.replay import ReplayServer

pytestmark = pytest.mark.slow

RUNNER = r"""
import json, sys
import pendulum
from sqlalchemy import select
from airflow.dag_processing.dagbag import DagBag
from airflow.models import TaskInstance
from airflow.utils.session import create_session

dag = DagBag(dag_folder=sys.argv[1]).dags["policywatch_daily"]
run = dag.test(logical_date=pendulum.datetime(2024, 3, 5, 7, tz="Asia/Shanghai"))
with create_session() as session:
    tis = session.scalars(select(TaskInstance).where(TaskInstance.run_id == run.run_id)).all()
    states = {f"{ti.task_id}[{ti.rendered_map_index or ti.map_index}]" if ti.map_index >= 0 else ti.task_id: str(ti.state)
              for ti in tis}
print("RESULT " + json.dumps({"run_id": run.run_id, "state": str(run.state), "tasks": states}))
"""


def _run_dag(tmp_path: Path, replay_url: str, **extra_env: str) -> tuple[dict, str]:
    airflow_home = tmp_path / "airflow"
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{airflow_home / 'airflow.db'}",
        POLICYWATCH_VAR_DIR=str(tmp_path / "var"),
        POLICYWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}",
        POLICYWATCH_REPLAY_URL=replay_url,
        **extra_env,
    )
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True, text=True, timeout=600)
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(ROOT / "dags")], env=env,
                          capture_output=True, text=True, timeout=1200)
    output = proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"dag.test() printed no result (exit {proc.returncode}):\n{output[-6000:]}"
    return json.loads(lines[-1][len("RESULT "):]), output


def _rows(tmp_path: Path) -> dict[str, int]:
    from storage import session_scope, table_counts

    with session_scope(f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}") as session:
        return table_counts(session)


def test_dag_runs_end_to_end(tmp_path, replay_server):
    result, output = _run_dag(tmp_path, replay_server.url)
    assert result["state"] == "success", output[-6000:]
    assert result["tasks"]["crawl[kjj_cq]"] == "success"
    assert result["tasks"]["crawl[ichongqing]"] == "success"
    assert all(state == "success" for state in result["tasks"].values()), result
    rows = _rows(tmp_path)
    assert rows["articles"] == 50 and rows["summaries"] == 50
    assert (tmp_path / "var" / "digests" / "2024-03-05.html").is_file()


def test_dag_with_a_broken_source(tmp_path):
    with ReplayServer(SITES, faults={"kjj.cq.gov.cn/zwxx_176/tzgg/index.html": 500}) as server:
        # No retries: a retry cannot mend an injected fault, and dag.test() would wait for it.
        result, output = _run_dag(tmp_path, server.url, POLICYWATCH_DAG_RETRIES="0")
    tasks = result["tasks"]
    assert tasks["crawl[kjj_cq]"] == "failed"
    assert tasks["crawl[ichongqing]"] == "success"
    assert tasks["summarize"] == "success" and tasks["digest"] == "success"
    assert tasks["check_sources"] == "failed" and result["state"] == "failed"
    assert "kjj_cq: list page https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html answered HTTP 500" in output
    rows = _rows(tmp_path)
    assert rows["articles"] == 25 and rows["summaries"] == 25
