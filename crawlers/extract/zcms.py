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

from collections.abc import Iterator

from parsel import Selector

from crawlers.extract import lists
from crawlers.extract.article import ArticleParser
from crawlers.extract.charset import decode_html
from crawlers.extract.dates import DEFAULT_TZ, parse_date
from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.family import Selectors
from crawlers.extract.fields import Candidate, line
from crawlers.extract.html import element_text, first_element, meta_content, normalize_space
from crawlers.extract.page import Page
from crawlers.extract.rules_zcms import (
    RULES,
    ZCMS_ADVERTORIAL_RES,
    ZCMS_EDITOR_RE,
    ZCMS_NAMES_SPLIT_RE,
    ZCMS_PAGE_RES,
)


def decode_page(body: bytes, content_type: str | None = None, *, charset: str | None = None) -> str:
    """Text of a page as the crawler decodes it (:func:`crawlers.extract.charset.decode_html`: the
    bytes decide between ``charset`` (a registry override), the Content-Type's and the ``<meta>``'s
    charset; GB2312/GBK read as their superset GB18030, so a GBK-only character such as 喆 does not
    become U+FFFD)."""
    return decode_html(body, content_type, override=charset)[0]


is_zcms_article_url = RULES.lists.is_article  # an article page's URL (by the shape of its path)


def first_page(url: str) -> tuple[str, int]:
    """``(first page URL, page number)`` of an article page: ``…/3512345_2.shtml`` → ``(…/3512345.shtml, 2)``."""
    return lists.first_page(url, ZCMS_PAGE_RES)


def parse_zcms_list(
    html: str | bytes, base_url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> tuple[list[ListEntry], str | None]:
    """Article entries of a list page and the next list page's URL (None on the last page).

    Links inside the list containers (``ul.list li``, ``.list_16 li``…) first; when no container
    matches, every article-shaped link of the page. Links to page n of an article count as the
    article (its first page); rmzxb.com.cn links are the same article on rmzxw.com.cn (canonical URL).
    """
    text = decode_page(html) if isinstance(html, bytes) else html
    page = lists.read_list(text, base_url, RULES, selectors=selectors, default_tz=default_tz)
    return page.entries, page.next_url


def advertorial_notice(sel: Selector) -> str | None:
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
    selectors: Selectors = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """One article page of rmzxw.com.cn or people.com.cn (:data:`RULES`).

    ``html`` as bytes is decoded by :func:`decode_page` (``content_type`` is the server's header).
    Date: meta ``publishdate`` (a day), made precise by the header's time when the header names
    the same day (a different day is kept as ``date_conflict``); else the header; else the URL.
    ``extra``: content_id, catalog, keywords, column_name (breadcrumb), editors, kicker/subtitle,
    advertorial (+ notice), and ``more_pages`` (the other pages' URLs from the pager, in page order)
    for the spider to fetch and join.
    """
    text = decode_page(html, content_type) if isinstance(html, bytes) else html
    return PARSER.parse(text, url, selectors=selectors, default_tz=default_tz)


# ----------------------------------------------------------------------------- hooks of RULES
def _first_page(page: Page) -> None:
    page.article.url = first_page(page.url)[0]


def _publishdate_and_header(page: Page) -> Iterator[Candidate]:
    """The header's date and time when meta ``publishdate`` names the same day; a conflict is noted."""
    found = meta_content(page.sel, page.rules["date_meta"])
    meta_date = parse_date(found[1], default_tz=page.default_tz) if found else None
    header = line(page, "header")
    header_date = parse_date(header, default_tz=page.default_tz) if header else None
    if meta_date is None or header_date is None:
        return
    if header_date.date() != meta_date.date():
        page.extra["date_conflict"] = (
            f"meta publishdate {meta_date.date().isoformat()}, header {header_date.isoformat()}"
        )
    else:
        yield header_date, "meta:publishdate+header"


def _names(text: str) -> list[str]:
    return [n for n in (normalize_space(p) for p in ZCMS_NAMES_SPLIT_RE.split(text)) if n]


def _editors(page: Page) -> Iterator[Candidate]:
    editor = first_element(page.sel, page.rules["editor"])
    if editor and (match := ZCMS_EDITOR_RE.search(element_text(editor[1]))):
        yield _names(match["value"]), None


def _breadcrumb(page: Page) -> Iterator[Candidate]:
    crumb = first_element(page.sel, page.rules["breadcrumb"])
    parts = [normalize_space(a) for a in crumb[1].css("a::text").getall() if normalize_space(a)] if crumb else []
    if parts:
        yield parts[-1], None


def _advertorial(page: Page) -> None:
    notice = advertorial_notice(page.sel)
    page.extra["advertorial"] = notice is not None
    if notice:
        page.extra["advertorial_notice"] = notice


def _more_pages(page: Page) -> None:
    """The other pages of a multi-page article, in page order."""
    pages: dict[int, str] = {}
    pager = first_element(page.sel, page.rules["paging"])
    if pager:
        for link_url, _link in lists.article_links(pager[1], page.url, lambda u: u if is_zcms_article_url(u) else None):
            first, number = first_page(link_url)
            if first == page.article.url and number > 1 and link_url != page.url:
                pages.setdefault(number, link_url)
    page.extra["more_pages"] = [pages[n] for n in sorted(pages)]


HOOKS = {
    "first_page": _first_page,
    "publishdate_and_header": _publishdate_and_header,
    "editors": _editors,
    "breadcrumb": _breadcrumb,
    "advertorial": _advertorial,
    "more_pages": _more_pages,
}
PARSER = ArticleParser(RULES, HOOKS)


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
