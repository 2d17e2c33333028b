"""The ARTI platform family spider (www.cppcc.gov.cn, 中国政协网).

    python -m crawlers.run --source cppcc --run-id manual --logical-date 2024-03-05
    scrapy crawl arti -a source=cppcc [-a since=2024-03-01] [-a until=2024-03-31] [-a max_pages=0]

Per section: the list page (``#txtBox li``, or a legacy page whose items sit in an inline
``title_array(...)`` script) → the next list page if a pager links one → every article page
(``/zxww/YYYY/MM/DD/ARTI<epoch ms>….shtml``; publish time from the id). The site's certificate names
another host (CATALOGUE §0.5): its registry entry is ``tls_lenient`` and its URLs are http.
"""

from __future__ import annotations

from scrapy.http import Response

from crawlers.extract.arti import parse_arti_detail, parse_arti_list
from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.rules_arti import ARTI_RULES
from crawlers.spiders.paged_list import PagedListSpider


class ArtiSpider(PagedListSpider):
    name = "arti"
    rules = ARTI_RULES

    def parse_list_page(self, text: str, url: str) -> tuple[list[ListEntry], str | None]:
        return parse_arti_list(text, url, selectors=self.selectors, default_tz=self.tz)

    def parse_detail(self, text: str, response: Response) -> ExtractedArticle:
        return parse_arti_detail(text, response.url, selectors=self.selectors, default_tz=self.tz)
