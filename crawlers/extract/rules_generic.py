"""Rules of the generic fallback extractor (crawlers/extract/generic.py), as DATA.

Meta names come from the gov-site standard (CATALOGUE §0.2: ArticleTitle, PubDate, ContentSource,
Keywords, ColumnName), the People's Daily family (``publishdate``, ``source``), Open Graph /
article:* and the Dublin Core / news names htmldate and trafilatura also read. Each list is walked
in order; the first non-empty value wins. The trafilatura options and the line filters were
chosen on the fundus evaluation pages (bench/extraction.py; figures in bench/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from crawlers.extract.family import AttachmentRules, BodyRules, FamilyRules, Header, Hook, Meta, Nothing, TitleTag
from crawlers.extract.rules import HEADER_DATE_RE, HEADER_SOURCE_RE

GENERIC_META: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "title": ("ArticleTitle", "og:title", "twitter:title", "headline", "dc.title", "title"),
        "date": (
            "PubDate",
            "publishdate",
            "pubdate",
            "firstpublishedtime",
            "article:published_time",
            "og:article:published_time",
            "datePublished",
            "dc.date.issued",
            "dc.date",
            "date",
            "publish-date",
            "parsely-pub-date",
            "sailthru.date",
            "cXenseParse:recs:publishtime",
        ),
        "source_office": ("ContentSource", "source", "contentsource", "dc.publisher"),
        "author": ("Author", "author", "article:author", "byl", "dc.creator", "sailthru.author"),
        "keywords": ("Keywords", "keywords", "news_keywords", "article:tag"),
        "column": ("ColumnName", "article:section", "columnname"),
        "description": ("Description", "description", "og:description"),
        "language": ("language", "content-language", "dc.language", "og:locale"),
    }
)

# trafilatura.extract options of the fallback. include_comments=False: reader comments are not the
# article (+0.8 F1 points on the evaluation pages); favor_precision / favor_recall both lose F1 there.
TRAFILATURA_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {
        "include_comments": False,
        "include_tables": True,
        "include_images": False,
        "include_links": False,
        "deduplicate": False,
        "favor_precision": False,
        "favor_recall": False,
    }
)

# A line that occurs more than once in the extracted text is page furniture ("External content not
# available", "Read more") — unless it is long enough to be a real repeated paragraph.
REPEATED_LINE_MAX_CHARS = 200
# Lines that are only a photo/video credit or an agency line: "STR/Getty images", "Foto: dpa",
# "(Photo/Zhou Qi)", "图片来源：新华社".
CREDIT_LINE_RES = (
    re.compile(
        r"^[(（]?\s*(?:photo|photos|foto|fotos|bild|image|picture|video|graphic|poster|quelle|图片来源|图|摄影|来源)"
        r"\s*(?:/|by|:|：)[^)）]{0,80}[)）]?$",
        re.I,
    ),
    re.compile(
        r"^[^.!?。！？]{0,60}(?:/|\||｜)\s*(?:getty ?images?|afp|reuters|dpa|imago|picture[- ]alliance|"
        r"ap photo|epa|keystone|shutterstock|xinhua|新华社)[^.!?。！？]{0,40}$",
        re.I,
    ),
    re.compile(r"^[^.!?。！？]{0,40}(?:getty ?images?|afp via getty images|imago images|picture alliance)$", re.I),
)

# A label some sites put inside the source meta itself (people.com.cn: content="来源：新华网").
SOURCE_LABEL_RE = re.compile(r"^\s*(?:来源|来自|信息来源|发布机构|source)\s*[:：]\s*", re.I)

# Page chrome dropped before looking for attachment links outside the article.
CHROME_CSS = ("header", "footer", "nav", "aside", ".header", ".footer", ".nav", "#header", "#footer")

# A CJK share of letters above this makes an undeclared page Chinese (kana: Japanese, Hangul: Korean).
CJK_LANGUAGE_SHARE = 0.3

# "Title - Site name" in <title>.
GENERIC_TITLE_SUFFIX_RE = re.compile(r"\s*[-_|｜–—]\s*[^-_|｜–—]{1,40}$")

# The generic parser reads no registry selectors: GENERIC_META is the whole table.
RULES = FamilyRules(
    parser="crawlers.extract.generic:parse_generic",
    selectors=GENERIC_META,
    # metas but the page's <title> → one <h1> the <title> repeats → trafilatura's → an <h1> → <title>
    title=(
        Meta("title", stop=-1),
        Hook("lone_h1"),
        Hook("trafilatura_title"),
        Hook("first_h1"),
        TitleTag(cut=GENERIC_TITLE_SUFFIX_RE),
        Nothing(),
    ),
    body=BodyRules(key=None, hook=Hook("generic_body"), fallback=False),
    # the header label ("发布时间：", "日期:") is read in the whole page's text
    published=(Meta("date"), Header(HEADER_DATE_RE), Hook("htmldate"), Nothing()),
    office=(Meta("source_office", strip=SOURCE_LABEL_RE), Header(HEADER_SOURCE_RE)),
    author=(Hook("author"),),
    extras=(("keywords", Hook("keywords")), ("column_name", Meta("column")), Hook("language")),
    attachments=AttachmentRules(without=CHROME_CSS),
)
