"""The ``digest_deliveries`` table: which recipient got which day's digest e-mail, so a re-run of
the day sends nothing twice unless asked."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.common import as_date, dialect_insert, utcnow
from storage.models import DigestDelivery


def digest_delivered(session: Session, logical_date: date | datetime | str, recipient: str) -> bool:
    """Whether ``recipient`` (any case) was already sent the digest of ``logical_date``."""
    found = session.execute(
        select(DigestDelivery.id).where(
            DigestDelivery.logical_date == as_date(logical_date), DigestDelivery.recipient == recipient.lower()
        )
    ).first()
    return found is not None


def record_digest_delivery(
    session: Session, *, logical_date: date | datetime | str, recipient: str, message_id: str, stories: int
) -> None:
    """Record a sent digest e-mail; a forced re-send updates the row and counts it."""
    now = utcnow()
    table = DigestDelivery.__table__
    stmt = dialect_insert(session, table).values(
        logical_date=as_date(logical_date),
        recipient=recipient.lower(),
        message_id=message_id,
        stories=stories,
        sends=1,
        sent_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.logical_date, table.c.recipient],
        set_={
            "message_id": stmt.excluded.message_id,
            "stories": stmt.excluded.stories,
            "sent_at": stmt.excluded.sent_at,
            "sends": table.c.sends + 1,
        },
    )
    session.execute(stmt)
