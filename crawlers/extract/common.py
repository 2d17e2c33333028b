"""Helpers shared by the family parsers: the result type, meta lookup, block text, attachments."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import html as lxml_html
from parsel import Selector

from crawlers.extract.dates import date_from_url, parse_date
from crawlers.extract.rules import ATTACHMENT_LABEL_RE, ATTACHMENT_RE
from crawlers.extract.urls import canonical_url


@dataclass
class ExtractedArticle:
    """What a detail-page parser found; the spider adds source, section and language."""

    url: str
    title: str | None = None
    published_at: datetime | None = None
    body: str = ""
    source_office: str | None = None
    author: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.title and self.body)


_SPACES = re.compile(r"[ \t\r\f\v\xa0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "dl",
        "header",
        "footer",
        "hr",
        "center",
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "select", "button"})


def normalize_space(text: str | None) -> str:
    """Collapse runs of whitespace (incl. &nbsp; and the full-width space) into one space; strip."""
    if not text:
        return ""
    return _SPACES.sub(" ", text.replace("&nbsp;", " ")).strip()


def selector_for(html: str | bytes, url: str | None = None) -> Selector:
    if isinstance(html, bytes):
        return Selector(body=html, base_url=url or "", type="html")
    return Selector(text=html, base_url=url or "", type="html")


def meta_content(sel: Selector, names: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """The first non-empty ``<meta name|property|itemprop=NAME content>`` (name matched case-insensitively)."""
    metas: dict[str, str] = {}
    for meta in sel.xpath("//meta"):
        key = meta.attrib.get("name") or meta.attrib.get("property") or meta.attrib.get("itemprop")
        content = meta.attrib.get("content")
        if key and content is not None and normalize_space(content):
            metas.setdefault(key.strip().lower(), content)
    for name in names:
        value = metas.get(name.lower())
        if value is not None:
            return name, normalize_space(value)
    return None


def block_text(element: Any) -> str:
    """The text of an lxml element, one line per block (p, div, li, br...), whitespace normalised.

    Empty lines are dropped; lines are joined by ``\\n``. Scripts and styles are ignored.
    """
    pieces: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.lower().rsplit("}", 1)[-1]
        if tag in _SKIP_TAGS:
            if node.tail:
                pieces.append(node.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            pieces.append("\n")
        if isinstance(node.tag, str) and node.text:
            pieces.append(node.text)
        for child in node:
            walk(child)
        if block:
            pieces.append("\n")
        elif tag in _CELL_TAGS:
            pieces.append(" ")  # table cells of a row stay on one line, separated
        if node.tail:
            pieces.append(node.tail)

    # the root's own tail does not belong to it
    tail = element.tail
    element.tail = None
    try:
        walk(element)
    finally:
        element.tail = tail
    lines = (normalize_space(line) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def first_element(sel: Selector, css_list: tuple[str, ...] | list[str]) -> tuple[str, Selector] | None:
    """The first selector in ``css_list`` that matches an element with some text."""
    for css in css_list:
        for found in sel.css(css):
            if normalize_space("".join(found.root.itertext()) if hasattr(found.root, "itertext") else ""):
                return css, found
    return None


def drop_elements(root: Any, css_list: tuple[str, ...] | list[str]) -> None:
    """Remove matching descendants of an lxml element in place (their tail text is kept)."""
    sel = Selector(root=root, type="html")
    for css in css_list:
        for found in sel.css(css):
            node = found.root
            parent = node.getparent() if hasattr(node, "getparent") else None
            if parent is not None:
                node.drop_tree() if hasattr(node, "drop_tree") else parent.remove(node)


def copy_element(element: Any) -> Any:
    """A detached deep copy of an lxml element (so removing chrome does not alter the page)."""
    from copy import deepcopy

    return deepcopy(element)


def find_attachments(containers: list[Selector], base_url: str) -> list[dict[str, str]]:
    """Document links (pdf, doc(x), xls(x), zip, wps...) inside the containers: ``[{name, url}]``."""
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for container in containers:
        for link in container.css("a[href]"):
            href = (link.attrib.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = canonical_url(href, base=base_url)
            if not ATTACHMENT_RE.search(url) or url in seen:
                continue
            seen.add(url)
            name = normalize_space("".join(link.root.itertext())) or normalize_space(link.attrib.get("title"))
            name = ATTACHMENT_LABEL_RE.sub("", name).strip() or name
            if not name:
                name = url.rstrip("/").rsplit("/", 1)[-1]
            found.append({"name": name, "url": url})
    return found


def trafilatura_text(html: str, url: str | None = None) -> str:
    """Main text of a page no family rule matched ('' when none is found): the generic fallback,
    :func:`crawlers.extract.generic.generic_body` (trafilatura with the options and line filters
    measured by bench/extraction.py), so every family falls back the same way."""
    from crawlers.extract.generic import generic_body  # generic imports this module

    return generic_body(html, url)


def parse_fragment(html: str) -> Any:
    """An lxml element for a HTML fragment (used by tests and summaries of feed descriptions)."""
    return lxml_html.fragment_fromstring(html, create_parent="div")


# ----------------------------------------------------------------------------- list pages
# Shared by the families whose list pages are plain links in list items (ARTI, ZCMS, China Daily).

_DATE_HOLDERS = "span, em, i, .date, .time, td"


def article_links(
    scope: Selector, base_url: str, accept: Callable[[str], str | None]
) -> Iterator[tuple[str, Selector]]:
    """``(url, <a>)`` for each link in ``scope`` that ``accept`` turns into an article URL.

    ``accept`` gets the canonical absolute URL (resolved against ``base_url``, the LIST page) and
    returns the URL to crawl (it may map a variant, e.g. page 2 of an article, to its first page) or
    None for a link that is not an article (navigation, attachments, other sites' chrome).
    """
    for link in scope.css("a[href]"):
        href = (link.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = accept(canonical_url(href, base=base_url))
        if url:
            yield url, link


def list_items(
    sel: Selector, item_selectors: tuple[str, ...] | list[str], base_url: str, accept: Callable[[str], str | None]
) -> list[Selector]:
    """The items of the first list-container rule whose items hold an article link ([] if none does)."""
    for css in item_selectors:
        items = sel.css(css)
        if any(next(article_links(item, base_url, accept), None) for item in items):
            return list(items)
    return []


def link_title(link: Selector) -> str:
    """A list link's title: its ``title`` attribute (visible texts are often cut with "…"), else its text."""
    return normalize_space(link.attrib.get("title")) or normalize_space("".join(link.root.itertext()))


def item_date(item: Selector, link: Selector, *, default_tz: str) -> datetime | None:
    """The date printed in a list item beside its link (span/em/i/.time…, else the item's other text)."""
    title = link_title(link)
    for holder in item.css(_DATE_HOLDERS):
        text = normalize_space("".join(holder.root.itertext()))
        if text and text not in title:
            found = parse_date(text, default_tz=default_tz)
            if found:
                return found
    link_text = "".join(link.root.itertext())
    rest = normalize_space("".join(item.root.itertext()).replace(link_text, " ", 1)) if link_text else ""
    return parse_date(rest, default_tz=default_tz) if rest else None


def linked_entries(
    sel: Selector,
    base_url: str,
    item_selectors: tuple[str, ...] | list[str],
    accept: Callable[[str], str | None],
    *,
    default_tz: str,
    whole_page: bool = True,
) -> list[tuple[str, str, datetime | None]]:
    """``(url, title, date)`` of the article links of a list page, each URL once, in page order.

    Links inside the first list-container rule that has any; when none matches, every article link
    of the page (``whole_page``; the date then comes from the URL only). The date is the one printed
    in the item (:func:`item_date`), else the one in the URL.
    """
    scopes = list_items(sel, item_selectors, base_url, accept) or ([sel] if whole_page else [])
    found: list[tuple[str, str, datetime | None]] = []
    seen: set[str] = set()
    for scope in scopes:
        for url, link in article_links(scope, base_url, accept):
            if url in seen:
                continue
            seen.add(url)
            date = item_date(scope, link, default_tz=default_tz) if scope is not sel else None
            found.append((url, link_title(link), date or date_from_url(url, default_tz=default_tz)))
    return found


def page_title(
    sel: Selector,
    title_rules: tuple[str, ...] | list[str],
    meta_rules: tuple[str, ...] | list[str],
    site_suffix: re.Pattern[str],
) -> tuple[str | None, str | None]:
    """``(title, where it came from)``: the first visible title rule, else a meta (``meta:NAME``),
    else ``<title>`` (``title``); meta and ``<title>`` lose the site name ``site_suffix`` matches."""
    visible = first_element(sel, title_rules)
    if visible:
        return normalize_space("".join(visible[1].root.itertext())), visible[0]
    found = meta_content(sel, meta_rules) if meta_rules else None
    raw = found[1] if found else normalize_space(sel.xpath("string(//title)").get())
    if not raw:
        return None, None
    return site_suffix.sub("", raw) or raw, f"meta:{found[0]}" if found else "title"


def body_lines(
    sel: Selector, body_rules: tuple[str, ...] | list[str], drop_rules: tuple[str, ...] | list[str]
) -> tuple[str | None, list[str]]:
    """``(matched rule, lines)`` of the first body rule with text, read from a copy without the
    ``drop_rules`` elements (one line per block); ``(None, [])`` when no rule matches."""
    found = first_element(sel, body_rules)
    if not found:
        return None, []
    root = copy_element(found[1].root)
    drop_elements(root, drop_rules)
    return found[0], [line for line in block_text(root).split("\n") if line]


def next_page_url(
    sel: Selector, base_url: str, pager_selectors: tuple[str, ...] | list[str], next_texts: tuple[str, ...] | list[str]
) -> str | None:
    """The absolute URL of the pager's "next page" link (text in ``next_texts``), or None on the last page."""
    wanted = {t.lower() for t in next_texts}
    for css in pager_selectors:
        for link in sel.css(css).css("a[href]"):
            text = normalize_space("".join(link.root.itertext())).lower()
            label = normalize_space(link.attrib.get("title")).lower()
            href = (link.attrib.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "#")) and (text in wanted or label in wanted):
                return canonical_url(href, base=base_url)
    return None
