"""An analyst's decision on a summary, stored append-only by storage.record_review. An edited text
goes through the pipeline's faithfulness guard against its article (title and body, as
policywatch.pipeline checks a new summary). An edit the guard flags is not stored at once: the page
shows what it flagged, and the analyst saves it anyway (``confirmed``) or changes it; the flags are
stored on the review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

DECISIONS = ("approve", "edit", "reject")
MAX_TEXT = 5000
MAX_REASON = 1000


class DecisionError(ValueError):
    """A decision the form sent cannot be stored (unknown decision, missing text or reason)."""


class UnknownSummary(LookupError):
    pass


@dataclass(frozen=True)
class Outcome:
    decision: str
    summary_id: int
    guard: dict | None  # the guard's result on an edited text
    item: object = None  # storage.QueueItem of the summary
    stored: bool = True  # False: a flagged edit waiting for the analyst to confirm it

    @property
    def message(self) -> str:
        verb = {"approve": "approved", "edit": "edited", "reject": "rejected"}[self.decision]
        text = f"summary {self.summary_id} {verb}"
        if self.guard is not None and not self.guard.get("passed", True):
            text += f"; the faithfulness guard flagged the edit: {self.guard.get('reason')}"
        return text


def edit_guard(text: str, title: str | None, body: str | None) -> dict:
    from summarizer.guard import check

    return check(text, f"{title or ''}\n{body or ''}").to_dict()


def decide(
    session: Session,
    *,
    summary_id: int,
    reviewer_id: int,
    decision: str,
    text: str = "",
    reason: str = "",
    seen: datetime | None = None,
    confirmed: bool = False,
) -> Outcome:
    """Store one decision on ``summary_id``: approve, edit (``text``, checked by the guard) or
    reject (``reason``). ``seen``: the summary's ``summary_updated_at`` on the page the analyst
    decided on; a summary re-made since raises storage.StaleSummaryError. A flagged edit is only
    stored when ``confirmed`` (else the outcome says ``stored=False``, with the guard's flags)."""
    from storage import record_review, review_item

    if decision not in DECISIONS:
        raise DecisionError(f"unknown decision {decision!r}: expected one of {', '.join(DECISIONS)}")
    text, reason = text.strip(), reason.strip()
    if decision == "edit" and not text:
        raise DecisionError("an edit needs the edited text")
    if decision == "reject" and not reason:
        raise DecisionError("a rejection needs a reason")
    if len(text) > MAX_TEXT or len(reason) > MAX_REASON:
        raise DecisionError(f"too long: at most {MAX_TEXT} characters of text and {MAX_REASON} of reason")
    item = review_item(session, summary_id)
    if item is None:
        raise UnknownSummary(f"no summary {summary_id}")
    guard = edit_guard(text, item.title, item.body) if decision == "edit" else None
    if guard is not None and not guard["passed"] and not confirmed:
        return Outcome(decision=decision, summary_id=summary_id, guard=guard, item=item, stored=False)
    record_review(
        session,
        summary_id=summary_id,
        reviewer_id=reviewer_id,
        decision=decision,
        edited_text=text if decision == "edit" else None,
        reason=reason or None,
        guard=guard,
        expected_updated_at=seen,
    )
    return Outcome(decision=decision, summary_id=summary_id, guard=guard, item=item)
