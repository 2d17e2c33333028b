"""policywatch_daily: crawl every enabled source, summarize what is new, write the digest.

Runs at 07:00 Asia/Shanghai; each run collects its data interval (the previous 24 hours, plus a
look-back, see ``policywatch_airflow.run_window``), so `airflow backfill create` fills
past days correctly. Params run a subset of sources or a given date, choose the summarizer
backend, and ``resummarize`` redoes the summaries of an older model or configuration.

* ``crawl`` is one task per source (named by source in the UI), each running Scrapy in a
  subprocess, at most ``policywatch_crawl`` pool slots at once, under the lock of its source and
  day (``policywatch.locking.crawl_lock``: a `policywatch run` or another DAG run crawling the
  same source and day is waited for, or refuses it, as POLICYWATCH_RUN_LOCK says; a refused crawl
  is a transient failure, retried). It emits the ``policywatch_articles`` asset with the source's
  counts.
* ``summarize`` loads the model once and summarizes in batches, in the ``policywatch_summarize``
  pool; it emits the ``policywatch_summaries`` asset (downstream DAGs are scheduled on it).
* ``digest`` writes ``var/digests/<date>.html``, ``.md``, ``.json`` (JSON Feed) and ``.atom``,
  emits ``policywatch_digest`` (its path and link, each source's new articles) and e-mails it
  through Airflow's SMTP connection when recipients are configured
  (``policywatch_airflow.digest_mail``), once per recipient and day (``resend_digest`` sends
  again); ``check_sources`` fails the run naming each broken source.
* with ``POLICYWATCH_DIGEST_APPROVAL=true``, ``digest`` only writes the digest and
  ``approve_digest`` (the standard provider's ApprovalOperator, a human-in-the-loop task in the
  UI's Required Actions) waits for someone to approve it; ``mail_digest`` e-mails it then. Reject
  skips the e-mail; no answer within ``POLICYWATCH_DIGEST_APPROVAL_TIMEOUT_S`` (default 6 h)
  fails the approval task (its failure alert says so) and nothing is sent. Off by default.

A crawl task's log starts and ends with the source's one-line report, the causes between; a source
failure that waiting will not heal (``permanent``: a broken list template, a 4xx other than
408/429, a robots.txt deny, a JavaScript challenge) ends its task without retries, a transient one
is retried with backoff (``policywatch_airflow.source_failures``).

A failed task is reported by ``FailureAlert`` (log, and e-mail when SMTP is configured); a run
still unfinished ``POLICYWATCH_DAG_DEADLINE_S`` after it was queued is reported by a Deadline
Alert. The pools must exist (``scripts/airflow-pools.sh``): the scheduler does not schedule a task
whose pool is missing.

This file only wires tasks: the work lives in policywatch.pipeline, imported inside the tasks,
so parsing this file imports no heavy module (scrapy, torch, transformers, SQLAlchemy models).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, timedelta
from typing import Any

import pendulum
from airflow.sdk import (
    AsyncCallback,
    CronTriggerTimetable,
    DeadlineAlert,
    DeadlineReference,
    Param,
    dag,
    get_current_context,
    task,
)

from policywatch_airflow import (
    ARTICLES_ASSET,
    DEFAULT_LOOKBACK_DAYS,
    DIGEST_ASSET,
    SUMMARIES_ASSET,
    SUMMARIZER_BACKENDS,
    FailureAlert,
    RunWindow,
    SourceFailure,
    SourceRetryPolicy,
    articles_event_extra,
    digest_event_extra,
    end_crawl_task,
    env_bool,
    env_date,
    env_int,
    report_late_run,
    run_window,
    say,
)

LOCAL_TZ = "Asia/Shanghai"
CRAWL_POOL = "policywatch_crawl"
SUMMARIZE_POOL = "policywatch_summarize"
# The crawler subprocess is killed a little before the task's own timeout, so the task still
# records why it failed instead of being killed blind.
CRAWL_TIMEOUT_S = env_int("POLICYWATCH_CRAWL_TIMEOUT_S", 3600)
# A run still unfinished this long after it was queued is reported (Deadline Alert, handled by
# the scheduler, its callback run by the triggerer). 0 disables it: Airflow 3.3.2's dag.test()
# (`airflow dags test`) crashes when a run with a Deadline Alert succeeds, so in-process tests
# set POLICYWATCH_DAG_DEADLINE_S=0.
DEADLINE_S = env_int("POLICYWATCH_DAG_DEADLINE_S", 3 * 3600)
# A cron expression (Asia/Shanghai), or "none" for a deployment that only runs when triggered
# (staging, the Celery integration test).
SCHEDULE = os.environ.get("POLICYWATCH_DAG_SCHEDULE", "0 7 * * *").strip()
# The last day (Asia/Shanghai) the scheduler starts a run; unset: no end. A deployment that
# replays a fixed past period (staging, the Celery integration test) keeps the daily schedule, so
# `airflow backfill create` works, without the scheduler starting today's run. Backfills, and
# runs triggered for a day up to it, are not affected.
END_DATE = env_date("POLICYWATCH_DAG_END_DATE")


# A person approves the day's digest before it is e-mailed (the ApprovalOperator is imported only then).
DIGEST_APPROVAL = env_bool("POLICYWATCH_DIGEST_APPROVAL")
DIGEST_APPROVAL_TIMEOUT_S = env_int("POLICYWATCH_DIGEST_APPROVAL_TIMEOUT_S", 6 * 3600)

# The digest as the Sources plugin serves it (policywatch_airflow/sources_page.py).
DIGEST_LINK_PREFIX = "/policywatch/digests"


def _window(context: Mapping[str, Any]) -> RunWindow:
    return run_window(
        context["params"],
        data_interval_start=context.get("data_interval_start"),
        data_interval_end=context.get("data_interval_end"),
        run_after=context["dag_run"].run_after,
    )


@dag(
    dag_id="policywatch_daily",
    description="Crawl CPPCC and S&T bureau news, summarize it, write the daily digest",
    # 07:00 Asia/Shanghai (the bureaus publish during office hours); the data interval is the
    # 24 hours before the run.
    schedule=(
        CronTriggerTimetable(SCHEDULE, timezone=LOCAL_TZ, interval=timedelta(days=1))
        if SCHEDULE.lower() != "none"
        else None
    ),
    start_date=pendulum.datetime(2024, 1, 1, tz=LOCAL_TZ),
    catchup=False,  # past days come through `airflow backfill create`, never by surprise
    end_date=(
        pendulum.datetime(END_DATE.year, END_DATE.month, END_DATE.day, tz=LOCAL_TZ).end_of("day") if END_DATE else None
    ),
    max_active_runs=env_int("POLICYWATCH_DAG_MAX_ACTIVE_RUNS", 1),
    tags=["policywatch", "crawl", "summarize"],
    default_args={
        "owner": "policywatch",
        # Gov sites fail transiently (502s, timeouts): retry with growing delays.
        "retries": env_int("POLICYWATCH_DAG_RETRIES", 2),
        "retry_delay": timedelta(seconds=env_int("POLICYWATCH_DAG_RETRY_DELAY_S", 300)),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(hours=1),
        "execution_timeout": timedelta(minutes=10),
        "on_failure_callback": FailureAlert(),
    },
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(seconds=DEADLINE_S),
        callback=AsyncCallback(report_late_run),
        name="policywatch_daily_late",
    )
    if DEADLINE_S > 0
    else None,
    params={
        "sources": Param([], type="array", description="Source ids to crawl; empty means every enabled source."),
        "date": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Collect this day (YYYY-MM-DD) instead of the run's data interval.",
        ),
        "since": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Keep articles published from this day on (default: the window's first day minus lookback_days).",
        ),
        "lookback_days": Param(
            env_int("POLICYWATCH_DAG_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS),
            type="integer",
            minimum=0,
            description="Days before the data interval whose articles are still collected.",
        ),
        "resummarize": Param(
            False,
            type="boolean",
            description="Also redo summaries made by an older model or configuration (no re-crawl).",
        ),
        "resend_digest": Param(
            False,
            type="boolean",
            description="E-mail the digest again to recipients who already got this day's.",
        ),
        "summarizer": Param(
            None,
            type=["null", "string"],
            enum=[None, *SUMMARIZER_BACKENDS],
            description="Summarizer backend for this run (default: POLICYWATCH_SUMMARIZER).",
        ),
    },
    doc_md=__doc__,
)
def policywatch_daily() -> None:
    @task
    def prepare() -> list[dict]:
        """Migrate the database and choose the sources of this run: their registry entries, read
        once here and handed to the crawl tasks."""
        from policywatch.pipeline import prepare_database, registry, selected_sources

        context = get_current_context()
        print(f"window {_window(context).describe()}")
        reg = registry()
        prepare_database(reg=reg)
        chosen = selected_sources(context["params"]["sources"] or None, reg=reg)
        return [{"source_id": s.id, "source": s.model_dump(mode="json")} for s in chosen]

    @task(
        # The label of each mapped task: its source id, from the task's own arguments (rendered
        # before the task runs, so a failed task keeps it too).
        map_index_template="{{ task.op_kwargs['source_id'] }}",
        # a permanent source failure (broken template, 4xx, robots.txt, a challenge) is not retried
        retry_policy=SourceRetryPolicy(),
        pool=CRAWL_POOL,
        outlets=[ARTICLES_ASSET],
        execution_timeout=timedelta(seconds=CRAWL_TIMEOUT_S + 300),
    )
    def crawl(source_id: str, source: dict) -> dict:
        """Crawl one source in a Scrapy subprocess; fails with the source's error when it breaks."""
        from config import SourceConfig
        from policywatch.pipeline import crawl_source

        context = get_current_context()
        window = _window(context)
        report = crawl_source(
            SourceConfig.model_validate(source),
            window.logical_date,
            context["run_id"],
            since=window.since,
            until=window.until,
            timeout_s=CRAWL_TIMEOUT_S,
            raise_on_failure=False,
        )
        # a failed or broken source ends here: retried only if waiting can heal it
        end_crawl_task(report, try_number=context["ti"].try_number, max_tries=context["task"].retries)
        context["outlet_events"][ARTICLES_ASSET].extra = articles_event_extra(report, window.logical_date)
        return report.to_dict()

    @task(trigger_rule="all_done", pool=SUMMARIZE_POOL, outlets=[SUMMARIES_ASSET], execution_timeout=timedelta(hours=2))
    def summarize() -> int:
        """Summarize every new or changed article, whatever happened to the other sources."""
        from datetime import datetime

        from policywatch.pipeline import summarize_pending

        context = get_current_context()
        params = context["params"]
        started = datetime.now(UTC)
        report = summarize_pending(
            resummarize=bool(params.get("resummarize")), backend=params.get("summarizer") or None
        )
        print(
            f"summarize: {report.summarized} summaries by {report.backend} {report.model_id} "
            f"in {report.seconds:.1f} s" + (" (resummarize)" if params.get("resummarize") else "")
        )
        context["outlet_events"][SUMMARIES_ASSET].extra = {
            "date": _window(context).logical_date.isoformat(),
            "summarized": report.summarized,
            "backend": report.backend,
            "model_id": report.model_id,
            # downstream readers ask storage.summary_feed_since(updated_since): the contract (docs/summary_feed.md)
            "updated_since": started.isoformat(),
        }
        return report.summarized

    @task(trigger_rule="all_done", outlets=[DIGEST_ASSET])
    def digest() -> str:
        """Write every format of the day's digest, e-mail it when that is configured; its log, its
        asset event and the run's note link to it."""
        from policywatch.pipeline import build_digest
        from policywatch_airflow.digest_mail import send_daily_digest

        context = get_current_context()
        window = _window(context)
        report = build_digest(window.logical_date, new_since=window.interval_first)
        link = f"{DIGEST_LINK_PREFIX}/{report.logical_date.isoformat()}.html"
        print(
            f"digest: {report.stories} stories ({report.new_stories} new) from {report.articles} articles "
            f"of {report.sources} sources"
        )
        print(f"  files: {', '.join(str(p) for p in report.paths)}")
        print(f"  link: {link} (under the Airflow UI's address; the Sources page links it too)")
        crawled = [r for r in context["ti"].xcom_pull(task_ids="crawl") or [] if isinstance(r, dict)]
        context["outlet_events"][DIGEST_ASSET].extra = digest_event_extra(
            report, {r["source_id"]: r["new"] for r in crawled}, link
        )
        if DIGEST_APPROVAL:
            print("  e-mail: waits for approve_digest")
        else:
            delivery = send_daily_digest(window.logical_date, force=bool(context["params"].get("resend_digest")))
            if delivery is not None:
                print(delivery.line())
        return str(report.html)

    @task
    def mail_digest() -> None:
        """E-mail the approved digest (POLICYWATCH_DIGEST_APPROVAL), once per recipient and day."""
        from policywatch_airflow.digest_mail import send_daily_digest

        context = get_current_context()
        delivery = send_daily_digest(_window(context).logical_date, force=bool(context["params"].get("resend_digest")))
        if delivery is not None:
            print(delivery.line())

    @task(trigger_rule="all_done", retries=0)
    def check_sources() -> None:
        """Fail the run, naming each broken source and why, so the run's colour tells the operator."""
        from policywatch.pipeline import failed_sources_of_run

        failed = failed_sources_of_run(get_current_context()["run_id"])
        if not failed:
            print("check_sources: every source crawled")
            return
        line = f"check_sources: {len(failed)} broken: {', '.join(source for source, _ in failed)}"
        say(line)
        for source, causes in failed:
            say(f"{source}: {causes[0] if causes else 'failed'}")
            for cause in causes[1:]:
                say(f"  {cause}")
        say(line)
        raise SourceFailure(line, permanent=True)  # the run fails; a retry would find the same

    crawled = crawl.expand_kwargs(prepare())
    summarized = summarize()
    crawled >> summarized
    written = digest()
    summarized >> written >> check_sources()
    if DIGEST_APPROVAL:
        from airflow.providers.standard.operators.hitl import ApprovalOperator

        approve = ApprovalOperator(
            task_id="approve_digest",
            subject="Send the policywatch digest of {{ ds }}?",
            body=(
                "The digest is written: {{ ti.xcom_pull(task_ids='digest') }} (also under the Sources "
                "page's digest links). **Approve** e-mails it to the recipients; **Reject** sends nothing."
            ),
            response_timeout=timedelta(seconds=DIGEST_APPROVAL_TIMEOUT_S),
            retries=0,  # a retry would only ask again after the same silence
        )
        written >> approve >> mail_digest()


policywatch_daily()
