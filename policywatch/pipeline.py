"""The daily pipeline's stages, shared by the CLI, the Airflow DAG and the tests.

Stages: prepare the database, crawl each source (one subprocess per source, so one source's
crash, hang or memory leak never touches the others), summarize what is new or changed (the
model loaded once), and write the digest. Heavy modules (scrapy, torch, transformers) are only
imported inside the stage that needs them.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import Registry, Settings, SourceConfig, get_settings, load_registry, redact

if TYPE_CHECKING:
    from summarizer import Summarizer

log = logging.getLogger(__name__)

# A crawl that runs longer than this is killed and reported; a day's list pages and new
# articles take seconds to minutes at one request per second.
DEFAULT_CRAWL_TIMEOUT_S = 3600
SUMMARY_BATCH_SIZE = 16


class SourceCrawlError(RuntimeError):
    """A source's crawl failed, or its health check found it broken; the message names the
    source and the cause."""

    def __init__(self, report: CrawlReport) -> None:
        self.report = report
        super().__init__("; ".join(report.problems) or f"{report.source_id}: crawl failed")


@dataclass
class CrawlReport:
    source_id: str
    source_name: str
    status: str
    pages: int = 0
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    # the health check of the crawl (crawlers/health.py): ok | degraded | broken, and why
    health: str | None = None
    health_reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("success", "partial") and self.health != "broken"

    @property
    def problems(self) -> list[str]:
        """What an operator reads: the reasons of a ``broken`` verdict (they quote the fatal
        errors, with what the last good run found), else the errors."""
        if self.health == "broken" and self.health_reasons:
            return [f"{self.source_id}: broken: {reason}" for reason in self.health_reasons]
        return list(self.errors)

    def line(self) -> str:
        text = (
            f"{self.source_id}: {self.status}, pages={self.pages} found={self.found} new={self.new} "
            f"updated={self.updated} unchanged={self.unchanged} errors={len(self.errors)}"
        )
        if self.health:
            text += f" health={self.health}"
        if not self.ok and self.problems:
            text += f" ({self.problems[0]})"
        return text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SummarizeReport:
    summarized: int
    backend: str
    model_id: str
    model_version: str
    seconds: float


@dataclass
class DigestReport:
    logical_date: date
    html: Path
    markdown: Path
    articles: int
    sources: int


@dataclass
class DailyReport:
    logical_date: date
    run_id: str
    crawls: list[CrawlReport]
    summaries: SummarizeReport
    digest: DigestReport
    counts: dict[str, int]

    @property
    def failed_sources(self) -> list[CrawlReport]:
        return [c for c in self.crawls if not c.ok]


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


def default_run_id(logical_date: date) -> str:
    # Deterministic, so re-running a day reuses its crawl_runs rows instead of adding new ones.
    return f"manual__{logical_date.isoformat()}"


def prepare_database(settings: Settings | None = None, *, reg: Registry | None = None) -> None:
    """Migrate the database to the newest schema and record the registry's sources."""
    from storage import session_scope, upgrade_database, upsert_source

    settings = settings or get_settings()
    upgrade_database(settings.database_url)
    with session_scope(settings.database_url) as session:
        for source in (reg or registry(settings)).sources:
            upsert_source(
                session,
                id=source.id,
                name=source.name,
                host=source.host,
                language=source.language,
                family=source.family,
                enabled=source.enabled,
            )


def _read_crawl_run(settings: Settings, source: SourceConfig, run_id: str) -> CrawlReport | None:
    from storage import crawl_run_view, session_scope

    with session_scope(settings.database_url) as session:
        row = crawl_run_view(session, source.id, run_id)
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
) -> CrawlReport:
    """Crawl one source in a Scrapy subprocess and return what its crawl_runs row says.

    ``source`` is the resolved registry entry (handed to the subprocess as JSON, so the registry
    is read once per run), or a source id, looked up in the registry."""
    settings = settings or get_settings()
    if isinstance(source, str):
        source = registry(settings).get(source)
    run_id = run_id or default_run_id(logical_date)
    command = [
        sys.executable,
        "-m",
        "crawlers.run",
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
    log.info("crawling %s (run %s, logical date %s)", source.id, run_id, logical_date)
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        report = CrawlReport(
            source.id, source.name, "failed", errors=[f"{source.id}: crawl timed out after {timeout_s:.0f} s"]
        )
    else:
        report = _read_crawl_run(settings, source, run_id)
        stderr = redact(proc.stderr or "", settings.database_url)  # no password in a message or log line
        if report is None or (proc.returncode != 0 and report.ok):
            # The crawler died before it could record the run: keep the end of its log.
            tail = " | ".join(stderr.strip().splitlines()[-5:])
            report = CrawlReport(
                source.id,
                source.name,
                "failed",
                errors=[f"{source.id}: crawler exited with code {proc.returncode}: {tail}"],
            )
        if proc.returncode != 0:
            log.warning("crawler output for %s:\n%s", source.id, stderr[-4000:])
    log.info("%s", report.line())
    if raise_on_failure and not report.ok:
        raise SourceCrawlError(report)
    return report


def load_configured_summarizer(
    settings: Settings | None = None, backend: str | None = None, **overrides: Any
) -> Summarizer:
    """The configured backend (``backend`` overrides POLICYWATCH_SUMMARIZER), its model loaded
    once, with the options of POLICYWATCH_SUMMARIZER_CONFIG and then ``overrides``."""
    from summarizer import load_summarizer

    settings = settings or get_settings()
    name = backend or settings.summarizer
    options = {**settings.summarizer_options, **overrides}
    options.setdefault("max_sentences", settings.summary_sentences)
    # POLICYWATCH_SUMMARIZER_MODEL names the model of the configured backend; lead has none
    model = None if name == "lead" else options.pop("model", settings.summarizer_model)
    return load_summarizer(name, model=model, **options)


def summarize_pending(
    settings: Settings | None = None,
    *,
    source_ids: list[str] | None = None,
    limit: int | None = None,
    summarizer: Summarizer | None = None,
    resummarize: bool = False,
    backend: str | None = None,
) -> SummarizeReport:
    """Summarize new and changed articles (no summary of their current content); load the model
    once. ``resummarize`` also redoes every summary that this backend and model did not make with
    the current model version and parameters (an older model or configuration), without
    re-crawling. Every summary is stored with the faithfulness guard's decision."""
    import time

    from storage import articles_for_summary, articles_to_summarize, save_summary, session_scope
    from summarizer import Document
    from summarizer.guard import check as guard_check

    settings = settings or get_settings()
    started = time.perf_counter()
    summarizer = summarizer or load_configured_summarizer(settings, backend)
    identity = dict(
        backend=summarizer.backend,
        model_id=summarizer.model_id,
        model_version=summarizer.model_version,
        parameters=summarizer.parameters,
    )
    done = 0
    with session_scope(settings.database_url) as session:
        pending = articles_to_summarize(session, **identity, source_ids=source_ids, limit=limit, outdated=resummarize)
        article_ids = [a.id for a in pending]
    for start in range(0, len(article_ids), SUMMARY_BATCH_SIZE):
        batch_ids = article_ids[start : start + SUMMARY_BATCH_SIZE]
        with session_scope(settings.database_url) as session:
            articles = articles_for_summary(session, batch_ids)
            docs = [Document(title=a.title, body=a.body, language=a.language) for a in articles]
            for article, summary in zip(articles, summarizer.summarize_batch(docs), strict=True):
                if not summary.text:
                    continue
                guard = summary.guard or guard_check(summary.text, f"{article.title}\n{article.body}").to_dict()
                save_summary(session, article, text=summary.text, language=summary.language, guard=guard, **identity)
                done += 1
    return SummarizeReport(
        summarized=done,
        backend=summarizer.backend,
        model_id=summarizer.model_id,
        model_version=summarizer.model_version,
        seconds=time.perf_counter() - started,
    )


def build_digest(logical_date: date, settings: Settings | None = None) -> DigestReport:
    from digest import write_digest
    from digest.render import sections_from_entries
    from storage import digest_entries, session_scope

    settings = settings or get_settings()
    with session_scope(settings.database_url) as session:
        sections = sections_from_entries(digest_entries(session, logical_date), settings.timezone)
        files = write_digest(
            settings.digest_dir, logical_date, sections, datetime.now(UTC).astimezone(settings.timezone)
        )
    return DigestReport(logical_date, files.html, files.markdown, files.articles, files.sources)


def table_counts(settings: Settings | None = None) -> dict[str, int]:
    from storage import session_scope
    from storage import table_counts as count_tables

    settings = settings or get_settings()
    with session_scope(settings.database_url) as session:
        return count_tables(session)


def source_statuses(settings: Settings | None = None) -> list[dict]:
    """Per registry source: enabled (or the reason it is not) and its newest crawl run with the
    health verdict, counts and date window (``last_run`` None when never crawled). For
    ``sources status``."""
    from storage import latest_crawl_runs, session_scope, upgrade_database

    settings = settings or get_settings()
    upgrade_database(settings.database_url)
    with session_scope(settings.database_url) as session:
        latest = latest_crawl_runs(session)
        statuses = []
        for source in registry(settings).sources:
            row = latest.get(source.id)
            run = None
            if row is not None:
                run = {
                    "run_id": row.run_id,
                    "logical_date": row.logical_date.isoformat(),
                    "started_at": row.started_at.isoformat(),
                    "finished_at": row.finished_at.isoformat() if row.finished_at else None,
                    "status": row.status,
                    "health": row.health,
                    "health_reasons": list(row.health_reasons or []),
                    "pages": row.pages_fetched,
                    "found": row.items_found,
                    "new": row.items_new,
                    "updated": row.items_updated,
                    "unchanged": row.items_unchanged,
                    "requests": row.requests,
                    "not_modified": row.not_modified,
                    "pages_failed": row.pages_failed,
                    "errors": row.errors,
                    "error_messages": list(row.error_messages or []),
                    # the dates the crawl read its lists down to / up to (None: unbounded), and
                    # whether it did read them all (False: a list cut short by the page limit;
                    # None: still running, or a run from before the windows were recorded)
                    "window_since": row.window_since.isoformat() if row.window_since else None,
                    "window_until": row.window_until.isoformat() if row.window_until else None,
                    "lists_complete": row.lists_complete,
                }
            statuses.append(
                {
                    "id": source.id,
                    "name": source.name,
                    "family": source.family,
                    "enabled": source.enabled,
                    "disabled_reason": source.disabled_reason,
                    "last_run": run,
                }
            )
        return statuses


def failed_sources_of_run(run_id: str, settings: Settings | None = None) -> list[tuple[str, list[str]]]:
    """(source id, errors) for every source whose crawl in this run failed or was found broken."""
    from storage import failed_crawl_runs, session_scope

    settings = settings or get_settings()
    with session_scope(settings.database_url) as session:
        rows = failed_crawl_runs(session, run_id)
    return [
        (
            row.source_id,
            list(row.error_messages or []) or [f"{row.source_id}: broken: {r}" for r in row.health_reasons or []],
        )
        for row in rows
    ]


def run_daily(
    logical_date: date,
    *,
    run_id: str | None = None,
    source_ids: list[str] | None = None,
    since: date | None = None,
    settings: Settings | None = None,
) -> DailyReport:
    """The whole day: every source crawled (a failure is reported, never stops the others),
    then summaries, then the digest."""
    settings = settings or get_settings()
    run_id = run_id or default_run_id(logical_date)
    reg = registry(settings)  # read once: each crawl subprocess gets its source's entry
    prepare_database(settings, reg=reg)
    crawls = [
        crawl_source(
            source, logical_date, run_id, since=since, until=logical_date, settings=settings, raise_on_failure=False
        )
        for source in selected_sources(source_ids, reg=reg)
    ]
    summaries = summarize_pending(settings)
    digest_report = build_digest(logical_date, settings)
    return DailyReport(logical_date, run_id, crawls, summaries, digest_report, table_counts(settings))
