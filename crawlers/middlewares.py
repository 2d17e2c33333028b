"""Downloader middlewares.

``ReplayMiddleware`` sends every request to the local replay server (``devtools.replay``) when
the ``REPLAY_URL`` setting (env POLICYWATCH_REPLAY_URL) is set, and hands spiders responses whose
URL is the real one again — so link resolution, canonical URLs and storage never see the replay
host. Disabled (``NotConfigured``) when ``REPLAY_URL`` is empty.

``https://HOST/PATH?Q`` → ``REPLAY_URL/HOST/PATH?Q``; the original URL is kept in
``request.meta["real_url"]``. The rewritten request is re-issued once (``request.replace``) with
``dont_obey_robotstxt`` and ``allow_offsite`` set: robots.txt and the offsite check were already
applied to the real URL on the first pass (this middleware sits after them, see settings.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REAL_URL_META = "real_url"
KIND_META = "policywatch_kind"  # "list" or "article": set by family spiders, read by errbacks and middlewares


class CrawlerComponent:
    """Base of the middlewares built from the crawler alone: ``from_crawler`` keeps it as ``self.crawler``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


def to_replay_url(url: str, replay_url: str) -> str:
    """``https://HOST/PATH?Q`` → ``REPLAY_URL/HOST/PATH?Q`` (scheme dropped, host kept as the first segment)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    rewritten = f"{replay_url.rstrip('/')}/{parts.netloc}{path}"
    if parts.query:
        rewritten += f"?{parts.query}"
    return rewritten


def from_replay_url(url: str, replay_url: str, scheme: str = "https") -> str | None:
    """The real URL of a replay URL (None when ``url`` is not on the replay server)."""
    prefix = replay_url.rstrip("/") + "/"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :]
    return f"{scheme}://{rest}" if rest else None


class ReplayMiddleware:
    """Rewrite requests to the replay server and responses back to the real URL."""

    def __init__(self, replay_url: str, crawler: Crawler | None = None) -> None:
        self.replay_url = replay_url.rstrip("/")
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        replay_url = crawler.settings.get("REPLAY_URL")
        if not replay_url:
            raise NotConfigured("REPLAY_URL is not set: crawling the real sites")
        logger.info("Replay mode: every request goes to %s", replay_url)
        return cls(replay_url, crawler)

    def _is_replay(self, url: str) -> bool:
        return url.startswith(self.replay_url + "/")

    def process_request(self, request: Request) -> Request | None:
        if self._is_replay(request.url):
            return None  # already rewritten (second pass, retry, redirect): send as is
        if urlsplit(request.url).scheme not in ("http", "https"):
            return None
        meta = dict(request.meta)
        meta[REAL_URL_META] = request.url
        meta["dont_obey_robotstxt"] = True  # robots.txt was applied to the real URL on the first pass
        meta["allow_offsite"] = True  # so was the offsite check
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("replay/rewritten")
        return request.replace(url=to_replay_url(request.url, self.replay_url), meta=meta, dont_filter=True)

    def process_response(self, request: Request, response: Response) -> Response:
        real = request.meta.get(REAL_URL_META)
        if not self._is_replay(response.url):
            return response
        scheme = urlsplit(real).scheme if real else "https"
        # derive from the response URL (not just the meta): correct after a redirect on the replay server
        real_url = from_replay_url(response.url, self.replay_url, scheme) or real
        if not real_url:
            return response
        return response.replace(url=real_url)


class SourceHeadersMiddleware(CrawlerComponent):
    """The registry's ``referer`` and ``headers`` overrides on every request of the source's crawl.

    Some sites answer 403 without a Referer (kw.beijing.gov.cn, CATALOGUE §0.5), robots.txt
    included. Headers already on a request win: Scrapy's RefererMiddleware gives list pages after
    the first and article pages the LIST page they were found on, which is what a browser sends.
    The spider's ``source`` (a registry entry, see crawlers/spiders/base.py) is read at each
    request, so spiders without one are left alone.
    """

    def process_request(self, request: Request) -> None:
        source = getattr(self.crawler.spider, "source", None)
        if source is None:
            return None
        if source.referer:
            request.headers.setdefault(b"Referer", source.referer)
        for name, value in source.headers.items():
            request.headers.setdefault(name, value)
        return None
