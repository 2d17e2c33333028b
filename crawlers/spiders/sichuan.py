"""The Sichuan provincial CMS family spider (kjt.sc.gov.cn).

    python -m crawlers.run --source kjt_sc --run-id manual --logical-date 2024-03-05
    scrapy crawl sichuan -a source=kjt_sc [-a since=2024-03-01] [-a until=2024-03-31] [-a max_pages=0]

The same walk as the TRS family (list page → total pages from the inline pager → next pages one at a
time → article pages; attachments never fetched), with this family's parsers: pages are
``newschild_2.shtml``… and the pinned notices heading page 1 do not count when deciding whether a
page is entirely older than ``since`` (see :func:`crawlers.extract.sichuan.mark_pinned`).
"""

from __future__ import annotations

from scrapy.http import Response

from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.rules_sichuan import SICHUAN_RULES
from crawlers.extract.sichuan import parse_sichuan_detail, parse_sichuan_list, sichuan_page_urls
from crawlers.spiders.trs import TrsSpider


class SichuanSpider(TrsSpider):
    name = "sichuan"
    rules = SICHUAN_RULES

    def parse_list_page(self, response: Response) -> tuple[list[ListEntry], int | None]:
        return parse_sichuan_list(
            self.response_text(response), response.url, selectors=self.selectors, default_tz=self.tz
        )

    def list_page_urls(self, first_url: str, total: int | None) -> list[str]:
        return sichuan_page_urls(first_url, total)

    def parse_detail_page(self, response: Response) -> ExtractedArticle:
        return parse_sichuan_detail(
            self.response_text(response), response.url, selectors=self.selectors, default_tz=self.tz
        )
