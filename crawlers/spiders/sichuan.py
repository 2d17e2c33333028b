"""The Sichuan provincial CMS family spider (kjt.sc.gov.cn).

    python -m crawlers.run --source kjt_sc --run-id manual --logical-date 2024-03-05
    scrapy crawl sichuan -a source=kjt_sc [-a since=2024-03-01] [-a until=2024-03-31] [-a max_pages=0]

The same walk as the TRS family (list page → total pages from the inline pager → next pages one at a
time → article pages; attachments never fetched), with this family's parsers: pages are
``newschild_2.shtml``… and the pinned notices heading page 1 do not count when deciding whether a
page is entirely older than ``since`` (see :func:`crawlers.extract.sichuan.mark_pinned`).
"""

from __future__ import annotations

from crawlers.extract.rules_sichuan import SICHUAN_RULES
from crawlers.extract.sichuan import parse_sichuan_detail, parse_sichuan_list, sichuan_page_urls
from crawlers.spiders.trs import TrsSpider


class SichuanSpider(TrsSpider):
    name = "sichuan"
    rules = SICHUAN_RULES
    list_parser = staticmethod(parse_sichuan_list)
    page_urls = staticmethod(sichuan_page_urls)
    detail_parser = staticmethod(parse_sichuan_detail)
