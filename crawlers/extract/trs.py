"""TRS WCM "t-date" static sites (kjj.cq.gov.cn and the other *.cq.gov.cn bureaus, most.gov.cn...).

List pages: ``index.html``, ``index_1.html``…, total pages in an inline ``createPage(N, …)``;
articles ``./YYYYMM/tYYYYMMDD_<id>.html`` relative to the LIST page; attachments
``./YYYYMM/P0<digits>.pdf``. Detail pages carry the standard gov meta tags (ArticleTitle, PubDate,
ContentSource, Keywords, ColumnName), a visible header "来自: X 日期:YYYY-MM-DD" and the body in
``div.trs_editor_view``. Rules (selectors, meta names) live in :mod:`crawlers.extract.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from crawlers.extract.common import (
    ExtractedArticle,
    block_text,
    copy_element,
    drop_elements,
    find_attachments,
    first_element,
    meta_content,
    normalize_space,
    selector_for,
    trafilatura_text,
)
from crawlers.extract.dates import DEFAULT_TZ, date_from_url, parse_date
from crawlers.extract.metadata import labelled_fields
from crawlers.extract.rules import (
    ATTACHMENT_RE,
    TRS_ARTICLE_RE,
    TRS_ATTACHMENT_RE,
    TRS_HEADER_DATE_RE,
    TRS_HEADER_SOURCE_RE,
    TRS_PAGINATION_RES,
    TRS_RULES,
    with_overrides,
)
from crawlers.extract.urls import canonical_url


@dataclass(frozen=True)
class ListEntry:
    """One article link on a list page: URL (canonical, absolute), title, date (None if unknown).

    ``pinned``: the item sits at the top of the list out of date order (a "置顶" notice), so its
    date says nothing about how old the rest of the list is.
    """

    url: str
    title: str
    date: datetime | None
    pinned: bool = False


def is_trs_article_url(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0]
    return bool(TRS_ARTICLE_RE.search(path))


def is_attachment_url(url: str) -> bool:
    """A document link (TRS ``P0….pdf`` or any pdf/doc/xls/zip/wps...), never an article."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    return bool(TRS_ATTACHMENT_RE.search(path) or ATTACHMENT_RE.search(path))


def total_pages(html: str) -> int | None:
    """Total list pages from ``createPage(N, …)`` / ``createPageHTML(N, …)`` / ``pagination_script_config``."""
    for pattern in TRS_PAGINATION_RES:
        match = pattern.search(html)
        if match:
            value = int(match.group(1))
            return value if value > 0 else None
    return None


def parse_trs_list(
    html: str | bytes,
    base_url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> tuple[list[ListEntry], int | None]:
    """Article entries of a TRS list page and the total page count (None when the page has no pager).

    Only links whose path matches ``YYYYMM/tYYYYMMDD_<id>.html`` are kept (navigation, chrome and
    attachment links are not articles); relative links are resolved against ``base_url`` — the
    LIST page URL, not the site root. Titles prefer the ``title`` attribute (the visible text is often
    cut with "…"); the date is the item's date text, else the ``tYYYYMMDD`` of the URL.
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    sel = selector_for(text, base_url)
    rules = with_overrides(TRS_RULES, selectors)

    # Items inside the list containers first; the whole page only if the layout is unknown.
    items = []
    for css in rules["list_item"]:
        items = [item for item in sel.css(css) if item.css("a[href]")]
        if any(_article_links(item, base_url) for item in items):
            break
    else:
        items = []
    entries: list[ListEntry] = []
    seen: set[str] = set()
    if items:
        for item in items:
            for url, link in _article_links(item, base_url):
                if url in seen:
                    continue
                seen.add(url)
                entries.append(_entry(url, link, item, default_tz, rules["list_date"]))
    else:
        for url, link in _article_links(sel, base_url):
            if url in seen:
                continue
            seen.add(url)
            parent = link.xpath("..")
            entries.append(_entry(url, link, parent[0] if parent else link, default_tz, rules["list_date"]))
    return entries, total_pages(text)


def _article_links(scope, base_url: str):
    for link in scope.css("a[href]"):
        href = (link.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = canonical_url(href, base=base_url)
        if is_attachment_url(url) or not is_trs_article_url(url):
            continue
        yield url, link


def _entry(url: str, link, item, default_tz: str, date_selectors: tuple[str, ...]) -> ListEntry:
    title = normalize_space(link.attrib.get("title")) or normalize_space("".join(link.root.itertext()))
    # the date text is the item's text without the link's own text (titles may contain dates)
    link_text = "".join(link.root.itertext())
    item_text = "".join(item.root.itertext()) if hasattr(item.root, "itertext") else ""
    date_text = normalize_space(item_text.replace(link_text, " ", 1)) if link_text else normalize_space(item_text)
    date = None
    for span in (found for css in date_selectors for found in item.css(css)):
        candidate = normalize_space("".join(span.root.itertext()))
        if candidate and candidate not in title:
            date = parse_date(candidate, default_tz=default_tz)
            if date:
                break
    if date is None and date_text:
        date = parse_date(date_text, default_tz=default_tz)
    if date is None:
        date = date_from_url(url, default_tz=default_tz)
    return ListEntry(url=url, title=title, date=date)


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
    html: str | bytes,
    url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """Title, date, source office, body and attachments of a TRS article page.

    Order: meta tags (ArticleTitle, PubDate, ContentSource, Keywords, ColumnName) → the visible
    header (来自: / 日期:) → the URL's ``tYYYYMMDD`` for the date; body from the first matching rule
    (``div.trs_editor_view``, ``.TRS_UEDITOR``, ``.zwxl-article``, ``#Zoom``…), else trafilatura.
    ``extra`` gets keywords, column_name, attachments [{name, url}], rule (the body rule),
    date_source / title_source / source_office_source and the labelled fields of an
    open-government metadata table (document_number, index_number, written_date, topic...).
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    url = canonical_url(url)
    sel = selector_for(text, url)
    rules = with_overrides(TRS_RULES, selectors)
    article = ExtractedArticle(url=url)
    extra = article.extra

    # --- title: meta ArticleTitle (kept verbatim, even with markup-like text) → visible title → <title>
    found = meta_content(sel, rules["title_meta"][:1])
    if found:
        article.title, extra["title_source"] = found[1], f"meta:{found[0]}"
    else:
        visible = first_element(sel, rules["title"])
        if visible:
            article.title = normalize_space("".join(visible[1].root.itertext()))
            extra["title_source"] = visible[0]
        else:
            found = meta_content(sel, rules["title_meta"][1:])
            page_title = found[1] if found else normalize_space(sel.xpath("string(//title)").get())
            if page_title:
                article.title = re.split(r"\s*[-_|]\s*(?=[^-_|]*$)", page_title)[0] or page_title
                extra["title_source"] = "title"

    # --- body
    body_match = first_element(sel, rules["body"])
    body_root = None
    if body_match:
        extra["rule"] = body_match[0]
        body_root = body_match[1].root
        article.body = block_text(body_root)
    if not article.body:
        article.body = trafilatura_text(text, url)
        extra["rule"] = "trafilatura" if article.body else None

    # --- header text: the page without the body (so a 日期： inside the text is not the page date)
    header_text = _header_text(sel, rules, body_root)

    # --- date: meta PubDate → visible 日期: → URL tYYYYMMDD
    found = meta_content(sel, rules["date_meta"])
    date = parse_date(found[1], default_tz=default_tz) if found else None
    if date is not None:
        extra["date_source"] = f"meta:{found[0]}"
    else:
        match = TRS_HEADER_DATE_RE.search(header_text)
        date = parse_date(match.group("value"), default_tz=default_tz) if match else None
        if date is not None:
            extra["date_source"] = "header"
        else:
            date = date_from_url(url, default_tz=default_tz)
            extra["date_source"] = "url" if date else None
    article.published_at = date

    # --- source office: meta ContentSource → visible 来自:
    found = meta_content(sel, rules["source_meta"])
    if found:
        article.source_office, extra["source_office_source"] = found[1], f"meta:{found[0]}"
    else:
        match = TRS_HEADER_SOURCE_RE.search(header_text)
        if match and normalize_space(match.group("value")):
            article.source_office = normalize_space(match.group("value"))
            extra["source_office_source"] = "header"

    found = meta_content(sel, rules["author_meta"])
    if found:
        article.author = found[1]
    found = meta_content(sel, rules["keywords_meta"])
    if found:
        extra["keywords"] = [k for k in (normalize_space(p) for p in re.split(r"[;；,，、\s]+", found[1])) if k]
    found = meta_content(sel, rules["column_meta"])
    if found:
        extra["column_name"] = found[1]

    # --- open-government metadata table: 文号 → document_number, 索引号, 成文日期…
    fields = labelled_fields(
        normalize_space("".join(cell.root.itertext())) for css in rules["metadata"] for cell in sel.css(css)
    )
    if not article.source_office and fields.get("issuing_office"):
        article.source_office, extra["source_office_source"] = fields["issuing_office"], "metadata"
    extra.update(fields)

    # --- attachments: document links in the article block (and the body itself)
    containers = [s for css in rules["attachments"] for s in sel.css(css)]
    extra["attachments"] = find_attachments(containers or ([body_match[1]] if body_match else []), url)
    return article


def _header_text(sel, rules, body_root) -> str:
    """Text of the header block (来自/日期) — or of the whole page minus the body and scripts."""
    page = sel.root
    page_copy = copy_element(page)
    # remove the body from the copy: find it by its path in the original tree
    if body_root is not None:
        path = body_root.getroottree().getpath(body_root)
        matches = page_copy.getroottree().xpath(path) if path else []
        for node in matches:
            if node.getparent() is not None:
                node.getparent().remove(node)
    from parsel import Selector

    copy_sel = Selector(root=page_copy, type="html")
    drop_elements(page_copy, ("script", "style", "noscript"))
    for css in rules["header"]:
        for found in copy_sel.css(css):
            text = block_text(found.root)
            if TRS_HEADER_DATE_RE.search(text) or TRS_HEADER_SOURCE_RE.search(text):
                return text
    return block_text(page_copy)
