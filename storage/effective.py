"""The effective summary of an article: what the digest, the summary feed and the read API show.

Precedence, per article: an approved edit (the analyst's text), else an approved model summary,
else the unreviewed model summary (newest first within each rank); a rejected summary never.
With ``require_review`` an unreviewed summary is left out too. Only *current* reviews count
(``storage.reviews``: the review judged the summary's present text). The ``summary_feed`` view
(migration 0005) states the same precedence in SQL; tests/test_storage_reviews.py checks that
the two agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Review, Summary, User
from storage.reviews import STATUS_OF_DECISION, current_reviews

EDIT_ORIGIN = "edit"  # summary_origin of an analyst's text (else the model_id)
_RANK = {"edited": 0, "approved": 1, "unreviewed": 2}


@dataclass(frozen=True)
class EffectiveSummary:
    """The text to show for an article, where it comes from and who reviewed it."""

    summary: Summary  # the model's summary row it rests on (ORM, inside the session)
    text: str  # the edit's text for "edited", else the model's
    origin: str  # the model_id, or "edit"
    status: str  # edited | approved | unreviewed
    reviewer: str | None  # the analyst of the current review (None: unreviewed)

    @property
    def mark(self) -> str | None:
        """The digest's note: "edited by NAME", "reviewed by NAME" (None: unreviewed)."""
        if self.status == "edited":
            return f"edited by {self.reviewer}"
        if self.status == "approved":
            return f"reviewed by {self.reviewer}"
        return None


def effective_summaries(
    session: Session, article_ids: Iterable[int], *, backend: str | None = None, require_review: bool = False
) -> dict[int, EffectiveSummary]:
    """The effective summary of each article of ``article_ids`` that has one (of ``backend``
    only, when given). One query."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return {}
    current = current_reviews()
    stmt = (
        select(Summary, Review.decision, Review.edited_text, User.name)
        .outerjoin(current, current.c.summary_id == Summary.id)
        .outerjoin(Review, Review.id == current.c.review_id)
        .outerjoin(User, User.id == Review.reviewer_id)
        .where(Summary.article_id.in_(ids))
        .order_by(Summary.article_id, Summary.updated_at.desc(), Summary.id.desc())
    )
    if backend is not None:
        stmt = stmt.where(Summary.backend == backend)
    best: dict[int, EffectiveSummary] = {}
    for summary, decision, edited_text, reviewer in session.execute(stmt).all():
        status = STATUS_OF_DECISION[decision] if decision else "unreviewed"
        if status == "rejected" or (require_review and status == "unreviewed"):
            continue
        held = best.get(summary.article_id)
        # rows come newest first: a later row wins only with a better rank
        if held is None or _RANK[status] < _RANK[held.status]:
            edited = status == "edited"
            best[summary.article_id] = EffectiveSummary(
                summary=summary,
                text=edited_text if edited else summary.text,
                origin=EDIT_ORIGIN if edited else summary.model_id,
                status=status,
                reviewer=reviewer,
            )
    return best
