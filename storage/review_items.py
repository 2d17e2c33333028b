"""Reads of the review web app beside ``storage.reviews``'s queue: one summary as a queue item
(the page that takes a decision checks an edit against its article) and the light rows of a day's
queue that the app matches to the digest's themes (title and model text, no body)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.models import Article, Summary
from storage.reviews import QueueItem, _queue_item, _queue_statement, queue_rows


@dataclass(frozen=True)
class QueueText:
    article_id: int
    title: str
    text: str  # the model's summary


def review_item(session: Session, summary_id: int) -> QueueItem | None:
    """The summary ``summary_id`` with its article, source and newest current review; None when
    there is no such summary."""
    row = session.execute(queue_rows().where(Summary.id == summary_id)).first()
    return _queue_item(*row) if row is not None else None


def review_queue_texts(
    session: Session,
    *,
    day: date,
    tz: ZoneInfo | str,
    source_id: str | None = None,
    language: str | None = None,
    status: str | None = None,
    guard_decision: str | None = None,
) -> list[QueueText]:
    """(article id, title, summary text) of every item ``review_queue`` would list with these
    filters, all pages at once."""
    stmt = _queue_statement(
        day=day,
        tz=tz,
        source_id=source_id,
        language=language,
        status=status,
        guard_decision=guard_decision,
        article_ids=None,
    ).with_only_columns(Article.id, Article.title, Summary.text)
    return [QueueText(*row) for row in session.execute(stmt).all()]
