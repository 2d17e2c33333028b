"""Extraction rules of the Hanweb JCMS family (kjt.zj.gov.cn, kxjst.jiangsu.gov.cn), kept as DATA.

:data:`RULES` says in which order the article pipeline reads them; a source puts its own selector
first through the registry
(``selectors = { body = "div.custom" }``, keys are the names of :data:`HANWEB_RULES`).
Sources of every entry: /work/shared/sources/CATALOGUE.md §0.1 (Hanweb row), §0.4, §4f, §4g.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import (
    Css,
    FamilyRules,
    Hook,
    Labelled,
    ListRules,
    Meta,
    MetadataRules,
    Nothing,
)
from crawlers.extract.rules import GOV_AUTHOR, GOV_EXTRAS, URL_DATE, gov_title

# ---------------------------------------------------------------------------------------------
# List pages: /col/col<COLID>/index.html and POST /module/web/jpage/dataproxy.jsp
# ---------------------------------------------------------------------------------------------
# Article URLs: /art/YYYY/M/D/art_<COLID>_<ID>.html (month and day NOT zero-padded) and the newer
# /col/col<COLID>/art/YYYY/art_<hex>.html.
HANWEB_ARTICLE_RE = re.compile(
    r"^/(?:art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+|col/col\d+/art/\d{4}/art_[0-9a-fA-F]+)\.s?html?$"
)
# The column id in a list URL (/col/col1229225203/index.html).
HANWEB_COLUMN_RE = re.compile(r"/col/col(?P<column>\d+)(?:/|$)")
# One list record: <record><![CDATA[<li>…</li>]]></record> (records without CDATA hold escaped HTML).
HANWEB_RECORD_RE = re.compile(
    r"<record\b[^>]*>\s*(?:<!\[CDATA\[(?P<cdata>.*?)\]\]>|(?P<escaped>[^<]*?))\s*</record>", re.S | re.I
)
# <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=…&columnid=…&unitid=…"></a>]]>
# carries the parameters of the dataproxy.jsp form.
HANWEB_NEXTGROUP_RE = re.compile(
    r"<nextgroup\b[^>]*>\s*(?:<!\[CDATA\[)?.*?href\s*=\s*['\"](?P<href>[^'\"]+)['\"]", re.S | re.I
)
# Paging hints, in the jpage({...}) call that follows the datastore or in a dataproxy answer.
HANWEB_TOTAL_RECORD_RES = (
    re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I),
    re.compile(r"\btotalRecord\s*[:=]\s*['\"]?(\d+)", re.I),
)
HANWEB_PER_PAGE_RES = (re.compile(r"\bperPage\s*[:=]\s*['\"]?(\d+)", re.I),)
HANWEB_GROUP_SIZE_RES = (re.compile(r"\bgroupSize\s*[:=]\s*['\"]?(\d+)", re.I),)
# Hanweb defaults when the page gives no hint: 15 records per page, 3 pages per group (a static
# column page holds records 1-45, the first dataproxy call asks for 46-90).
HANWEB_DEFAULT_PER_PAGE = 15
HANWEB_DEFAULT_GROUP_SIZE = 3
# The dataproxy endpoint and the fixed part of its form. The per-column part (appid, webid, path,
# columnid, unitid, webname, permissiontype) is copied from the page's <nextgroup> link.
HANWEB_DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
HANWEB_DATAPROXY_FIXED_FORM = (("col", "1"), ("sourceContentType", "1"))
HANWEB_DATAPROXY_FORM_KEYS = ("appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")
HANWEB_DATAPROXY_REQUIRED = ("webid", "columnid", "unitid")

# ---------------------------------------------------------------------------------------------
# Rules (lists and detail pages)
# ---------------------------------------------------------------------------------------------
HANWEB_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # rendered lists (newer JCMS pages without <record>s): containers of the column's links
        "list_item": (".default_pgContainer li", "ul.list li", ".lm_list li", ".list li", "table.list tr"),
        # detail pages: meta tags first (CATALOGUE §0.2)
        "title_meta": ("ArticleTitle", "title", "og:title"),
        "date_meta": ("PubDate", "pubdate", "publishdate"),
        "source_meta": ("ContentSource", "source"),
        "author_meta": ("Author", "author"),
        "keywords_meta": ("Keywords", "keywords"),
        "column_meta": ("ColumnName",),
        "title": (".article h1", ".art_title", ".title h1", "h1"),
        # the visible "发布日期：YYYY-MM-DD" (Zhejiang span.fbrq)
        "date": ("span.fbrq", ".fbrq", ".art_info .time", ".time"),
        # the visible "来源：X" line
        "source": ("span.ly", ".ly", ".art_info .source"),
        "body": ("div#zoom", "#zoom", ".art_con", ".article-body", ".con_text", ".TRS_Editor"),
        # info-disclosure (xxgk) table above policy documents: label cell, value cell
        "xxgk": ("table.xxgk_table", ".xxgk_table", "table.xxgk", ".xxgk table"),
        # attachment links: Hanweb's download servlet, wherever it sits on the page
        "attachments": ('a[href^="/module/download"]', 'a[href*="/module/download/downfile.jsp"]'),
        # removed from the body before reading it
        "drop": ("script", "style", "noscript", ".bdsharebuttonbox", ".share", ".print", ".ewm", ".qrcode"),
    }
)
# xxgk table labels → ``extra`` keys. 发布机构 is also the source office when ContentSource is empty.
HANWEB_XXGK_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "索引号": "index_number",
        "组配分类": "category",
        "发布机构": "issuing_office",
        "生成日期": "generated_date",
        "成文日期": "written_date",
        "文件编号": "document_number",
        "文号": "document_number",
        "有效性": "validity",
    }
)
# Visible labels: "发布日期：2024-03-05" / "来源：浙江省科学技术厅" (ASCII or full-width colon).
HANWEB_DATE_LABEL_RE = re.compile(r"(?:发布日期|发布时间|日期)\s*[:：]\s*(?P<value>[0-9年月日\-/.: ：]+)")
HANWEB_SOURCE_LABEL_RE = re.compile(r"(?:来源|信息来源|发布机构)\s*[:：]\s*(?P<value>\S+)")
# Suffix of the site name in <title> ("T_浙江省科学技术厅", "T - 江苏省科学技术厅").
HANWEB_TITLE_SUFFIX_RE = re.compile(r"\s*[-_|｜]\s*[^-_|｜]*(?:科学技术厅|科技厅|人民政府)\s*$")

RULES = FamilyRules(
    parser="crawlers.extract.hanweb:parse_hanweb_detail",
    selectors=HANWEB_RULES,
    # meta ArticleTitle → visible title → other metas / <title> without the site name
    title=(*gov_title(HANWEB_TITLE_SUFFIX_RE), Nothing()),
    metadata=MetadataRules(key="xxgk", fields=HANWEB_XXGK_FIELDS, cells="td, th", text="spaced"),
    # meta PubDate → visible 发布日期 (span.fbrq) → URL /art/YYYY/M/D/
    published=(Meta("date_meta"), Css("date", HANWEB_DATE_LABEL_RE, required=False), *URL_DATE),
    # meta ContentSource → the xxgk table's 发布机构 → visible 来源
    office=(
        Meta("source_meta"),
        Labelled(("发布机构",), label="xxgk:发布机构"),
        Css("source", HANWEB_SOURCE_LABEL_RE),
    ),
    author=GOV_AUTHOR,
    extras=GOV_EXTRAS,
    # the /module/download links wherever they are, then document links in the body
    attachments=Hook("attachments"),
    lists=ListRules(articles=(HANWEB_ARTICLE_RE,), fallback=None),
)
