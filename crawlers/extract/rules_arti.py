"""Extraction rules of the "ARTI" platform family (www.cppcc.gov.cn), kept as DATA.

Sources: /work/shared/sources/CATALOGUE.md §0.1 (family row) and §1a (中国政协网). Grades: list
markup ``#txtBox li`` + ``.time`` and body ``.cnt_box .con`` are **B** (RSSHub route), the body
variant ``#page_body .column_wrapper .con`` **B** (a 2026 loader config), the legacy
``title_array(...)`` inline list **B/C**, the ARTI id's epoch milliseconds **A** (checked on 5 ids).
Title and date selectors of the detail page are **D** (not documented): they come last, after the
ARTI id (date) and the list entry (title) that are known to be right.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import (
    BodyRules,
    FamilyRules,
    Hook,
    Line,
    ListRules,
    Meta,
    Split,
)
from crawlers.extract.rules import KEYWORDS_SPLIT_RE, URL_DATE, visible_title

# /zxww/2024/03/05/ARTI1709601150000123.shtml: the 13 digits after ARTI are the creation time in
# epoch milliseconds; then a counter (3 digits in the 5 real ids checked, 6 in some notes: any
# number is accepted). The path carries the publication day.
ARTI_ARTICLE_RE = re.compile(r"/zxww/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/ARTI(?P<ms>\d{13})\d+\.shtml$")
# Legacy (pre-redesign) lists hold the whole column in an inline script:
#   item[12]=new title_array('URL','TITLE','YYYY-MM-DD');   (also title_arrayELMT<id>(...))
ARTI_LEGACY_ITEM_RE = re.compile(
    r"""new\s+title_array\w*\s*\(\s*(?P<q1>['"])(?P<url>.*?)(?P=q1)\s*,\s*"""
    r"""(?P<q2>['"])(?P<title>.*?)(?P=q2)\s*,\s*(?P<q3>['"])(?P<date>.*?)(?P=q3)\s*\)"""
)
# The creation time in the id and the day in the path may differ by this much before the path wins
# (an item drafted late on day D and published in D+1's folder is normal; more is a wrong id).
ARTI_MAX_ID_PATH_GAP_DAYS = 1

ARTI_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # list pages (current template); the legacy template is read by ARTI_LEGACY_ITEM_RE
        "list_item": ("#txtBox li", "ul#txtBox > li"),
        # pager links of a list page, if any (not documented for the new lists: D)
        "pager": ("#page_div", ".page", ".pages", ".pagination"),
        # detail pages
        "title": (".cnt_box h3", ".cnt_box h1", "#page_body .column_wrapper h1", "#page_body h1", "h1"),
        "title_meta": ("ArticleTitle", "og:title"),
        "body": (".cnt_box .con", "#page_body .column_wrapper .con"),
        "info": (".cnt_box .info", "#page_body .column_wrapper .info", ".info"),
        "breadcrumb": (".cnt_box .path", "#page_body .path", ".path", ".crumbs", ".location"),
        "keywords_meta": ("keywords", "Keywords"),
        "description_meta": ("description", "Description"),
        # removed from the body before reading it: share bars, editor lines, scripts
        "drop": ("script", "style", "noscript", ".share", ".bdsharebuttonbox", ".zebian", ".editor"),
    }
)
# "来源：人民政协报" in ``.info em`` (full-width or ASCII colon).
ARTI_SOURCE_RE = re.compile(r"来源\s*[:：]\s*(?P<value>[^\s|｜]+)")
# Editor line at the end of articles: "（责任编辑：张三）" / "责编：张三".
ARTI_EDITOR_RE = re.compile(r"^[（(]?\s*(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<value>[^）)]+?)\s*[）)]?$")
# Site name after the title in <title>: "T_中国政协网", "T-中国政协", "T | 中国政协网".
ARTI_TITLE_SUFFIX_RE = re.compile(r"\s*[_|｜\-–—]+\s*中国政协(?:网)?\s*$")
# Texts of the pager link to the next list page.
ARTI_NEXT_PAGE_TEXTS = ("下一页", "下页", ">", "›")
# Breadcrumb separator: "首页>委员建言" / "首页 > 委员建言".
ARTI_BREADCRUMB_SPLIT_RE = re.compile(r"\s*[>＞»]\s*")

RULES = FamilyRules(
    parser="crawlers.extract.arti:parse_arti_detail",
    selectors=ARTI_RULES,
    # the list entry's title is known right (the spider falls back to it): these come from pages
    title=visible_title(ARTI_TITLE_SUFFIX_RE),
    body=BodyRules(trailer=ARTI_EDITOR_RE, trailer_key="editor"),
    # the ARTI id (cross-checked with the path) → a date in the .info line → URL
    published=(Hook("arti_id"), Line("info"), *URL_DATE),
    office=(Line("info", ARTI_SOURCE_RE),),
    office_source=False,
    extras=(("column_name", Hook("breadcrumb")), ("keywords", Split(Meta("keywords_meta"), KEYWORDS_SPLIT_RE))),
    lists=ListRules(articles=(ARTI_ARTICLE_RE,), fallback=None, pager="pager", next_texts=ARTI_NEXT_PAGE_TEXTS),
)
