"""Alembic, configured programmatically (works from an installed package, no alembic.ini).

``upgrade_database(url)`` is called at the start of every pipeline run: it is a cheap no-op when
the database is already at head, and concurrent callers are serialised (a PostgreSQL advisory
lock taken in ``migrations/env.py``; an exclusive ``flock`` on ``<db file>.migrate-lock`` for a
SQLite file) so two processes upgrading the same database at once do not both run a migration.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection

from storage.db import make_engine, sqlite_file, url_to_string

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# pg_advisory_xact_lock key shared by every upgrade_database caller (any 64-bit constant).
ADVISORY_LOCK_KEY = 0x706F6C6963795F77  # "policy_w"


def alembic_config(url: str | URL | None = None, connection: Connection | None = None) -> Config:
    """An Alembic :class:`Config` for the ``storage/migrations`` scripts.

    ``url`` becomes ``sqlalchemy.url``; ``connection`` (optional) is used by env.py instead of a
    new engine.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation: a literal % (percent-encoded URL parts) must be doubled.
        config.set_main_option("sqlalchemy.url", url_to_string(url).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision shipped with this package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current_heads(connection: Connection) -> tuple[str, ...]:
    heads = MigrationContext.configure(connection).get_current_heads()
    if connection.in_transaction():
        connection.rollback()
    return tuple(heads)


def current_revision(url: str | URL) -> str | None:
    """The revision the database at ``url`` is at (None: never migrated)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            heads = _current_heads(connection)
    finally:
        engine.dispose()
    return heads[0] if heads else None


@contextlib.contextmanager
def _sqlite_migration_lock(url: str | URL) -> Iterator[None]:
    path = sqlite_file(url)
    if path is None:
        yield
        return
    try:
        import fcntl
    except ImportError:  # not POSIX: rely on SQLite's own locking
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def upgrade_database(url: str | URL) -> str | None:
    """Upgrade the database at ``url`` to the newest revision; return that revision.

    A no-op (one SELECT) when it is already there; safe to call from several processes at once.
    """
    head = head_revision()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if _current_heads(connection) == ((head,) if head else ()):
                return head
        with _sqlite_migration_lock(url), engine.connect() as connection:
            command.upgrade(alembic_config(url, connection), "head")
            if connection.in_transaction():
                connection.commit()
        with engine.connect() as connection:
            heads = _current_heads(connection)
    finally:
        engine.dispose()
    return heads[0] if heads else None
