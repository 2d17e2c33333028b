"""The TRS WCM "t-date" family spider (kjj.cq.gov.cn, the *.cq.gov.cn bureaus, most.gov.cn...).

    python -m crawlers.run --source kjj_cq --run-id manual --logical-date 2024-03-05
    scrapy crawl trs -a source=kjj_cq [-a since=2024-03-01] [-a until=2024-03-31] [-a max_pages=0]

Per section: ``index.html`` → total pages from ``createPage(N, …)`` → ``index_1.html`` … (one after
the other, stopping early once a page is entirely older than ``since``) → every article page
(``YYYYMM/tYYYYMMDD_<id>.html``). Attachment links (``P0….pdf``) are never fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.rules_trs import TRS_RULES
from crawlers.extract.trs import parse_trs_detail, parse_trs_list, trs_page_urls
from crawlers.spiders.base import KIND_META, FamilySpider


class TrsSpider(FamilySpider):
    name = "trs"
    rules = TRS_RULES

    async def start(self) -> AsyncIterator[Request]:
        for section in self.source.sections:
            yield self.list_request(section.url, section=section.name, page=1, first_url=section.url)

    def list_request(self, url: str, *, section: str, page: int, first_url: str, total: int | None = None) -> Request:
        return Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,  # non-2xx (HttpError) and network failures are fatal
            priority=10,  # finish reading the list before the articles it leads to
            meta={KIND_META: "list", "section": section, "page": page, "first_url": first_url, "total_pages": total},
        )

    # The family's parsers; a family with the same list → pages → articles shape (sichuan)
    # subclasses this spider and replaces these three.
    def parse_list_page(self, response: Response) -> tuple[list[ListEntry], int | None]:
        """The article entries of a list page and the section's total page count (None: unknown)."""
        return parse_trs_list(self.response_text(response), response.url, selectors=self.selectors, default_tz=self.tz)

    def list_page_urls(self, first_url: str, total: int | None) -> list[str]:
        """The URLs of pages 1..total of a section."""
        return trs_page_urls(first_url, total)

    def parse_detail_page(self, response: Response) -> ExtractedArticle:
        return parse_trs_detail(
            self.response_text(response), response.url, selectors=self.selectors, default_tz=self.tz
        )

    def parse_list(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        section, page, first_url = meta["section"], meta["page"], meta["first_url"]
        entries, total = self.parse_list_page(response)
        total = meta.get("total_pages") or total or 1
        stats = self.crawler.stats
        stats.inc_value("policywatch/list_pages")
        if not entries:
            self.record_fatal(f"{self.source.id}: no article found on list page {response.url} (page layout changed?)")
            return
        self.logger.info(
            "%s list page %d/%d: %d articles (%s)", self.source.id, page, total, len(entries), response.url
        )
        for entry in entries:
            if not self.in_window(entry.date):
                stats.inc_value("policywatch/out_of_window")
                continue
            if not self.on_site(entry.url):
                stats.inc_value("policywatch/offsite_links")
                continue
            stats.inc_value("policywatch/list_entries")
            yield Request(
                entry.url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={
                    KIND_META: "article",
                    "section": section,
                    "list_title": entry.title,
                    "list_date": entry.date.isoformat() if entry.date else None,
                    "list_url": response.url,
                },
            )
        # next list page: one at a time, and not past `since` (lists are newest first; pinned
        # items at the top are out of date order and say nothing about the rest)
        older_only = self.all_older_than_since([e.date for e in entries if not e.pinned])
        last_page = min(total, self.max_pages) if self.max_pages else total
        if page < last_page and not older_only:
            next_url = self.list_page_urls(first_url, total)[page]
            yield self.list_request(next_url, section=section, page=page + 1, first_url=first_url, total=total)

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if content_type and "html" not in content_type and "xml" not in content_type:
            self.record_page_error(f"{self.source.id}: article {response.url} is not a HTML page ({content_type})")
            return
        article = self.parse_detail_page(response)
        title = article.title or meta.get("list_title")
        if not article.title and title:
            article.extra["title_source"] = "list"
        if article.extra.get("date_source") in (None, "url") and meta.get("list_date"):
            article.published_at = datetime.fromisoformat(meta["list_date"])
            article.extra["date_source"] = "list"
        if not title or not article.body:
            missing = " and ".join(n for n, v in (("title", title), ("body", article.body)) if not v)
            self.record_page_error(f"{self.source.id}: article {response.url} has no {missing} (page layout changed?)")
            return
        if not self.in_window(article.published_at):
            self.crawler.stats.inc_value("policywatch/out_of_window")
            return
        item = self.make_item(
            url=article.url,
            section=meta.get("section"),
            title=title,
            published_at=article.published_at,
            body=article.body,
            source_office=article.source_office,
            author=article.author,
            extra=article.extra,
        )
        if item is not None:
            yield item
