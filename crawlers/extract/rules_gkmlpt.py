"""Extraction rules of the Guangdong gkmlpt family (stic.sz.gov.cn), kept as DATA.

gkmlpt (政府信息公开目录管理平台) is a JSON API behind a small HTML shell: the index page holds
``window._CONFIG = {SID:'…', TREE:[…]}``, lists come from ``/gkmlpt/api/all/{category}?page=N&sid=SID``
and each article's body is escaped HTML in a ``"content":"…"`` JSON field of its detail page.
Sources: /work/shared/sources/CATALOGUE.md §0.1 (gkmlpt row), §0.3 (epoch seconds), §0.5 (plain
HTTP), §4e.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import BodyRules, FamilyRules, Hook, Json, Meta, Nothing

# ---------------------------------------------------------------------------------------------
# Index page and API
# ---------------------------------------------------------------------------------------------
GKMLPT_CONFIG_RE = re.compile(r"window\._CONFIG\s*=\s*\{")
GKMLPT_SID_RE = re.compile(r"\bSID\s*:\s*['\"](?P<sid>[^'\"]+)['\"]")
GKMLPT_TREE_RE = re.compile(r"\bTREE\s*:\s*(?=\[)")
# A category's list, page N (1-based).
GKMLPT_API_PATH = "/gkmlpt/api/all/{category}?page={page}&sid={sid}"
# Article pages: /gkmlpt/content/<a>/<b>/post_<id>.html (mpost_ on the mobile template).
GKMLPT_ARTICLE_RE = re.compile(r"^/gkmlpt/content/\d+/\d+/m?post_\d+\.html$")
# API article fields, in the order they are tried.
GKMLPT_URL_FIELDS = ("url", "post_url")
GKMLPT_DATE_FIELDS = ("date", "display_publish_time", "publish_time", "created_at")  # epoch SECONDS first
GKMLPT_SOURCE_FIELDS = ("publisher", "source")
# API fields copied into ``extra`` as they are (when not empty).
GKMLPT_EXTRA_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "document_number": "document_number",  # 文号, e.g. 深科技创新规〔2024〕1号
        "identifier": "index_number",  # 索引号
        "abstract": "abstract",
        "classify_main_name": "classify_main_name",
        "classify_genre_name": "classify_genre_name",
        "classify_theme_name": "classify_theme_name",
    }
)

# ---------------------------------------------------------------------------------------------
# Rules (detail pages; ``categories`` is the registry's choice of TREE categories)
# ---------------------------------------------------------------------------------------------
GKMLPT_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # which TREE categories to crawl: ids or names, comma-separated, e.g.
        # ``selectors = { categories = "2917,2918" }`` in the registry. No default: crawling a
        # whole gkmlpt tree is tens of thousands of documents.
        "categories": (),
        # the JSON fields of the detail page (the HTML shell is rendered by JavaScript)
        "content_field": ("content",),
        "title_field": ("title",),
        "date_field": GKMLPT_DATE_FIELDS,
        "source_field": GKMLPT_SOURCE_FIELDS,
        # meta tags and rendered markup, for a page without JSON (server-rendered template)
        "title_meta": ("ArticleTitle", "title", "og:title"),
        "date_meta": ("PubDate", "publishdate"),
        "source_meta": ("ContentSource", "source"),
        "body": ("div.article-content", ".article_con", ".news_cont_d_wrap", ".content", "#zoom"),
        "drop": ("script", "style", "noscript", "iframe"),
    }
)

RULES = FamilyRules(
    parser="crawlers.extract.gkmlpt:parse_gkmlpt_detail",
    selectors=GKMLPT_RULES,
    # the page's JSON first, then meta tags and markup for a server-rendered page
    title=(Json("title_field"), Meta("title_meta")),
    body=BodyRules(hook=Hook("json_content"), fallback=False),
    published=(Json("date_field"), Meta("date_meta"), Nothing()),
    office=(Json("source_field"), Meta("source_meta")),
    extras=(Hook("json_extras"),),  # the page repeats some of the API's metadata
    attachments=Hook("attachments"),
)
