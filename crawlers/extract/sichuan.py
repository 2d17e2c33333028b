"""The Sichuan provincial CMS (kjt.sc.gov.cn): list pages, pagination, pinned items, articles.

List ``/kjt/gstz/newschild.shtml``: ``.column-list li`` → ``a`` (relative href) + ``span``
"(YYYY-MM-DD)", 15 a page; page k is ``newschild_k.shtml`` (``createPageHTML('page_div', N, cur,
'newschild', 'shtml', records)``). Pinned notices open page 1 out of date order, so their dates say
nothing about how old the rest of the list is (:func:`mark_pinned`). Articles
``/kjt/<col>/YYYY/M/D/<32 hex>.shtml`` come in two templates: notices (``.newsTex h1``,
``.abstract li`` lines "发布日期：…" / "发布机构：…" / "文  号：…", body ``.newsCon``, attachments
``.attachment li a``) and policy documents (``.articlebox h1``, ``.topbox`` metadata cells,
body ``.contText``; document numbers such as 川科政〔2024〕2号). Rules:
:mod:`crawlers.extract.rules_sichuan`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from crawlers.extract.common import (
    ExtractedArticle,
    block_text,
    body_lines,
    find_attachments,
    linked_entries,
    page_title,
    selector_for,
    trafilatura_text,
)
from crawlers.extract.dates import DEFAULT_TZ, date_from_url, parse_date
from crawlers.extract.metadata import label_value_pairs, labelled_fields
from crawlers.extract.rules import with_overrides
from crawlers.extract.rules_sichuan import (
    SICHUAN_ARTICLE_RE,
    SICHUAN_DATE_LABELS,
    SICHUAN_OFFICE_LABELS,
    SICHUAN_PAGER_RE,
    SICHUAN_RULES,
    SICHUAN_TITLE_SUFFIX_RE,
)
from crawlers.extract.trs import ListEntry, is_attachment_url
from crawlers.extract.urls import canonical_url


def is_sichuan_article_url(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0]
    return bool(SICHUAN_ARTICLE_RE.search(path)) and not is_attachment_url(path)


def sichuan_total_pages(html: str) -> int | None:
    """Total list pages from the inline ``createPageHTML('page_div', N, …)`` (None without a pager)."""
    match = SICHUAN_PAGER_RE.search(html)
    if match is None or int(match["total"]) < 1:
        return None
    return int(match["total"])


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
    html: str | bytes,
    base_url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> tuple[list[ListEntry], int | None]:
    """Article entries of a list page (pinned head marked) and the total page count.

    Only links inside the list items whose path is an article path are kept (no whole-page
    fallback: an empty container means the layout changed); relative hrefs are resolved against the
    list page. The date is the item's "(YYYY-MM-DD)", else the URL's.
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    sel = selector_for(text, base_url)
    rules = with_overrides(SICHUAN_RULES, selectors)
    found = linked_entries(sel, base_url, rules["list_item"], _article_or_none, default_tz=default_tz, whole_page=False)
    entries = [ListEntry(url=url, title=title, date=date) for url, title, date in found]
    return mark_pinned(entries), sichuan_total_pages(text)


def _article_or_none(url: str) -> str | None:
    return url if is_sichuan_article_url(url) else None


def parse_sichuan_detail(
    html: str | bytes,
    url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """Title, date, issuing office, body, attachments and document metadata of an article page.

    Title: the template's ``h1`` → meta → ``<title>`` without the site name. Date: the
    "发布日期" line → the URL's ``/YYYY/M/D/``. Office: a non-empty "发布机构". ``extra`` gets rule
    (the body rule), title_source, date_source, attachments [{name, url}] and the labelled fields
    (document_number, index_number, written_date... empty ones left out).
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    url = canonical_url(url)
    sel = selector_for(text, url)
    rules = with_overrides(SICHUAN_RULES, selectors)
    article = ExtractedArticle(url=url)
    extra = article.extra

    article.title, extra["title_source"] = page_title(sel, rules["title"], rules["title_meta"], SICHUAN_TITLE_SUFFIX_RE)

    # --- metadata lines / cells: date, issuing office, document number...
    cells = [block_text(found.root) for css in rules["metadata"] for found in sel.css(css)]
    pairs = label_value_pairs(cells)
    date: datetime | None = None
    for label, value in pairs:
        if label in SICHUAN_DATE_LABELS and value:
            date = parse_date(value, default_tz=default_tz)
            if date:
                extra["date_source"] = "metadata"
                break
    if date is None:
        date = date_from_url(url, default_tz=default_tz)
        extra["date_source"] = "url" if date else None
    article.published_at = date
    office = next((value for label, value in pairs if label in SICHUAN_OFFICE_LABELS and value), None)
    if office:
        article.source_office, extra["source_office_source"] = office, "metadata"
    fields = labelled_fields(cells)
    fields.pop("issuing_office", None)  # already the source office
    extra.update(fields)

    # --- body, without the chrome some pages put inside it
    extra["rule"], lines = body_lines(sel, rules["body"], rules["drop"])
    article.body = "\n".join(lines)
    if not article.body:
        article.body = trafilatura_text(text, url)
        extra["rule"] = "trafilatura" if article.body else None

    # --- attachments
    containers = [found for css in rules["attachments"] for found in sel.css(css)]
    extra["attachments"] = find_attachments(containers, url)
    return article
