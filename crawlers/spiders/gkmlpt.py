"""The Guangdong gkmlpt family spider (stic.sz.gov.cn), over plain HTTP.

    python -m crawlers.run --source stic_sz --run-id manual --logical-date 2024-03-05
    scrapy crawl gkmlpt -a source=stic_sz [-a since=2024-03-01] [-a until=2024-03-31] [-a max_pages=0]

Per section (the site's ``http://HOST/gkmlpt/index``): ``window._CONFIG`` gives the SID and the
category TREE → for each category the registry chose (``selectors = { categories = "ids or names" }``)
``GET /gkmlpt/api/all/{category}?page=N&sid=SID`` until ``total`` articles were listed, a page is
empty or entirely older than ``since`` → every article page ``/gkmlpt/content/<a>/<b>/post_<id>.html``
(body from its ``"content"`` JSON field). The API's metadata (publisher, 文号, 索引号, keywords,
attachments) completes what the page gives; attachments are never fetched. URLs keep ``http``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from scrapy import Request
from scrapy.http import Response

from crawlers.conditional import SKIP_META
from crawlers.extract.documents import ExtractedArticle
from crawlers.extract.gkmlpt import (
    GkmlptError,
    gkmlpt_api_url,
    parse_gkmlpt_api,
    parse_gkmlpt_config,
    parse_gkmlpt_detail,
    wanted_categories,
)
from crawlers.extract.rules import with_overrides
from crawlers.extract.rules_gkmlpt import GKMLPT_RULES
from crawlers.spiders.base import FamilySpider


class GkmlptSpider(FamilySpider):
    name = "gkmlpt"
    rules = GKMLPT_RULES
    list_origin = "api"

    async def start(self) -> AsyncIterator[Request]:
        if not wanted_categories(with_overrides(GKMLPT_RULES, self.selectors)):
            self.record_fatal(
                f"{self.source.id}: no gkmlpt category chosen: set selectors.categories "
                "(ids or names of the TREE, comma-separated) in the registry"
            )
            return
        for section in self.source.sections:
            # always fetched in full: an unchanged index says nothing about the API's lists
            meta = {"index_url": section.url, SKIP_META: True}
            yield self.list_page_request(section.url, meta, callback=self.parse_index, priority=20)

    def parse_index(self, response: Response) -> Iterator[Request]:
        index_url = response.meta["index_url"]  # as the registry wrote it: its scheme (http) is kept
        self.crawler.stats.inc_value("policywatch/list_pages")
        try:
            config = parse_gkmlpt_config(self.response_text(response))
            categories = config.select(wanted_categories(with_overrides(GKMLPT_RULES, self.selectors)))
        except GkmlptError as exc:
            self.record_fatal(f"{self.source.id}: gkmlpt index {response.url}: {exc} (page layout changed?)")
            return
        self.logger.info(
            "%s: SID %s, categories %s", self.source.id, config.sid, ", ".join(f"{c.id} {c.name}" for c in categories)
        )
        for category in categories:
            yield self.api_request(index_url, config.sid, category.id, category.name, page=1)

    def api_request(self, index_url: str, sid: str, category: int, name: str, *, page: int, listed: int = 0) -> Request:
        return self.list_page_request(
            gkmlpt_api_url(index_url, category, page, sid),
            {
                "index_url": index_url,
                "sid": sid,
                "category": category,
                "category_name": name,
                "page": page,
                "listed": listed,
            },
            callback=self.parse_api,
        )

    def parse_api(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        page = meta["page"]
        self.crawler.stats.inc_value("policywatch/list_pages")
        try:
            api = parse_gkmlpt_api(self.response_text(response), meta["index_url"], default_tz=self.tz)
        except GkmlptError as exc:
            self.record_fatal(f"{self.source.id}: list page {response.url}: {exc}")
            return
        if not api.entries:
            if page == 1:
                self.no_article_listed(response)
            return
        listed = meta["listed"] + api.count
        self.logger.info(
            "%s category %s page %d: %d articles, %d of %s listed (%s)",
            self.source.id,
            meta["category_name"],
            page,
            api.count,
            listed,
            api.total,
            response.url,
        )
        yield from self.article_requests(
            api.entries,
            section=meta["category_name"],
            extra_meta=lambda entry: {
                "index_url": meta["index_url"],
                "api_source_office": entry.source_office,
                "api_extra": entry.extra,
            },
        )
        more = api.total is None or listed < api.total
        older_only = self.all_older_than_since([e.date for e in api.entries])
        if more and not older_only and (self.max_pages is None or page < self.max_pages):
            yield self.api_request(
                meta["index_url"], meta["sid"], meta["category"], meta["category_name"], page=page + 1, listed=listed
            )

    def parse_detail(self, text: str, response: Response) -> ExtractedArticle:
        """The article page, completed with what the API listed (its request's meta)."""
        meta = response.meta
        # a stored article asked for again (FamilySpider.refresh_request) comes without the API's data
        index_url = meta.get("index_url") or self.source.sections[0].url
        article = parse_gkmlpt_detail(
            text, response.url, index_url=index_url, selectors=self.selectors, default_tz=self.tz
        )
        # the API is the catalogue: its publisher and metadata win, the page adds what it lacks
        api_extra = dict(meta.get("api_extra") or {})
        page_attachments = article.extra.pop("attachments", [])
        known = {a["url"] for a in api_extra.get("attachments", [])}
        api_extra["attachments"] = api_extra.get("attachments", []) + [
            a for a in page_attachments if a["url"] not in known
        ]
        article.extra.update(api_extra)
        if meta.get("api_source_office"):
            article.source_office = meta["api_source_office"]
            article.extra["source_office_source"] = "api:publisher"
        return article
