"""Extraction rules of the People's Daily family / ZCMS (www.rmzxw.com.cn, cppcc.people.com.cn), as DATA.

One family, two templates that share the ``publishdate``/``contentid``/``catalogs``/``source`` metas:
* rmzxw.com.cn (ZCMS 2.4): ``h1.Content_title span#a``, ``div.Remark span`` "2026年09月16日 14:35 |
  作者:… | 来源：…", ``div.text_box``, ``p.Editor``, ``div.Paging`` — grade **A** (a saved real page);
* people.com.cn: ``div.rm_txt h1``, ``div.channel div.col-1-1`` "2024年04月24日23:52 | 来源：新华网",
  ``div.rm_txt_con > p`` without ``.bza``/``.box_pic``/``.zdfy``/``p.paper_num``, ``div.edit`` — grade
  **A** (a saved real page and fundus' parser).
List pages of both sites were never seen (grade **D**): links are recognised by their URL shape
(CATALOGUE §2a: "link-regex crawl"), the containers below come first when present.
Sources: /work/shared/sources/CATALOGUE.md §0.1, §0.4, §2a, §2b.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import Css, FamilyRules, Hook, Line, ListRules, Meta, Nothing, Split, TitleTag
from crawlers.extract.rules import URL_DATE

# Article pages (later pages of a multi-page article included).
ZCMS_ARTICLE_RES = (
    re.compile(r"/c/\d{4}-\d{2}-\d{2}/\d+(?:_\d+)?\.shtml$"),  # rmzxw /c/2024-03-05/3512345.shtml, …_2.shtml
    re.compile(r"/n\d?/\d{4}/\d{4}/c\d+-\d+(?:-\d+)?\.html$"),  # people /n1/2024/0305/c34948-40189012.html, …-2.html
)
# Page n>1 of a multi-page article → its first page (the URL the article is stored under).
ZCMS_PAGE_RES = (
    re.compile(r"^(?P<first>.*/c/\d{4}-\d{2}-\d{2}/\d+)_(?P<n>\d+)(?P<ext>\.shtml)$"),
    re.compile(r"^(?P<first>.*/n\d?/\d{4}/\d{4}/c\d+-\d+)-(?P<n>\d+)(?P<ext>\.html)$"),
)

ZCMS_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # list pages (D): containers whose links are the column's articles (else: every article link)
        "list_item": ("ul.list li", ".list_16 li", "ul.news_list li", ".p2j_list li", ".ej_list_box li"),
        "pager": ("div.page", "div.pages", "#page", ".page_n", ".fenye"),
        # detail pages
        "title": ("h1.Content_title span#a", "h1.Content_title", "div.rm_txt h1", "h1"),
        "kicker": ("div.rm_txt h3.pre",),
        "subtitle": ("div.rm_txt h4.sub",),
        "date_meta": ("publishdate",),
        "source_meta": ("source",),
        "author_meta": ("author",),
        "keywords_meta": ("keywords",),
        "content_id_meta": ("contentid",),
        "catalog_meta": ("catalogs",),
        "header": ("div.Remark span", "div.channel div.col-1-1"),
        "body": ("div.text_box", "div.rm_txt_con"),
        # removed from the body before reading it: people.com.cn abstract box, picture boxes, the
        # in-article pager, the newspaper-page line and share bar, editor lines, scripts
        "drop": (
            ".bza",
            ".box_pic",
            ".zdfy",
            "p.paper_num",
            ".edit",
            "p.Editor",
            ".Paging",
            "script",
            "style",
            "noscript",
            ".share",
        ),
        "editor": ("p.Editor", "div.edit"),
        "paging": ("div.Paging", "div.zdfy"),
        "breadcrumb": ("h1.pv_title_2 span.site", "#rwb_navpath"),
    }
)
# Texts of the pager link to the next list page.
ZCMS_NEXT_PAGE_TEXTS = ("下一页", "下页", "next", ">")
# Labels inside the header line and metas.
ZCMS_SOURCE_RE = re.compile(r"来源\s*[:：]\s*(?P<value>[^|｜]+)")
ZCMS_AUTHOR_RE = re.compile(r"作者\s*[:：]\s*(?P<value>[^|｜]+)")
ZCMS_SOURCE_LABEL_RE = re.compile(r"^\s*来源\s*[:：]\s*")
ZCMS_EDITOR_RE = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<value>[^）)]+)")
ZCMS_NAMES_SPLIT_RE = re.compile(r"\s*[、，,;；/\s]\s*")
# people.com.cn's author meta is a numeric staff id, not a name.
ZCMS_NUMERIC_AUTHOR_RE = re.compile(r"^\d+$")
# Site name after the title in <title>: "T-人民政协网", "T——人民政协网", "T--时政--人民网".
ZCMS_TITLE_SUFFIX_RE = re.compile(r"\s*(?:-{1,2}|——|_)\s*(?:[^-—_]{1,12}\s*(?:-{1,2}|——)\s*)?(?:人民政协网|人民网)\s*$")
# Paid content: rmzxw prints a 【免责声明】 paragraph saying the item is a company's advertising
# ("此文内容为本网站刊发或转载企业广告宣传资讯…") after the body. Such items are stored (nothing is
# lost) with extra["advertorial"] = True and kept out of the digest.
ZCMS_ADVERTORIAL_RES = (
    re.compile(r"【\s*免责声明\s*】[^【]{0,200}?(?:企业)?广告(?:宣传|推广)[^【]{0,200}?(?:[）)]|$)"),
    re.compile(r"[^。【]{0,100}企业广告宣传资讯[^。】]{0,100}"),
)

RULES = FamilyRules(
    parser="crawlers.extract.zcms:parse_zcms_article",
    selectors=ZCMS_RULES,
    url=Hook("first_page"),  # page n of a multi-page article is stored under the first page's URL
    title=(Css("title"), TitleTag(cut=ZCMS_TITLE_SUFFIX_RE), Nothing()),  # ZCMS pages carry no title meta
    # meta publishdate (a day) with the header's time when the header names the same day → meta →
    # the header line "2026年09月16日 14:35 | 作者:… | 来源：…" → URL
    published=(
        Hook("publishdate_and_header"),
        Meta("date_meta", label="meta:publishdate"),
        Line("header"),
        *URL_DATE,
    ),
    office=(Meta("source_meta", strip=ZCMS_SOURCE_LABEL_RE), Line("header", ZCMS_SOURCE_RE)),
    office_source=False,
    author=(Meta("author_meta", reject=ZCMS_NUMERIC_AUTHOR_RE), Line("header", ZCMS_AUTHOR_RE)),
    extras=(
        ("kicker", Css("kicker")),
        ("subtitle", Css("subtitle")),
        ("editors", Hook("editors")),
        ("content_id", Meta("content_id_meta")),
        ("catalog", Meta("catalog_meta")),
        ("keywords", Split(Meta("keywords_meta"), ZCMS_NAMES_SPLIT_RE)),
        ("column_name", Hook("breadcrumb")),
        Hook("advertorial"),
        Hook("more_pages"),
    ),
    lists=ListRules(
        articles=ZCMS_ARTICLE_RES, later_pages=ZCMS_PAGE_RES, pager="pager", next_texts=ZCMS_NEXT_PAGE_TEXTS
    ),
)
