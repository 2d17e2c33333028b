"""Extraction rules of the Sichuan provincial CMS family (kjt.sc.gov.cn), kept as DATA.

:data:`RULES` says in which order the article pipeline reads them; a source may put its own selectors first through the
registry (``selectors = { body = "…" }``, keys are the rule names below). Every entry comes from
/work/shared/sources/CATALOGUE.md §0.1 and §4h (a source card live-verified on 2026-09-16).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import (
    AttachmentRules,
    FamilyRules,
    Labelled,
    ListRules,
    MetadataRules,
)
from crawlers.extract.rules import METADATA_LABELS, URL_DATE, visible_title

# Articles: /kjt/<column>/YYYY/M/D/<32 hex>.shtml (month and day not zero-padded).
SICHUAN_ARTICLE_RE = re.compile(r"/\d{4}/\d{1,2}/\d{1,2}/[0-9a-f]{32}\.s?html?$")
# createPageHTML('page_div', 30, 1, 'newschild', 'shtml', 450): pager div, total pages, current
# page (1-based), page name, extension, total records. Page k > 1 is <name>_k.<ext>.
SICHUAN_PAGER_RE = re.compile(
    r"createPageHTML\(\s*['\"][^'\"]*['\"]\s*,\s*(?P<total>\d+)\s*,\s*(?P<current>\d+)\s*,"
    r"\s*['\"](?P<name>[^'\"]+)['\"]\s*,\s*['\"](?P<ext>[^'\"]+)['\"]\s*(?:,\s*(?P<records>\d+))?"
)
# " - 四川省科学技术厅" after the title in <title> (used only when the page has no visible title).
SICHUAN_TITLE_SUFFIX_RE = re.compile(r"\s*[-_|｜]\s*四川省科学技术厅\s*$")
# Labels of the metadata lines ("发布日期：2026-09-15 15:36:53", "发布机构：人工智能处").
SICHUAN_DATE_LABELS = ("发布日期", "发布时间")
SICHUAN_OFFICE_LABELS = ("发布机构",)

SICHUAN_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # list pages (no whole-page fallback: an empty container means the layout changed)
        "list_item": (".column-list li",),  # a + span "(2026-09-15)"
        # detail pages: the notice template first, then the policy-document template
        "title": (".newsTex h1", ".articlebox h1"),
        "title_meta": ("ArticleTitle", "og:title"),
        # "发布日期：…", "发布机构：…", "文  号：…" lines; .topbox cells pair a label cell with a value cell
        "metadata": (".abstract li", ".topbox td", ".topbox li"),
        "body": (".newsCon", ".articlebox .contText", ".contText"),
        # removed from the body before reading it (share widgets, QR codes, related links, scripts)
        "drop": (".share", ".ewm", ".relatedlinks", "script", "style"),
        # where attachment links live (the .attachment list, and links inside the body)
        "attachments": (".attachment li", ".newsCon", ".contText"),
    }
)

RULES = FamilyRules(
    parser="crawlers.extract.sichuan:parse_sichuan_detail",
    selectors=SICHUAN_RULES,
    title=visible_title(SICHUAN_TITLE_SUFFIX_RE),
    # the metadata lines: date, issuing office (the source office, so not repeated in extra), 文号…
    metadata=MetadataRules(key="metadata", fields=METADATA_LABELS, text="block", omit=("issuing_office",)),
    published=(Labelled(SICHUAN_DATE_LABELS), *URL_DATE),
    office=(Labelled(SICHUAN_OFFICE_LABELS),),
    attachments=AttachmentRules(containers="attachments"),
    lists=ListRules(articles=(SICHUAN_ARTICLE_RE,), fallback=None, page_count=(SICHUAN_PAGER_RE,)),
)
