"""How a crawl task ends: its log, and a source failure that is retried only when waiting can heal it.

The crawl report (policywatch.reports.CrawlReport) knows the failure's kind, from the crawl's health
verdict (crawlers/health.py): ``permanent`` (a list template that no longer matches, a 4xx other
than 408/429, a robots.txt deny, a JavaScript challenge) or ``transient`` (timeouts, connection
errors, 5xx, 408/429). This module only maps it onto Airflow:

* the task log: the one-line report first, the causes on the following lines, what Airflow will
  do (retry or not), the report again last;
* the task ends with :class:`SourceFailure`, whose :class:`SourceRetryPolicy` fails a permanent
  failure at once, like ``AirflowFailException``, and leaves a transient one to the task's retries
  (with their backoff).

Why not ``AirflowFailException`` itself: Airflow 3.3.2 logs every exception a task raises with its
traceback (a dozen frames of Airflow's own), which buries the cause. ``SourceFailure`` is a
``SystemExit``: Airflow logs it as one ``Task exited`` line carrying the report, then asks the retry
policy. The original :class:`policywatch.reports.SourceCrawlError` is its ``__cause__``, which the
failure alert names (policywatch_airflow/alerts.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from airflow.sdk.definitions.retry_policy import RetryDecision, RetryPolicy

if TYPE_CHECKING:
    from policywatch.reports import CrawlReport

log = logging.getLogger("policywatch.task")
PERMANENT = "permanent"  # crawlers.health.PERMANENT (not imported: DAG files import this at parse time)


class SourceFailure(SystemExit):
    """An expected source failure ending its task: ``line`` is what the log shows."""

    def __init__(self, line: str, *, permanent: bool) -> None:
        super().__init__(line)
        self.line = line
        self.permanent = permanent

    def __str__(self) -> str:
        return self.line


class SourceRetryPolicy(RetryPolicy):
    """No retry for a permanent :class:`SourceFailure`; the task's own retries for anything else."""

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int, context: Any = None) -> RetryDecision:
        if isinstance(exception, SourceFailure) and exception.permanent:
            return RetryDecision.fail("permanent source failure: waiting will not heal it, not retried")
        return RetryDecision.default()

    def serialize(self) -> dict[str, Any]:
        return {}  # stateless; only the task process evaluates it (the scheduler sees the outcome)


def what_happens_next(kind: str | None, try_number: int, max_tries: int) -> str:
    """The log's last word on a failed crawl: whether Airflow retries it, and what to do."""
    if kind == PERMANENT:
        return "permanent failure: not retried (fix the source or its registry entry, then clear this task)"
    if try_number <= max_tries:
        return f"transient failure: try {try_number} of {max_tries + 1}, Airflow retries it with backoff"
    return f"transient failure: try {try_number} of {max_tries + 1}, no retry left (clear this task to try again)"


def say(line: str) -> None:
    """A line of the task log, through logging: it reaches the log on the same channel as Airflow's
    own lines. (A task's stdout is read from a pipe of its own; a task ended by
    :class:`SourceFailure` lost what it had printed last.)"""
    log.info("%s", line)


def end_crawl_task(report: CrawlReport, *, try_number: int = 1, max_tries: int = 0) -> None:
    """Log the crawl's report; raise :class:`SourceFailure` when it failed or is broken."""
    say(report.line())
    if report.ok and not report.details():
        return
    for line in report.details():
        say(line)
    if report.ok:
        say(report.line())
        return
    say(f"  {what_happens_next(report.kind, try_number, max_tries)}")
    say(report.line())
    from policywatch.reports import SourceCrawlError

    raise SourceFailure(report.line(), permanent=report.kind == PERMANENT) from SourceCrawlError(report)
