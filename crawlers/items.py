"""Scrapy items. ``ArticleItem`` mirrors :class:`storage.ArticleRecord` field for field."""

from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    """One article as a spider yields it; :mod:`crawlers.pipelines` turns it into an ArticleRecord."""

    url = scrapy.Field()  # canonical real-site URL (crawlers.extract.urls.canonical_url)
    source_id = scrapy.Field()  # registry id, e.g. "kjj_cq"
    section = scrapy.Field()  # registry section name, e.g. "通知公告"
    title = scrapy.Field()
    published_at = scrapy.Field()  # aware datetime (Asia/Shanghai) or None
    language = scrapy.Field()  # "zh" / "en"
    body = scrapy.Field()  # plain text, one paragraph per line
    source_office = scrapy.Field()  # publishing office (ContentSource / 来自), None if unknown
    author = scrapy.Field()
    extra = scrapy.Field()  # JSON-serialisable: keywords, column_name, attachments, rule...
