"""People's Daily family / ZCMS: www.rmzxw.com.cn (人民政协网) and cppcc.people.com.cn (中国政协新闻网).

List pages: article links recognised by their URL shape (``/c/YYYY-MM-DD/<id>.shtml`` on rmzxw,
``/n1/YYYY/MMDD/c<node>-<id>.html`` on people.com.cn) with the item's date; the pager's 下一页 link.
Articles: metas ``publishdate``/``contentid``/``catalogs``/``source``/``author``, the visible title,
the header line (date with time, 作者, 来源), the body, the editor line. Multi-page articles
(``<id>_2.shtml`` / ``c…-<id>-2.html`` in ``div.Paging`` / ``div.zdfy``) are joined by the spider
into one article stored under the first page's URL (:func:`join_pages`). Advertorials (a
【免责声明】 "企业广告宣传资讯" block) are flagged ``extra["advertorial"]``.
people.com.cn declares GB2312 but sends GBK: bytes are decoded as GB18030 (:func:`decode_page`).
Rules are data in :mod:`crawlers.extract.rules_zcms`.
"""

from __future__ import annotations

from collections.abc import Mapping

from crawlers.extract.charset import decode_html
from crawlers.extract.common import (
    ExtractedArticle,
    article_links,
    body_lines,
    first_element,
    linked_entries,
    meta_content,
    next_page_url,
    normalize_space,
    page_title,
    selector_for,
    trafilatura_text,
)
from crawlers.extract.dates import DEFAULT_TZ, date_from_url, parse_date
from crawlers.extract.rules import with_overrides
from crawlers.extract.rules_zcms import (
    ZCMS_ADVERTORIAL_RES,
    ZCMS_ARTICLE_RES,
    ZCMS_AUTHOR_RE,
    ZCMS_EDITOR_RE,
    ZCMS_NAMES_SPLIT_RE,
    ZCMS_NEXT_PAGE_TEXTS,
    ZCMS_NUMERIC_AUTHOR_RE,
    ZCMS_PAGE_RES,
    ZCMS_RULES,
    ZCMS_SOURCE_LABEL_RE,
    ZCMS_SOURCE_RE,
    ZCMS_TITLE_SUFFIX_RE,
)
from crawlers.extract.trs import ListEntry
from crawlers.extract.urls import canonical_url


def decode_page(body: bytes, content_type: str | None = None, *, charset: str | None = None) -> str:
    """Text of a page as the crawler decodes it (:func:`crawlers.extract.charset.decode_html`: the
    Content-Type's charset, else the ``<meta>``'s, GB2312/GBK read as their superset GB18030, so a
    GBK-only character such as 喆 does not become U+FFFD); ``charset`` (a registry override) wins."""
    if charset:
        content_type = f"text/html; charset={charset}"
    return decode_html(body, content_type)[0]


def _path(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


def is_zcms_article_url(url: str) -> bool:
    path = _path(url)
    return any(pattern.search(path) for pattern in ZCMS_ARTICLE_RES)


def first_page(url: str) -> tuple[str, int]:
    """``(first page URL, page number)`` of an article page: ``…/3512345_2.shtml`` → ``(…/3512345.shtml, 2)``."""
    path = _path(url)
    for pattern in ZCMS_PAGE_RES:
        match = pattern.match(path)
        if match:
            return match["first"] + match["ext"], int(match["n"])
    return url, 1


def _accept_article(url: str) -> str | None:
    """Article links are stored under their first page (a list may link page 2 of an article)."""
    return first_page(url)[0] if is_zcms_article_url(url) else None


def parse_zcms_list(
    html: str | bytes,
    base_url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> tuple[list[ListEntry], str | None]:
    """Article entries of a list page and the next list page's URL (None on the last page).

    Links inside the list containers (``ul.list li``, ``.list_16 li``…) first; when no container
    matches, every article-shaped link of the page. Links to page n of an article count as the
    article (its first page); rmzxb.com.cn links are the same article on rmzxw.com.cn (canonical URL).
    """
    text = decode_page(html) if isinstance(html, bytes) else html
    sel = selector_for(text, base_url)
    rules = with_overrides(ZCMS_RULES, selectors)
    found = linked_entries(sel, base_url, rules["list_item"], _accept_article, default_tz=default_tz)
    entries = [ListEntry(url=url, title=title, date=date) for url, title, date in found]
    return entries, next_page_url(sel, base_url, rules["pager"], ZCMS_NEXT_PAGE_TEXTS)


def _names(text: str) -> list[str]:
    return [n for n in (normalize_space(p) for p in ZCMS_NAMES_SPLIT_RE.split(text)) if n]


def advertorial_notice(sel) -> str | None:
    """The 【免责声明】 advertising notice of a page (scripts excluded), or None for a normal article."""
    texts = sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    page_text = " ".join(normalize_space(t) for t in texts if normalize_space(t))
    for pattern in ZCMS_ADVERTORIAL_RES:
        match = pattern.search(page_text)
        if match:
            return match.group(0)
    return None


def parse_zcms_article(
    html: str | bytes,
    url: str,
    *,
    content_type: str | None = None,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """One article page of rmzxw.com.cn or people.com.cn.

    ``html`` as bytes is decoded by :func:`decode_page` (``content_type`` is the server's header).
    Title: the visible headline (``span#a`` / ``div.rm_txt h1``), else ``<title>`` without the site
    name. Date: meta ``publishdate`` (a day), made precise by the header's time when the header names
    the same day (a different day is kept as ``date_conflict``); else the header; else the URL.
    Source office: meta ``source`` (without its "来源：" label), else the header's 来源. Author: a
    non-numeric meta ``author``, else the header's 作者. ``extra``: content_id, catalog, keywords,
    column_name (breadcrumb), editors, kicker/subtitle, advertorial (+ notice), and ``more_pages``
    (the other pages' URLs from the pager, in page order) for the spider to fetch and join.
    """
    text = decode_page(html, content_type) if isinstance(html, bytes) else html
    page_url = canonical_url(url)
    sel = selector_for(text, page_url)
    rules = with_overrides(ZCMS_RULES, selectors)
    article = ExtractedArticle(url=first_page(page_url)[0])
    extra = article.extra

    # --- title (no title meta: ZCMS pages carry none)
    article.title, extra["title_source"] = page_title(sel, rules["title"], (), ZCMS_TITLE_SUFFIX_RE)
    for key in ("kicker", "subtitle"):
        found = first_element(sel, rules[key])
        if found:
            extra[key] = normalize_space("".join(found[1].root.itertext()))

    # --- body
    extra["rule"], lines = body_lines(sel, rules["body"], rules["drop"])
    article.body = "\n".join(lines)
    if not article.body:
        article.body = trafilatura_text(text, page_url)
        extra["rule"] = "trafilatura" if article.body else None

    # --- header line: "2026年09月16日 14:35 | 作者:滚动资讯 | 来源：中国网"
    header = first_element(sel, rules["header"])
    header_text = normalize_space(" ".join(header[1].root.itertext())) if header else ""
    header_date = parse_date(header_text, default_tz=default_tz) if header_text else None

    # --- date
    found = meta_content(sel, rules["date_meta"])
    meta_date = parse_date(found[1], default_tz=default_tz) if found else None
    if meta_date is not None and header_date is not None and header_date.date() != meta_date.date():
        extra["date_conflict"] = f"meta publishdate {meta_date.date().isoformat()}, header {header_date.isoformat()}"
    if meta_date is not None and header_date is not None and header_date.date() == meta_date.date():
        article.published_at, extra["date_source"] = header_date, "meta:publishdate+header"
    elif meta_date is not None:
        article.published_at, extra["date_source"] = meta_date, "meta:publishdate"
    elif header_date is not None:
        article.published_at, extra["date_source"] = header_date, "header"
    else:
        article.published_at = date_from_url(page_url, default_tz=default_tz)
        extra["date_source"] = "url" if article.published_at else None

    # --- source office, author, editors
    found = meta_content(sel, rules["source_meta"])
    source = ZCMS_SOURCE_LABEL_RE.sub("", found[1]) if found else ""
    if not source and (match := ZCMS_SOURCE_RE.search(header_text)):
        source = match["value"]
    article.source_office = normalize_space(source) or None
    found = meta_content(sel, rules["author_meta"])
    if found and not ZCMS_NUMERIC_AUTHOR_RE.match(found[1]):
        article.author = found[1]
    elif match := ZCMS_AUTHOR_RE.search(header_text):
        article.author = normalize_space(match["value"]) or None
    editor = first_element(sel, rules["editor"])
    if editor and (match := ZCMS_EDITOR_RE.search(normalize_space("".join(editor[1].root.itertext())))):
        extra["editors"] = _names(match["value"])

    # --- metas and breadcrumb
    for key, rule in (("content_id", "content_id_meta"), ("catalog", "catalog_meta")):
        found = meta_content(sel, rules[rule])
        if found:
            extra[key] = found[1]
    found = meta_content(sel, rules["keywords_meta"])
    if found:
        extra["keywords"] = _names(found[1])
    crumb = first_element(sel, rules["breadcrumb"])
    if crumb:
        parts = [normalize_space(a) for a in crumb[1].css("a::text").getall() if normalize_space(a)]
        if parts:
            extra["column_name"] = parts[-1]

    # --- advertorial flag
    notice = advertorial_notice(sel)
    extra["advertorial"] = notice is not None
    if notice:
        extra["advertorial_notice"] = notice

    # --- the other pages of a multi-page article, in page order
    pages: dict[int, str] = {}
    pager = first_element(sel, rules["paging"])
    if pager:
        for link_url, _link in article_links(pager[1], page_url, lambda u: u if is_zcms_article_url(u) else None):
            first, number = first_page(link_url)
            if first == article.url and number > 1 and link_url != page_url:
                pages.setdefault(number, link_url)
    extra["more_pages"] = [pages[n] for n in sorted(pages)]
    return article


def join_pages(first: ExtractedArticle, later: list[ExtractedArticle], page_urls: list[str]) -> ExtractedArticle:
    """One article from the pages of a multi-page article: the first page's URL, title, date and
    metadata; the bodies joined in page order; advertorial if any page says so. ``page_urls`` are
    the URLs of all pages read (first included), recorded in ``extra["page_urls"]``."""
    bodies = [first.body, *(page.body for page in later)]
    joined = ExtractedArticle(
        url=first.url,
        title=first.title,
        published_at=first.published_at,
        body="\n".join(b for b in bodies if b),
        source_office=first.source_office,
        author=first.author,
        extra=dict(first.extra),
    )
    joined.extra.pop("more_pages", None)
    joined.extra["pages"] = 1 + len(later)
    joined.extra["page_urls"] = list(page_urls)
    for page in later:
        if page.extra.get("advertorial"):
            joined.extra["advertorial"] = True
            joined.extra.setdefault("advertorial_notice", page.extra.get("advertorial_notice"))
        if not joined.extra.get("editors") and page.extra.get("editors"):
            joined.extra["editors"] = page.extra["editors"]  # the editor line sits on the last page
    return joined
