"""The locks of a run (storage.database_lock), as the pipeline takes them.

* :func:`run_lock`: one per logical date. Two runs of the same day at once would crawl the same
  articles side by side (each counting what the other stored as unchanged) and summarize every
  article twice; the second run waits for the first (POLICYWATCH_RUN_LOCK=wait, up to
  POLICYWATCH_RUN_LOCK_TIMEOUT_S) or refuses (``refuse``), naming the date and the holder.
* :func:`crawl_lock`: one per logical date and source, taken by every crawl (the Airflow DAG's
  crawl tasks, which take no run lock, too): two crawls of a source and day at once would count
  each other's articles as unchanged. Waited for or refused as the run lock is. A run holds its
  day's run lock, then each crawl's lock, never the other way round: no deadlock.
* :func:`summarize_lock`: one per database, always waited for: runs of different days, the
  Airflow summarize task and ``policywatch summarize`` never summarize the same article at once.

Each yields a :class:`StageLock`. A restarted PostgreSQL drops the locks under their holders:
``ensure(before)`` takes a lock back or stops with :class:`RunLocked`; a daily run calls it on its
run lock after the crawls and before the digest, the summarize stage on its lock before it saves
each batch (a crawl does not check its lock on the way: the lock is held by the process that
started the Scrapy process, which cannot see it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import date
from typing import TYPE_CHECKING

from config import Settings

if TYPE_CHECKING:
    from storage import HeldLock, LockBusy


class RunLocked(RuntimeError):
    """Another process holds the lock this stage needs; the message is one line for the operator."""


class StageLock:
    """A lock the pipeline holds: ``what`` names it in a message (``the run lock of 2024-03-05``)."""

    def __init__(self, held: HeldLock, what: str) -> None:
        self.held, self.what = held, what

    def ensure(self, before: str) -> None:
        """Go on only if the lock is still held (taken back if a restarted database dropped it and
        nobody took it meanwhile); else :class:`RunLocked`, stopping before ``before``."""
        from storage import LockLost

        try:
            self.held.ensure()
        except LockLost as exc:
            raise RunLocked(
                f"{self.what} was lost (database restarted?) and is now held by {exc.holder}; stopped before {before}"
            ) from None


@contextmanager
def _stage_lock(
    settings: Settings,
    name: str,
    what: str,
    refused: Callable[[LockBusy], str],
    *,
    wait: bool,
    timeout_s: float,
    holder: str | None = None,
) -> Iterator[StageLock]:
    """Hold the database lock ``name``; its :class:`LockBusy` becomes :class:`RunLocked` with the
    line ``refused(exc)``."""
    from storage import LockBusy, database_lock

    with ExitStack() as stack:
        try:  # only the acquisition: a LockBusy of the block is the block's
            held = stack.enter_context(
                database_lock(settings.database_url, name, wait=wait, timeout_s=timeout_s, holder=holder)
            )
        except LockBusy as exc:
            raise RunLocked(refused(exc)) from None
        yield StageLock(held, what)


def _in_progress(what: str, wait: bool) -> Callable[[LockBusy], str]:
    """The line of a refused run or crawl: ``what`` is already in progress, by whom, and why refused."""

    def line(exc: LockBusy) -> str:
        waited = f" (still held after waiting {exc.waited_s:.0f} s)" if exc.waited_s else ""
        return f"{what} is already in progress: {exc.holder}{waited}; not started" + (
            "" if wait else " (POLICYWATCH_RUN_LOCK=refuse or --no-wait)"
        )

    return line


def _day_lock(
    settings: Settings, name: str, what: str, work: str, run_id: str, wait: bool | None, timeout_s: float
) -> AbstractContextManager[StageLock]:
    """The lock of a day's ``work`` (a run, a crawl), its holder named with ``run_id``; ``wait``
    None: as POLICYWATCH_RUN_LOCK says."""
    from storage import holder_label

    wait = settings.run_lock == "wait" if wait is None else wait
    return _stage_lock(
        settings,
        name,
        what,
        _in_progress(work, wait),
        wait=wait,
        timeout_s=timeout_s,
        holder=f"{holder_label()}, run {run_id}",
    )


def run_lock(
    settings: Settings, logical_date: date, run_id: str, *, wait: bool | None = None
) -> AbstractContextManager[StageLock]:
    """Hold the lock of ``logical_date``'s run; ``wait`` None: as POLICYWATCH_RUN_LOCK says."""
    day = logical_date.isoformat()
    return _day_lock(
        settings, f"run-{day}", f"the run lock of {day}", f"the run of {day}", run_id, wait, settings.run_lock_timeout_s
    )


def crawl_lock(
    settings: Settings,
    logical_date: date,
    source_id: str,
    run_id: str,
    *,
    wait: bool | None = None,
    timeout_s: float | None = None,
) -> AbstractContextManager[StageLock]:
    """Hold the lock of the crawl of ``source_id`` for ``logical_date``; ``wait`` None: as
    POLICYWATCH_RUN_LOCK says, for up to ``timeout_s`` (default POLICYWATCH_RUN_LOCK_TIMEOUT_S)."""
    day = logical_date.isoformat()
    return _day_lock(
        settings,
        f"crawl-{day}-{source_id}",
        f"{source_id}: the crawl lock of {day}",
        f"{source_id}: the crawl of {day}",
        run_id,
        wait,
        settings.run_lock_timeout_s if timeout_s is None else timeout_s,
    )


def summarize_lock(settings: Settings) -> AbstractContextManager[StageLock]:
    """Hold the database's summarize lock (waiting up to POLICYWATCH_RUN_LOCK_TIMEOUT_S)."""
    return _stage_lock(
        settings,
        "summarize",
        "the summarize lock",
        lambda exc: f"summarizing is already in progress: {exc.holder} (waited {exc.waited_s:.0f} s)",
        wait=True,
        timeout_s=settings.run_lock_timeout_s,
    )
