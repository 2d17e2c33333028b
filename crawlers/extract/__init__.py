"""Pure parsing functions (no Scrapy): dates, URLs, and one module per site family.

Rules (selectors, meta names, regexes) are data in :mod:`crawlers.extract.rules`.
"""

from crawlers.extract.common import ExtractedArticle
from crawlers.extract.dates import date_from_url, parse_date
from crawlers.extract.trs import ListEntry, parse_trs_detail, parse_trs_list, trs_page_urls
from crawlers.extract.urls import canonical_url
from crawlers.extract.wordpress import FeedEntry, parse_feed, parse_wordpress_article

__all__ = [
    "ExtractedArticle",
    "FeedEntry",
    "ListEntry",
    "canonical_url",
    "date_from_url",
    "parse_date",
    "parse_feed",
    "parse_trs_detail",
    "parse_trs_list",
    "parse_wordpress_article",
    "trs_page_urls",
]
