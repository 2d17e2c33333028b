"""Extraction rules of the TRS WCM "t-date" static sites (kjj.cq.gov.cn and every *.cq.gov.cn
bureau, www.most.gov.cn, kw.beijing.gov.cn), kept as DATA.

Sources of every entry: /work/shared/sources/CATALOGUE.md §0 and §3.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import (
    AttachmentRules,
    BodyRules,
    FamilyRules,
    Header,
    HeaderRules,
    Labelled,
    ListRules,
    Meta,
    MetadataRules,
)
from crawlers.extract.rules import (
    GOV_AUTHOR,
    GOV_EXTRAS,
    HEADER_DATE_RE,
    HEADER_SOURCE_RE,
    ISSUING_OFFICE_LABELS,
    METADATA_LABELS,
    URL_DATE,
    gov_title,
)

TRS_ARTICLE_RE = re.compile(r"\d{6}/t\d{8}_\d+\.s?html?$")
TRS_PAGINATION_RES = (
    re.compile(r"createPage\s*\(\s*(\d+)"),  # createPage(34, 0, "index", "html")
    re.compile(
        r"createPageHTML\s*\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)"
    ),  # createPageHTML(N, …) / ('page_div', N, …)
    re.compile(r"pagination_script_config\s*=\s*\{[^}]*?total\s*:\s*['\"]?(\d+)", re.S),
    re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)"),  # older TRS templates
)
TRS_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # list pages: containers whose links are the column's articles (else: the whole page)
        "list_item": (
            "ul.list li",
            ".list li",
            ".tab-item li",
            "table.zcwjk-list tr",
            ".news-list li",
            "ul.info_list2 li",  # www.most.gov.cn news columns
            ".hot-news-list li",  # kw.beijing.gov.cn 新闻动态
        ),
        # where a list item's date is printed; the first that parses wins (kw.beijing.gov.cn puts
        # the date in the LAST span: its registry entry overrides this with span:last-of-type)
        "list_date": ("span.date", "span, em, i, .date, .time, td"),
        # detail pages
        "title_meta": ("ArticleTitle", "title", "og:title"),
        "date_meta": ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "article:published_time"),
        "source_meta": ("ContentSource", "source"),
        "author_meta": ("Author", "author"),
        "keywords_meta": ("Keywords", "keywords"),
        "column_meta": ("ColumnName",),
        "description_meta": ("Description", "description"),
        "title": (".zwxl-title .tit", ".zwxl-title h1", ".article-title", "h1", "h2.title"),
        "header": (
            ".zwxl-title .info",
            ".zwxl-title",
            ".zwxl-info",
            ".pages-date",
            ".article-info",
            ".info",
            ".zwxl-content",
        ),
        "body": (
            "div.trs_editor_view",
            ".TRS_UEDITOR",
            ".TRS_Editor",
            ".zwxl-article",
            ".pages_content",
            "#Zoom",
            "#zoom",
            "#mainText",  # kw.beijing.gov.cn pages without #zoom
        ),
        # cells of the open-government metadata table (索引号 / 文号 / 主题分类 / 发布机构 / 成文日期)
        "metadata": ("table.zwxl-table td", "table.xxgk_detail_table td"),
        # where attachment links live (the body container and its parent article block)
        "attachments": (".zwxl-article", ".pages_content", ".zwxl-content", "div.trs_editor_view", "#Zoom", "#zoom"),
    }
)
# The site name after the last separator of <title> ("T - 重庆市科学技术局").
TRS_TITLE_SUFFIX_RE = re.compile(r"\s*[-_|]\s*[^-_|]*$")

RULES = FamilyRules(
    parser="crawlers.extract.trs:parse_trs_detail",
    selectors=TRS_RULES,
    # meta ArticleTitle (verbatim, even with markup-like text) → visible title → other metas / <title>
    # a later meta is recorded as "title" (as TRS pages always were); none found: nothing recorded
    title=gov_title(TRS_TITLE_SUFFIX_RE, label="title"),
    body=BodyRules(drop=None),
    # the header block without the body, so that a 日期： inside the text is not the page's date
    header=HeaderRules(key="header", markers=(HEADER_DATE_RE, HEADER_SOURCE_RE), without_body=True),
    published=(Meta("date_meta"), Header(HEADER_DATE_RE), *URL_DATE),
    office=(Meta("source_meta"), Header(HEADER_SOURCE_RE), Labelled(ISSUING_OFFICE_LABELS)),
    author=GOV_AUTHOR,
    extras=GOV_EXTRAS,
    # the open-government table: 文号 → document_number, 索引号, 成文日期…
    metadata=MetadataRules(key="metadata", fields=METADATA_LABELS),
    attachments=AttachmentRules(containers="attachments", body=True),
    lists=ListRules(
        articles=(TRS_ARTICLE_RE,),
        dates="list_date",
        fallback="parent",
        bare_link_dates=True,
        page_count=TRS_PAGINATION_RES,
    ),
)
