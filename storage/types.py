"""Column types shared by the models.

* :class:`UTCDateTime` -- an aware timestamp, always stored and returned in UTC. Naive
  datetimes are refused on write (``ValueError``; SQLAlchemy wraps it in a ``StatementError``
  when it happens inside a statement). SQLite has no time zone support, so the value is stored
  there as naive UTC and made aware again on read.
* :class:`CanonicalJSON` -- JSON (JSONB on PostgreSQL) whose objects are written with their keys
  sorted, recursively, so that two equal documents are stored as the same text on SQLite too
  (``save_summary`` relies on that to detect "nothing changed" inside the database).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


def ensure_aware_utc(value: datetime, *, what: str = "datetime") -> datetime:
    """Return ``value`` converted to UTC; raise ``ValueError`` if it is naive."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}: {value!r}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{what} {value.isoformat()} is naive: storage only accepts time-zone aware datetimes")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that refuses naive values and always yields aware UTC."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    @property
    def python_type(self) -> type:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = ensure_aware_utc(value)
        if dialect.name == "sqlite":
            # SQLite's DATETIME storage drops tzinfo silently: store naive UTC explicitly.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def canonical_json(value: Any) -> Any:
    """``value`` as plain JSON data (tuples become lists...) with object keys sorted recursively.

    Raises ``TypeError`` when ``value`` is not JSON-serialisable.
    """
    if value is None:
        return None
    return json.loads(json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):  # e.g. a MappingProxyType of parameters
        return dict(value)
    raise TypeError(f"{type(value).__name__} value {value!r} is not JSON-serialisable")


class CanonicalJSON(TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL; values are canonicalised before being written."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return canonical_json(value)
