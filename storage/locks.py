"""Named locks between processes that share a database: :func:`database_lock`.

``policywatch run`` holds one per logical date (two runs of a day never overlap), each crawl one
per source and day, and the summarize stage one for the whole database (an article is summarized
once). None needs a table:

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a 64-bit key hashed
  from the database, the schema and the lock's name, held by a connection of its own; the holder
  writes who it is into that connection's ``application_name``, which a refused process reads back
  through ``pg_locks`` / ``pg_stat_activity``. The lock dies with its session: a killed process
  (``kill -9``), a dropped connection or a restarted server never leave it behind. The holder is
  not told: a restarted server releases the lock under a process that keeps running, and another
  one can take it. The holder finds out when it calls :meth:`HeldLock.ensure` (between stages):
  it takes the lock back on a new session if nobody took it meanwhile (a warning is logged), else
  :class:`LockLost` names the new holder. Work done between the restart and that call may have
  overlapped with a process that took the lock and released it again.
* SQLite: ``flock`` (the filelock package) on ``<database file>.<name>.lock`` beside the database,
  and the holder written to ``<lock file>.holder``; the kernel releases the lock when the holding
  process dies, whatever the state of the ``.holder`` file it leaves, and never under a living
  holder (:meth:`HeldLock.ensure` has nothing to check).

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
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import URL, Connection, NullPool, text
from sqlalchemy.exc import DBAPIError

from storage.db import make_engine, normalise_url, sqlite_file
from storage.retry import is_disconnect, retrying

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


class LockLost(LockBusy):
    """The lock's database session ended (a restarted server) and another session has taken the
    lock since: this process no longer holds it."""

    def __init__(self, name: str, holder: str) -> None:
        super().__init__(name, holder, 0.0)
        self.args = (f"{name} was lost with its database session and is now held by {holder}",)


def holder_label() -> str:
    """Who this process is, for whoever finds the lock taken: pid, host and start time."""
    return f"pid {os.getpid()} on {socket.gethostname()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"


class HeldLock:
    """The lock :func:`database_lock` holds for its block."""

    def __init__(self, name: str) -> None:
        self.name = name

    def ensure(self) -> None:
        """Check that the lock is still held, taking it back if it was lost and is free; raise
        :class:`LockLost` if another process holds it now. A flock (and an in-memory database)
        cannot be lost: nothing to check."""


@contextmanager
def database_lock(
    url: str | URL, name: str, *, wait: bool, timeout_s: float, holder: str | None = None
) -> Iterator[HeldLock]:
    """Hold the lock ``name`` of the database at ``url`` for the block.

    ``wait`` False: raise :class:`LockBusy` at once if another process holds it; True: wait up to
    ``timeout_s`` seconds for it, then raise :class:`LockBusy`. ``holder`` describes this
    process to the others (default :func:`holder_label`). The block gets the :class:`HeldLock`,
    whose ``ensure()`` a long holder calls between steps (a restarted PostgreSQL drops the lock)."""
    holder = holder or holder_label()
    parsed = normalise_url(url)
    budget = timeout_s if wait else 0.0
    if parsed.get_backend_name() == "postgresql":
        with _advisory_lock(parsed, name, budget, holder) as held:
            yield held
        return
    path = sqlite_file(parsed)
    if path is None:  # in memory: one process
        yield HeldLock(name)
        return
    with _file_lock(path, name, budget, holder):
        yield HeldLock(name)


# ------------------------------------------------------------------------------------ PostgreSQL


def _advisory_key(connection: Connection, name: str) -> int:
    """The signed 64-bit advisory key of ``name`` in this database and schema (test schemas and
    deployments sharing a database do not lock each other out)."""
    scope = connection.execute(text("SELECT current_database() || '.' || coalesce(current_schema(), '')")).scalar_one()
    digest = hashlib.blake2b(f"policywatch:{scope}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# the pg_locks row of a granted advisory lock on a bigint key of this database (its high and low
# 32 bits as :hi and :lo)
_GRANTED_ADVISORY_LOCK = (
    "l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND l.classid = CAST(:hi AS oid) AND l.objid = CAST(:lo AS oid)"
)


def _key_halves(key: int) -> dict[str, int]:
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    return {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF}


def _advisory_holder(connection: Connection, key: int) -> str:
    """The ``application_name`` (and backend pid) of the session holding advisory lock ``key``."""
    row = connection.execute(
        text(
            "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            f"WHERE {_GRANTED_ADVISORY_LOCK}"
        ),
        _key_halves(key),
    ).first()
    if row is None:
        return "another session (gone since)"
    application, backend_pid = row
    return f"{application or 'an unnamed session'} (server pid {backend_pid})"


def _application_name(holder: str) -> str:
    label = f"policywatch {holder}"  # the lock's name is known to whoever looks it up
    return label.encode()[:_APPLICATION_NAME_BYTES].decode(errors="ignore")


class _AdvisoryLock(HeldLock):
    """An advisory lock and the connection whose session holds it (replaced when it is lost)."""

    def __init__(self, url: URL, name: str, holder: str) -> None:
        super().__init__(name)
        self._holder = holder
        self._engine = make_engine(url, poolclass=NullPool)
        self._connection: Connection | None = None
        self._key = 0
        self._held = False

    def _connect(self) -> Connection:
        self._close()  # a lost session's connection, when taking the lock back
        # autocommit: the lock belongs to the session, not to a transaction the block might roll back
        self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    def _try_lock(self, connection: Connection) -> bool:
        self._held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}).scalar_one()
        if self._held:
            connection.execute(
                text("SELECT set_config('application_name', :label, false)"),
                {"label": _application_name(self._holder)},
            )
        return self._held

    def acquire(self, budget_s: float) -> None:
        connection = self._connect()
        self._key = _advisory_key(connection, self.name)
        started = time.monotonic()
        while not self._try_lock(connection):
            waited = time.monotonic() - started
            if waited >= budget_s:
                raise LockBusy(self.name, _advisory_holder(connection, self._key), waited if budget_s else 0.0)
            time.sleep(min(POLL_INTERVAL_S, budget_s - waited))

    def _still_held(self) -> bool:
        assert self._connection is not None
        return self._connection.execute(
            text(
                f"SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND {_GRANTED_ADVISORY_LOCK})"
            ),
            _key_halves(self._key),
        ).scalar_one()

    def _take_back(self) -> None:
        connection = self._connect()
        if not self._try_lock(connection):
            raise LockLost(self.name, _advisory_holder(connection, self._key))

    def ensure(self) -> None:
        try:
            if self._still_held():
                return
        except DBAPIError as exc:
            if not is_disconnect(exc):
                raise
        # the server may still be starting up: reconnecting is retried like any unit of work
        retrying(self._take_back, what=f"{self.name}: taking the lock back")
        log.warning("%s: the lock was lost with its database session (restarted?) and taken back", self.name)

    def release(self) -> None:
        try:
            if self._held and self._connection is not None:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        except Exception as exc:  # noqa: BLE001 - a lost session has released its lock already
            log.warning("%s: lock session lost before release (%s)", self.name, type(exc).__name__)
        finally:
            self._held = False
            self._close()
            self._engine.dispose()

    def _close(self) -> None:
        if self._connection is not None:
            with suppress(Exception):  # a dead connection has nothing left to close
                self._connection.close()
        self._connection = None


@contextmanager
def _advisory_lock(url: URL, name: str, budget_s: float, holder: str) -> Iterator[HeldLock]:
    lock = _AdvisoryLock(url, name, holder)
    try:
        lock.acquire(budget_s)
        yield lock
    finally:
        lock.release()


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
