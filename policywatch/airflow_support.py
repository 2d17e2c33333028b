"""What the Airflow DAGs need besides the pipeline stages: the window a run collects, and the
alerts (a failed task, a late run).

DAG files import this module at parse time, so it imports only the standard library and the
(lazily loading) Airflow SDK at module level; the SMTP provider is imported where it is used.

Alerts always go to the log (the task log for a failed task, the triggerer's log for a late run).
They are also e-mailed when ``POLICYWATCH_ALERT_EMAIL`` names recipients and the Airflow
connection ``POLICYWATCH_ALERT_SMTP_CONN_ID`` (default ``smtp_default``) exists, e.g.
``AIRFLOW_CONN_SMTP_DEFAULT='smtp://user:pass@mail.example.org:587?from_email=airflow@example.org'``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from airflow.sdk import Asset

log = logging.getLogger("policywatch.alerts")

# What the daily DAG updates, for data-aware scheduling of downstream DAGs. Each event's extra
# says what changed: the logical date and the counts (see dags/policywatch_daily.py).
ARTICLES_ASSET = Asset(name="policywatch_articles", uri="x-policywatch://articles", group="policywatch")
SUMMARIES_ASSET = Asset(name="policywatch_summaries", uri="x-policywatch://summaries", group="policywatch")

DEFAULT_LOOKBACK_DAYS = 30


def env_int(name: str, default: int) -> int:
    """An integer environment variable; a malformed value is refused with its name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None


def env_date(name: str) -> date | None:
    """A YYYY-MM-DD environment variable, None when unset; a malformed value is refused with its name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a date (YYYY-MM-DD)") from None


def local_timezone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("POLICYWATCH_TIMEZONE") or "Asia/Shanghai")


# ------------------------------------------------------------------------------------ run window


@dataclass(frozen=True)
class RunWindow:
    """The day a run collects (crawl_runs.logical_date, the digest's date) and the publication
    dates its crawl keeps: ``since`` .. ``until``, both included."""

    logical_date: date
    since: date | None
    until: date

    def describe(self) -> str:
        return f"{self.logical_date} (published {self.since or '…'} .. {self.until})"


def _as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def run_window(
    params: Mapping[str, Any],
    *,
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    run_after: datetime | None = None,
    tz: ZoneInfo | None = None,
) -> RunWindow:
    """The window of a DAG run.

    A scheduled or backfilled run collects its data interval: it keeps what was published from
    the interval's first local day minus ``lookback_days`` (sites publish late and back-date
    notices; re-reading a known article costs nothing, the upsert keeps one row) up to the
    interval's last local day, and never anything published after it, so a backfilled day holds
    only what that day could have seen. Params override: ``date`` (collect that day, as a manual
    run of it), ``since`` (an explicit first day), ``lookback_days``.
    """
    tz = tz or local_timezone()
    lookback = int(params.get("lookback_days") if params.get("lookback_days") is not None else DEFAULT_LOOKBACK_DAYS)
    if lookback < 0:
        raise ValueError(f"lookback_days must be >= 0, not {lookback}")
    chosen = _as_date(params.get("date"))
    if chosen is not None:
        first = last = chosen
    else:
        end = data_interval_end or run_after
        if end is None:
            raise ValueError("a run without a data interval needs params.date")
        last = end.astimezone(tz).date()
        first = (data_interval_start or end).astimezone(tz).date()
    since = _as_date(params.get("since")) or first - timedelta(days=lookback)
    if since > last:
        raise ValueError(f"since {since} is after the run's last day {last}")
    return RunWindow(logical_date=last, since=since, until=last)


# ---------------------------------------------------------------------------------------- alerts


def alert_recipients() -> list[str]:
    return [a.strip() for a in os.environ.get("POLICYWATCH_ALERT_EMAIL", "").split(",") if a.strip()]


def alert_smtp_conn_id() -> str:
    return os.environ.get("POLICYWATCH_ALERT_SMTP_CONN_ID") or "smtp_default"


def send_alert_email(subject: str, body: str) -> bool:
    """E-mail an alert through Airflow's SMTP provider when recipients and the connection are
    configured; returns whether a mail was sent. A missing connection is not an error: the log
    line is the alert then."""
    recipients = alert_recipients()
    if not recipients:
        return False
    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    conn_id = alert_smtp_conn_id()
    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        log.info("no SMTP connection %r: alert not e-mailed", conn_id)
        return False
    html = "<pre>" + body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</pre>"
    with SmtpHook(smtp_conn_id=conn_id) as hook:
        hook.send_email_smtp(to=recipients, subject=subject, html_content=html)
    log.info("alert e-mailed to %s", ", ".join(recipients))
    return True


def task_label(ti: Any) -> str:
    """``crawl[kjj_cq]`` for a mapped task instance (its rendered map index), else the task id."""
    if getattr(ti, "map_index", -1) is not None and getattr(ti, "map_index", -1) >= 0:
        name = getattr(ti, "rendered_map_index", None) or ti.map_index
        return f"{ti.task_id}[{name}]"
    return ti.task_id


def failure_message(context: Mapping[str, Any]) -> str:
    ti = context["ti"]
    dag_id = getattr(ti, "dag_id", None) or context["dag"].dag_id
    reason = context.get("exception")
    reason_text = (
        f"{type(reason).__name__}: {reason}" if isinstance(reason, BaseException) else str(reason or "unknown")
    )
    return (
        f"policywatch alert: {dag_id} run {context.get('run_id')} task {task_label(ti)} "
        f"failed on try {getattr(ti, 'try_number', '?')}: {reason_text}"
    )


class FailureAlert:
    """``on_failure_callback`` of every policywatch task: logs the failure (task, source and
    reason) and e-mails it when SMTP alerting is configured (see the module docstring).

    A plain callable rather than a BaseNotifier subclass so that the DAG file does not import
    the notifier machinery at parse time; Airflow calls it with the task's context."""

    def __call__(self, context: Mapping[str, Any]) -> None:
        message = failure_message(context)
        log.error("%s", message)
        print(message, flush=True)  # the task log shows it whatever the logging setup
        try:
            send_alert_email(message.split(":", 1)[1].strip()[:160], message)
        except Exception:  # an unreachable mail server must not hide the task's own failure
            log.exception("could not e-mail the alert")


def late_run_message(context: Mapping[str, Any] | None) -> str:
    run = (context or {}).get("dag_run") or {}
    deadline = (context or {}).get("deadline") or {}
    return (
        f"policywatch alert: {run.get('dag_id', '?')} run {run.get('dag_run_id') or run.get('run_id', '?')} "
        f"is late: not finished by its deadline {deadline.get('deadline_time', '?')} "
        f"(queued at {run.get('queued_at', '?')}, state {run.get('state', '?')})"
    )


async def report_late_run(context: Mapping[str, Any] | None = None, **_: Any) -> str:
    """Deadline Alert callback, run by the triggerer when a DAG run misses its deadline."""
    import asyncio

    message = late_run_message(context)
    log.warning("%s", message)
    print(message, flush=True)
    try:
        await asyncio.to_thread(send_alert_email, message.split(":", 1)[1].strip()[:160], message)
    except Exception:
        log.exception("could not e-mail the late-run alert")
    return message
