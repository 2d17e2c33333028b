"""The Hanweb JCMS family spider (kjt.zj.gov.cn, kxjst.jiangsu.gov.cn).

    python -m crawlers.run --source kjt_zj --run-id manual --logical-date 2024-03-05
    scrapy crawl hanweb -a source=kjt_zj [-a since=2024-03-01] [-a until=2024-03-31] [-a max_pages=0]

Per section (a column ``/col/col<COLID>/index.html``): the static page's ``<record>``s → while
records remain (``totalRecord``), ``POST /module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P``
with the column's form (from its ``<nextgroup>`` link), one group of ``perPage × groupSize`` records
at a time, stopping early once a group is entirely older than ``since`` → every article page
(``/art/YYYY/M/D/art_<COLID>_<ID>.html``). ``/module/download`` attachments are never fetched.

Hanweb servers send no charset: the registry entry forces ``charset = "utf-8"`` (FamilySpider.response_text).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawlers.extract.hanweb import dataproxy_url, parse_hanweb_detail, parse_hanweb_list
from crawlers.extract.rules_hanweb import HANWEB_DEFAULT_PER_PAGE, HANWEB_RULES
from crawlers.spiders.base import FamilySpider


class HanwebSpider(FamilySpider):
    name = "hanweb"
    rules = HANWEB_RULES
    list_parser = staticmethod(parse_hanweb_list)  # a HanwebListing: records, entries, paging
    detail_parser = staticmethod(parse_hanweb_detail)

    async def start(self) -> AsyncIterator[Request]:
        for section in self.source.sections:
            yield self.list_page_request(section.url, {"section": section.name, "page": 1, "column_url": section.url})

    def dataproxy_request(self, meta: dict[str, Any], paging: dict[str, Any], start: int) -> Request:
        """The group of records from ``start`` (POST; the replay answers it by its query string)."""
        end = start + paging["per_group"] - 1
        return self.list_page_request(
            dataproxy_url(meta["column_url"], start, end, paging["per_page"]),
            {
                "section": meta["section"],
                "page": meta["page"] + 1,
                "column_url": meta["column_url"],
                "first_record": start,
                "paging": paging,
            },
            formdata=list(paging["form"]),
        )

    def parse_list(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        section, page = meta["section"], meta["page"]
        listing = self.parse_list_page(self.response_text(response), response.url)
        self.crawler.stats.inc_value("policywatch/list_pages")
        if page == 1 and not listing.entries:
            self.no_article_listed(response)
            return
        # paging is read on the column page: totalRecord, perPage × groupSize, the dataproxy form
        paging = meta.get("paging") or {
            "total": listing.total_records or listing.records,
            "per_page": listing.per_page or HANWEB_DEFAULT_PER_PAGE,
            "per_group": listing.records_per_group,
            "form": listing.proxy_form,
            "problem": listing.proxy_problem,
        }
        self.logger.info(
            "%s list page %d: %d records, %d articles, %d records in all (%s)",
            self.source.id,
            page,
            listing.records,
            len(listing.entries),
            paging["total"],
            response.url,
        )
        yield from self.article_requests(listing.entries, section=section)
        next_record = meta.get("first_record", 1) + listing.records
        if listing.records == 0 or next_record > paging["total"]:
            return  # the end of the column
        if self.all_older_than_since([e.date for e in listing.entries]):
            return  # lists are newest first: the next group is older still
        if self.max_pages and page >= self.max_pages:
            return
        if not paging["form"]:
            self.record_fatal(
                f"{self.source.id}: list page {response.url} holds records 1-{listing.records} of {paging['total']} "
                f"but the rest cannot be asked for: {paging['problem']} (page layout changed?)"
            )
            return
        yield self.dataproxy_request(meta, paging, next_record)
