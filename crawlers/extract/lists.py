"""The list-page stage: article links of a list page with their titles and dates, and its paging."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from parsel import Selector

from crawlers.extract.dates import DEFAULT_TZ, date_from_url, parse_date
from crawlers.extract.documents import ListEntry
from crawlers.extract.family import FamilyRules, ListRules, Selectors
from crawlers.extract.html import as_text, normalize_space, selector_for, url_path
from crawlers.extract.rules import with_overrides
from crawlers.extract.urls import canonical_url

# where a list item prints its date, unless the family's rules say otherwise
DATE_HOLDERS = ("span, em, i, .date, .time, td",)

Accept = Callable[[str], str | None]


@dataclass(frozen=True)
class ListPage:
    """A list page read through its family's :class:`~crawlers.extract.family.ListRules`."""

    text: str
    url: str
    sel: Selector
    rules: Mapping[str, tuple[str, ...]]
    lists: ListRules
    entries: list[ListEntry]

    @property
    def next_url(self) -> str | None:
        if not self.lists.pager:
            return None
        return next_page_url(self.sel, self.url, self.rules[self.lists.pager], self.lists.next_texts)

    @property
    def total_pages(self) -> int | None:
        return first_int(self.lists.page_count, self.text) or None


def read_list(
    page: str | bytes, base_url: str, family: FamilyRules, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> ListPage:
    """The entries of a list page (text, or UTF-8 bytes) by ``family``'s list rules; hrefs are
    resolved against ``base_url``, the LIST page's URL."""
    lists = family.lists
    if lists is None:
        raise ValueError(f"the {family.family} family has no list-page rules")
    text = as_text(page)
    sel = selector_for(text, base_url)
    rules = with_overrides(family.selectors, selectors)
    accept = article_accepter(lists)
    items = list_items(sel, rules[lists.items], base_url, accept)
    if items:
        scoped = ((item, url, link) for item in items for url, link in article_links(item, base_url, accept))
    elif lists.fallback == "parent":
        scoped = ((_parent(link), url, link) for url, link in article_links(sel, base_url, accept))
    elif lists.fallback == "page":
        scoped = ((None, url, link) for url, link in article_links(sel, base_url, accept))
    else:
        scoped = iter(())
    holders = rules[lists.dates] if lists.dates else DATE_HOLDERS
    entries = list_entries(scoped, default_tz=default_tz, holders=holders, bare_link_dates=lists.bare_link_dates)
    return ListPage(text=text, url=base_url, sel=sel, rules=rules, lists=lists, entries=entries)


def article_accepter(lists: ListRules) -> Accept:
    """For :func:`article_links`: an article link's URL (its first page's, for a later page), else None."""

    def accept(url: str) -> str | None:
        return first_page(url, lists.later_pages)[0] if lists.is_article(url) else None

    return accept


def first_page(url: str, later_pages: tuple[re.Pattern[str], ...]) -> tuple[str, int]:
    """``(first page URL, page number)`` of an article page whose later pages match ``later_pages``
    (groups ``first``, ``n``, ``ext``): ``…/3512345_2.shtml`` → ``(…/3512345.shtml, 2)``."""
    path = url_path(url)
    for pattern in later_pages:
        match = pattern.match(path)
        if match:
            return match["first"] + match["ext"], int(match["n"])
    return url, 1


def list_entries(
    scoped: Iterable[tuple[Selector | None, str, Selector]],
    *,
    default_tz: str,
    holders: tuple[str, ...] = DATE_HOLDERS,
    bare_link_dates: bool = False,
) -> list[ListEntry]:
    """One entry per URL, in page order, from ``(item, url, link)``: the link's title, the date
    printed in the item (:func:`item_date`; no item: none), else the one in the URL."""
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item, url, link in scoped:
        if url in seen:
            continue
        seen.add(url)
        date = None
        if item is not None:
            date = item_date(item, link, default_tz=default_tz, holders=holders, bare_link=bare_link_dates)
        entries.append(
            ListEntry(url=url, title=link_title(link), date=date or date_from_url(url, default_tz=default_tz))
        )
    return entries


def article_links(scope: Selector, base_url: str, accept: Accept) -> Iterator[tuple[str, Selector]]:
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


def list_items(sel: Selector, item_selectors: tuple[str, ...], base_url: str, accept: Accept) -> list[Selector]:
    """The items of the first list-container rule whose items hold an article link ([] if none does)."""
    for css in item_selectors:
        items = sel.css(css)
        if any(next(article_links(item, base_url, accept), None) for item in items):
            return list(items)
    return []


def link_title(link: Selector) -> str:
    """A list link's title: its ``title`` attribute (visible texts are often cut with "…"), else its text."""
    return normalize_space(link.attrib.get("title")) or normalize_space("".join(link.root.itertext()))


def item_date(
    item: Selector,
    link: Selector,
    *,
    default_tz: str,
    holders: tuple[str, ...] = DATE_HOLDERS,
    bare_link: bool = False,
) -> datetime | None:
    """The date printed in a list item beside its link: in a holder (span, em, .time…) whose text is
    not part of the title, else in the item's other text (``bare_link``: all of it when the link
    has no text)."""
    title = link_title(link)
    for holder in (found for css in holders for found in item.css(css)):
        text = normalize_space("".join(holder.root.itertext()))
        if text and text not in title:
            found = parse_date(text, default_tz=default_tz)
            if found:
                return found
    link_text = "".join(link.root.itertext())
    item_text = "".join(item.root.itertext()) if hasattr(item.root, "itertext") else ""
    if link_text:
        rest = normalize_space(item_text.replace(link_text, " ", 1))
    else:
        rest = normalize_space(item_text) if bare_link else ""
    return parse_date(rest, default_tz=default_tz) if rest else None


def _parent(link: Selector) -> Selector:
    parent = link.xpath("..")
    return parent[0] if parent else link


def next_page_url(
    sel: Selector, base_url: str, pager_selectors: tuple[str, ...], next_texts: tuple[str, ...]
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


def first_int(patterns: tuple[re.Pattern[str], ...], text: str) -> int | None:
    """The number in the first group of the first pattern found in ``text`` (None: no pattern is)."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None
