"""What every family spider shares: the registry entry, the date window, error bookkeeping.

A family spider is generic; the source registry entry tells it where to start (sections), the
language, per-site overrides (download delay, charset, Referer, selectors). ``python -m
crawlers.run`` hands it the entry the parent process resolved (``source=<SourceConfig>``), so the
registry is read once per pipeline run; ``scrapy crawl FAMILY -a source=ID`` reads it by id.

Errors go to the crawl's :class:`crawlers.runstate.CrawlRunState` (:attr:`FamilySpider.run_state`,
owned by :class:`crawlers.extensions.CrawlRunRecorder`), through :meth:`FamilySpider.record_fatal`
and :meth:`FamilySpider.record_page_error`, which also log them:

* fatal errors: the source could not be read — a list/feed page failed or answered non-2xx,
  or listed no article (layout changed?). The crawl run ends ``failed``.
* page errors: one article page failed or gave no title/body. The run ends ``partial``.

Unchanged pages (crawlers/conditional.py) reach the errbacks as :class:`NotModified`, never the
callbacks: an unchanged article is done; an unchanged list page is not paged further, but the
stored articles of its section inside the refresh window are asked for again (conditionally: a
304 each, unless one was corrected). A JavaScript challenge (crawlers/challenge.py) arrives as
:class:`SourceBlocked`, already recorded as fatal. Custom errbacks must hand such failures to
:meth:`FamilySpider.list_failed` / :meth:`FamilySpider.article_failed` (or ignore them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from config import SourceConfig, load_registry
from crawlers.challenge import SourceBlocked
from crawlers.conditional import NotModified
from crawlers.extensions import crawl_run_state
from crawlers.extract.charset import decode_html
from crawlers.extract.dates import DEFAULT_TZ
from crawlers.extract.urls import same_site
from crawlers.items import ArticleItem
from crawlers.middlewares import KIND_META, REAL_URL_META  # noqa: F401 - KIND_META is imported from here by the spiders

if TYPE_CHECKING:
    from crawlers.runstate import CrawlRunState

logger = logging.getLogger(__name__)


def _as_date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a YYYY-MM-DD date") from None


class FamilySpider(scrapy.Spider):
    """Base class; subclasses set ``name`` (== registry family) and implement ``start``."""

    source: SourceConfig
    rules: Mapping[str, tuple[str, ...]] = {}  # the family's rule table (selector override keys)

    def __init__(
        self,
        source: str | SourceConfig | None = None,
        since: str | None = None,
        until: str | None = None,
        max_pages: str | int | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not source:
            raise ValueError(f"spider {self.name!r} needs a source: -a source=<registry id>")
        self._given_source = source if isinstance(source, SourceConfig) else None
        self.source_id = source.id if isinstance(source, SourceConfig) else source
        self.since = _as_date(since, "since")
        self.until = _as_date(until, "until")
        self.max_pages_arg = int(max_pages) if max_pages not in (None, "") else None
        self._yielded_urls: set[str] = set()
        self._refreshed_sections: set[str | None] = set()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        return spider

    def _configure(self, crawler) -> None:
        settings = crawler.settings
        self.source = self._given_source or load_registry(settings.get("POLICYWATCH_SOURCES_FILE")).get(self.source_id)
        if self.source.family != self.name:
            raise ValueError(f"source {self.source_id!r} is of family {self.source.family!r}, not {self.name!r}")
        self.allowed_domains = [self.source.host]
        self.tz = settings.get("POLICYWATCH_TIMEZONE") or DEFAULT_TZ
        limit = (
            self.max_pages_arg if self.max_pages_arg is not None else settings.getint("POLICYWATCH_MAX_LIST_PAGES", 10)
        )
        self.max_pages = limit if limit > 0 else None
        if self.source.download_delay is not None and not settings.get("REPLAY_URL"):
            self.download_delay = self.source.download_delay  # per-site politeness override
        self.selectors = dict(self.source.selectors)
        unknown = sorted(set(self.selectors) - set(self.rules))
        if unknown:
            self.logger.warning(
                "%s: selector override(s) %s are not %s rules (known: %s); ignored",
                self.source.id,
                ", ".join(unknown),
                self.name,
                ", ".join(sorted(self.rules)),
            )

    @property
    def run_state(self) -> CrawlRunState | None:
        """The crawl's state (``crawlers.extensions.crawl_run_state``): None before spider_opened."""
        return crawl_run_state(self.crawler)

    # ------------------------------------------------------------------ requests and responses
    def response_text(self, response: Response) -> str:
        """The decoded page; the registry's ``charset`` overrides the server's, and a Western
        default charset in the header (old MOST pages: GB2312 sent as ISO-8859-1) is not believed."""
        if self.source.charset:
            return response.body.decode(self.source.charset, errors="replace")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        return decode_html(response.body, content_type)[0]

    def in_window(self, when: datetime | None) -> bool:
        """False only for a KNOWN date outside ``since``..``until`` (unknown dates are kept)."""
        if when is None:
            return True
        day = when.date()
        if self.since and day < self.since:
            return False
        if self.until and day > self.until:
            return False
        return True

    def all_older_than_since(self, dates: list[datetime | None]) -> bool:
        """True when every date of a list page is known and before ``since``: lists are newest
        first, so the next page can only be older still — stop paging. Never for a source whose
        registry entry says its lists are not in date order (``list_order = "unsorted"``)."""
        if self.source.list_order == "unsorted":
            return False
        return self.since is not None and bool(dates) and all(d is not None and d.date() < self.since for d in dates)

    def on_site(self, url: str) -> bool:
        return same_site(url, self.source.host)

    def article_requests(
        self, entries: Any, *, section: str | None, extra_meta: Callable[[Any], dict[str, Any]] | None = None
    ) -> Iterator[scrapy.Request]:
        """One ``parse_article`` request per listed article (``entries`` have url, title, date) that
        is inside the date window and on the source's site; the others are counted in the stats.
        The list's title and date travel in the meta for :meth:`article_item`, with ``extra_meta(entry)``."""
        stats = self.crawler.stats
        for entry in entries:
            if not self.in_window(entry.date):
                stats.inc_value("policywatch/out_of_window")
                continue
            if not self.on_site(entry.url):
                stats.inc_value("policywatch/offsite_links")
                continue
            stats.inc_value("policywatch/list_entries")
            meta = {
                KIND_META: "article",
                "section": section,
                "list_title": entry.title,
                "list_date": entry.date.isoformat() if entry.date else None,
            }
            yield scrapy.Request(
                entry.url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={**meta, **(extra_meta(entry) if extra_meta else {})},
            )

    def make_item(
        self,
        *,
        url: str,
        section: str | None,
        title: str,
        published_at,
        body: str,
        source_office: str | None,
        author: str | None,
        extra: dict[str, Any],
    ) -> ArticleItem | None:
        """The item, or None when that URL was already yielded in this run (AMP + normal copy...)."""
        if url in self._yielded_urls:
            self.crawler.stats.inc_value("policywatch/duplicates")
            return None
        self._yielded_urls.add(url)
        return ArticleItem(
            url=url,
            source_id=self.source.id,
            section=section,
            title=title,
            published_at=published_at,
            language=self.source.language,
            body=body,
            source_office=source_office or None,
            author=author or None,
            extra=extra,
        )

    def article_item(
        self,
        article: Any,
        *,
        section: str | None,
        list_title: str | None = None,
        list_date: str | None = None,
        origin: str = "list",
    ) -> ArticleItem | None:
        """The item of a parsed article page (an ``ExtractedArticle``), or None with the reason recorded.

        What the list (``origin``) said fills what the page lacks: the title, and the date when the
        page gave none or only the URL's (``list_date`` is an ISO datetime). An article without
        title or body is a page error (layout changed?); one dated outside the window is skipped.
        """
        title = article.title or list_title
        if not article.title and title:
            article.extra["title_source"] = origin
        if article.extra.get("date_source") in (None, "url") and list_date:
            article.published_at = datetime.fromisoformat(list_date)
            article.extra["date_source"] = origin
        if not title or not article.body:
            missing = " and ".join(n for n, v in (("title", title), ("body", article.body)) if not v)
            self.record_page_error(f"{self.source.id}: article {article.url} has no {missing} (page layout changed?)")
            return None
        if not self.in_window(article.published_at):
            self.crawler.stats.inc_value("policywatch/out_of_window")
            return None
        return self.make_item(
            url=article.url,
            section=section,
            title=title,
            published_at=article.published_at,
            body=article.body,
            source_office=article.source_office,
            author=article.author,
            extra=article.extra,
        )

    # ------------------------------------------------------------------ error bookkeeping
    def record_fatal(self, message: str) -> None:
        """A fatal error of the crawl (the run fails), logged."""
        state = self.run_state
        if state is not None:
            state.fatal_errors.append(message)
        self.logger.error("FATAL %s", message)

    def record_page_error(self, message: str) -> None:
        """A page error of the crawl (the run is partial), logged."""
        state = self.run_state
        if state is not None:
            state.page_errors.append(message)
        self.logger.warning("%s", message)

    @staticmethod
    def failure_url(failure: Failure) -> str:
        if isinstance(failure.value, HttpError):
            return failure.value.response.url  # already the real URL (ReplayMiddleware)
        request = getattr(failure, "request", None)
        if request is None:
            return "?"
        return request.meta.get(REAL_URL_META) or request.url

    def describe_failure(self, failure: Failure) -> str:
        """'answered HTTP 500' / 'failed: TimeoutError: …' for an errback failure."""
        if isinstance(failure.value, HttpError):
            return f"answered HTTP {failure.value.response.status}"
        if isinstance(failure.value, IgnoreRequest):
            return f"was not fetched: {failure.value}"
        text = str(failure.value).strip() or failure.type.__name__
        return f"failed: {failure.type.__name__}: {text}"

    def list_failed(self, failure: Failure) -> list[scrapy.Request] | None:
        """Errback of list/feed pages: the source could not be read (fatal) — unless the page is
        unchanged (see :meth:`list_not_modified`) or the crawl is already stopping (challenge)."""
        if failure.check(NotModified):
            return self.list_not_modified(failure)
        if failure.check(SourceBlocked):
            return None
        url = self.failure_url(failure)
        self.record_fatal(f"{self.source.id}: list page {url} {self.describe_failure(failure)}")
        return None

    def article_failed(self, failure: Failure) -> None:
        """Errback of article pages: one article lost (the run becomes partial); an unchanged
        article (counted ``unchanged`` by crawlers/conditional.py) is no failure."""
        if failure.check(NotModified, SourceBlocked):
            return
        url = self.failure_url(failure)
        self.record_page_error(f"{self.source.id}: article {url} {self.describe_failure(failure)}")

    # ------------------------------------------------------------------ unchanged list pages
    def list_not_modified(self, failure: Failure) -> list[scrapy.Request]:
        """An unchanged list page: no further paging. The stored articles of its section published
        inside the refresh window are asked for again — conditionally, so unchanged ones cost a 304
        and a corrected one is updated (once per section and run)."""
        request = getattr(failure, "request", None)
        section = request.meta.get("section") if request is not None else None
        self.logger.info("%s: list page %s unchanged: not paging further", self.source.id, self.failure_url(failure))
        if section in self._refreshed_sections:
            return []
        self._refreshed_sections.add(section)
        requests = [r for r in (self.refresh_request(url, section) for url in self.recent_article_urls(section)) if r]
        self.crawler.stats.inc_value("policywatch/refresh_requests", len(requests))
        return requests

    def recent_article_urls(self, section: str | None) -> list[str]:
        """Stored articles of the section published since the refresh window's first day (and not
        after ``until``), newest first."""
        from crawlers.db import engine_for
        from crawlers.incremental import refresh_start
        from storage import recent_article_urls, session_scope

        settings = self.crawler.settings
        logical = settings.get("POLICYWATCH_LOGICAL_DATE")
        day = date.fromisoformat(str(logical)[:10]) if logical else datetime.now(ZoneInfo(self.tz)).date()
        start = refresh_start(day, settings.getint("POLICYWATCH_REFRESH_DAYS", 3))
        if self.since and self.since > start:
            start = self.since
        try:
            with session_scope(engine_for(settings.get("DATABASE_URL"))) as session:
                return recent_article_urls(session, self.source.id, section, since=start, until=self.until, tz=self.tz)
        except Exception as exc:  # noqa: BLE001 - nothing to refresh; the next changed list will
            self.logger.warning(
                "%s: cannot read the stored articles to refresh: %s: %s", self.source.id, type(exc).__name__, exc
            )
            return []

    def refresh_request(self, url: str, section: str | None) -> scrapy.Request | None:
        """The request of a stored article asked for again; None when the family has no
        ``parse_article`` callback (override to build it differently)."""
        callback = getattr(self, "parse_article", None)
        if callback is None:
            return None
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.article_failed,
            meta={KIND_META: "article", "section": section, "refresh": True},
        )

    def _on_spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        """A callback raised: a bug or a page the parser cannot handle."""
        if spider is not self:
            return
        kind = response.meta.get(KIND_META) if response is not None else None
        message = (
            f"{self.source.id}: parsing {getattr(response, 'url', '?')} raised {failure.type.__name__}: {failure.value}"
        )
        if kind == "list":
            self.record_fatal(message)
        else:
            self.record_page_error(message)
