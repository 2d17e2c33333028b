"""The crawl process's database engine, shared by the item pipeline and the crawl-run extension.

One engine per database URL per process; ``storage.upgrade_database`` runs once, before first use.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine_for(database_url: str) -> Engine:
    """The (cached) engine for ``database_url``, the schema upgraded to head on first call."""
    from storage import make_engine, upgrade_database

    with _lock:
        engine = _engines.get(database_url)
        if engine is None:
            upgrade_database(database_url)
            engine = make_engine(database_url)
            _engines[database_url] = engine
        return engine


def dispose_all() -> None:
    """Close every cached engine (end of the crawl process)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
