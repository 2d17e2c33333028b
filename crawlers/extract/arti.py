"""The "ARTI" platform (CNTV-style ids; www.cppcc.gov.cn, 中国政协网).

List pages: items ``#txtBox li`` (link + ``.time`` date); the legacy (pre-redesign) lists keep the
whole column in an inline script of ``item[N]=new title_array('URL','TITLE','YYYY-MM-DD');``.
Articles: ``/zxww/YYYY/MM/DD/ARTI<13-digit epoch ms><counter>.shtml``; the publish time is the id's
epoch milliseconds read in Asia/Shanghai, cross-checked with the path's day. Body ``.cnt_box .con``
(or ``#page_body .column_wrapper .con``), source office from ``.info em`` "来源：…".
Rules (selectors, regexes) are data in :mod:`crawlers.extract.rules_arti`.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Mapping
from datetime import datetime

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
from crawlers.extract.rules_arti import (
    ARTI_ARTICLE_RE,
    ARTI_BREADCRUMB_SPLIT_RE,
    ARTI_EDITOR_RE,
    ARTI_KEYWORDS_SPLIT_RE,
    ARTI_LEGACY_ITEM_RE,
    ARTI_MAX_ID_PATH_GAP_DAYS,
    ARTI_NEXT_PAGE_TEXTS,
    ARTI_RULES,
    ARTI_SOURCE_RE,
    ARTI_TITLE_SUFFIX_RE,
)
from crawlers.extract.trs import ListEntry
from crawlers.extract.urls import canonical_url


def _path(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


def is_arti_article_url(url: str) -> bool:
    return bool(ARTI_ARTICLE_RE.search(_path(url)))


def _accept_article(url: str) -> str | None:
    return url if is_arti_article_url(url) else None


def arti_publish_time(url: str, *, default_tz: str = DEFAULT_TZ) -> tuple[datetime | None, dict]:
    """The publish time of an ARTI article URL and how it was decided (``extra`` keys).

    The id's 13 digits are epoch milliseconds (an instant: read in ``default_tz``, so 01:30 in
    Beijing stays on its Beijing day, not the UTC day before). When that local day is the path's
    day, the id gives date AND time (``date_source = "arti_id"``). When they differ, the path's day
    wins (the folder is the publication day; the id is when the item was created) and the id's time
    is kept in ``arti_created_at``; a gap above ``ARTI_MAX_ID_PATH_GAP_DAYS`` is flagged as
    ``date_conflict``. Not an ARTI URL: ``(None, {})``.
    """
    match = ARTI_ARTICLE_RE.search(_path(url))
    if not match:
        return None, {}
    created = parse_date(match["ms"], default_tz=default_tz)
    path_day = parse_date(f"{match['y']}-{match['m']}-{match['d']}", default_tz=default_tz)
    if created is None:
        return path_day, {"date_source": "url"} if path_day else {}
    if path_day is None or created.date() == path_day.date():
        return created, {"date_source": "arti_id"}
    notes: dict = {"date_source": "url", "arti_created_at": created.isoformat()}
    if abs((created.date() - path_day.date()).days) > ARTI_MAX_ID_PATH_GAP_DAYS:
        notes["date_conflict"] = f"ARTI id says {created.date().isoformat()}, path says {path_day.date().isoformat()}"
    return path_day, notes


def parse_arti_legacy_list(html: str, base_url: str, *, default_tz: str = DEFAULT_TZ) -> list[ListEntry]:
    """Entries of a legacy list page: ``new title_array('URL','TITLE','YYYY-MM-DD')`` calls in its scripts."""
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for match in ARTI_LEGACY_ITEM_RE.finditer(html):
        url = _accept_article(canonical_url(html_lib.unescape(match["url"]).strip(), base=base_url))
        if not url or url in seen:
            continue
        seen.add(url)
        title = normalize_space(html_lib.unescape(match["title"]))
        date = parse_date(match["date"], default_tz=default_tz) or date_from_url(url, default_tz=default_tz)
        entries.append(ListEntry(url=url, title=title, date=date))
    return entries


def parse_arti_list(
    html: str | bytes,
    base_url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> tuple[list[ListEntry], str | None]:
    """Article entries of an ARTI list page (current ``#txtBox li`` or legacy ``title_array``) and
    the next list page's URL (None when there is no pager or this is the last page).

    Only ``/zxww/YYYY/MM/DD/ARTI….shtml`` links are articles; relative links are resolved against
    the LIST page. The date is the item's ``.time`` text, else the one in the URL's path.
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    sel = selector_for(text, base_url)
    rules = with_overrides(ARTI_RULES, selectors)
    found = linked_entries(sel, base_url, rules["list_item"], _accept_article, default_tz=default_tz, whole_page=False)
    entries = [ListEntry(url=url, title=title, date=date) for url, title, date in found]
    if not entries:
        entries = parse_arti_legacy_list(text, base_url, default_tz=default_tz)
    return entries, next_page_url(sel, base_url, rules["pager"], ARTI_NEXT_PAGE_TEXTS)


def parse_arti_detail(
    html: str | bytes,
    url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """Title, publish time, source office and body of an ARTI article page.

    Date: the ARTI id (see :func:`arti_publish_time`), else a date in the ``.info`` line, else the
    URL. Title: the visible title rules, then meta, then ``<title>`` without the site name (the
    spider falls back to the list title). Body: ``.cnt_box .con`` / ``#page_body .column_wrapper
    .con`` without scripts and share bars, the trailing editor line moved to ``extra["editor"]``;
    trafilatura when no rule matches.
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    url = canonical_url(url)
    sel = selector_for(text, url)
    rules = with_overrides(ARTI_RULES, selectors)
    article = ExtractedArticle(url=url)
    extra = article.extra

    article.title, extra["title_source"] = page_title(sel, rules["title"], rules["title_meta"], ARTI_TITLE_SUFFIX_RE)
    extra["rule"], lines = body_lines(sel, rules["body"], rules["drop"])
    if lines and (editor := ARTI_EDITOR_RE.match(lines[-1])):
        extra["editor"] = normalize_space(editor["value"])
        lines.pop()
    article.body = "\n".join(lines)
    if not article.body:
        article.body = trafilatura_text(text, url)
        extra["rule"] = "trafilatura" if article.body else None

    # --- info line: source office (and a date when the id gives none)
    info = first_element(sel, rules["info"])
    info_text = normalize_space(" ".join(info[1].root.itertext())) if info else ""
    source = ARTI_SOURCE_RE.search(info_text)
    if source:
        article.source_office = source["value"]

    # --- date: ARTI id (cross-checked with the path) → info line → URL
    when, notes = arti_publish_time(url, default_tz=default_tz)
    if when is None and info_text:
        when = parse_date(info_text, default_tz=default_tz)
        notes = {"date_source": "info"} if when else {}
    if when is None:
        when = date_from_url(url, default_tz=default_tz)
        notes = {"date_source": "url" if when else None}
    article.published_at = when
    extra.update(notes)

    # --- column (breadcrumb "首页>委员建言"), keywords
    crumb = first_element(sel, rules["breadcrumb"])
    if crumb:
        parts = [p for p in ARTI_BREADCRUMB_SPLIT_RE.split(normalize_space(" ".join(crumb[1].root.itertext()))) if p]
        if parts:
            extra["column_name"] = parts[-1]
    found = meta_content(sel, rules["keywords_meta"])
    if found:
        extra["keywords"] = [k for k in (normalize_space(p) for p in ARTI_KEYWORDS_SPLIT_RE.split(found[1])) if k]
    return article
