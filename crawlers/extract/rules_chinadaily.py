"""Extraction rules of the China Daily regional CMS (en.cppcc.gov.cn, English), kept as DATA.

Sources: /work/shared/sources/CATALOGUE.md §0.1 and §1b. Grades: article URLs
``/YYYY-MM/DD/c_<id>.htm`` and list pages ``<name>.html``, ``<name>_2.html`` **A/B**; the header
line "Updated: 2024-03-11 China Daily" and ``[Xinhua/Name]`` photo captions **A** (page text);
every selector (``h1``, ``#Content``, list containers) is **D** — "China Daily templates commonly
use ``h1`` + ``#Content``" — so the parser also reads the header line from the whole page text and
falls back to trafilatura for the body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import BodyRules, FamilyRules, Hook, ListRules, Meta, Split
from crawlers.extract.rules import URL_DATE, visible_title

CHINADAILY_ARTICLE_RE = re.compile(r"/\d{4}-\d{2}/\d{2}/c_\d+\.htm$")

CHINADAILY_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # list pages (D): one item = headline link + one-sentence summary (+ a date)
        "list_item": (".list_con li", "ul.list li", ".tw_box", ".mb10"),
        "pager": ("#div_currpage", ".pagination", ".page", "#page"),
        # detail pages (D)
        "title": (".lft_art h1", "#Title", "h1"),
        "title_meta": ("og:title", "title"),
        "header": (".info", ".info_l", "#Info"),
        "body": ("#Content", ".article", "#content"),
        "description_meta": ("description", "og:description"),
        "keywords_meta": ("keywords",),
        # removed from the body before reading it: figures and their captions, pagers, share bars
        "drop": (
            "script",
            "style",
            "noscript",
            "figure",
            "figcaption",
            ".picture",
            ".pic_caption",
            "#div_currpage",
            ".share",
            ".related",
        ),
    }
)
# Texts of the pager link to the next list page.
CHINADAILY_NEXT_PAGE_TEXTS = ("next", "next page", ">", "›", "»")
# "Updated: 2024-03-11 China Daily" / "Updated: 2023-03-14 09:12 Xinhua" (date, then the office).
CHINADAILY_UPDATED_RE = re.compile(
    r"Updated\s*:\s*(?P<date>\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s*(?P<source>[^|\n]*?)\s*(?:\||\n|$)",
    re.I,
)
# "By LI XIN |" in the header line.
CHINADAILY_BYLINE_RE = re.compile(r"\bBy\s+(?P<author>[^|\n]+?)\s*(?:\||\n|$)")
# A photo caption paragraph ends with its credit in brackets: "[Xinhua/Ju Peng]", "[Photo/Xinhua]".
CHINADAILY_CAPTION_RE = re.compile(r"\[\s*[^\[\]/]{1,40}/[^\[\]]{1,60}\]\s*$")
# Site name after the title in <title>: "T - Chinadaily.com.cn", "T | CPPCC".
CHINADAILY_TITLE_SUFFIX_RE = re.compile(
    r"\s*[|\-–—]\s*(?:Chinadaily\.com\.cn|China Daily|CPPCC|The National Committee of the CPPCC)\s*$", re.I
)
# Keywords meta: comma separated.
CHINADAILY_KEYWORDS_SPLIT_RE = re.compile(",")

RULES = FamilyRules(
    parser="crawlers.extract.chinadaily:parse_chinadaily_article",
    selectors=CHINADAILY_RULES,
    title=visible_title(CHINADAILY_TITLE_SUFFIX_RE),
    body=BodyRules(dropped_lines=CHINADAILY_CAPTION_RE, dropped_count="captions_dropped"),
    # the "Updated: YYYY-MM-DD <office>" line (the header block, else anywhere on the page) → URL
    published=(Hook("updated_date"), *URL_DATE),
    office=(Hook("updated_office"),),
    office_source=False,
    author=(Hook("byline"),),
    extras=(
        ("excerpt", Meta("description_meta")),
        ("keywords", Split(Meta("keywords_meta"), CHINADAILY_KEYWORDS_SPLIT_RE)),
    ),
    lists=ListRules(articles=(CHINADAILY_ARTICLE_RE,), pager="pager", next_texts=CHINADAILY_NEXT_PAGE_TEXTS),
)
