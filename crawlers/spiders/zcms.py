"""The People's Daily family / ZCMS spider (www.rmzxw.com.cn, cppcc.people.com.cn).

    python -m crawlers.run --source rmzxw --run-id manual --logical-date 2024-03-05
    scrapy crawl zcms -a source=cppcc_people [-a since=2024-03-01] [-a max_pages=0]

Per section: the list page → the next list page its pager links (下一页) → every article page. A
multi-page article (``<id>_2.shtml`` … in ``div.Paging``; ``c…-<id>-2.html`` in ``div.zdfy``) is
read page after page and stored ONCE, under its first page's URL, with the bodies joined; a later
page that fails is a page error and the article is stored with the pages read
(``extra["pages_missing"]``), so the next run completes it. Advertorials are stored flagged
(``extra["advertorial"]``); the digest leaves them out. cppcc.people.com.cn declares GB2312 and
sends GBK: its registry entry forces GB18030.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.extract.documents import ExtractedArticle
from crawlers.extract.rules_zcms import ZCMS_RULES
from crawlers.extract.zcms import join_pages, parse_zcms_article, parse_zcms_list
from crawlers.middlewares import KIND_META
from crawlers.spiders.paged_list import PagedListSpider

PAGES_META = "zcms_pages"  # the state of a multi-page article being read


class ZcmsSpider(PagedListSpider):
    name = "zcms"
    rules = ZCMS_RULES
    list_parser = staticmethod(parse_zcms_list)

    def parse_detail(self, text: str, response: Response) -> ExtractedArticle:
        """One page of an article; the parser also gets the server's Content-Type."""
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        return parse_zcms_article(
            text, response.url, content_type=content_type, selectors=self.selectors, default_tz=self.tz
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        if not self.is_html(response):
            return
        first = self.parse_detail(self.response_text(response), response)
        pending = first.extra.pop("more_pages", [])
        # "known": every page URL met so far (read, pending or failed), so a pager never sends us back
        state = {
            "first": first,
            "later": [],
            "read": [response.url],
            "pending": list(pending),
            "known": {response.url, *pending},
        }
        yield from self._next_page_or_item(state, response.meta)

    def parse_later_page(self, response: Response) -> Iterator[Any]:
        state = response.meta[PAGES_META]
        if self.is_html(response):
            page = self.parse_detail(self.response_text(response), response)
            state["later"].append(page)
            state["read"].append(response.url)
            for url in page.extra.pop("more_pages", []):
                if url not in state["known"]:
                    state["known"].add(url)
                    state["pending"].append(url)
        else:
            state["missing"] = [*state.get("missing", []), response.url]
        yield from self._next_page_or_item(state, response.meta)

    def later_page_failed(self, failure: Failure) -> Iterator[Any]:
        """A later page could not be read: a page error, and the article is stored without it."""
        request = failure.request
        state = request.meta[PAGES_META]
        url = self.failure_url(failure)
        self.record_page_error(
            f"{self.source.id}: article {state['first'].url} page {url} {self.describe_failure(failure)} (stored without it)"
        )
        state["missing"] = [*state.get("missing", []), url]
        yield from self._next_page_or_item(state, request.meta)

    def _next_page_or_item(self, state: dict[str, Any], meta: Mapping[str, Any]) -> Iterator[Any]:
        if state["pending"]:
            url = state["pending"].pop(0)
            page_meta = {key: meta[key] for key in ("section", "list_title", "list_date", "list_url") if key in meta}
            yield Request(
                url,
                callback=self.parse_later_page,
                errback=self.later_page_failed,
                priority=5,  # finish this article before starting others
                dont_filter=True,  # a page dropped as a duplicate would silently lose the whole article
                # its own kind: never a conditional request (a 304 would leave a hole in the body)
                meta={**page_meta, KIND_META: "article_page", PAGES_META: state},
            )
            return
        article = state["first"]
        if state["later"] or state.get("missing"):
            article = join_pages(state["first"], state["later"], state["read"])
            if state.get("missing"):
                article.extra["pages_missing"] = state["missing"]
        item = self.listed_article_item(article, meta)
        if item is not None:
            yield item
