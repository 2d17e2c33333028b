"""The ``crawl_runs`` table: one row per (source, pipeline run), its counters, health and window.

The writers (``start_crawl_run``, ``finish_crawl_run``, ``record_crawl_health``,
``fail_interrupted_crawl_runs``) and the history a
crawl reads (``previous_crawl_runs``, ``complete_crawl_windows``) work on the ORM row the crawl
holds; what the application reads about finished runs comes back as :class:`CrawlRunView`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from storage.common import as_date, dialect_insert, utcnow
from storage.models import CrawlRun
from storage.records import CrawlStatus

FINAL_STATUSES = (CrawlStatus.SUCCESS.value, CrawlStatus.PARTIAL.value, CrawlStatus.FAILED.value)
HEALTH_VERDICTS = ("ok", "degraded", "broken")


# ---------------------------------------------------------------------------------------- writes


def start_crawl_run(
    session: Session,
    *,
    source_id: str,
    run_id: str,
    logical_date: date | datetime | str,
    window_since: date | datetime | str | None = None,
    window_until: date | datetime | str | None = None,
) -> CrawlRun:
    """Insert the (source_id, run_id) crawl run, or reset the existing one (a retried task):
    status ``running``, zero counters, no errors, a new ``started_at``, no ``finished_at``.

    ``window_since`` / ``window_until`` record the crawl's date window (None: unbounded on that
    side); ``lists_complete`` is unknown (NULL) until :func:`finish_crawl_run`."""
    now = utcnow()
    table = CrawlRun.__table__
    fresh = {
        "logical_date": as_date(logical_date),
        "window_since": as_date(window_since, "window_since") if window_since is not None else None,
        "window_until": as_date(window_until, "window_until") if window_until is not None else None,
        "lists_complete": None,
        "started_at": now,
        "finished_at": None,
        "status": CrawlStatus.RUNNING.value,
        "pages_fetched": 0,
        "items_found": 0,
        "items_new": 0,
        "items_updated": 0,
        "items_unchanged": 0,
        "errors": 0,
        "error_messages": [],
        # 0002 columns: a retried run must not show the previous attempt's counts or verdict
        "requests": 0,
        "not_modified": 0,
        "pages_failed": 0,
        "health": None,
        "health_reasons": [],
    }
    stmt = dialect_insert(session, table).values(source_id=source_id, run_id=run_id, **fresh)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.source_id, table.c.run_id],
        set_={key: stmt.excluded[key] for key in fresh},
    ).returning(table.c.id)
    run_pk = session.execute(stmt).scalar_one()
    return session.execute(
        select(CrawlRun).where(CrawlRun.id == run_pk).execution_options(populate_existing=True)
    ).scalar_one()


def _in_session(session: Session, crawl_run: CrawlRun) -> CrawlRun:
    """This session's instance of ``crawl_run`` (which may come from another, closed session)."""
    run = crawl_run if crawl_run in session else session.get(CrawlRun, crawl_run.id)
    if run is None:
        raise LookupError(f"crawl run id={crawl_run.id} ({crawl_run.source_id}, {crawl_run.run_id}) does not exist")
    return run


def finish_crawl_run(
    session: Session,
    crawl_run: CrawlRun,
    *,
    status: str,
    pages_fetched: int,
    items_found: int,
    items_new: int,
    items_updated: int,
    items_unchanged: int,
    error_messages: Sequence[str],
    lists_complete: bool | None = None,
) -> CrawlRun:
    """Record the end of a crawl run: ``status`` is success, partial or failed; ``errors`` is
    set to ``len(error_messages)`` and ``finished_at`` to now. ``lists_complete``: whether the
    crawl read every list down to its ``window_since`` (None: not known).

    ``crawl_run`` may come from another (closed) session: the row is then loaded into this
    session, and this session's instance is returned.
    """
    status = CrawlStatus(status).value
    if status not in FINAL_STATUSES:
        raise ValueError(f"finish_crawl_run status must be one of {FINAL_STATUSES}, not {status!r}")
    run = _in_session(session, crawl_run)
    messages = [str(message) for message in error_messages]
    run.status = status
    run.finished_at = utcnow()
    run.pages_fetched = pages_fetched
    run.items_found = items_found
    run.items_new = items_new
    run.items_updated = items_updated
    run.items_unchanged = items_unchanged
    run.errors = len(messages)
    run.error_messages = messages
    run.lists_complete = lists_complete
    session.flush()
    return run


def record_crawl_health(
    session: Session,
    crawl_run: CrawlRun,
    *,
    requests: int,
    not_modified: int,
    pages_failed: int,
    health: str,
    reasons: Sequence[str],
) -> CrawlRun:
    """Record the request counts and the health verdict (ok | degraded | broken) of a crawl run."""
    if health not in HEALTH_VERDICTS:
        raise ValueError(f"health must be one of {HEALTH_VERDICTS}, not {health!r}")
    run = _in_session(session, crawl_run)
    run.requests = requests
    run.not_modified = not_modified
    run.pages_failed = pages_failed
    run.health = health
    run.health_reasons = [str(reason) for reason in reasons]
    session.flush()
    return run


def fail_interrupted_crawl_runs(session: Session, logical_date: date | datetime | str, *, run_id_prefix: str) -> int:
    """Mark ``failed`` the crawl runs of ``logical_date`` whose run id starts with ``run_id_prefix``
    and that are still ``running``, with the error "interrupted"; the count. Only for a caller
    that knows their processes are gone (it holds the lock every such run holds)."""
    runs = session.execute(
        select(CrawlRun).where(
            CrawlRun.logical_date == as_date(logical_date),
            CrawlRun.status == CrawlStatus.RUNNING.value,
            CrawlRun.run_id.startswith(run_id_prefix, autoescape=True),
        )
    ).scalars()
    closed = 0
    for run in runs:
        message = f"{run.source_id}: interrupted: the run {run.run_id} ended before this crawl finished"
        run.status = CrawlStatus.FAILED.value
        run.finished_at = utcnow()
        run.error_messages = [*(run.error_messages or []), message]
        run.errors = len(run.error_messages)
        closed += 1
    session.flush()
    return closed


# ---------------------------------------------------------------------- what a crawl reads back


@dataclass(frozen=True)
class CrawlWindow:
    """The date window of a finished crawl run that read its lists completely (see
    :func:`complete_crawl_windows`); ``since``/``until`` None: unbounded on that side."""

    id: int
    since: date | None
    until: date | None

    def reaches(self, since: date | None) -> bool:
        """True when this crawl read the lists down to ``since`` (None: to their end)."""
        return self.since is None or (since is not None and since >= self.since)

    def covers(self, since: date | None, through: date | None) -> bool:
        """True when this crawl stored every listed article dated from ``since`` (None: from the
        beginning) through ``through`` (None: an unknown date, so only an open-ended crawl)."""
        if not self.reaches(since):
            return False
        return self.until is None or (through is not None and through <= self.until)


def complete_crawl_windows(session: Session, source_id: str) -> dict[int, CrawlWindow]:
    """``{crawl run id: window}`` of the source's crawl runs that ended ``success`` (every list page
    and every article read) with ``lists_complete`` true (no list cut short by the page limit).
    Runs from before migration 0003 (``lists_complete`` NULL), running, partial and failed runs are
    left out: nothing is known about what they stored."""
    rows = session.execute(
        select(CrawlRun.id, CrawlRun.window_since, CrawlRun.window_until).where(
            CrawlRun.source_id == source_id,
            CrawlRun.status == CrawlStatus.SUCCESS.value,
            CrawlRun.lists_complete.is_(True),
        )
    )
    return {run_pk: CrawlWindow(run_pk, since, until) for run_pk, since, until in rows}


def previous_crawl_runs(
    session: Session, source_id: str, *, before: CrawlRun | None = None, limit: int = 5
) -> list[CrawlRun]:
    """The source's latest finished crawl runs, newest first, other than ``before`` (and started
    before it when given): the history a health check compares a run with."""
    stmt = select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.status.in_(FINAL_STATUSES))
    if before is not None:
        stmt = stmt.where(CrawlRun.id != before.id, CrawlRun.started_at <= before.started_at)
    stmt = stmt.order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)
    return list(session.execute(stmt).scalars())


# ------------------------------------------------------------- what the application reads back


@dataclass(frozen=True)
class CrawlRunView:
    """One ``crawl_runs`` row as plain data (``error_messages``, ``health_reasons`` as tuples)."""

    id: int
    source_id: str
    run_id: str
    logical_date: date
    started_at: datetime
    finished_at: datetime | None
    status: str
    pages_fetched: int
    items_found: int
    items_new: int
    items_updated: int
    items_unchanged: int
    errors: int
    error_messages: tuple[str, ...]
    requests: int
    not_modified: int
    pages_failed: int
    health: str | None
    health_reasons: tuple[str, ...]
    window_since: date | None
    window_until: date | None
    lists_complete: bool | None

    @classmethod
    def of(cls, row: CrawlRun) -> CrawlRunView:
        """The view of an ORM row."""
        return cls(
            id=row.id,
            source_id=row.source_id,
            run_id=row.run_id,
            logical_date=row.logical_date,
            started_at=row.started_at,
            finished_at=row.finished_at,
            status=row.status,
            pages_fetched=row.pages_fetched,
            items_found=row.items_found,
            items_new=row.items_new,
            items_updated=row.items_updated,
            items_unchanged=row.items_unchanged,
            errors=row.errors,
            error_messages=tuple(row.error_messages or ()),
            requests=row.requests,
            not_modified=row.not_modified,
            pages_failed=row.pages_failed,
            health=row.health,
            health_reasons=tuple(row.health_reasons or ()),
            window_since=row.window_since,
            window_until=row.window_until,
            lists_complete=row.lists_complete,
        )


def crawl_run_view(session: Session, source_id: str, run_id: str) -> CrawlRunView | None:
    """The (source_id, run_id) crawl run, or None when that crawl never recorded one."""
    row = session.execute(
        select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.run_id == run_id)
    ).scalar_one_or_none()
    return None if row is None else CrawlRunView.of(row)


def failed_crawl_runs(session: Session, run_id: str) -> list[CrawlRunView]:
    """The crawl runs of pipeline run ``run_id`` that failed or were found broken, by id."""
    rows = session.execute(
        select(CrawlRun)
        .where(CrawlRun.run_id == run_id, or_(CrawlRun.status == CrawlStatus.FAILED.value, CrawlRun.health == "broken"))
        .order_by(CrawlRun.id)
    ).scalars()
    return [CrawlRunView.of(row) for row in rows]


def latest_crawl_runs(session: Session) -> dict[str, CrawlRunView]:
    """The newest crawl run of every source that has one (running or finished), by source id."""
    newest = (
        select(CrawlRun.source_id, func.max(CrawlRun.started_at).label("started_at"))
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    rows = session.execute(
        select(CrawlRun)
        .join(newest, and_(CrawlRun.source_id == newest.c.source_id, CrawlRun.started_at == newest.c.started_at))
        .order_by(CrawlRun.id)
    ).scalars()
    return {row.source_id: CrawlRunView.of(row) for row in rows}  # ties on started_at: the highest id wins


def recent_crawl_runs(session: Session, per_source: int = 7) -> dict[str, list[CrawlRunView]]:
    """Each source's newest ``per_source`` crawl runs (running or finished), newest first, by
    source id: a source's history for the operator (``policywatch sources status``, the Sources
    page of the Airflow UI)."""
    if per_source < 1:
        raise ValueError(f"per_source must be >= 1, not {per_source}")
    rank = (
        func.row_number()
        .over(partition_by=CrawlRun.source_id, order_by=(CrawlRun.started_at.desc(), CrawlRun.id.desc()))
        .label("rank")
    )
    ranked = select(CrawlRun.id, rank).subquery()
    rows = session.execute(
        select(CrawlRun)
        .join(ranked, CrawlRun.id == ranked.c.id)
        .where(ranked.c.rank <= per_source)
        .order_by(CrawlRun.source_id, ranked.c.rank)
    ).scalars()
    runs: dict[str, list[CrawlRunView]] = {}
    for row in rows:
        runs.setdefault(row.source_id, []).append(CrawlRunView.of(row))
    return runs
