"""The daily pipeline's stages, shared by the CLI, the Airflow DAG and the tests.

Stages: prepare the database, crawl each source (one process per source, so one source's
crash, hang or memory leak never touches the others; a daily run forks them from a fork server
that imported Scrapy once and runs several at once, policywatch/crawl_launch.py), summarize what
is new or changed (the model loaded once, and not at all when nothing is), and write the digest (policywatch/digests.py). Heavy modules (scrapy, torch, transformers) are only
imported inside the stage that needs them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from typing import Any

from config import Registry, Settings, SourceConfig, get_settings, load_registry, redact
from policywatch.crawl_launch import CrawlLauncher, ForkedCrawls, crawl_in_parallel, run_crawl_subprocess
from policywatch.digests import build_digest
from policywatch.locking import RunLocked, StageLock, crawl_lock, run_lock
from policywatch.reports import (
    CrawlReport,
    DailyReport,
    SourceCrawlError,
    SummarizeReport,
    without_source_prefix,
)
from policywatch.status import source_statuses
from policywatch.summarize_stage import load_configured_summarizer, summarize_pending

__all__ = [  # the digest stage, the reports and the sources' status live beside; callers import them from here too
    "CrawlReport",
    "DailyReport",
    "RunLocked",
    "build_digest",
    "SourceCrawlError",
    "SummarizeReport",
    "source_statuses",
    "load_configured_summarizer",
    "summarize_pending",
]

log = logging.getLogger(__name__)

# A crawl that runs longer than this is killed and reported; a day's list pages and new
# articles take seconds to minutes at one request per second.
DEFAULT_CRAWL_TIMEOUT_S = 3600


def registry(settings: Settings | None = None) -> Registry:
    settings = settings or get_settings()
    return load_registry(settings.sources_file)


def selected_sources(
    source_ids: list[str] | None = None, settings: Settings | None = None, *, reg: Registry | None = None
) -> list[SourceConfig]:
    """The enabled sources, or the named ones (named disabled sources are refused with the reason)."""
    reg = reg or registry(settings)
    if not source_ids:
        return reg.enabled()
    chosen = []
    for source_id in source_ids:
        source = reg.get(source_id)
        if not source.enabled:
            raise ValueError(f"{source_id}: source is disabled ({source.disabled_reason})")
        chosen.append(source)
    return chosen


CLI_RUN_PREFIX = "cli__"  # not Airflow's manual__ / scheduled__: the day's lock covers only these


def default_run_id(logical_date: date) -> str:
    """A new id for every CLI run, also of the same day: each run keeps its own crawl_runs rows
    and counts (a shared id made overlapping runs reset and overwrite each other's rows). A
    retried Airflow task reuses its DAG run's id, and so its rows."""
    import uuid
    from datetime import UTC, datetime

    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}_{uuid.uuid4().hex[:6]}"
    return f"{CLI_RUN_PREFIX}{logical_date.isoformat()}__{stamp}"


def close_interrupted_crawls(logical_date: date, settings: Settings) -> int:
    """Mark failed the CLI crawl runs of ``logical_date`` still ``running``: called under the
    day's lock, which every CLI run and crawl of that day holds, so their process is gone
    (killed or crashed). Returns how many."""
    from storage import fail_interrupted_crawl_runs, retrying, session_scope

    def close() -> int:
        with session_scope(settings.database_url) as session:
            return fail_interrupted_crawl_runs(session, logical_date, run_id_prefix=CLI_RUN_PREFIX)

    closed = retrying(close, what=f"closing the interrupted crawls of {logical_date}")
    if closed:
        log.warning("%s: %d crawl run(s) left running by an interrupted run marked failed", logical_date, closed)
    return closed


def prepare_database(settings: Settings | None = None, *, reg: Registry | None = None) -> None:
    """Migrate the database to the newest schema and record the registry's sources."""
    from storage import record_source, session_scope, upgrade_database

    settings = settings or get_settings()
    upgrade_database(settings.database_url)
    with session_scope(settings.database_url) as session:
        for source in (reg or registry(settings)).sources:
            record_source(session, source)


def _read_crawl_run(settings: Settings, source: SourceConfig, run_id: str) -> CrawlReport | None:
    from storage import crawl_run_view, retrying, session_scope

    def read() -> Any:
        with session_scope(settings.database_url) as session:
            return crawl_run_view(session, source.id, run_id)

    row = retrying(read, what=f"{source.id}: reading its crawl run")
    if row is None:
        return None
    return CrawlReport(
        source_id=source.id,
        source_name=source.name,
        status=row.status,
        pages=row.pages_fetched or 0,
        found=row.items_found or 0,
        new=row.items_new or 0,
        updated=row.items_updated or 0,
        unchanged=row.items_unchanged or 0,
        errors=list(row.error_messages or []),
        health=row.health,
        health_reasons=list(row.health_reasons or []),
    )


def crawl_source(
    source: SourceConfig | str,
    logical_date: date,
    run_id: str | None = None,
    *,
    since: date | None = None,
    until: date | None = None,
    settings: Settings | None = None,
    timeout_s: float = DEFAULT_CRAWL_TIMEOUT_S,
    raise_on_failure: bool = True,
    launch: CrawlLauncher = run_crawl_subprocess,
    wait: bool | None = None,
) -> CrawlReport:
    """Crawl one source in a Scrapy process of its own and return what its crawl_runs row says.

    ``source`` is the resolved registry entry (handed to the crawl process as JSON, so the registry
    is read once per run), or a source id, looked up in the registry. ``launch`` starts the
    process (policywatch/crawl_launch.py): a fresh interpreter by default, or one forked from
    a fork server that imported Scrapy once (:class:`ForkedCrawls`, what a daily run uses).

    The crawl holds the lock of its source and day (policywatch/locking.py, ``wait`` None: as
    POLICYWATCH_RUN_LOCK says); a crawl refused, or still waiting at the timeout, is a failed
    report naming the holder. ``timeout_s`` bounds the whole call, the wait for the lock included
    (the Airflow task's own timeout is a little longer)."""
    settings = settings or get_settings()
    if isinstance(source, str):
        source = registry(settings).get(source)
    run_id = run_id or default_run_id(logical_date)
    started = time.monotonic()
    with ExitStack() as stack:
        try:
            stack.enter_context(
                crawl_lock(
                    settings,
                    logical_date,
                    source.id,
                    run_id,
                    wait=wait,
                    timeout_s=min(timeout_s, settings.run_lock_timeout_s),
                )
            )
        except RunLocked as exc:
            report = CrawlReport(source.id, source.name, "failed", errors=[str(exc)])
        else:
            waited = time.monotonic() - started
            report = _crawl_locked(
                source, logical_date, run_id, since, until, settings, max(timeout_s - waited, 0.0), waited, launch
            )
    log.debug("%s", report.line())
    if raise_on_failure and not report.ok:
        raise SourceCrawlError(report)
    return report


def _crawl_locked(
    source: SourceConfig,
    logical_date: date,
    run_id: str,
    since: date | None,
    until: date | None,
    settings: Settings,
    timeout_s: float,
    waited_s: float,
    launch: CrawlLauncher,
) -> CrawlReport:
    command = [
        "--source-config",
        source.model_dump_json(),
        "--run-id",
        run_id,
        "--logical-date",
        logical_date.isoformat(),
    ]
    if since:
        command += ["--since", since.isoformat()]
    if until:
        command += ["--until", until.isoformat()]
    env = dict(os.environ)
    env.update(
        POLICYWATCH_DATABASE_URL=settings.database_url,
        POLICYWATCH_SOURCES_FILE=str(settings.sources_file),
        POLICYWATCH_VAR_DIR=str(settings.var_dir),
        POLICYWATCH_HOME=str(settings.home),
    )
    if settings.replay_url:
        env["POLICYWATCH_REPLAY_URL"] = settings.replay_url
    log.debug("crawling %s (run %s, logical date %s)", source.id, run_id, logical_date)
    proc = launch(command, env, timeout_s)
    if proc.timed_out:
        after_wait = (
            f" (after waiting {waited_s:.0f} s for another crawl of this source and day)" if waited_s >= 1 else ""
        )
        return CrawlReport(
            source.id,
            source.name,
            "failed",
            errors=[f"{source.id}: crawl timed out after {timeout_s:.0f} s{after_wait}"],
        )
    # Scrapy's log (its stats dump included) is for whoever debugs the crawler; the report
    # below names the cause for the operator.
    stderr = redact(proc.stderr or "", settings.database_url)  # no password in a message or log line
    log.debug("crawler log of %s (exit %s):\n%s", source.id, proc.returncode, stderr[-8000:])
    report = _read_crawl_run(settings, source, run_id)
    if report is None or (proc.returncode != 0 and report.ok):
        # The crawler died before it could record the run: keep the end of its log.
        tail = " | ".join(stderr.strip().splitlines()[-5:])
        report = CrawlReport(
            source.id,
            source.name,
            "failed",
            errors=[f"{source.id}: crawler exited with code {proc.returncode}: {tail}"],
        )
    return report


def table_counts(settings: Settings | None = None) -> dict[str, int]:
    from storage import retrying, session_scope
    from storage import table_counts as count_tables

    settings = settings or get_settings()

    def count() -> dict[str, int]:
        with session_scope(settings.database_url) as session:
            return count_tables(session)

    return retrying(count, what="counting rows")


def failed_sources_of_run(run_id: str, settings: Settings | None = None) -> list[tuple[str, list[str]]]:
    """(source id, causes) for every source whose crawl in this run failed or was found broken, in
    the registry's order (the crawls of a run start in any order): the reasons of its broken verdict
    (they quote the fatal errors), else its errors; each cause without the source's name."""
    from storage import failed_crawl_runs, retrying, session_scope

    settings = settings or get_settings()

    def read() -> list[Any]:
        with session_scope(settings.database_url) as session:
            return failed_crawl_runs(session, run_id)

    rows = retrying(read, what=f"reading the failed crawls of run {run_id}")
    order = {source.id: i for i, source in enumerate(registry(settings).sources)}
    rows = sorted(rows, key=lambda row: (order.get(row.source_id, len(order)), row.source_id))
    # the crawlers name the source in each message: the caller names it once
    return [
        (
            row.source_id,
            [
                without_source_prefix(row.source_id, m)
                for m in (row.health_reasons if row.health == "broken" and row.health_reasons else row.error_messages)
                or ()
            ],
        )
        for row in rows
    ]


def crawl_day(
    sources: list[SourceConfig],
    logical_date: date,
    run_id: str,
    *,
    since: date | None,
    until: date | None,
    settings: Settings,
    wait: bool | None = None,
    on_report: Callable[[CrawlReport], None] | None = None,
    launch: ForkedCrawls | None = None,
) -> list[CrawlReport]:
    """The crawl stage of a day (``policywatch run`` and ``policywatch crawl``): the day's crawls
    a killed run left ``running`` closed first, then every source crawled in a process of its own
    forked from one fork server (Scrapy imported once), ``settings.crawl_parallel`` at once but one
    per host, each under its source's lock (``wait`` as :func:`crawl_source`). A failure is its
    source's report, never the others' concern; ``on_report`` gets each as its crawl ends (from
    the crawl's thread); the reports in the order of ``sources``. ``launch``: the fork server a
    caller started earlier, so that it imports while the caller prepares the database. The caller
    holds the day's run lock."""
    close_interrupted_crawls(logical_date, settings)
    launch = launch or ForkedCrawls()

    def crawl(source: SourceConfig) -> CrawlReport:
        report = crawl_source(
            source,
            logical_date,
            run_id,
            since=since,
            until=until,
            settings=settings,
            raise_on_failure=False,
            launch=launch,
            wait=wait,
        )
        if on_report is not None:
            on_report(report)
        return report

    return crawl_in_parallel(sources, crawl, settings.crawl_parallel)


def run_daily(
    logical_date: date,
    *,
    run_id: str | None = None,
    source_ids: list[str] | None = None,
    since: date | None = None,
    settings: Settings | None = None,
    wait: bool | None = None,
) -> DailyReport:
    """The whole day: every source crawled (a failure is reported, never stops the others;
    ``settings.crawl_parallel`` sources at once, one per host), then summaries, then the digest;
    under the day's run lock (policywatch/locking.py: ``wait`` or ``refuse`` as
    POLICYWATCH_RUN_LOCK says; :class:`RunLocked` when refused, or when the lock was lost to
    another run between stages) and each crawl under its source's lock (waited for alike)."""
    settings = settings or get_settings()
    run_id = run_id or default_run_id(logical_date)
    with run_lock(settings, logical_date, run_id, wait=wait) as lock:
        return _run_daily_locked(logical_date, run_id, source_ids, since, settings, lock, wait)


def _run_daily_locked(
    logical_date: date,
    run_id: str,
    source_ids: list[str] | None,
    since: date | None,
    settings: Settings,
    lock: StageLock,
    wait: bool | None,
) -> DailyReport:
    launch = ForkedCrawls()  # its server imports Scrapy (~1 s) while this process prepares the database
    reg = registry(settings)  # read once: each crawl subprocess gets its source's entry
    prepare_database(settings, reg=reg)
    crawls = crawl_day(
        selected_sources(source_ids, reg=reg),
        logical_date,
        run_id,
        since=since,
        until=logical_date,
        settings=settings,
        wait=wait,
        launch=launch,
    )
    from storage import retrying

    lock.ensure("summarizing")
    summaries = summarize_pending(settings, reg=reg)
    lock.ensure("writing the digest")
    # the digest only reads (and writes files): after a lost connection it is simply built again
    digest_report = retrying(lambda: build_digest(logical_date, settings), what=f"the digest of {logical_date}")
    return DailyReport(logical_date, run_id, crawls, summaries, digest_report, table_counts(settings))
