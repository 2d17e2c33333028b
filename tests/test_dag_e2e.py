"""dags/ run for real with dag.test(), against the replay sites.

Airflow runs in a subprocess with its own AIRFLOW_HOME and SQLite metadata database, so the
test sees Airflow exactly as an operator's `airflow dags test` would. Totals are never
hard-coded (sources are added all the time): they come from the crawl tasks' own reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import ROOT, SITES

from devtools.replay import ReplayServer

pytestmark = pytest.mark.slow

DAY = date(2024, 3, 5)

RUNNER = r"""
import json, sys
import pendulum
from sqlalchemy import select
from airflow.dag_processing.dagbag import DagBag
from airflow.models import TaskInstance
from airflow.models.asset import AssetEvent, AssetModel
from airflow.models.xcom import XComModel
from airflow.utils.session import create_session

bag = DagBag(dag_folder=sys.argv[1])
conf = json.loads(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "conf" else None
run = bag.dags["policywatch_daily"].test(logical_date=pendulum.datetime(2024, 3, 5, 7, tz="Asia/Shanghai"),
                                         run_conf=conf)
result = {"run_id": run.run_id, "state": str(run.state)}
with create_session() as session:
    tis = session.scalars(select(TaskInstance).where(TaskInstance.run_id == run.run_id)).all()
    result["tasks"] = {f"{ti.task_id}[{ti.rendered_map_index or ti.map_index}]" if ti.map_index >= 0 else ti.task_id:
                       str(ti.state) for ti in tis}
    result["tries"] = {f"{ti.task_id}[{ti.rendered_map_index or ti.map_index}]": ti.try_number for ti in tis}
    result["crawl_reports"] = [x.value for x in session.scalars(
        select(XComModel).where(XComModel.run_id == run.run_id, XComModel.task_id == "crawl",
                                XComModel.key == "return_value"))]
    result["asset_events"] = [
        {"asset": name, "extra": extra, "task": task_id}
        for name, extra, task_id in session.execute(
            select(AssetModel.name, AssetEvent.extra, AssetEvent.source_task_id)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetEvent.source_run_id == run.run_id))
    ]
if len(sys.argv) > 2 and sys.argv[2] == "export":
    export = bag.dags["policywatch_summaries_export"].test()
    with create_session() as session:
        values = session.scalars(select(XComModel.value).where(
            XComModel.run_id == export.run_id, XComModel.task_id == "export_summaries",
            XComModel.key == "return_value")).all()
    result["export"] = {"state": str(export.state), "value": values[0] if values else None}
print("RESULT " + json.dumps(result, default=str))
"""


def _run_dag(tmp_path: Path, replay_url: str, *args: str, **extra_env: str) -> tuple[dict, str]:
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
        # dag.test() of Airflow 3.3.2 cannot finish a run that has a Deadline Alert
        POLICYWATCH_DAG_DEADLINE_S="0",
    )
    env.update(extra_env)
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True, text=True, timeout=600)
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(ROOT / "dags"), *args], env=env, capture_output=True, text=True, timeout=1200
    )
    output = proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"dag.test() printed no result (exit {proc.returncode}):\n{output[-6000:]}"
    return json.loads(lines[-1][len("RESULT ") :]), output


def _rows(tmp_path: Path) -> dict[str, int]:
    from storage import session_scope, table_counts

    with session_scope(f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}") as session:
        return table_counts(session)


def _published_dates(tmp_path: Path) -> list[date]:
    from sqlalchemy import select

    from storage import session_scope
    from storage.models import Article

    tz = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    with session_scope(f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}") as session:
        return [p.astimezone(tz).date() for p in session.scalars(select(Article.published_at)) if p is not None]


def test_dag_runs_end_to_end(tmp_path, replay_server):
    started = datetime.now(UTC)
    result, output = _run_dag(tmp_path, replay_server.url, "export")
    assert result["state"] == "success", output[-6000:]
    tasks = result["tasks"]
    assert tasks["crawl[kjj_cq]"] == "success" and tasks["crawl[ichongqing]"] == "success"
    assert all(state == "success" for state in tasks.values()), result

    # One crawl report per source, each in its task log as one line; rows match the reports.
    reports = result["crawl_reports"]
    assert {r["source_id"] for r in reports} == {k[len("crawl[") : -1] for k in tasks if k.startswith("crawl[")}
    for r in reports:
        line = (
            f"{r['source_id']}: {r['status']}, pages={r['pages']} found={r['found']} new={r['new']} "
            f"updated={r['updated']} unchanged={r['unchanged']} errors={len(r['errors'])}"
        )
        assert line in output
    new_total = sum(r["new"] for r in reports)
    rows = _rows(tmp_path)
    assert new_total > 0 and rows["articles"] == new_total and rows["summaries"] == new_total
    assert (tmp_path / "var" / "digests" / "2024-03-05.html").is_file()

    # The data interval (2024-03-04 07:00 .. 03-05 07:00 Shanghai) minus the 30-day look-back
    # bounds what was kept: nothing published after the run's day, nothing before 2024-02-03.
    assert "window 2024-03-05 (published 2024-02-03 .. 2024-03-05)" in output
    published = _published_dates(tmp_path)
    assert published and max(published) <= DAY and min(published) >= date(2024, 2, 3)

    # Assets: one articles event per source with its counts, one summaries event.
    events = result["asset_events"]
    articles = [e for e in events if e["asset"] == "policywatch_articles"]
    assert sorted(e["extra"]["source"] for e in articles) == sorted(r["source_id"] for r in reports)
    assert all(e["extra"]["date"] == "2024-03-05" for e in articles)
    assert sum(e["extra"]["new"] for e in articles) == new_total
    (summaries,) = [e for e in events if e["asset"] == "policywatch_summaries"]
    assert summaries["extra"]["summarized"] == new_total and summaries["extra"]["date"] == "2024-03-05"
    assert datetime.fromisoformat(summaries["extra"]["updated_since"]) >= started

    # The downstream DAG reads every summary of the day through the summary_feed view and exports it.
    export = result["export"]
    assert export["state"] == "success", output[-4000:]
    lines = Path(export["value"]["path"]).read_text(encoding="utf-8").splitlines()
    assert len(lines) == export["value"]["summaries"] == new_total
    assert all(json.loads(line)["summary"] for line in lines)
    # the notices' key facts, computed with their summaries, go with them
    facts = [json.loads(line)["key_facts"] for line in lines if json.loads(line)["key_facts"]]
    assert facts and all(f["line"] for f in facts if f["deadline"] or f["funding"] or f["document_number"])


def test_dag_with_a_broken_source(tmp_path, smtp_sink):
    # both sections of kjj_cq broken, so the source stores nothing
    with ReplayServer(
        SITES,
        faults={
            "kjj.cq.gov.cn/zwxx_176/tzgg/index.html": 500,
            "kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl/index.html": 500,
        },
    ) as server:
        # No retries: a retry cannot mend an injected fault, and dag.test() would wait for it.
        # Two sources (params): the broken one and a healthy one are the whole point here.
        result, output = _run_dag(
            tmp_path,
            server.url,
            "conf",
            json.dumps({"sources": ["kjj_cq", "ichongqing"]}),
            POLICYWATCH_DAG_RETRIES="0",
            AIRFLOW_CONN_POLICYWATCH_SMTP=smtp_sink.connection_uri,
            POLICYWATCH_ALERT_SMTP_CONN_ID="policywatch_smtp",
            POLICYWATCH_ALERT_EMAIL="ops@policywatch.test",
        )
    tasks = result["tasks"]
    assert tasks["crawl[kjj_cq]"] == "failed"
    assert all(
        state == "success" for name, state in tasks.items() if name.startswith("crawl[") and name != "crawl[kjj_cq]"
    ), tasks
    assert tasks["summarize"] == "success" and tasks["digest"] == "success"
    assert tasks["check_sources"] == "failed" and result["state"] == "failed"
    reason = "kjj_cq: list page https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html answered HTTP 500"
    assert reason in output
    # The failure callback reports the task and the reason: in the log, and by e-mail.
    alerts = [
        line
        for line in output.splitlines()
        if "policywatch alert:" in line and "task crawl[kjj_cq] failed on try 1: SourceCrawlError:" in line
    ]
    assert any(reason in line for line in alerts), alerts or output[-4000:]
    mails = [m for m in smtp_sink.messages if "crawl[kjj_cq]" in m["subject"]]
    assert mails and mails[0]["to"] == ["ops@policywatch.test"], smtp_sink.messages
    assert reason in mails[0]["text"]
    assert any("task check_sources failed" in m["subject"] for m in smtp_sink.messages)

    reports = result["crawl_reports"]
    rows = _rows(tmp_path)
    assert rows["articles"] == sum(r["new"] for r in reports) > 0
    assert rows["summaries"] == rows["articles"]


def _logged(output: str, start: str) -> list[str]:
    """The messages of the task log lines (policywatch.task) that start with ``start``."""
    import re

    messages = (m.group(1).rstrip() for m in re.finditer(r"\[info\s*\] (.*?)\s*\[policywatch\.task\]", output))
    return [m for m in messages if m.startswith(start)]


def test_dag_fails_a_permanently_broken_source_at_once_and_retries_a_transient_one(tmp_path):
    """kjj_cq's lists answer 404 (gone: waiting will not heal it), ichongqing's feed 500 (may heal):
    with two retries configured, kjj_cq's task fails on its first try, labelled with its source,
    its log naming the cause without a traceback; ichongqing's is retried."""
    with ReplayServer(
        SITES,
        faults={
            "kjj.cq.gov.cn/zwxx_176/tzgg/index.html": 404,
            "kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl/index.html": 404,
            "www.ichongqing.info/feed/": 500,
        },
    ) as server:
        result, output = _run_dag(
            tmp_path,
            server.url,
            "conf",
            json.dumps({"sources": ["kjj_cq", "ichongqing"]}),
            POLICYWATCH_DAG_RETRIES="1",
            POLICYWATCH_DAG_RETRY_DELAY_S="1",
        )
    tasks, tries = result["tasks"], result["tries"]
    assert tasks["crawl[kjj_cq]"] == "failed" and tries["crawl[kjj_cq]"] == 1, (tasks, tries)
    assert tasks["crawl[ichongqing]"] == "failed" and tries["crawl[ichongqing]"] == 2, (tasks, tries)
    assert tasks["check_sources"] == "failed" and result["state"] == "failed"

    # kjj_cq's log: the short report line first and last, the causes and the decision between
    reports = _logged(output, "kjj_cq: failed, pages=")
    assert len(reports) == 2 and reports[0] == reports[1] and reports[0].endswith("health=broken (permanent)"), reports
    assert len(reports[0]) < 120
    assert _logged(output, "  permanent failure: not retried") == [
        "  permanent failure: not retried (fix the source or its registry entry, then clear this task)"
    ]
    for path in ("zwxx_176/tzgg/index.html", "zwgk_176/zwxxgkml/zxtabl/index.html"):  # one line each
        assert _logged(output, f"  list page https://kjj.cq.gov.cn/{path} answered HTTP 404")
    assert "Retry policy decision" in output and "action=fail" in output
    assert "ichongqing: failed" in output and "transient failure: try 1 of 2, Airflow retries it with backoff" in output
    assert "Traceback" not in output, output[output.find("Traceback") - 2000 :][:4000]
    assert "kjj_cq: kjj_cq:" not in output
    assert "check_sources: 2 broken: kjj_cq, ichongqing" in output
    assert "Dumping Scrapy stats" not in output  # the crawler's stats are at debug level


def _summaries(tmp_path: Path) -> list[tuple[str, int, int]]:
    from sqlalchemy import select

    from storage import session_scope
    from storage.models import Summary

    with session_scope(f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}") as session:
        return [
            (s.backend, s.parameters["max_sentences"], s.article_id)
            for s in session.scalars(select(Summary).order_by(Summary.article_id))
        ]


def test_dag_params_choose_the_summarizer_and_resummarize(tmp_path, replay_server):
    """An operator changes the summary configuration and re-runs a day with `resummarize`: the
    summaries are redone in place, nothing is crawled again, nothing is duplicated."""
    conf = {"sources": ["ichongqing"], "summarizer": "lead"}  # lead: no model to load
    first, output = _run_dag(tmp_path, replay_server.url, "conf", json.dumps(conf))
    assert first["state"] == "success", output[-6000:]
    (report,) = first["crawl_reports"]
    before = _summaries(tmp_path)
    assert report["new"] > 0 and len(before) == report["new"]
    assert {(backend, sentences) for backend, sentences, _ in before} == {("lead", 3)}

    # A second Airflow home (a second deployment's metadata), the same summary database.
    database = dict(
        POLICYWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}",
        POLICYWATCH_VAR_DIR=str(tmp_path / "var"),
    )
    again, output = _run_dag(
        tmp_path / "again",
        replay_server.url,
        "conf",
        json.dumps({**conf, "resummarize": True}),
        POLICYWATCH_SUMMARY_SENTENCES="1",
        **database,
    )
    assert again["state"] == "success", output[-6000:]
    (report,) = again["crawl_reports"]
    assert (report["new"], report["updated"]) == (0, 0)
    (summaries,) = [e for e in again["asset_events"] if e["asset"] == "policywatch_summaries"]
    assert summaries["extra"]["summarized"] == len(before) and summaries["extra"]["backend"] == "lead"
    assert "(resummarize)" in output
    after = _summaries(tmp_path)
    assert [a for _, _, a in after] == [a for _, _, a in before]  # redone in place, not added
    assert {(backend, sentences) for backend, sentences, _ in after} == {("lead", 1)}
