"""Surviving a dropped database connection: :func:`retrying` runs one unit of work (a function
that opens its own ``session_scope``: one transaction) again when the connection was lost.

A PostgreSQL server restarted, failed over or briefly unreachable mid-run ends every open
connection: the transaction in flight is rolled back by the server, SQLAlchemy invalidates the
pool (``pool_pre_ping`` tests the connections it hands out afterwards), and the unit is run again,
whole, after a growing pause, for up to :data:`RETRY_WINDOW_S`. Only disconnects are retried
(SQLSTATE class 08, 57P01-57P03 shutdown / cannot connect now, 40001 / 40P01 serialization failure
and deadlock, or a libpq message that says the connection went away); any other error, a wrong
password or SQLite's "database is locked" (it has its own busy timeout) is raised at once.

Callers retry only work that is safe to repeat: every writer here is an upsert or an update of
one row, committed as a unit. The first connection of a process is not retried by its callers
(``prepare_database``, ``crawlers.db.engine_for``): a database that never answered is a
configuration error, reported at once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_WINDOW_S = 90.0  # a restart of the server takes seconds; a failover well under a minute
FIRST_PAUSE_S, MAX_PAUSE_S = 0.5, 5.0
_TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "40001", "40P01"})
_DISCONNECT = re.compile(
    r"connection refused|server closed the connection|terminating connection|connection (?:is )?(?:lost|closed|bad)"
    r"|the database system is (?:starting up|shutting down|not yet accepting|in recovery)"
    r"|could not (?:receive|send) data|consuming input failed|no connection to the server|ssl syscall|eof detected",
    re.IGNORECASE,
)


def is_disconnect(exc: BaseException) -> bool:
    """True when ``exc`` says the database connection was lost (or cannot be made just now)."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in _TRANSIENT_SQLSTATES
    return isinstance(exc, (OperationalError, InterfaceError)) and bool(_DISCONNECT.search(str(exc.orig)))


def retrying(work: Callable[[], T], *, what: str, window_s: float = RETRY_WINDOW_S) -> T:
    """``work()``, run again while it fails with a lost connection, for up to ``window_s``
    seconds; ``what`` names the unit in the log (never a URL: it may hold a password)."""
    deadline = time.monotonic() + window_s
    pause = FIRST_PAUSE_S
    attempt = 1
    while True:
        try:
            return work()
        except DBAPIError as exc:
            if not is_disconnect(exc) or time.monotonic() + pause > deadline:
                raise
            cause = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
            log.warning("%s: database connection lost (%s); try %d again in %.1f s", what, cause, attempt + 1, pause)
        time.sleep(pause)
        pause = min(pause * 2, MAX_PAUSE_S)
        attempt += 1
