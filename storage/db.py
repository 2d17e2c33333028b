"""Engines and sessions.

``make_engine(url)`` is the only place engines are created, so every process (crawl
subprocesses, summarizer, digest, migrations) gets the same connection settings:

* SQLite: the parent folder of the database file is created; every connection gets
  ``PRAGMA busy_timeout`` (several crawl subprocesses write at once), ``journal_mode=WAL``
  (readers do not block the writer), ``synchronous=NORMAL`` and ``foreign_keys=ON``.
* PostgreSQL (``postgresql+psycopg://``; a bare ``postgresql://`` URL is given the psycopg
  driver): ``pool_pre_ping``.

Only SQLite and PostgreSQL are supported (the upserts use their ``INSERT ... ON CONFLICT``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_SECONDS = 60.0


def normalise_url(url: str | URL) -> URL:
    """``url`` as a :class:`sqlalchemy.URL`; ``postgresql://`` becomes ``postgresql+psycopg://``."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def url_to_string(url: str | URL) -> str:
    """Render ``url`` with its password (``str(URL)`` masks it)."""
    return normalise_url(url).render_as_string(hide_password=False)


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, or None (not SQLite, in-memory, ``file:`` URI)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if parsed.query.get("uri") in ("true", "1"):
        return None
    return Path(database).expanduser()


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def make_engine(url: str | URL, **engine_kwargs: Any) -> Engine:
    """Create an engine for ``url`` (SQLite or PostgreSQL) with the settings above.

    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        connect_args = dict(engine_kwargs.pop("connect_args", {}))
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_SECONDS)
        engine = create_engine(parsed, connect_args=connect_args, **engine_kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if backend == "postgresql":
        engine_kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **engine_kwargs)
    raise ValueError(f"unsupported database {parsed.render_as_string()!r}: storage supports SQLite and PostgreSQL")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects returned by a session_scope stay readable after it ends.
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine_or_url: Engine | str | URL) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on an exception.

    Given a URL, a private engine is created and disposed of at the end. Objects loaded in the
    block are not expired by the commit, so they can be read after it (lazy loads of relations
    that were not loaded still need a live session).
    """
    own_engine = not isinstance(engine_or_url, Engine)
    engine = make_engine(engine_or_url) if own_engine else engine_or_url
    session = make_sessionmaker(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if own_engine:
            engine.dispose()
