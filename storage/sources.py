"""The ``sources`` table: the registry's sources, recorded before their crawls."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.common import dialect_insert, utcnow
from storage.models import Source


def upsert_source(
    session: Session, *, id: str, name: str, host: str, language: str, family: str, enabled: bool
) -> Source:
    """Insert the source or update it in place (``updated_at`` only moves when a field changed)."""
    now = utcnow()
    table = Source.__table__
    fields = {"name": name, "host": host, "language": language, "family": family, "enabled": bool(enabled)}
    stmt = dialect_insert(session, table).values(id=id, created_at=now, updated_at=now, **fields)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={**{key: stmt.excluded[key] for key in fields}, "updated_at": stmt.excluded.updated_at},
        where=or_(*(table.c[key].is_distinct_from(stmt.excluded[key]) for key in fields)),
    )
    session.execute(stmt)
    return session.execute(select(Source).where(Source.id == id).execution_options(populate_existing=True)).scalar_one()


class RegistryEntry(Protocol):
    """What the ``sources`` row records of a registry entry (config.SourceConfig)."""

    id: str
    name: str
    host: str
    language: str
    family: str
    enabled: bool


def record_source(session: Session, source: RegistryEntry) -> Source:
    """``upsert_source`` of a registry entry: the one place that says which of its fields the row keeps."""
    return upsert_source(
        session,
        id=source.id,
        name=source.name,
        host=source.host,
        language=source.language,
        family=source.family,
        enabled=source.enabled,
    )
