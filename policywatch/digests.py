"""The digest stage of a day: read what the day's crawls stored, build the one digest model, write
its formats, and e-mail it to the recipients (once per recipient and day, recorded in
``digest_deliveries``). Shared by the CLI, the DAG (which sends through Airflow's SMTP
connection: policywatch_airflow/digest_mail.py) and the tests."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

from config import ConfigError, Settings, SmtpSettings, get_settings

if TYPE_CHECKING:
    from digest import Digest, DigestFiles

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    logical_date: date
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)  # skipped: sent before, not forced

    def line(self) -> str:
        text = f"digest e-mail of {self.logical_date}: sent to {len(self.sent)}"
        if self.already_sent:
            text += f", {len(self.already_sent)} already sent before (--force to send again)"
        return text


class Mailer(Protocol):
    """Where digest e-mails go: an open connection for the time of a ``with`` block."""

    sender: str

    def __enter__(self) -> Mailer: ...

    def __exit__(self, *exc: object) -> None: ...

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """The CLI's mailer: the SMTP server of POLICYWATCH_SMTP_* (config.SmtpSettings)."""

    def __init__(self, smtp: SmtpSettings, timeout_s: float = 30) -> None:
        self.smtp = smtp
        self.sender = smtp.sender
        self.timeout_s = timeout_s
        self._client = None

    def __enter__(self) -> SmtpMailer:
        import smtplib
        import ssl

        smtp = self.smtp
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=self.timeout_s, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=self.timeout_s)
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        self._client = client
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except Exception:  # the messages are sent; a failed goodbye loses nothing
                self._client.close()
            self._client = None

    def send(self, message: EmailMessage) -> None:
        self._client.send_message(message)


def load_digest(
    logical_date: date, settings: Settings | None = None, *, until: date | None = None, new_since: date | None = None
) -> Digest:
    """The digest model of ``logical_date`` (to ``until``) from the database."""
    from digest import SourceCheck, build_digest_model
    from digest.render import iter_sections_from_entries
    from digest.themes import load_themes
    from storage import (
        article_bodies,
        digest_neighbour_dates,
        digest_source_runs,
        iter_digest_entries,
        session_scope,
    )

    settings = settings or get_settings()
    with session_scope(settings.database_url) as session:
        runs = digest_source_runs(session, logical_date, until=until)
        previous, following = digest_neighbour_dates(session, logical_date, until=until)
        checks = [
            SourceCheck(
                source_id=run.source_id,
                source_name=run.source_name,
                status=run.status,
                health=run.health,
                # a failed crawl without a health verdict says why in its errors
                reasons=run.health_reasons or run.error_messages[:3],
            )
            for run in runs
        ]
        # the day streamed into the model: each article's body is dropped once the digest has
        # what it needs of it, and the near-duplicate candidates' bodies are read again
        entries = iter_digest_entries(session, logical_date, until=until, require_review=settings.digest_require_review)
        return build_digest_model(
            logical_date,
            iter_sections_from_entries(entries, settings.timezone),
            datetime.now(UTC).astimezone(settings.timezone),
            last_day=until,
            new_since=new_since,
            checks=checks,
            themes=load_themes(settings.digest_themes_file),
            previous=previous,
            following=following,
            bodies=lambda items: article_bodies(session, [item.article_id for item in items]),
        )


def build_digest(
    logical_date: date,
    settings: Settings | None = None,
    *,
    until: date | None = None,
    formats: Iterable[str] | None = None,
    new_since: date | None = None,
    digest: Digest | None = None,
) -> DigestFiles:
    """Write the digest of ``logical_date`` (to ``until``) in ``formats`` (default: all four)."""
    from digest import FORMATS, write_digest_files

    settings = settings or get_settings()
    digest = digest or load_digest(logical_date, settings, until=until, new_since=new_since)
    return write_digest_files(settings.digest_dir, digest, tuple(formats or FORMATS))


def send_digest(
    logical_date: date,
    settings: Settings | None = None,
    *,
    until: date | None = None,
    force: bool = False,
    mailer: Mailer | None = None,
    digest: Digest | None = None,
) -> DeliveryReport:
    """E-mail the digest to every recipient of POLICYWATCH_DIGEST_RECIPIENTS, filtered for each,
    once per recipient and day (``force``: again). ``mailer`` defaults to POLICYWATCH_SMTP_*."""
    from digest.mail import digest_for, digest_message, load_recipients
    from storage import digest_delivered, record_digest_delivery, session_scope

    settings = settings or get_settings()
    report = DeliveryReport(logical_date)
    if settings.digest_recipients_file is None:
        raise ConfigError("POLICYWATCH_DIGEST_RECIPIENTS is not set: nobody to send the digest to")
    digest = digest or load_digest(logical_date, settings, until=until)
    recipients = load_recipients(settings.digest_recipients_file, theme_ids={t.id for t in digest.themes})
    if mailer is None:
        if settings.smtp is None:
            raise ConfigError("POLICYWATCH_SMTP_HOST is not set: no SMTP server to send the digest through")
        mailer = SmtpMailer(settings.smtp)
    pending = []
    with session_scope(settings.database_url) as session:
        for recipient in recipients:
            if not force and digest_delivered(session, logical_date, recipient.address):
                report.already_sent.append(recipient.address)
            else:
                pending.append(recipient)
    if not pending:
        return report
    with mailer:
        for recipient in pending:
            theirs = digest_for(digest, recipient)
            message = digest_message(theirs, recipient, mailer.sender)
            mailer.send(message)
            # recorded right after each send: a failure later never causes a second e-mail
            with session_scope(settings.database_url) as session:
                record_digest_delivery(
                    session,
                    logical_date=logical_date,
                    recipient=recipient.address,
                    message_id=str(message["Message-ID"]),
                    stories=len(theirs.stories),
                )
            report.sent.append(recipient.address)
            log.info("digest of %s e-mailed to %s (%d stories)", logical_date, recipient.address, len(theirs.stories))
    return report
