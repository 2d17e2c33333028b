"""The Sichuan provincial CMS (kjt.sc.gov.cn): list pages, pagination, pinned items, articles.

List ``/kjt/gstz/newschild.shtml``: ``.column-list li`` → ``a`` (relative href) + ``span``
"(YYYY-MM-DD)", 15 a page; page k is ``newschild_k.shtml`` (``createPageHTML('page_div', N, cur,
'newschild', 'shtml', records)``). Pinned notices open page 1 out of date order, so their dates say
nothing about how old the rest of the list is (:func:`mark_pinned`). Articles
``/kjt/<col>/YYYY/M/D/<32 hex>.shtml`` come in two templates: notices (``.newsTex h1``,
``.abstract li`` lines "发布日期：…" / "发布机构：…" / "文  号：…", body ``.newsCon``, attachments
``.attachment li a``) and policy documents (``.articlebox h1``, ``.topbox`` metadata cells,
body ``.contText``; document numbers such as 川科政〔2024〕2号). Article pages are all rules
(:mod:`crawlers.extract.rules_sichuan`); what is Sichuan's own: page numbering and pinned items.
"""

from __future__ import annotations

import re
from dataclasses import replace

from crawlers.extract.article import ArticleParser
from crawlers.extract.dates import DEFAULT_TZ
from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.family import Selectors
from crawlers.extract.lists import first_int, read_list
from crawlers.extract.rules_sichuan import RULES, SICHUAN_PAGER_RE

is_sichuan_article_url = RULES.lists.is_article  # an article page's URL (by the shape of its path)


def sichuan_total_pages(html: str) -> int | None:
    """Total list pages from the inline ``createPageHTML('page_div', N, …)`` (None without a pager)."""
    return first_int((SICHUAN_PAGER_RE,), html) or None


def sichuan_page_urls(first_url: str, total: int | None) -> list[str]:
    """``newschild.shtml``, ``newschild_2.shtml`` … ``newschild_N.shtml`` (page k > 1 is ``_k``,
    unlike TRS's ``index_{k-1}``); a first URL ending in ``/`` pages from ``index.shtml``."""
    total = max(total or 1, 1)
    directory, _, name = first_url.partition("?")[0].rpartition("/")
    stem, dot, ext = (name or "index.shtml").rpartition(".")
    if not dot:
        stem, ext = name, "shtml"
    stem = re.sub(r"_\d+$", "", stem)
    return [f"{directory}/{stem}.{ext}"] + [f"{directory}/{stem}_{k}.{ext}" for k in range(2, total + 1)]


def mark_pinned(entries: list[ListEntry]) -> list[ListEntry]:
    """The entries with the pinned head marked: the leading items that are older than an item
    listed after them (a newest-first list only breaks its order for pinned notices)."""
    head = 0
    for i, entry in enumerate(entries):
        later = [e.date for e in entries[i + 1 :] if e.date is not None]
        if entry.date is None or not later or entry.date >= max(later):
            break
        head = i + 1
    return [replace(e, pinned=True) if i < head else e for i, e in enumerate(entries)]


def parse_sichuan_list(
    html: str | bytes, base_url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> tuple[list[ListEntry], int | None]:
    """Article entries of a list page (pinned head marked) and the total page count.

    Only links inside the list items whose path is an article path are kept (no whole-page
    fallback: an empty container means the layout changed); relative hrefs are resolved against the
    list page. The date is the item's "(YYYY-MM-DD)", else the URL's.
    """
    page = read_list(html, base_url, RULES, selectors=selectors, default_tz=default_tz)
    return mark_pinned(page.entries), page.total_pages


def parse_sichuan_detail(
    html: str | bytes, url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> ExtractedArticle:
    """Title, date, issuing office, body, attachments and document metadata of an article page.

    Title: the template's ``h1`` → meta → ``<title>`` without the site name. Date: the
    "发布日期" line → the URL's ``/YYYY/M/D/``. Office: a non-empty "发布机构". ``extra`` gets rule
    (the body rule), title_source, date_source, attachments [{name, url}] and the labelled fields
    (document_number, index_number, written_date... empty ones left out).
    """
    return PARSER.parse(html, url, selectors=selectors, default_tz=default_tz)


PARSER = ArticleParser(RULES)
