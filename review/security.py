"""Who is logged in, CSRF tokens and the login rate limit.

The session lives in a cookie signed with POLICYWATCH_REVIEW_SECRET (Starlette's SessionMiddleware
over itsdangerous: HttpOnly, SameSite=Lax, Secure with POLICYWATCH_REVIEW_SECURE_COOKIE). It holds
the user's name, a fingerprint of their password hash (a changed password or a disabled account ends
every session at its next request) and the CSRF token that every form carries and every POST must
send back."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """The request needs a logged-in user: the app answers with a redirect to its login page."""


@dataclass(frozen=True)
class CurrentUser:
    id: int
    name: str
    role: str

    @property
    def can_review(self) -> bool:
        return self.role == "analyst"


def fingerprint(secret: str, password_hash: str) -> str:
    return hmac.new(secret.encode(), password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    """403 unless ``sent`` is the session's CSRF token."""
    expected = request.session.get("csrf")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token: reload the page and try again")


class LoginLimiter:
    """At most ``rate`` login attempts per user name and per client address, in process (a moving
    window of the ``limits`` library, in memory: one api-server or uvicorn process per app)."""

    def __init__(self, rate: str) -> None:
        self.rate = parse(rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, name: str, address: str) -> bool:
        """Count one attempt; False when the name or the address has used up its attempts."""
        by_name = self._limiter.hit(self.rate, "login-name", name.casefold())
        by_address = self._limiter.hit(self.rate, "login-address", address)
        return by_name and by_address

    def retry_after(self, name: str, address: str) -> int:
        """Seconds until both the name and the address may try again."""
        import time

        resets = [
            self._limiter.get_window_stats(self.rate, "login-name", name.casefold()).reset_time,
            self._limiter.get_window_stats(self.rate, "login-address", address).reset_time,
        ]
        return max(1, int(max(resets) - time.time()) + 1)
