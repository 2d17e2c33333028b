"""URL hygiene: one canonical form per article so the same page is stored once (CATALOGUE §0.7).

Unlike ``w3lib.url.canonicalize_url`` this keeps the query order and the path case (both are
meaningful to some CMSs) and only removes what is known to be noise.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

from crawlers.extract.rules import (
    HOST_ALIASES,
    HTTP_HOSTS,
    HTTPS_HOSTS,
    PERCENT_ESCAPE_CASE,
    TRACKING_PARAM_PREFIXES,
    TRACKING_PARAMS,
    URL_PATH_REWRITES,
)

_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_AMP_SUFFIX = re.compile(r"/amp/?$")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PARAM_PREFIXES)


def _clean_query(query: str) -> str:
    """Drop tracking parameters and the AMP switch, keep everything else in its order, verbatim."""
    if not query:
        return ""
    kept = []
    for part in query.split("&"):
        if not part:
            continue
        name = part.split("=", 1)[0]
        if _is_tracking(name) or name.lower() == "amp":
            continue
        kept.append(part)
    return "&".join(kept)


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical form of an article URL.

    * resolved against ``base`` when relative (``./202403/t….html`` against the LIST page) or
      protocol-relative (``//host/…``);
    * scheme and host lower-cased, default port and fragment dropped, empty path → ``/``;
    * ``http`` → ``https`` for hosts known to serve https (``rules.HTTPS_HOSTS``), ``https`` →
      ``http`` for hosts published over http (``rules.HTTP_HOSTS``: www.cppcc.gov.cn…);
    * another name of a site replaced by its canonical host (``rules.HOST_ALIASES``: rmzxb → rmzxw);
    * tracking parameters (``utm_*``, ``spm``, ``from``, ``share``…) removed, other parameters kept
      in order (``?p=123`` short links are left as they are: only the page knows its real URL);
    * AMP copies (``…/amp/``, ``…/amp``, ``?amp=1``) mapped to the normal page;
    * known spurious path prefixes removed (``rules.URL_PATH_REWRITES``: MOST's ``/xxgk/xinxifenlei/kjbgz/…``);
    * non-ASCII characters percent-encoded as UTF-8 and percent escapes upper-cased
      (``%e4%b8%a8`` → ``%E4%B8%A8``; ``rules.PERCENT_ESCAPE_CASE``).
    """
    url = (url or "").strip()
    if not url:
        return url
    if base:
        url = urljoin(base, url)
    elif url.startswith("//"):
        url = "https:" + url
    url = safe_url_string(url, encoding="utf-8")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    host = HOST_ALIASES.get(host, host)
    port = parts.port
    if host in HTTPS_HOSTS and scheme == "http":
        scheme = "https"
        if port == 80:
            port = None
    elif host in HTTP_HOSTS and scheme == "https":
        scheme = "http"
        if port == 443:
            port = None
    netloc = host
    if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    if _AMP_SUFFIX.search(path):
        path = _AMP_SUFFIX.sub("/", path)
    for rewrite_host, pattern, replacement in URL_PATH_REWRITES:
        if host == rewrite_host:
            path = pattern.sub(replacement, path)
    query = _clean_query(parts.query)
    result = urlunsplit((scheme, netloc, path, query, ""))
    if PERCENT_ESCAPE_CASE == "upper":
        result = _PERCENT.sub(lambda m: m.group(0).upper(), result)
    return result


def query_params(url: str) -> list[tuple[str, str]]:
    """The query parameters of ``url`` in order (blank values kept)."""
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def is_short_link(url: str) -> bool:
    """A WordPress ``/?p=<id>`` short link (only the page's rel=canonical knows the real URL)."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and any(name == "p" for name, _ in query_params(url))


def same_site(url: str, host: str) -> bool:
    """True when ``url`` is on ``host`` (``www.`` ignored on both sides)."""
    found = (urlsplit(url).hostname or "").lower()
    wanted = host.lower()
    return found.removeprefix("www.") == wanted.removeprefix("www.")
