"""The queue page and the decision forms."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from review.decisions import DecisionError, UnknownSummary, decide
from review.queue import GUARD_DECISIONS, STATUSES, Filters, load_page, local_time, queue_query, themes
from review.security import CSRF_FIELD, check_csrf
from review.settings import ReviewSettings
from review.web import current_user, render, root

router = APIRouter()


@cache
def _registry_sources(sources_file: Path) -> list[tuple[str, str]]:
    """(id, name) of every registry source, for the source filter."""
    from config import load_registry

    return [(s.id, s.name) for s in load_registry(sources_file).sources]


def _sources() -> list[tuple[str, str]]:
    from config import get_settings

    return _registry_sources(get_settings().sources_file)


@router.get("/", response_class=HTMLResponse, name="queue")
def queue(request: Request) -> Response:
    user = current_user(request)
    settings: ReviewSettings = request.app.state.settings
    theme_set = themes(settings.themes_file)
    filters = Filters.parse(
        dict(request.query_params),
        today=datetime.now(settings.timezone).date(),
        theme_ids={t.id for t in theme_set},
    )
    with request.app.state.db() as session:
        page = load_page(session, filters, tz=settings.timezone, themes_file=settings.themes_file, sources=_sources())
    context = {
        "page": page,
        "statuses": STATUSES,
        "guard_decisions": GUARD_DECISIONS,
        "can_review": user.can_review,
        "here": filters.query(),
        "local_time": lambda value: local_time(value, settings.timezone),
    }
    return render(request, "queue.html", context)


def _seen(raw: str) -> datetime | None:
    """The ``summary_updated_at`` the form was made with (None: not sent, no staleness check)."""
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise HTTPException(status_code=400, detail=f"seen={raw[:40]!r} is not a timestamp") from None


@router.post("/summaries/{summary_id}/decision")
def decision(
    request: Request,
    summary_id: int,
    decision: str = Form(""),
    text: str = Form(""),
    reason: str = Form(""),
    csrf_token: str = Form("", alias=CSRF_FIELD),
    next: str = Form(""),
    seen: str = Form(""),
    confirmed: str = Form(""),
) -> Response:
    from storage import StaleSummaryError

    user = current_user(request)
    check_csrf(request, csrf_token)
    if not user.can_review:
        raise HTTPException(status_code=403, detail=f"{user.name} is a viewer: only analysts review summaries")
    try:
        with request.app.state.db() as session:
            outcome = decide(
                session,
                summary_id=summary_id,
                reviewer_id=user.id,
                decision=decision,
                text=text,
                reason=reason,
                seen=_seen(seen),
                confirmed=confirmed == "1",
            )
    except StaleSummaryError as exc:
        raise HTTPException(status_code=409, detail=f"{exc}; reload the page") from None
    except UnknownSummary as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except DecisionError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    if not outcome.stored:  # the guard flagged the edit: show what, and let the analyst decide
        context = {
            "outcome": outcome,
            "item": outcome.item,
            "text": text.strip(),
            "next": queue_query(next),
            "seen": seen,
        }
        return render(request, "confirm_edit.html", context)
    request.session["flash"] = outcome.message
    return RedirectResponse(f"{root(request)}/{queue_query(next)}#s{summary_id}", status_code=303)


@router.get("/summaries/{summary_id}/reviews", response_class=HTMLResponse)
def history(request: Request, summary_id: int) -> Response:
    """Every decision on one summary, newest first (the table is append-only), those on earlier
    texts of it included."""
    from storage import summary_reviews

    current_user(request)
    settings: ReviewSettings = request.app.state.settings
    with request.app.state.db() as session:
        reviews = summary_reviews(session, summary_id)
    context = {
        "summary_id": summary_id,
        "reviews": reviews,
        "local_time": lambda value: local_time(value, settings.timezone),
    }
    return render(request, "reviews.html", context)
