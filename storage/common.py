"""Helpers the repository modules share: the time, the dialect's INSERT, date arguments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def dialect_insert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT construct (it has ``on_conflict_do_nothing/update``)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"storage supports SQLite and PostgreSQL, not {dialect}")


def expire_if_loaded(session: Session, model: type, pk: Any) -> None:
    """Core UPDATEs bypass the identity map: make a loaded instance re-read its row."""
    instance = session.identity_map.get(identity_key(model, pk))
    if instance is not None:
        session.expire(instance)


def as_date(value: date | datetime | str, what: str = "logical_date") -> date:
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
