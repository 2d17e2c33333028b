"""What every page needs: the app's path prefix, the logged-in user, rendering with the session's
CSRF token and the request's CSP nonce."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from review.security import CSRF_FIELD, CurrentUser, LoginRequired, csrf_token, fingerprint
from review.settings import ReviewSettings

TEMPLATES = Path(__file__).resolve().parent / "templates"


def root(request: Request) -> str:
    """The app's path prefix ('' standalone, '/review' mounted in Airflow)."""
    return request.scope.get("root_path", "").rstrip("/")


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    base = {
        "root": root(request),
        "nonce": request.state.nonce,
        "csrf": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "user": getattr(request.state, "user", None),
        "flash": request.session.pop("flash", None),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def current_user(request: Request) -> CurrentUser:
    """The logged-in user, checked against the users table on every request (a disabled account or
    a changed password ends the session)."""
    from storage import find_user

    name = request.session.get("user")
    if not name:
        raise LoginRequired
    settings: ReviewSettings = request.app.state.settings
    with request.app.state.db() as session:
        user = find_user(session, name)
    if user is None or user.disabled or request.session.get("pw") != fingerprint(settings.secret, user.password_hash):
        request.session.clear()
        raise LoginRequired
    request.state.user = CurrentUser(id=user.id, name=user.name, role=user.role)
    return request.state.user
