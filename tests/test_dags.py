"""dags/: every DAG file imports cleanly, cheaply, and is configured the way operators expect."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"
DAG_FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))
HEAVY_MODULES = ("torch", "transformers", "scrapy", "summarizer", "crawlers", "storage")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dag_folder_is_not_empty():
    assert DAG_FILES, f"no DAG file in {DAGS}"


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}, dagbag.import_errors


def test_every_dag_has_tags_retries_and_owner(dagbag):
    assert dagbag.dags, "no DAG was loaded"
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        for task in dag.tasks:
            if task.task_id in ("prepare", "check_sources"):
                continue  # deliberately not retried: a retry cannot change their outcome
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_policywatch_daily_shape(dagbag):
    dag = dagbag.dags["policywatch_daily"]
    assert str(dag.timezone) in ("Asia/Shanghai", "Timezone('Asia/Shanghai')")
    assert dag.catchup is False
    assert set(dag.task_ids) == {"prepare", "crawl", "summarize", "digest", "check_sources"}
    assert dag.get_task("summarize").trigger_rule == "all_done"  # one broken source never blocks the rest
    assert dag.get_task("crawl").upstream_task_ids == {"prepare"}
    assert dag.get_task("check_sources").upstream_task_ids == {"digest"}


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_imports_no_heavy_module(dag_file):
    code = (
        "import runpy, sys, json; runpy.run_path(sys.argv[1]); "
        f"print(json.dumps(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(dag_file)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
