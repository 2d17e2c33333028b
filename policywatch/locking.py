"""The locks of a run (storage.database_lock), as the pipeline takes them.

* :func:`run_lock`: one per logical date. Two runs of the same day at once would crawl the same
  articles side by side (each counting what the other stored as unchanged) and summarize every
  article twice; the second run waits for the first (POLICYWATCH_RUN_LOCK=wait, up to
  POLICYWATCH_RUN_LOCK_TIMEOUT_S) or refuses (``refuse``), naming the date and the holder.
* :func:`summarize_lock`: one per database, always waited for: runs of different days, the
  Airflow summarize task and ``policywatch summarize`` never summarize the same article at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date

from config import Settings


class RunLocked(RuntimeError):
    """Another process holds the lock this stage needs; the message is one line for the operator."""


@contextmanager
def run_lock(settings: Settings, logical_date: date, run_id: str, *, wait: bool | None = None) -> Iterator[None]:
    """Hold the lock of ``logical_date``'s run; ``wait`` None: as POLICYWATCH_RUN_LOCK says."""
    from storage import LockBusy, database_lock, holder_label

    wait = settings.run_lock == "wait" if wait is None else wait
    with ExitStack() as stack:
        try:  # only the acquisition: a LockBusy of the block is the block's
            stack.enter_context(
                database_lock(
                    settings.database_url,
                    f"run-{logical_date.isoformat()}",
                    wait=wait,
                    timeout_s=settings.run_lock_timeout_s,
                    holder=f"{holder_label()}, run {run_id}",
                )
            )
        except LockBusy as exc:
            waited = f" (still held after waiting {exc.waited_s:.0f} s)" if exc.waited_s else ""
            raise RunLocked(
                f"the run of {logical_date.isoformat()} is already in progress: {exc.holder}{waited}; not started"
                + ("" if wait else " (POLICYWATCH_RUN_LOCK=refuse or --no-wait)")
            ) from None
        yield


@contextmanager
def summarize_lock(settings: Settings) -> Iterator[None]:
    """Hold the database's summarize lock (waiting up to POLICYWATCH_RUN_LOCK_TIMEOUT_S)."""
    from storage import LockBusy, database_lock

    with ExitStack() as stack:
        try:
            stack.enter_context(
                database_lock(settings.database_url, "summarize", wait=True, timeout_s=settings.run_lock_timeout_s)
            )
        except LockBusy as exc:
            raise RunLocked(f"summarizing is already in progress: {exc.holder} (waited {exc.waited_s:.0f} s)") from None
        yield
