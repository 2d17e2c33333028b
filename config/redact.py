"""Database URLs as people see them: the password masked, in every message and log line.

``safe_url`` renders a URL with SQLAlchemy's ``render_as_string(hide_password=True)`` (the
password becomes ``***``); ``redact`` masks the password of any ``scheme://user:password@``
inside a text (an exception message, a subprocess's log), and the given URLs' passwords
wherever else they appear.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"
_CREDENTIALS = re.compile(r"(?P<head>\b[a-zA-Z][\w+.-]*://[^\s:/@]*:)(?P<password>[^\s@/]+)@")


def safe_url(url: str | URL | None) -> str:
    """``url`` with its password masked; an unparsable URL is not shown at all."""
    if url is None or url == "":
        return "(no database URL)"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return "(an unparsable database URL)"


def _password(url: str | URL) -> str | None:
    try:
        return make_url(url).password
    except (ArgumentError, ValueError, TypeError):
        return None


def redact(text: str, *urls: str | URL | None) -> str:
    """``text`` with every ``scheme://user:password@`` password, and the password of each of
    ``urls`` (raw or URL-quoted), replaced by ``***``."""
    text = _CREDENTIALS.sub(lambda m: f"{m['head']}{MASK}@" if m["password"] != MASK else m[0], str(text))
    for url in urls:
        password = _password(url) if url else None
        if password:
            for form in {str(password), quote(str(password), safe="")}:
                text = text.replace(form, MASK)
    return text
