"""Each source's state for an operator: enabled or why not, its recent crawl runs with their health
verdicts and failure kinds, its last good run, and the digest of each run's day.

One function, :func:`source_statuses`, feeds both ``policywatch sources status [--json]`` and the
Sources page of the Airflow UI (policywatch_airflow/sources_page.py), so they show the same data.
"""

from __future__ import annotations

from typing import Any

from config import Settings, get_settings, load_registry

# How far back a source's last good run is looked for (runs of that source, not days).
GOOD_RUN_LOOKBACK = 60
GOOD_STATUSES = ("success", "partial")


def _kind(row: Any) -> str | None:
    from policywatch.reports import CrawlReport

    if row.status == "running":
        return None
    report = CrawlReport(row.source_id, row.source_id, row.status, errors=list(row.error_messages), health=row.health)
    return report.kind


def run_status(row: Any, settings: Settings) -> dict[str, Any]:
    """A ``storage.CrawlRunView`` as JSON-ready data, with its failure kind and its day's digest."""
    digest = settings.digest_dir / f"{row.logical_date.isoformat()}.html"
    return {
        "run_id": row.run_id,
        "logical_date": row.logical_date.isoformat(),
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "status": row.status,
        "health": row.health,
        "health_reasons": list(row.health_reasons or []),
        # permanent | transient for a failed or broken run (None otherwise): whether waiting heals it
        "kind": _kind(row),
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
        # the dates the crawl read its lists down to / up to (None: unbounded), and whether it
        # did read them all (False: a list cut short by the page limit; None: still running, or a
        # run from before the windows were recorded)
        "window_since": row.window_since.isoformat() if row.window_since else None,
        "window_until": row.window_until.isoformat() if row.window_until else None,
        "lists_complete": row.lists_complete,
        "digest": str(digest) if digest.is_file() else None,  # the digest of the run's day, once written
    }


def is_good(run: dict[str, Any]) -> bool:
    return run["status"] in GOOD_STATUSES and run["health"] != "broken"


def source_statuses(settings: Settings | None = None, *, runs: int = 1) -> list[dict[str, Any]]:
    """Per registry source: enabled (or the reason it is not), ``last_run`` (None when never
    crawled), ``runs`` (the newest ``runs`` crawl runs, newest first), ``last_good_run`` (the newest
    successful or partial run not found broken, among its last :data:`GOOD_RUN_LOOKBACK`; None if
    none) and ``counts`` (verdicts over ``runs``)."""
    from storage import recent_crawl_runs, session_scope, upgrade_database

    settings = settings or get_settings()
    upgrade_database(settings.database_url)
    with session_scope(settings.database_url) as session:
        history = recent_crawl_runs(session, per_source=max(runs, GOOD_RUN_LOOKBACK))
    statuses = []
    for source in load_registry(settings.sources_file).sources:
        rows = [run_status(row, settings) for row in history.get(source.id, [])]
        recent = rows[:runs]
        counts = {verdict: sum(1 for r in recent if r["health"] == verdict) for verdict in ("ok", "degraded", "broken")}
        counts["failed"] = sum(1 for r in recent if r["status"] == "failed")
        statuses.append(
            {
                "id": source.id,
                "name": source.name,
                "family": source.family,
                "enabled": source.enabled,
                "disabled_reason": source.disabled_reason,
                "last_run": rows[0] if rows else None,
                "runs": recent,
                "last_good_run": next((r for r in rows if is_good(r)), None),
                "counts": counts,
            }
        )
    return statuses


COUNT_KEYS = ("pages", "found", "new", "updated", "unchanged", "requests", "not_modified", "pages_failed", "errors")


def status_line(status: dict[str, Any]) -> str:
    """``policywatch sources status``: one line per source."""
    state = "enabled" if status["enabled"] else f"disabled ({status['disabled_reason']})"
    run = status.get("last_run")
    if not run:
        return f"{status['id']}: {state}; never crawled"
    counts = " ".join(f"{key}={run[key]}" for key in COUNT_KEYS)
    health = run["health"] or "unknown"
    reasons = f" ({'; '.join(run['health_reasons'])})" if run["health_reasons"] else ""
    kind = f"; {run['kind']} failure" if run.get("kind") else ""
    lists = {True: "lists read in full", False: "lists cut short by the page limit", None: "lists: not known"}
    window = (
        f"window {run['window_since'] or 'any date'} to {run['window_until'] or 'any date'}, "
        f"{lists[run['lists_complete']]}"
    )
    good = status.get("last_good_run")
    last_good = f"; last good run {good['run_id']} ({good['logical_date']})" if good and good is not run else ""
    return (
        f"{status['id']}: {state}; last run {run['run_id']} at {run['finished_at'] or run['started_at']}: "
        f"{run['status']}, health {health}{reasons}{kind}{last_good}; {window}; {counts}"
    )
