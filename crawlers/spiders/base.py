"""What every family spider shares: the registry entry, the date window, the article path, errors.

A family spider is generic; the source registry entry tells it where to start (sections), the
language, per-site overrides (download delay, charset, Referer, selectors). ``python -m
crawlers.run`` hands it the entry the parent process resolved (``source=<SourceConfig>``), so the
registry is read once per pipeline run; ``scrapy crawl FAMILY -a source=ID`` reads it by id.

A family spider keeps to what is special about its family: how its lists are paged, and its two
pure parsers (``list_parser`` / ``detail_parser``, or :meth:`FamilySpider.parse_list_page` /
:meth:`FamilySpider.parse_detail` overridden). The article path is shared: the listed entries go
through :meth:`FamilySpider.article_requests` (date window, offsite, stats), each article page
through :meth:`FamilySpider.parse_article` → :meth:`FamilySpider.listed_article_item` →
:meth:`FamilySpider.article_item` (the list's title/date as fallbacks, title/body check, window,
one item per URL).

Errors go to the crawl's :class:`crawlers.runstate.CrawlRunState` (:attr:`FamilySpider.run_state`,
owned by :class:`crawlers.extensions.CrawlRunRecorder`), through :meth:`FamilySpider.record_fatal`
and :meth:`FamilySpider.record_page_error`, which also log them:

* fatal errors: the source could not be read — a list/feed page failed or answered non-2xx,
  or listed no article (layout changed?). The crawl run ends ``failed``.
* page errors: one article page failed or gave no title/body. The run ends ``partial``.

Failed, unchanged and blocked pages are handled by the errbacks of
:class:`crawlers.spiders.failures.FailedPages`, a base of every family spider.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Self
from zoneinfo import ZoneInfo

import scrapy
from scrapy import signals
from scrapy.http import Response

from config import SourceConfig, load_registry
from crawlers.extensions import crawl_run_state
from crawlers.extract.charset import decode_html
from crawlers.extract.dates import DEFAULT_TZ
from crawlers.extract.urls import same_site
from crawlers.items import ArticleItem
from crawlers.middlewares import KIND_META
from crawlers.spiders.failures import FailedPages

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

    from crawlers.extract.documents import ExtractedArticle
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


class FamilySpider(FailedPages, scrapy.Spider):
    """Base class; subclasses set ``name`` (== registry family) and ``rules``, implement ``start``
    (and the paging of their lists) and give their parsers (see the class attributes)."""

    source: SourceConfig
    rules: Mapping[str, tuple[str, ...]] = {}  # the family's rule table (selector override keys)
    # The family's pure parsers, called ``(text, url, selectors=..., default_tz=...)`` by
    # parse_list_page / parse_detail (override those for parsers that need more).
    list_parser: Callable[..., Any] | None = None
    detail_parser: Callable[..., ExtractedArticle] | None = None
    list_origin = "list"  # what the entries come from: extra["title_source"/"date_source"] of a fallback
    html_only = False  # article pages served as another document type are page errors
    # page errors about an article's title/body name the URL fetched, not the article's canonical
    # URL (the TRS, Sichuan and WordPress spiders always did)
    errors_name_fetched_url = False

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
        self._refreshed_sections: set[str | None] = set()  # crawlers/spiders/failures.py

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        return spider

    def _configure(self, crawler: Crawler) -> None:
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
        """The decoded page (:func:`crawlers.extract.charset.decode_html`, the one decoding path):
        the bytes decide between the registry's ``charset``, the server's and the page's own
        declarations and detection; :class:`~crawlers.extract.charset.UndecodableError` when no
        charset fits (a page error or a fatal error naming the page, by its kind)."""
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        return decode_html(response.body, content_type, override=self.source.charset)[0]

    def in_window(self, when: datetime | None) -> bool:
        """False only for a KNOWN date outside ``since``..``until`` (unknown dates are kept)."""
        if when is None:
            return True
        day = when.date()
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    def skipped_as_future(self, url: str, when: datetime | None, where: str) -> bool:
        """True (and a page error naming the article, a health fact) for a date after ``until``
        that is also in the future by the clock (beyond crawlers.health.FUTURE_TOLERANCE): in a
        daily run (``until`` = the logical date) a misread date, not an article of a later day,
        which would otherwise vanish as merely out of the window."""
        from crawlers.health import FUTURE_MARK, FUTURE_TOLERANCE

        if when is None or not self.until or when.date() <= self.until:
            return False
        aware = when if when.tzinfo else when.replace(tzinfo=ZoneInfo(self.tz))
        if aware <= datetime.now(UTC) + FUTURE_TOLERANCE:
            return False
        stats = self.crawler.stats
        stats.inc_value("policywatch/items_future_dated")
        if not stats.get_value("policywatch/future_dated_example"):
            stats.set_value("policywatch/future_dated_example", f"{url} ({when.isoformat()})")
        self.record_page_error(
            f"{self.source.id}: article {url} {FUTURE_MARK} ({when.isoformat()} by {where}, after {self.until}): "
            "not stored (a date read wrongly?)"
        )
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

    def list_page_request(
        self,
        url: str,
        meta: dict[str, Any],
        *,
        callback: Callable[[Response], Any] | None = None,
        errback: Callable[[Failure], Any] | None = None,
        priority: int = 10,  # finish reading the list before the articles it leads to
        formdata: Any = None,
    ) -> scrapy.Request:
        """The request of a list/feed page (``KIND_META`` "list" and ``meta``) to ``callback``, by
        default ``parse_list``; its failures go to ``errback``, by default :meth:`list_failed`
        (fatal). With ``formdata``: a POST form."""
        kwargs: dict[str, Any] = dict(
            callback=callback or self.parse_list,
            errback=errback or self.list_failed,  # non-2xx (HttpError) and network failures are fatal
            priority=priority,
            meta={KIND_META: "list", **meta},
        )
        if formdata is not None:
            return scrapy.FormRequest(url, formdata=formdata, **kwargs)
        return scrapy.Request(url, **kwargs)

    def parse_list(self, response: Response) -> Iterable[Any]:
        """The callback of list pages (families page their lists their own way)."""
        raise NotImplementedError

    def parse_list_page(self, text: str, url: str) -> Any:
        """What the family's ``list_parser`` reads on a list page."""
        if self.list_parser is None:
            raise NotImplementedError(f"{type(self).__name__} has no list_parser")
        return self.list_parser(text, url, selectors=self.selectors, default_tz=self.tz)

    def no_article_listed(self, response: Response) -> None:
        """A list page that lists nothing: the source cannot be read (layout changed?)."""
        self.record_fatal(f"{self.source.id}: no article found on list page {response.url} (page layout changed?)")

    def article_requests(
        self,
        entries: Iterable[Any],
        *,
        section: str | None,
        extra_meta: Callable[[Any], dict[str, Any]] | None = None,
        date_of: Callable[[Any], datetime | None] = lambda entry: entry.date,
    ) -> Iterator[scrapy.Request]:
        """One ``parse_article`` request per listed article (``entries`` have url, title and a date,
        ``date_of(entry)``) that is inside the date window and on the source's site; the others are
        counted in the stats. The list's title and date travel in the meta for
        :meth:`listed_article_item`, with ``extra_meta(entry)``."""
        stats = self.crawler.stats
        for entry in entries:
            when = date_of(entry)
            if self.skipped_as_future(entry.url, when, "its list"):
                continue
            if not self.in_window(when):
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
                "list_date": when.isoformat() if when else None,
            }
            yield scrapy.Request(
                entry.url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={**meta, **(extra_meta(entry) if extra_meta else {})},
            )

    # ------------------------------------------------------------------ article pages
    def is_html(self, response: Response) -> bool:
        """False (and a page error) for a document served where an article page was expected."""
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if content_type and "html" not in content_type and "xml" not in content_type:
            self.record_page_error(f"{self.source.id}: article {response.url} is not a HTML page ({content_type})")
            return False
        return True

    def parse_detail(self, text: str, response: Response) -> ExtractedArticle:
        """The article of an article page: the family's ``detail_parser``."""
        if self.detail_parser is None:
            raise NotImplementedError(f"{type(self).__name__} has no detail_parser")
        return self.detail_parser(text, response.url, selectors=self.selectors, default_tz=self.tz)

    def parse_article(self, response: Response) -> Iterator[Any]:
        """The callback of article pages: parse (:meth:`parse_detail`), then the item."""
        if self.html_only and not self.is_html(response):
            return
        article = self.parse_detail(self.response_text(response), response)
        page_url = response.url if self.errors_name_fetched_url else None
        item = self.listed_article_item(article, response.meta, page_url=page_url)
        if item is not None:
            yield item

    def listed_article_item(
        self, article: ExtractedArticle, meta: Mapping[str, Any], *, page_url: str | None = None
    ) -> ArticleItem | None:
        """:meth:`article_item` with the list entry the article was found on (its request's meta)."""
        return self.article_item(
            article,
            section=meta.get("section"),
            list_title=meta.get("list_title"),
            list_date=meta.get("list_date"),
            origin=self.list_origin,
            page_url=page_url,
        )

    def make_item(
        self,
        *,
        url: str,
        section: str | None,
        title: str,
        published_at: datetime | None,
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
        article: ExtractedArticle,
        *,
        section: str | None,
        list_title: str | None = None,
        list_date: str | None = None,
        origin: str = "list",
        page_url: str | None = None,
    ) -> ArticleItem | None:
        """The item of a parsed article page (an ``ExtractedArticle``), or None with the reason recorded.

        What the list (``origin``) said fills what the page lacks: the title, and the date when the
        page gave none or only the URL's (``list_date`` is an ISO datetime). An article without
        title or body is a page error (layout changed?) naming ``page_url`` (default the article's
        URL); one dated outside the window is skipped.
        """
        title = article.title or list_title
        if not article.title and title:
            article.extra["title_source"] = origin
        if article.extra.get("date_source") in (None, "url") and list_date:
            article.published_at = datetime.fromisoformat(list_date)
            article.extra["date_source"] = origin
        if not title or not article.body:
            missing = " and ".join(n for n, v in (("title", title), ("body", article.body)) if not v)
            self.record_page_error(
                f"{self.source.id}: article {page_url or article.url} has no {missing} (page layout changed?)"
            )
            return None
        if self.skipped_as_future(
            page_url or article.url, article.published_at, article.extra.get("date_source") or "its page"
        ):
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
