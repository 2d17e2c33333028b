"""Scraped text and URLs are untrusted: what every format uses to keep them inert.

* :func:`safe_href`: only an absolute http(s) URL becomes a link; any other scheme
  (``javascript:``, ``data:``, ``file:``…) is shown as text.
* :func:`markdown_escape`: Markdown syntax and raw HTML escaped (Markdown renderers pass raw HTML
  through); HTML, Atom and JSON escape through Jinja's autoescape, lxml and ``json``.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

# Text always sits mid-line after "- [" or an indent, so only inline syntax needs escaping:
# emphasis, code, links/images (brackets), strikethrough, table pipes, raw HTML and entities.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~|])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
# whitespace and control characters inside a URL: browsers strip some of them before reading
# the scheme ("java\tscript:"), so such a URL is never linked
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>\\`]")


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else None (shown as text)."""
    if not url or _UNSAFE_URL_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def markdown_escape(text: str | None) -> str:
    """Escape scraped text for one Markdown line, keeping it readable as plain text."""
    if not text:
        return ""
    text = " ".join(text.split())
    text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_url(url: str) -> str:
    """A URL safe inside Markdown link parentheses."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def format_when(value: datetime | None) -> str:
    """Local date and time; the date alone when the source gave only a day (stored as 00:00)."""
    if value is None:
        return "date unknown"
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M")
