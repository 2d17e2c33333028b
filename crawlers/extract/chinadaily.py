"""The China Daily regional CMS (en.cppcc.gov.cn, "Presented by China Daily"; English).

List pages ``<name>.html``, ``<name>_2.html``…: items of a headline link and a one-sentence summary;
the pager's ">" link. Articles ``/YYYY-MM/DD/c_<id>.htm``: headline, a header line "Updated:
2024-03-11 China Daily" (date, then the office that published it), body ``#Content`` (a guess: no
page of the site was seen) with photo captions ``[Xinhua/Name]`` dropped.
Rules are data in :mod:`crawlers.extract.rules_chinadaily`.
"""

from __future__ import annotations

from collections.abc import Mapping

from crawlers.extract.common import (
    ExtractedArticle,
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
from crawlers.extract.rules_chinadaily import (
    CHINADAILY_ARTICLE_RE,
    CHINADAILY_BYLINE_RE,
    CHINADAILY_CAPTION_RE,
    CHINADAILY_NEXT_PAGE_TEXTS,
    CHINADAILY_RULES,
    CHINADAILY_TITLE_SUFFIX_RE,
    CHINADAILY_UPDATED_RE,
)
from crawlers.extract.trs import ListEntry
from crawlers.extract.urls import canonical_url


def is_chinadaily_article_url(url: str) -> bool:
    return bool(CHINADAILY_ARTICLE_RE.search(url.split("#", 1)[0].split("?", 1)[0]))


def _accept_article(url: str) -> str | None:
    return url if is_chinadaily_article_url(url) else None


def _text_lines(scope) -> str:
    """The text nodes of ``scope`` (scripts and styles excluded), one per line, whitespace normalised."""
    texts = scope.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return "\n".join(t for t in (normalize_space(x) for x in texts) if t)


def parse_chinadaily_list(
    html: str | bytes,
    base_url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> tuple[list[ListEntry], str | None]:
    """Article entries of a list page (``c_<id>.htm`` links in the list items; the whole page when
    no list container matches) and the next list page's URL (None on the last page)."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    sel = selector_for(text, base_url)
    rules = with_overrides(CHINADAILY_RULES, selectors)
    found = linked_entries(sel, base_url, rules["list_item"], _accept_article, default_tz=default_tz)
    entries = [ListEntry(url=url, title=title, date=date) for url, title, date in found]
    return entries, next_page_url(sel, base_url, rules["pager"], CHINADAILY_NEXT_PAGE_TEXTS)


def parse_chinadaily_article(
    html: str | bytes,
    url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """Title, date, source office, author and body of an article page.

    Date and office from the "Updated: YYYY-MM-DD <office>" line (the header block, else anywhere
    on the page), else the URL's ``/YYYY-MM/DD/``. Body: ``#Content`` without figures and without
    paragraphs that are a photo caption (ending in ``[Xinhua/Name]``), one line per paragraph;
    trafilatura when no rule matches (``extra["rule"]`` says which).
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    url = canonical_url(url)
    sel = selector_for(text, url)
    rules = with_overrides(CHINADAILY_RULES, selectors)
    article = ExtractedArticle(url=url)
    extra = article.extra

    article.title, extra["title_source"] = page_title(
        sel, rules["title"], rules["title_meta"], CHINADAILY_TITLE_SUFFIX_RE
    )
    extra["rule"], lines = body_lines(sel, rules["body"], rules["drop"])
    captions = [line for line in lines if CHINADAILY_CAPTION_RE.search(line)]
    if captions:
        extra["captions_dropped"] = len(captions)
    article.body = "\n".join(line for line in lines if line not in captions)
    if not article.body:
        article.body = trafilatura_text(text, url)
        extra["rule"] = "trafilatura" if article.body else None

    # header line: the header block, else anywhere on the page (one text node per line, so the
    # office name ends where its element ends: "China Daily" + "Print | Mail" is not one office)
    header = first_element(sel, rules["header"])
    header_text = _text_lines(header[1]) if header else ""
    updated = CHINADAILY_UPDATED_RE.search(header_text)
    if updated is None:
        updated = CHINADAILY_UPDATED_RE.search(_text_lines(sel.xpath("//body")))
    if updated:
        article.published_at = parse_date(updated["date"], default_tz=default_tz)
        article.source_office = normalize_space(updated["source"]) or None
        extra["date_source"] = "updated_line"
    if article.published_at is None:
        article.published_at = date_from_url(url, default_tz=default_tz)
        extra["date_source"] = "url" if article.published_at else None
    byline = CHINADAILY_BYLINE_RE.search(header_text)
    if byline:
        article.author = normalize_space(byline["author"]) or None

    found = meta_content(sel, rules["description_meta"])
    if found:
        extra["excerpt"] = found[1]
    found = meta_content(sel, rules["keywords_meta"])
    if found:
        extra["keywords"] = [k for k in (normalize_space(p) for p in found[1].split(",")) if k]
    return article
