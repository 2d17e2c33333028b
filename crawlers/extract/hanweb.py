"""Hanweb JCMS sites (kjt.zj.gov.cn, kxjst.jiangsu.gov.cn): list records, dataproxy paging, articles.

A column page ``/col/col<COLID>/index.html`` carries its first records (``groupSize`` pages of
``perPage`` records) inside ``<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>…</li>]]>``
plus the paging hints of its ``jpage({… perPage: 15, totalRecord: 57 …})`` call and a
``<nextgroup>`` link whose query holds the dataproxy form (webid, columnid, unitid…). Later records
come from ``POST /module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15`` which
answers the same ``<datastore>`` XML. Articles: ``/art/YYYY/M/D/art_<COLID>_<ID>.html`` (month and
day not zero-padded; the date is the fallback), hrefs often protocol-relative (``//host/art/…``).

These servers send no charset (CATALOGUE §0.4): pages are UTF-8, bytes are decoded as UTF-8 here
and the spider forces it through the registry's ``charset``. Article pages are all rules
(:mod:`crawlers.extract.rules_hanweb`); what is Hanweb's own is the ``<record>`` lists and the
dataproxy paging.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawlers.extract.article import ArticleParser
from crawlers.extract.attachments import download_links, find_attachments
from crawlers.extract.dates import DEFAULT_TZ
from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.family import Selectors
from crawlers.extract.html import as_text, selector_for
from crawlers.extract.lists import article_accepter, article_links, first_int, list_entries, read_list
from crawlers.extract.page import Page
from crawlers.extract.rules_hanweb import (
    HANWEB_DATAPROXY_FIXED_FORM,
    HANWEB_DATAPROXY_FORM_KEYS,
    HANWEB_DATAPROXY_PATH,
    HANWEB_DATAPROXY_REQUIRED,
    HANWEB_DEFAULT_GROUP_SIZE,
    HANWEB_DEFAULT_PER_PAGE,
    HANWEB_GROUP_SIZE_RES,
    HANWEB_NEXTGROUP_RE,
    HANWEB_PER_PAGE_RES,
    HANWEB_RECORD_RE,
    HANWEB_TOTAL_RECORD_RES,
    RULES,
)

is_hanweb_article_url = RULES.lists.is_article  # an article page's URL (by the shape of its path)


@dataclass(frozen=True)
class HanwebListPage:
    """What one column page or dataproxy answer holds.

    ``records`` counts the ``<record>`` elements (articles, off-site links and attachments alike):
    dataproxy ranges are counted in records. ``total_records`` / ``per_page`` / ``group_size`` are
    the paging hints (None when the page gives none); ``proxy_form`` the dataproxy form fields from
    the ``<nextgroup>`` link (None when absent or incomplete, with the reason in ``proxy_problem``).
    """

    entries: list[ListEntry]
    records: int
    total_records: int | None
    per_page: int | None
    group_size: int | None
    proxy_form: tuple[tuple[str, str], ...] | None
    proxy_problem: str | None = None

    @property
    def records_per_group(self) -> int:
        return (self.per_page or HANWEB_DEFAULT_PER_PAGE) * (self.group_size or HANWEB_DEFAULT_GROUP_SIZE)


def list_records(text: str) -> list[str]:
    """The HTML fragments of the ``<record>`` elements, in order (CDATA or escaped HTML)."""
    records = []
    for match in HANWEB_RECORD_RE.finditer(text):
        cdata = match.group("cdata")
        records.append(cdata if cdata is not None else html_lib.unescape(match.group("escaped") or ""))
    return records


def dataproxy_form(text: str) -> tuple[tuple[tuple[str, str], ...] | None, str | None]:
    """The dataproxy form (fixed fields + those of the ``<nextgroup>`` link), or None and why not."""
    match = HANWEB_NEXTGROUP_RE.search(text)
    if not match:
        return None, "no <nextgroup> dataproxy link on the page"
    params = dict(parse_qsl(urlsplit(html_lib.unescape(match.group("href"))).query, keep_blank_values=True))
    missing = [key for key in HANWEB_DATAPROXY_REQUIRED if not params.get(key)]
    if missing:
        return None, f"the <nextgroup> link has no {', '.join(missing)}"
    form = list(HANWEB_DATAPROXY_FIXED_FORM)
    form += [(key, params[key]) for key in HANWEB_DATAPROXY_FORM_KEYS if key in params]
    return tuple(form), None


def dataproxy_url(column_url: str, start: int, end: int, per_page: int) -> str:
    """``https://HOST/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` for a column."""
    parts = urlsplit(column_url)
    query = urlencode([("startrecord", start), ("endrecord", end), ("perpage", per_page)])
    return f"{parts.scheme}://{parts.netloc}{HANWEB_DATAPROXY_PATH}?{query}"


def parse_hanweb_list(
    page: str | bytes, base_url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> HanwebListPage:
    """Entries of a Hanweb column page or dataproxy answer, with its paging hints.

    Records come from the ``<record>`` elements; a page without any (newer, server-rendered
    JCMS lists) is read through the ``list_item`` rules instead. Only links whose path is an
    article path are entries (attachments, navigation are not); hrefs are resolved against
    ``base_url`` (protocol-relative ``//host/art/…`` included) and canonicalised. The title is the
    link's ``title`` (the text is often cut with "..."), the date the record's date text, else
    the ``/art/YYYY/M/D/`` of the URL.
    """
    text = as_text(page)
    fragments = list_records(text)
    if fragments:
        accept = article_accepter(RULES.lists)
        scopes = [selector_for(fragment, base_url) for fragment in fragments]
        scoped = ((scope, url, link) for scope in scopes for url, link in article_links(scope, base_url, accept))
        entries = list_entries(scoped, default_tz=default_tz)
    else:
        entries = read_list(text, base_url, RULES, selectors=selectors, default_tz=default_tz).entries
    form, problem = dataproxy_form(text)
    return HanwebListPage(
        entries=entries,
        records=len(fragments) if fragments else len(entries),
        total_records=first_int(HANWEB_TOTAL_RECORD_RES, text),
        per_page=first_int(HANWEB_PER_PAGE_RES, text),
        group_size=first_int(HANWEB_GROUP_SIZE_RES, text),
        proxy_form=form,
        proxy_problem=problem,
    )


def parse_hanweb_detail(
    page: str | bytes, url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> ExtractedArticle:
    """Title, date, source office, body, xxgk fields and attachments of a Hanweb article page (:data:`RULES`).

    ``extra`` gets keywords, column_name, the xxgk fields (document_number, index_number,
    issuing_office, validity…), attachments [{name, url}] (the ``/module/download`` links: recorded,
    never crawled), rule and title_source / date_source / source_office_source.
    """
    return PARSER.parse(page, url, selectors=selectors, default_tz=default_tz)


def _attachments(doc: Page) -> None:
    """The ``/module/download`` links anywhere on the page, then document links in the elements of
    the body's rule — only when the date came from a meta. Otherwise the elements of the visible
    date's rule, or none: what the parser did before the pipeline (it reused one variable for the
    body's rule and the date's), kept so that no output changes."""
    source = doc.extra.get("date_source") or ""
    if source.startswith("meta:"):
        rule = doc.body_match[0] if doc.body_match else None
    else:
        rule = source if source not in ("", "url") else None
    seen: set[str] = set()
    links = download_links(doc.sel, doc.rules["attachments"], doc.url, seen)
    found = find_attachments(list(doc.sel.css(rule)) if rule else [], doc.url)
    doc.extra["attachments"] = links + [a for a in found if a["url"] not in seen]


HOOKS = {"attachments": _attachments}
PARSER = ArticleParser(RULES, HOOKS)
