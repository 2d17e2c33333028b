"""The errbacks of every family spider: failed, unchanged and blocked pages (a base of FamilySpider).

A list/feed page that fails or answers non-2xx is fatal (the source could not be read); an article
page that fails is a page error (the run is partial); a callback that raises is one or the other,
by the page's kind. Both are recorded through ``FamilySpider.record_fatal`` /
``FamilySpider.record_page_error`` (the crawl's :class:`crawlers.runstate.CrawlRunState`).

Unchanged pages (crawlers/conditional.py) reach the errbacks as :class:`NotModified`, never the
callbacks: an unchanged article is done; an unchanged list page is not paged further, but the
stored articles of its section inside the refresh window are asked for again (conditionally: a
304 each, unless one was corrected). A JavaScript challenge (crawlers/challenge.py) arrives as
:class:`SourceBlocked`, already recorded as fatal. Custom errbacks must hand such failures to
:meth:`FailedPages.list_failed` / :meth:`FailedPages.article_failed` (or ignore them).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import scrapy
from scrapy.exceptions import IgnoreRequest, ResponseDataLossError
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.challenge import SourceBlocked
from crawlers.conditional import NotModified
from crawlers.extract.charset import UndecodableError
from crawlers.middlewares import KIND_META, REAL_URL_META


class FailedPages:
    """Mixin of :class:`crawlers.spiders.base.FamilySpider`, whose ``source``, ``crawler``,
    ``since``/``until``, ``tz``, ``record_*`` methods and ``_refreshed_sections`` (the sections
    whose stored articles were asked for again) it uses."""

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
        if isinstance(failure.value, ResponseDataLossError):  # its own text is only its name
            return "failed: ResponseDataLossError: the connection closed before the whole body came"
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
        requests = [self.refresh_request(url, section) for url in self.recent_article_urls(section)]
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

    def refresh_request(self, url: str, section: str | None) -> scrapy.Request:
        """The request of a stored article asked for again (to ``parse_article``: it carries no
        list entry)."""
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={KIND_META: "article", "section": section, "refresh": True},
        )

    def _on_spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        """A callback raised: a bug or a page the parser cannot handle."""
        if spider is not self:
            return
        kind = response.meta.get(KIND_META) if response is not None else None
        url = getattr(response, "url", "?")
        if failure.check(UndecodableError):  # no charset fits the page's bytes: the cause, not a traceback
            page = "list page" if kind == "list" else "article"
            message = f"{self.source.id}: {page} {url} {failure.value}"
        else:
            message = f"{self.source.id}: parsing {url} raised {failure.type.__name__}: {failure.value}"
        if kind == "list":
            self.record_fatal(message)
        else:
            self.record_page_error(message)
