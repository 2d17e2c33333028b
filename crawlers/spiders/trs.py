"""The TRS WCM "t-date" family spider (kjj.cq.gov.cn, the *.cq.gov.cn bureaus, most.gov.cn...).

    python -m crawlers.run --source kjj_cq --run-id manual --logical-date 2024-03-05
    scrapy crawl trs -a source=kjj_cq [-a since=2024-03-01] [-a until=2024-03-31] [-a max_pages=0]

Per section: ``index.html`` → total pages from ``createPage(N, …)`` → ``index_1.html`` … (one after
the other, stopping early once a page is entirely older than ``since``) → every article page
(``YYYYMM/tYYYYMMDD_<id>.html``). Attachment links (``P0….pdf``) are never fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

from scrapy import Request
from scrapy.http import Response

from crawlers.extract.rules_trs import TRS_RULES
from crawlers.extract.trs import parse_trs_detail, parse_trs_list, trs_page_urls
from crawlers.spiders.base import FamilySpider


class TrsSpider(FamilySpider):
    name = "trs"
    rules = TRS_RULES
    # The family's parsers; a family with the same list → pages → articles shape (sichuan)
    # subclasses this spider and replaces these three.
    list_parser = staticmethod(parse_trs_list)  # the entries of a list page and the section's page count
    page_urls: Callable[[str, int | None], list[str]] = staticmethod(trs_page_urls)  # pages 1..total
    detail_parser = staticmethod(parse_trs_detail)
    html_only = True
    errors_name_fetched_url = True

    async def start(self) -> AsyncIterator[Request]:
        for section in self.source.sections:
            yield self.list_request(section.url, section=section.name, page=1, first_url=section.url)

    def list_request(self, url: str, *, section: str, page: int, first_url: str, total: int | None = None) -> Request:
        return self.list_page_request(
            url, {"section": section, "page": page, "first_url": first_url, "total_pages": total}
        )

    def parse_list(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        section, page, first_url = meta["section"], meta["page"], meta["first_url"]
        entries, total = self.parse_list_page(self.response_text(response), response.url)
        total = meta.get("total_pages") or total or 1
        self.crawler.stats.inc_value("policywatch/list_pages")
        if not entries:
            self.no_article_listed(response)
            return
        self.logger.info(
            "%s list page %d/%d: %d articles (%s)", self.source.id, page, total, len(entries), response.url
        )
        yield from self.article_requests(entries, section=section, extra_meta=lambda _entry: {"list_url": response.url})
        # next list page: one at a time, and not past `since` (lists are newest first; pinned
        # items at the top are out of date order and say nothing about the rest)
        older_only = self.all_older_than_since([e.date for e in entries if not e.pinned])
        last_page = min(total, self.max_pages) if self.max_pages else total
        if page < last_page and not older_only:
            next_url = self.page_urls(first_url, total)[page]
            yield self.list_request(next_url, section=section, page=page + 1, first_url=first_url, total=total)
