"""Alerts of the DAGs: a failed task, a late run.

Alerts always go to the log (the task log for a failed task, the triggerer's log for a late run).
They are also e-mailed when ``POLICYWATCH_ALERT_EMAIL`` names recipients and the Airflow
connection ``POLICYWATCH_ALERT_SMTP_CONN_ID`` (default ``smtp_default``) exists, e.g.
``AIRFLOW_CONN_SMTP_DEFAULT='smtp://user:pass@mail.example.org:587?from_email=airflow@example.org'``.
DAG files import this module at parse time: the SMTP provider is imported where it is used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

log = logging.getLogger("policywatch.alerts")


def alert_recipients() -> list[str]:
    return [a.strip() for a in os.environ.get("POLICYWATCH_ALERT_EMAIL", "").split(",") if a.strip()]


def alert_smtp_conn_id() -> str:
    return os.environ.get("POLICYWATCH_ALERT_SMTP_CONN_ID") or "smtp_default"


def smtp_connection_exists(conn_id: str, what: str) -> bool:
    """Whether the Airflow connection ``conn_id`` exists; when not, logs that ``what`` (an alert,
    the digest) is not e-mailed: a deployment without e-mail is not an error."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        log.info("no SMTP connection %r: %s not e-mailed", conn_id, what)
        return False
    return True


def send_alert_email(subject: str, body: str) -> bool:
    """E-mail an alert through Airflow's SMTP provider when recipients and the connection are
    configured; returns whether a mail was sent. A missing connection is not an error: the log
    line is the alert then."""
    recipients = alert_recipients()
    if not recipients:
        return False
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    conn_id = alert_smtp_conn_id()
    if not smtp_connection_exists(conn_id, "alert"):
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
    if isinstance(reason, SystemExit) and isinstance(reason.__cause__, Exception):
        # a SourceFailure (policywatch_airflow/source_failures.py): the crawl's own error says why
        reason = reason.__cause__
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
