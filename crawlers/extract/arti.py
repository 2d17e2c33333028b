"""The "ARTI" platform (CNTV-style ids; www.cppcc.gov.cn, 中国政协网).

List pages: items ``#txtBox li`` (link + ``.time`` date); the legacy (pre-redesign) lists keep the
whole column in an inline script of ``item[N]=new title_array('URL','TITLE','YYYY-MM-DD');``.
Articles: ``/zxww/YYYY/MM/DD/ARTI<13-digit epoch ms><counter>.shtml``; the publish time is the id's
epoch milliseconds read in Asia/Shanghai, cross-checked with the path's day. Body ``.cnt_box .con``
(or ``#page_body .column_wrapper .con``), source office from ``.info em`` "来源：…".
Rules are data in :mod:`crawlers.extract.rules_arti`; what is ARTI's own: the id's timestamp, the
legacy list script, the breadcrumb.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from crawlers.extract.article import ArticleParser
from crawlers.extract.dates import DEFAULT_TZ, date_from_url, parse_date
from crawlers.extract.documents import ExtractedArticle, ListEntry
from crawlers.extract.family import Selectors
from crawlers.extract.fields import Candidate, line
from crawlers.extract.html import normalize_space, url_path
from crawlers.extract.lists import article_accepter, read_list
from crawlers.extract.page import Page
from crawlers.extract.rules_arti import (
    ARTI_ARTICLE_RE,
    ARTI_BREADCRUMB_SPLIT_RE,
    ARTI_LEGACY_ITEM_RE,
    ARTI_MAX_ID_PATH_GAP_DAYS,
    RULES,
)
from crawlers.extract.urls import canonical_url

is_arti_article_url = RULES.lists.is_article  # an article page's URL (by the shape of its path)


def arti_publish_time(url: str, *, default_tz: str = DEFAULT_TZ) -> tuple[datetime | None, dict[str, Any]]:
    """The publish time of an ARTI article URL and how it was decided (``extra`` keys).

    The id's 13 digits are epoch milliseconds (an instant: read in ``default_tz``, so 01:30 in
    Beijing stays on its Beijing day, not the UTC day before). When that local day is the path's
    day, the id gives date AND time (``date_source = "arti_id"``). When they differ, the path's day
    wins (the folder is the publication day; the id is when the item was created) and the id's time
    is kept in ``arti_created_at``; a gap above ``ARTI_MAX_ID_PATH_GAP_DAYS`` is flagged as
    ``date_conflict``. Not an ARTI URL: ``(None, {})``.
    """
    match = ARTI_ARTICLE_RE.search(url_path(url))
    if not match:
        return None, {}
    created = parse_date(match["ms"], default_tz=default_tz)
    path_day = parse_date(f"{match['y']}-{match['m']}-{match['d']}", default_tz=default_tz)
    if created is None:
        return path_day, {"date_source": "url"} if path_day else {}
    if path_day is None or created.date() == path_day.date():
        return created, {"date_source": "arti_id"}
    notes: dict[str, Any] = {"date_source": "url", "arti_created_at": created.isoformat()}
    if abs((created.date() - path_day.date()).days) > ARTI_MAX_ID_PATH_GAP_DAYS:
        notes["date_conflict"] = f"ARTI id says {created.date().isoformat()}, path says {path_day.date().isoformat()}"
    return path_day, notes


def parse_arti_legacy_list(html: str, base_url: str, *, default_tz: str = DEFAULT_TZ) -> list[ListEntry]:
    """Entries of a legacy list page: ``new title_array('URL','TITLE','YYYY-MM-DD')`` calls in its scripts."""
    entries: list[ListEntry] = []
    seen: set[str] = set()
    accept = article_accepter(RULES.lists)
    for match in ARTI_LEGACY_ITEM_RE.finditer(html):
        url = accept(canonical_url(html_lib.unescape(match["url"]).strip(), base=base_url))
        if not url or url in seen:
            continue
        seen.add(url)
        title = normalize_space(html_lib.unescape(match["title"]))
        date = parse_date(match["date"], default_tz=default_tz) or date_from_url(url, default_tz=default_tz)
        entries.append(ListEntry(url=url, title=title, date=date))
    return entries


def parse_arti_list(
    html: str | bytes, base_url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> tuple[list[ListEntry], str | None]:
    """Article entries of an ARTI list page (current ``#txtBox li`` or legacy ``title_array``) and
    the next list page's URL (None when there is no pager or this is the last page).

    Only ``/zxww/YYYY/MM/DD/ARTI….shtml`` links are articles; relative links are resolved against
    the LIST page. The date is the item's ``.time`` text, else the one in the URL's path.
    """
    page = read_list(html, base_url, RULES, selectors=selectors, default_tz=default_tz)
    entries = page.entries or parse_arti_legacy_list(page.text, base_url, default_tz=default_tz)
    return entries, page.next_url


def parse_arti_detail(
    html: str | bytes, url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
) -> ExtractedArticle:
    """Title, publish time, source office and body of an ARTI article page (:data:`RULES`).

    Date: the ARTI id (see :func:`arti_publish_time`), else a date in the ``.info`` line, else the
    URL. Body: without scripts and share bars, the trailing editor line moved to ``extra["editor"]``.
    """
    return PARSER.parse(html, url, selectors=selectors, default_tz=default_tz)


def _arti_id(page: Page) -> Iterator[Candidate]:
    when, notes = arti_publish_time(page.url, default_tz=page.default_tz)
    if when is not None:
        page.extra.update({key: value for key, value in notes.items() if key != "date_source"})
        yield when, notes["date_source"]


def _breadcrumb(page: Page) -> Iterator[Candidate]:
    """The column: the last part of "首页>委员建言"."""
    parts = [p for p in ARTI_BREADCRUMB_SPLIT_RE.split(line(page, "breadcrumb")) if p]
    if parts:
        yield parts[-1], None


HOOKS = {"arti_id": _arti_id, "breadcrumb": _breadcrumb}
PARSER = ArticleParser(RULES, HOOKS)
