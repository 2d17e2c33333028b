"""Hanweb JCMS sites (kjt.zj.gov.cn, kxjst.jiangsu.gov.cn): list records, dataproxy paging, articles.

A column page ``/col/col<COLID>/index.html`` carries its first records (``groupSize`` pages of
``perPage`` records) inside ``<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>…</li>]]>``
plus the paging hints of its ``jpage({… perPage: 15, totalRecord: 57 …})`` call and a
``<nextgroup>`` link whose query holds the dataproxy form (webid, columnid, unitid…). Later records
come from ``POST /module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15`` which
answers the same ``<datastore>`` XML. Articles: ``/art/YYYY/M/D/art_<COLID>_<ID>.html`` (month and
day not zero-padded; the date is the fallback), hrefs often protocol-relative (``//host/art/…``).

These servers send no charset (CATALOGUE §0.4): pages are UTF-8, bytes are decoded as UTF-8 here
and the spider forces it through the registry's ``charset``. Rules live in
:mod:`crawlers.extract.rules_hanweb`.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawlers.extract.common import (
    ExtractedArticle,
    article_links,
    block_text,
    body_lines,
    find_attachments,
    item_date,
    link_title,
    list_items,
    meta_content,
    normalize_space,
    page_title,
    selector_for,
    trafilatura_text,
)
from crawlers.extract.dates import DEFAULT_TZ, date_from_url, parse_date
from crawlers.extract.metadata import labelled_fields, split_label
from crawlers.extract.rules import ATTACHMENT_LABEL_RE, ATTACHMENT_RE, with_overrides
from crawlers.extract.rules_hanweb import (
    HANWEB_ARTICLE_RE,
    HANWEB_DATAPROXY_FIXED_FORM,
    HANWEB_DATAPROXY_FORM_KEYS,
    HANWEB_DATAPROXY_PATH,
    HANWEB_DATAPROXY_REQUIRED,
    HANWEB_DATE_LABEL_RE,
    HANWEB_DEFAULT_GROUP_SIZE,
    HANWEB_DEFAULT_PER_PAGE,
    HANWEB_GROUP_SIZE_RES,
    HANWEB_NEXTGROUP_RE,
    HANWEB_PER_PAGE_RES,
    HANWEB_RECORD_RE,
    HANWEB_RULES,
    HANWEB_SOURCE_LABEL_RE,
    HANWEB_TITLE_SUFFIX_RE,
    HANWEB_TOTAL_RECORD_RES,
    HANWEB_XXGK_FIELDS,
)
from crawlers.extract.trs import ListEntry
from crawlers.extract.urls import canonical_url

HANWEB_CHARSET = "utf-8"  # what these servers send, without saying so


def decode_hanweb(page: str | bytes) -> str:
    """The page as text: bytes are UTF-8 whatever the headers say (a stray byte becomes U+FFFD)."""
    return page.decode(HANWEB_CHARSET, "replace") if isinstance(page, bytes) else page


def is_hanweb_article_url(url: str) -> bool:
    return bool(HANWEB_ARTICLE_RE.match(urlsplit(url).path))


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


def _first_int(patterns, text: str) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


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
    page: str | bytes,
    base_url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> HanwebListPage:
    """Entries of a Hanweb column page or dataproxy answer, with its paging hints.

    Records come from the ``<record>`` elements; a page without any (newer, server-rendered
    JCMS lists) is read through the ``list_item`` rules instead. Only links whose path is an
    article path are entries (attachments, navigation are not); hrefs are resolved against
    ``base_url`` (protocol-relative ``//host/art/…`` included) and canonicalised. The title is the
    link's ``title`` (the text is often cut with "..."), the date the record's date text, else
    the ``/art/YYYY/M/D/`` of the URL.
    """
    text = decode_hanweb(page)
    fragments = list_records(text)
    entries: list[ListEntry] = []
    seen: set[str] = set()

    def add(scope) -> None:
        for url, link in article_links(scope, base_url, _accept_article):
            if url not in seen:
                seen.add(url)
                date = item_date(scope, link, default_tz=default_tz) or date_from_url(url, default_tz=default_tz)
                entries.append(ListEntry(url=url, title=link_title(link), date=date))

    if fragments:
        for fragment in fragments:
            add(selector_for(fragment, base_url))
    else:
        sel = selector_for(text, base_url)
        for item in list_items(sel, with_overrides(HANWEB_RULES, selectors)["list_item"], base_url, _accept_article):
            add(item)
    form, problem = dataproxy_form(text)
    return HanwebListPage(
        entries=entries,
        records=len(fragments) if fragments else len(entries),
        total_records=_first_int(HANWEB_TOTAL_RECORD_RES, text),
        per_page=_first_int(HANWEB_PER_PAGE_RES, text),
        group_size=_first_int(HANWEB_GROUP_SIZE_RES, text),
        proxy_form=form,
        proxy_problem=problem,
    )


def _accept_article(url: str) -> str | None:
    return url if is_hanweb_article_url(url) else None


# --------------------------------------------------------------------------- article pages
def parse_hanweb_detail(
    page: str | bytes,
    url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """Title, date, source office, body, xxgk fields and attachments of a Hanweb article page.

    Order: meta tags (ArticleTitle, PubDate, ContentSource, Keywords, ColumnName) → the visible
    page (title, ``span.fbrq`` 发布日期, the xxgk table's 发布机构, 来源) → the URL's ``/art/Y/M/D/``
    for the date. Body: ``div#zoom`` / ``.art_con`` … else trafilatura. ``extra`` gets keywords,
    column_name, the xxgk fields (document_number, index_number, issuing_office, validity…),
    attachments [{name, url}] (the ``/module/download`` links: recorded, never crawled), rule and
    title_source / date_source / source_office_source.
    """
    text = decode_hanweb(page)
    url = canonical_url(url)
    sel = selector_for(text, url)
    rules = with_overrides(HANWEB_RULES, selectors)
    article = ExtractedArticle(url=url)
    extra = article.extra

    # --- title: meta ArticleTitle → visible title → other metas / <title> without the site name
    found = meta_content(sel, rules["title_meta"][:1])
    if found:
        article.title, extra["title_source"] = found[1], f"meta:{found[0]}"
    else:
        article.title, extra["title_source"] = page_title(
            sel, rules["title"], rules["title_meta"][1:], HANWEB_TITLE_SUFFIX_RE
        )

    # --- body: the first matching rule, chrome dropped; else the generic fallback
    rule, lines = body_lines(sel, rules["body"], rules["drop"])
    article.body, extra["rule"] = "\n".join(lines), rule
    if not article.body:
        article.body = trafilatura_text(text, url)
        extra["rule"] = "trafilatura" if article.body else None

    xxgk = xxgk_fields(sel, rules["xxgk"])
    extra.update(xxgk)

    # --- date: meta PubDate → visible 发布日期 → URL /art/YYYY/M/D/
    found = meta_content(sel, rules["date_meta"])
    date = parse_date(found[1], default_tz=default_tz) if found else None
    if date is not None:
        extra["date_source"] = f"meta:{found[0]}"
    else:
        date, rule = _visible_date(sel, rules["date"], default_tz)
        if date is not None:
            extra["date_source"] = rule
        else:
            date = date_from_url(url, default_tz=default_tz)
            extra["date_source"] = "url" if date else None
    article.published_at = date

    # --- source office: meta ContentSource → xxgk 发布机构 → visible 来源
    found = meta_content(sel, rules["source_meta"])
    if found:
        article.source_office, extra["source_office_source"] = found[1], f"meta:{found[0]}"
    elif xxgk.get("issuing_office"):
        article.source_office, extra["source_office_source"] = xxgk["issuing_office"], "xxgk:发布机构"
    else:
        for css, match in (
            (css, HANWEB_SOURCE_LABEL_RE.search(block_text(found.root)))
            for css in rules["source"]
            for found in sel.css(css)
        ):
            if match:
                article.source_office, extra["source_office_source"] = match.group("value"), css
                break

    found = meta_content(sel, rules["author_meta"])
    if found:
        article.author = found[1]
    found = meta_content(sel, rules["keywords_meta"])
    if found:
        extra["keywords"] = [k for k in (normalize_space(p) for p in re.split(r"[;；,，、\s]+", found[1])) if k]
    found = meta_content(sel, rules["column_meta"])
    if found:
        extra["column_name"] = found[1]
    extra["attachments"] = hanweb_attachments(sel, rules["attachments"], sel.css(rule) if rule else [], url)
    return article


def _visible_date(sel, css_list, default_tz: str):
    for css in css_list:
        for found in sel.css(css):
            value = block_text(found.root)
            match = HANWEB_DATE_LABEL_RE.search(value)
            date = parse_date(match.group("value") if match else value, default_tz=default_tz)
            if date is not None:
                return date, css
    return None, None


def xxgk_fields(sel, css_list) -> dict[str, str]:
    """The info-disclosure table: ``{extra key: value}`` for the labels of :data:`HANWEB_XXGK_FIELDS`.

    Cells come as label / value pairs (``<td>文件编号：</td><td>浙科发〔2024〕5号</td>``) or one cell
    holding both (``<td>文件编号：浙科发〔2024〕5号</td>``); empty values are left out.
    """
    table = next((found for css in css_list for found in sel.css(css)), None)
    if table is None:
        return {}
    texts: list[str] = []
    for cell in table.css("td, th"):
        text = normalize_space(" ".join(cell.root.itertext()))
        previous = split_label(texts[-1]) if texts else None
        if text and split_label(text) is None and previous and not previous[1]:
            texts[-1] += text  # a label cell ("文件编号："), then its value cell
        elif text:
            texts.append(text)
    return labelled_fields(texts, HANWEB_XXGK_FIELDS)


def hanweb_attachments(sel, css_list, containers, base_url: str) -> list[dict[str, str]]:
    """``/module/download`` links anywhere on the page, then document links in the body: [{name, url}]."""
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for css in css_list:
        for link in sel.css(css):
            url = canonical_url((link.attrib.get("href") or "").strip(), base=base_url)
            if url in seen:
                continue
            seen.add(url)
            name = normalize_space("".join(link.root.itertext())) or normalize_space(link.attrib.get("title"))
            name = ATTACHMENT_LABEL_RE.sub("", name).strip() or name
            if not name:
                showname = dict(parse_qsl(urlsplit(url).query)).get("filename", "")
                name = showname or url.rsplit("/", 1)[-1]
            found.append({"name": name, "url": url})
    for attachment in find_attachments(containers, base_url):
        if attachment["url"] not in seen and ATTACHMENT_RE.search(attachment["url"]):
            seen.add(attachment["url"])
            found.append(attachment)
    return found
