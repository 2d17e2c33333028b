"""The review app's factory, its security middleware and the login routes; the queue and the
decisions are in :mod:`review.pages`.

Every page needs a logged-in user (else a redirect to ``login``), every POST the session's CSRF
token (else 403), and a decision the analyst role (else 403). Responses carry a Content-Security-
Policy that lets only the page's own nonce-tagged script and style run: scraped text that slipped
through escaping still could not execute."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.templating import Jinja2Templates

from review.pages import router
from review.passwords import verify_password
from review.queue import queue_query
from review.security import CSRF_FIELD, LoginLimiter, LoginRequired, check_csrf, fingerprint
from review.settings import ReviewSettings, review_settings
from review.web import TEMPLATES, render, root

COOKIE = "policywatch_review"


def _security_headers(response: Response, nonce: str) -> None:
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"


def create_app(settings: ReviewSettings | None = None) -> FastAPI:
    """The app on ``settings`` (default: review_settings() from the environment: a ConfigError
    without POLICYWATCH_REVIEW_SECRET)."""
    from storage import make_engine, session_scope

    settings = settings or review_settings()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(title="policywatch review", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.db = lambda: session_scope(engine)
    app.state.limiter = LoginLimiter(settings.login_limit)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True)
    app.state.templates = Jinja2Templates(env=env)

    @app.middleware("http")
    async def nonce_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request.state.nonce = secrets.token_urlsafe(16)
        response = await call_next(request)
        _security_headers(response, request.state.nonce)
        return response

    # added last, so it runs first: the session is there for the middleware above and the routes
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret,
        session_cookie=COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookie,
    )

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        from urllib.parse import urlencode

        back = queue_query(request.url.query) if request.method == "GET" else ""
        query = "?" + urlencode({"next": back[1:]}) if back else ""
        return RedirectResponse(f"{root(request)}/login{query}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException) -> Response:
        response = render(request, "error.html", {"status": exc.status_code, "detail": exc.detail}, exc.status_code)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.get("/login", response_class=HTMLResponse, name="login")
    async def login_form(request: Request, next: str = "") -> Response:
        return render(request, "login.html", {"next": next, "error": None, "name": ""})

    @app.post("/login")
    def login(
        request: Request,
        name: str = Form(""),
        password: str = Form(""),
        csrf_token: str = Form("", alias=CSRF_FIELD),
        next: str = Form(""),
    ) -> Response:
        from storage import find_user

        check_csrf(request, csrf_token)
        name = name.strip()[:100]
        address = request.client.host if request.client else "unknown"
        limiter: LoginLimiter = request.app.state.limiter
        if not limiter.allow(name, address):
            wait = limiter.retry_after(name, address)
            context = {"next": next, "name": name, "error": f"too many login attempts: try again in {wait} s"}
            response = render(request, "login.html", context, 429)
            response.headers["Retry-After"] = str(wait)
            return response
        with request.app.state.db() as session:
            user = find_user(session, name) if name else None
        hashed = user.password_hash if user is not None and not user.disabled else None
        if not verify_password(password, hashed):
            return render(request, "login.html", {"next": next, "name": name, "error": "wrong name or password"}, 401)
        request.session.clear()  # a new session at each login: nothing from before carries over
        request.session.update(user=user.name, pw=fingerprint(settings.secret, user.password_hash))
        return RedirectResponse(f"{root(request)}/{queue_query(next)}", status_code=303)

    @app.post("/logout")
    async def logout(request: Request, csrf_token: str = Form("", alias=CSRF_FIELD)) -> Response:
        check_csrf(request, csrf_token)
        request.session.clear()
        return RedirectResponse(f"{root(request)}/login", status_code=303)

    app.include_router(router)
    return app
