"""The review app's configuration (POLICYWATCH_REVIEW_*), on top of config.get_settings().

| variable                          | default                                            |
|-----------------------------------|----------------------------------------------------|
| POLICYWATCH_REVIEW_SECRET         | none: required (signs the session cookies)         |
| POLICYWATCH_REVIEW_LOGIN_LIMIT    | 5/minute (login attempts per name and per address) |
| POLICYWATCH_REVIEW_SECURE_COOKIE  | false (true: the cookie only travels over HTTPS)   |
| POLICYWATCH_REVIEW_SESSION_HOURS  | 12                                                 |
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from config import ConfigError, get_settings

ROLES = ("analyst", "viewer")
MIN_SECRET_LENGTH = 32
SECRET_VARIABLE = "POLICYWATCH_REVIEW_SECRET"


@dataclass(frozen=True)
class ReviewSettings:
    database_url: str
    secret: str
    timezone: ZoneInfo
    themes_file: Path | None = None
    login_limit: str = "5/minute"
    secure_cookie: bool = False
    session_hours: int = 12
    # a throwaway secret (`policywatch serve --demo`, tests): sessions end when the process does
    demo: bool = False


def _login_limit() -> str:
    from limits import parse

    raw = (os.environ.get("POLICYWATCH_REVIEW_LOGIN_LIMIT") or "5/minute").strip()
    try:
        parse(raw)
    except ValueError:
        raise ConfigError(f"POLICYWATCH_REVIEW_LOGIN_LIMIT={raw!r}: expected a rate such as 5/minute") from None
    return raw


def _flag(name: str) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ConfigError(f"{name}={raw!r}: expected true or false")


def review_settings(*, demo: bool = False) -> ReviewSettings:
    """The settings from the environment. Without POLICYWATCH_REVIEW_SECRET: a ConfigError naming
    it, unless ``demo`` (then a random secret for this process)."""
    base = get_settings()
    secret = os.environ.get(SECRET_VARIABLE) or ""
    if not secret:
        if not demo:
            raise ConfigError(
                f"{SECRET_VARIABLE} is not set: the review app signs its session cookies with it "
                f"(at least {MIN_SECRET_LENGTH} characters, e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'); `policywatch serve --demo` uses a throwaway one"
            )
        secret = secrets.token_urlsafe(32)
    elif len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{SECRET_VARIABLE} is too short: at least {MIN_SECRET_LENGTH} characters")
    hours = os.environ.get("POLICYWATCH_REVIEW_SESSION_HOURS") or "12"
    if not hours.isdigit() or not 1 <= int(hours) <= 24 * 30:
        raise ConfigError(f"POLICYWATCH_REVIEW_SESSION_HOURS={hours!r}: expected hours from 1 to 720")
    return ReviewSettings(
        database_url=base.database_url,
        secret=secret,
        timezone=base.timezone,
        themes_file=base.digest_themes_file,
        login_limit=_login_limit(),
        secure_cookie=_flag("POLICYWATCH_REVIEW_SECURE_COOKIE"),
        session_hours=int(hours),
        demo=demo and not os.environ.get(SECRET_VARIABLE),
    )
