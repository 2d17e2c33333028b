"""Pure parsing functions (no Scrapy): one pipeline of stages, each site family's rules as data.

* documents — what the parsers return (ExtractedArticle, ListEntry, FeedEntry);
* html, dates, urls, charset, labels — helpers of every stage;
* family — the vocabulary of a rules table (FamilyRules, the sources of a field); fields reads a
  source on a page (page: the page being parsed);
* the stages: title, body (with the generic fallback), published, office, metadata, attachments,
  lists; article runs the first six in order (ArticleParser: a family's rules and hooks);
* rules (shared by every family) and ``rules_<family>.py`` — the rules tables;
* ``<family>.py`` — a family's public parsers and its hooks: only what no rule says;
* families — which parser reads a family's article pages (``policywatch extract``).
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
