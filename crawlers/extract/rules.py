"""Extraction rules shared by every family, kept as DATA: URLs, charsets, attachments, labels.

Each family's own rules are in ``rules_<family>.py``. A source can put its own selectors in front
of a family's lists through the registry (``selectors = { body = "div.custom" }``) — see
:func:`with_overrides`. Sources of every entry: /work/shared/sources/CATALOGUE.md §0 and §3.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crawlers.extract.family import Css, Meta, Nothing, Pattern, Selectors, Source, Split, TitleTag, Url

# ---------------------------------------------------------------------------------------------
# URLs (CATALOGUE §0.7)
# ---------------------------------------------------------------------------------------------
# Hosts known to serve the same pages over https: http links to them are rewritten to https so
# http/https duplicates collapse. Hosts that only work over http (Guangdong gkmlpt) or have broken
# certificates (www.cppcc.gov.cn) are deliberately absent.
HTTPS_HOSTS = frozenset(
    {
        "kjj.cq.gov.cn",
        "www.ichongqing.info",
        "ichongqing.info",
        "www.rmzxw.com.cn",
        "www.most.gov.cn",
        "kjt.sc.gov.cn",
        "kw.beijing.gov.cn",
        "kjt.zj.gov.cn",
        "kxjst.jiangsu.gov.cn",
    }
)
# Hosts whose canonical scheme is http: https links to them are rewritten to http. www.cppcc.gov.cn
# has a certificate for another hostname (CATALOGUE §0.5, §1a) and links to it use both schemes;
# en.cppcc.gov.cn and the people.com.cn channels are published as http (§1b, §2b); the Guangdong
# gkmlpt sites work over plain HTTP only, HTTPS fails (§0.5, §4e).
HTTP_HOSTS = frozenset({"www.cppcc.gov.cn", "en.cppcc.gov.cn", "cppcc.people.com.cn", "stic.sz.gov.cn"})
# Other names of the same site: links to the alias are the same page on the canonical host
# (rmzxb.com.cn is the older domain of rmzxw.com.cn, same /c/YYYY-MM-DD/<id>.shtml paths; §0.7).
HOST_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "www.rmzxb.com.cn": "www.rmzxw.com.cn",
        "rmzxb.com.cn": "www.rmzxw.com.cn",
        "rmzxw.com.cn": "www.rmzxw.com.cn",
        "cppcc.gov.cn": "www.cppcc.gov.cn",
    }
)
# Case of percent escapes in canonical URLs: "upper" (RFC 3986 §6.2.2.1 normal form, what the
# lead's spec asks for: %e4%b8%a8 → %E4%B8%A8) or "keep" (as the site wrote them; WordPress writes
# lower case). Both spellings name the same resource; what matters is that every URL goes
# through canonical_url, so one spelling is stored.
PERCENT_ESCAPE_CASE = "upper"
# Query parameters that never change the page (analytics, share buttons, app referrals).
TRACKING_PARAMS = frozenset(
    {
        "spm",
        "from",
        "share",
        "share_token",
        "shareid",
        "share_from",
        "sharesource",
        "isappinstalled",
        "wxshare_count",
        "scene",
        "srcid",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "igshid",
        "ref_src",
        "ref_url",
        "clicktime",
        "enterid",
        "timestamp",
        "nsukey",
        "wfr",
        "tt_from",
        "tt_medium",
    }
)
TRACKING_PARAM_PREFIXES = ("utm_", "pk_", "mtm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
# Path fixes per host: (host, pattern, replacement), applied by canonical_url. MOST list pages
# sometimes link their news columns through a spurious /xxgk/xinxifenlei/ prefix (CATALOGUE §0.7);
# only the news columns are rewritten, the real open-government paths under /xxgk/xinxifenlei/fdzdgknr/ stay.
URL_PATH_REWRITES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("www.most.gov.cn", re.compile(r"^/xxgk/xinxifenlei/(?=(?:kjbgz|tztg|tpxw)/)"), "/"),
)

# Links to documents, not articles: record them as attachments, never crawl them as pages.
ATTACHMENT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|xls|wps|et|zip|rar|7z|pptx?|ofd|txt|csv)(?:$|[?#])", re.I)
# TRS attachment file names: P0YYYYMMDD<digits>.pdf (CATALOGUE §0.1).
TRS_ATTACHMENT_RE = re.compile(r"/P0\d+\.(?:pdf|docx?|xlsx?|zip|wps|rar|ofd)$", re.I)

# ---------------------------------------------------------------------------------------------
# Charsets (CATALOGUE §0.4; used by crawlers/extract/charset.py)
# ---------------------------------------------------------------------------------------------
# Header charsets that a Chinese server sends by default rather than by knowledge (old MOST pages:
# GB2312 bytes under "ISO-8859-1"): ignored, the page's <meta> or its bytes decide. w3lib resolves
# all of them to cp1252.
UNTRUSTED_HEADER_CHARSETS = frozenset(
    {"cp1252", "windows-1252", "iso-8859-1", "iso8859-1", "latin-1", "latin1", "ascii", "us-ascii"}
)
# Tried in order on a page with no trustworthy declaration: the first that decodes without error
# wins; the last is the default (GB18030 decodes GB2312 and GBK pages, the other Chinese legacy).
FALLBACK_CHARSETS = ("utf-8", "gb18030")

# Labelled metadata ("文  号：川科政〔2024〕3号", table cells "索引号：…") → extra keys. Labels are
# compared without spaces and colons.
METADATA_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "文号": "document_number",
        "发文字号": "document_number",
        "索引号": "index_number",
        "主题分类": "topic",
        "成文日期": "written_date",
        "发布机构": "issuing_office",
        "发文机关": "issuing_office",
    }
)

# The labels of METADATA_LABELS that name the issuing office.
ISSUING_OFFICE_LABELS = tuple(label for label, key in METADATA_LABELS.items() if key == "issuing_office")
# Visible header labels: "来自: 重庆市科学技术局 日期:2025-09-19" (ASCII or full-width colons); TRS pages
# and the generic fallback read them.
HEADER_SOURCE_RE = re.compile(
    r"(?:来自|来源|信息来源|发布机构)\s*[:：]\s*(?P<value>[^\s:：|]*?(?:[ \t][^\s:：|]+?)*?)\s*"
    r"(?=日期|发布日期|发布时间|浏览|字号|作者|【|\||\n|$)"
)
HEADER_DATE_RE = re.compile(r"(?:日期|发布日期|发布时间|成文日期)\s*[:：]\s*(?P<value>[0-9年月日\-/.: ：]+)")

# Separators of a keywords meta: "a;b", "a，b", "a、b", "a b".
KEYWORDS_SPLIT_RE = re.compile(r"[;；,，、\s]+")
# Labels in front of attachment link texts ("附件：", "附件2:") — dropped from attachment names.
ATTACHMENT_LABEL_RE = re.compile(r"^(?:附件|附表|Attachment)\s*\d*\s*[:：.、]\s*", re.I)


# ---------------------------------------------------------------------------------------------
# Orders of sources several families share (rule keys as in their tables)
# ---------------------------------------------------------------------------------------------


def gov_title(site_name: Pattern, *, label: str | None = None) -> tuple[Source, ...]:
    """Government pages' standard metas (CATALOGUE §0.2): meta ArticleTitle (verbatim) → the visible
    title → the other title metas (recorded as ``label``) and ``<title>``, without the ``site_name``."""
    later_metas = Meta("title_meta", start=1, cut=site_name, label=label)
    return (Meta("title_meta", stop=1), Css("title"), later_metas, TitleTag(cut=site_name))


def visible_title(site_name: Pattern) -> tuple[Source, ...]:
    """The visible title, a title meta, ``<title>`` (the last two without the ``site_name``)."""
    return (Css("title"), Meta("title_meta", cut=site_name), TitleTag(cut=site_name), Nothing())


# The date in the URL's path; when there is none, that no source gave one is recorded.
URL_DATE: tuple[Source, ...] = (Url(), Nothing())
GOV_AUTHOR: tuple[Source, ...] = (Meta("author_meta"),)
GOV_EXTRAS: tuple[tuple[str, Source | Split], ...] = (
    ("keywords", Split(Meta("keywords_meta"), KEYWORDS_SPLIT_RE)),
    ("column_name", Meta("column_meta")),
)


def with_overrides(rules: Mapping[str, tuple[str, ...]], overrides: Selectors) -> dict[str, tuple[str, ...]]:
    """The family rules with a source's registry selectors put first (unknown keys are ignored)."""
    merged = dict(rules)
    for key, selector in (overrides or {}).items():
        if key in merged and selector:
            merged[key] = (selector, *[s for s in merged[key] if s != selector])
    return merged
