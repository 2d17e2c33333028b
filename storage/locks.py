"""Named locks between processes that share a database: :func:`database_lock`.

``policywatch run`` holds one per logical date (two runs of a day never overlap) and the summarize
stage one for the whole database (an article is summarized once). Neither needs a table:

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a 64-bit key hashed
  from the database, the schema and the lock's name, held by a connection of its own; the holder
  writes who it is into that connection's ``application_name``, which a refused process reads back
  through ``pg_locks`` / ``pg_stat_activity``. The lock dies with its session: a killed process
  (``kill -9``), a dropped connection or a restarted server never leave it behind.
* SQLite: ``flock`` (the filelock package) on ``<database file>.<name>.lock`` beside the database,
  and the holder written to ``<lock file>.holder``; the kernel releases the lock when the holding
  process dies, whatever the state of the ``.holder`` file it leaves.

An in-memory SQLite database (one process) needs no lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import URL, Connection, NullPool, text

from storage.db import make_engine, normalise_url, sqlite_file

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.5
# PostgreSQL keeps at most NAMEDATALEN - 1 bytes of application_name
_APPLICATION_NAME_BYTES = 63


class LockBusy(RuntimeError):
    """The lock is held by another process (refused at once, or still held after the timeout)."""

    def __init__(self, name: str, holder: str, waited_s: float) -> None:
        self.name, self.holder, self.waited_s = name, holder, waited_s
        after = f" after waiting {waited_s:.0f} s" if waited_s else ""
        super().__init__(f"{name} is held by {holder}{after}")


def holder_label() -> str:
    """Who this process is, for whoever finds the lock taken: pid, host and start time."""
    return f"pid {os.getpid()} on {socket.gethostname()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"


@contextmanager
def database_lock(
    url: str | URL, name: str, *, wait: bool, timeout_s: float, holder: str | None = None
) -> Iterator[None]:
    """Hold the lock ``name`` of the database at ``url`` for the block.

    ``wait`` False: raise :class:`LockBusy` at once if another process holds it; True: wait up to
    ``timeout_s`` seconds for it, then raise :class:`LockBusy`. ``holder`` describes this
    process to the others (default :func:`holder_label`)."""
    holder = holder or holder_label()
    parsed = normalise_url(url)
    budget = timeout_s if wait else 0.0
    if parsed.get_backend_name() == "postgresql":
        with _advisory_lock(parsed, name, budget, holder):
            yield
        return
    path = sqlite_file(parsed)
    if path is None:  # in memory: one process
        yield
        return
    with _file_lock(path, name, budget, holder):
        yield


# ------------------------------------------------------------------------------------ PostgreSQL


def _advisory_key(connection: Connection, name: str) -> int:
    """The signed 64-bit advisory key of ``name`` in this database and schema (test schemas and
    deployments sharing a database do not lock each other out)."""
    scope = connection.execute(text("SELECT current_database() || '.' || coalesce(current_schema(), '')")).scalar_one()
    digest = hashlib.blake2b(f"policywatch:{scope}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _advisory_holder(connection: Connection, key: int) -> str:
    """The ``application_name`` (and backend pid) of the session holding advisory lock ``key``."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    row = connection.execute(
        text(
            "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.classid = CAST(:hi AS oid) AND l.objid = CAST(:lo AS oid)"
        ),
        {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF},
    ).first()
    if row is None:
        return "another session (gone since)"
    application, backend_pid = row
    return f"{application or 'an unnamed session'} (server pid {backend_pid})"


def _application_name(holder: str) -> str:
    label = f"policywatch {holder}"  # the lock's name is known to whoever looks it up
    return label.encode()[:_APPLICATION_NAME_BYTES].decode(errors="ignore")


@contextmanager
def _advisory_lock(url: URL, name: str, budget_s: float, holder: str) -> Iterator[None]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            # autocommit: the lock belongs to the session, not to a transaction the block might roll back
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            key = _advisory_key(connection, name)
            started = time.monotonic()
            while not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one():
                waited = time.monotonic() - started
                if waited >= budget_s:
                    raise LockBusy(name, _advisory_holder(connection, key), waited if budget_s else 0.0)
                time.sleep(min(POLL_INTERVAL_S, budget_s - waited))
            connection.execute(
                text("SELECT set_config('application_name', :label, false)"),
                {"label": _application_name(holder)},
            )
            try:
                yield
            finally:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                except Exception as exc:  # noqa: BLE001 - a lost session has released its lock already
                    log.warning("%s: lock session lost before release (%s)", name, type(exc).__name__)
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------- SQLite


def _lock_path(database: Path, name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    return database.with_name(f"{database.name}.{safe}.lock")


def _file_holder(holder_file: Path) -> str:
    try:
        return holder_file.read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process (not named yet)"


@contextmanager
def _file_lock(database: Path, name: str, budget_s: float, holder: str) -> Iterator[None]:
    from filelock import FileLock, Timeout

    path = _lock_path(database, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    holder_file = path.with_name(path.name + ".holder")
    lock = FileLock(path)
    started = time.monotonic()
    try:
        lock.acquire(timeout=budget_s, poll_interval=POLL_INTERVAL_S)
    except Timeout:
        raise LockBusy(name, _file_holder(holder_file), budget_s) from None
    try:
        partial = holder_file.with_name(holder_file.name + f".{os.getpid()}")
        partial.write_text(holder + "\n", encoding="utf-8")
        partial.replace(holder_file)
        log.debug("%s: locked after %.1f s", name, time.monotonic() - started)
        yield
    finally:
        holder_file.unlink(missing_ok=True)
        lock.release()
