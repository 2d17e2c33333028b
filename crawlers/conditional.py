"""Conditional requests: an unchanged page costs a 304 (or a hash) and no parse.

``ConditionalRequestsMiddleware`` (a downloader middleware, ``CONDITIONAL_REQUESTS_ENABLED``)
loads the source's ``http_cache`` rows when the spider opens and sends ``If-None-Match`` /
``If-Modified-Since`` with every GET of a list or article page it has validators for. The answer:

* **304** — the page is unchanged: the request's callback is NOT called. :class:`NotModified` (an
  ``IgnoreRequest``) goes to its errback, which ``FamilySpider`` treats as "nothing to do" — an
  unchanged list page is not paged further (see ``FamilySpider.list_not_modified``), an unchanged
  article counts as ``unchanged`` and its stored row is marked seen;
* **200 with the body last parsed** (same sha256: servers without validators) — the same;
* **200 with a new body** — parsed as usual; its validators are kept for the next run.

What is remembered, and when (so nothing is ever skipped that was not stored):

* an article page's validators once an item from it went through the pipelines (``item_scraped``):
  a page whose item failed or was dropped is fetched in full next time;
* a list page's validators at the end of the crawl, only when the crawl had no error and nothing of
  that page was left out for the date window (``incomplete_lists`` of the crawl's
  :class:`crawlers.runstate.CrawlRunState`), with the id of the crawl run that saved them
  (``http_cache.crawl_run_id``).

A 304 on a list page ends the paging of its section (``FamilySpider.list_not_modified``), which
is only right when the pages below were read down to this crawl's ``since``. So a list page's
validators are used only when the crawl run that saved them ended ``success`` with
``lists_complete`` and a ``window_since`` not later than this crawl's ``since`` (a crawl without
``since`` needs one without ``since``), see ``storage.complete_crawl_windows``: that run read the
page with none of its entries left out, hence every later page down to its ``window_since`` (or
stopped where an earlier such run had, see crawlers/incremental.py). Otherwise — a backfill of
older days, validators saved before migration 0003, a run cut short by the page limit — the list
page is fetched in full and parsed, and crawlers/incremental.py decides on its last article.

robots.txt and POST requests are never conditional. Keys are the real URLs (never the replay's).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawlers.db import engine_for
from crawlers.extensions import crawl_run_state
from crawlers.incremental import complete_windows
from crawlers.middlewares import KIND_META, REAL_URL_META

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SKIP_META = "policywatch_unconditional"  # set on a request that must be fetched in full
CONDITIONAL_KINDS = ("list", "article")


class NotModified(IgnoreRequest):
    """The page is unchanged since it was last stored (a 304, or the same body): not parsed."""

    def __init__(self, url: str, kind: str, how: str) -> None:
        self.url, self.kind, self.how = url, kind, how
        super().__init__(f"{kind} page {url} not modified ({how})")


def cache_key(request: Request) -> str:
    """The URL a page is remembered under: the real URL first asked for (before any redirect)."""
    meta = request.meta
    return meta.get(REAL_URL_META) or (meta.get("redirect_urls") or [request.url])[0]


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass
class _Fetched:
    kind: str
    etag: str | None
    last_modified: str | None
    status: int
    body_hash: str


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None


class ConditionalRequestsMiddleware:
    def __init__(self, crawler: Crawler, database_url: str) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.source_id: str | None = None
        self.cache: dict[str, Any] = {}  # url -> storage.CachedPage
        self.fetched: dict[str, _Fetched] = {}  # url -> validators of this run's 200s, not saved yet
        self.scraped: set[str] = set()  # article URLs whose items were stored
        self.windows: dict[int, Any] | None = None  # crawl run id -> storage.CrawlWindow of complete runs
        self.distrusted: set[str] = set()  # list pages whose validators this crawl does not use

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestsMiddleware:
        settings = crawler.settings
        if not settings.getbool("CONDITIONAL_REQUESTS_ENABLED", True):
            raise NotConfigured("CONDITIONAL_REQUESTS_ENABLED is off: every page is fetched in full")
        if not settings.get("DATABASE_URL"):
            raise NotConfigured("DATABASE_URL is not set: no http_cache to read validators from")
        middleware = cls(crawler, settings.get("DATABASE_URL"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # ------------------------------------------------------------------ signals
    def spider_opened(self, spider: Spider) -> None:
        from storage import http_cache_entries, session_scope

        self.source_id = getattr(spider, "source_id", None)
        if self.source_id is None:
            return
        try:
            with session_scope(engine_for(self.database_url)) as session:
                self.cache = http_cache_entries(session, self.source_id)
        except Exception as exc:  # noqa: BLE001 - no validators: every page is fetched in full
            logger.warning(
                "%s: cannot read the http_cache (%s: %s); fetching every page in full",
                self.source_id,
                type(exc).__name__,
                exc,
            )
            self.cache = {}
        logger.info("%s: %d cached validators", self.source_id, len(self.cache))

    def item_scraped(self, item: Any, response: Response) -> None:
        if response is None or response.request is None:
            return
        url = item.get("url")
        if (item.get("extra") or {}).get("pages_missing"):
            return  # stored without a page that failed (crawlers/spiders/zcms.py): read it in full next time
        # only when the article is stored under the URL asked for: a 304 then marks THAT row seen
        # (a page stored under another canonical URL is simply fetched in full each time). A
        # multi-page article (rmzxw ``_2.shtml``) is yielded from its last page: its first page,
        # fetched in this run under the item's URL, stands for it.
        if url == cache_key(response.request) or (url in self.fetched and self.fetched[url].kind == "article"):
            self.scraped.add(url)

    def spider_closed(self, reason: str) -> None:
        from storage import CachedPage, retrying, save_http_cache, session_scope

        if self.source_id is None:
            return
        state = crawl_run_state(self.crawler)
        clean = reason == "finished" and (state is None or state.clean)
        incomplete = state.incomplete_lists if state is not None else set()
        run_pk = state.run_pk if state is not None else None
        pages = [
            CachedPage(url, f.etag, f.last_modified, f.status, f.body_hash, run_pk)
            for url, f in self.fetched.items()
            if (f.kind == "article" and url in self.scraped) or (f.kind == "list" and clean and url not in incomplete)
        ]
        if not pages:
            return

        def save() -> None:
            with session_scope(engine_for(self.database_url)) as session:
                save_http_cache(session, self.source_id, pages)

        try:
            retrying(save, what=f"{self.source_id}: saving the http_cache")
        except Exception as exc:  # noqa: BLE001 - validators are an optimisation: the next run fetches in full
            logger.warning(
                "%s: cannot save %d validators to the http_cache: %s: %s",
                self.source_id,
                len(pages),
                type(exc).__name__,
                exc,
            )
            return
        logger.info("%s: %d validators saved", self.source_id, len(pages))

    # ------------------------------------------------------------------ requests and responses
    def _conditional(self, request: Request) -> bool:
        return (
            request.method == "GET"
            and request.meta.get(KIND_META) in CONDITIONAL_KINDS
            and not request.meta.get(SKIP_META)
        )

    def _cached(self, request: Request, key: str) -> Any:
        """The validators to use for ``key``: None for a list page whose saving crawl run is not
        known to have read the lists down to this crawl's ``since`` (see the module docstring)."""
        cached = self.cache.get(key)
        if cached is None or request.meta.get(KIND_META) != "list":
            return cached
        spider = self.crawler.spider
        if self.windows is None:  # after every spider_opened handler: CrawlRunRecorder's read them
            self.windows = complete_windows(self.crawler, self.database_url)
        window = self.windows.get(cached.crawl_run_id) if cached.crawl_run_id is not None else None
        if window is not None and window.reaches(getattr(spider, "since", None)):
            return cached
        if key not in self.distrusted:
            self.distrusted.add(key)
            self.crawler.stats.inc_value("policywatch/list_validators_unused")
            logger.info(
                "%s: list page %s is fetched in full: the crawl run that saved its validators (%s) "
                "did not read the lists down to this crawl's since",
                self.source_id,
                key,
                cached.crawl_run_id if cached.crawl_run_id is not None else "unknown",
            )
        return None

    def process_request(self, request: Request) -> None:
        if not self._conditional(request):
            return None
        cached = self._cached(request, cache_key(request))
        if cached is None:
            return None
        if cached.etag:
            request.headers[b"If-None-Match"] = cached.etag
        if cached.last_modified:
            request.headers[b"If-Modified-Since"] = cached.last_modified
        return None

    def process_response(self, request: Request, response: Response) -> Response | Request:
        if not self._conditional(request):
            return response
        key = cache_key(request)
        kind = request.meta[KIND_META]
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("policywatch/not_modified")
            return self._not_modified(request, key, kind, "HTTP 304")
        if response.status != 200:
            return response
        digest = body_hash(response.body)
        cached = self._cached(request, key)
        if cached is not None and cached.body_hash == digest:
            stats.inc_value("policywatch/same_body")
            return self._not_modified(request, key, kind, "same body")
        self.fetched[key] = _Fetched(
            kind, _header(response, b"ETag"), _header(response, b"Last-Modified"), response.status, digest
        )
        return response

    def _not_modified(self, request: Request, key: str, kind: str, how: str) -> Request:
        stats = self.crawler.stats
        if kind == "article" and not self._mark_seen(key):
            # validators of an article that is not stored (deleted since?): fetch it in full
            logger.info("%s: %s answered %s but is not stored; fetching it in full", self.source_id, key, how)
            self.cache.pop(key, None)
            return request.replace(meta={**request.meta, SKIP_META: True}, dont_filter=True)
        stats.inc_value(f"policywatch/{kind}s_not_modified")
        if kind == "article":
            stats.inc_value("policywatch/items_unchanged")
        logger.debug("%s: %s not modified (%s)", self.source_id, key, how)
        raise NotModified(key, kind, how)

    def _mark_seen(self, url: str) -> bool:
        from storage import mark_article_seen, retrying, session_scope

        state = crawl_run_state(self.crawler)
        crawl_run = state.crawl_run if state is not None else None

        def mark() -> bool:
            with session_scope(engine_for(self.database_url)) as session:
                return mark_article_seen(session, url, crawl_run)

        try:
            return retrying(mark, what=f"{self.source_id}: marking {url} seen")
        except Exception as exc:  # noqa: BLE001 - cannot tell: fetch it in full to be safe
            logger.warning("%s: cannot mark %s as seen: %s: %s", self.source_id, url, type(exc).__name__, exc)
            return False
