"""The China Daily regional CMS (en.cppcc.gov.cn, "Presented by China Daily"; English).

List pages ``<name>.html``, ``<name>_2.html``…: items of a headline link and a one-sentence summary;
the pager's ">" link. Articles ``/YYYY-MM/DD/c_<id>.htm``: headline, a header line "Updated:
2024-03-11 China Daily" (date, then the office that published it), body ``#Content`` (a guess: no
page of the site was seen) with photo captions ``[Xinhua/Name]`` dropped.
Rules are data in :mod:`crawlers.extract.rules_chinadaily`; the hooks read the header line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsel import Selector, SelectorList

from crawlers.extract.article import ArticleParser
from crawlers.extract.dates import DEFAULT_TZ, parse_date
from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.family import Selectors
from crawlers.extract.fields import Candidate
from crawlers.extract.html import first_element, normalize_space
from crawlers.extract.lists import read_list
from crawlers.extract.page import Page
from crawlers.extract.rules_chinadaily import CHINADAILY_BYLINE_RE, CHINADAILY_UPDATED_RE, RULES

is_chinadaily_article_url = RULES.lists.is_article  # an article page's URL (by the shape of its path)


def parse_chinadaily_list(
    html: str | bytes, base_url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> tuple[list[ListEntry], str | None]:
    """Article entries of a list page (``c_<id>.htm`` links in the list items; the whole page when
    no list container matches) and the next list page's URL (None on the last page)."""
    page = read_list(html, base_url, RULES, selectors=selectors, default_tz=default_tz)
    return page.entries, page.next_url


def parse_chinadaily_article(
    html: str | bytes, url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> ExtractedArticle:
    """Title, date, source office, author and body of an article page (:data:`RULES`).

    Date and office from the "Updated: YYYY-MM-DD <office>" line (the header block, else anywhere
    on the page), else the URL's ``/YYYY-MM/DD/``. Body: ``#Content`` without figures and without
    paragraphs that are a photo caption (ending in ``[Xinhua/Name]``), one line per paragraph;
    trafilatura when no rule matches (``extra["rule"]`` says which).
    """
    return PARSER.parse(html, url, selectors=selectors, default_tz=default_tz)


def _text_lines(scope: Selector | SelectorList) -> str:
    """The text nodes of ``scope`` (scripts and styles excluded), one per line, whitespace normalised."""
    texts = scope.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return "\n".join(t for t in (normalize_space(x) for x in texts) if t)


def _header(page: Page) -> str:
    # one text node per line, so the office ends where its element ends ("China Daily" + "Print | Mail")
    def read() -> str:
        found = first_element(page.sel, page.rules["header"])
        return _text_lines(found[1]) if found else ""

    return page.once("updated_header", read)


def _updated(page: Page) -> re.Match[str] | None:
    """The "Updated:" line in the header block, else anywhere on the page."""
    return page.once(
        "updated",
        lambda: (
            CHINADAILY_UPDATED_RE.search(_header(page))
            or CHINADAILY_UPDATED_RE.search(_text_lines(page.sel.xpath("//body")))
        ),
    )


def _updated_date(page: Page) -> Iterator[Candidate]:
    updated = _updated(page)
    when = parse_date(updated["date"], default_tz=page.default_tz) if updated else None
    if when is not None:
        yield when, "updated_line"


def _updated_office(page: Page) -> Iterator[Candidate]:
    updated = _updated(page)
    if updated and normalize_space(updated["source"]):
        yield normalize_space(updated["source"]), None


def _byline(page: Page) -> Iterator[Candidate]:
    byline = CHINADAILY_BYLINE_RE.search(_header(page))
    if byline and normalize_space(byline["author"]):
        yield normalize_space(byline["author"]), None


HOOKS = {"updated_date": _updated_date, "updated_office": _updated_office, "byline": _byline}
PARSER = ArticleParser(RULES, HOOKS)
