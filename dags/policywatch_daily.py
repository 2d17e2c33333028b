"""policywatch_daily: crawl every enabled source, summarize what is new, write the digest.

This file only wires tasks. The work lives in policywatch.pipeline, imported inside the tasks so
that parsing this file imports no heavy module (scrapy, torch, transformers, SQLAlchemy models).
Configuration comes from POLICYWATCH_* environment variables (see policywatch/config.py).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

LOCAL_TZ = pendulum.timezone("Asia/Shanghai")


def _logical_date(context) -> "pendulum.Date":
    # A manual run may name its date in the params; otherwise the run's logical date,
    # in Asia/Shanghai, is the day being collected.
    if context["params"].get("date"):
        return pendulum.parse(context["params"]["date"]).date()
    stamp = context.get("logical_date") or context["dag_run"].run_after
    return stamp.in_timezone(LOCAL_TZ).date()


@dag(
    dag_id="policywatch_daily",
    description="Crawl CPPCC and S&T bureau news, summarize it, write the daily digest",
    schedule="0 7 * * *",  # 07:00 Asia/Shanghai: the bureaus publish during office hours
    start_date=pendulum.datetime(2024, 1, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    tags=["policywatch", "crawl", "summarize"],
    default_args={
        "owner": "policywatch",
        # Gov sites fail transiently (502s, timeouts): retry with growing delays.
        "retries": int(os.environ.get("POLICYWATCH_DAG_RETRIES", "2")),
        "retry_delay": timedelta(seconds=int(os.environ.get("POLICYWATCH_DAG_RETRY_DELAY_S", "300"))),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(hours=1),
    },
    params={
        "sources": Param([], type="array", description="Source ids to crawl; empty means every enabled source."),
        "date": Param(None, type=["null", "string"], format="date", description="Logical date to collect (YYYY-MM-DD)."),
    },
    doc_md=__doc__,
)
def policywatch_daily():
    @task(retries=0)
    def prepare() -> list[str]:
        """Migrate the database and choose the sources of this run."""
        from policywatch.pipeline import prepare_database, selected_sources

        prepare_database()
        return [s.id for s in selected_sources(get_current_context()["params"]["sources"] or None)]

    @task(map_index_template="{{ task.op_kwargs['source_id'] }}")
    def crawl(source_id: str) -> dict:
        """Crawl one source in a Scrapy subprocess; fails with the source's error when it breaks."""
        from policywatch.pipeline import crawl_source

        context = get_current_context()
        day = _logical_date(context)
        report = crawl_source(source_id, day, context["run_id"], until=day)
        print(report.line())
        return report.to_dict()

    @task(trigger_rule="all_done")
    def summarize() -> int:
        """Summarize every new or changed article, whatever happened to the other sources."""
        from policywatch.pipeline import summarize_pending

        report = summarize_pending()
        print(f"{report.summarized} summaries by {report.backend} {report.model_id} in {report.seconds:.1f} s")
        return report.summarized

    @task(trigger_rule="all_done")
    def digest() -> str:
        from policywatch.pipeline import build_digest

        report = build_digest(_logical_date(get_current_context()))
        print(f"digest of {report.articles} articles from {report.sources} sources at {report.html}")
        return str(report.html)

    @task(trigger_rule="all_done", retries=0)
    def check_sources() -> None:
        """Fail the run, naming each broken source and why, so the run's colour tells the operator."""
        from policywatch.pipeline import failed_sources_of_run

        failed = failed_sources_of_run(get_current_context()["run_id"])
        if failed:
            raise RuntimeError(
                "broken sources: " + "; ".join(f"{source}: {' | '.join(errors)}" for source, errors in failed)
            )

    crawled = crawl.expand(source_id=prepare())
    summarized = summarize()
    crawled >> summarized
    summarized >> digest() >> check_sources()


policywatch_daily()
