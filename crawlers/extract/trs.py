"""TRS WCM "t-date" static sites (kjj.cq.gov.cn and the other *.cq.gov.cn bureaus, most.gov.cn...).

List pages: ``index.html``, ``index_1.html``…, total pages in an inline ``createPage(N, …)``;
articles ``./YYYYMM/tYYYYMMDD_<id>.html`` relative to the LIST page; attachments
``./YYYYMM/P0<digits>.pdf``. Detail pages carry the standard gov meta tags (ArticleTitle, PubDate,
ContentSource, Keywords, ColumnName), a visible header "来自: X 日期:YYYY-MM-DD" and the body in
``div.trs_editor_view``. Everything is a rule (:mod:`crawlers.extract.rules_trs`); what is TRS's
own is the page numbering of a column.
"""

from __future__ import annotations

import re

from crawlers.extract.article import ArticleParser
from crawlers.extract.dates import DEFAULT_TZ
from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.family import Selectors
from crawlers.extract.lists import first_int, read_list
from crawlers.extract.rules_trs import RULES, TRS_PAGINATION_RES


def total_pages(html: str) -> int | None:
    """Total list pages from ``createPage(N, …)`` / ``createPageHTML(N, …)`` / ``pagination_script_config``."""
    return first_int(TRS_PAGINATION_RES, html) or None


def parse_trs_list(
    html: str | bytes, base_url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> tuple[list[ListEntry], int | None]:
    """Article entries of a TRS list page and the total page count (None when the page has no pager).

    Only links whose path matches ``YYYYMM/tYYYYMMDD_<id>.html`` are kept (navigation, chrome and
    attachment links are not articles); relative links are resolved against ``base_url`` — the
    LIST page URL, not the site root. Titles prefer the ``title`` attribute (the visible text is often
    cut with "…"); the date is the item's date text, else the ``tYYYYMMDD`` of the URL.
    """
    page = read_list(html, base_url, RULES, selectors=selectors, default_tz=default_tz)
    return page.entries, page.total_pages


def trs_page_urls(first_url: str, total: int | None, *, limit: int | None = None) -> list[str]:
    """``index.html``, ``index_1.html`` … ``index_{N-1}.html`` for a TRS column (page n → ``index_{n-1}``).

    ``first_url`` may end in ``/`` (``index.html`` is assumed) or name the first page (any
    extension: .html, .shtml, .htm). ``limit`` caps the count (None or 0: no cap).
    """
    total = max(total or 1, 1)
    if limit:
        total = min(total, limit)
    base, _, query = first_url.partition("?")
    if base.endswith("/"):
        directory, stem, ext = base, "index", ".html"
    else:
        directory, _, name = base.rpartition("/")
        directory += "/"
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        else:
            ext = "." + ext
        # a first URL that is already page k (index_3.html) still pages from the column's index
        stem = re.sub(r"_\d+$", "", stem)
    pages = [f"{directory}{stem}{ext}"]
    pages += [f"{directory}{stem}_{n}{ext}" for n in range(1, total)]
    return [p + (f"?{query}" if query else "") for p in pages]


def parse_trs_detail(
    html: str | bytes, url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> ExtractedArticle:
    """Title, date, source office, body and attachments of a TRS article page (:data:`RULES`).

    ``extra`` gets keywords, column_name, attachments [{name, url}], rule (the body rule),
    date_source / title_source / source_office_source and the labelled fields of an
    open-government metadata table (document_number, index_number, written_date, topic...).
    """
    return PARSER.parse(html, url, selectors=selectors, default_tz=default_tz)


PARSER = ArticleParser(RULES)
