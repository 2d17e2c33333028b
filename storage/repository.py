"""The functions every writer and reader of the database uses.

None of them commits: the caller owns the transaction (``storage.session_scope``). Writers that
run concurrently (crawl subprocesses) should commit after each article: the upserts are safe under
concurrency, but on PostgreSQL two long transactions touching the same URLs in different orders
can deadlock, and on SQLite a transaction holds the database write lock until it ends.

The upserts are single ``INSERT ... ON CONFLICT`` / conditional ``UPDATE`` statements of the
session's dialect (SQLite or PostgreSQL), so they are atomic without explicit locking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import identity_key

from storage.models import Article, CrawlRun, HttpCacheEntry, Source, Summary
from storage.records import ArticleRecord, CrawlStatus, UpsertOutcome
from storage.types import canonical_json

FINAL_STATUSES = (CrawlStatus.SUCCESS.value, CrawlStatus.PARTIAL.value, CrawlStatus.FAILED.value)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _insert(session: Session, table: Table):
    """The dialect's INSERT construct (it has ``on_conflict_do_nothing/update``)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"storage supports SQLite and PostgreSQL, not {dialect}")


def _expire_if_loaded(session: Session, model: type, pk: Any) -> None:
    """Core UPDATEs bypass the identity map: make a loaded instance re-read its row."""
    instance = session.identity_map.get(identity_key(model, pk))
    if instance is not None:
        session.expire(instance)


def _as_date(value: date | datetime | str, what: str = "logical_date") -> date:
    """A date from a date, a datetime (its own calendar date) or an ISO string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise TypeError(f"{what} must be a date (or an ISO date string), not {value!r}")


# --------------------------------------------------------------------------------------- sources


def upsert_source(
    session: Session, *, id: str, name: str, host: str, language: str, family: str, enabled: bool
) -> Source:
    """Insert the source or update it in place (``updated_at`` only moves when a field changed)."""
    now = _utcnow()
    table = Source.__table__
    fields = {"name": name, "host": host, "language": language, "family": family, "enabled": bool(enabled)}
    stmt = _insert(session, table).values(id=id, created_at=now, updated_at=now, **fields)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={**{key: stmt.excluded[key] for key in fields}, "updated_at": stmt.excluded.updated_at},
        where=or_(*(table.c[key].is_distinct_from(stmt.excluded[key]) for key in fields)),
    )
    session.execute(stmt)
    return session.execute(select(Source).where(Source.id == id).execution_options(populate_existing=True)).scalar_one()


# ------------------------------------------------------------------------------------ crawl runs


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
    now = _utcnow()
    table = CrawlRun.__table__
    fresh = {
        "logical_date": _as_date(logical_date),
        "window_since": _as_date(window_since, "window_since") if window_since is not None else None,
        "window_until": _as_date(window_until, "window_until") if window_until is not None else None,
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
    stmt = _insert(session, table).values(source_id=source_id, run_id=run_id, **fresh)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.source_id, table.c.run_id],
        set_={key: stmt.excluded[key] for key in fresh},
    ).returning(table.c.id)
    run_pk = session.execute(stmt).scalar_one()
    return session.execute(
        select(CrawlRun).where(CrawlRun.id == run_pk).execution_options(populate_existing=True)
    ).scalar_one()


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
    run = crawl_run if crawl_run in session else session.get(CrawlRun, crawl_run.id)
    if run is None:
        raise LookupError(f"crawl run id={crawl_run.id} ({crawl_run.source_id}, {crawl_run.run_id}) does not exist")
    messages = [str(message) for message in error_messages]
    run.status = status
    run.finished_at = _utcnow()
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


# -------------------------------------------------------------------------------------- articles


def upsert_article(session: Session, record: ArticleRecord, crawl_run: CrawlRun | None) -> UpsertOutcome:
    """Store ``record`` keyed by its canonical URL.

    * NEW: the URL was unknown; first/last_seen_at = now, first/last_crawl_run_id = the run.
    * UPDATED: the content hash changed; title, body, section, published_at, language,
      source_office, author, extra, content_hash, updated_at and last_seen_at (+
      last_crawl_run_id) are rewritten; first_seen_at, first_crawl_run_id and source_id are kept.
    * UNCHANGED: same content hash; only last_seen_at (+ last_crawl_run_id) move.

    ``crawl_run`` None leaves the crawl-run columns alone (NULL for a new row).
    """
    now = _utcnow()
    table = Article.__table__
    digest = record.content_hash
    run_pk = crawl_run.id if crawl_run is not None else None
    content = {
        "section": record.section,
        "title": record.title,
        "published_at": record.published_at,
        "language": record.language,
        "body": record.body,
        "content_hash": digest,
        "source_office": record.source_office,
        "author": record.author,
        "extra": record.extra or {},
    }
    seen: dict[str, Any] = {"last_seen_at": now}
    if run_pk is not None:
        seen["last_crawl_run_id"] = run_pk

    insert_stmt = (
        _insert(session, table)
        .values(
            url=record.url,
            source_id=record.source_id,
            first_seen_at=now,
            last_seen_at=now,
            updated_at=now,
            first_crawl_run_id=run_pk,
            last_crawl_run_id=run_pk,
            **content,
        )
        .on_conflict_do_nothing(index_elements=[table.c.url])
        .returning(table.c.id)
    )
    if session.execute(insert_stmt).first() is not None:
        return UpsertOutcome.NEW

    # Conditional UPDATEs: on PostgreSQL a concurrent writer of the same URL waits for the row
    # lock and re-checks the WHERE clause, so only one of them reports UPDATED.
    updated = session.execute(
        update(table)
        .where(table.c.url == record.url, table.c.content_hash != digest)
        .values(updated_at=now, **content, **seen)
        .returning(table.c.id)
    ).first()
    if updated is not None:
        _expire_if_loaded(session, Article, updated.id)
        return UpsertOutcome.UPDATED

    touched = session.execute(
        update(table).where(table.c.url == record.url).values(**seen).returning(table.c.id)
    ).first()
    if touched is None:  # deleted between the statements
        raise LookupError(f"article {record.url} vanished during upsert")
    _expire_if_loaded(session, Article, touched.id)
    return UpsertOutcome.UNCHANGED


def get_article(session: Session, url: str) -> Article | None:
    """The article stored under canonical ``url``, or None."""
    return session.execute(select(Article).where(Article.url == url)).scalar_one_or_none()


# ------------------------------------------------------------------------------------- summaries


def articles_to_summarize(
    session: Session,
    *,
    backend: str,
    model_id: str,
    model_version: str,
    parameters: dict[str, Any] | None,
    source_ids: Iterable[str] | None = None,
    limit: int | None = None,
    outdated: bool = True,
) -> list[Article]:
    """Articles that need a (new) summary from this backend + model: no summary yet, or one made
    from another content hash, another model_version or other parameters (compared as JSON
    values, key order ignored). Newest articles (highest id) first.

    ``outdated=False`` leaves out articles that already have a summary of their current content
    from any backend, model or configuration: only new and changed articles (a daily run after a
    model change does not redo the archive; re-summarizing is asked for explicitly)."""
    params = canonical_json(parameters or {})
    stmt = (
        select(Article)
        .outerjoin(
            Summary,
            and_(
                Summary.article_id == Article.id,
                Summary.backend == backend,
                Summary.model_id == model_id,
            ),
        )
        .where(
            or_(
                Summary.id.is_(None),
                Summary.content_hash != Article.content_hash,
                Summary.model_version != model_version,
                Summary.parameters != params,
            )
        )
        .order_by(Article.id.desc())
    )
    if not outdated:
        current = aliased(Summary)
        stmt = stmt.where(
            ~select(current.id)
            .where(current.article_id == Article.id, current.content_hash == Article.content_hash)
            .exists()
        )
    if source_ids is not None:
        stmt = stmt.where(Article.source_id.in_(list(source_ids)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).scalars())


def save_summary(
    session: Session,
    article: Article,
    *,
    text: str,
    language: str,
    backend: str,
    model_id: str,
    model_version: str,
    parameters: dict[str, Any] | None,
    guard: dict[str, Any] | None = None,
) -> tuple[Summary, bool]:
    """Insert or update in place the one summary of ``article`` for (backend, model_id).

    Records ``article.content_hash`` (the content the text was made from) and ``guard``, the
    faithfulness guard's decision (JSON; None when no guard ran). Returns the summary
    and whether it was created or changed; saving the same text, language, model_version,
    parameters and content hash again changes nothing (not even ``updated_at``).
    """
    if model_version is None:
        raise ValueError("save_summary needs a model_version (a revision or a weights-file hash)")
    now = _utcnow()
    table = Summary.__table__
    fields = {
        "text": text,
        "language": language,
        "model_version": model_version,
        "parameters": canonical_json(parameters or {}),
        "content_hash": article.content_hash,
        "guard": None if guard is None else canonical_json(guard),
    }
    stmt = _insert(session, table).values(
        article_id=article.id, backend=backend, model_id=model_id, created_at=now, updated_at=now, **fields
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.article_id, table.c.backend, table.c.model_id],
        set_={**{key: stmt.excluded[key] for key in fields}, "updated_at": stmt.excluded.updated_at},
        where=or_(*(table.c[key].is_distinct_from(stmt.excluded[key]) for key in fields)),
    ).returning(table.c.id)
    changed = session.execute(stmt).first() is not None
    summary = session.execute(
        select(Summary)
        .where(Summary.article_id == article.id, Summary.backend == backend, Summary.model_id == model_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    return summary, changed


# ---------------------------------------------------------------------------------------- digest


@dataclass(frozen=True)
class DigestEntry:
    article: Article
    source: Source
    summary: Summary | None


def digest_entries(
    session: Session, logical_date: date | datetime | str, *, backend: str | None = None
) -> list[DigestEntry]:
    """Articles first stored by a crawl run of ``logical_date``, each with its source and its
    newest summary (of ``backend`` if given; None when there is none), ordered by source name,
    then published_at newest first (undated last), then id. Advertorials (paid items a crawler
    flagged ``extra["advertorial"]``, e.g. rmzxw's 【免责声明】 企业广告宣传资讯) are stored but left out."""
    day = _as_date(logical_date)
    rows = session.execute(
        select(Article, Source)
        .join(Source, Article.source_id == Source.id)
        .join(CrawlRun, Article.first_crawl_run_id == CrawlRun.id)
        .where(CrawlRun.logical_date == day)
        .order_by(Source.name, Source.id, Article.published_at.desc().nulls_last(), Article.id)
    ).all()
    # filtered here rather than in SQL: JSON path syntax differs between SQLite and PostgreSQL
    rows = [(article, source) for article, source in rows if not (article.extra or {}).get("advertorial")]
    if not rows:
        return []
    newest: dict[int, Summary] = {}
    stmt = (
        select(Summary)
        .where(Summary.article_id.in_([article.id for article, _ in rows]))
        .order_by(Summary.article_id, Summary.updated_at.desc(), Summary.id.desc())
    )
    if backend is not None:
        stmt = stmt.where(Summary.backend == backend)
    for summary in session.execute(stmt).scalars():
        newest.setdefault(summary.article_id, summary)
    return [DigestEntry(article, source, newest.get(article.id)) for article, source in rows]


# ----------------------------------------------------------------------------------------- stats


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of sources, articles, summaries and crawl_runs."""
    return {
        model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Source, Article, Summary, CrawlRun)
    }


# ------------------------------------------------------- conditional requests and source health

HEALTH_VERDICTS = ("ok", "degraded", "broken")


@dataclass(frozen=True)
class CachedPage:
    """The validators of the last stored answer for a URL (a row of ``http_cache``)."""

    url: str
    etag: str | None
    last_modified: str | None
    status: int
    body_hash: str | None
    crawl_run_id: int | None = None  # the crawl run that saved them (None: unknown)


def http_cache_entries(session: Session, source_id: str) -> dict[str, CachedPage]:
    """Every ``http_cache`` row of a source, by URL (loaded once at the start of a crawl)."""
    rows = session.execute(select(HttpCacheEntry).where(HttpCacheEntry.source_id == source_id)).scalars()
    return {
        row.url: CachedPage(row.url, row.etag, row.last_modified, row.status, row.body_hash, row.crawl_run_id)
        for row in rows
    }


def save_http_cache(session: Session, source_id: str, pages: Iterable[CachedPage]) -> int:
    """Insert or replace the ``http_cache`` rows of ``pages`` (keyed by URL); returns how many."""
    table = HttpCacheEntry.__table__
    count = 0
    for page in pages:
        fields = {
            "source_id": source_id,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "status": page.status,
            "body_hash": page.body_hash,
            "fetched_at": _utcnow(),
            "crawl_run_id": page.crawl_run_id,
        }
        stmt = _insert(session, table).values(url=page.url, **fields)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.url], set_={key: stmt.excluded[key] for key in fields}
        )
        session.execute(stmt)
        count += 1
    return count


def stored_article_dates(session: Session, urls: Iterable[str]) -> dict[str, datetime | None]:
    """``{url: published_at}`` for the URLs of ``urls`` already stored as articles."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, datetime | None] = {}
    for start in range(0, len(wanted), 500):  # keep the IN list well below parameter limits
        chunk = wanted[start : start + 500]
        for url, published_at in session.execute(
            select(Article.url, Article.published_at).where(Article.url.in_(chunk))
        ):
            found[url] = published_at
    return found


def mark_article_seen(session: Session, url: str, crawl_run: CrawlRun | None) -> bool:
    """An article page answered 304: move ``last_seen_at`` (+ ``last_crawl_run_id``) of the stored
    article, as an UNCHANGED upsert would. False when no article is stored under ``url``."""
    seen: dict[str, Any] = {"last_seen_at": _utcnow()}
    if crawl_run is not None:
        seen["last_crawl_run_id"] = crawl_run.id
    touched = session.execute(
        update(Article.__table__).where(Article.__table__.c.url == url).values(**seen).returning(Article.__table__.c.id)
    ).first()
    if touched is None:
        return False
    _expire_if_loaded(session, Article, touched.id)
    return True


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
    run = crawl_run if crawl_run in session else session.get(CrawlRun, crawl_run.id)
    if run is None:
        raise LookupError(f"crawl run id={crawl_run.id} ({crawl_run.source_id}, {crawl_run.run_id}) does not exist")
    run.requests = requests
    run.not_modified = not_modified
    run.pages_failed = pages_failed
    run.health = health
    run.health_reasons = [str(reason) for reason in reasons]
    session.flush()
    return run


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


def latest_crawl_runs(session: Session) -> dict[str, CrawlRun]:
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
    return {row.source_id: row for row in rows}  # ties on started_at: the highest id wins


def recent_article_urls(
    session: Session,
    source_id: str,
    section: str | None,
    *,
    since: date,
    until: date | None = None,
    tz: str = "Asia/Shanghai",
    limit: int = 200,
) -> list[str]:
    """URLs of the source's stored articles of ``section`` (any section when None) published from
    day ``since`` (to day ``until``) in time zone ``tz``, newest first: what a daily run asks for
    again when their list page is unchanged, to catch corrections."""
    from datetime import time, timedelta
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    stmt = select(Article.url).where(
        Article.source_id == source_id,
        Article.published_at >= datetime.combine(since, time(), zone),
    )
    if section is not None:
        stmt = stmt.where(Article.section == section)
    if until is not None:
        stmt = stmt.where(Article.published_at < datetime.combine(until + timedelta(days=1), time(), zone))
    stmt = stmt.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)
    return list(session.execute(stmt).scalars())
