"""The DAG's digest e-mail: sent through an Airflow SMTP connection, the same as the alerts.

The ``digest`` task writes every format, then, when ``POLICYWATCH_DIGEST_RECIPIENTS`` names a
recipients file and the connection ``POLICYWATCH_DIGEST_SMTP_CONN_ID`` (default: the alerts'
``POLICYWATCH_ALERT_SMTP_CONN_ID``, else ``smtp_default``) exists, e-mails it once per recipient
and day (policywatch.digests.send_digest). DAG files import this module at parse time: the SMTP
provider is imported where it is used.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from policywatch_airflow.alerts import alert_smtp_conn_id, smtp_connection_exists

if TYPE_CHECKING:
    from policywatch.digests import DeliveryReport

log = logging.getLogger("policywatch.digest_mail")


def digest_smtp_conn_id() -> str:
    return os.environ.get("POLICYWATCH_DIGEST_SMTP_CONN_ID") or alert_smtp_conn_id()


class AirflowSmtpMailer:
    """policywatch.digests.Mailer over Airflow's SmtpHook: host, port, TLS, login and the sender
    (the connection's ``from_email``) come from the connection."""

    def __init__(self, conn_id: str) -> None:
        self.conn_id = conn_id
        self._hook: Any = None
        self.sender = ""

    def __enter__(self) -> AirflowSmtpMailer:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        self._hook = SmtpHook(smtp_conn_id=self.conn_id).__enter__()
        self.sender = self._hook.from_email or "airflow@localhost"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._hook is not None:
            self._hook.__exit__(None, None, None)
            self._hook = None

    def send(self, message: EmailMessage) -> None:
        # SmtpHook.send_email_smtp builds an HTML-only message; the digest carries its own
        # multipart/alternative (plain text and HTML), so it goes through the hook's client.
        self._hook._smtp_client.send_message(message)


def send_daily_digest(logical_date: date, *, force: bool = False) -> DeliveryReport | None:
    """E-mail the day's digest when recipients and the connection are configured; None (and a
    log line) when either is missing: a deployment without e-mail is not an error."""
    from config import get_settings
    from policywatch.digests import send_digest

    settings = get_settings()
    if settings.digest_recipients_file is None:
        log.info("POLICYWATCH_DIGEST_RECIPIENTS unset: digest not e-mailed")
        return None
    conn_id = digest_smtp_conn_id()
    if not smtp_connection_exists(conn_id, "digest"):
        return None
    return send_digest(logical_date, settings, force=force, mailer=AirflowSmtpMailer(conn_id))
