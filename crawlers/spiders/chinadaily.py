"""The China Daily regional CMS family spider (en.cppcc.gov.cn, English).

    python -m crawlers.run --source en_cppcc --run-id manual --logical-date 2024-03-05
    scrapy crawl chinadaily -a source=en_cppcc [-a since=2024-03-01] [-a max_pages=0]

Per section: ``<name>.html`` → ``<name>_2.html`` … as the pager links them → every article page
(``/YYYY-MM/DD/c_<id>.htm``; date and office from its "Updated: YYYY-MM-DD <office>" line). Links to
the regional.chinadaily.com.cn mirror are another site's and are not followed.
"""

from __future__ import annotations

from scrapy.http import Response

from crawlers.extract.chinadaily import parse_chinadaily_article, parse_chinadaily_list
from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.rules_chinadaily import CHINADAILY_RULES
from crawlers.spiders.paged_list import PagedListSpider


class ChinadailySpider(PagedListSpider):
    name = "chinadaily"
    rules = CHINADAILY_RULES

    def parse_list_page(self, text: str, url: str) -> tuple[list[ListEntry], str | None]:
        return parse_chinadaily_list(text, url, selectors=self.selectors, default_tz=self.tz)

    def parse_detail(self, text: str, response: Response) -> ExtractedArticle:
        return parse_chinadaily_article(text, response.url, selectors=self.selectors, default_tz=self.tz)
