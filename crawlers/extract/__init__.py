"""Pure parsing functions (no Scrapy): one pipeline of stages, each family's rules as data.

* documents — what parsers return (ExtractedArticle, ListEntry, FeedEntry);
* html, dates, urls, charset, labels — helpers of every stage;
* family — the vocabulary of a rules table (FamilyRules and the sources of a field);
* title, body, published, office, metadata, attachments, lists — the stages, reading a page
  (:class:`~crawlers.extract.page.Page`) through its family's rules; fields reads a source;
* article — the article pipeline (every stage in order);
* rules (shared) and ``rules_<family>.py`` — the rules tables, as data;
* ``<family>.py`` — a family's public parsers and its hooks: only what is no rule;
* families — which parser reads each family's article pages (for ``policywatch extract``).
"""

from crawlers.extract.dates import date_from_url, parse_date
from crawlers.extract.documents import ExtractedArticle, FeedEntry, ListEntry
from crawlers.extract.trs import parse_trs_detail, parse_trs_list, trs_page_urls
from crawlers.extract.urls import canonical_url
from crawlers.extract.wordpress import parse_feed, parse_wordpress_article

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
