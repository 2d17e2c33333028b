"""One page through the extractor, as the crawler would parse it: ``policywatch extract``.

The page is a file (read as bytes, decoded like the crawler does: the source's ``charset``
override, else a BOM, the page's ``<meta>`` declaration, a charset that decodes cleanly — see
crawlers/extract/charset.py) or a URL fetched ONCE, politely: robots.txt asked first and obeyed,
the crawler's User-Agent, the source's Referer and headers, a timeout, and the replay server
instead of the real site when POLICYWATCH_REPLAY_URL is set.

The parser is the family's (crawlers/extract/families.py) when ``--source`` names a registry
source or the page's URL is on a source's host; otherwise the generic fallback.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from config import Registry, SourceConfig
from crawlers.extract.charset import UndecodableError, decode_html
from crawlers.extract.families import detail_parser, parse_with
from crawlers.extract.urls import same_site

FETCH_TIMEOUT_S = 30
MAX_BYTES = 32 * 1024 * 1024  # as DOWNLOAD_MAXSIZE: an attachment fetched by mistake is refused


class ExtractError(RuntimeError):
    """The page cannot be read (missing file, HTTP error, robots.txt, challenge); the message says why."""


@dataclass
class PageExtraction:
    url: str
    parser: str  # "module:function"
    source_id: str | None
    charset: str
    title: str | None
    published_at: datetime | None
    source_office: str | None
    author: str | None
    language: str | None
    body: str
    attachments: list[dict[str, str]] = field(default_factory=list)
    rule: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        return data


def find_source(registry: Registry, source_id: str | None, url: str | None) -> SourceConfig | None:
    """The registry source named, else the one whose host serves ``url`` (None: no family applies)."""
    if source_id:
        return registry.get(source_id)
    host = urlsplit(url or "").hostname
    if not host:
        return None
    return next((s for s in registry.sources if same_site(url, s.host)), None)


def _user_agent_and_headers() -> tuple[str, dict[str, str]]:
    from crawlers import settings as crawler_settings

    return crawler_settings.USER_AGENT, dict(crawler_settings.DEFAULT_REQUEST_HEADERS)


def _open(url: str, headers: dict[str, str], *, replay_url: str | None, lenient: bool):
    from crawlers.middlewares import to_replay_url

    target = to_replay_url(url, replay_url) if replay_url else url
    context = None
    if lenient and target.startswith("https:"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_ciphers("DEFAULT:@SECLEVEL=1")
    request = urllib.request.Request(target, headers=headers)
    return urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S, context=context)  # noqa: S310 - http(s) only


def fetch_page(url: str, source: SourceConfig | None, *, replay_url: str | None = None) -> tuple[bytes, str | None]:
    """``(body, Content-Type)`` of ``url``, fetched once after robots.txt allowed it."""
    from crawlers.challenge import find_challenge

    if urlsplit(url).scheme not in ("http", "https"):
        raise ExtractError(f"{url}: only http(s) URLs can be fetched")
    user_agent, headers = _user_agent_and_headers()
    headers["User-Agent"] = user_agent
    if source is not None:
        if source.referer:
            headers["Referer"] = source.referer
        headers.update(source.headers)
    lenient = bool(source and source.tls_lenient)
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    robots = urllib.robotparser.RobotFileParser(robots_url)
    try:
        with _open(robots_url, headers, replay_url=replay_url, lenient=lenient) as answer:
            robots.parse(answer.read(MAX_BYTES).decode("utf-8", "replace").splitlines())
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise ExtractError(f"{robots_url} answered HTTP {exc.code}: the site does not allow crawlers") from None
        robots.allow_all = True  # no robots.txt (404...): everything allowed, as Scrapy reads it
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ExtractError(f"{robots_url} could not be read: {exc}") from None
    if not robots.can_fetch(user_agent, url):
        raise ExtractError(f"{url}: forbidden by {robots_url} for our User-Agent")
    try:
        with _open(url, headers, replay_url=replay_url, lenient=lenient) as answer:
            body = answer.read(MAX_BYTES + 1)
            content_type = answer.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        what = find_challenge(exc.code, exc.read(64 * 1024) if exc.fp else b"")
        detail = f" with {what} (needs a real browser)" if what else ""
        raise ExtractError(f"{url} answered HTTP {exc.code}{detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ExtractError(f"{url} failed: {getattr(exc, 'reason', exc)}") from None
    if len(body) > MAX_BYTES:
        raise ExtractError(f"{url} is larger than {MAX_BYTES} bytes: not an article page")
    return body, content_type


def extract_page(
    path_or_url: str,
    *,
    url: str | None = None,
    source_id: str | None = None,
    charset: str | None = None,
    registry: Registry,
    replay_url: str | None = None,
    default_tz: str = "Asia/Shanghai",
) -> PageExtraction:
    """Read (or fetch) one page and parse it with its family's parser, else the generic one."""
    is_url = urlsplit(path_or_url).scheme in ("http", "https")
    page_url = url or (path_or_url if is_url else "")
    source = find_source(registry, source_id, page_url)
    if is_url:
        body, content_type = fetch_page(path_or_url, source, replay_url=replay_url)
    else:
        path = Path(path_or_url)
        if not path.is_file():
            raise ExtractError(f"{path}: no such file (give a file or an http(s) URL)")
        size = path.stat().st_size
        if size > MAX_BYTES:  # the same cap as for a URL: a 50 MB file would take minutes and gigabytes
            raise ExtractError(f"{path} is {size} bytes, larger than {MAX_BYTES} bytes: not an article page")
        with path.open("rb") as handle:
            body, content_type = handle.read(MAX_BYTES + 1), None
        if len(body) > MAX_BYTES:  # grew while read
            raise ExtractError(f"{path} is larger than {MAX_BYTES} bytes: not an article page")
        page_url = page_url or path.resolve().as_uri()
    if charset:  # the user's word, even when wrong (to see what a wrong charset does)
        text, used = body.decode(charset, errors="replace"), charset
    else:
        try:
            text, used = decode_html(body, content_type, override=source.charset if source else None)
        except UndecodableError as exc:
            raise ExtractError(f"{page_url}: {exc}") from None
    name, parser = detail_parser(source.family if source else "generic")
    article = parse_with(
        parser, text, page_url, selectors=dict(source.selectors) if source else None, default_tz=default_tz
    )
    extra = dict(article.extra)
    language = (source.language if source else None) or extra.get("language")
    return PageExtraction(
        url=article.url,
        parser=name,
        source_id=source.id if source else None,
        charset=used,
        title=article.title,
        published_at=article.published_at,
        source_office=article.source_office,
        author=article.author,
        language=language,
        body=article.body,
        attachments=list(extra.pop("attachments", []) or []),
        rule=extra.pop("rule", None),
        extra=extra,
    )
