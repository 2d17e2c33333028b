"""The ``reviews`` table: analysts' decisions on summaries, and the review queue.

Design (the issue's "the old review stays attached to what it reviewed"): a summary is one row
per (article, backend, model_id), re-made in place by ``save_summary``. A review is an
append-only row that keeps the summary's id *and* what it judged: a snapshot of the model's
text (``reviewed_text``), the article content hash the text was made from, the model version and
the summary's ``updated_at`` then. A review is **current** while the summary still has that
text and content hash; the newest current review (highest id) gives the summary's status
(approved, edited, rejected; none: unreviewed). When the article is re-summarized to another
text, or its content changed, the old review stays, with the text it judged
(``summary_reviews`` lists it, ``current=False``), and the summary is unreviewed again. A
re-make that yields the very same text of the same content keeps its review: the analyst judged
exactly that text against exactly that article. Text and hash rather than ``updated_at``: a
timestamp's equality depends on how each writer stored it (SQLite keeps text). The model's
summary is never written over: an edit lives in ``reviews.edited_text``. Keeping superseded
summary rows instead would change the ``summaries`` table and every reader of it.

Functions: :func:`record_review` (-> :class:`ReviewView`), :func:`summary_reviews`,
:func:`review_queue` (-> :class:`QueuePage` of :class:`QueueItem`), and :func:`current_reviews`,
the SQL of "the newest current review of each summary" that the effective summary shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Subquery, and_, case, func, select
from sqlalchemy.orm import Session

from storage.article_facts import key_facts
from storage.common import utcnow
from storage.models import REVIEW_DECISIONS, Article, Review, Source, Summary, User
from storage.types import canonical_json

REVIEW_STATUSES = ("unreviewed", "approved", "edited", "rejected")
GUARD_DECISIONS = ("passed", "failed", "unchecked")  # the faithfulness guard's verdict on the model text
STATUS_OF_DECISION = {"approve": "approved", "edit": "edited", "reject": "rejected"}


class StaleSummaryError(ValueError):
    """The summary was re-made after the reviewer saw it: the decision would judge another text."""


@dataclass(frozen=True)
class ReviewView:
    """One review as stored; ``current``: it judged the summary as it is now."""

    id: int
    summary_id: int
    reviewer_id: int
    reviewer: str
    decision: str  # approve | edit | reject
    edited_text: str | None
    reason: str | None
    guard: dict[str, Any] | None
    summary_updated_at: datetime
    reviewed_text: str
    reviewed_content_hash: str
    reviewed_model_version: str
    created_at: datetime
    current: bool


@dataclass(frozen=True)
class LatestReview:
    """The newest current review of a queue item's summary."""

    id: int
    reviewer: str
    decision: str
    edited_text: str | None
    reason: str | None
    guard: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True)
class QueueItem:
    summary_id: int
    article_id: int
    url: str
    title: str
    body: str
    source_id: str
    source_name: str
    language: str
    published_at: datetime | None
    summary_text: str  # the model's text, never an edit
    backend: str
    model_id: str
    model_version: str
    parameters: dict[str, Any]
    guard: dict[str, Any] | None
    summary_updated_at: datetime  # pass back to record_review(expected_updated_at=...)
    status: str  # unreviewed | approved | edited | rejected
    latest_review: LatestReview | None
    # deadline, funding, 文号... of a notice in one line (storage.key_facts; "" when none)
    key_facts_line: str = ""


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int  # items matching the filters, all pages
    offset: int
    limit: int


def current_reviews() -> Subquery:
    """(summary_id, review_id): the newest review of each summary that judged its current text
    (review_id NULL: only reviews of earlier texts)."""
    # the test inside the aggregate, not in the join: PostgreSQL estimates the join's three
    # equalities at one row and plans nested loops (as in the summary_feed view, migration 0005)
    return (
        select(Review.summary_id, func.max(case((is_current(Review, Summary), Review.id))).label("review_id"))
        .join(Summary, Summary.id == Review.summary_id)
        .group_by(Review.summary_id)
        .subquery("current_review")
    )


def is_current(review: Any, summary: Any) -> Any:
    """SQL: the review judged the summary's current text of the current article content."""
    return and_(review.reviewed_text == summary.text, review.reviewed_content_hash == summary.content_hash)


def status_of(decision: Any) -> Any:
    """SQL: the review status of a (possibly NULL) current review's decision."""
    return case(*((decision == d, s) for d, s in STATUS_OF_DECISION.items()), else_="unreviewed")


def _clean(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else value


def record_review(
    session: Session,
    *,
    summary_id: int,
    reviewer_id: int,
    decision: str,
    edited_text: str | None = None,
    reason: str | None = None,
    guard: dict[str, Any] | None = None,
    expected_updated_at: datetime | None = None,
) -> ReviewView:
    """Append a review of the summary as it is now (its text and ``updated_at`` are kept with it).

    ``edit`` needs ``edited_text``, ``reject`` a ``reason``; only an edit has an edited text (and
    the ``guard`` flags computed on it). The reviewer must be an enabled analyst. With
    ``expected_updated_at`` (the ``summary_updated_at`` the reviewer was shown) a summary re-made
    since (any change of it) raises :class:`StaleSummaryError`. Any refusal is a ``ValueError`` saying why."""
    if decision not in REVIEW_DECISIONS:
        raise ValueError(f"unknown review decision {decision!r}; known: {', '.join(REVIEW_DECISIONS)}")
    edited_text, reason = _clean(edited_text), _clean(reason)
    if decision == "edit" and edited_text is None:
        raise ValueError("an edit needs the edited text (empty or missing)")
    if decision != "edit" and (edited_text is not None or guard is not None):
        raise ValueError(f"only an edit has an edited text and its guard flags, not a decision {decision!r}")
    if decision == "reject" and reason is None:
        raise ValueError("a rejection needs a reason (empty or missing)")
    summary = session.get(Summary, summary_id, populate_existing=True)
    if summary is None:
        raise ValueError(f"no summary with id {summary_id}")
    reviewer = session.get(User, reviewer_id)
    if reviewer is None:
        raise ValueError(f"no user with id {reviewer_id}")
    if reviewer.disabled or reviewer.role != "analyst":
        why = "is disabled" if reviewer.disabled else f"is a {reviewer.role}, not an analyst"
        raise ValueError(f"user {reviewer.name!r} {why}: only analysts review summaries")
    if expected_updated_at is not None and expected_updated_at != summary.updated_at:
        raise StaleSummaryError(
            f"summary {summary_id} was re-made at {summary.updated_at.isoformat()}, after the version "
            f"of {expected_updated_at.isoformat()} that was reviewed: review the new text"
        )
    review = Review(
        summary_id=summary.id,
        reviewer_id=reviewer.id,
        decision=decision,
        edited_text=edited_text,
        reason=reason,
        guard=canonical_json(guard),
        summary_updated_at=summary.updated_at,
        reviewed_text=summary.text,
        reviewed_content_hash=summary.content_hash,
        reviewed_model_version=summary.model_version,
        created_at=utcnow(),
    )
    session.add(review)
    session.flush()
    return _review_view(review, reviewer.name, current=True)


def _review_view(review: Review, reviewer: str, *, current: bool) -> ReviewView:
    return ReviewView(
        id=review.id,
        summary_id=review.summary_id,
        reviewer_id=review.reviewer_id,
        reviewer=reviewer,
        decision=review.decision,
        edited_text=review.edited_text,
        reason=review.reason,
        guard=review.guard,
        summary_updated_at=review.summary_updated_at,
        reviewed_text=review.reviewed_text,
        reviewed_content_hash=review.reviewed_content_hash,
        reviewed_model_version=review.reviewed_model_version,
        created_at=review.created_at,
        current=current,
    )


def summary_reviews(session: Session, summary_id: int) -> list[ReviewView]:
    """Every review of the summary, newest first, those of earlier versions of it included."""
    rows = session.execute(
        select(Review, User.name, is_current(Review, Summary))
        .join(User, User.id == Review.reviewer_id)
        .join(Summary, Summary.id == Review.summary_id)
        .where(Review.summary_id == summary_id)
        .order_by(Review.id.desc())
    ).all()
    return [_review_view(review, name, current=bool(current)) for review, name, current in rows]


def local_day_bounds(day: date, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
    """[start, end) of the calendar ``day`` in the time zone ``tz``, as aware datetimes."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    start = datetime.combine(day, time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


def queue_rows(current: Subquery | None = None) -> Select:
    """Every summary with its article, source name, newest current review and reviewer: the rows
    ``_queue_item`` reads (unfiltered)."""
    current = current if current is not None else current_reviews()
    return (
        select(Summary, Article, Source.name, Review, User.name)
        .join(Article, Article.id == Summary.article_id)
        .join(Source, Source.id == Article.source_id)
        .outerjoin(current, current.c.summary_id == Summary.id)
        .outerjoin(Review, Review.id == current.c.review_id)
        .outerjoin(User, User.id == Review.reviewer_id)
    )


def _queue_statement(
    *,
    day: date,
    tz: ZoneInfo | str,
    source_id: str | None,
    language: str | None,
    status: str | None,
    guard_decision: str | None,
    article_ids: Sequence[int] | None,
    ids_only: bool = False,
) -> Select:
    """The queue's rows; ``ids_only``: only the summary ids (for the total and a page's ids), joined
    to the reviews only when the status filter needs them."""
    current = current_reviews()
    start, end = local_day_bounds(day, tz)
    if ids_only:
        stmt = select(Summary.id).join(Article, Article.id == Summary.article_id)
        if status is not None:
            stmt = stmt.outerjoin(current, current.c.summary_id == Summary.id).outerjoin(
                Review, Review.id == current.c.review_id
            )
    else:
        stmt = queue_rows(current)
    stmt = stmt.where(Article.published_at >= start, Article.published_at < end)
    if source_id is not None:
        stmt = stmt.where(Article.source_id == source_id)
    if language is not None:
        stmt = stmt.where(Summary.language == language)
    if article_ids is not None:
        stmt = stmt.where(Article.id.in_(list(article_ids)))
    if status is not None:
        if status not in REVIEW_STATUSES:
            raise ValueError(f"unknown review status {status!r}; known: {', '.join(REVIEW_STATUSES)}")
        stmt = stmt.where(status_of(Review.decision) == status)
    if guard_decision is not None:
        if guard_decision not in GUARD_DECISIONS:
            raise ValueError(f"unknown guard decision {guard_decision!r}; known: {', '.join(GUARD_DECISIONS)}")
        passed = Summary.guard["passed"].as_boolean()
        stmt = stmt.where(
            {"passed": passed.is_(True), "failed": passed.is_(False), "unchecked": passed.is_(None)}[guard_decision]
        )
    return stmt


def review_queue(
    session: Session,
    *,
    day: date,
    tz: ZoneInfo | str,
    source_id: str | None = None,
    language: str | None = None,
    status: str | None = None,
    guard_decision: str | None = None,
    article_ids: Sequence[int] | None = None,
    offset: int = 0,
    limit: int = 50,
) -> QueuePage:
    """The summaries of articles published on ``day`` in the time zone ``tz`` (undated articles
    are not in a day: reach them with ``article_ids``), newest first, with each one's status and
    newest current review; filtered by source, summary language, status (unreviewed | approved |
    edited | rejected), the guard's verdict on the model text (passed | failed | unchecked) and
    article ids. One query for ``total``, one for the page's ids, one for its rows."""
    if offset < 0 or limit < 1:
        raise ValueError(f"review_queue needs offset >= 0 and limit >= 1, not offset={offset} limit={limit}")
    filters = {
        "day": day,
        "tz": tz,
        "source_id": source_id,
        "language": language,
        "status": status,
        "guard_decision": guard_decision,
        "article_ids": article_ids,
    }
    stmt = _queue_statement(**filters)
    # the total and the page's ids from narrow rows (indexes, no review joins unless filtered by
    # status), then the page's rows whole: an offset deep into 10,000 summaries skips ids, not bodies
    narrow = _queue_statement(**filters, ids_only=True)
    total = session.execute(select(func.count()).select_from(narrow.subquery())).scalar_one()
    order = (Article.published_at.desc(), Article.id.desc(), Summary.id)
    ids = session.execute(narrow.order_by(*order).offset(offset).limit(limit)).scalars().all()
    rows = session.execute(stmt.where(Summary.id.in_(ids)).order_by(*order)).all() if ids else []
    return QueuePage([_queue_item(*row) for row in rows], total, offset, limit)


def _queue_item(
    summary: Summary, article: Article, source_name: str, review: Review | None, reviewer: str | None
) -> QueueItem:
    latest = None
    if review is not None:
        latest = LatestReview(
            review.id,
            reviewer or "",
            review.decision,
            review.edited_text,
            review.reason,
            review.guard,
            review.created_at,
        )
    return QueueItem(
        summary_id=summary.id,
        article_id=article.id,
        url=article.url,
        title=article.title,
        body=article.body,
        source_id=article.source_id,
        source_name=source_name,
        language=summary.language,
        published_at=article.published_at,
        summary_text=summary.text,
        backend=summary.backend,
        model_id=summary.model_id,
        model_version=summary.model_version,
        parameters=summary.parameters or {},
        guard=summary.guard,
        summary_updated_at=summary.updated_at,
        status=STATUS_OF_DECISION[review.decision] if review is not None else "unreviewed",
        latest_review=latest,
        key_facts_line=facts.line(article.language) if (facts := key_facts(article)) else "",
    )
